"""AWS errors as Step Functions reports them: error name and cause of a failed service call.

Two styles, after the two AWS SDKs for Java that Step Functions runs its integrations on:

* Optimized integrations (SDK v1): ``DynamoDB.ResourceNotFoundException`` with cause
  ``Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; Error Code:
  ResourceNotFoundException; Request ID: ...; Proxy: null)``; an error the service model does not
  declare (``ValidationException``, SQS ``MissingParameter``) is the base exception,
  ``DynamoDB.AmazonDynamoDBException``, ``SQS.AmazonSQSException`` (AWS-recorded LocalStack
  snapshots ``error_handling/test_task_service_dynamodb``, ``test_task_service_sqs``; SNS's
  ``SNS.InvalidParameterException`` / ``(Service: AmazonSNS; ...)`` as AWS Java SDK v1 prints it).
* aws-sdk integrations (SDK v2): ``S3.NoSuchBucketException`` with cause ``The specified bucket
  does not exist (Service: S3, Status Code: 404, Request ID: ..., Extended Request ID: ...)``;
  undeclared errors are ``<Client>.<Client>Exception`` (``DynamoDb.DynamoDbException``,
  ``SecretsManager.SecretsManagerException``): recorded ``error_handling/test_aws_sdk``.

A request the service never received fails as the SDK's ``SdkClientException`` with ``Unable to
execute HTTP request: ...`` (recorded ``test_send_message_no_such_queue``). botocore validates
parameters before sending; the SDKs for Java do not, so the service's own validation error is
reproduced: ``1 validation error detected: Value null at 'item' failed to satisfy constraint:
Member must not be null`` (recorded for DynamoDB, both styles) and SQS's ``The request must
contain the parameter MessageBody.`` (recorded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    ParamValidationError,
)

from ..task_outcome import TaskOutcome
from .naming import sdk_exception_name, v1_exception_name

_NOT_NULL = "Member must not be null"
_MISSING = re.compile(r'Missing required parameter in (?P<where>[^:]+): "(?P<name>[^"]+)"')


@dataclass(frozen=True, slots=True)
class ErrorStyle:
    """How one integration names its errors.

    ``prefix``: the part before the dot (``DynamoDB``, ``S3``); ``base``: the exception of an
    undeclared error; ``service``: the ``Service:`` of the cause; ``v2``: the SDK v2 cause format
    and class naming; ``protocol``: the botocore protocol (picks the validation error code);
    ``missing``: a service-specific "parameter missing" message (``{name}``) and error code.
    """

    prefix: str
    base: str
    service: str
    v2: bool
    protocol: str = "json"
    missing: tuple[str, str] | None = None

    def exception(self, shape_name: str | None) -> str:
        if shape_name is None:
            return self.base
        return sdk_exception_name(shape_name, self.prefix) if self.v2 else v1_exception_name(shape_name)

    def cause(self, message: str, *, status: int, code: str, request_id: str, host_id: str | None) -> str:
        if self.v2:
            details = f"Service: {self.service}, Status Code: {status}, Request ID: {request_id}"
            if host_id:
                details += f", Extended Request ID: {host_id}"
            return f"{message} ({details})"
        return (
            f"{message} (Service: {self.service}; Status Code: {status}; Error Code: {code}; "
            f"Request ID: {request_id}; Proxy: null)"
        )


def sdk_style(client_name: str, protocol: str) -> ErrorStyle:
    """The aws-sdk style for a service whose Java v2 client is ``client_name``."""
    return ErrorStyle(client_name, f"{client_name}Exception", client_name, True, protocol)


def _modeled_shape(exc: ClientError, error_shapes: frozenset[str]) -> str | None:
    name = type(exc).__name__
    if name != "ClientError" and name in error_shapes:
        return name
    error = exc.response.get("Error", {})
    for code in (error.get("QueryErrorCode"), error.get("Code")):
        if code in error_shapes:
            return str(code)
    return None


def client_error(exc: ClientError, style: ErrorStyle, error_shapes: frozenset[str]) -> TaskOutcome:
    """A failed call the service answered."""
    error = exc.response.get("Error", {})
    meta = exc.response.get("ResponseMetadata", {})
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or error.get("message") or "")
    status = int(meta.get("HTTPStatusCode") or 400)
    request_id = str(meta.get("RequestId") or "")
    shape = _modeled_shape(exc, error_shapes)
    name = f"{style.prefix}.{style.exception(shape)}"
    cause = style.cause(message, status=status, code=code, request_id=request_id, host_id=meta.get("HostId"))
    return TaskOutcome.failure(name, cause)


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def validation_error(exc: ParamValidationError, style: ErrorStyle, request_id: str) -> TaskOutcome:
    """botocore refused the parameters: the validation error the service would have answered."""
    report = str(exc.kwargs.get("report", exc))
    missing = [(m["where"], m["name"]) for m in _MISSING.finditer(report)]
    if missing and style.missing is not None:
        template, code = style.missing
        message = template.format(name=missing[0][1])
    elif missing:
        code = "ValidationError" if style.protocol in ("query", "ec2") else "ValidationException"
        constraints = [
            f"Value null at '{_member_path(where, name)}' failed to satisfy constraint: {_NOT_NULL}"
            for where, name in missing
        ]
        count = len(constraints)
        message = f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(constraints)
    else:
        code = "ValidationError" if style.protocol in ("query", "ec2") else "ValidationException"
        message = " ".join(line.strip() for line in report.splitlines() if line.strip())
    cause = style.cause(message, status=400, code=code, request_id=request_id, host_id=None)
    return TaskOutcome.failure(f"{style.prefix}.{style.base}", cause)


def _member_path(where: str, name: str) -> str:
    # botocore: 'input' for top-level members, 'Entries[0]' / 'Item.x' for nested ones; the
    # services name members in lowerCamel with '.member.N' for list items.
    if where == "input":
        return _lower_first(name)
    parts = []
    for part in re.split(r"\.", where):
        m = re.fullmatch(r"(\w+)\[(\d+)\]", part)
        if m:
            parts.append(f"{_lower_first(m[1])}.{int(m[2]) + 1}.member")
        else:
            parts.append(_lower_first(part))
    return ".".join([*parts, _lower_first(name)])


def transport_error(exc: BotoCoreError, style: ErrorStyle) -> TaskOutcome:
    """The request never got an answer: the SDK's client exception."""
    if isinstance(exc, NoCredentialsError):
        return TaskOutcome.failure(
            "States.Runtime",
            "No AWS credentials were found for this service call (--aws real uses the normal boto3 "
            "credential chain: environment, profile, SSO, instance role).",
        )
    return TaskOutcome.failure(f"{style.prefix}.SdkClientException", f"Unable to execute HTTP request: {exc}")
