"""AWS JSON 1.0 as Step Functions speaks it: pure functions from HTTP to calls and back.

A call is ``POST /`` with ``X-Amz-Target: AWSStepFunctions.<Operation>``, ``Content-Type:
application/x-amz-json-1.0`` and a JSON object body. A result is HTTP 200 with a JSON body whose
timestamps are epoch seconds (numbers). An error is HTTP 400 (500 for internal failures) with
``{"__type": "<namespace>#<Code>", "message": "..."}``; botocore keeps what follows the ``#``.
Every response carries ``x-amzn-RequestId``.

What AWS answers when the call itself is wrong (the Coral front end, as mhart/dynalite pinned it
against DynamoDB, another Coral JSON 1.0 service):

- body not JSON: 400 ``{"__type": "com.amazon.coral.service#SerializationException"}``
- target missing or not an operation: 400 ``{"__type":
  "com.amazon.coral.service#UnknownOperationException"}``
- not a POST, or a body with another content type: 404 ``<UnknownOperationException/>``
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..service.errors import ApiError
from .validation import operation_names

TARGET_PREFIX = "AWSStepFunctions."
JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
ACCEPTED_CONTENT_TYPES = frozenset({JSON_CONTENT_TYPE, "application/json"})
# Step Functions quota "Maximum request size: 1 MB per request" (service-quotas page).
MAX_REQUEST_BYTES = 1_048_576

SWF_NAMESPACE = "com.amazonaws.swf.service.v2.model"
CORAL_SERVICE_NAMESPACE = "com.amazon.coral.service"
CORAL_VALIDATE_NAMESPACE = "com.amazon.coral.validate"
CORAL_SERVICE_ERRORS = frozenset(
    {
        "SerializationException",
        "UnknownOperationException",
        "InternalFailure",
        "RequestEntityTooLargeException",
    }
)
REQUEST_ID_HEADER = "x-amzn-RequestId"


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiCall:
    """An AWS JSON call: the operation (``StartExecution``) and its raw JSON request."""

    operation: str
    params: object


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


class NotAnApiCall(Exception):
    """The request is not an AWS JSON call at all (method or content type): AWS answers 404."""


def new_request_id() -> str:
    return str(uuid.uuid4())


def method_name(operation: str) -> str:
    """The service method for an operation: ``ListStateMachines`` → ``list_state_machines``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def parse_call(method: str, headers: Mapping[str, str], body: bytes) -> ApiCall:
    """The call an HTTP request makes; ``ApiError`` as AWS refuses a malformed one.

    Raises :class:`NotAnApiCall` for a request AWS answers with a bare 404.
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    content_type = lowered.get("content-type", "").split(";")[0].strip().lower()
    if method.upper() != "POST" or (body and content_type not in ACCEPTED_CONTENT_TYPES):
        raise NotAnApiCall(f"{method} with content type {content_type or '(none)'}")
    params: object = None
    if body:
        try:
            params = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
        except (UnicodeDecodeError, ValueError):
            raise ApiError("SerializationException", "") from None
    target = lowered.get("x-amz-target", "")
    operation = target.removeprefix(TARGET_PREFIX)
    if not target.startswith(TARGET_PREFIX) or operation not in operation_names():
        raise ApiError("UnknownOperationException", "")
    if not body:
        raise ApiError("SerializationException", "")
    return ApiCall(operation=operation, params=params)


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def error_type(code: str) -> str:
    """The ``__type`` AWS writes for an error code (already namespaced codes pass through)."""
    if "#" in code:
        return code
    if code in CORAL_SERVICE_ERRORS:
        return f"{CORAL_SERVICE_NAMESPACE}#{code}"
    if code == "ValidationException":
        return f"{CORAL_VALIDATE_NAMESPACE}#{code}"
    return f"{SWF_NAMESPACE}#{code}"


def render_result(result: Mapping[str, Any] | None, *, request_id: str | None = None) -> HttpResponse:
    """HTTP 200 with the operation's result; datetimes become epoch seconds, ``None`` is left out."""
    body = json.dumps(to_json(result or {}), ensure_ascii=False, separators=(",", ":"))
    return _json_response(200, body.encode("utf-8"), request_id)


def render_error(error: ApiError, *, request_id: str | None = None) -> HttpResponse:
    """The error as AWS sends it: ``{"__type": ..., "message": ...}`` (``Message`` for
    ``SerializationException``, which Coral capitalizes; no message key when there is none)."""
    document: dict[str, str] = {"__type": error_type(error.code)}
    if error.message:
        key = "Message" if error.code == "SerializationException" else "message"
        document[key] = error.message
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _json_response(error.status, body, request_id)


def internal_failure() -> ApiError:
    return ApiError("InternalFailure", "", status=500)


def request_too_large(limit: int) -> ApiError:
    message = f"Request size exceeds the Step Functions limit of {limit} bytes"
    return ApiError("RequestEntityTooLargeException", message, status=413)


def render_not_an_api_call(*, request_id: str | None = None) -> HttpResponse:
    """AWS's bare 404 for what is not a JSON call."""
    body = b"<UnknownOperationException/>\n"
    headers = (
        (REQUEST_ID_HEADER, request_id or new_request_id()),
        ("Content-Length", str(len(body))),
    )
    return HttpResponse(status=404, headers=headers, body=body)


def _json_response(status: int, body: bytes, request_id: str | None) -> HttpResponse:
    headers = (
        (REQUEST_ID_HEADER, request_id or new_request_id()),
        ("Content-Type", JSON_CONTENT_TYPE),
        ("Content-Length", str(len(body))),
    )
    return HttpResponse(status=status, headers=headers, body=body)


def to_json(value: object) -> object:
    """``value`` as JSON data: datetimes as epoch seconds (milliseconds kept), ``None`` members
    left out, tuples as lists."""
    if isinstance(value, dt.datetime):
        return epoch_seconds(value)
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def epoch_seconds(moment: dt.datetime) -> float:
    """A datetime as AWS writes timestamps (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return round(moment.timestamp(), 3)
