"""An execution's logs (``durable.logs``): task lines stored by the executor, engine lines made
from the history in the shape Step Functions sends to CloudWatch Logs, merged and paged.

Sources: the CloudWatch line shape and the ERROR/FATAL level sets are AWS's ("Using CloudWatch
Logs to log execution history in Step Functions" and "Log levels", Step Functions developer
guide), as recorded against AWS in LocalStack's
``tests/aws/services/stepfunctions/v2/logs/test_logs.snapshot.json`` (``test_base
[pass_result.json5_ALL_True]`` / ``[..._ALL_False]``, ``[raise_failure.json5_ALL_...]``).
"""

from __future__ import annotations

import gc
import json
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.adapters.stores.sqlite import SqliteStore
from interpreter.durable import logs as logs_module
from interpreter.durable.executor import request_id_for
from interpreter.durable.logs import (
    Annotator,
    ExecutionLogs,
    cloudwatch_line,
    engine_level,
    export_line,
    merge,
    read_log_file,
)
from interpreter.durable.workflows import Workflows

START = datetime(2026, 3, 1, tzinfo=UTC)
START_MS = int(START.timestamp() * 1000)
FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def task(function: str, **extra: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": FN + function, **extra}


FLAKY_THEN_MAP = {
    "StartAt": "Charge",
    "States": {
        "Charge": task(
            "charge",
            Retry=[{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 3}],
            Next="Fan",
        ),
        "Fan": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "Item", "States": {"Item": task("item", End=True)}},
            "End": True,
        },
    },
}


class Flaky(Exception):
    pass


def run(definition: dict[str, Any], handlers: dict[str, Any], store: Any = None, **start: Any):
    store = store if store is not None else MemoryStore()
    clock = VirtualClock(start=START)
    runner = LocalTaskRunner.from_handlers(handlers, clock=clock)
    runner.lambdas.echo_logs = False
    wf = Workflows(store, runner=runner, clock=clock)
    machine = wf.put_machine("Logged", json.dumps(definition))
    started = wf.start(machine, json.dumps(start.pop("input", {})), name=start.pop("name", "run-1"), seed=1)
    return wf, wf.run_to_end(started.arn)


def flaky_handlers() -> dict[str, Any]:
    calls = {"charge": 0}

    def charge(event: Any, context: Any) -> Any:
        calls["charge"] += 1
        print(f"charging, attempt {calls['charge']}")
        if calls["charge"] < 3:
            raise Flaky("not yet")
        return {"items": [1, 2, 3]}

    def item(event: Any, context: Any) -> Any:
        print(f"item {event}")
        return event * 2

    return {"charge": charge, "item": item}


# ---------------------------------------------------------------------------- task lines
def test_the_executor_stores_each_attempts_lines_with_state_attempt_and_request_id() -> None:
    wf, item = run(FLAKY_THEN_MAP, flaky_handlers())
    assert item.status == "SUCCEEDED"
    stored = wf.store.get_logs(item.arn)
    charge = [
        (r["attempt"], r["level"], r["message"].splitlines()[0]) for r in stored if r["state"] == "Charge"
    ]
    assert charge == [
        (0, "INFO", "charging, attempt 1"),
        (0, "ERROR", "[ERROR] Flaky: not yet"),
        (1, "INFO", "charging, attempt 2"),
        (1, "ERROR", "[ERROR] Flaky: not yet"),
        (2, "INFO", "charging, attempt 3"),
    ]
    items = [r for r in stored if r["state"] == "Item"]
    assert sorted(r["message"] for r in items) == ["item 1", "item 2", "item 3"]
    assert {r["source"] for r in stored} == {"task"}
    assert all(r["timestamp"] >= START_MS for r in stored)
    assert [r["seq"] for r in stored] == list(range(1, len(stored) + 1))
    # the request id is the task's (stable across re-runs): one per attempt
    assert len({r["request_id"] for r in stored if r["state"] == "Charge"}) == 3
    assert all(r["request_id"].count("-") == 4 for r in stored)
    assert request_id_for(item.arn, "x") != request_id_for(item.arn, "y")


def test_a_run_whose_handlers_write_nothing_stores_no_logs() -> None:
    wf, item = run({"StartAt": "T", "States": {"T": task("quiet", End=True)}}, {"quiet": lambda e, c: e})
    assert item.status == "SUCCEEDED" and wf.store.get_logs(item.arn) == []


# ---------------------------------------------------------------------------- engine lines
PASS = {
    "StartAt": "State_1",
    "States": {"State_1": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}},
}


