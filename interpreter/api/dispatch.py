"""One HTTP request in, one HTTP response out: parse, validate, call the service, render.

The service is any object with one method per operation in snake_case (``start_execution``),
taking the validated request dict and returning the response dict; it raises ``ApiError`` for
AWS's errors. Anything else it raises is logged with its traceback and answered as AWS answers
an internal failure (HTTP 500, ``InternalFailure``), without the traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from ..service.errors import ApiError
from .protocol import (
    HttpResponse,
    NotAnApiCall,
    internal_failure,
    method_name,
    new_request_id,
    parse_call,
    render_error,
    render_not_an_api_call,
    render_result,
)
from .validation import validate_request

logger = logging.getLogger(__name__)

Operation = Callable[[dict[str, Any]], Mapping[str, Any] | None]


def operation_method(service: object, operation: str) -> Operation:
    """The service's method for ``operation``; ``UnknownOperationException`` when it has none."""
    method = getattr(service, method_name(operation), None)
    if not callable(method):
        raise ApiError("UnknownOperationException", f"stepfn does not support {operation} yet")
    return method  # type: ignore[no-any-return]


def handle(service: object, method: str, headers: Mapping[str, str], body: bytes) -> HttpResponse:
    """The response to one HTTP request; never raises."""
    request_id = new_request_id()
    operation = "?"
    try:
        call = parse_call(method, headers, body)
        operation = call.operation
        request = validate_request(call.operation, call.params)
        result = operation_method(service, call.operation)(request)
        return render_result(result, request_id=request_id)
    except NotAnApiCall:
        return render_not_an_api_call(request_id=request_id)
    except ApiError as error:
        return render_error(error, request_id=request_id)
    except Exception:
        logger.exception("%s failed (request %s)", operation, request_id)
        return render_error(internal_failure(), request_id=request_id)
