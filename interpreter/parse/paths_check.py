"""Syntax of paths, payload templates and intrinsic functions in JSONPath states.

The compilers live in ``interpreter.expr`` (``compile_path``, ``compile_reference_path``,
``compile_template``, ``compile_intrinsic``, each raising ``ExprSyntaxError``); they are imported
lazily so this package loads even while ``expr`` is missing, in which case only the checks made
here (ResultPath shape, ``.$`` values are strings, intrinsic names allowed in ErrorPath/CausePath)
run.

Also AWS's three warnings: NO_DOLLAR (a template field without ``.$`` whose value looks like a path
or intrinsic), NO_PATH (Error/Cause of a Fail state that looks like a path), PASS_RESULT_IS_STATIC
(a Pass ``Result`` containing paths, which are not evaluated).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

from interpreter.errors import ExprSyntaxError, Problem

from . import codes
from .walk import JSONPATH, StateRef, join

# Single-value paths that may also start with $$ (context object) or $name (a variable).
VALUE_PATH_FIELDS: tuple[str, ...] = (
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
)
# ErrorPath/CausePath take a reference path or an intrinsic function returning a string (AWS
# Workflow Studio language service: ArrayGetItem, Base64Encode, Base64Decode, Format, JsonToString,
# Hash, UUID).
STRING_INTRINSICS: frozenset[str] = frozenset(
    {
        "States.ArrayGetItem",
        "States.Base64Encode",
        "States.Base64Decode",
        "States.Format",
        "States.JsonToString",
        "States.Hash",
        "States.UUID",
    }
)
# AWS docs, "Passing data between states with variables": "The maximum length of a variable name
# is 80."
MAX_VARIABLE_NAME = 80
_INTRINSIC_NAME = re.compile(r"^\s*(States\.[A-Za-z0-9]+)\s*\(")
_LOOKS_LIKE_PATH = re.compile(r"^\$(\$|\.|\[|[A-Za-z_]|$)")

Compiler = Callable[[str], Any]


class _Compilers:
    """The ``interpreter.expr`` compilers that exist (None where missing).

    Outcomes are memoized per text for one ``validate`` call: definitions repeat the same paths
    (``$``, ``$.input``...) many times, and compiling is the most expensive check.
    """

    def __init__(self) -> None:
        try:
            module: Any = importlib.import_module("interpreter.expr")
        except Exception:  # expr not written yet, or broken: skip those checks
            module = None
        self.path: Compiler | None = _memoized(getattr(module, "compile_path", None))
        self.reference_path: Compiler | None = _memoized(getattr(module, "compile_reference_path", None))
        self.intrinsic: Compiler | None = _memoized(getattr(module, "compile_intrinsic", None))
        self.template: Callable[[Any, str], Any] | None = getattr(module, "compile_template", None)


def _memoized(compile_: Compiler | None) -> Compiler | None:
    """Remember which texts compiled and re-raise the same error for a text that did not."""
    if compile_ is None:
        return None
    outcomes: dict[str, Exception | None] = {}

    def cached(text: str) -> None:
        if text not in outcomes:
            try:
                compile_(text)
                outcomes[text] = None
            except Exception as err:
                outcomes[text] = err
        error = outcomes[text]
        if error is not None:
            raise error

    return cached


def looks_like_expression(value: Any) -> bool:
    """A string that looks like a JSONPath, a variable or an intrinsic function call."""
    return isinstance(value, str) and bool(_LOOKS_LIKE_PATH.match(value) or _INTRINSIC_NAME.match(value))


def path_problems(states: list[StateRef]) -> list[Problem]:
    compilers = _Compilers()
    problems: list[Problem] = []
    for ref in states:
        problems += _variable_names(ref)
        if ref.query_language == JSONPATH:
            problems += _state_paths(ref, compilers)
    return problems


def _run(compile_: Compiler | None, text: str, pointer: str, what: str) -> list[Problem]:
    if compile_ is None:
        return []
    try:
        compile_(text)
    except ExprSyntaxError as err:
        return [Problem(pointer, str(err) or f"not a valid {what}")]
    except Exception as err:  # a compiler bug must not become a traceback for the user
        return [Problem(pointer, f"not a valid {what} ({type(err).__name__}: {err})")]
    return []


def _state_paths(ref: StateRef, compilers: _Compilers) -> list[Problem]:
    body, pointer = ref.body, ref.pointer
    problems: list[Problem] = []
    for key in ("InputPath", "OutputPath"):
        if isinstance(body.get(key), str):
            problems += _run(compilers.path, body[key], join(pointer, key), "path")
    if isinstance(body.get("ResultPath"), str):
        problems += _result_path(body["ResultPath"], join(pointer, "ResultPath"), compilers)
    for key in VALUE_PATH_FIELDS:
        if isinstance(body.get(key), str):
            problems += _run(compilers.path, body[key], join(pointer, key), "path")
    if ref.type == "Fail":
        for key in ("ErrorPath", "CausePath"):
            if isinstance(body.get(key), str):
                problems += _error_cause_path(body[key], join(pointer, key), compilers)
        for key in ("Error", "Cause"):
            if looks_like_expression(body.get(key)):
                problems.append(
                    Problem(
                        join(pointer, key),
                        f"looks like a path but is used as a literal; use {key}Path to select it",
                        codes.NO_PATH,
                        codes.WARNING,
                    )
                )
    for key in ("Parameters", "ResultSelector", "ItemSelector", "Assign"):
        if isinstance(body.get(key), dict):
            problems += _template(body[key], join(pointer, key), compilers)
    if ref.type == "Pass" and "Result" in body:
        problems += _static_result(body["Result"], join(pointer, "Result"))
    for index, catcher in _items(body.get("Catch")):
        catcher_pointer = join(pointer, "Catch", index)
        if isinstance(catcher.get("ResultPath"), str):
            problems += _result_path(catcher["ResultPath"], join(catcher_pointer, "ResultPath"), compilers)
        if isinstance(catcher.get("Assign"), dict):
            problems += _template(catcher["Assign"], join(catcher_pointer, "Assign"), compilers)
    for index, rule in _items(body.get("Choices")) if ref.type == "Choice" else ():
        problems += _rule_paths(rule, join(pointer, "Choices", index), compilers)
    for key in ("ItemReader", "ResultWriter"):
        sub = body.get(key)
        if isinstance(sub, dict):
            if isinstance(sub.get("Parameters"), dict):
                problems += _template(sub["Parameters"], join(pointer, key, "Parameters"), compilers)
            config = sub.get("ReaderConfig")
            if isinstance(config, dict) and isinstance(config.get("MaxItemsPath"), str):
                where = join(pointer, key, "ReaderConfig", "MaxItemsPath")
                problems += _run(compilers.path, config["MaxItemsPath"], where, "path")
    batcher = body.get("ItemBatcher")
    if isinstance(batcher, dict):
        for key in ("MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"):
            if isinstance(batcher.get(key), str):
                where = join(pointer, "ItemBatcher", key)
                problems += _run(compilers.path, batcher[key], where, "path")
        if isinstance(batcher.get("BatchInput"), dict):
            problems += _template(
                batcher["BatchInput"], join(pointer, "ItemBatcher", "BatchInput"), compilers
            )
    credentials = body.get("Credentials")
    if isinstance(credentials, dict) and "RoleArn.$" in credentials:
        problems += _dollar_field(
            "RoleArn.$", credentials["RoleArn.$"], join(pointer, "Credentials", "RoleArn.$"), compilers
        )
    return problems


def _result_path(value: str, pointer: str, compilers: _Compilers) -> list[Problem]:
    """ResultPath: a reference path into the state input ($ or $.x / $[..], one node)."""
    if compilers.reference_path is not None:
        return _run(compilers.reference_path, value, pointer, "reference path")
    if not (value == "$" or value.startswith(("$.", "$["))):
        return [Problem(pointer, "must be a reference path into the state's input, starting with $")]
    return []


def _error_cause_path(value: str, pointer: str, compilers: _Compilers) -> list[Problem]:
    match = _INTRINSIC_NAME.match(value)
    if match:
        if match.group(1) not in STRING_INTRINSICS:
            allowed = ", ".join(sorted(name.removeprefix("States.") for name in STRING_INTRINSICS))
            return [
                Problem(
                    pointer,
                    f"{match.group(1)} does not return a string; allowed intrinsic functions: {allowed}",
                )
            ]
        return _run(compilers.intrinsic, value, pointer, "intrinsic function")
    return _run(compilers.path, value, pointer, "path")


def _rule_paths(top_rule: dict[str, Any], top_pointer: str, compilers: _Compilers) -> list[Problem]:
    problems: list[Problem] = []
    pending = [(top_rule, top_pointer)]
    while pending:
        rule, pointer = pending.pop()
        for key, value in rule.items():
            if isinstance(value, str) and (key == "Variable" or (key.endswith("Path") and key != "Variable")):
                problems += _run(compilers.path, value, join(pointer, key), "path")
        if isinstance(rule.get("Assign"), dict):
            problems += _template(rule["Assign"], join(pointer, "Assign"), compilers)
        for key in ("And", "Or"):
            for index, child in _items(rule.get(key)):
                pending.append((child, join(pointer, key, index)))
        if isinstance(rule.get("Not"), dict):
            pending.append((rule["Not"], join(pointer, "Not")))
    return problems


def _template(template: dict[str, Any], pointer: str, compilers: _Compilers) -> list[Problem]:
    """Check every ``.$`` field of a payload template; warn on path-like values without ``.$``."""
    problems: list[Problem] = []
    pending: list[tuple[Any, str]] = [(template, pointer)]
    while pending:
        node, where = pending.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                key_pointer = join(where, key)
                if key.endswith(".$"):
                    problems += _dollar_field(key, value, key_pointer, compilers)
                elif isinstance(value, dict | list):
                    pending.append((value, key_pointer))
                elif looks_like_expression(value):
                    problems.append(
                        Problem(
                            key_pointer,
                            "looks like a path or intrinsic function but is a literal; "
                            f'name the field "{key}.$" to evaluate it',
                            codes.NO_DOLLAR,
                            codes.WARNING,
                        )
                    )
        elif isinstance(node, list):
            pending.extend((item, join(where, index)) for index, item in enumerate(node))
    return problems


def _dollar_field(key: str, value: Any, pointer: str, compilers: _Compilers) -> list[Problem]:
    """A ``name.$`` field: its value must be a path (``$...``) or an intrinsic function call."""
    if not isinstance(value, str):
        return [
            Problem(
                pointer,
                f'the value of "{key}" must be a string: '
                "a path ($..., $$..., $variable) or an intrinsic function",
            )
        ]
    if compilers.path is not None and compilers.intrinsic is not None:
        # What compile_template does for one field, with the memoized compilers (compile_template
        # also generates code, which validation does not need).
        compile_ = compilers.path if value.startswith("$") else compilers.intrinsic
        try:
            compile_(value)
        except Exception as err:
            return [
                Problem(
                    pointer,
                    f"The value for the field '{key}' must be a valid JSONPath "
                    f"or a valid intrinsic function call ({err})",
                )
            ]
        return []
    if compilers.template is None:
        return []
    try:
        compilers.template({key: value}, pointer)
    except ExprSyntaxError as err:
        return [Problem(pointer, str(err) or "not a valid path or intrinsic function")]
    except Exception as err:  # a compiler bug must not become a traceback for the user
        return [Problem(pointer, f"not a valid path or intrinsic function ({type(err).__name__}: {err})")]
    return []


def _static_result(result: Any, pointer: str) -> list[Problem]:
    problems: list[Problem] = []
    pending: list[tuple[Any, str]] = [(result, pointer)]
    while pending:
        node, where = pending.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key.endswith(".$"):
                    problems.append(_static(join(where, key)))
                else:
                    pending.append((value, join(where, key)))
        elif isinstance(node, list):
            pending.extend((item, join(where, index)) for index, item in enumerate(node))
        elif looks_like_expression(node):
            problems.append(_static(where))
    return problems


def _static(pointer: str) -> Problem:
    return Problem(
        pointer,
        "Result is static: paths and intrinsic functions in it are not evaluated (use Parameters)",
        codes.PASS_RESULT_IS_STATIC,
        codes.WARNING,
    )


def _variable_names(ref: StateRef) -> list[Problem]:
    """Assign names: identifiers (``name`` or ``name.$`` in JSONPath states), never ``states``."""
    problems: list[Problem] = []
    assigns: list[tuple[Any, str]] = [(ref.body.get("Assign"), join(ref.pointer, "Assign"))]
    for field in ("Catch", "Choices"):
        for index, entry in _items(ref.body.get(field)):
            assigns.append((entry.get("Assign"), join(ref.pointer, field, index, "Assign")))
    for assign, pointer in assigns:
        if not isinstance(assign, dict):
            continue
        for key in assign:
            name = key[:-2] if ref.query_language == JSONPATH and key.endswith(".$") else key
            if not name.isidentifier():
                problems.append(Problem(join(pointer, key), f'"{name}" is not a valid variable name'))
            elif len(name) > MAX_VARIABLE_NAME:
                problems.append(
                    Problem(
                        join(pointer, key),
                        f'variable name "{name[:20]}..." is {len(name)} characters long; '
                        f"the maximum is {MAX_VARIABLE_NAME}",
                    )
                )
            elif name == "states":
                problems.append(
                    Problem(join(pointer, key), '"states" is reserved ($states) and cannot be assigned')
                )
    return problems


def _items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]
