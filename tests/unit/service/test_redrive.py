"""RedriveExecution through the API facade (``service.redrive``), with DescribeExecution,
GetExecutionHistory and ListExecutions showing the redrive.

Sources: [api] the Step Functions API reference (RedriveExecution: request, response
``redriveDate``, errors, ``clientToken``; DescribeExecution: ``redriveCount``, ``redriveDate``,
``redriveStatus``/``redriveStatusReason`` texts; ExecutionRedrivenEventDetails) and [guide] the
developer guide, "Restarting state machine executions with redrive". AWS's exact message for
``ExecutionNotRedrivable`` is not recorded anywhere we found; stepfn answers with the reason
DescribeExecution gives (``redriveStatus`` is NOT_REDRIVABLE exactly when RedriveExecution
"would return the ExecutionNotRedrivable error" [api]).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.api.dispatch import handle
from interpreter.service.stepfunctions import StepFunctionsService

from .execution_fixtures import WAIT_DEFINITION, World, api_error, callback_definition
from .helpers import PASS_DEFINITION, START_MS

EXEC_PREFIX = "arn:aws:states:us-east-1:123456789012:execution"

FLAKY_DEFINITION = json.dumps(
    {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "prepare", "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "Next": "Charge",
            },
            "Charge": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {
                    "FunctionName": "charge",
                    "Payload": {"redriveCount.$": "$$.Execution.RedriveCount"},
                },
                "OutputPath": "$.Payload",
                "End": True,
            },
        },
    }
)


class RedriveWorld(World):
    """``World`` plus ``prepare`` and ``charge`` handlers; ``charge`` fails while ``broken``."""

    def __init__(self, store: MemoryStore, clock: VirtualClock) -> None:
        self.calls: Counter[str] = Counter()
        self.broken = True
        self.charged: list[dict[str, Any]] = []
        super().__init__(store, clock)

    def service(self) -> StepFunctionsService:
        def notify(event: dict[str, Any], context: Any) -> dict[str, Any]:
            self.notified.append(event)
            return {"queued": True}

        def prepare(event: dict[str, Any], context: Any) -> dict[str, Any]:
            self.calls["prepare"] += 1
            return {"prepared": True}

        def charge(event: dict[str, Any], context: Any) -> dict[str, Any]:
            self.calls["charge"] += 1
            self.charged.append(event)
            if self.broken:
                raise RuntimeError("card service down")
            return {"charged": True}

        handlers = {"notify": notify, "prepare": prepare, "charge": charge}
        runner = LocalTaskRunner.from_handlers(handlers, clock=self.clock)
        return StepFunctionsService(self.store, runner=runner, clock=self.clock)

    def failed_execution(self, name: str = "e") -> str:
        arn = self.start(self.machine("m", FLAKY_DEFINITION), name=name)
        assert self.run(arn)["status"] == "FAILED"
        return arn

    def redrive(self, arn: str, **request: Any) -> dict[str, Any]:
        return self.sfn.redrive_execution({"executionArn": arn, **request})


@pytest.fixture
def world(store: MemoryStore, clock: VirtualClock) -> RedriveWorld:
    return RedriveWorld(store, clock)


# ------------------------------------------------------------------ redriving


def test_redrive_a_failed_execution(world: RedriveWorld, clock: VirtualClock) -> None:
    arn = world.failed_execution()
    described = world.describe(arn)
    assert (described["redriveCount"], described["redriveStatus"]) == (0, "REDRIVABLE")
    assert "redriveDate" not in described

    clock.advance(90)
    world.broken = False
    redrive_date = START_MS + timedelta(seconds=90)
    # [api] RedriveExecution response: {"redriveDate": <the date the execution was last redriven>}
    assert world.redrive(arn) == {"redriveDate": redrive_date}

    # [api] DescribeExecution: redriveCount "only updated if you successfully redrive", redriveDate
    # "the date the execution was last redriven"; RUNNING again, so no stopDate, error or cause.
    running = world.describe(arn)
    assert running["status"] == "RUNNING"
    assert (running["redriveCount"], running["redriveDate"]) == (1, redrive_date)
    assert (running["redriveStatus"], running["redriveStatusReason"]) == (
        "NOT_REDRIVABLE",
        "Execution is RUNNING and cannot be redriven",
    )
    assert not {"stopDate", "error", "cause"} & running.keys()

    done = world.run(arn)
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"charged": True}
    assert (done["redriveCount"], done["redriveDate"]) == (1, redrive_date)
    assert world.calls == Counter({"prepare": 1, "charge": 2})  # Prepare is not run again
    assert world.charged[-1] == {"redriveCount": 1}  # $$.Execution.RedriveCount

    # [api] ExecutionRedrivenEventDetails {redriveCount}; [guide] events appended to the history
    history = world.history(arn)
    redriven = next(e for e in history if e["type"] == "ExecutionRedriven")
    before = history[history.index(redriven) - 1]
    assert before["type"] == "ExecutionFailed"
    assert redriven == {
        "timestamp": redrive_date,
        "type": "ExecutionRedriven",
        "id": before["id"] + 1,
        "previousEventId": before["id"],
        "executionRedrivenEventDetails": {"redriveCount": 1},
    }
    after = history[history.index(redriven) + 1]
    assert (after["type"], after["previousEventId"]) == ("TaskStateEntered", redriven["id"])
    assert after["stateEnteredEventDetails"]["name"] == "Charge"


def test_list_executions_shows_the_redrive(world: RedriveWorld) -> None:
    arn = world.failed_execution("redriven")
    world.start(world.machine("m", FLAKY_DEFINITION), name="other")
    world.broken = False
    world.redrive(arn)
    machine = world.describe(arn)["stateMachineArn"]
    listed = world.sfn.list_executions({"stateMachineArn": machine, "redriveFilter": "REDRIVEN"})
    assert [(e["name"], e["redriveCount"], e["redriveDate"]) for e in listed["executions"]] == [
        ("redriven", 1, START_MS)
    ]


def test_redrive_an_aborted_execution(world: RedriveWorld) -> None:
    arn = world.start(world.machine("w", WAIT_DEFINITION), name="e")
    world.sfn.stop_execution({"executionArn": arn, "error": "Manual"})
    assert world.describe(arn)["redriveStatus"] == "REDRIVABLE"
    world.redrive(arn)
    done = world.run(arn)
    assert (done["status"], done["redriveCount"]) == ("SUCCEEDED", 1)
    assert world.event_types(arn)[-6:] == [
        "ExecutionRedriven",
        "WaitStateEntered",
        "WaitStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


def test_redrive_a_timed_out_callback_task(world: RedriveWorld) -> None:
    # A callback task nobody answered before the execution's TimeoutSeconds: the redrive runs the
    # task again with a new token and a fresh execution timeout [guide].
    definition = json.loads(callback_definition())
    definition["TimeoutSeconds"] = 60
    arn = world.start(world.machine("cb", json.dumps(definition)), name="e")
    first_token = world.wait_for_callback(arn)
    timed_out = world.run(arn)
    assert timed_out["status"] == "TIMED_OUT"
    assert timed_out["stopDate"] == START_MS + timedelta(seconds=60)

    world.redrive(arn)
    second_token = world.wait_for_callback(arn)
    assert second_token != first_token
    world.sfn.send_task_success({"taskToken": second_token, "output": '{"approved": true}'})
    done = world.run(arn)
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"approved": True}
    assert len(world.notified) == 2


# ------------------------------------------------------------------ idempotency


def test_a_repeated_client_token_answers_with_the_first_redrive(
    world: RedriveWorld, clock: VirtualClock
) -> None:
    # [api] clientToken: "The API will return idempotent responses for the last 10 client tokens
    # used to successfully redrive the execution. These client tokens are valid for up to 15
    # minutes after they are first used."
    arn = world.failed_execution()
    first = world.redrive(arn, clientToken="token-1")
    clock.advance(5)
    assert world.redrive(arn, clientToken="token-1") == first
    assert world.describe(arn)["redriveCount"] == 1
    assert api_error(world.sfn.redrive_execution, {"executionArn": arn, "clientToken": "token-2"}) == (
        "ExecutionNotRedrivable",
        "Execution is RUNNING and cannot be redriven",
    )


@pytest.mark.parametrize(
    ("token", "constraint"),
    [
        ("x" * 65, "Member must have length less than or equal to 64"),
        ("has space", "Member must satisfy regular expression pattern: [!-~]+"),
    ],
)
def test_client_token_constraints(world: RedriveWorld, token: str, constraint: str) -> None:
    # [api] ClientToken: length 1-64, pattern [!-~]+
    arn = world.failed_execution()
    assert api_error(world.sfn.redrive_execution, {"executionArn": arn, "clientToken": token}) == (
        "ValidationException",
        f"1 validation error detected: Value '{token}' at 'clientToken' failed to satisfy constraint: "
        f"{constraint}",
    )


# ------------------------------------------------------------------ errors


def test_redrive_a_succeeded_execution(world: RedriveWorld) -> None:
    arn = world.start(world.machine("p", PASS_DEFINITION), name="e")
    world.run(arn)
    assert api_error(world.sfn.redrive_execution, {"executionArn": arn}) == (
        "ExecutionNotRedrivable",
        "Execution is SUCCEEDED and cannot be redriven",
    )
    assert "ExecutionRedriven" not in world.event_types(arn)


def test_redrive_a_running_execution(world: RedriveWorld) -> None:
    arn = world.start(world.machine("w", WAIT_DEFINITION), name="e")
    assert api_error(world.sfn.redrive_execution, {"executionArn": arn}) == (
        "ExecutionNotRedrivable",
        "Execution is RUNNING and cannot be redriven",
    )


def test_redrive_after_the_redrivable_period(world: RedriveWorld, clock: VirtualClock) -> None:
    # [api] "Your workflow execution has not exceeded the redrivable period of 14 days"
    arn = world.failed_execution()
    clock.advance(timedelta(days=14, seconds=1).total_seconds())
    assert world.describe(arn)["redriveStatusReason"] == "Execution redrivable period exceeded"
    assert api_error(world.sfn.redrive_execution, {"executionArn": arn}) == (
        "ExecutionNotRedrivable",
        "Execution redrivable period exceeded",
    )


def test_redrive_after_the_state_machine_was_deleted(world: RedriveWorld) -> None:
    arn = world.failed_execution()
    world.sfn.delete_state_machine({"stateMachineArn": world.describe(arn)["stateMachineArn"]})
    assert api_error(world.sfn.redrive_execution, {"executionArn": arn}) == (
        "ExecutionNotRedrivable",
        "State machine is in DELETING status",
    )


def test_redrive_an_unknown_execution(world: RedriveWorld) -> None:
    arn = f"{EXEC_PREFIX}:m:nope"
    assert api_error(world.sfn.redrive_execution, {"executionArn": arn}) == (
        "ExecutionDoesNotExist",
        f"Execution Does Not Exist: '{arn}'",
    )


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        ("not-an-arn", "Invalid Arn: 'Invalid ARN prefix: not-an-arn'"),
        # [api] "This API action is not supported by EXPRESS state machines": an Express execution
        # ARN is refused as DescribeExecution refuses it.
        (
            "arn:aws:states:us-east-1:123456789012:express:m:e:0b4c",
            "Invalid Arn: 'Resource type not valid in this context: express'",
        ),
    ],
)
def test_redrive_with_an_invalid_arn(world: RedriveWorld, arn: str, message: str) -> None:
    assert api_error(world.sfn.redrive_execution, {"executionArn": arn}) == ("InvalidArn", message)


# ------------------------------------------------------------------ over HTTP


def test_redrive_over_the_json_protocol(world: RedriveWorld) -> None:
    arn = world.failed_execution()
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "AWSStepFunctions.RedriveExecution",
    }
    response = handle(world.sfn, "POST", headers, json.dumps({"executionArn": arn}).encode())
    assert response.status == 200
    assert json.loads(response.body) == {"redriveDate": START_MS.timestamp()}
    again = handle(world.sfn, "POST", headers, json.dumps({"executionArn": arn}).encode())
    assert again.status == 400
    assert json.loads(again.body)["__type"].endswith("ExecutionNotRedrivable")
