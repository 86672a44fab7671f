"""Fixtures for the AWS integration tests: moto in-process, a private boto3 session, a runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from interpreter import ExecutionResult, run
from interpreter.adapters.aws import AwsServiceRunner
from interpreter.adapters.local_runner import LocalTaskRunner

REGION = "us-east-1"


@pytest.fixture
def session() -> Iterator[boto3.Session]:
    with mock_aws():
        yield boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)


@pytest.fixture
def table(session: boto3.Session) -> str:
    session.client("dynamodb").create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return "orders"


@pytest.fixture
def queue(session: boto3.Session) -> str:
    return str(session.client("sqs").create_queue(QueueName="jobs")["QueueUrl"])


@pytest.fixture
def bucket(session: boto3.Session) -> str:
    session.client("s3").create_bucket(Bucket="stepfn-data")
    return "stepfn-data"


def task(resource: str, parameters: Any = None, **fields: Any) -> dict[str, Any]:
    """A one-Task definition (``Catch`` on States.ALL into ``Caught`` when ``catch=True``)."""
    catch = fields.pop("catch", False)
    state: dict[str, Any] = {"Type": "Task", "Resource": resource, "End": True, **fields}
    if parameters is not None:
        state["Parameters"] = parameters
    states: dict[str, Any] = {"Call": state}
    if catch:
        state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
        states["Caught"] = {"Type": "Pass", "End": True}
    return {"StartAt": "Call", "States": states}


@pytest.fixture
def run_task(session: boto3.Session) -> Callable[..., ExecutionResult]:
    """Run a definition with the AWS runner on the moto session."""

    def go(definition: dict[str, Any], input: Any = None) -> ExecutionResult:
        runner = LocalTaskRunner.from_handlers({}, extra=[AwsServiceRunner(session, region=REGION)])
        return run(definition, input or {}, runner=runner)

    return go
