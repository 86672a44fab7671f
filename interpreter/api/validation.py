"""Request validation for the Step Functions API, driven by botocore's own service model.

Every operation gets AWS's input checks from the model botocore ships for ``stepfunctions``, in
two passes, as AWS's JSON front end (Coral) does them:

1. **Deserialization** (:func:`convert_request`): a value of the wrong JSON type is a
   ``SerializationException`` (``class java.lang.String can not be converted to an Integer``,
   ``Start of structure or map found where not expected.``); members the model does not know are
   dropped silently, a JSON ``null`` counts as absent, an integer member takes the floor of a
   fraction, a boolean member takes ``"true"``/``"yes"``/``"1"`` (and the negatives) as Coral
   does. Wording and leniencies as the mhart/dynalite and kinesalite emulators pinned them
   against AWS (``validations/index.js``).
2. **Constraints** (:func:`check_request`): required members, string length, value range, enum
   values and (full-match) patterns, collected and reported together as one
   ``ValidationException``::

       2 validation errors detected: Value null at 'stateMachineArn' failed to satisfy
       constraint: Member must not be null; Value 'x...' at 'name' failed to satisfy constraint:
       Member must have length less than or equal to 80

   AWS lists at most 10 violations (dynalite). The value of a ``sensitive`` member is never
   echoed (``Value at 'input' failed ...``, as Cognito's ``password`` and Step Functions'
   ``input`` show); Step Functions measures ``SensitiveData`` (execution input, task output) in
   UTF-8 bytes: ``Member must have size less than or equal to 262144 bytes in UTF-8 encoding``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape

from ..service.errors import ApiError

SERVICE_NAME = "stepfunctions"
MAX_REPORTED_VIOLATIONS = 10
SENSITIVE_DATA_SHAPE = "SensitiveData"

_TRUE_STRINGS = frozenset({"TRUE", "YES", "1"})
_FALSE_STRINGS = frozenset({"FALSE", "NO", "0"})
_JAVA_NUMBER_TYPE = {"integer": "Integer", "long": "Long", "float": "Float", "double": "Double"}


@functools.cache
def service_model() -> ServiceModel:
    """botocore's model of the Step Functions API (loaded once)."""
    return botocore.session.get_session().get_service_model(SERVICE_NAME)


@functools.cache
def operation_names() -> frozenset[str]:
    """Every operation the Step Functions API defines (``StartExecution``, ...)."""
    return frozenset(service_model().operation_names)


def validate_request(operation: str, params: object) -> dict[str, Any]:
    """The request of ``operation`` as the service receives it, or ``ApiError`` as AWS refuses it.

    Raises ``SerializationException`` for a value of the wrong JSON type and
    ``ValidationException`` for violated model constraints.
    """
    shape = service_model().operation_model(operation).input_shape
    if shape is None:
        return {}
    request = convert_request(shape, params)
    violations = check_request(shape, request)
    if violations:
        raise validation_error(violations)
    return request


def validation_message(violations: Sequence[str]) -> str:
    """``N validation error(s) detected: a; b`` over at most ten violations."""
    shown = list(violations[:MAX_REPORTED_VIOLATIONS])
    noun = "error" if len(shown) == 1 else "errors"
    return f"{len(shown)} validation {noun} detected: {'; '.join(shown)}"


def validation_error(violations: Sequence[str]) -> ApiError:
    return ApiError("ValidationException", validation_message(violations))


def violation(path: str, value: object, constraint: str, *, sensitive: bool = False) -> str:
    """One violation: ``Value 'x' at 'path' failed to satisfy constraint: <constraint>``."""
    if value is None:
        shown = "Value null"
    elif sensitive:
        shown = "Value"
    else:
        shown = f"Value '{java_string(value)}'"
    return f"{shown} at '{path}' failed to satisfy constraint: {constraint}"


