"""Create the template's resources through a boto3 session (moto, for ``--aws moto``).

Created: ``AWS::DynamoDB::Table`` (key schema, attribute definitions, billing mode and
throughput, global and local secondary indexes, stream, time to live), ``AWS::SQS::Queue``
(every queue attribute CloudFormation sets, FIFO and redrive included), ``AWS::SNS::Topic``
(attributes and its ``Subscription`` list) and ``AWS::SNS::Subscription``, ``AWS::S3::Bucket``
(versioning), ``AWS::Events::EventBus`` and ``AWS::SSM::Parameter``. The CloudFormation property
names are the API's parameter names for these types, so properties map across nearly one to one.
Resources are created in dependency order (``Ref``/``Fn::GetAtt``/``Fn::Sub`` and
``DependsOn``: a dead-letter queue before the queue that names it, a queue before the
subscription that delivers to it). One that exists already (a second run in the same moto
process) is left as it is.

Every other type is skipped: quietly for what SAM generates (roles, policies, permissions, the
rules and APIs of ``Events``, layer versions) and what a local run deliberately leaves out
(``resources.QUIET_TYPES``: event source mappings, layers, API stages), with a note otherwise. A
state machine that needs a skipped resource fails later, when its substitutions are resolved, with
an error naming it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import TemplateError
from .intrinsics import Resolver, references
from .resources import quiet_skip


@dataclass(frozen=True, slots=True)
class Created:
    logical_id: str
    resource_type: str
    name: str


def _flag(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _exists(err: Exception, *codes: str) -> bool:
    response = getattr(err, "response", None) or {}
    return response.get("Error", {}).get("Code") in codes


def _table(session: Any, resolver: Resolver, logical_id: str, props: dict[str, Any]) -> str:
    client = session.client("dynamodb")
    name = resolver.attributes(logical_id, f"/Resources/{logical_id}")["Name"]
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props.get("KeySchema"),
        "AttributeDefinitions": props.get("AttributeDefinitions"),
    }
    if not request["KeySchema"] or not request["AttributeDefinitions"]:
        raise resolver.doc.error(
            f"{logical_id}: a table needs KeySchema and AttributeDefinitions", f"/Resources/{logical_id}"
        )
    billing = props.get("BillingMode", "PROVISIONED")  # CloudFormation's default
    request["BillingMode"] = billing
    if billing == "PROVISIONED":
        request["ProvisionedThroughput"] = props.get(
            "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        )
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if props.get(key):
            request[key] = [_index(index, billing) for index in props[key]]
    stream = props.get("StreamSpecification")
    if isinstance(stream, dict) and stream.get("StreamViewType"):
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    try:
        client.create_table(**request)
    except Exception as err:
        if not _exists(err, "ResourceInUseException"):
            raise
    ttl = props.get("TimeToLiveSpecification")
    if isinstance(ttl, dict) and ttl.get("Enabled") in (True, "true"):
        spec = {"Enabled": True, "AttributeName": ttl["AttributeName"]}
        try:
            client.update_time_to_live(TableName=name, TimeToLiveSpecification=spec)
        except Exception as err:
            if not _exists(err, "ValidationException"):  # already enabled
                raise
    return str(name)


def _index(index: dict[str, Any], billing: str) -> dict[str, Any]:
    keep = {
        k: v
        for k, v in index.items()
        if k in ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
    }
    if billing == "PROVISIONED" and "ProvisionedThroughput" not in keep and "Projection" in keep:
        keep["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    return keep


_QUEUE_ATTRIBUTES = (
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "DelaySeconds",
    "FifoQueue",
    "FifoThroughputLimit",
    "KmsDataKeyReusePeriodSeconds",
    "KmsMasterKeyId",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "RedriveAllowPolicy",
    "RedrivePolicy",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
)


def _queue(session: Any, resolver: Resolver, logical_id: str, props: dict[str, Any]) -> str:
    name = resolver.attributes(logical_id, f"/Resources/{logical_id}")["QueueName"]
    attributes = {key: _flag(props[key]) for key in _QUEUE_ATTRIBUTES if key in props}
    session.client("sqs").create_queue(QueueName=name, Attributes=attributes)
    return str(name)


_TOPIC_ATTRIBUTES = (
    "ContentBasedDeduplication",
    "DisplayName",
    "FifoTopic",
    "KmsMasterKeyId",
    "SignatureVersion",
)


def _topic(session: Any, resolver: Resolver, logical_id: str, props: dict[str, Any]) -> str:
    values = resolver.attributes(logical_id, f"/Resources/{logical_id}")
    attributes = {key: _flag(props[key]) for key in _TOPIC_ATTRIBUTES if key in props}
    client = session.client("sns")
    arn = client.create_topic(Name=values["TopicName"], Attributes=attributes)["TopicArn"]
    for subscription in props.get("Subscription") or []:
        client.subscribe(TopicArn=arn, Protocol=subscription["Protocol"], Endpoint=subscription["Endpoint"])
    return str(values["TopicName"])


_SUBSCRIPTION_ATTRIBUTES = (
    "DeliveryPolicy",
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "RedrivePolicy",
)


def _subscription(session: Any, resolver: Resolver, logical_id: str, props: dict[str, Any]) -> str:
    attributes = {key: _flag(props[key]) for key in _SUBSCRIPTION_ATTRIBUTES if key in props}
    session.client("sns").subscribe(
        TopicArn=props["TopicArn"],
        Protocol=props["Protocol"],
        Endpoint=props["Endpoint"],
        Attributes=attributes,
    )
    return f"{props['Protocol']}:{props['Endpoint']}"


def _bucket(session: Any, resolver: Resolver, logical_id: str, props: dict[str, Any]) -> str:
    name = resolver.attributes(logical_id, f"/Resources/{logical_id}")["Name"]
    client = session.client("s3")
    request: dict[str, Any] = {"Bucket": name}
    region = resolver.target.region
    if region != "us-east-1":
        request["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        client.create_bucket(**request)
    except Exception as err:
        if not _exists(err, "BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    versioning = props.get("VersioningConfiguration")
    if isinstance(versioning, dict) and versioning.get("Status"):
        client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning["Status"]})
    return str(name)


def _bus(session: Any, resolver: Resolver, logical_id: str, props: dict[str, Any]) -> str:
    name = resolver.attributes(logical_id, f"/Resources/{logical_id}")["Name"]
    try:
        session.client("events").create_event_bus(Name=name)
    except Exception as err:
        if not _exists(err, "ResourceAlreadyExistsException"):
            raise
    return str(name)


def _parameter(session: Any, resolver: Resolver, logical_id: str, props: dict[str, Any]) -> str:
    name = resolver.attributes(logical_id, f"/Resources/{logical_id}")["Name"]
    request = {"Name": name, "Value": str(props.get("Value", "")), "Type": props.get("Type", "String")}
    session.client("ssm").put_parameter(**request, Overwrite=True)
    return str(name)


CREATORS: dict[str, Callable[[Any, Resolver, str, dict[str, Any]], str]] = {
    "AWS::DynamoDB::Table": _table,
    "AWS::SQS::Queue": _queue,
    "AWS::SNS::Topic": _topic,
    "AWS::SNS::Subscription": _subscription,
    "AWS::S3::Bucket": _bucket,
    "AWS::Events::EventBus": _bus,
    "AWS::SSM::Parameter": _parameter,
}


def create_resources(session: Any, resolver: Resolver) -> tuple[list[Created], list[str]]:
    """Create every resource stepfn can; returns what was created and notes on what was not."""
    created: list[Created] = []
    notes = [f"skipped {logical_id}: {why}" for logical_id, why in resolver.cfn.left_out.items()]
    for logical_id in _creation_order(resolver):
        resource_type = resolver.resource_type(logical_id)
        if resource_type is None:
            continue
        creator = CREATORS.get(resource_type)
        if creator is None:
            if not quiet_skip(resource_type, _original_type(resolver, logical_id)):
                notes.append(f"skipped {logical_id} ({resource_type}): stepfn does not create it locally")
            continue
        props = resolver.properties(logical_id)
        try:
            name = creator(session, resolver, logical_id, props)
        except TemplateError:
            raise
        except Exception as err:
            raise resolver.doc.error(
                f"creating {logical_id} ({resource_type}) failed: {type(err).__name__}: {err}",
                f"/Resources/{logical_id}",
            ) from None
        created.append(Created(logical_id, resource_type, name))
    return created, notes


def _original_type(resolver: Resolver, logical_id: str) -> str | None:
    """The resource's type as the template writes it; None when the SAM transform made it."""
    original = (resolver.doc.data.get("Resources") or {}).get(logical_id)
    kind = original.get("Type") if isinstance(original, dict) else None
    return kind if isinstance(kind, str) else None


def _creation_order(resolver: Resolver) -> list[str]:
    """Logical ids, each after the resources it refers to (template order otherwise)."""
    resources = resolver.cfn.resources
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(logical_id: str) -> None:
        if state.get(logical_id) or logical_id not in resources:
            return
        state[logical_id] = 1
        resource = resources[logical_id]
        depends = resource.get("DependsOn") or []
        for name in [
            *(depends if isinstance(depends, list) else [depends]),
            *references(resource.get("Properties")),
        ]:
            if state.get(name) != 1:  # a cycle is left to the creation to report
                visit(name)
        state[logical_id] = 2
        order.append(logical_id)

    for logical_id in resources:
        visit(logical_id)
    return order