def test_engine_lines_have_cloudwatchs_shape_with_execution_data() -> None:
    wf, item = run(PASS, {})
    lines = [export_line(r) for r in ExecutionLogs(wf.store, item.arn)]
    assert [line["type"] for line in lines] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    for line in lines:  # AWS's keys, in AWS's order; numbers as strings
        assert list(line) == [
            "id",
            "type",
            "details",
            "previous_event_id",
            "event_timestamp",
            "execution_arn",
            "redrive_count",
        ]
        assert line["execution_arn"] == item.arn and line["redrive_count"] == "0"
        assert line["event_timestamp"] == str(START_MS)
    assert [(line["id"], line["previous_event_id"]) for line in lines] == [
        ("1", "0"),
        ("2", "0"),
        ("3", "2"),
        ("4", "3"),
    ]
    assert lines[0]["details"] == {
        "input": "{}",
        "inputDetails": {"truncated": False},
        "roleArn": "arn:aws:iam::123456789012:role/StepFunctionsRole",
    }
    assert lines[1]["details"] == {"name": "State_1", "input": "{}", "inputDetails": {"truncated": False}}
    assert lines[3]["details"] == {"output": '{"Arg1":"argument1"}', "outputDetails": {"truncated": False}}


def test_without_execution_data_inputs_and_outputs_are_left_out() -> None:
    wf, item = run(PASS, {})
    lines = [export_line(r) for r in ExecutionLogs(wf.store, item.arn, include_execution_data=False)]
    # AWS (test_base[pass_result.json5_ALL_False]): roleArn / name only, {} for the success
    assert [line["details"] for line in lines] == [
        {"roleArn": "arn:aws:iam::123456789012:role/StepFunctionsRole"},
        {"name": "State_1"},
        {"name": "State_1"},
        {},
    ]


def test_events_without_details_have_no_details_key() -> None:
    event = {"id": 5, "previousEventId": 4, "type": "ParallelStateStarted", "timestamp": START}
    assert "details" not in cloudwatch_line(event, "arn:x", 0)


def test_levels_follow_step_functions_log_levels() -> None:
    assert [engine_level(t) for t in ("ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut")] == [
        "FATAL"
    ] * 3
    assert [engine_level(t) for t in ("TaskFailed", "FailStateEntered", "LambdaFunctionTimedOut")] == [
        "ERROR"
    ] * 3
    assert [engine_level(t) for t in ("TaskSucceeded", "PassStateEntered", "ExecutionSucceeded")] == [
        "INFO"
    ] * 3

    failing = {
        "StartAt": "FailState",
        "States": {"FailState": {"Type": "Fail", "Error": "SomeFailure", "Cause": "c"}},
    }
    wf, item = run(failing, {})
    assert [r["message"] for r in ExecutionLogs(wf.store, item.arn, level="ERROR")] == [
        "FailStateEntered",
        "ExecutionFailed",
    ]
    assert [r["message"] for r in ExecutionLogs(wf.store, item.arn, level="FATAL")] == ["ExecutionFailed"]
    assert len(list(ExecutionLogs(wf.store, item.arn, level="ALL"))) == 3


def test_engine_lines_after_a_redrive_carry_the_redrive_count() -> None:
    broken = {"on": True}

    def step(event: Any, context: Any) -> Any:
        if broken["on"]:
            raise RuntimeError("down")
        return event

    wf, item = run({"StartAt": "Step", "States": {"Step": task("step", End=True)}}, {"step": step})
    assert item.status == "FAILED"
    broken["on"] = False
    wf.redrive(item.arn)
    assert wf.run_to_end(item.arn).status == "SUCCEEDED"
    lines = [r["event"] for r in ExecutionLogs(wf.store, item.arn, source="engine")]
    counts = [(line["type"], line["redrive_count"]) for line in lines]
    redriven = [t for t, _ in counts].index("ExecutionRedriven")
    assert {c for _, c in counts[:redriven]} == {"0"} and {c for _, c in counts[redriven:]} == {"1"}


