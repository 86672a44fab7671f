"""The optimized integrations: DynamoDB, SQS, SNS and EventBridge as Step Functions calls them.

What each returns (AWS-recorded LocalStack snapshots ``services/test_dynamodb_task_service``,
``test_sqs_task_service``, ``test_sns_task_service``, ``test_events_task_service``):

* DynamoDB, SQS, SNS: the service's response under its wire names (``Item``, ``Attributes``,
  ``MD5OfMessageBody``, ``MessageId``, ``SequenceNumber``; DynamoDB attribute values as they are)
  plus ``SdkHttpMetadata`` (``AllHttpHeaders`` with list values in the HTTP client's order,
  ``HttpHeaders`` sorted case-insensitively, ``HttpStatusCode``) and
  ``SdkResponseMetadata.RequestId``, keys in sorted order.
* EventBridge ``putEvents``: ``{"Entries": [...], "FailedEntryCount": 0}`` and nothing else; a
  non-zero ``FailedEntryCount`` fails the task with ``EventBridge.FailedEntry`` and the response as
  the cause. The state machine and execution ARNs are appended to every entry's ``Resources``
  (AWS docs, "Add EventBridge events with Step Functions").

Requests: a ``MessageBody`` (SQS), ``Message`` (SNS) or ``Detail`` (EventBridge) that is not a
string is sent as its JSON text (recorded: ``MessageBody: {"Message": ..., "TaskToken": ...}``).
Supported APIs, parameters and patterns are AWS's ("Call DynamoDB with Step Functions": request
response only; SQS, SNS, EventBridge: also ``.waitForTaskToken``); anything else is refused at
CreateStateMachine on AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any, Final

from ..task_outcome import TaskOutcome
from .convert import compact_json, plain_json, to_boto
from .errors import ErrorStyle

Header = tuple[str, Callable[[dict[str, Any], str], str | None]]


def _const(value: str) -> Callable[[dict[str, Any], str], str | None]:
    return lambda headers, length: value


def _from(name: str) -> Callable[[dict[str, Any], str], str | None]:
    return lambda headers, length: headers.get(name)


def _length(headers: dict[str, Any], length: str) -> str | None:
    return length


_REQUEST_ID = _from("x-amzn-requestid")
_DATE = _from("date")

_DYNAMODB_WRITE = frozenset(
    {
        "TableName",
        "ConditionalOperator",
        "ConditionExpression",
        "Expected",
        "ExpressionAttributeNames",
        "ExpressionAttributeValues",
        "ReturnConsumedCapacity",
        "ReturnItemCollectionMetrics",
        "ReturnValues",
    }
)


@dataclass(frozen=True, slots=True)
class Integration:
    """One optimized service: its boto3 client, supported actions (-> parameters), error style,
    whether ``.waitForTaskToken`` is offered and the ``SdkHttpMetadata`` headers (None: none)."""

    client: str
    actions: dict[str, frozenset[str]]
    style: ErrorStyle
    callback: bool
    headers: tuple[Header, ...] | None
    json_protocol: bool = True


INTEGRATIONS: Final[dict[str, Integration]] = {
    "dynamodb": Integration(
        client="dynamodb",
        actions={
            "getItem": frozenset(
                {
                    "Key",
                    "TableName",
                    "AttributesToGet",
                    "ConsistentRead",
                    "ExpressionAttributeNames",
                    "ProjectionExpression",
                    "ReturnConsumedCapacity",
                }
            ),
            "putItem": _DYNAMODB_WRITE | {"Item"},
            "deleteItem": _DYNAMODB_WRITE | {"Key"},
            "updateItem": _DYNAMODB_WRITE | {"Key", "AttributeUpdates", "UpdateExpression"},
        },
        style=ErrorStyle("DynamoDB", "AmazonDynamoDBException", "AmazonDynamoDBv2", False),
        callback=False,
        headers=(
            ("Server", _const("Server")),
            ("Connection", _const("keep-alive")),
            ("x-amzn-RequestId", _REQUEST_ID),
            ("x-amz-crc32", _from("x-amz-crc32")),
            ("Content-Length", _length),
            ("Date", _DATE),
            ("Content-Type", _const("application/x-amz-json-1.0")),
        ),
    ),
    "sqs": Integration(
        client="sqs",
        actions={
            "sendMessage": frozenset(
                {
                    "DelaySeconds",
                    "MessageAttributes",
                    "MessageBody",
                    "MessageDeduplicationId",
                    "MessageGroupId",
                    "QueueUrl",
                }
            )
        },
        style=ErrorStyle(
            "SQS",
            "AmazonSQSException",
            "AmazonSQS",
            False,
            missing=("The request must contain the parameter {name}.", "MissingParameter"),
        ),
        callback=True,
        headers=(
            ("x-amzn-RequestId", _REQUEST_ID),
            ("connection", _const("keep-alive")),
            ("Content-Length", _length),
            ("Date", _DATE),
            ("Content-Type", _const("application/x-amz-json-1.0")),
        ),
    ),
    "sns": Integration(
        client="sns",
        actions={
            "publish": frozenset(
                {
                    "Message",
                    "MessageAttributes",
                    "MessageStructure",
                    "MessageDeduplicationId",
                    "MessageGroupId",
                    "PhoneNumber",
                    "Subject",
                    "TargetArn",
                    "TopicArn",
                }
            )
        },
        style=ErrorStyle("SNS", "AmazonSNSException", "AmazonSNS", False, protocol="query"),
        callback=True,
        headers=(
            ("x-amzn-RequestId", _REQUEST_ID),
            ("connection", _const("keep-alive")),
            ("Content-Length", _from("content-length")),
            ("Date", _DATE),
            ("Content-Type", _const("text/xml")),
        ),
        json_protocol=False,
    ),
    "events": Integration(
        client="events",
        actions={"putEvents": frozenset({"Entries", "EndpointId"})},
        style=ErrorStyle("EventBridge", "AmazonEventBridgeException", "AmazonEventBridge", False),
        callback=True,
        headers=None,
    ),
}


def unsupported_fields(integration: Integration, action: str, payload: Any) -> list[str]:
    """Parameters fields the optimized API does not take (AWS: "The field ... is not supported")."""
    if not isinstance(payload, dict):
        return []
    allowed = integration.actions.get(action, frozenset())
    return [key for key in payload if key not in allowed]


def request(
    service: str, payload: dict[str, Any], input_shape: Any, *, execution_arn: str | None
) -> dict[str, Any]:
    """The boto3 parameters for an optimized call (JSON-serialised bodies, EventBridge resources)."""
    params = to_boto(payload, input_shape)
    if service == "events" and execution_arn:
        machine_arn = machine_arn_of(execution_arn)
        for entry in params.get("Entries") or []:
            if isinstance(entry, dict):
                entry["Resources"] = [*(entry.get("Resources") or []), machine_arn, execution_arn]
    return dict(params)


def machine_arn_of(execution_arn: str) -> str:
    """``arn:aws:states:R:A:execution:MACHINE:NAME`` -> ``arn:aws:states:R:A:stateMachine:MACHINE``."""
    parts = execution_arn.split(":")
    if len(parts) >= 8 and parts[5] == "execution":
        return ":".join([*parts[:5], "stateMachine", parts[6]])
    return execution_arn


def response(integration: Integration, service: str, result: dict[str, Any], *, now: datetime) -> TaskOutcome:
    """The task output (or EventBridge.FailedEntry) for a successful call."""
    meta = result.get("ResponseMetadata", {})
    body = plain_json({k: v for k, v in result.items() if k != "ResponseMetadata"})
    if service == "events" and int(body.get("FailedEntryCount") or 0) > 0:
        return TaskOutcome.failure("EventBridge.FailedEntry", compact_json(body))
    if integration.headers is None:
        return TaskOutcome.success(body)
    headers = {str(k).lower(): str(v) for k, v in (meta.get("HTTPHeaders") or {}).items()}
    headers.setdefault("x-amzn-requestid", str(meta.get("RequestId") or ""))
    headers.setdefault("date", format_datetime(now, usegmt=True) if now.tzinfo else "")
    length = str(len(compact_json(body).encode("utf-8"))) if integration.json_protocol else "0"
    ordered: list[tuple[str, str]] = []
    for name, source in integration.headers:
        value = source(headers, length)
        if value is not None:
            ordered.append((name, value))
    output = dict(body)
    output["SdkHttpMetadata"] = {
        "AllHttpHeaders": {name: [value] for name, value in ordered},
        "HttpHeaders": dict(sorted(ordered, key=lambda item: item[0].lower())),
        "HttpStatusCode": int(meta.get("HTTPStatusCode") or 200),
    }
    output["SdkResponseMetadata"] = {"RequestId": headers["x-amzn-requestid"]}
    return TaskOutcome.success(dict(sorted(output.items())))
