"""Redrive (``durable.redrive``) on the durable engine: the execution goes on from where it stopped.

Sources for AWS's behaviour, named per test:

* [guide] Step Functions developer guide, "Restarting state machine executions with redrive"
  (redrive-executions.html): eligibility, "Redrive behavior of individual states" (Task scheduled
  again with its TimeoutSeconds reset, Fail re-entered, Wait with a past timestamp exits,
  Parallel/Inline Map rerun only failed or aborted branches/iterations), "Retry behavior of
  redriven executions" (retry attempt counts reset to 0), "the state machine level timeout ... is
  reset to 0", and "the redrive related execution events appended to the events of the original
  execution attempt. For example, the ``ExecutionRedriven`` event".
* [api] API reference: RedriveExecution (conditions: status not SUCCEEDED, 14-day redrivable
  period, one-year maximum open time, fewer than 24,999 events), ExecutionRedrivenEventDetails
  (``redriveCount``), DescribeExecution ``redriveStatusReason`` (the reason texts).

Every test runs with ``cache=False``: each step reloads the execution from the store, so the
redrive point and the redriven run come through the stored snapshot, as after a restart.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.base import ExecutionItem
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.durable.redrive import NotRedrivable, redrive_status
from interpreter.durable.workflows import Workflows

START = datetime(2026, 3, 1, tzinfo=UTC)


def lambda_task(function: str, payload: Any = None, **extra: Any) -> dict[str, Any]:
    """A Lambda invoke of a local handler; its output is the handler's result unless a ResultPath
    is given."""
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {
            "FunctionName": function,
            "Payload": payload if payload is not None else {"in.$": "$"},
        },
        **extra,
    }
    if "ResultPath" not in extra:
        state["OutputPath"] = "$.Payload"
    return state


class Harness:
    """Workflows over one store, a virtual clock, and handlers that count their calls and fail
    while ``broken`` names them."""

    def __init__(self) -> None:
        self.clock = VirtualClock(start=START)
        self.store = MemoryStore()
        self.calls: Counter[str] = Counter()
        self.broken: set[str] = set()
        self.huge: set[str] = set()  # handlers whose result is over AWS's 256 KiB
        self.seen: list[dict[str, Any]] = []
        self.wf = self.workflows()

    def workflows(self) -> Workflows:
        """A fresh engine over the same store (another process)."""

        def handler(name: str):
            def run(event: dict[str, Any], context: Any) -> Any:
                key = f"{name}:{event['item']}" if "item" in event else name
                self.calls[key] += 1
                self.seen.append(event)
                if key in self.broken or name in self.broken:
                    raise RuntimeError(f"{key} is broken")
                if name in self.huge:
                    return {"by": key, "padding": "x" * 300_000}
                return {"by": key}

            return run

        handlers = {n: handler(n) for n in ("first", "second", "left", "right", "work")}
        runner = LocalTaskRunner.from_handlers(handlers, clock=self.clock)
        return Workflows(self.store, runner=runner, clock=self.clock, cache=False)

    def start(self, definition: dict[str, Any], input: Any = None, name: str = "run") -> str:
        machine = self.wf.put_machine("m", json.dumps(definition))
        return self.wf.start(machine, json.dumps({} if input is None else input), name=name, seed=3).arn

    def run(self, arn: str) -> ExecutionItem:
        return self.wf.run_to_end(arn)

    def history(self, arn: str) -> list[dict[str, Any]]:
        return self.wf.history(arn)

    def types(self, arn: str) -> list[str]:
        return [e["type"] for e in self.history(arn)]


@pytest.fixture
def h() -> Harness:
    return Harness()


TWO_TASKS = {
    "StartAt": "First",
    "States": {
        "First": lambda_task("first", Next="Second"),
        "Second": lambda_task("second", {"count.$": "$$.Execution.RedriveCount"}, End=True),
    },
}


# ------------------------------------------------------------------ a failed task


def test_a_fixed_task_succeeds_on_redrive_without_running_the_earlier_task_again(h: Harness) -> None:
    # [guide] "If your workflow execution fails at the Task state, and you redrive the execution,
    # the execution reschedules and then reruns the Task state"; successful steps are not rerun.
    h.broken = {"second"}
    arn = h.start(TWO_TASKS)
    failed = h.run(arn)
    assert (failed.status, failed.error) == ("FAILED", "RuntimeError")
    first_attempt = h.history(arn)

    h.broken = set()
    item, redrove = h.wf.redrive(arn)
    assert redrove and item.status == "RUNNING" and item.redrive_count == 1
    assert item.redrive_date == START and item.stop_date is None and item.error is None
    done = h.run(arn)
    assert done.status == "SUCCEEDED"
    assert json.loads(done.output or "null") == {"by": "second"}
    assert h.calls == Counter({"first": 1, "second": 2})  # First ran once
    assert h.seen[-1] == {"count": 1}  # $$.Execution.RedriveCount in the redriven run
    assert done.redrive_count == 1 and done.redrive_date == START

    # [guide] the redriven attempt's events are appended: ExecutionRedriven right after the
    # terminal event, then the failed state entered again and run to the end.
    history = h.history(arn)
    assert history[: len(first_attempt)] == first_attempt
    last = first_attempt[-1]
    assert last["type"] == "ExecutionFailed"
    redriven, *rest = history[len(first_attempt) :]
    assert redriven == {
        "timestamp": START,
        "type": "ExecutionRedriven",
        "id": last["id"] + 1,
        "previousEventId": last["id"],
        "executionRedrivenEventDetails": {"redriveCount": 1},
    }
    assert [e["type"] for e in rest] == [
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    assert rest[0]["previousEventId"] == redriven["id"]
    assert rest[0]["stateEnteredEventDetails"]["name"] == "Second"
    assert [e["id"] for e in history] == list(range(1, len(history) + 1))


def test_retry_counts_start_again_from_zero(h: Harness) -> None:
    # [guide] "Retry behavior of redriven executions": "the retry attempt count for these states is
    # reset to 0 to allow for the maximum number of attempts on redrive".
    definition = {
        "StartAt": "Flaky",
        "States": {
            "Flaky": lambda_task(
                "first",
                Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2, "IntervalSeconds": 1}],
                End=True,
            )
        },
    }
    h.broken = {"first"}
    arn = h.start(definition)
    assert h.run(arn).status == "FAILED"
    assert h.calls["first"] == 3
    h.wf.redrive(arn)
    assert h.run(arn).status == "FAILED"
    assert h.calls["first"] == 6  # 1 + 2 retries again
    h.broken = set()
    h.wf.redrive(arn)
    final = h.run(arn)
    assert (final.status, final.redrive_count, h.calls["first"]) == ("SUCCEEDED", 2, 7)
    assert [
        e["executionRedrivenEventDetails"] for e in h.history(arn) if e["type"] == "ExecutionRedriven"
    ] == [
        {"redriveCount": 1},
        {"redriveCount": 2},
    ]


def test_a_fail_state_is_entered_again_and_fails_again(h: Harness) -> None:
    # [guide] Fail state: "Reenters the Fail state and fails again."
    definition = {
        "StartAt": "Before",
        "States": {
            "Before": {"Type": "Pass", "Next": "Stop"},
            "Stop": {"Type": "Fail", "Error": "Boom", "Cause": "always"},
        },
    }
    arn = h.start(definition)
    h.run(arn)
    h.wf.redrive(arn)
    item = h.run(arn)
    assert (item.status, item.error, item.cause, item.redrive_count) == ("FAILED", "Boom", "always", 1)
    assert h.types(arn) == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "FailStateEntered",
        "ExecutionFailed",
        "ExecutionRedriven",
        "FailStateEntered",
        "ExecutionFailed",
    ]


def test_the_redrive_survives_a_new_engine_over_the_same_store(h: Harness) -> None:
    # GIVEN a FAILED execution written by one engine
    h.broken = {"second"}
    arn = h.start(TWO_TASKS)
    h.run(arn)
    h.broken = set()
    # WHEN another engine (another process) redrives it
    h.wf = h.workflows()
    h.wf.redrive(arn)
    # THEN it ends as if one engine had done it all
    assert h.run(arn).status == "SUCCEEDED"
    assert h.calls == Counter({"first": 1, "second": 2})


def test_a_redriven_execution_interrupted_by_a_crash_is_resumed(h: Harness) -> None:
    # GIVEN an execution redriven by an engine that dies before the task's result is committed
    h.broken = {"second"}
    arn = h.start(TWO_TASKS)
    h.run(arn)
    h.broken = set()
    h.wf.redrive(arn)
    assert h.store.get_execution(arn).status == "RUNNING"  # type: ignore[union-attr]
    # WHEN a new worker resumes the store's unfinished executions
    h.wf = h.workflows()
    assert h.wf.executor.resume(takeover=True) == [arn]
    # THEN the redriven task runs again (at least once) and the execution ends once
    done = h.run(arn)
    assert (done.status, done.redrive_count) == ("SUCCEEDED", 1)
    assert h.calls["first"] == 1
    assert h.types(arn).count("ExecutionRedriven") == 1
    assert h.types(arn).count("ExecutionSucceeded") == 1


# ------------------------------------------------------------------ Parallel and Map


def test_only_the_failed_parallel_branch_runs_again(h: Harness) -> None:
    # [guide] Parallel: "Reschedules and redrives only those branches that failed or aborted."
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "L", "States": {"L": lambda_task("left", End=True)}},
                    {
                        "StartAt": "Pause",
                        "States": {
                            "Pause": {"Type": "Wait", "Seconds": 5, "Next": "R"},
                            "R": lambda_task("right", End=True),
                        },
                    },
                ],
                "End": True,
            }
        },
    }
    h.broken = {"right"}
    arn = h.start(definition)
    assert h.run(arn).status == "FAILED"
    h.broken = set()
    h.wf.redrive(arn)
    done = h.run(arn)
    assert done.status == "SUCCEEDED"
    assert json.loads(done.output or "null") == [{"by": "left"}, {"by": "right"}]
    assert h.calls == Counter({"left": 1, "right": 2})
    after = h.types(arn)[h.types(arn).index("ExecutionRedriven") :]
    # the failed branch goes on from its failed Task (its Wait already ran), the Parallel finishes
    assert after == [
        "ExecutionRedriven",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ParallelStateSucceeded",
        "ParallelStateExited",
        "ExecutionSucceeded",
    ]


def _parallel(**extra: Any) -> dict[str, Any]:
    return {
        "Type": "Parallel",
        "Branches": [
            {"StartAt": "L", "States": {"L": lambda_task("left", End=True)}},
            {"StartAt": "R", "States": {"R": lambda_task("right", End=True)}},
        ],
        **extra,
    }


def test_a_caught_parallel_failure_redrives_the_state_that_failed_later(h: Harness) -> None:
    # The branch failure was caught; the execution failed afterwards in a Fail state: the redrive
    # re-enters that Fail state, not the Parallel.
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": _parallel(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Give up"}], End=True),
            "Give up": {"Type": "Fail", "Error": "GaveUp"},
        },
    }
    h.broken = {"right"}
    arn = h.start(definition)
    assert h.run(arn).error == "GaveUp"
    h.broken = set()
    h.wf.redrive(arn)
    assert h.run(arn).error == "GaveUp"
    assert h.calls == Counter({"left": 1, "right": 1})
    assert h.types(arn)[-3:] == ["ExecutionRedriven", "FailStateEntered", "ExecutionFailed"]


def test_a_retried_parallel_redrives_the_failed_branch_of_its_last_attempt(h: Harness) -> None:
    definition = {
        "StartAt": "Both",
        "States": {"Both": _parallel(Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}], End=True)},
    }
    h.broken = {"right"}
    arn = h.start(definition)
    assert h.run(arn).status == "FAILED"
    assert h.calls == Counter({"left": 2, "right": 2})
    h.broken = set()
    h.wf.redrive(arn)
    done = h.run(arn)
    assert done.status == "SUCCEEDED"
    assert json.loads(done.output or "null") == [{"by": "left"}, {"by": "right"}]
    assert h.calls == Counter({"left": 2, "right": 3})


def test_a_stopped_parallel_runs_its_unfinished_branches_again(h: Harness) -> None:
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "L", "States": {"L": lambda_task("left", End=True)}},
                    {
                        "StartAt": "Pause",
                        "States": {
                            "Pause": {"Type": "Wait", "Seconds": 60, "Next": "R"},
                            "R": lambda_task("right", End=True),
                        },
                    },
                ],
                "End": True,
            }
        },
    }
    arn = h.start(definition)
    h.wf.executor.run_until(lambda: "WaitStateEntered" in h.types(arn) and h.calls["left"] == 1)
    h.wf.executor.run_until(lambda: h.types(arn).count("TaskStateExited") == 1)
    h.wf.stop(arn)
    h.wf.redrive(arn)
    done = h.run(arn)
    assert done.status == "SUCCEEDED"
    assert h.calls == Counter({"left": 1, "right": 1})
    types = h.types(arn)
    assert types[types.index("ExecutionRedriven") :][:3] == [
        "ExecutionRedriven",
        "WaitStateEntered",
        "WaitStateExited",
    ]


def test_a_parallel_failed_by_the_data_limit_runs_again_in_full(h: Harness) -> None:
    # [guide] Parallel: "If the state failed because of a States.DataLimitExceeded error, the
    # Parallel state is rerun, including the branches that were successful in the original
    # execution attempt."
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "L", "States": {"L": lambda_task("left", End=True)}},
                    {
                        "StartAt": "Pause",
                        "States": {
                            "Pause": {"Type": "Wait", "Seconds": 5, "Next": "R"},
                            "R": lambda_task("right", End=True),
                        },
                    },
                ],
                "End": True,
            }
        },
    }
    h.huge = {"right"}
    arn = h.start(definition)
    assert h.run(arn).error == "States.DataLimitExceeded"
    h.huge = set()
    h.wf.redrive(arn)
    assert h.run(arn).status == "SUCCEEDED"
    assert h.calls == Counter({"left": 2, "right": 2})
    types = h.types(arn)
    assert types[types.index("ExecutionRedriven") :][:3] == [
        "ExecutionRedriven",
        "ParallelStateEntered",
        "ParallelStateStarted",
    ]


MAP_OF_FIVE = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "StartAt": "Third?",
                "States": {
                    # item 3 waits first, so the other iterations have finished when it fails
                    "Third?": {
                        "Type": "Choice",
                        "Choices": [{"Variable": "$", "NumericEquals": 3, "Next": "Later"}],
                        "Default": "Work",
                    },
                    "Later": {"Type": "Wait", "Seconds": 10, "Next": "Work"},
                    "Work": lambda_task("work", {"item.$": "$"}, End=True),
                },
            },
            "End": True,
        }
    },
}


def test_only_the_failed_map_iteration_runs_again(h: Harness) -> None:
    # [guide] Inline Map: "Reschedules and redrives only those iterations that failed or aborted."
    h.broken = {"work:3"}
    arn = h.start(MAP_OF_FIVE, {"items": [1, 2, 3, 4, 5]})
    assert h.run(arn).status == "FAILED"
    h.broken = set()
    h.wf.redrive(arn)
    done = h.run(arn)
    assert done.status == "SUCCEEDED"
    assert json.loads(done.output or "null") == [{"by": f"work:{i}"} for i in range(1, 6)]
    assert h.calls == Counter({"work:1": 1, "work:2": 1, "work:3": 2, "work:4": 1, "work:5": 1})
    history = h.history(arn)
    redriven = next(e for e in history if e["type"] == "ExecutionRedriven")
    after = history[history.index(redriven) + 1 :]
    assert [e["type"] for e in after] == [
        "MapIterationStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "MapIterationSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
    # the iteration starts again (index 2) chained to ExecutionRedriven; its Wait is not rerun
    assert after[0]["mapIterationStartedEventDetails"] == {"name": "Each", "index": 2}
    assert after[0]["previousEventId"] == redriven["id"]
    assert after[1]["previousEventId"] == after[0]["id"]


def test_map_iterations_stopped_by_the_failure_run_again_and_unstarted_ones_start(h: Harness) -> None:
    # MaxConcurrency 2: item 2 fails while item 1 has finished; items 3..5 never started.
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 2,
                "ItemProcessor": {
                    "StartAt": "Work",
                    "States": {"Work": lambda_task("work", {"item.$": "$"}, End=True)},
                },
                "End": True,
            }
        },
    }
    h.broken = {"work:2"}
    arn = h.start(definition, {"items": [1, 2, 3, 4, 5]})
    assert h.run(arn).status == "FAILED"
    ran_before = Counter(h.calls)
    h.broken = set()
    h.wf.redrive(arn)
    assert h.run(arn).status == "SUCCEEDED"
    reran = h.calls - ran_before
    assert reran["work:1"] == 0 and reran["work:2"] == 1
    assert all(h.calls[f"work:{i}"] >= 1 for i in range(1, 6))


# ------------------------------------------------------------------ stopped and timed out


WAIT_BETWEEN = {
    "StartAt": "First",
    "States": {
        "First": lambda_task("first", Next="Pause"),
        "Pause": {"Type": "Wait", "Seconds": 60, "Next": "Second"},
        "Second": lambda_task("second", End=True),
    },
}


def test_an_aborted_execution_goes_on_from_the_state_it_was_stopped_in(h: Harness) -> None:
    arn = h.start(WAIT_BETWEEN)
    h.wf.executor.run_until(lambda: "WaitStateEntered" in h.types(arn))
    h.clock.advance(30)
    stopped = h.wf.stop(arn, error="Manual", cause="operator")
    assert stopped is not None and stopped.status == "ABORTED"
    h.clock.advance(100)
    item, _ = h.wf.redrive(arn)
    assert item.redrive_date == START + timedelta(seconds=130)
    done = h.run(arn)
    assert done.status == "SUCCEEDED" and done.error is None
    assert h.calls == Counter({"first": 1, "second": 1})
    # the Wait is entered again and waits its full 60 s from the redrive
    assert done.stop_date == START + timedelta(seconds=190)
    types = h.types(arn)
    assert types[types.index("ExecutionAborted") :] == [
        "ExecutionAborted",
        "ExecutionRedriven",
        "WaitStateEntered",
        "WaitStateExited",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]


def test_a_timed_out_execution_gets_a_fresh_timeout_and_a_past_wait_timestamp_exits(h: Harness) -> None:
    # [guide] "the state machine level timeout, if defined, is reset to 0"; Wait: "If the state
    # specifies Timestamp or TimestampPath that refers to a timestamp in the past, redrive causes
    # the Wait state to be exited and enters the state specified in the Next field."
    definition = {
        "StartAt": "First",
        "TimeoutSeconds": 10,
        "States": {
            "First": lambda_task("first", {}, ResultPath=None, Next="Until"),
            "Until": {"Type": "Wait", "TimestampPath": "$.until", "Next": "Second"},
            "Second": lambda_task("second", {}, End=True),
        },
    }
    until = START + timedelta(seconds=20)
    arn = h.start(definition, {"until": until.strftime("%Y-%m-%dT%H:%M:%SZ")})
    timed_out = h.run(arn)
    assert timed_out.status == "TIMED_OUT"
    assert timed_out.stop_date == START + timedelta(seconds=10)
    h.clock.advance(15)  # now past the timestamp
    h.wf.redrive(arn)
    done = h.run(arn)
    assert done.status == "SUCCEEDED"
    assert done.stop_date == START + timedelta(seconds=25)  # no waiting
    assert h.calls == Counter({"first": 1, "second": 1})


def test_the_redriven_run_has_the_whole_timeout_again(h: Harness) -> None:
    # GIVEN TimeoutSeconds 100 and a run that fails at once; the first run's timeout timer (due at
    # 100 s) is still armed in this engine
    definition = {
        "StartAt": "First",
        "TimeoutSeconds": 100,
        "States": {
            "First": lambda_task("first", {}, ResultPath=None, Next="Pause"),
            "Pause": {"Type": "Wait", "Seconds": 80, "Next": "Second"},
            "Second": lambda_task("second", {}, End=True),
        },
    }
    h.broken = {"first"}
    arn = h.start(definition)
    assert h.run(arn).status == "FAILED"
    # WHEN it is redriven at 50 s and needs 80 s more
    h.clock.advance(50)
    h.broken = set()
    h.wf.redrive(arn)
    done = h.run(arn)
    # THEN it is not timed out at 100 s (the old deadline) but runs to its end at 130 s
    assert done.status == "SUCCEEDED"
    assert done.stop_date == START + timedelta(seconds=130)


def test_a_redriven_run_can_time_out_again_after_the_full_timeout(h: Harness) -> None:
    definition = {
        "StartAt": "Pause",
        "TimeoutSeconds": 10,
        "States": {"Pause": {"Type": "Wait", "Seconds": 30, "End": True}},
    }
    arn = h.start(definition)
    assert h.run(arn).status == "TIMED_OUT"
    h.clock.advance(5)
    redriven, _ = h.wf.redrive(arn)
    again = h.run(arn)
    assert again.status == "TIMED_OUT"
    assert again.stop_date == START + timedelta(seconds=25)  # 10 s after the redrive at 15 s
    assert redriven.redrive_date == START + timedelta(seconds=15)
    assert h.types(arn)[-3:] == ["ExecutionRedriven", "WaitStateEntered", "ExecutionTimedOut"]


# ------------------------------------------------------------------ what cannot be redriven


def test_succeeded_and_running_executions_are_not_redrivable(h: Harness) -> None:
    # [api] DescribeExecution redriveStatusReason: "Execution is SUCCEEDED and cannot be redriven",
    # "Execution is RUNNING and cannot be redriven".
    arn = h.start(WAIT_BETWEEN)
    h.wf.executor.run_until(lambda: "WaitStateEntered" in h.types(arn))
    with pytest.raises(NotRedrivable, match=r"^Execution is RUNNING and cannot be redriven$"):
        h.wf.redrive(arn)
    h.run(arn)
    with pytest.raises(NotRedrivable, match=r"^Execution is SUCCEEDED and cannot be redriven$"):
        h.wf.redrive(arn)
    assert "ExecutionRedriven" not in h.types(arn)


def test_the_redrivable_period_is_14_days_from_the_stop(h: Harness) -> None:
    # [api] "Your workflow execution has not exceeded the redrivable period of 14 days ... This
    # period starts from the day a state machine completes its execution."
    h.broken = {"second"}
    arn = h.start(TWO_TASKS)
    h.run(arn)
    h.clock.advance(timedelta(days=14, seconds=1).total_seconds())
    with pytest.raises(NotRedrivable, match=r"^Execution redrivable period exceeded$"):
        h.wf.redrive(arn)


def test_not_redrivable_once_the_state_machine_is_deleted(h: Harness) -> None:
    h.broken = {"second"}
    arn = h.start(TWO_TASKS)
    item = h.run(arn)
    h.store.delete_state_machine(item.machine_arn)
    with pytest.raises(NotRedrivable, match=r"^State machine is in DELETING status$"):
        h.wf.redrive(arn)


def _item(**changes: Any) -> ExecutionItem:
    base = ExecutionItem(
        arn="arn:aws:states:us-east-1:123456789012:execution:m:e",
        name="e",
        machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:m",
        revision_id="r1",
        status="FAILED",
        input="{}",
        start_date=START,
        stop_date=START + timedelta(minutes=1),
        event_count=10,
    )
    return ExecutionItem(**{**{f: getattr(base, f) for f in base.__dataclass_fields__}, **changes})


@pytest.mark.parametrize(
    ("changes", "now", "expected"),
    [
        ({}, START + timedelta(days=1), ("REDRIVABLE", None)),
        ({"status": "TIMED_OUT"}, START, ("REDRIVABLE", None)),
        ({"status": "ABORTED"}, START, ("REDRIVABLE", None)),
        ({"status": "SUCCEEDED"}, START, ("NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven")),
        (
            {"status": "RUNNING", "stop_date": None},
            START,
            ("NOT_REDRIVABLE", "Execution is RUNNING and cannot be redriven"),
        ),
        # [api] "The execution event history count is less than 24,999"
        ({"event_count": 24_998}, START, ("REDRIVABLE", None)),
        ({"event_count": 24_999}, START, ("NOT_REDRIVABLE", "Execution history event limit exceeded")),
        # [api] "has not exceeded the maximum open time of one year"
        (
            {"stop_date": START + timedelta(days=360)},
            START + timedelta(days=366),
            ("NOT_REDRIVABLE", "Execution has exceeded the max execution time"),
        ),
        ({}, START + timedelta(days=14, minutes=1), ("REDRIVABLE", None)),
        (
            {},
            START + timedelta(days=14, minutes=2),
            ("NOT_REDRIVABLE", "Execution redrivable period exceeded"),
        ),
        # [api] "This API action is not supported by EXPRESS state machines."
        (
            {"type": "EXPRESS"},
            START,
            ("NOT_REDRIVABLE", "This operation is not supported by EXPRESS state machines"),
        ),
    ],
)
def test_redrive_status(changes: dict[str, Any], now: datetime, expected: tuple[str, str | None]) -> None:
    assert redrive_status(_item(**changes), now) == expected


def test_redrive_status_of_a_deleted_machine() -> None:
    assert redrive_status(_item(), START, machine_exists=False) == (
        "NOT_REDRIVABLE",
        "State machine is in DELETING status",
    )


def test_a_client_token_repeats_the_first_redrive(h: Harness) -> None:
    # [api] RedriveExecution clientToken: "The API will return idempotent responses for the last
    # 10 client tokens used to successfully redrive the execution. These client tokens are valid
    # for up to 15 minutes after they are first used."
    arn = h.start(WAIT_BETWEEN)
    h.wf.executor.run_until(lambda: "WaitStateEntered" in h.types(arn))
    h.wf.stop(arn)
    first, redrove = h.wf.redrive(arn, client_token="t-1")
    assert redrove
    h.clock.advance(60)
    again, redrove_again = h.wf.redrive(arn, client_token="t-1")  # RUNNING now, same token
    assert not redrove_again and again.redrive_date == first.redrive_date and again.redrive_count == 1
    with pytest.raises(NotRedrivable, match="RUNNING"):
        h.wf.redrive(arn, client_token="t-2")
    assert h.types(arn).count("ExecutionRedriven") == 1
    # the token outlives the commits of the redriven run, for 15 minutes
    assert h.run(arn).status == "SUCCEEDED"
    assert h.wf.redrive(arn, client_token="t-1")[1] is False
    h.clock.advance(15 * 60)
    with pytest.raises(NotRedrivable, match="SUCCEEDED"):
        h.wf.redrive(arn, client_token="t-1")