# ---------------------------------------------------------------------------- annotation and merge
def test_the_annotator_names_the_state_and_retry_attempt_of_each_event() -> None:
    wf, item = run(FLAKY_THEN_MAP, flaky_handlers())
    annotator = Annotator()
    notes = [(e["type"], annotator.note_api(e)) for e in wf.history(item.arn)]
    by_type = [(t, n.state, n.attempt) for t, n in notes]
    assert by_type[:6] == [
        ("ExecutionStarted", None, None),
        ("TaskStateEntered", "Charge", None),
        ("LambdaFunctionScheduled", "Charge", 0),
        ("LambdaFunctionStarted", "Charge", 0),
        ("LambdaFunctionFailed", "Charge", 0),
        ("LambdaFunctionScheduled", "Charge", 1),
    ]
    assert ("LambdaFunctionSucceeded", "Charge", 2) in by_type
    assert {(t, s) for t, s, _ in by_type if t.startswith("Map")} == {
        ("MapStateEntered", "Fan"),
        ("MapStateStarted", "Fan"),
        ("MapIterationStarted", "Fan"),
        ("MapIterationSucceeded", "Fan"),
        ("MapStateSucceeded", "Fan"),
        ("MapStateExited", "Fan"),
    }
    retried = next(n for t, n in notes if t == "LambdaFunctionScheduled" and n.attempt == 1)
    assert retried.since_previous == 1.0 and retried.since_start == 1.0  # IntervalSeconds 1
    failed = next(n for t, n in notes if t == "LambdaFunctionFailed")
    assert failed.error == "Flaky" and "not yet" in (failed.cause or "")


def test_task_lines_are_merged_after_the_event_that_started_their_attempt() -> None:
    wf, item = run(FLAKY_THEN_MAP, flaky_handlers(), input={})
    merged = [
        r["message"] if r["source"] == "task" else f"{r['message']}:{r['state']}:{r['attempt']}"
        for r in ExecutionLogs(wf.store, item.arn)
    ]
    # virtual time: everything of an attempt happens at one instant; lines still sit in place
    first = merged.index("charging, attempt 1")
    assert merged[first - 1] == "LambdaFunctionStarted:Charge:0"
    assert merged[first + 2] == "LambdaFunctionFailed:Charge:0"
    third = merged.index("charging, attempt 3")
    assert merged[third - 1] == "LambdaFunctionStarted:Charge:2"
    assert merged[third + 1] == "LambdaFunctionSucceeded:Charge:2"
    for n in (1, 2, 3):  # each Map item's line right after its own task's start
        assert merged[merged.index(f"item {n}") - 1] == "LambdaFunctionStarted:Item:0"
    assert len(merged) == len(wf.history(item.arn)) + len(wf.store.get_logs(item.arn))


def test_merge_orders_by_time_and_keeps_each_streams_order() -> None:
    def engine(ms: int, kind: str) -> dict[str, Any]:
        return {"timestamp": ms, "source": "engine", "message": kind, "state": "S", "attempt": 0}

    def line(ms: int, text: str) -> dict[str, Any]:
        return {"timestamp": ms, "source": "task", "message": text, "state": "S", "attempt": 0}

    events = [engine(1, "TaskStateEntered"), engine(2, "TaskStarted"), engine(9, "TaskSucceeded")]
    out = [r["message"] for r in merge([line(5, "a"), line(7, "b")], events)]
    assert out == ["TaskStateEntered", "TaskStarted", "a", "b", "TaskSucceeded"]
    assert [r["message"] for r in merge([], events)] == [e["message"] for e in events]
    assert [r["message"] for r in merge([line(0, "early")], [])] == ["early"]


def test_filters_by_state_level_and_source() -> None:
    wf, item = run(FLAKY_THEN_MAP, flaky_handlers())
    charge = list(ExecutionLogs(wf.store, item.arn, state="Charge"))
    assert {r["state"] for r in charge} == {"Charge"} and {r["source"] for r in charge} == {"task", "engine"}
    errors = list(ExecutionLogs(wf.store, item.arn, level="ERROR"))
    assert [r["message"].splitlines()[0] for r in errors] == [
        "[ERROR] Flaky: not yet",
        "LambdaFunctionFailed",
        "[ERROR] Flaky: not yet",
        "LambdaFunctionFailed",
    ]
    assert {r["source"] for r in ExecutionLogs(wf.store, item.arn, source="task")} == {"task"}
    assert {r["source"] for r in ExecutionLogs(wf.store, item.arn, source="engine")} == {"engine"}


def test_poll_returns_only_what_was_stored_since_the_last_read() -> None:
    wf, item = run(PASS, {})
    logs = ExecutionLogs(wf.store, item.arn)
    assert len(list(logs)) == 4 and logs.poll() == []
    wf.store.append_logs(
        item.arn, [{"timestamp": START_MS + 5, "level": "INFO", "source": "task", "message": "late"}]
    )
    assert [r["message"] for r in logs.poll()] == ["late"]
    assert logs.poll() == []


