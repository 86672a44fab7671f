"""An activity worker talking to ``stepfn serve`` through the real boto3 client.

GIVEN the Step Functions API served on 127.0.0.1 over a SQLite store
WHEN a worker thread long-polls GetActivityTask before the execution reaches its activity task,
then answers with SendTaskHeartbeat and SendTaskSuccess
THEN the poll returns as soon as the task is scheduled, the execution succeeds with the worker's
output, and the history shows AWS's Activity* events.

boto3's default read timeout (60 s) equals AWS's longest poll, so workers configure
``Config(read_timeout=70)`` (the GetActivityTask API reference asks for at least 65 s).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from interpreter.adapters.stores.sqlite import SqliteStore
from interpreter.serve import LocalStepFunctions

pytestmark = pytest.mark.slow

WAIT = 10.0


@pytest.fixture
def served(tmp_path: Path):
    with LocalStepFunctions(SqliteStore(tmp_path / "stepfn.db")) as sfn:
        sfn.service.activity_poll_seconds = WAIT  # a poll never outlives the test
        client = boto3.client(
            "stepfunctions",
            endpoint_url=sfn.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(read_timeout=70, retries={"max_attempts": 0}),
        )
        yield sfn, client


def test_a_worker_thread_polls_and_answers_through_boto3(served) -> None:
    sfn, client = served
    activity = client.create_activity(name="resize")["activityArn"]
    definition = {
        "StartAt": "Resize",
        "States": {
            "Resize": {
                "Type": "Task",
                "Resource": activity,
                "TimeoutSeconds": 300,
                "HeartbeatSeconds": 60,
                "ResultPath": "$.resized",
                "End": True,
            }
        },
    }
    machine = client.create_state_machine(
        name="Images", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/sfn"
    )["stateMachineArn"]

    polled: dict[str, Any] = {}
    polling = threading.Event()

    def worker() -> None:
        polling.set()
        task = client.get_activity_task(activityArn=activity, workerName="resizer-1")
        polled.update(task)
        work = json.loads(task["input"])
        client.send_task_heartbeat(taskToken=task["taskToken"])
        output = {"width": work["width"] // 2}
        client.send_task_success(taskToken=task["taskToken"], output=json.dumps(output))

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    assert polling.wait(WAIT)
    arn = client.start_execution(stateMachineArn=machine, input='{"width": 640}')["executionArn"]
    thread.join(WAIT)
    assert not thread.is_alive(), "the worker never got its task"
    assert polled["taskToken"].startswith(arn)
    assert sfn.executor.wait_finished(arn, timeout=WAIT)

    described = client.describe_execution(executionArn=arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"width": 640, "resized": {"width": 320}}
    events = client.get_execution_history(executionArn=arn)["events"]
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    assert events[2]["activityScheduledEventDetails"] == {
        "resource": activity,
        "input": '{"width":640}',
        "inputDetails": {"truncated": False},
        "timeoutInSeconds": 300,
        "heartbeatInSeconds": 60,
    }
    assert events[3]["activityStartedEventDetails"] == {"workerName": "resizer-1"}

    # nothing else is scheduled: a poll answers without a task (boto3 shows no taskToken)
    sfn.service.activity_poll_seconds = 0.0
    assert "taskToken" not in client.get_activity_task(activityArn=activity)
