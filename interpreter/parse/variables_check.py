"""Workflow variables at load time: where each is assigned and read, scope by scope.

AWS docs, "Passing data between states with variables" (section "Variable scope"): "A variable
exists in a scope if any state in the scope assigns a value to it. To help avoid common errors, a
variable assigned in an inner scope cannot have the same name as one assigned in an outer scope.
For example, if the top-level scope assigns a value to a variable called myVariable, then no other
scope (inside a Map, Parallel) can assign to myVariable as well." A scope is the top level, a
Parallel branch or a Map processor; the ``Assign`` of a ``Catch`` on a Parallel or Map state
assigns in the scope the state is in ("the Assign field in a Catch can assign values to variables
in the outer scope"). ``scope_problems`` reports the rule's violations as errors (AWS documents no
diagnostic code for it: SCHEMA_VALIDATION_FAILED, the closest documented one).

``unassigned_variable_warnings`` finds reads of variables that nothing visible from the reading
scope assigns: ``$name`` in a JSONPath state's paths, ``.$`` template values, intrinsic function
arguments and Choice rules, and in a JSONata state's ``{% %}`` expressions (minus ``$states``,
built-in functions and names the expression binds itself). Such a read fails at run time (AWS
Workflow Studio flags it; ValidateStateMachineDefinition has no code for it, so these warnings
carry stepfn's own code ``UNASSIGNED_VARIABLE`` and are not part of ``validate``'s AWS-shaped list).
Variables assigned in an outer scope are visible in Parallel branches and Map iterations; those
assigned in a branch or iteration are not visible outside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from interpreter.errors import Problem

from . import codes
from .walk import JSONATA, JSONPATH, Scope, StateRef, join, walk

# Fields of a Parallel / Map state that hold other scopes (walked as their own states).
_NESTED_SCOPES = frozenset({"Branches", "ItemProcessor", "Iterator"})
# Fields never evaluated: free text, static data.
_NOT_EVALUATED = frozenset({"Comment", "Result", "Type", "Resource", "Next", "End", "Default"})
# JSONPath fields whose value is a path but that cannot read variables (AWS: "Variables cannot be
# used in ResultPath").
_NO_VARIABLES = frozenset({"ResultPath"})


@dataclass(frozen=True, slots=True)
class Assignment:
    name: str
    pointer: str  # of the Assign key
    scope: Scope
    in_catch: bool = False  # the Assign of a Catch


@dataclass(frozen=True, slots=True)
class Read:
    name: str
    pointer: str  # of the string that reads it
    scope: Scope


def assignments(states: list[StateRef]) -> list[Assignment]:
    """Every variable assignment: the state's ``Assign``, each Choice rule's and each Catch's."""
    found: list[Assignment] = []
    for ref in states:
        body = ref.body
        blocks: list[tuple[Any, str, bool]] = []
        if isinstance(body.get("Assign"), dict):
            blocks.append((body["Assign"], join(ref.pointer, "Assign"), False))
        for field in ("Choices", "Catch"):
            entries = body.get(field)
            if isinstance(entries, list):
                for index, entry in enumerate(entries):
                    if isinstance(entry, dict) and isinstance(entry.get("Assign"), dict):
                        where = join(ref.pointer, field, index, "Assign")
                        blocks.append((entry["Assign"], where, field == "Catch"))
        for block, pointer, in_catch in blocks:
            for key in block:
                name = key[:-2] if ref.query_language == JSONPATH and key.endswith(".$") else key
                found.append(Assignment(name, join(pointer, key), ref.scope, in_catch))
    return found


def reads(states: list[StateRef]) -> list[Read]:
    """Every variable read, one per (string, name), in document order."""
    found: list[Read] = []
    for ref in states:
        language = ref.query_language
        for pointer, key, text in evaluated_strings(ref.body, ref.pointer):
            if language == JSONATA:
                names = _jsonata_reads(text) if is_jsonata(text) else ()
            elif (
                key.endswith(".$") or key == "Variable" or (key.endswith("Path") and key not in _NO_VARIABLES)
            ):
                names = _jsonpath_reads(text)
            else:
                names = ()
            found.extend(Read(name, pointer, ref.scope) for name in names)
    return found


