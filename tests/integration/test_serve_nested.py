"""A nested ``states:startExecution.sync:2`` execution through ``stepfn serve`` and boto3.

GIVEN the Step Functions API served on 127.0.0.1 over a SQLite store and a virtual clock, with a
child state machine that waits an hour and a parent that starts it with ``.sync:2``
WHEN a boto3 client starts the parent and moves time past the child's Wait
THEN the child is an execution of its own (ListExecutions, DescribeExecution), the parent's task
returns the child's DescribeExecution with the output parsed (AWS: LocalStack's AWS-recorded
``test_sfn_start_execution_sync[SFN_SYNC2]``), and the parent's history records TaskSubmitted.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.sqlite import SqliteStore
from interpreter.serve import LocalStepFunctions

pytestmark = pytest.mark.slow

ROLE = "arn:aws:iam::123456789012:role/sfn"
CHILD = {
    "StartAt": "Cool",
    "States": {
        "Cool": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
        "Done": {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "End": True},
    },
}


def test_a_sync2_child_returns_its_parsed_output_through_boto3(tmp_path: Path) -> None:
    clock = VirtualClock(start=datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    runner = LocalTaskRunner.from_handlers({}, clock=clock)
    with LocalStepFunctions(SqliteStore(tmp_path / "stepfn.db"), runner=runner, clock=clock) as sfn:
        client = boto3.client(
            "stepfunctions",
            endpoint_url=sfn.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        child = client.create_state_machine(name="Double", definition=json.dumps(CHILD), roleArn=ROLE)
        definition = {
            "StartAt": "Nested",
            "States": {
                "Nested": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Parameters": {
                        "StateMachineArn": child["stateMachineArn"],
                        "Name": "double-21",
                        "Input": {
                            "n.$": "$.n",
                            "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id",
                        },
                    },
                    "ResultSelector": {"result.$": "$.Output.doubled", "child.$": "$.ExecutionArn"},
                    "End": True,
                }
            },
        }
        machine = client.create_state_machine(name="Parent", definition=json.dumps(definition), roleArn=ROLE)
        arn = client.start_execution(stateMachineArn=machine["stateMachineArn"], input='{"n": 21}')[
            "executionArn"
        ]

        child_arn = "arn:aws:states:us-east-1:123456789012:execution:Double:double-21"
        listed = client.list_executions(stateMachineArn=child["stateMachineArn"])["executions"]
        assert [(e["executionArn"], e["status"]) for e in listed] == [(child_arn, "RUNNING")]
        assert client.describe_execution(executionArn=arn)["status"] == "RUNNING"

        clock.advance(3600)
        sfn.wake()
        assert sfn.executor.wait_finished(arn, timeout=10)
        done = client.describe_execution(executionArn=arn)
        assert done["status"] == "SUCCEEDED", done
        assert json.loads(done["output"]) == {"result": 42, "child": child_arn}

        described = client.describe_execution(executionArn=child_arn)
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["input"])["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"] == arn

        events = client.get_execution_history(executionArn=arn)["events"]
        types = [e["type"] for e in events]
        assert types[4:6] == ["TaskSubmitted", "TaskSucceeded"]
        submitted = events[4]["taskSubmittedEventDetails"]
        assert (submitted["resourceType"], submitted["resource"]) == ("states", "startExecution.sync:2")
        succeeded = json.loads(events[5]["taskSucceededEventDetails"]["output"])
        assert succeeded["Output"] == {"doubled": 42}
        assert (succeeded["StopDate"] - succeeded["StartDate"]) == 3_600_000