def java_string(value: object) -> str:
    """``value`` as Java's ``toString`` prints it, which is how AWS echoes a rejected value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value).replace("e+", "E").replace("e-", "E-").replace("inf", "Infinity")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(java_string(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}={java_string(item)}" for key, item in value.items()) + "}"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


# -- pass 1: deserialization ---------------------------------------------------------------------


def convert_request(shape: StructureShape, params: object) -> dict[str, Any]:
    """The request with model types enforced, unknown members and nulls dropped."""
    if params is None:
        return {}
    converted = _convert(shape, params)
    assert isinstance(converted, dict)
    return converted


def _serialization_error(message: str) -> ApiError:
    return ApiError("SerializationException", message)


def _java_class(value: object) -> str:
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, str):
        return "java.lang.String"
    if isinstance(value, float) and not value.is_integer():
        return "java.lang.Double"
    number = int(value) if isinstance(value, int | float) else 0
    if -32768 <= number <= 32767:
        return "java.lang.Short"
    if -(2**31) <= number < 2**31:
        return "java.lang.Integer"
    return "java.lang.Long"


def _not_expected(value: object, *, expected: str) -> ApiError:
    if isinstance(value, dict):
        return _serialization_error("Start of structure or map found where not expected.")
    if isinstance(value, list):
        return _serialization_error("Start of list found where not expected")
    return _serialization_error(expected)


def _convert(shape: Shape, value: object) -> object:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        return _convert_structure(shape, value)
    if kind == "list":
        assert isinstance(shape, ListShape)
        if not isinstance(value, list):
            raise _not_expected(value, expected="Expected list or null")
        return [None if item is None else _convert(shape.member, item) for item in value]
    if kind == "map":
        assert isinstance(shape, MapShape)
        if not isinstance(value, dict):
            raise _not_expected(value, expected="Expected map or null")
        return {key: _convert(shape.value, item) for key, item in value.items() if item is not None}
    if isinstance(value, dict | list):
        raise _not_expected(value, expected="")
    if kind in ("string", "blob"):
        if not isinstance(value, str):
            raise _serialization_error(f"class {_java_class(value)} can not be converted to an String")
        return value
    if kind == "boolean":
        return _convert_boolean(value)
    if kind in _JAVA_NUMBER_TYPE:
        return _convert_number(kind, value)
    if kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _serialization_error(f"class {_java_class(value)} can not be converted to an Date")
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    return value


def _convert_structure(shape: StructureShape, value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _not_expected(value, expected="Expected null")
    converted: dict[str, Any] = {}
    for name, member in shape.members.items():
        item = value.get(member.serialization.get("name", name))
        if item is not None:
            converted[name] = _convert(member, item)
    return converted


def _convert_boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        upper = value.upper()
        if upper in _TRUE_STRINGS:
            return True
        if upper in _FALSE_STRINGS:
            return False
        raise _serialization_error(f"'{upper}' can not be converted to an Boolean")
    raise _serialization_error(f"class {_java_class(value)} can not be converted to an Boolean")


def _convert_number(kind: str, value: object) -> int | float:
    java_type = _JAVA_NUMBER_TYPE[kind]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _serialization_error(f"class {_java_class(value)} can not be converted to an {java_type}")
    if kind in ("integer", "long"):
        return math.floor(value)
    return float(value)


# -- pass 2: constraints -------------------------------------------------------------------------


def check_request(shape: StructureShape, request: Mapping[str, Any]) -> list[str]:
    """Every model constraint ``request`` (already converted) violates, in model order."""
    violations: list[str] = []
    _check_structure(shape, request, "", violations)
    return violations


def _member_path(parent: str, name: str) -> str:
    name = name[:1].lower() + name[1:]
    return f"{parent}.{name}" if parent else name


def _check_structure(
    shape: StructureShape, value: Mapping[str, Any], path: str, violations: list[str]
) -> None:
    required = set(shape.required_members)
    for name, member in shape.members.items():
        member_path = _member_path(path, name)
        item = value.get(name)
        if item is None:
            if name in required:
                violations.append(violation(member_path, None, "Member must not be null"))
            continue
        _check(member, item, member_path, violations)


def _check(shape: Shape, value: object, path: str, violations: list[str]) -> None:
    kind = shape.type_name
    if kind == "structure" and isinstance(value, Mapping):
        assert isinstance(shape, StructureShape)
        _check_structure(shape, value, path, violations)
    elif kind == "list" and isinstance(value, list):
        assert isinstance(shape, ListShape)
        _check_length(shape, value, len(value), path, violations)
        for index, item in enumerate(value, start=1):
            item_path = f"{path}.{index}.member"
            if item is None:
                violations.append(violation(item_path, None, "Member must not be null"))
            else:
                _check(shape.member, item, item_path, violations)
    elif kind == "map" and isinstance(value, Mapping):
        assert isinstance(shape, MapShape)
        _check_length(shape, value, len(value), path, violations)
        for key, item in value.items():
            _check(shape.value, item, f"{path}.{key}", violations)
    elif kind == "string" and isinstance(value, str):
        _check_string(shape, value, path, violations)
    elif kind in _JAVA_NUMBER_TYPE and isinstance(value, int | float):
        _check_range(shape, value, path, violations)


def _check_length(shape: Shape, value: object, length: int, path: str, violations: list[str]) -> None:
    sensitive = bool(shape.metadata.get("sensitive"))
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and length < low:
        constraint = f"Member must have length greater than or equal to {low}"
        violations.append(violation(path, value, constraint, sensitive=sensitive))
    if high is not None and length > high:
        constraint = f"Member must have length less than or equal to {high}"
        violations.append(violation(path, value, constraint, sensitive=sensitive))


def _check_string(shape: Shape, value: str, path: str, violations: list[str]) -> None:
    sensitive = bool(shape.metadata.get("sensitive"))
    enum: list[str] = shape.metadata.get("enum") or []
    if enum and value not in enum:
        constraint = f"Member must satisfy enum value set: [{', '.join(enum)}]"
        violations.append(violation(path, value, constraint, sensitive=sensitive))
    if shape.name == SENSITIVE_DATA_SHAPE:
        high = shape.metadata.get("max")
        if high is not None and len(value.encode("utf-8")) > high:
            constraint = f"Member must have size less than or equal to {high} bytes in UTF-8 encoding"
            violations.append(violation(path, value, constraint, sensitive=True))
    else:
        _check_length(shape, value, len(value), path, violations)
    pattern = shape.metadata.get("pattern")
    if pattern:
        compiled = _compile_pattern(pattern)
        if compiled is not None and compiled.fullmatch(value) is None:
            constraint = f"Member must satisfy regular expression pattern: {pattern}"
            violations.append(violation(path, value, constraint, sensitive=sensitive))


def _check_range(shape: Shape, value: float, path: str, violations: list[str]) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and value < low:
        violations.append(violation(path, value, f"Member must have value greater than or equal to {low}"))
    if high is not None and value > high:
        violations.append(violation(path, value, f"Member must have value less than or equal to {high}"))


@functools.cache
def _compile_pattern(pattern: str) -> re.Pattern[str] | None:
    """The model's (Java) pattern for Python's ``re``; ``None`` when it can't be translated."""
    translated = pattern.replace(r"\p{ASCII}", r"[\x00-\x7F]")
    try:
        return re.compile(translated, re.DOTALL)
    except re.error:
        return None
