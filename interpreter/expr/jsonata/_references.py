"""Load-time checks AWS makes on a JSONata expression's references.

AWS evaluates expressions with no context item (the input is ``$states.input``), and refuses at
CreateStateMachine a definition whose expression reads the context anyway:
``UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not supported.``, and
``Reference to '$$' is not supported.`` for the root reference. Source: the Floci emulator's
measurements against AWS (hectorvent/floci, docs/services/step-functions.md,
JsonataTopLevelReferences.java); the AWS guide says "You cannot use $ or $$ at the top level" and
"You cannot use unqualified field names at top level".

Only the first step of a path reads the top-level context; later steps, predicates, sort terms
and groupings read the value before them. A lambda body keeps its definer's context, and the
keys of an object constructor are read at the top level too (``{aaa: 1}`` names ``aaa``).
"""

from __future__ import annotations

from typing import Any


def _collect(node: Any, names: dict[str, None]) -> None:
    if node is None or not hasattr(node, "type"):
        return
    kind = node.type
    if kind == "path":
        steps = node.steps or []
        if steps:
            _collect(steps[0], names)
    elif kind == "name":
        names[f"Reference to '{node.value}' at the top level is not supported."] = None
    elif kind == "variable":
        if node.value == "":
            names["Reference to '$' at the top level is not supported."] = None
        elif node.value == "$":
            names["Reference to '$$' is not supported."] = None
    elif kind == "unary":
        if node.value == "[":
            for item in node.expressions or []:
                _collect(item, names)
        elif node.value == "{":
            for pair in getattr(node, "lhs_object", None) or []:
                for part in pair:
                    _collect(part, names)
        else:
            _collect(node.expression, names)
    elif kind in ("binary", "apply"):
        _collect(node.lhs, names)
        _collect(node.rhs, names)
    elif kind in ("function", "partial"):
        _collect(node.procedure, names)
        for argument in node.arguments or []:
            _collect(argument, names)
    elif kind == "lambda":
        _collect(node.body, names)
    elif kind == "condition":
        _collect(node.condition, names)
        _collect(node.then, names)
        _collect(getattr(node, "_else", None), names)
    elif kind == "block":
        for expression in node.expressions or []:
            _collect(expression, names)
    elif kind == "bind":
        _collect(node.rhs, names)


def unsupported_references(ast: Any) -> list[str]:
    """AWS's messages for the references ``ast`` makes to the top-level context, in order."""
    names: dict[str, None] = {}
    _collect(ast, names)
    return list(names)


def _reads_error_output(node: Any) -> bool:
    if isinstance(node, list | tuple):
        return any(_reads_error_output(item) for item in node)
    if node is None or not hasattr(node, "type"):
        return False
    if node.type == "path":
        steps = node.steps or []
        if (
            len(steps) >= 2
            and steps[0].type == "variable"
            and steps[0].value == "states"
            and steps[1].type == "name"
            and steps[1].value == "errorOutput"
        ):
            return True
    for name in (
        "steps",
        "lhs",
        "rhs",
        "expression",
        "expressions",
        "procedure",
        "arguments",
        "body",
        "condition",
        "then",
        "_else",
        "lhs_object",
        "predicate",
        "stages",
        "expr",
    ):
        child = getattr(node, name, None)
        if child is not None and child is not node and _reads_error_output(child):
            return True
    return False


def reads_error_output(ast: Any) -> bool:
    """Whether the expression reads ``$states.errorOutput`` (AWS allows it only in a Catch's
    ``Output`` and ``Assign``; per Floci, refused elsewhere as UNSUPPORTED_JSONATA_EXPRESSION)."""
    return _reads_error_output(ast)


# Node attributes that never hold sub-expressions (the parser back-reference, token bookkeeping).
_NOT_CHILDREN = frozenset({"_outer_instance", "tokens", "type", "value", "id", "position"})


def _walk_variables(ast: Any, read: dict[str, None], bound: set[str]) -> None:
    stack: list[Any] = [ast]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, list | tuple):
            stack.extend(reversed(node))
            continue
        if node is None or not hasattr(node, "type") or id(node) in seen:
            continue
        seen.add(id(node))
        kind = node.type
        if kind == "variable" and isinstance(node.value, str):
            read[node.value] = None
        elif kind == "bind":
            lhs: Any = getattr(node, "lhs", None)
            if lhs is not None and getattr(lhs, "type", None) == "variable":
                bound.add(lhs.value)
        elif kind == "lambda":
            for argument in getattr(node, "arguments", None) or []:
                if getattr(argument, "type", None) == "variable":
                    bound.add(argument.value)
        for name in ("focus", "index"):  # path@$v and path#$i bind $v / $i
            label = getattr(node, name, None)
            if isinstance(label, str):
                bound.add(label)
        children = [value for key, value in vars(node).items() if key not in _NOT_CHILDREN]
        stack.extend(reversed([c for c in children if isinstance(c, list | tuple) or hasattr(c, "type")]))


def variable_references(ast: Any, builtins: frozenset[str] = frozenset()) -> list[str]:
    """Names of the workflow variables an expression reads, in the order it first reads them.

    Left out: ``$`` and ``$$`` (the context), ``$states``, names the expression binds itself
    (``$x := ...``, lambda parameters, ``@$v`` / ``#$i`` path bindings, wherever they appear in
    the expression) and ``builtins`` (function names such as ``sum``).
    """
    read: dict[str, None] = {}
    bound: set[str] = set()
    _walk_variables(ast, read, bound)
    return [
        name
        for name in read
        if name and name != "states" and name.isidentifier() and name not in bound and name not in builtins
    ]
