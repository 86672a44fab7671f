"""Activities end to end: a Task on an activity ARN, workers polling GetActivityTask, their answers.

Sources:

* LocalStack's ``tests/aws/services/stepfunctions/v2/activities/test_activities.snapshot.json``
  (recorded against AWS, March 2024): the history of an activity task is TaskStateEntered,
  ActivityScheduled {resource, input, inputDetails, timeoutInSeconds?, heartbeatInSeconds?},
  ActivityStarted {workerName} (``{}`` without a worker name), ActivitySucceeded {output,
  outputDetails} | ActivityFailed {error, cause} | ActivityTimedOut {error: States.Timeout},
  TaskStateExited; a Task naming a deleted activity fails the execution at once with States.Runtime
  "... The activity <arn> does not exist." and no Activity* event (``test_activity_task_on_deleted``).
* AWS API reference, GetActivityTask: a long poll of at most 60 seconds; when no task arrives "the
  poll returns a taskToken with a null string"; errors ActivityDoesNotExist and InvalidArn.
* AWS API reference, SendTaskHeartbeat: activity workers use SendTaskSuccess/Failure/Heartbeat with
  the token GetActivityTask gave them; a task that times out records ActivityTimedOut.
* AWS docs, "Learn about Activities in Step Functions": TimeoutSeconds bounds the wait for the whole
  task; HeartbeatSeconds the time between heartbeats of a worker that has the task (LocalStack's
  implementation starts the heartbeat clock when a worker takes the task).

Long polls use real, tiny timeouts on the queue's condition variable; time in the executions is
virtual. Nothing sleeps.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.durable.activities import ActivityQueue, ActivityTask, start_task
from interpreter.service.errors import ApiError
from interpreter.service.stepfunctions import StepFunctionsService

from .helpers import ROLE, activity_arn, machine_arn

INPUT = '{"Value1":"HelloWorld"}'
TIMED_OUT = ("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")


def new_service(store: MemoryStore, clock: VirtualClock) -> StepFunctionsService:
    service = StepFunctionsService(store, runner=None, clock=clock)
    service.activity_poll_seconds = 0.0  # an empty poll answers at once
    return service


@pytest.fixture
def sfn(store: MemoryStore, clock: VirtualClock) -> Iterator[StepFunctionsService]:
    service = new_service(store, clock)
    yield service
    service.close()


def create_activity(sfn: StepFunctionsService, name: str = "work") -> str:
    return str(sfn.create_activity({"name": name})["activityArn"])


def start(sfn: StepFunctionsService, resource: str, name: str = "e1", **task: Any) -> str:
    """Start LocalStack's BASE_ACTIVITY_TASK machine (extra Task fields in ``task``, extra states in
    ``states``) with the recorded input."""
    states = task.pop("states", {})
    state = {"Type": "Task", "Resource": resource, "End": True, **task}
    definition = {"StartAt": "ActivityTask", "States": {"ActivityTask": state, **states}}
    if machine_arn("activity") not in [
        m["stateMachineArn"] for m in sfn.list_state_machines({})["stateMachines"]
    ]:
        sfn.create_state_machine({"name": "activity", "definition": json.dumps(definition), "roleArn": ROLE})
    else:
        sfn.update_state_machine(
            {"stateMachineArn": machine_arn("activity"), "definition": json.dumps(definition)}
        )
    request = {"stateMachineArn": machine_arn("activity"), "name": name, "input": INPUT}
    return str(sfn.start_execution(request)["executionArn"])


def run_until_queued(sfn: StepFunctionsService, activity: str, count: int = 1) -> None:
    """Run the executor until ``count`` tasks of ``activity`` wait for workers."""
    sfn.workflows.executor.run_until(lambda: sfn.workflows.activities.waiting(activity) >= count)


def run(sfn: StepFunctionsService, arn: str) -> dict[str, Any]:
    executor = sfn.workflows.executor
    executor.run_until(lambda: executor.is_finished(arn))
    return sfn.describe_execution({"executionArn": arn})


def history(sfn: StepFunctionsService, arn: str) -> list[dict[str, Any]]:
    events = sfn.get_execution_history({"executionArn": arn})["events"]
    return [{k: v for k, v in e.items() if k != "timestamp"} for e in events]


def types(sfn: StepFunctionsService, arn: str) -> list[str]:
    return [e["type"] for e in history(sfn, arn)]


def poll(sfn: StepFunctionsService, activity: str, worker: str | None = "worker-1") -> dict[str, Any]:
    request = {"activityArn": activity}
    if worker is not None:
        request["workerName"] = worker
    return sfn.get_activity_task(request)


def api_error(call: Any, request: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(ApiError) as caught:
        call(request)
    return caught.value.code, caught.value.message


def entered(event_id: int = 2) -> dict[str, Any]:
    return {
        "type": "TaskStateEntered",
        "id": event_id,
        "previousEventId": 0,
        "stateEnteredEventDetails": {
            "name": "ActivityTask",
            "input": INPUT,
            "inputDetails": {"truncated": False},
        },
    }


STARTED_EVENT = {
    "type": "ExecutionStarted",
    "id": 1,
    "previousEventId": 0,
    "executionStartedEventDetails": {"input": INPUT, "inputDetails": {"truncated": False}, "roleArn": ROLE},
}


# ------------------------------------------------------------------ the worker's round trip


def test_a_worker_gets_the_input_and_its_output_ends_the_task(sfn: StepFunctionsService) -> None:
    # AWS (recorded): test_activity_task, the whole history.
    activity = create_activity(sfn)
    arn = start(sfn, activity)
    run_until_queued(sfn, activity)
    assert types(sfn, arn)[-1] == "ActivityScheduled"

    task = poll(sfn, activity, "BASE_ID_ACTIVITY_CONSUMER")
    assert task["input"] == INPUT
    assert task["taskToken"].startswith(arn + "#")
    assert sfn.send_task_success({"taskToken": task["taskToken"], "output": INPUT}) == {}
    described = run(sfn, arn)
    assert (described["status"], described["output"]) == ("SUCCEEDED", INPUT)
    assert history(sfn, arn) == [
        STARTED_EVENT,
        entered(),
        {
            "type": "ActivityScheduled",
            "id": 3,
            "previousEventId": 2,
            "activityScheduledEventDetails": {
                "resource": activity,
                "input": INPUT,
                "inputDetails": {"truncated": False},
            },
        },
        {
            "type": "ActivityStarted",
            "id": 4,
            "previousEventId": 3,
            "activityStartedEventDetails": {"workerName": "BASE_ID_ACTIVITY_CONSUMER"},
        },
        {
            "type": "ActivitySucceeded",
            "id": 5,
            "previousEventId": 4,
            "activitySucceededEventDetails": {"output": INPUT, "outputDetails": {"truncated": False}},
        },
        {
            "type": "TaskStateExited",
            "id": 6,
            "previousEventId": 5,
            "stateExitedEventDetails": {
                "name": "ActivityTask",
                "output": INPUT,
                "outputDetails": {"truncated": False},
            },
        },
        {
            "type": "ExecutionSucceeded",
            "id": 7,
            "previousEventId": 6,
            "executionSucceededEventDetails": {"output": INPUT, "outputDetails": {"truncated": False}},
        },
    ]


def test_without_a_worker_name_activity_started_has_empty_details(sfn: StepFunctionsService) -> None:
    # AWS (recorded): test_activity_task_no_worker_name, "activityStartedEventDetails": {}.
    activity = create_activity(sfn)
    arn = start(sfn, activity)
    run_until_queued(sfn, activity)
    task = poll(sfn, activity, worker=None)
    sfn.send_task_success({"taskToken": task["taskToken"], "output": '{"done":true}'})
    assert run(sfn, arn)["output"] == '{"done":true}'
    started = next(e for e in history(sfn, arn) if e["type"] == "ActivityStarted")
    assert started["activityStartedEventDetails"] == {}


def test_the_task_gets_its_parameters_and_the_output_goes_through_result_path(
    sfn: StepFunctionsService,
) -> None:
    activity = create_activity(sfn)
    arn = start(sfn, activity, Parameters={"value.$": "$.Value1", "fixed": 1}, ResultPath="$.result")
    run_until_queued(sfn, activity)
    task = poll(sfn, activity)
    assert json.loads(task["input"]) == {"value": "HelloWorld", "fixed": 1}
    sfn.send_task_success({"taskToken": task["taskToken"], "output": '"ok"'})
    assert json.loads(run(sfn, arn)["output"]) == {"Value1": "HelloWorld", "result": "ok"}


def test_send_task_failure_records_activity_failed_and_fails_the_execution(sfn: StepFunctionsService) -> None:
    # AWS (recorded): test_activity_task_failure: ActivityFailed {error, cause}, then ExecutionFailed
    # with the same error and cause (no Catch).
    activity = create_activity(sfn)
    arn = start(sfn, activity)
    run_until_queued(sfn, activity)
    token = poll(sfn, activity)["taskToken"]
    sfn.send_task_failure({"taskToken": token, "error": "Programmatic Error", "cause": INPUT})
    described = run(sfn, arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Programmatic Error",
        INPUT,
    )
    assert history(sfn, arn)[-2:] == [
        {
            "type": "ActivityFailed",
            "id": 5,
            "previousEventId": 4,
            "activityFailedEventDetails": {"error": "Programmatic Error", "cause": INPUT},
        },
        {
            "type": "ExecutionFailed",
            "id": 6,
            "previousEventId": 5,
            "executionFailedEventDetails": {"error": "Programmatic Error", "cause": INPUT},
        },
    ]


def test_a_failure_is_caught_like_any_task_failure(sfn: StepFunctionsService) -> None:
    activity = create_activity(sfn)
    catch = [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Caught"}]
    arn = start(sfn, activity, Catch=catch, states={"Caught": {"Type": "Pass", "End": True}})
    run_until_queued(sfn, activity)
    token = poll(sfn, activity)["taskToken"]
    sfn.send_task_failure({"taskToken": token, "error": "Work.Rejected", "cause": "no stock"})
    described = run(sfn, arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {
        "Value1": "HelloWorld",
        "error": {"Error": "Work.Rejected", "Cause": "no stock"},
    }
    assert types(sfn, arn)[2:] == [
        "ActivityScheduled",
        "ActivityStarted",
        "ActivityFailed",
        "TaskStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


# ------------------------------------------------------------------ timeouts and heartbeats


def test_timeout_seconds_after_the_worker_took_the_task(
    sfn: StepFunctionsService, clock: VirtualClock
) -> None:
    # AWS (recorded): test_activity_task_start_timeout: TimeoutSeconds 5, the worker never answers.
    activity = create_activity(sfn)
    arn = start(sfn, activity, TimeoutSeconds=5)
    run_until_queued(sfn, activity)
    token = poll(sfn, activity, "BASE_ID_ACTIVITY_CONSUMER")["taskToken"]
    described = run(sfn, arn)
    assert clock.elapsed.total_seconds() == 5
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
    events = history(sfn, arn)
    assert events[2]["activityScheduledEventDetails"] == {
        "resource": activity,
        "input": INPUT,
        "inputDetails": {"truncated": False},
        "timeoutInSeconds": 5,
    }
    assert events[3:] == [
        {
            "type": "ActivityStarted",
            "id": 4,
            "previousEventId": 3,
            "activityStartedEventDetails": {"workerName": "BASE_ID_ACTIVITY_CONSUMER"},
        },
        {
            "type": "ActivityTimedOut",
            "id": 5,
            "previousEventId": 4,
            "activityTimedOutEventDetails": {"error": "States.Timeout"},
        },
        {
            "type": "ExecutionFailed",
            "id": 6,
            "previousEventId": 5,
            "executionFailedEventDetails": {"error": "States.Timeout"},
        },
    ]
    # the task is closed: a late answer is refused as for any task token
    assert api_error(sfn.send_task_success, {"taskToken": token, "output": "{}"}) == TIMED_OUT


def test_timeout_seconds_counts_from_scheduling_when_no_worker_comes(
    sfn: StepFunctionsService, clock: VirtualClock
) -> None:
    activity = create_activity(sfn)
    arn = start(sfn, activity, TimeoutSeconds=30)
    described = run(sfn, arn)
    assert clock.elapsed.total_seconds() == 30
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
    assert types(sfn, arn)[2:] == ["ActivityScheduled", "ActivityTimedOut", "ExecutionFailed"]
    # the queued task is gone with it: the next worker finds nothing
    assert poll(sfn, activity) == {}


def test_heartbeat_seconds_counts_from_the_start(sfn: StepFunctionsService, clock: VirtualClock) -> None:
    # AWS (recorded): test_activity_task_with_heartbeat, heartbeatInSeconds and timeoutInSeconds
    # in ActivityScheduled.
    activity = create_activity(sfn)
    arn = start(sfn, activity, TimeoutSeconds=60, HeartbeatSeconds=10)
    run_until_queued(sfn, activity)
    clock.advance(30)  # no worker for 30 s: longer than HeartbeatSeconds, and nothing times out
    poll(sfn, activity)
    described = run(sfn, arn)
    assert clock.elapsed.total_seconds() == 40
    assert (described["status"], described["error"]) == ("FAILED", "States.HeartbeatTimeout")
    events = history(sfn, arn)
    assert events[2]["activityScheduledEventDetails"] == {
        "resource": activity,
        "input": INPUT,
        "inputDetails": {"truncated": False},
        "timeoutInSeconds": 60,
        "heartbeatInSeconds": 10,
    }
    assert [e["type"] for e in events[3:]] == ["ActivityStarted", "ActivityTimedOut", "ExecutionFailed"]
    assert events[4]["activityTimedOutEventDetails"] == {"error": "States.HeartbeatTimeout"}


def test_heartbeats_keep_the_task_alive(sfn: StepFunctionsService, clock: VirtualClock) -> None:
    activity = create_activity(sfn)
    arn = start(sfn, activity, HeartbeatSeconds=10)
    run_until_queued(sfn, activity)
    token = poll(sfn, activity)["taskToken"]
    executor = sfn.workflows.executor
    timers = executor._timers  # (due, seq, arn, message) heap

    def nothing_due() -> bool:
        return not timers or timers[0][0] > clock.now()

    for _ in range(3):
        clock.advance(8)
        executor.run_until(nothing_due)
        assert sfn.send_task_heartbeat({"taskToken": token}) == {}
    clock.advance(8)
    executor.run_until(nothing_due)
    assert sfn.describe_execution({"executionArn": arn})["status"] == "RUNNING"  # 32 s
    sfn.send_task_success({"taskToken": token, "output": "{}"})
    assert run(sfn, arn)["status"] == "SUCCEEDED"
    assert "ActivityTimedOut" not in types(sfn, arn)


def test_a_timed_out_task_is_retried_and_a_worker_gets_the_new_one(
    sfn: StepFunctionsService, clock: VirtualClock
) -> None:
    activity = create_activity(sfn)
    retry = [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 2, "MaxAttempts": 1}]
    arn = start(sfn, activity, TimeoutSeconds=5, Retry=retry)
    executor = sfn.workflows.executor
    executor.run_until(lambda: types(sfn, arn).count("ActivityScheduled") == 2)
    assert clock.elapsed.total_seconds() == 7
    task = poll(sfn, activity)  # the first, timed-out task is skipped
    sfn.send_task_success({"taskToken": task["taskToken"], "output": '"second"'})
    assert run(sfn, arn)["output"] == '"second"'
    assert types(sfn, arn)[2:] == [
        "ActivityScheduled",
        "ActivityTimedOut",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]


# ------------------------------------------------------------------ activities that do not exist


def test_a_deleted_activity_fails_the_execution_with_states_runtime(sfn: StepFunctionsService) -> None:
    # AWS (recorded): test_activity_task_on_deleted: no ActivityScheduled, no ActivityScheduleFailed.
    activity = create_activity(sfn)
    sfn.delete_activity({"activityArn": activity})
    arn = start(sfn, activity, Retry=[{"ErrorEquals": ["States.ALL"]}])  # States.Runtime is not retried
    described = run(sfn, arn)
    cause = (
        "An error occurred while executing the state 'ActivityTask' (entered at the event id #2). "
        f"The activity {activity} does not exist."
    )
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "States.Runtime",
        cause,
    )
    assert history(sfn, arn) == [
        STARTED_EVENT,
        entered(),
        {
            "type": "ExecutionFailed",
            "id": 3,
            "previousEventId": 2,
            "executionFailedEventDetails": {"error": "States.Runtime", "cause": cause},
        },
    ]


# ------------------------------------------------------------------ GetActivityTask


def test_a_poll_with_nothing_queued_answers_empty_after_the_poll_time(sfn: StepFunctionsService) -> None:
    activity = create_activity(sfn)
    sfn.activity_poll_seconds = 0.05
    began = time.monotonic()
    assert poll(sfn, activity) == {}
    assert time.monotonic() - began >= 0.05


def test_a_waiting_poll_wakes_when_a_task_is_scheduled(sfn: StepFunctionsService) -> None:
    activity = create_activity(sfn)
    sfn.activity_poll_seconds = 30.0  # the task arrives long before
    got: dict[str, Any] = {}
    polling = threading.Thread(target=lambda: got.update(poll(sfn, activity)), daemon=True)
    polling.start()
    arn = start(sfn, activity)
    sfn.workflows.executor.run_until(lambda: "ActivityScheduled" in types(sfn, arn))
    polling.join(10)
    assert got["input"] == INPUT
    sfn.send_task_success({"taskToken": got["taskToken"], "output": "{}"})
    assert run(sfn, arn)["status"] == "SUCCEEDED"


def test_poll_errors(sfn: StepFunctionsService) -> None:
    assert api_error(sfn.get_activity_task, {"activityArn": activity_arn("nope")}) == (
        "ActivityDoesNotExist",
        f"Activity Does Not Exist: '{activity_arn('nope')}'",
    )
    assert api_error(sfn.get_activity_task, {"activityArn": "work"}) == (
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: work'",
    )
    assert api_error(sfn.get_activity_task, {"activityArn": machine_arn("m")}) == (
        "InvalidArn",
        "Invalid Arn: 'Resource type not valid in this context: stateMachine'",
    )


def test_tasks_go_to_workers_in_order_and_two_workers_never_get_the_same_task(
    sfn: StepFunctionsService,
) -> None:
    activity = create_activity(sfn)
    arns = [start(sfn, activity, name=f"e{i}") for i in range(12)]
    run_until_queued(sfn, activity, count=12)
    tokens: list[list[str]] = [[] for _ in range(4)]
    go = threading.Barrier(4)

    def worker(index: int) -> None:
        go.wait(10)
        while task := poll(sfn, activity, f"w{index}"):
            tokens[index].append(task["taskToken"])

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    handed_out = [token for got in tokens for token in got]
    assert sorted(handed_out) == sorted(set(handed_out))
    assert sorted(token.partition("#")[0] for token in handed_out) == sorted(arns)
    for got in tokens:  # each worker got its tasks in the order they were scheduled
        assert got == sorted(got, key=lambda token: arns.index(token.partition("#")[0]))
    for arn in arns:
        assert types(sfn, arn).count("ActivityStarted") == 1


def test_a_task_handed_out_twice_is_started_once(sfn: StepFunctionsService) -> None:
    # A re-queue racing a start (a resume over the same store) can hand one task to two pollers:
    # the execution accepts the first start only, and the second poller does not get the task.
    activity = create_activity(sfn)
    arn = start(sfn, activity)
    run_until_queued(sfn, activity)
    task = sfn.workflows.activities.take(activity, 0)
    assert task is not None
    executor = sfn.workflows.executor
    assert start_task(executor, task, "first") is True
    assert start_task(executor, task, "second") is False
    started = [e for e in history(sfn, arn) if e["type"] == "ActivityStarted"]
    assert [e["activityStartedEventDetails"] for e in started] == [{"workerName": "first"}]


def test_a_stopped_execution_leaves_nothing_to_poll(sfn: StepFunctionsService) -> None:
    activity = create_activity(sfn)
    arn = start(sfn, activity)
    run_until_queued(sfn, activity)
    sfn.stop_execution({"executionArn": arn})
    assert poll(sfn, activity) == {}


def test_the_queue_keeps_one_entry_per_task() -> None:
    queue = ActivityQueue()
    task = ActivityTask("arn:activity", "arn:execution", "arn:execution#callback-2", "activity_start-3", {})
    assert queue.put(task) is True
    assert queue.put(task) is False  # already queued
    assert queue.take("arn:activity", 0) == task
    assert queue.put(task) is False  # already handed out
    assert queue.take("arn:activity", 0) is None
    queue.give_back(task)  # could not be handed out after all (the store failed)
    assert queue.take("arn:activity", 0) == task
    queue.close()
    assert queue.take("arn:activity", 30) is None  # closed: no wait


def test_a_store_failure_while_starting_keeps_the_task(sfn: StepFunctionsService) -> None:
    activity = create_activity(sfn)
    arn = start(sfn, activity)
    run_until_queued(sfn, activity)
    executor = sfn.workflows.executor
    deliver = executor.deliver

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("disk full")

    executor.deliver = broken  # type: ignore[method-assign]
    with pytest.raises(OSError):
        poll(sfn, activity)
    executor.deliver = deliver  # type: ignore[method-assign]
    task = poll(sfn, activity)
    sfn.send_task_success({"taskToken": task["taskToken"], "output": "1"})
    assert run(sfn, arn)["output"] == "1"


def test_activity_tasks_in_a_map_each_go_to_a_worker(sfn: StepFunctionsService) -> None:
    activity = create_activity(sfn)
    task = {"Type": "Task", "Resource": activity, "End": True}
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {"StartAt": "Work", "States": {"Work": task}},
                "End": True,
            }
        },
    }
    sfn.create_state_machine({"name": "fan-out", "definition": json.dumps(definition), "roleArn": ROLE})
    request = {"stateMachineArn": machine_arn("fan-out"), "input": '{"items": [1, 2, 3]}'}
    arn = sfn.start_execution(request)["executionArn"]
    run_until_queued(sfn, activity, count=3)
    while task := poll(sfn, activity):
        value = json.loads(task["input"])
        sfn.send_task_success({"taskToken": task["taskToken"], "output": json.dumps(value * 10)})
    assert json.loads(run(sfn, arn)["output"]) == [10, 20, 30]
    assert types(sfn, arn).count("ActivityStarted") == 3


# ------------------------------------------------------------------ crashes and other processes


def test_a_scheduled_task_is_queued_again_after_a_crash(store: MemoryStore, clock: VirtualClock) -> None:
    first = new_service(store, clock)
    activity = create_activity(first)
    arn = start(first, activity)
    run_until_queued(first, activity)
    # the process dies; a new one resumes the store's executions
    second = new_service(store, clock)
    assert second.workflows.executor.resume(takeover=True) == [arn]
    assert second.workflows.activities.waiting(activity) == 1
    task = poll(second, activity)
    second.send_task_success({"taskToken": task["taskToken"], "output": '"after crash"'})
    assert run(second, arn)["output"] == '"after crash"'
    assert types(second, arn).count("ActivityScheduled") == 1


def test_a_crash_before_scheduling_schedules_on_resume(store: MemoryStore, clock: VirtualClock) -> None:
    first = new_service(store, clock)
    activity = create_activity(first)
    arn = start(first, activity)  # the scheduling answer is never delivered: the process dies
    assert "ActivityScheduled" not in types(first, arn)
    second = new_service(store, clock)
    second.workflows.executor.resume(takeover=True)
    run_until_queued(second, activity)
    assert poll(second, activity)["input"] == INPUT


def test_a_started_task_is_not_queued_again(store: MemoryStore, clock: VirtualClock) -> None:
    first = new_service(store, clock)
    activity = create_activity(first)
    arn = start(first, activity)
    run_until_queued(first, activity)
    token = poll(first, activity)["taskToken"]
    second = new_service(store, clock)
    second.workflows.executor.resume(takeover=True)
    assert second.workflows.activities.waiting(activity) == 0
    assert poll(second, activity) == {}
    second.send_task_success({"taskToken": token, "output": '"once"'})  # the worker still answers
    assert run(second, arn)["output"] == '"once"'
    assert types(second, arn).count("ActivityStarted") == 1


def test_a_poll_finds_a_task_another_process_scheduled(store: MemoryStore, clock: VirtualClock) -> None:
    # e.g. `stepfn send-task-success` advanced the execution to its next activity task in the CLI
    scheduler = new_service(store, clock)
    activity = create_activity(scheduler)
    arn = start(scheduler, activity)
    run_until_queued(scheduler, activity)
    server = new_service(store, clock)  # polled without resuming anything
    task = poll(server, activity)
    assert task["input"] == INPUT
    server.send_task_success({"taskToken": task["taskToken"], "output": "{}"})
    assert run(server, arn)["status"] == "SUCCEEDED"
    assert poll(scheduler, activity) == {}  # its own queued copy is stale now
