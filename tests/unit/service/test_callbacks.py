"""SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat for ``.waitForTaskToken`` tasks.

Sources:

* AWS docs, "Wait for a Callback with Task Token" and "HeartbeatSeconds": the task waits until
  SendTaskSuccess/SendTaskFailure with ``$$.Task.Token``; a task with HeartbeatSeconds fails with
  States.HeartbeatTimeout when no heartbeat (or result) arrives in time.
* API reference, SendTaskSuccess/Failure/Heartbeat errors: TaskTimedOut is "the task token has either
  expired or the task associated with the token has already been closed".
* Real AWS answers with ``TaskTimedOut: Task Timed Out: 'Provided task does not exist anymore'`` for a
  callback after the task timed out (andybalham, blog-task-tokens-part-2, 2022, AWS SDK error
  dump) and for a token used a second time (aws-samples/amazon-mwaa-examples#61, SendTaskFailure).
"""

from __future__ import annotations

import json

import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.stores.memory import MemoryStore

from .execution_fixtures import World, api_error, callback_definition

TIMED_OUT = ("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
INVALID = ("InvalidToken", "Invalid Token: 'Invalid token'")
EXEC_PREFIX = "arn:aws:states:us-east-1:123456789012:execution"


@pytest.fixture
def world(store: MemoryStore, clock: VirtualClock) -> World:
    return World(store, clock)


def _waiting(world: World, definition: str, **start: object) -> tuple[str, str]:
    """Start the callback machine and run until its task waits; (execution ARN, task token)."""
    arn = world.start(world.machine("approval", definition), **start)
    return arn, world.wait_for_callback(arn)


# ------------------------------------------------------------------ success and failure


def test_the_task_gets_the_token_and_send_task_success_ends_it_with_the_output(world: World) -> None:
    arn, token = _waiting(world, callback_definition(), name="e1", input='{"order": 7}')
    assert token.startswith(f"{EXEC_PREFIX}:approval:e1#")
    assert world.notified == [{"token": token, "input": {"order": 7}}]
    assert world.describe(arn)["status"] == "RUNNING"
    assert world.sfn.send_task_success({"taskToken": token, "output": '{"approved": true}'}) == {}
    described = world.run(arn)
    assert (described["status"], described["output"]) == ("SUCCEEDED", '{"approved":true}')
    types = world.event_types(arn)
    assert types[types.index("TaskSubmitted") :] == [
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    succeeded = world.history(arn)[types.index("TaskSucceeded")]["taskSucceededEventDetails"]
    assert succeeded == {
        "resourceType": "lambda",
        "resource": "invoke.waitForTaskToken",
        "output": '{"approved":true}',
        "outputDetails": {"truncated": False},
    }


def test_send_task_failure_fails_the_task_and_catch_takes_it(world: World) -> None:
    arn, token = _waiting(world, callback_definition(catch=True))
    assert world.sfn.send_task_failure({"taskToken": token, "error": "Rejected", "cause": "no budget"}) == {}
    described = world.run(arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"Error": "Rejected", "Cause": "no budget"}
    failed = next(e for e in world.history(arn) if e["type"] == "TaskFailed")["taskFailedEventDetails"]
    assert failed == {
        "resourceType": "lambda",
        "resource": "invoke.waitForTaskToken",
        "error": "Rejected",
        "cause": "no budget",
    }


def test_send_task_failure_without_catch_fails_the_execution(world: World) -> None:
    arn, token = _waiting(world, callback_definition())
    world.sfn.send_task_failure({"taskToken": token, "error": "Rejected", "cause": "no budget"})
    described = world.run(arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Rejected",
        "no budget",
    )


def test_a_callback_through_another_service_over_the_same_store(world: World) -> None:
    # The CLI (`stepfn send-task-success`) is another process with its own executor.
    arn, token = _waiting(world, callback_definition())
    other = world.service()
    other.send_task_success({"taskToken": token, "output": '"ok"'})
    other.workflows.run_to_end(arn)
    assert world.describe(arn)["output"] == '"ok"'


def test_a_second_callback_for_the_same_task_is_refused(world: World) -> None:
    arn, token = _waiting(world, callback_definition())
    world.sfn.send_task_success({"taskToken": token, "output": "{}"})
    assert api_error(world.sfn.send_task_success, {"taskToken": token, "output": "{}"}) == TIMED_OUT
    assert api_error(world.sfn.send_task_failure, {"taskToken": token}) == TIMED_OUT
    assert api_error(world.sfn.send_task_heartbeat, {"taskToken": token}) == TIMED_OUT
    assert world.run(arn)["output"] == "{}"


# ------------------------------------------------------------------ heartbeats and timeouts


def test_heartbeats_keep_the_task_alive(world: World, clock: VirtualClock) -> None:
    arn, token = _waiting(world, callback_definition(HeartbeatSeconds=10))
    timers = world.sfn.workflows.executor._timers  # (due, seq, arn, message) heap

    def nothing_due() -> bool:
        return not timers or timers[0][0] > clock.now()

    for _ in range(3):
        clock.advance(8)
        world.run_until(nothing_due)  # the timers of earlier heartbeat periods fire and are ignored
        assert world.sfn.send_task_heartbeat({"taskToken": token}) == {}
    clock.advance(8)
    world.run_until(nothing_due)
    assert world.describe(arn)["status"] == "RUNNING"  # 32 s, past three heartbeat periods
    world.sfn.send_task_success({"taskToken": token, "output": '{"done": 1}'})
    assert world.run(arn)["status"] == "SUCCEEDED"
    assert "TaskTimedOut" not in world.event_types(arn)


def test_a_missing_heartbeat_times_the_task_out(world: World, clock: VirtualClock) -> None:
    arn, token = _waiting(world, callback_definition(HeartbeatSeconds=10))
    described = world.run(arn)
    assert clock.elapsed.total_seconds() == 10
    assert (described["status"], described["error"]) == ("FAILED", "States.HeartbeatTimeout")
    timed_out = next(e for e in world.history(arn) if e["type"] == "TaskTimedOut")["taskTimedOutEventDetails"]
    assert timed_out == {
        "resourceType": "lambda",
        "resource": "invoke.waitForTaskToken",
        "error": "States.HeartbeatTimeout",
    }
    assert api_error(world.sfn.send_task_success, {"taskToken": token, "output": "{}"}) == TIMED_OUT
    assert api_error(world.sfn.send_task_heartbeat, {"taskToken": token}) == TIMED_OUT


def test_a_heartbeat_timeout_can_be_caught_and_a_late_callback_is_refused(world: World) -> None:
    arn, token = _waiting(world, callback_definition(HeartbeatSeconds=5, catch=True))
    described = world.run(arn)
    assert json.loads(described["output"]) == {"Error": "States.HeartbeatTimeout"}
    assert api_error(world.sfn.send_task_success, {"taskToken": token, "output": "{}"}) == TIMED_OUT


def test_a_task_timeout_closes_the_token(world: World, clock: VirtualClock) -> None:
    arn, token = _waiting(world, callback_definition(TimeoutSeconds=30))
    described = world.run(arn)
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
    assert clock.elapsed.total_seconds() == 30
    assert api_error(world.sfn.send_task_failure, {"taskToken": token, "error": "late"}) == TIMED_OUT


def test_a_heartbeat_for_a_task_without_heartbeat_seconds_is_accepted(world: World) -> None:
    arn, token = _waiting(world, callback_definition())
    assert world.sfn.send_task_heartbeat({"taskToken": token}) == {}
    assert world.describe(arn)["status"] == "RUNNING"


# ------------------------------------------------------------------ stopped executions


def test_stopping_a_waiting_execution_aborts_it_and_closes_the_token(world: World) -> None:
    arn, token = _waiting(world, callback_definition())
    world.sfn.stop_execution({"executionArn": arn, "error": "Cancelled", "cause": "by operator"})
    described = world.describe(arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "ABORTED",
        "Cancelled",
        "by operator",
    )
    assert world.event_types(arn)[-1] == "ExecutionAborted"
    assert api_error(world.sfn.send_task_success, {"taskToken": token, "output": "{}"}) == TIMED_OUT
    assert world.describe(arn)["status"] == "ABORTED"


# ------------------------------------------------------------------ bad requests


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "AAAAKgAAAAIAAAAAAAAAAf7v5I0OsS8N3nE0fZ0V",
        f"{EXEC_PREFIX}:approval:e1",
        f"{EXEC_PREFIX}:approval:e1#task-1",
        f"{EXEC_PREFIX}:approval:e1#callback-one",
        "arn:aws:states:us-east-1:123456789012:stateMachine:approval#callback-1",
        "arn:aws:states:us-east-1:123456789012:execution:approval:e1:extra#callback-1",
    ],
)
def test_a_token_that_is_not_one_of_ours_is_invalid(world: World, token: str) -> None:
    _waiting(world, callback_definition(), name="e1")
    assert api_error(world.sfn.send_task_success, {"taskToken": token, "output": "{}"}) == INVALID
    assert api_error(world.sfn.send_task_failure, {"taskToken": token}) == INVALID
    assert api_error(world.sfn.send_task_heartbeat, {"taskToken": token}) == INVALID


