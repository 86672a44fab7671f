"""``AwsServiceRunner``: AWS service tasks through boto3 (against moto or real AWS).

It claims the optimized integrations ``arn:aws:states:::dynamodb:*``, ``sqs:*``, ``sns:*``,
``events:*`` and every ``arn:aws:states:::aws-sdk:<service>:<action>``; with ``lambdas=True``
also Lambda tasks (the CLI's ``--aws real`` puts it behind the local handlers instead, see
``LambdaFallback``). ``.waitForTaskToken`` tasks are just the call: the core then waits for
SendTaskSuccess/Failure with the token.

A Resource or Parameters field AWS would refuse at CreateStateMachine fails the task with
``States.Runtime`` and AWS's wording (``The resource provided ... is not recognized ...``,
``The field "X" is not supported by Step Functions``); ``check_resource`` and
``unsupported_fields`` give the same answers to a definition validator. Nothing here raises for
a failed call: every failure is a ``TaskOutcome``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from ...runtime.resources import REQUEST_RESPONSE, SERVICE, WAIT_FOR_TASK_TOKEN
from ..task_outcome import TaskOutcome
from . import optimized
from .convert import UnknownField, from_boto, to_boto
from .errors import ErrorStyle, client_error, sdk_style, transport_error, validation_error
from .lambda_remote import invoke as invoke_lambda
from .lambda_remote import now_ms
from .naming import sdk_client_name
from .services import Clients, resolve_sdk_service, sdk_operation, service_model

RUNTIME = "States.Runtime"


def not_recognized(resource: Any) -> str:
    """AWS's CreateStateMachine message for a Resource it has no integration for."""
    return (
        f"The resource provided {resource.raw} is not recognized. The value is not a valid resource ARN, "
        "or the resource is not available in this region."
    )


def check_resource(resource: Any) -> str | None:
    """Why AWS would refuse this AWS service Resource at CreateStateMachine, or None."""
    if resource.kind != SERVICE or resource.service == "lambda" or resource.service == "states":
        return None
    if resource.sdk:
        if resource.pattern not in (REQUEST_RESPONSE, WAIT_FOR_TASK_TOKEN):
            return not_recognized(resource)
        boto_name = resolve_sdk_service(resource.service)
        operation = sdk_operation(boto_name, resource.action) if boto_name else None
        if operation is None or operation.has_event_stream_output or operation.has_event_stream_input:
            return not_recognized(resource)
        return None
    integration = optimized.INTEGRATIONS.get(resource.service)
    if integration is None:
        return None  # another optimized integration: not this runner's to judge
    if resource.action not in integration.actions:
        return not_recognized(resource)
    allowed = (REQUEST_RESPONSE, WAIT_FOR_TASK_TOKEN) if integration.callback else (REQUEST_RESPONSE,)
    if resource.pattern not in allowed:
        return not_recognized(resource)
    return None


def unsupported_fields(resource: Any, fields: Any) -> list[str]:
    """The Parameters/Arguments field names (``.$`` stripped) the integration does not take."""
    names = [str(field).removesuffix(".$") for field in fields]
    if resource.kind != SERVICE or check_resource(resource) is not None:
        return []
    if resource.sdk:
        boto_name = resolve_sdk_service(resource.service)
        operation = sdk_operation(boto_name, resource.action) if boto_name else None
        if operation is None:
            return []
        try:
            to_boto(dict.fromkeys(names, 0), operation.input_shape)
        except UnknownField as err:
            return [err.field]
        return []
    integration = optimized.INTEGRATIONS.get(resource.service)
    if integration is None:
        return []
    return optimized.unsupported_fields(integration, resource.action, dict.fromkeys(names))


def _field_error(field: str, task: Any) -> TaskOutcome:
    return TaskOutcome.failure(
        RUNTIME,
        f"The field \"{field}\" is not supported by Step Functions (state '{task.state_name}', "
        f"{task.resource.service}:{task.resource.action}); "
        "AWS refuses this definition at CreateStateMachine.",
    )


def _execution_arn(task: Any) -> str | None:
    arn = getattr(task, "execution_arn", None)
    if isinstance(arn, str):
        return arn
    token = task.task_token
    if isinstance(token, str) and ":execution:" in token:
        return token.split("#", 1)[0]
    return None


