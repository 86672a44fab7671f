"""Per-state status from history events (``interpreter.console.status``).

GIVEN a definition run by the engine (in-process, virtual time) or a history written out by hand
WHEN its events are read by ``derive_status``
THEN each state of the drawn graph has what happened to it: succeeded, retried, caught, failed,
running, aborted or not reached, with its attempts and last error.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from interpreter import load_definition, run
from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.console.status import StatusTracker, derive_status, status_map
from interpreter.graph.model import build_graph
from interpreter.service.stepfunctions import StepFunctionsService

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
ROLE = "arn:aws:iam::123456789012:role/sfn"


def task(name: str, **more: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": FN + name, **more}


def statuses(definition: dict[str, Any], result_history: list[dict[str, Any]], *, running: bool = False):
    graph = build_graph(load_definition(definition))
    return derive_status(graph, result_history, running=running)


def simple(definition: dict[str, Any], result_history: list[dict[str, Any]], **kw: Any) -> dict[str, str]:
    return status_map(statuses(definition, result_history, **kw))


class Flaky:
    """Fails ``failures`` times, then returns ``{"ok": n}``."""

    def __init__(self, failures: int, error: type[Exception] = RuntimeError) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    def __call__(self, event: Any, context: Any) -> Any:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error(f"attempt {self.calls} failed")
        return {"ok": self.calls}


# ------------------------------------------------------------------ one path


def test_a_successful_run_marks_every_state_and_both_markers() -> None:
    definition = {
        "StartAt": "A",
        "States": {"A": {**task("Ok"), "Next": "B"}, "B": {"Type": "Pass", "End": True}},
    }
    result = run(definition, {}, handlers={"Ok": lambda e, c: {"done": True}})
    assert result.status == "SUCCEEDED"
    got = statuses(definition, result.history)
    assert status_map(got) == {"~start": "succeeded", "A": "succeeded", "B": "succeeded", "~end": "succeeded"}
    assert (got["A"].visits, got["A"].attempts, got["A"].retries) == (1, 1, 0)
    assert got["A"].entered_event == 2 and got["A"].exited_event is not None
    assert got["A"].error is None


def test_a_retry_that_succeeds_is_retried_with_its_attempts_and_last_error() -> None:
    definition = {
        "StartAt": "Charge",
        "States": {
            "Charge": {
                **task("Charge"),
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3, "IntervalSeconds": 1}],
                "End": True,
            }
        },
    }
    result = run(definition, {}, handlers={"Charge": Flaky(2)})
    assert result.status == "SUCCEEDED"
    charge = statuses(definition, result.history)["Charge"]
    assert charge.status == "retried"
    assert (charge.attempts, charge.retries) == (3, 2)
    assert charge.error == "RuntimeError"
    assert "attempt 2 failed" in (charge.cause or "")


def test_a_caught_error_marks_the_state_caught_and_the_path_not_taken_not_reached() -> None:
    definition = {
        "StartAt": "Charge",
        "States": {
            "Charge": {
                **task("Charge"),
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Refund", "ResultPath": "$.error"}],
                "Next": "Ship",
            },
            "Ship": {"Type": "Pass", "End": True},
            "Refund": {"Type": "Pass", "End": True},
        },
    }
    result = run(definition, {}, handlers={"Charge": Flaky(5, ValueError)})
    assert result.status == "SUCCEEDED"
    got = statuses(definition, result.history)
    assert status_map(got) == {
        "~start": "succeeded",
        "Charge": "caught",
        "Ship": "not_reached",
        "Refund": "succeeded",
        "~end": "succeeded",
    }
    assert got["Charge"].error == "ValueError"
    assert got["Charge"].failed_event is not None


def test_an_uncaught_failure_fails_the_state_and_the_execution() -> None:
    definition = {
        "StartAt": "Charge",
        "States": {"Charge": {**task("Charge"), "Next": "Ship"}, "Ship": {"Type": "Pass", "End": True}},
    }
    result = run(definition, {}, handlers={"Charge": Flaky(9)})
    assert result.status == "FAILED"
    got = statuses(definition, result.history)
    assert status_map(got) == {
        "~start": "succeeded",
        "Charge": "failed",
        "Ship": "not_reached",
        "~end": "failed",
    }
    assert got["Charge"].error == "RuntimeError"
    assert got["Charge"].visits == 1


def test_a_fail_state_takes_the_error_of_the_execution() -> None:
    definition = {
        "StartAt": "Check",
        "States": {
            "Check": {"Type": "Pass", "Next": "Stop"},
            "Stop": {"Type": "Fail", "Error": "Bad.Order", "Cause": "no items"},
        },
    }
    result = run(definition, {})
    got = statuses(definition, result.history)
    assert (got["Check"].status, got["Stop"].status) == ("succeeded", "failed")
    assert (got["Stop"].error, got["Stop"].cause) == ("Bad.Order", "no items")


def test_an_input_handling_failure_fails_the_state_with_the_runtime_error() -> None:
    definition = {
        "StartAt": "Pick",
        "States": {"Pick": {"Type": "Pass", "InputPath": "$.missing", "End": True}},
    }
    result = run(definition, {"other": 1})
    got = statuses(definition, result.history)
    assert got["Pick"].status == "failed"
    assert got["Pick"].error == "States.Runtime"


# ------------------------------------------------------------------ nested


PARALLEL = {
    "StartAt": "Both",
    "States": {
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Charge", "States": {"Charge": {**task("Charge"), "End": True}}},
                {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 600, "End": True}}},
            ],
            "Next": "Ship",
        },
        "Ship": {"Type": "Pass", "End": True},
    },
}


def test_a_failing_branch_fails_its_parallel_and_cuts_the_other_branch_short() -> None:
    result = run(PARALLEL, {}, handlers={"Charge": Flaky(9)})
    assert result.status == "FAILED"
    got = statuses(PARALLEL, result.history)
    assert got["Both/0/Charge"].status == "failed"
    assert got["Both/1/Hold"].status == "aborted"
    assert got["Both"].status == "failed"
    assert got["Both"].error == "RuntimeError"  # the branch's error, though ParallelStateFailed has none
    assert got["Ship"].status == "not_reached"


def test_a_caught_parallel_is_caught_and_its_failed_branch_state_failed() -> None:
    definition = json.loads(json.dumps(PARALLEL))
    definition["States"]["Both"]["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Ship"}]
    result = run(definition, {}, handlers={"Charge": Flaky(9)})
    assert result.status == "SUCCEEDED"
    got = simple(definition, result.history)
    assert (got["Both"], got["Both/0/Charge"], got["Both/1/Hold"], got["Ship"]) == (
        "caught",
        "failed",
        "aborted",
        "succeeded",
    )


MAP = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ToleratedFailureCount": 5,
            "ItemProcessor": {
                "StartAt": "Check",
                "States": {
                    "Check": {
                        "Type": "Choice",
                        "Choices": [{"Variable": "$", "NumericGreaterThan": 2, "Next": "Work"}],
                        "Default": "Skip",
                    },
                    "Skip": {"Type": "Pass", "End": True},
                    "Work": {**task("Work"), "End": True},
                },
            },
            "End": True,
        }
    },
}


def test_map_iterations_add_up_per_state() -> None:
    def work(event: Any, context: Any) -> Any:
        if event == 4:
            raise KeyError("four")
        return event

    definition = json.loads(json.dumps(MAP))
    work_state = definition["States"]["Each"]["ItemProcessor"]["States"]["Work"]
    work_state["Catch"] = [{"ErrorEquals": ["KeyError"], "Next": "Skip"}]
    result = run(definition, {"items": [1, 2, 3, 4, 5]}, handlers={"Work": work})
    assert result.status == "SUCCEEDED"
    got = statuses(definition, result.history)
    check, skip, worked = got["Each/Map/Check"], got["Each/Map/Skip"], got["Each/Map/Work"]
    assert (check.status, check.visits, dict(check.counts)) == ("succeeded", 5, {"succeeded": 5})
    assert (skip.status, skip.visits) == ("succeeded", 3)
    assert worked.status == "caught"
    assert dict(worked.counts) == {"succeeded": 2, "caught": 1}
    assert worked.error == "KeyError"
    assert got["Each"].status == "succeeded"


def test_a_failing_iteration_fails_its_state_and_the_map() -> None:
    def work(event: Any, context: Any) -> Any:
        if event == 4:
            raise KeyError("four")
        return event

    result = run(MAP, {"items": [1, 2, 3, 4, 5]}, handlers={"Work": work})
    assert result.status == "FAILED"
    got = statuses(MAP, result.history)
    worked = got["Each/Map/Work"]
    assert worked.status == "failed"
    assert worked.counts["failed"] == 1 and worked.counts["succeeded"] >= 1
    # the visit shown for a state that failed somewhere is a failed one
    assert worked.failed_event is not None and worked.entered_event is not None
    assert worked.entered_event < worked.failed_event and worked.exited_event is None
    assert (got["Each"].status, got["Each"].error, got["~end"].status) == ("failed", "KeyError", "failed")


def test_nested_map_in_parallel_ids_are_paths() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "M",
                        "States": {
                            "M": {
                                "Type": "Map",
                                "ItemProcessor": {
                                    "StartAt": "I",
                                    "States": {"I": {"Type": "Pass", "End": True}},
                                },
                                "End": True,
                            }
                        },
                    }
                ],
                "End": True,
            }
        },
    }
    result = run(definition, [1, 2, 3])
    got = statuses(definition, result.history)
    assert {k: v.status for k, v in got.items() if not k.endswith(("~start", "~end"))} == {
        "P": "succeeded",
        "P/0/M": "succeeded",
        "P/0/M/Map/I": "succeeded",
    }
    assert got["P/0/M/Map/I"].visits == 3


# ------------------------------------------------------------------ in progress, stopped, timed out


def test_a_history_cut_while_a_task_runs_shows_it_running() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {**task("B"), "Next": "C"},
            "C": {"Type": "Pass", "End": True},
        },
    }
    result = run(definition, {}, handlers={"B": lambda e, c: e})
    scheduled = next(e["id"] for e in result.history if e["type"] == "LambdaFunctionScheduled")
    partial = [e for e in result.history if e["id"] <= scheduled]
    assert simple(definition, partial, running=True) == {
        "~start": "succeeded",
        "A": "succeeded",
        "B": "running",
        "C": "not_reached",
        "~end": "not_reached",
    }
    # the same history of an execution that is no longer running: cut short
    assert simple(definition, partial, running=False)["B"] == "aborted"


def test_a_timed_out_execution_fails_the_waiting_state_with_states_timeout() -> None:
    definition = {
        "StartAt": "W",
        "TimeoutSeconds": 3,
        "States": {"W": {"Type": "Wait", "Seconds": 25, "End": True}},
    }
    result = run(definition, {})
    assert result.status == "TIMED_OUT"
    got = statuses(definition, result.history)
    assert (got["W"].status, got["W"].error, got["~end"].status) == ("failed", "States.Timeout", "failed")


@pytest.fixture
def service() -> tuple[StepFunctionsService, dict[str, Any]]:
    flags = {"broken": True}
    tokens: list[str] = []

    def charge(event: Any, context: Any) -> Any:
        if flags["broken"]:
            raise RuntimeError("card declined")
        return {"charged": True}

    def notify(event: Any, context: Any) -> Any:
        tokens.append(event["token"])
        return {}

    clock = VirtualClock()
    runner = LocalTaskRunner.from_handlers({"Charge": charge, "Notify": notify}, clock=clock)
    sfn = StepFunctionsService(MemoryStore(), runner=runner, clock=clock)
    return sfn, {"flags": flags, "tokens": tokens}


def _start(sfn: StepFunctionsService, definition: dict[str, Any], name: str = "m") -> str:
    machine = sfn.create_state_machine({"name": name, "definition": json.dumps(definition), "roleArn": ROLE})
    return str(sfn.start_execution({"stateMachineArn": machine["stateMachineArn"]})["executionArn"])


def test_a_stopped_execution_marks_the_waiting_state_aborted(service) -> None:
    sfn, _ = service
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}}
    arn = _start(sfn, definition)
    assert [e["type"] for e in sfn.store.get_events(arn)] == ["ExecutionStarted", "WaitStateEntered"]
    sfn.stop_execution({"executionArn": arn, "error": "Ops.Stop"})
    got = statuses(definition, sfn.store.get_events(arn))  # the store's event shape
    assert (got["W"].status, got["~end"].status) == ("aborted", "aborted")


# ------------------------------------------------------------------ redrive


def test_a_redriven_execution_counts_the_failure_before_the_redrive_apart(service) -> None:
    sfn, world = service
    definition = {
        "StartAt": "Prepare",
        "States": {"Prepare": {"Type": "Pass", "Next": "Charge"}, "Charge": {**task("Charge"), "End": True}},
    }
    arn = _start(sfn, definition)
    sfn.workflows.run_to_end(arn)
    assert simple(definition, sfn.store.get_events(arn))["Charge"] == "failed"

    world["flags"]["broken"] = False
    sfn.redrive_execution({"executionArn": arn})
    sfn.workflows.run_to_end(arn)
    got = statuses(definition, sfn.store.get_events(arn))
    assert status_map(got) == {
        "~start": "succeeded",
        "Prepare": "succeeded",
        "Charge": "succeeded",
        "~end": "succeeded",
    }
    assert (got["Charge"].visits, got["Charge"].before_redrive) == (1, 1)
    assert got["Prepare"].visits == 1  # not run again


def test_a_redriven_parallel_is_continued_not_entered_again(service) -> None:
    sfn, world = service
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": {**task("Charge"), "End": True}}},
                    {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}},
                ],
                "End": True,
            }
        },
    }
    arn = _start(sfn, definition)
    sfn.workflows.run_to_end(arn)
    before = simple(definition, sfn.store.get_events(arn))
    assert (before["P"], before["P/0/A"]) == ("failed", "failed")
    world["flags"]["broken"] = False
    sfn.redrive_execution({"executionArn": arn})

    # GIVEN the tracker fed up to the redrive, THEN fed the rest as it is written
    tracker = StatusTracker(build_graph(load_definition(definition)))
    events = sfn.store.get_events(arn)
    redriven = next(e["id"] for e in events if e["type"] == "ExecutionRedriven")
    tracker.feed(e for e in events if e["id"] <= redriven)
    assert status_map(tracker.snapshot(running=True))["P/0/A"] == "failed"  # not re-entered yet
    sfn.workflows.run_to_end(arn)
    tracker.feed(sfn.store.get_events(arn))
    got = status_map(tracker.snapshot(running=False))
    assert (got["P"], got["P/0/A"], got["P/1/B"], got["~end"]) == (
        "succeeded",
        "succeeded",
        "succeeded",
        "succeeded",
    )


def test_a_waiting_callback_is_running(service) -> None:
    sfn, world = service
    definition = {
        "StartAt": "Approve",
        "States": {
            "Approve": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "Notify", "Payload": {"token.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    }
    arn = _start(sfn, definition)
    sfn.workflows.executor.run_until(lambda: bool(world["tokens"]))
    assert simple(definition, sfn.store.get_events(arn), running=True)["Approve"] == "running"
    sfn.send_task_failure({"taskToken": world["tokens"][0], "error": "Rejected", "cause": "no"})
    sfn.workflows.run_to_end(arn)
    got = statuses(definition, sfn.store.get_events(arn))
    assert (got["Approve"].status, got["Approve"].error, got["Approve"].cause) == ("failed", "Rejected", "no")


# ------------------------------------------------------------------ odd input


def test_odd_state_names_and_unknown_states_are_handled() -> None:
    name = 'x/y~"<img src=x onerror=alert(1)>'
    definition = {"StartAt": name, "States": {name: {"Type": "Pass", "End": True}}}
    result = run(definition, {})
    got = simple(definition, result.history)
    assert got['x~1y~0"<img src=x onerror=alert(1)>'] == "succeeded"
    # events of a state the graph does not have (another revision) are skipped, not fatal
    stray = [
        {"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "details": {}},
        {"id": 2, "previousEventId": 0, "type": "TaskStateEntered", "details": {"name": "Gone"}},
        {"id": 3, "previousEventId": 2, "type": "LambdaFunctionFailed", "details": {"error": "E"}},
        {"id": 4, "previousEventId": 3, "type": "ExecutionFailed", "details": {"error": "E"}},
    ]
    assert simple(definition, stray)[name.replace("/", "~1").replace('~"', '~0"')] == "not_reached"


def test_feeding_in_pieces_gives_the_same_answer_as_all_at_once() -> None:
    result = run(MAP, {"items": list(range(20))}, handlers={"Work": lambda e, c: e})
    graph = build_graph(load_definition(MAP))
    whole = derive_status(graph, result.history, running=False)
    tracker = StatusTracker(graph)
    for start in range(0, len(result.history), 7):
        tracker.feed(result.history[start : start + 7])
        tracker.feed(result.history[:start])  # events already seen are skipped
    assert tracker.snapshot(running=False) == whole
    assert tracker.node_of_event(result.history[-2]["id"]) == "Each"


def test_derivation_is_linear_in_the_number_of_events() -> None:
    # GIVEN a history of a Map with many iterations (built by hand: what the engine writes)
    def history(iterations: int) -> list[dict[str, Any]]:
        events = [
            {"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "details": {}},
            {"id": 2, "previousEventId": 0, "type": "MapStateEntered", "details": {"name": "Each"}},
            {"id": 3, "previousEventId": 2, "type": "MapStateStarted", "details": {"length": iterations}},
        ]
        for index in range(iterations):
            n = len(events)
            events += [
                {
                    "id": n + 1,
                    "previousEventId": 3,
                    "type": "MapIterationStarted",
                    "details": {"name": "Each", "index": index},
                },
                {
                    "id": n + 2,
                    "previousEventId": n + 1,
                    "type": "ChoiceStateEntered",
                    "details": {"name": "Check"},
                },
                {
                    "id": n + 3,
                    "previousEventId": n + 2,
                    "type": "ChoiceStateExited",
                    "details": {"name": "Check"},
                },
                {
                    "id": n + 4,
                    "previousEventId": n + 3,
                    "type": "PassStateEntered",
                    "details": {"name": "Skip"},
                },
                {
                    "id": n + 5,
                    "previousEventId": n + 4,
                    "type": "PassStateExited",
                    "details": {"name": "Skip"},
                },
                {
                    "id": n + 6,
                    "previousEventId": n + 5,
                    "type": "MapIterationSucceeded",
                    "details": {"name": "Each", "index": index},
                },
            ]
        n = len(events)
        events += [
            {"id": n + 1, "previousEventId": n, "type": "MapStateSucceeded", "details": None},
            {"id": n + 2, "previousEventId": n, "type": "MapStateExited", "details": {"name": "Each"}},
            {"id": n + 3, "previousEventId": n + 2, "type": "ExecutionSucceeded", "details": {}},
        ]
        return events

    graph = build_graph(load_definition(MAP))

    def timed(events: list[dict[str, Any]]) -> float:
        began = time.perf_counter()
        got = derive_status(graph, events, running=False)
        assert got["Each/Map/Skip"].visits == (len(events) - 6) // 6
        return time.perf_counter() - began

    small, large = history(2_000), history(20_000)
    timed(small)  # warm up
    t_small, t_large = min(timed(small) for _ in range(3)), min(timed(large) for _ in range(3))
    assert t_large < 1.0, f"120,000 events took {t_large:.2f} s"
    assert t_large < 25 * t_small, (t_small, t_large)  # 10x the events: about 10x the time
