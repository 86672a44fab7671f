"""JSON text from API callers (execution input, task output): strict parsing, AWS's error texts.

Step Functions parses these with Jackson and puts Jackson's message in its error, e.g. (AWS,
recorded in LocalStack's AWS-validated ``test_sfn_api.snapshot.json``,
``test_invalid_start_execution_input``)::

    input "not some json"   → Invalid State Machine Execution Input: 'Unrecognized token 'not': was
                              expecting (JSON String, Number, Array, Object or token 'null', 'true'
                              or 'false')'
    input "{'not': 'json'"  → Invalid State Machine Execution Input: 'Unexpected character (''' (code
                              39)): was expecting double-quote to start field name'
    input ""                → Invalid State Machine Execution Input: 'Invalid execution input.'

``jackson_problem`` turns Python's ``JSONDecodeError`` into the Jackson message for the same
mistake (the ones above verbatim; the rest with Jackson's own wording for that mistake, without the
``at [Source: ...]`` location AWS strips).
"""

from __future__ import annotations

import json
from typing import Any

_VALUE_EXPECTED = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"


class JsonTextError(ValueError):
    """The text is not one JSON value; ``str()`` is Jackson's message for why."""


def parse_json(text: str) -> Any:
    """The JSON value ``text`` holds, strictly (no NaN/Infinity), or ``JsonTextError``."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except JsonTextError:
        raise
    except json.JSONDecodeError as err:
        raise JsonTextError(jackson_problem(text, err)) from None
    except RecursionError:
        raise JsonTextError("Document nesting depth exceeds the maximum allowed") from None


def _reject_constant(name: str) -> Any:
    raise JsonTextError(
        f"Non-standard token '{name}': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"
    )


def jackson_problem(text: str, err: json.JSONDecodeError) -> str:
    """Jackson's message for the mistake Python found at ``err.pos``."""
    pos = err.pos
    at_end = pos >= len(text)
    char = "" if at_end else text[pos]
    message = err.msg
    if message.startswith("Unterminated string"):
        return "Unexpected end-of-input: was expecting closing quote for a String value"
    if message.startswith("Invalid control character"):
        return (
            f"Illegal unquoted character ({_describe(char)}): has to be escaped using backslash to be "
            "included in string value"
        )
    if message.startswith("Invalid \\escape") or message.startswith("Invalid \\uXXXX"):
        escaped = text[pos + 1] if pos + 1 < len(text) else ""
        return f"Unrecognized character escape {_describe(escaped)}"
    if at_end:
        container = _open_container(text, pos)
        if container is None:
            return "No content to map due to end-of-input"
        return f"Unexpected end-of-input: expected close marker for {container}"
    if message.startswith("Expecting property name"):
        return f"Unexpected character ({_describe(char)}): was expecting double-quote to start field name"
    if message.startswith("Expecting ':'"):
        return (
            f"Unexpected character ({_describe(char)}): was expecting a colon to separate field name "
            "and value"
        )
    if message.startswith("Expecting ','"):
        container = _open_container(text, pos) or "Object"
        return (
            f"Unexpected character ({_describe(char)}): was expecting comma to separate {container} entries"
        )
    if message.startswith("Extra data"):
        return f"Unexpected character ({_describe(char)}): expected end-of-input"
    if char.isalpha() or char == "_":
        return f"Unrecognized token '{_token_at(text, pos)}': was expecting {_VALUE_EXPECTED}"
    return f"Unexpected character ({_describe(char)}): expected a valid value {_VALUE_EXPECTED}"


def _describe(char: str) -> str:
    """A character as Jackson's ``_getCharDesc`` prints it."""
    if not char:
        return "end-of-input"
    code = ord(char)
    if code < 32:
        return f"(CTRL-CHAR, code {code})"
    if code > 255:
        return f"'{char}' (code {code} / 0x{code:x})"
    return f"'{char}' (code {code})"


def _token_at(text: str, pos: int) -> str:
    """The run of identifier characters Jackson reports as an unrecognized token."""
    end = pos
    while end < len(text) and (text[end].isalnum() or text[end] in "_$"):
        end += 1
    return text[pos:end]


def _open_container(text: str, pos: int) -> str | None:
    """``Object`` or ``Array``: the innermost container open at ``pos`` (None: top level)."""
    stack: list[str] = []
    in_string = escaped = False
    for char in text[:pos]:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            stack.append("Object" if char == "{" else "Array")
        elif char in "}]" and stack:
            stack.pop()
    return stack[-1] if stack else None