class AwsServiceRunner:
    """AWS service tasks through boto3; see the module docstring.

    ``session``: the boto3 session (default: a new one, the normal credential chain).
    ``region``: for Resources that name none (``arn:aws:states:::...``). ``endpoint_url``: one
    endpoint for every service (LocalStack, a moto server). ``lambdas``: also claim Lambda tasks.
    """

    def __init__(
        self,
        session: boto3.Session | None = None,
        *,
        region: str = "us-east-1",
        endpoint_url: str | None = None,
        lambdas: bool = False,
    ) -> None:
        self.session = session if session is not None else boto3.Session(region_name=region)
        self.region = region
        self.lambdas = lambdas
        self.clients = Clients(self.session, endpoint_url=endpoint_url)

    # ------------------------------------------------------------------ the ClaimingRunner port
    def claims(self, task: Any) -> bool:
        resource = task.resource
        if getattr(resource, "kind", None) != SERVICE:
            return bool(self.lambdas and getattr(resource, "kind", None) == "lambda_legacy")
        if resource.sdk:
            return True
        if resource.service == "lambda":
            return self.lambdas and resource.is_lambda_invoke
        return resource.service in optimized.INTEGRATIONS

    def run(self, task: Any, *, request_id: str, now: datetime) -> TaskOutcome:
        try:
            return self._run(task, request_id=request_id, now=now)
        except Exception as exc:  # a bug or an unforeseen SDK error: a failure, never a traceback
            return TaskOutcome.failure(
                RUNTIME, f"The AWS call of state '{task.state_name}' failed: {type(exc).__name__}: {exc}"
            )

    # ------------------------------------------------------------------ dispatch
    def _run(self, task: Any, *, request_id: str, now: datetime) -> TaskOutcome:
        resource = task.resource
        if resource.kind != SERVICE or resource.service == "lambda":
            return invoke_lambda(
                self.clients, self.region, resource, task.payload, request_id=request_id, now_ms=now_ms(now)
            )
        problem = check_resource(resource)
        if problem is not None:
            return TaskOutcome.failure(RUNTIME, problem)
        payload = {} if task.payload is None else task.payload
        if not isinstance(payload, dict):
            return TaskOutcome.failure(
                RUNTIME,
                f"The parameters of state '{task.state_name}' must be a JSON object to call "
                f"{resource.service}:{resource.action}, got {type(payload).__name__}.",
            )
        region = resource.region or self.region
        role = _role_arn(task.credentials)
        if resource.sdk:
            return self._run_sdk(task, payload, region, role, request_id)
        return self._run_optimized(task, payload, region, role, request_id, now)

    def _run_optimized(
        self,
        task: Any,
        payload: dict[str, Any],
        region: str,
        role: str | None,
        request_id: str,
        now: datetime,
    ) -> TaskOutcome:
        resource = task.resource
        integration = optimized.INTEGRATIONS[resource.service]
        bad = optimized.unsupported_fields(integration, resource.action, payload)
        if bad:
            return _field_error(bad[0], task)
        model = service_model(integration.client)
        operation = model.operation_model(resource.action[0].upper() + resource.action[1:])
        shapes = frozenset(shape.name for shape in model.error_shapes)
        try:
            params = optimized.request(
                resource.service, payload, operation.input_shape, execution_arn=_execution_arn(task)
            )
        except UnknownField as err:
            return _field_error(err.field, task)
        client = self.clients.get(integration.client, region, role)
        result = self._call(client, operation.name, params, integration.style, shapes, request_id)
        if isinstance(result, TaskOutcome):
            return result
        return optimized.response(integration, resource.service, result, now=now)

    def _run_sdk(
        self, task: Any, payload: dict[str, Any], region: str, role: str | None, request_id: str
    ) -> TaskOutcome:
        resource = task.resource
        boto_name = resolve_sdk_service(resource.service)
        operation = sdk_operation(boto_name, resource.action) if boto_name else None
        if boto_name is None or operation is None:
            return TaskOutcome.failure(RUNTIME, not_recognized(resource))
        model = service_model(boto_name)
        style = sdk_style(sdk_client_name(model.service_id), model.protocol)
        shapes = frozenset(shape.name for shape in model.error_shapes)
        try:
            params = to_boto(payload, operation.input_shape)
        except UnknownField as err:
            return _field_error(err.field, task)
        client = self.clients.get(boto_name, region, role)
        result = self._call(client, operation.name, params, style, shapes, request_id)
        if isinstance(result, TaskOutcome):
            return result
        if operation.output_shape is None:
            return TaskOutcome.success({})
        return TaskOutcome.success(from_boto(result, operation.output_shape))

    @staticmethod
    def _call(
        client: Any,
        operation: str,
        params: dict[str, Any],
        style: ErrorStyle,
        shapes: frozenset[str],
        request_id: str,
    ) -> dict[str, Any] | TaskOutcome:
        method = {v: k for k, v in client.meta.method_to_api_mapping.items()}[operation]
        try:
            return dict(getattr(client, method)(**params))
        except ClientError as exc:
            return client_error(exc, style, shapes)
        except ParamValidationError as exc:
            return validation_error(exc, style, request_id)
        except BotoCoreError as exc:
            return transport_error(exc, style)


def _role_arn(credentials: Any) -> str | None:
    """A static ``Credentials.RoleArn`` (a ``RoleArn.$`` path is not evaluated here)."""
    if isinstance(credentials, dict) and isinstance(credentials.get("RoleArn"), str):
        return str(credentials["RoleArn"])
    return None
