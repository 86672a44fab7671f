"""The API function: Step Functions' API (AWS JSON 1.0) from API Gateway or a direct invocation.

* **API Gateway HTTP API, payload format 2.0** (``{"version": "2.0", "requestContext": {"http":
  {"method": ...}}, "headers": {...}, "body": ..., "isBase64Encoded": ...}``): the request goes to
  ``api.dispatch.handle`` exactly as ``stepfn serve`` handles it (``X-Amz-Target:
  AWSStepFunctions.<Op>``, AWS's validation and error shapes), and the answer comes back as
  ``{"statusCode", "headers", "body", "isBase64Encoded"}``. So ``boto3.client("stepfunctions",
  endpoint_url=<the stack's URL>)`` works; authentication (IAM, SigV4 for ``execute-api``) is API
  Gateway's job (``serverless.client.stack_client`` signs for it).
* **Direct invocation** (``lambda:Invoke``, an EventBridge rule, another function):
  ``{"operation": "StartExecution", "request": {<AWS request members>}}`` returns the response
  members, or ``{"error": {"code", "message", "statusCode"}}``.

Anything else is logged and answered with a 400 ``{"error": ...}``, never raised.

``ServerlessService`` is the ``StepFunctionsService`` the function builds (``wiring``): a start
writes the execution and dispatches its first effects to the work queue; SendTask* and
StopExecution deliver through the same executor (commit, then dispatch). StartSyncExecution polls
the store until the Express execution ends (the worker runs it).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ..adapters.stores.base import ExecutionItem
from ..api.dispatch import handle
from ..api.protocol import HttpResponse
from ..service.stepfunctions import StepFunctionsService

log = logging.getLogger("stepfn.serverless.api")

JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
TARGET_PREFIX = "AWSStepFunctions."
# API Gateway ends an integration after 30 s: StartSyncExecution answers before that
SYNC_DEADLINE_SECONDS = 25.0
SYNC_POLL_SECONDS = 0.2


class ServerlessService(StepFunctionsService):
    """``StepFunctionsService`` whose executions run in worker functions, not in this process.

    ``poll``: called between two reads of a StartSyncExecution's execution (default: sleep
    ``SYNC_POLL_SECONDS`` on the clock); tests drain the queue there."""

    poll: Callable[[], None] | None = None

    def _await_end(self, item: ExecutionItem) -> ExecutionItem:
        clock = self.clock
        deadline = clock.now() + timedelta(seconds=SYNC_DEADLINE_SECONDS)
        while item.status == "RUNNING" and clock.now() < deadline:
            if self.poll is not None:
                self.poll()
            else:
                clock.sleep_until(clock.now() + timedelta(seconds=SYNC_POLL_SECONDS))
            item = self.store.get_execution(item.arn) or item
        return item


def handle_event(event: Any, service: object) -> dict[str, Any]:
    """The function's answer to one invocation ``event``."""
    if isinstance(event, dict) and isinstance(event.get("requestContext"), dict) and "headers" in event:
        return http_response(_http_call(event, service))
    if isinstance(event, dict) and "operation" in event:
        return direct_call(event, service)
    kind = type(event).__name__ if not isinstance(event, dict) else f"object with keys {sorted(event)[:8]}"
    log.error("not an API Gateway HTTP API event nor a direct call: %s", kind)
    return _error(
        "InvalidEvent",
        'expected an API Gateway HTTP API (payload 2.0) event or {"operation": ..., "request": {...}}',
        400,
    )


# ------------------------------------------------------------------ HTTP API
def _http_call(event: dict[str, Any], service: object) -> HttpResponse:
    http = event["requestContext"].get("http") or {}
    method = str(http.get("method") or event.get("httpMethod") or "POST")
    headers = {str(k): str(v) for k, v in (event.get("headers") or {}).items()}
    body = event.get("body") or ""
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else str(body).encode("utf-8")
    return handle(service, method, headers, raw)


def http_response(response: HttpResponse) -> dict[str, Any]:
    headers: dict[str, str] = {}
    for name, value in response.headers:
        if name.lower() != "content-length":  # API Gateway sets it
            headers[name] = value
    return {
        "statusCode": response.status,
        "headers": headers,
        "body": response.body.decode("utf-8"),
        "isBase64Encoded": False,
    }


# ------------------------------------------------------------------ direct invocation
def direct_call(event: dict[str, Any], service: object) -> dict[str, Any]:
    operation = event.get("operation")
    request = event.get("request", {})
    if not isinstance(operation, str) or not operation.isalnum():
        log.error("direct call without a valid operation name: %r", operation)
        return _error("InvalidEvent", '"operation" must be an API operation name such as StartExecution', 400)
    if not isinstance(request, dict):
        log.error("direct call %s with a request that is not an object", operation)
        return _error("InvalidEvent", '"request" must be an object of the operation\'s members', 400)
    headers = {"Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": TARGET_PREFIX + operation}
    response = handle(service, "POST", headers, json.dumps(request).encode("utf-8"))
    document = json.loads(response.body or b"{}") if response.body.startswith(b"{") else {}
    if response.status == 200:
        return dict(document)
    code = str(document.get("__type") or "UnknownOperationException").rpartition("#")[2]
    message = document.get("message") or document.get("Message") or ""
    return _error(code, str(message), response.status)


def _error(code: str, message: str, status: int) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "statusCode": status}}
