"""StopExecution: the history AWS records, and the record a redrive goes on from.

Sources (what AWS recorded):

* [ls-snapshot] LocalStack's AWS-recorded snapshot
  ``tests/aws/services/stepfunctions/v2/test_sfn_api.snapshot.json``,
  ``TestSnfApi::test_stop_execution`` (recorded 06-05-2024): a ``Wait`` of 60 s (``State_1``)
  stopped with no error or cause reads ExecutionStarted (1, prev 0), WaitStateEntered (2, prev 0),
  ExecutionAborted (3, prev 0) with ``executionAbortedEventDetails: {}``. No WaitStateAborted.
* [floci] floci-io/floci#2965 quotes the same measured event,
  ``{"type": "ExecutionAborted", "id": 3, "previousEventId": 0, "executionAbortedEventDetails": {}}``;
  floci-io/floci#2734 measured a ``Wait: 30`` stopped with ``--error Manual --cause probe``:
  ABORTED, Manual, probe.
* [aws-export] A real AWS history exported with the CLI (penquinspecz/SignalCraft,
  ``docs/proof/m19b-orchestrator-success-true-execution-history-stopped-20260227T051717Z.json``):
  a ``lambda:invoke.waitForTaskToken`` Task stopped while it waited for its callback (with a
  ``cause`` and no ``error``) ends TaskScheduled (50), TaskStarted (51), TaskSubmitted (52),
  ExecutionAborted (53, previousEventId 0) with ``executionAbortedEventDetails: {"cause": ...}``.
  No TaskStateAborted.

So the ExecutionAborted event is chained to no event (previousEventId 0) wherever the execution
was, and stopping a Wait or a Task records no ``*StateAborted`` event. A Task stopped while its
Lambda function still runs is taken to record the same as one waiting for its callback (the same
Task, before any outcome; not separately recorded).

Not confirmed: what AWS records when the stop lands inside a Parallel, an inline Map or a
distributed Map (ParallelStateAborted? MapIterationAborted? MapStateAborted? MapRunAborted?).
No AWS-recorded history of such a stop was found; floci's AWS measurements
(AslExecutorParallelCutTest) only say that when the execution's own TimeoutSeconds cuts a
Parallel, no ``*StateAborted`` event is recorded. Those tests pin stepfn's behaviour (only the
ExecutionAborted event) and say so in their names.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.adapters.task_outcome import TaskOutcome
from interpreter.durable.workflows import TokenTarget, Workflows, parse_task_token
from interpreter.runtime.effects import RunTask, TaskDone

START = datetime(2026, 4, 1, tzinfo=UTC)
SLOW_SECONDS = 600


def slow_task(**extra: Any) -> dict[str, Any]:
    """A Lambda invoke whose function answers ``{"done": true}`` after SLOW_SECONDS."""
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "slow", "Payload.$": "$"},
        "OutputPath": "$.Payload",
        **extra,
    }


class SlowLambda:
    """The ``slow`` function: its result arrives SLOW_SECONDS of virtual time after the call."""

    def __init__(self) -> None:
        self.calls = 0

    def claims(self, task: RunTask) -> bool:
        return isinstance(task.payload, dict) and task.payload.get("FunctionName") == "slow"

    def run(self, task: RunTask, *, request_id: str, now: datetime) -> TaskOutcome:
        self.calls += 1
        return TaskOutcome(True, {"Payload": {"done": True}}, elapsed=SLOW_SECONDS)


class Harness:
    """Workflows on a MemoryStore and a VirtualClock; every step reloads the execution from the
    store (``cache=False``), so the stopped record is the stored snapshot, as after a restart."""

    def __init__(self) -> None:
        self.clock = VirtualClock(start=START)
        self.store = MemoryStore()
        self.slow = SlowLambda()
        self.notified: list[dict[str, Any]] = []

        def notify(event: dict[str, Any], context: Any) -> dict[str, Any]:
            self.notified.append(event)
            return {"queued": True}

        runner = LocalTaskRunner.from_handlers({"notify": notify}, clock=self.clock)
        runner.add(self.slow, first=True)
        self.wf = Workflows(self.store, runner=runner, clock=self.clock, cache=False)

    def start(self, definition: dict[str, Any], input: Any = None) -> str:
        machine = self.wf.put_machine("m", json.dumps(definition))
        return self.wf.start(machine, json.dumps({} if input is None else input), name="run", seed=5).arn

    def history(self, arn: str) -> list[dict[str, Any]]:
        return self.wf.history(arn)

    def types(self, arn: str) -> list[str]:
        return [e["type"] for e in self.history(arn)]

    def chain(self, arn: str) -> list[tuple[int, int, str]]:
        """(id, previousEventId, type) of every event."""
        return [(e["id"], e["previousEventId"], e["type"]) for e in self.history(arn)]

    def drain(self) -> None:
        """Let time run until every timer and late task result has been delivered."""
        executor = self.wf.executor
        executor.run_until(lambda: not executor._timers and not executor._inbox)


@pytest.fixture
def h() -> Harness:
    return Harness()


def aborted(h: Harness, arn: str) -> dict[str, Any]:
    last = h.history(arn)[-1]
    assert last["type"] == "ExecutionAborted"
    return last


# ------------------------------------------------------------------ (a) Wait


WAIT_1_MIN = {"StartAt": "State_1", "States": {"State_1": {"Type": "Wait", "Seconds": 60, "End": True}}}


def test_a_stopped_wait_records_execution_aborted_chained_to_no_event(h: Harness) -> None:
    # [ls-snapshot] test_stop_execution; [floci] #2965: no WaitStateAborted, previousEventId 0,
    # empty details when StopExecution gives no error or cause.
    arn = h.start(WAIT_1_MIN)
    h.clock.advance(3)
    stopped = h.wf.stop(arn)
    assert stopped is not None and stopped.status == "ABORTED"
    assert (stopped.error, stopped.cause) == (None, None)
    assert stopped.stop_date == START + timedelta(seconds=3)
    assert h.chain(arn) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "WaitStateEntered"),
        (3, 0, "ExecutionAborted"),
    ]
    assert aborted(h, arn)["executionAbortedEventDetails"] == {}
    # the Wait's timer fires later and changes nothing
    h.drain()
    assert h.types(arn)[-1] == "ExecutionAborted" and len(h.history(arn)) == 3


def test_a_stopped_wait_keeps_the_error_and_cause_given(h: Harness) -> None:
    # [floci] #2734: a Wait stopped with --error Manual --cause probe reads ABORTED, Manual, probe.
    arn = h.start(WAIT_1_MIN)
    h.clock.advance(3)
    stopped = h.wf.stop(arn, error="Manual", cause="probe")
    assert stopped is not None
    assert (stopped.status, stopped.error, stopped.cause) == ("ABORTED", "Manual", "probe")
    event = aborted(h, arn)
    assert (event["id"], event["previousEventId"]) == (3, 0)
    assert event["executionAbortedEventDetails"] == {"error": "Manual", "cause": "probe"}


# ------------------------------------------------------------------ (b) Task


def test_a_task_stopped_while_its_callback_is_awaited_records_only_execution_aborted(h: Harness) -> None:
    # [aws-export] ...TaskStarted, TaskSubmitted, ExecutionAborted (previousEventId 0) with only
    # the cause given: details {"cause": ...}; no TaskStateAborted.
    definition = {
        "StartAt": "RequestApproval",
        "States": {
            "RequestApproval": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token"}},
                "TimeoutSeconds": 86400,
                "End": True,
            }
        },
    }
    arn = h.start(definition)
    h.wf.executor.run_until(lambda: "TaskSubmitted" in h.types(arn))
    h.clock.advance(360)
    cause = "Manual stop after success-path reached request_manual_approval; no promote requested"
    stopped = h.wf.stop(arn, cause=cause)
    assert stopped is not None and (stopped.status, stopped.error, stopped.cause) == ("ABORTED", None, cause)
    assert h.chain(arn) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "TaskStateEntered"),
        (3, 2, "TaskScheduled"),
        (4, 3, "TaskStarted"),
        (5, 4, "TaskSubmitted"),
        (6, 0, "ExecutionAborted"),
    ]
    assert aborted(h, arn)["executionAbortedEventDetails"] == {"cause": cause}
    # a late SendTaskSuccess finds the execution ended and changes nothing
    token = h.notified[-1]["token"]
    late = h.wf.complete_task(arn_target(arn, token), TaskDone(token=token, ok=True, output={"ok": 1}))
    assert late is not None and late.status == "ABORTED"
    h.drain()  # the TimeoutSeconds timer too
    assert len(h.history(arn)) == 6


def arn_target(arn: str, token: str) -> TokenTarget:
    target = parse_task_token(token)
    assert target is not None and target.execution_arn == arn
    return target


def test_a_task_stopped_while_its_lambda_runs_records_only_execution_aborted(h: Harness) -> None:
    # Inferred from [aws-export] (the same Task before any outcome) and the rule both records
    # share: ExecutionAborted chained to no event, no TaskStateAborted.
    arn = h.start({"StartAt": "Work", "States": {"Work": slow_task(End=True)}})
    h.clock.advance(30)
    h.wf.stop(arn, error="Manual", cause="probe")
    assert h.chain(arn) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "TaskStateEntered"),
        (3, 2, "TaskScheduled"),
        (4, 3, "TaskStarted"),
        (5, 0, "ExecutionAborted"),
    ]
    assert aborted(h, arn)["executionAbortedEventDetails"] == {"error": "Manual", "cause": "probe"}
    # the function's result arrives after the stop and is dropped
    h.drain()
    assert len(h.history(arn)) == 5
    item = h.store.get_execution(arn)
    assert item is not None and item.status == "ABORTED" and item.output is None


# ------------------------------------------------------------------ (c) Parallel


PARALLEL = {
    "StartAt": "Both",
    "States": {
        "Both": {
            "Type": "Parallel",
            "End": True,
            "Branches": [
                {"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", "Seconds": 60, "End": True}}},
                {"StartAt": "Work", "States": {"Work": slow_task(End=True)}},
            ],
        }
    },
}


def test_a_stop_inside_a_parallel_records_only_execution_aborted__aws_unconfirmed(h: Harness) -> None:
    # ExecutionAborted as [ls-snapshot]/[aws-export] record it. Whether AWS also records
    # WaitStateAborted/TaskStateAborted/ParallelStateAborted here is not confirmed: none is recorded.
    arn = h.start(PARALLEL, {"x": 1})
    h.clock.advance(10)
    h.wf.stop(arn)
    assert h.chain(arn) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "ParallelStateEntered"),
        (3, 2, "ParallelStateStarted"),
        (4, 3, "WaitStateEntered"),
        (5, 3, "TaskStateEntered"),
        (6, 5, "TaskScheduled"),
        (7, 6, "TaskStarted"),
        (8, 0, "ExecutionAborted"),
    ]
    h.drain()
    assert len(h.history(arn)) == 8
    # the stopped branches are what a redrive runs again
    h.wf.redrive(arn)
    done = h.wf.run_to_end(arn)
    assert done.status == "SUCCEEDED"
    assert json.loads(done.output or "null") == [{"x": 1}, {"done": True}]
    types = h.types(arn)
    assert types[types.index("ExecutionAborted") :] == [
        "ExecutionAborted",
        "ExecutionRedriven",
        "WaitStateEntered",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "WaitStateExited",
        "TaskSucceeded",
        "TaskStateExited",
        "ParallelStateSucceeded",
        "ParallelStateExited",
        "ExecutionSucceeded",
    ]


# ------------------------------------------------------------------ (d) inline Map


INLINE_MAP = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "End": True,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Work",
                "States": {"Work": slow_task(End=True)},
            },
        }
    },
}


def test_a_stop_inside_an_inline_map_records_only_execution_aborted__aws_unconfirmed(h: Harness) -> None:
    # ExecutionAborted as [ls-snapshot]/[aws-export] record it. Whether AWS also records
    # MapIterationAborted/TaskStateAborted/MapStateAborted here is not confirmed: none is recorded.
    arn = h.start(INLINE_MAP, [1, 2])
    h.clock.advance(10)
    h.wf.stop(arn, error="Manual")
    assert h.chain(arn) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "MapStateEntered"),
        (3, 2, "MapStateStarted"),
        (4, 3, "MapIterationStarted"),
        (5, 3, "MapIterationStarted"),
        (6, 4, "TaskStateEntered"),
        (7, 6, "TaskScheduled"),
        (8, 7, "TaskStarted"),
        (9, 5, "TaskStateEntered"),
        (10, 9, "TaskScheduled"),
        (11, 10, "TaskStarted"),
        (12, 0, "ExecutionAborted"),
    ]
    assert aborted(h, arn)["executionAbortedEventDetails"] == {"error": "Manual"}
    h.drain()
    assert len(h.history(arn)) == 12
    calls = h.slow.calls
    # a redrive starts both interrupted iterations again
    h.wf.redrive(arn)
    done = h.wf.run_to_end(arn)
    assert done.status == "SUCCEEDED"
    assert json.loads(done.output or "null") == [{"done": True}, {"done": True}]
    assert h.slow.calls == calls + 2
    after = h.types(arn)[h.types(arn).index("ExecutionRedriven") :]
    assert Counter(after)["MapIterationStarted"] == 2 and Counter(after)["MapIterationSucceeded"] == 2
    assert after[-3:] == ["MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]


# ------------------------------------------------------------------ (e) distributed Map


DISTRIBUTED_MAP = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "End": True,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Work",
                "States": {"Work": slow_task(End=True)},
            },
        }
    },
}


def test_a_stop_inside_a_distributed_map_records_only_execution_aborted__aws_unconfirmed(
    h: Harness,
) -> None:
    # ExecutionAborted as [ls-snapshot]/[aws-export] record it. Whether AWS also records
    # MapRunAborted/MapStateAborted here is not confirmed: none is recorded.
    arn = h.start(DISTRIBUTED_MAP, [1, 2, 3])
    h.clock.advance(10)
    h.wf.stop(arn)
    assert h.chain(arn) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "MapStateEntered"),
        (3, 2, "MapStateStarted"),
        (4, 3, "MapRunStarted"),
        (5, 0, "ExecutionAborted"),
    ]
    assert aborted(h, arn)["executionAbortedEventDetails"] == {}
    h.drain()
    assert len(h.history(arn)) == 5
    h.wf.redrive(arn)
    done = h.wf.run_to_end(arn)
    assert done.status == "SUCCEEDED"
    assert json.loads(done.output or "null") == [{"done": True}] * 3
    types = h.types(arn)
    assert types[types.index("ExecutionAborted") :] == [
        "ExecutionAborted",
        "ExecutionRedriven",
        "MapRunRedriven",
        "MapRunSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
