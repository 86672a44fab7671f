"""``stepfn serve`` driven by the real boto3 client (and the aws CLI when installed).

GIVEN the Step Functions API served on 127.0.0.1 over a SQLite store, a virtual clock, and local
Lambda handlers
WHEN a client creates a state machine with a Wait, a callback task and a task that fails once,
starts it, moves time past the Wait, answers the callback with SendTaskSuccess, sees the
execution fail, and redrives it
THEN every step is visible through DescribeExecution, the redriven execution succeeds without
re-running the work that had succeeded, and GetExecutionHistory returns AWS's event shapes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.sqlite import SqliteStore
from interpreter.serve import LocalStepFunctions

pytestmark = pytest.mark.slow

DEFINITION = {
    "Comment": "order with a human approval",
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Prepare",
            "Next": "Cool",
        },
        "Cool": {"Type": "Wait", "Seconds": 3600, "Next": "Approve"},
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {
                "FunctionName": "Notify",
                "Payload": {"token.$": "$$.Task.Token", "order.$": "$.order"},
            },
            "HeartbeatSeconds": 7200,
            "ResultPath": "$.approval",
            "Next": "Charge",
        },
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Charge",
            "End": True,
        },
    },
}


class Handlers:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.tokens: list[str] = []
        self.token_seen = threading.Event()
        self.charge_fails = True

    def prepare(self, event: Any, context: Any) -> Any:
        self.calls.append("Prepare")
        return {**event, "prepared": True}

    def notify(self, event: Any, context: Any) -> Any:
        self.calls.append("Notify")
        self.tokens.append(event["token"])
        self.token_seen.set()
        return {"sent": True}

    def charge(self, event: Any, context: Any) -> Any:
        self.calls.append("Charge")
        if self.charge_fails:
            raise RuntimeError("card declined")
        return {"charged": event["order"], "approved_by": event["approval"]["by"]}


@pytest.fixture
def served(tmp_path: Path):
    handlers = Handlers()
    clock = VirtualClock(start=datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    runner = LocalTaskRunner.from_handlers(
        {"Prepare": handlers.prepare, "Notify": handlers.notify, "Charge": handlers.charge}, clock=clock
    )
    with LocalStepFunctions(SqliteStore(tmp_path / "stepfn.db"), runner=runner, clock=clock) as sfn:
        client = boto3.client(
            "stepfunctions",
            endpoint_url=sfn.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        yield sfn, client, clock, handlers


def _status(client: Any, arn: str) -> str:
    return client.describe_execution(executionArn=arn)["status"]


def test_wait_callback_failure_and_redrive_through_boto3(served) -> None:
    sfn, client, clock, handlers = served
    machine = client.create_state_machine(
        name="Orders", definition=json.dumps(DEFINITION), roleArn="arn:aws:iam::123456789012:role/sfn"
    )["stateMachineArn"]
    started = client.start_execution(stateMachineArn=machine, name="order-1", input='{"order": "A-17"}')
    arn = started["executionArn"]
    assert arn == "arn:aws:states:us-east-1:123456789012:execution:Orders:order-1"
    assert isinstance(started["startDate"], datetime)
    # the same name and input while running: the same execution (AWS's idempotency)
    again = client.start_execution(stateMachineArn=machine, name="order-1", input='{"order": "A-17"}')
    assert again["executionArn"] == arn
    with pytest.raises(client.exceptions.ExecutionAlreadyExists):
        client.start_execution(stateMachineArn=machine, name="order-1", input='{"order": "B"}')

    # waiting in Cool: nothing happens until the hour has passed
    assert _status(client, arn) == "RUNNING"
    assert not handlers.token_seen.is_set()
    clock.advance(3600)
    sfn.wake()
    assert handlers.token_seen.wait(10), "the callback task was not invoked"
    token = handlers.tokens[0]

    with pytest.raises(client.exceptions.InvalidToken):
        client.send_task_success(taskToken="not-a-token", output="{}")
    client.send_task_success(taskToken=token, output=json.dumps({"by": "ops"}))
    assert sfn.executor.wait_finished(arn, timeout=10)
    failed = client.describe_execution(executionArn=arn)
    assert failed["status"] == "FAILED"
    assert failed["error"] == "RuntimeError"
    # the token was used: a second answer is refused (AWS: TaskTimedOut, "Provided task does not
    # exist anymore"; see tests/unit/service/test_callbacks.py for the source)
    with pytest.raises(client.exceptions.TaskTimedOut):
        client.send_task_success(taskToken=token, output="{}")

    handlers.charge_fails = False
    client.redrive_execution(executionArn=arn)
    assert sfn.executor.wait_finished(arn, timeout=10)
    done = client.describe_execution(executionArn=arn)
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"]) == {"charged": "A-17", "approved_by": "ops"}
    assert done["redriveCount"] == 1
    # only the failed state ran again
    assert handlers.calls == ["Prepare", "Notify", "Charge", "Charge"]

    pages = client.get_paginator("get_execution_history").paginate(executionArn=arn, maxResults=5)
    events = [e for page in pages for e in page["events"]]
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    types = [e["type"] for e in events]
    for expected in (
        "ExecutionStarted",
        "WaitStateEntered",
        "TaskSubmitted",
        "ExecutionFailed",
        "ExecutionRedriven",
        "ExecutionSucceeded",
    ):
        assert expected in types
    started_event = events[0]
    assert json.loads(started_event["executionStartedEventDetails"]["input"]) == {"order": "A-17"}
    assert isinstance(started_event["timestamp"], datetime)
    newest = client.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=1)["events"]
    assert newest[0]["type"] == "ExecutionSucceeded"

    listed = client.list_executions(stateMachineArn=machine, statusFilter="SUCCEEDED")["executions"]
    assert [e["executionArn"] for e in listed] == [arn]


def test_stop_execution_through_boto3(served) -> None:
    client = served[1]
    machine = client.create_state_machine(
        name="Orders", definition=json.dumps(DEFINITION), roleArn="arn:aws:iam::123456789012:role/sfn"
    )["stateMachineArn"]
    arn = client.start_execution(stateMachineArn=machine, input='{"order": "A-1"}')["executionArn"]
    stopped = client.stop_execution(executionArn=arn, error="Ops.Cancelled", cause="customer called")
    assert isinstance(stopped["stopDate"], datetime)
    described = client.describe_execution(executionArn=arn)
    assert described["status"] == "ABORTED"
    history = client.get_execution_history(executionArn=arn)["events"]
    assert history[-1]["type"] == "ExecutionAborted"
    assert history[-1]["executionAbortedEventDetails"] == {
        "error": "Ops.Cancelled",
        "cause": "customer called",
    }


@pytest.mark.skipif(shutil.which("aws") is None, reason="the aws CLI is not installed")
def test_the_aws_cli_talks_to_stepfn_serve(served, tmp_path: Path) -> None:
    sfn = served[0]
    definition = tmp_path / "machine.json"
    definition.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
    }
    env.pop("AWS_PROFILE", None)

    def aws(*args: str) -> Any:
        done = subprocess.run(
            [str(shutil.which("aws")), "stepfunctions", *args, "--endpoint-url", sfn.url, "--output", "json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None

    machine = aws(
        "create-state-machine",
        "--name",
        "Cli",
        "--definition",
        f"file://{definition}",
        "--role-arn",
        "arn:aws:iam::123456789012:role/sfn",
    )["stateMachineArn"]
    arn = aws("start-execution", "--state-machine-arn", machine, "--input", '{"a": 1}')["executionArn"]
    assert sfn.executor.wait_finished(arn, timeout=10)
    described = aws("describe-execution", "--execution-arn", arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"a": 1}


def test_start_sync_execution_of_an_express_machine(served) -> None:
    """StartSyncExecution waits for the end; with a served virtual clock, time still moves only
    when the test moves it (the request does not jump the clock itself)."""
    import botocore.config

    sfn, _client, clock, _handlers = served
    client = boto3.client(
        "stepfunctions",
        endpoint_url=sfn.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=botocore.config.Config(inject_host_prefix=False),
    )
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": 1}, "End": True}}}
    machine = client.create_state_machine(
        name="Quick",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/sfn",
        type="EXPRESS",
    )["stateMachineArn"]
    before = clock.now()
    done = client.start_sync_execution(stateMachineArn=machine, input="{}")
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {"ok": 1}
    assert done["executionArn"].startswith("arn:aws:states:us-east-1:123456789012:express:Quick:")
    assert clock.now() == before
