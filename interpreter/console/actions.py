"""The console's actions: each one Step Functions API operation, checked and run as the API runs it.

A request body is the operation's own request (``{"executionArn": ...}``); it is validated
against botocore's model of the API (``api.validation``) and passed to the service method, so a
refused action comes back with AWS's error code and message (``ExecutionNotRedrivable``,
``InvalidExecutionInput``, ``TaskTimedOut`` ...), which the console shows as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..api.validation import validate_request
from ..service.errors import ApiError
from .data import iso

# console action -> the API operation it runs
ACTIONS: Mapping[str, str] = {
    "start": "StartExecution",
    "stop": "StopExecution",
    "redrive": "RedriveExecution",
    "send-task-success": "SendTaskSuccess",
    "send-task-failure": "SendTaskFailure",
}


def run_action(service: Any, action: str, body: object) -> dict[str, Any]:
    """Run ``action`` with the request ``body``; the operation's response (ISO dates) or
    ``ApiError``."""
    operation = ACTIONS.get(action)
    if operation is None:
        raise ApiError("UnknownOperationException", f"The console has no action '{action}'", status=404)
    if not isinstance(body, dict):
        raise ApiError("SerializationException", "The request body must be a JSON object")
    request = validate_request(operation, body)
    method = getattr(service, _snake(operation), None)
    if method is None:
        raise ApiError("UnknownOperationException", f"This server does not support {operation}")
    answer = method(request) or {}
    return {key: iso(value) if isinstance(value, datetime) else value for key, value in answer.items()}


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