def scope_problems(states: list[StateRef]) -> list[Problem]:
    """Errors: a variable assigned in a Parallel branch or Map iteration that an outer scope also
    assigns (AWS docs, "Passing data between states with variables": "Variable scope").

    The ``Assign`` of a ``Catch`` does not count on the outer side: AWS created and ran a machine
    whose Parallel branch assigns ``inputVar`` and whose Parallel's Catch assigns ``inputVar`` too
    (recorded conformance case test_parallel_catch_error_PARALLEL_CATCH_ERROR_VARIABLE_SAMPLING,
    SUCCEEDED), and the docs say a Catch "can assign values to variables in the outer scope".
    """
    by_scope: dict[int, dict[str, Assignment]] = {}
    found = assignments(states)
    for assignment in found:
        if not assignment.in_catch:
            by_scope.setdefault(id(assignment.scope), {}).setdefault(assignment.name, assignment)
    problems: list[Problem] = []
    for assignment in found:
        for outer in _outer_scopes(assignment.scope):
            clash = by_scope.get(id(outer), {}).get(assignment.name)
            if clash is not None:
                problems.append(
                    Problem(
                        assignment.pointer,
                        f"Variable '{assignment.name}' is already assigned in an outer scope "
                        f"(at {clash.pointer}): a variable assigned inside a Parallel branch or Map "
                        "iteration cannot have the same name as one assigned in an outer scope",
                        codes.SCHEMA_VALIDATION_FAILED,
                    )
                )
                break
    return problems


def unassigned_variable_warnings(doc: Any) -> list[Problem]:
    """Warnings: variables read where no visible scope assigns them (see the module docstring)."""
    if not isinstance(doc, dict):
        return []
    _, states = walk(doc)
    by_scope: dict[int, dict[str, Assignment]] = {}
    everywhere: dict[str, Assignment] = {}
    for assignment in assignments(states):
        by_scope.setdefault(id(assignment.scope), {}).setdefault(assignment.name, assignment)
        everywhere.setdefault(assignment.name, assignment)
    problems: list[Problem] = []
    for read in reads(states):
        visible = (read.scope, *_outer_scopes(read.scope))
        if any(read.name in by_scope.get(id(scope), ()) for scope in visible):
            continue
        elsewhere = everywhere.get(read.name)
        if elsewhere is None:
            detail = f'no state assigns "{read.name}"'
        else:
            detail = (
                f"it is only assigned at {elsewhere.pointer}, inside a Parallel branch or Map iteration "
                "whose variables are not visible here"
            )
        problems.append(
            Problem(
                read.pointer,
                f"Variable '${read.name}' is read but never assigned ({detail}); "
                "the expression fails when it runs",
                codes.UNASSIGNED_VARIABLE,
                codes.WARNING,
            )
        )
    return problems


def _outer_scopes(scope: Scope) -> Iterator[Scope]:
    parent = scope.parent
    while parent is not None:
        yield parent.scope
        parent = parent.scope.parent


def evaluated_strings(body: dict[str, Any], pointer: str) -> Iterator[tuple[str, str, str]]:
    """``(pointer, key, text)`` for every string in a state that could be evaluated; ``key`` is the
    object key holding it (``""`` inside arrays). Nested scopes and free text are skipped."""
    stack: list[tuple[Any, str, str]] = [
        (value, join(pointer, key), key)
        for key, value in reversed(body.items())
        if key not in _NESTED_SCOPES and key not in _NOT_EVALUATED
    ]
    while stack:
        node, where, key = stack.pop()
        if isinstance(node, str):
            yield where, key, node
        elif isinstance(node, dict):
            stack.extend(
                (value, join(where, k), k) for k, value in reversed(node.items()) if k not in ("Comment",)
            )
        elif isinstance(node, list):
            stack.extend((value, join(where, i), "") for i, value in reversed(list(enumerate(node))))


def is_jsonata(text: str) -> bool:
    """A ``{% ... %}`` string (see ``expr.jsonata.is_jsonata_string``)."""
    return len(text) >= 4 and text.startswith("{%") and text.endswith("%}")


def analyse(text: str) -> Any:
    """``expr.jsonata.analyse_jsonata`` of a ``{% %}`` string, or None when it does not parse (the
    builder reports that as INVALID_JSONATA_EXPRESSION)."""
    from interpreter.expr.jsonata.expression import analyse_jsonata

    try:
        return analyse_jsonata(text[2:-2])
    except Exception:
        return None


def _jsonata_reads(text: str) -> tuple[str, ...]:
    analysis = analyse(text)
    return () if analysis is None else analysis.variables


@lru_cache(maxsize=4096)
def _jsonpath_reads(text: str) -> tuple[str, ...]:
    from interpreter.expr import compile_intrinsic, compile_path

    try:
        compiled = compile_path(text) if text.startswith("$") else compile_intrinsic(text)
    except Exception:  # not a path / intrinsic: reported by the path checks
        return ()
    return tuple(sorted(getattr(compiled, "variables", ())))
