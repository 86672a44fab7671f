"""Lambda tasks against real Lambda (``--aws real``) when no local handler serves the function.

Results and errors are shaped by ``lambda_local`` exactly as for local handlers (the Invoke
response wrapper with ``Payload``/``SdkHttpMetadata`` for ``lambda:invoke``, the returned value for
the legacy ARN, ``Lambda.<Code>`` with the Java SDK cause for API errors), from Lambda's answer.

``LambdaFallback`` stands in for ``LocalTaskRunner.lambdas``: local handlers stay first, and a
function with none is invoked on AWS instead of failing with ``Lambda.ResourceNotFoundException``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..lambda_local import (
    LATEST,
    LambdaResult,
    LocalLambdaRunner,
    error_name,
    invoke_response,
    lambda_client_error,
    legacy_outcome,
    service_error_cause,
)
from ..task_outcome import TaskOutcome
from .services import Clients

_PASSED = ("FunctionName", "Qualifier", "InvocationType", "LogType", "ClientContext")


def _body(payload: Any) -> bytes:
    # lambda:invoke sends a string Payload as the raw request body, anything else as its JSON.
    if payload is None:
        return b"{}"
    if isinstance(payload, str):
        return payload.encode("utf-8")
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def invoke(
    clients: Clients, region: str, resource: Any, payload: Any, *, request_id: str, now_ms: int
) -> TaskOutcome:
    """One Lambda task on AWS: ``lambda:invoke`` (Parameters) or the legacy function ARN."""
    client = clients.get("lambda", resource.region or region)
    if resource.is_lambda_invoke:
        if not isinstance(payload, dict) or not isinstance(payload.get("FunctionName"), str):
            return TaskOutcome.failure(
                "States.Runtime", "lambda:invoke requires Parameters/Arguments with a string FunctionName"
            )
        params = {key: payload[key] for key in _PASSED if payload.get(key) is not None}
        params["Payload"] = _body(payload.get("Payload"))
    else:
        params = {"FunctionName": resource.raw, "Payload": _body(payload)}
    try:
        answer = client.invoke(**params)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        meta = exc.response.get("ResponseMetadata", {})
        return lambda_client_error(
            str(error.get("Code") or "AWSLambdaException"),
            str(error.get("Message") or ""),
            int(meta.get("HTTPStatusCode") or 400),
            str(meta.get("RequestId") or request_id),
        )
    except BotoCoreError as exc:
        return TaskOutcome.failure("Lambda.SdkClientException", f"Unable to execute HTTP request: {exc}")
    stream = answer.get("Payload")
    body = stream.read() if stream is not None else b""
    result = LambdaResult(body, answer.get("FunctionError"))
    if not resource.is_lambda_invoke:
        return legacy_outcome(result)
    if not result.ok:
        return TaskOutcome.failure(error_name(result), service_error_cause(result))
    rid = str(answer.get("ResponseMetadata", {}).get("RequestId") or request_id)
    return TaskOutcome.success(
        invoke_response(
            result,
            request_id=rid,
            now_ms=now_ms,
            executed_version=str(answer.get("ExecutedVersion") or LATEST),
            status_code=int(answer.get("StatusCode") or 200),
            log_result=answer.get("LogResult"),
        )
    )


class LambdaFallback:
    """``LocalTaskRunner.lambdas`` with AWS behind it: a local handler when one is registered for
    the function, else the function on AWS."""

    def __init__(self, local: LocalLambdaRunner, clients: Clients, region: str) -> None:
        self.local = local
        self.registry = local.registry
        self.clients = clients
        self.region = region

    def claims(self, resource: Any) -> bool:
        return self.local.claims(resource)

    def _has_local(self, resource: Any, payload: Any) -> bool:
        if resource.is_lambda_invoke:
            if not isinstance(payload, dict) or not isinstance(payload.get("FunctionName"), str):
                return True  # the local runner reports the bad parameters
            qualifier = payload.get("Qualifier")
            qualifier = None if qualifier is None else str(qualifier)
            return self.registry.resolve(payload["FunctionName"], qualifier) is not None
        return self.registry.resolve(resource.raw) is not None

    def run(self, resource: Any, payload: Any, *, request_id: str, now_ms: int = 0) -> TaskOutcome:
        if self._has_local(resource, payload):
            return self.local.run(resource, payload, request_id=request_id, now_ms=now_ms)
        return invoke(self.clients, self.region, resource, payload, request_id=request_id, now_ms=now_ms)


def now_ms(now: datetime) -> int:
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return int(now.timestamp() * 1000)
