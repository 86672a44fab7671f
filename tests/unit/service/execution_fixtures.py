"""Shared pieces of the execution and callback service tests: the facade over ``MemoryStore`` with
a virtual clock and local Lambda handlers, definitions, and an AWS-error helper."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.service.errors import ApiError
from interpreter.service.stepfunctions import StepFunctionsService

from .helpers import ROLE

WAIT_DEFINITION = json.dumps(
    {
        "StartAt": "State_1",
        "States": {
            "State_1": {"Type": "Wait", "Seconds": 60, "Next": "Done"},
            "Done": {"Type": "Pass", "End": True},
        },
    }
)
# LocalStack's BASE_RAISE_FAILURE template (AWS-recorded in test_express_sync.snapshot.json).
FAIL_DEFINITION = json.dumps(
    {
        "StartAt": "FailState",
        "States": {
            "FailState": {
                "Type": "Fail",
                "Error": "SomeFailure",
                "Cause": "This state machines raises a 'SomeFailure' failure.",
            }
        },
    }
)
TIMEOUT_DEFINITION = json.dumps(
    {"StartAt": "W", "TimeoutSeconds": 3, "States": {"W": {"Type": "Wait", "Seconds": 25, "End": True}}}
)


def callback_definition(**task: Any) -> str:
    """A ``.waitForTaskToken`` Lambda task handing its token to the ``notify`` handler; a Catch on
    States.ALL leads to ``Caught`` when ``catch`` is true."""
    catch = task.pop("catch", False)
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token", "input.$": "$"}},
        "End": True,
        **task,
    }
    states: dict[str, Any] = {"Wait for approval": state}
    if catch:
        state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
        states["Caught"] = {"Type": "Pass", "End": True}
    return json.dumps({"StartAt": "Wait for approval", "States": states})


class World:
    """A service over one store, the clock, and what the ``notify`` handler was given."""

    def __init__(self, store: MemoryStore, clock: VirtualClock) -> None:
        self.store = store
        self.clock = clock
        self.notified: list[dict[str, Any]] = []
        self.sfn = self.service()

    def service(self) -> StepFunctionsService:
        """A service over the same store (another process, e.g. the CLI, would make its own)."""

        def notify(event: dict[str, Any], context: Any) -> dict[str, Any]:
            self.notified.append(event)
            return {"queued": True}

        runner = LocalTaskRunner.from_handlers({"notify": notify}, clock=self.clock)
        return StepFunctionsService(self.store, runner=runner, clock=self.clock)

    def machine(self, name: str, definition: str, machine_type: str = "STANDARD") -> str:
        request = {"name": name, "definition": definition, "roleArn": ROLE, "type": machine_type}
        return str(self.sfn.create_state_machine(request)["stateMachineArn"])

    def start(self, machine_arn: str, **request: Any) -> str:
        return str(self.sfn.start_execution({"stateMachineArn": machine_arn, **request})["executionArn"])

    def run(self, arn: str) -> dict[str, Any]:
        """Drive the execution to its end (virtual time) and describe it."""
        self.sfn.workflows.run_to_end(arn)
        return self.describe(arn)

    def run_until(self, done: Callable[[], bool]) -> None:
        self.sfn.workflows.executor.run_until(done)

    def describe(self, arn: str) -> dict[str, Any]:
        return self.sfn.describe_execution({"executionArn": arn})

    def history(self, arn: str, **request: Any) -> list[dict[str, Any]]:
        return list(self.sfn.get_execution_history({"executionArn": arn, **request})["events"])

    def event_types(self, arn: str) -> list[str]:
        return [event["type"] for event in self.history(arn)]

    def token(self) -> str:
        """The task token the last callback task handed to ``notify``."""
        return str(self.notified[-1]["token"])

    def wait_for_callback(self, arn: str) -> str:
        """Run until the callback task's invocation went out (TaskSubmitted); its task token."""
        self.run_until(lambda: "TaskSubmitted" in self.event_types(arn))
        return self.token()


def api_error(call: Callable[[dict[str, Any]], Any], request: dict[str, Any]) -> tuple[str, str]:
    """``(code, message)`` of the ``ApiError`` the call raises."""
    with pytest.raises(ApiError) as caught:
        call(request)
    return caught.value.code, caught.value.message