def test_a_token_this_execution_never_issued_is_invalid(world: World) -> None:
    _waiting(world, callback_definition(), name="e1")
    token = f"{EXEC_PREFIX}:approval:e1#callback-99"
    assert api_error(world.sfn.send_task_success, {"taskToken": token, "output": "{}"}) == INVALID


def test_a_token_of_an_execution_that_does_not_exist(world: World) -> None:
    token = f"{EXEC_PREFIX}:approval:gone#callback-1"
    assert api_error(world.sfn.send_task_success, {"taskToken": token, "output": "{}"}) == (
        "TaskDoesNotExist",
        f"Task Does Not Exist: '{token}'",
    )
    assert api_error(world.sfn.send_task_heartbeat, {"taskToken": token})[0] == "TaskDoesNotExist"


@pytest.mark.parametrize(
    ("output", "problem"),
    [
        (
            "not json",
            "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', "
            "'true' or 'false')",
        ),
        ("{'a': 1}", "Unexpected character (''' (code 39)): was expecting double-quote to start field name"),
        ("", "No content to map due to end-of-input"),
    ],
)
def test_output_that_is_not_json_is_invalid_output(world: World, output: str, problem: str) -> None:
    arn, token = _waiting(world, callback_definition())
    assert api_error(world.sfn.send_task_success, {"taskToken": token, "output": output}) == (
        "InvalidOutput",
        f"Invalid Output: '{problem}'",
    )
    assert world.describe(arn)["status"] == "RUNNING"  # the task still waits


def test_oversized_output_error_and_cause_are_refused(world: World) -> None:
    arn, token = _waiting(world, callback_definition())
    too_big = json.dumps("x" * 262_143)
    assert api_error(world.sfn.send_task_success, {"taskToken": token, "output": too_big}) == (
        "ValidationException",
        "1 validation error detected: Value at 'output' failed to satisfy constraint: Member must have size "
        "less than or equal to 262144 bytes in UTF-8 encoding",
    )
    assert api_error(world.sfn.send_task_failure, {"taskToken": token, "error": "e" * 257}) == (
        "ValidationException",
        "1 validation error detected: Value at 'error' failed to satisfy constraint: Member must have length "
        "less than or equal to 256",
    )
    assert api_error(world.sfn.send_task_failure, {"taskToken": token, "cause": "c" * 32_769}) == (
        "ValidationException",
        "1 validation error detected: Value at 'cause' failed to satisfy constraint: Member must have length "
        "less than or equal to 32768",
    )
    assert world.describe(arn)["status"] == "RUNNING"
