"""``.waitForTaskToken`` through SQS/SNS/EventBridge: the message carries the token, SendTaskSuccess
or SendTaskFailure ends the task.

Sources: AWS docs "Send messages to an Amazon SQS queue with Step Functions" and "Wait for a
Callback with Task Token" (the token in the message body, the task waits for SendTaskSuccess);
AWS-recorded LocalStack snapshot ``error_handling/test_task_service_sqs``
``test_sqs_failure_in_wait_for_task_tok`` (TaskScheduled ``resource``
``sendMessage.waitForTaskToken``, ``resourceType`` ``sqs``, an object ``MessageBody`` sent as JSON,
then ``TaskSubmitted`` with the SendMessage response, then the callback's outcome).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from interpreter.adapters.aws import AwsServiceRunner
from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.service.stepfunctions import StepFunctionsService

ROLE = "arn:aws:iam::123456789012:role/service-role/StepFunctionsRole"


def _definition(queue: str) -> str:
    return json.dumps(
        {
            "StartAt": "Ask",
            "States": {
                "Ask": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {
                        "QueueUrl": queue,
                        "MessageBody": {"Message.$": "$.message", "TaskToken.$": "$$.Task.Token"},
                    },
                    "Catch": [{"ErrorEquals": ["Rejected"], "Next": "Rejected"}],
                    "End": True,
                },
                "Rejected": {"Type": "Pass", "End": True},
            },
        }
    )


@pytest.fixture
def sfn(session) -> StepFunctionsService:
    clock = VirtualClock(datetime(2024, 5, 1, 12, tzinfo=UTC))
    runner = LocalTaskRunner.from_handlers({}, clock=clock, extra=[AwsServiceRunner(session)])
    return StepFunctionsService(MemoryStore(), runner=runner, clock=clock)


def _start(sfn: StepFunctionsService, queue: str) -> str:
    machine = sfn.create_state_machine(
        {"name": "approval", "definition": _definition(queue), "roleArn": ROLE}
    )
    started = sfn.start_execution(
        {"stateMachineArn": machine["stateMachineArn"], "input": '{"message": "approve order 7?"}'}
    )
    return str(started["executionArn"])


def _types(sfn: StepFunctionsService, arn: str) -> list[str]:
    return [e["type"] for e in sfn.get_execution_history({"executionArn": arn})["events"]]


def _token_from_queue(session, queue: str) -> dict:
    messages = session.client("sqs").receive_message(QueueUrl=queue)["Messages"]
    assert len(messages) == 1
    return json.loads(messages[0]["Body"])


def test_the_message_carries_the_token_and_send_task_success_completes_the_task(sfn, session, queue):
    arn = _start(sfn, queue)
    sfn.workflows.executor.run_until(lambda: "TaskSubmitted" in _types(sfn, arn))
    body = _token_from_queue(session, queue)
    assert body["Message"] == "approve order 7?"
    assert sfn.describe_execution({"executionArn": arn})["status"] == "RUNNING"

    sfn.send_task_success({"taskToken": body["TaskToken"], "output": '{"approved": true}'})
    sfn.workflows.run_to_end(arn)

    described = sfn.describe_execution({"executionArn": arn})
    assert (described["status"], described["output"]) == ("SUCCEEDED", '{"approved":true}')
    events = sfn.get_execution_history({"executionArn": arn})["events"]
    scheduled = next(e for e in events if e["type"] == "TaskScheduled")["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("sqs", "sendMessage.waitForTaskToken")
    submitted = next(e for e in events if e["type"] == "TaskSubmitted")["taskSubmittedEventDetails"]
    assert "MD5OfMessageBody" in json.loads(submitted["output"])
    types = _types(sfn, arn)
    assert types[types.index("TaskSubmitted") :] == [
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]


def test_send_task_failure_fails_the_task_into_its_catch(sfn, session, queue):
    arn = _start(sfn, queue)
    sfn.workflows.executor.run_until(lambda: "TaskSubmitted" in _types(sfn, arn))
    token = _token_from_queue(session, queue)["TaskToken"]
    sfn.send_task_failure({"taskToken": token, "error": "Rejected", "cause": "too expensive"})
    sfn.workflows.run_to_end(arn)
    described = sfn.describe_execution({"executionArn": arn})
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"Error": "Rejected", "Cause": "too expensive"}


def test_a_failed_send_fails_the_task_without_waiting(sfn, queue):
    arn = _start(sfn, queue + "-gone")
    sfn.workflows.run_to_end(arn)
    described = sfn.describe_execution({"executionArn": arn})
    assert (described["status"], described["error"]) == ("FAILED", "SQS.QueueDoesNotExistException")
    assert "TaskSubmitted" not in _types(sfn, arn)


def test_put_events_with_a_token_appends_the_machine_and_execution_arns(sfn, session):
    # AWS docs "Add EventBridge events with Step Functions": both ARNs go into every entry's Resources
    sent: list[dict] = []
    session.events.register(
        "before-parameter-build.events.PutEvents", lambda params, **_: sent.append(params)
    )
    definition = {
        "StartAt": "Emit",
        "States": {
            "Emit": {
                "Type": "Task",
                "Resource": "arn:aws:states:::events:putEvents.waitForTaskToken",
                "Parameters": {
                    "Entries": [
                        {
                            "Source": "orders",
                            "DetailType": "Placed",
                            "Detail": {"TaskToken.$": "$$.Task.Token"},
                            "Resources": ["arn:aws:s3:::r"],
                        }
                    ]
                },
                "End": True,
            }
        },
    }
    machine = sfn.create_state_machine(
        {"name": "emit", "definition": json.dumps(definition), "roleArn": ROLE}
    )
    arn = sfn.start_execution({"stateMachineArn": machine["stateMachineArn"], "name": "e1"})["executionArn"]
    sfn.workflows.executor.run_until(lambda: "TaskSubmitted" in _types(sfn, arn))
    (entry,) = sent[0]["Entries"]
    assert entry["Resources"] == ["arn:aws:s3:::r", machine["stateMachineArn"], arn]
    detail = json.loads(entry["Detail"])  # an object Detail is sent as its JSON text
    sfn.send_task_success({"taskToken": detail["TaskToken"], "output": "{}"})
    sfn.workflows.run_to_end(arn)
    assert sfn.describe_execution({"executionArn": arn})["status"] == "SUCCEEDED"
