"""What each CloudFormation resource is called locally, and what ``Ref``/``Fn::GetAtt`` give.

A local run has no stack, so names are the template's own: the resource's name property when
it sets one (``TableName``, ``QueueName``, ``FunctionName`` ...), else its logical id (S3
buckets: lower-cased, as bucket names must be). ARNs and URLs are built from that name, the run's
region and account, exactly in the shapes AWS (and moto) use. Return values per type, from the
CloudFormation reference ("Return values" of each resource type):

=============================  ==================  =============================================
type                           ``Ref``             ``Fn::GetAtt``
=============================  ==================  =============================================
AWS::Lambda::Function          function name       Arn
AWS::DynamoDB::Table           table name          Arn, StreamArn
AWS::SQS::Queue                queue URL           Arn, QueueName, QueueUrl
AWS::SNS::Topic                topic ARN           TopicArn, TopicName
AWS::S3::Bucket                bucket name         Arn, DomainName, RegionalDomainName,
                                                   DualStackDomainName, WebsiteURL
AWS::Events::EventBus          bus name            Arn, Name
AWS::StepFunctions::StateMachine  state machine ARN  Arn, Name
AWS::IAM::Role                 role name           Arn, RoleId
AWS::Logs::LogGroup            log group name      Arn
AWS::SSM::Parameter            parameter name      Type, Value
AWS::Lambda::Alias / Version   the qualified ARN   (Version: Version)
=============================  ==================  =============================================

(SAM: ``AWS::Serverless::Function`` and ``AWS::Serverless::SimpleTable`` become the Lambda and
DynamoDB types above through the SAM transform; ``!GetAtt Fn.Arn`` and ``!Ref Table`` work as
there.) Other types have no local value: referring to one is an error naming it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import TemplateError


@dataclass(frozen=True, slots=True)
class Target:
    """Where the run's resources live: region, account, partition and the stack's name."""

    region: str = "us-east-1"
    account: str = "123456789012"
    partition: str = "aws"
    stack_name: str = "stepfn-local"

    @property
    def url_suffix(self) -> str:
        return "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"

    @property
    def stack_id(self) -> str:
        return (
            f"arn:{self.partition}:cloudformation:{self.region}:{self.account}:stack/"
            f"{self.stack_name}/00000000-0000-0000-0000-000000000000"
        )

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (
            f"arn:{self.partition}:{service}:{self.region if region else ''}:"
            f"{self.account if account else ''}:{resource}"
        )


class Context(Protocol):
    """What a value needs from the resolver: the target and property resolution."""

    target: Target

    def property(self, logical_id: str, name: str) -> Any: ...

    def ref(self, name: str, where: str) -> Any: ...


@dataclass(frozen=True, slots=True)
class Kind:
    name_property: str | None
    ref: str  # the attribute Ref returns
    attributes: Callable[[Context, str, str], dict[str, Any]]  # (ctx, logical id, name) -> values
    default_name: Callable[[Context, str], str] = lambda ctx, logical_id: logical_id


def _function(ctx: Context, logical_id: str, name: str) -> dict[str, Any]:
    return {"Name": name, "Arn": ctx.target.arn("lambda", f"function:{name}")}


def _table(ctx: Context, logical_id: str, name: str) -> dict[str, Any]:
    arn = ctx.target.arn("dynamodb", f"table/{name}")
    values = {"Name": name, "Arn": arn}
    if ctx.property(logical_id, "StreamSpecification"):
        values["StreamArn"] = f"{arn}/stream/1970-01-01T00:00:00.000"
    return values


def _queue(ctx: Context, logical_id: str, name: str) -> dict[str, Any]:
    t = ctx.target
    url = f"https://sqs.{t.region}.{t.url_suffix}/{t.account}/{name}"
    return {"QueueUrl": url, "QueueName": name, "Arn": t.arn("sqs", name)}


def _fifo_name(suffix_property: str) -> Callable[[Context, str], str]:
    # CloudFormation adds ".fifo" to the name it makes up for a FIFO queue or topic.
    def name(ctx: Context, logical_id: str) -> str:
        fifo = ctx.property(logical_id, suffix_property) in (True, "true", "True")
        return f"{logical_id}.fifo" if fifo else logical_id

    return name


def _topic(ctx: Context, logical_id: str, name: str) -> dict[str, Any]:
    return {"TopicArn": ctx.target.arn("sns", name), "TopicName": name}


def _bucket(ctx: Context, logical_id: str, name: str) -> dict[str, Any]:
    t = ctx.target
    return {
        "Name": name,
        "Arn": f"arn:{t.partition}:s3:::{name}",
        "DomainName": f"{name}.s3.{t.url_suffix}",
        "RegionalDomainName": f"{name}.s3.{t.region}.{t.url_suffix}",
        "DualStackDomainName": f"{name}.s3.dualstack.{t.region}.{t.url_suffix}",
        "WebsiteURL": f"http://{name}.s3-website.{t.region}.{t.url_suffix}",
    }


def _bus(ctx: Context, logical_id: str, name: str) -> dict[str, Any]:
    return {"Name": name, "Arn": ctx.target.arn("events", f"event-bus/{name}")}


def _state_machine(ctx: Context, logical_id: str, name: str) -> dict[str, Any]:
    return {"Name": name, "Arn": ctx.target.arn("states", f"stateMachine:{name}")}


def _role(ctx: Context, logical_id: str, name: str) -> dict[str, Any]:
    path = ctx.property(logical_id, "Path") or "/"
    arn = ctx.target.arn("iam", f"role{path}{name}", region=False)
    digest = hashlib.sha256(arn.encode()).hexdigest()[:17].upper()
    return {"Name": name, "Arn": arn, "RoleId": f"AROA{digest}"}


def _log_group(ctx: Context, logical_id: str, name: str) -> dict[str, Any]:
    return {"Name": name, "Arn": ctx.target.arn("logs", f"log-group:{name}:*")}


def _parameter(ctx: Context, logical_id: str, name: str) -> dict[str, Any]:
    return {
        "Name": name,
        "Type": ctx.property(logical_id, "Type"),
        "Value": ctx.property(logical_id, "Value"),
    }


def _alias(ctx: Context, logical_id: str, name: str) -> dict[str, Any]:
    function = _function_arn(ctx, logical_id)
    return {"Arn": f"{function}:{name}", "Name": name}


def _version(ctx: Context, logical_id: str, name: str) -> dict[str, Any]:
    return {"Arn": f"{_function_arn(ctx, logical_id)}:1", "Version": "1"}


def _function_arn(ctx: Context, logical_id: str) -> str:
    function = str(ctx.property(logical_id, "FunctionName"))
    return function if function.startswith("arn:") else ctx.target.arn("lambda", f"function:{function}")


KINDS: dict[str, Kind] = {
    "AWS::Lambda::Function": Kind("FunctionName", "Name", _function),
    "AWS::DynamoDB::Table": Kind("TableName", "Name", _table),
    "AWS::SQS::Queue": Kind("QueueName", "QueueUrl", _queue, _fifo_name("FifoQueue")),
    "AWS::SNS::Topic": Kind("TopicName", "TopicArn", _topic, _fifo_name("FifoTopic")),
    "AWS::S3::Bucket": Kind("BucketName", "Name", _bucket, lambda ctx, logical_id: logical_id.lower()),
    "AWS::Events::EventBus": Kind("Name", "Name", _bus),
    "AWS::StepFunctions::StateMachine": Kind("StateMachineName", "Arn", _state_machine),
    "AWS::IAM::Role": Kind("RoleName", "Name", _role),
    "AWS::Logs::LogGroup": Kind("LogGroupName", "Name", _log_group),
    "AWS::SSM::Parameter": Kind("Name", "Name", _parameter),
    "AWS::Lambda::Alias": Kind("Name", "Arn", _alias),
    "AWS::Lambda::Version": Kind(None, "Arn", _version),
}

# Skipped silently: what SAM generates alongside functions and state machines, what only means
# something on AWS, and what a local run deliberately leaves out (docs/sam.md, Limitations):
# layers (their packages are expected in stepfn's environment), event source mappings (a message
# does not trigger its consumer) and the parts of an API (its stages and deployments).
QUIET_TYPES = frozenset(
    {
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::Lambda::Permission",
        "AWS::Lambda::Version",
        "AWS::Lambda::Alias",
        "AWS::Lambda::EventInvokeConfig",
        "AWS::Lambda::Function",
        "AWS::Lambda::LayerVersion",
        "AWS::Lambda::LayerVersionPermission",
        "AWS::Lambda::EventSourceMapping",
        "AWS::Lambda::Url",
        "AWS::Logs::LogGroup",
        "AWS::SQS::QueuePolicy",
        "AWS::SNS::TopicPolicy",
        "AWS::S3::BucketPolicy",
        "AWS::StepFunctions::StateMachine",
        "AWS::CloudFormation::WaitConditionHandle",
        "AWS::ApiGateway::Deployment",
        "AWS::ApiGateway::Stage",
        "AWS::ApiGatewayV2::Deployment",
        "AWS::ApiGatewayV2::Stage",
    }
)


def quiet_skip(resource_type: str, original_type: str | None) -> bool:
    """Whether skipping a resource stepfn does not create goes without a note: a ``QUIET_TYPES``
    type, or one the SAM transform made (``original_type`` is its type in the template as
    written: ``None`` when the transform generated it, as the schedule rule of a function's
    ``Events``; ``AWS::Serverless::*`` for an ``HttpApi``/``Api``/``LayerVersion``...). Those are
    events, APIs and layers, which a local run does not wire (docs/sam.md). Anything else the
    template declares itself (an ``AWS::Events::Rule``, a REST API, a Kinesis stream) gets one."""
    if resource_type in QUIET_TYPES:
        return True
    return original_type is None or original_type.startswith("AWS::Serverless::")


def physical_name(ctx: Context, logical_id: str, resource_type: str) -> str:
    kind = KINDS[resource_type]
    if kind.name_property is not None:
        name = ctx.property(logical_id, kind.name_property)
        if name is not None:
            return str(name)
    if resource_type == "AWS::Events::EventBus":
        raise TemplateError(f"{logical_id}: an AWS::Events::EventBus needs a Name")
    return kind.default_name(ctx, logical_id)


def attributes(ctx: Context, logical_id: str, resource_type: str) -> dict[str, Any]:
    """Every attribute stepfn knows for the resource; the key ``"Ref"`` is what ``Ref`` gives."""
    kind = KINDS[resource_type]
    name = physical_name(ctx, logical_id, resource_type)
    values = kind.attributes(ctx, logical_id, name)
    values["Ref"] = values[kind.ref]
    return values
