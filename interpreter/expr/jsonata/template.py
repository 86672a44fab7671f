"""JSON values with ``{% %}`` expressions inside (Arguments, Output, Assign, Items, Seconds, ...).

Causes are AWS's (the state runner prefixes "An error occurred while executing the state 'X'
(entered at the event id #N). "), recorded in our conformance cases:

* ``The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned
  nothing (undefined).`` (test_undefined_reference_BASE_UNDEFINED_OUTPUT_FIELD; also 'Arguments',
  'Arguments/FunctionName')
* ``... specified for the field 'Output/FunctionResult' threw an error during evaluation.
  T1006: Attempted to invoke a non-function`` (test_math_random_seeded)
* ``... specified for the field 'Items' returned an unexpected result type. Expected 'array', but
  was 'object' for value: {"foo":"bar"}`` (test_map_state_items_eval_jsonata_fail_object; also
  boolean, number, string and null)
* ``The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' returned an
  unsupported result type.`` (test_map_state_items_eval_jsonata_fail_function)

The field is the top-level field name, then ``/key`` for each object key and ``[i]`` for each
array index (``Output/a/b[0]``); the array form is Floci's record of AWS, not one of ours.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from interpreter.errors import EvaluationError, StatesErrorName

from ._errors import JsonataError
from ._values import UNDEFINED, compact_json, json_type_name
from .expression import (
    JsonataExpression,
    JsonataSyntaxError,
    JsonataUnsupportedResult,
    compile_jsonata,
    is_jsonata_string,
    jsonata_source,
)

QUERY_EVALUATION_ERROR = StatesErrorName.QUERY_EVALUATION_ERROR.value


def _failure(detail: str) -> EvaluationError:
    return EvaluationError(QUERY_EVALUATION_ERROR, detail)


def undefined_error(source: str, field: str) -> EvaluationError:
    return _failure(
        f"The JSONata expression '{source}' specified for the field '{field}' returned nothing (undefined)."
    )


def evaluation_error(source: str, field: str, error: JsonataError) -> EvaluationError:
    return _failure(
        f"The JSONata expression '{source}' specified for the field '{field}' "
        f"threw an error during evaluation. {error.text}"
    )


def unsupported_error(source: str, field: str) -> EvaluationError:
    return _failure(
        f"The JSONata expression '{source}' specified for the field '{field}' "
        "returned an unsupported result type."
    )


def expect_type(value: Any, expected: str, expr_text: str, field: str) -> Any:
    """Check that an evaluated value has the JSON type a field needs; return it.

    ``expected`` is a JSON type name (``array``, ``object``, ``string``, ``number``, ``boolean``,
    ``null``) or ``integer`` (a number with no fraction). Otherwise raises AWS's
    ``States.QueryEvaluationError`` "returned an unexpected result type. Expected 'array', but was
    'object' for value: {"foo":"bar"}". ``expr_text`` is the expression as quoted in causes.
    """
    actual = json_type_name(value)
    if expected == "integer":
        if actual == "number" and (isinstance(value, int) or float(value).is_integer()):
            return value
    elif actual == expected:
        return value
    raise _failure(
        f"The JSONata expression '{expr_text}' specified for the field '{field}' returned an unexpected "
        f"result type. Expected '{expected}', but was '{actual}' for value: {compact_json(value)}"
    )


class _Node:
    __slots__ = ()

    def evaluate(self, states: Any, variables: Mapping[str, Any], rng: Any, now: Any) -> Any:
        raise NotImplementedError


class _Static(_Node):
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def evaluate(self, states: Any, variables: Mapping[str, Any], rng: Any, now: Any) -> Any:
        return self.value


class _Expression(_Node):
    __slots__ = ("expression", "path")

    def __init__(self, expression: JsonataExpression, path: str) -> None:
        self.expression = expression
        self.path = path

    def evaluate(self, states: Any, variables: Mapping[str, Any], rng: Any, now: Any) -> Any:
        expression = self.expression
        try:
            value = expression.evaluate(states, variables, rng, now=now)
        except JsonataError as error:
            raise evaluation_error(expression.source, self.path, error) from None
        except JsonataUnsupportedResult:
            raise unsupported_error(expression.source, self.path) from None
        if value is UNDEFINED:
            raise undefined_error(expression.source, self.path)
        return value


class _Object(_Node):
    __slots__ = ("items",)

    def __init__(self, items: tuple[tuple[str, _Node], ...]) -> None:
        self.items = items

    def evaluate(self, states: Any, variables: Mapping[str, Any], rng: Any, now: Any) -> Any:
        return {key: node.evaluate(states, variables, rng, now) for key, node in self.items}


class _Array(_Node):
    __slots__ = ("items",)

    def __init__(self, items: tuple[_Node, ...]) -> None:
        self.items = items

    def evaluate(self, states: Any, variables: Mapping[str, Any], rng: Any, now: Any) -> Any:
        return [node.evaluate(states, variables, rng, now) for node in self.items]


def _compile(
    value: Any,
    path: str,
    expressions: list[tuple[str, JsonataExpression]],
    tokens: tuple[str | int, ...] = (),
) -> _Node:
    if is_jsonata_string(value):
        source = jsonata_source(value)
        try:
            expression = compile_jsonata(source)
        except JsonataSyntaxError as exc:
            exc.field = path
            exc.tokens = tokens
            raise
        expressions.append((path, expression))
        return _Expression(expression, path)
    if isinstance(value, dict):
        items = tuple(
            (key, _compile(item, f"{path}/{key}", expressions, (*tokens, key))) for key, item in value.items()
        )
        if all(isinstance(node, _Static) for _, node in items):
            return _Static(value)
        return _Object(items)
    if isinstance(value, list):
        nodes = tuple(
            _compile(item, f"{path}[{index}]", expressions, (*tokens, index))
            for index, item in enumerate(value)
        )
        if all(isinstance(node, _Static) for node in nodes):
            return _Static(value)
        return _Array(nodes)
    return _Static(value)


class JsonataTemplate:
    """A compiled JSON value in which every ``{% %}`` string is a JSONata expression.

    ``evaluate(states, variables, rng)`` returns the value with each expression replaced by its
    result; static parts are returned as they are (shared: treat results as immutable). Raises
    ``EvaluationError("States.QueryEvaluationError", detail)`` with AWS's cause text when an
    expression fails, returns nothing, or returns something that is not JSON.
    """

    __slots__ = ("_root", "expressions", "field")

    def __init__(self, value: Any, field: str) -> None:
        self.field = field
        found: list[tuple[str, JsonataExpression]] = []
        self._root = _compile(value, field, found)
        #: ``(field path, expression)`` for every expression, in document order.
        self.expressions: tuple[tuple[str, JsonataExpression], ...] = tuple(found)

    @property
    def is_static(self) -> bool:
        return isinstance(self._root, _Static)

    def unsupported_references(self) -> list[tuple[str, str]]:
        """``(field path, message)`` for AWS's load-time UNSUPPORTED_JSONATA_EXPRESSION problems."""
        return [
            (path, message) for path, expr in self.expressions for message in expr.unsupported_references()
        ]

    def evaluate(
        self,
        states: Mapping[str, Any],
        variables: Mapping[str, Any],
        rng: random.Random | None = None,
        *,
        now: datetime | int | None = None,
    ) -> Any:
        return self._root.evaluate(states, variables, rng, now)


def compile_jsonata_template(value: Any, field: str) -> JsonataTemplate:
    """Compile a field's JSON value; raises ``ExprSyntaxError`` (``JsonataSyntaxError``, with
    ``.field`` set to the offending field path and ``.tokens`` to the JSON Pointer tokens from
    ``value`` to the expression) for an expression that does not parse."""
    return JsonataTemplate(value, field)