# ---------------------------------------------------------------------------- huge logs
class CountingStore:
    """Forwards to a store and records each ``get_logs`` call's page size."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.pages: list[int] = []

    def get_logs(self, arn: str, **kwargs: Any) -> list[dict[str, Any]]:
        page = self.inner.get_logs(arn, **kwargs)
        self.pages.append(len(page))
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_100000_lines_are_read_in_pages_without_loading_them_all(kind: str, tmp_path: Path) -> None:
    inner = MemoryStore() if kind == "memory" else SqliteStore(tmp_path / "big.db")
    _, item = run(PASS, {}, store=inner)
    total = 100_000
    for start in range(0, total, 10_000):
        inner.append_logs(
            item.arn,
            [
                {
                    "timestamp": START_MS + start + i,
                    "level": "INFO",
                    "state": "State_1",
                    "attempt": 0,
                    "source": "task",
                    "message": f"line {start + i} " + "x" * 80,
                }
                for i in range(10_000)
            ],
        )
    store = CountingStore(inner)
    gc.collect()
    tracemalloc.start()
    count, last_seq = 0, 0
    for record in ExecutionLogs(store, item.arn, source="task", page_size=1000):
        count += 1
        assert record["seq"] == last_seq + 1
        last_seq = record["seq"]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == total
    assert store.pages[:3] == [1000, 1000, 1000] and max(store.pages) == 1000 and len(store.pages) == 101
    # all 100,000 records as dicts would take ~40 MB; a page at a time stays far below that
    assert peak < 8_000_000, f"peak {peak / 1e6:.1f} MB"
    if kind == "sqlite":
        inner.close()


# ---------------------------------------------------------------------------- files
def test_an_exported_json_lines_file_reads_back_as_the_same_records(tmp_path: Path) -> None:
    wf, item = run(FLAKY_THEN_MAP, flaky_handlers())
    records = list(ExecutionLogs(wf.store, item.arn))
    exported = tmp_path / "exported.jsonl"
    exported.write_text("".join(json.dumps(export_line(r, item.arn)) + "\n" for r in records))

    back = list(read_log_file(exported))
    assert [export_line(r, item.arn) for r in back] == [export_line(r, item.arn) for r in records]
    assert [(r["state"], r["attempt"]) for r in back] == [(r["state"], r["attempt"]) for r in records]
    only = list(read_log_file(exported, state="Charge", level="ERROR"))
    assert [r["message"].splitlines()[0] for r in only] == [
        "[ERROR] Flaky: not yet",
        "LambdaFunctionFailed",
        "[ERROR] Flaky: not yet",
        "LambdaFunctionFailed",
    ]
    assert list(read_log_file(exported, execution="another-run")) == []
    assert len(list(read_log_file(exported, execution="run-1"))) == len(records)


def test_cloudwatch_logs_exports_and_plain_lines_are_read(tmp_path: Path) -> None:
    arn = "arn:aws:states:us-east-1:123456789012:execution:M:e1"
    started = {
        "id": "1",
        "type": "ExecutionStarted",
        "details": {"roleArn": "r"},
        "previous_event_id": "0",
        "event_timestamp": "1592945890796",
        "execution_arn": arn,
        "redrive_count": "0",
    }
    failed = {
        **started,
        "id": "2",
        "type": "ExecutionFailed",
        "previous_event_id": "1",
        "details": {"error": "E"},
    }
    # ``aws logs filter-log-events`` output: one JSON document, each message a JSON line
    answer = {
        "events": [
            {
                "logStreamName": "s",
                "timestamp": 1592945890796,
                "message": json.dumps(e),
                "ingestionTime": 1,
                "eventId": "1",
            }
            for e in (started, failed)
        ]
    }
    document = tmp_path / "answer.json"
    document.write_text(json.dumps(answer, indent=2))
    got = list(read_log_file(document))
    assert [(r["source"], r["message"], r["level"]) for r in got] == [
        ("engine", "ExecutionStarted", "INFO"),
        ("engine", "ExecutionFailed", "FATAL"),
    ]
    assert got[1]["event"] == failed

    mixed = tmp_path / "mixed.log"
    powertools = {
        "level": "WARNING",
        "location": "h:3",
        "message": "careful",
        "timestamp": "2024-05-01 12:00:00,123+0000",
    }
    mixed.write_text(json.dumps(powertools) + "\n" + "just text\n\n" + json.dumps(started) + "\n")
    got = list(read_log_file(mixed))
    assert [(r["source"], r["level"], r["message"]) for r in got] == [
        ("task", "WARNING", "careful"),
        ("task", "INFO", "just text"),
        ("engine", "INFO", "ExecutionStarted"),
    ]
    assert got[0]["timestamp"] == 1714564800123 and got[0]["fields"]["location"] == "h:3"
    assert logs_module.log_level_rank("warning") == 30
