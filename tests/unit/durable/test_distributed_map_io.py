"""A Distributed Map reading from and writing to S3, through the durable executor.

GIVEN a Map whose ItemReader reads a CSV and whose ResultWriter exports to S3 (an in-memory S3)
WHEN it runs durably, reloaded from its snapshot at every step, or crashing at any store write
     and resumed by a new worker
THEN it ends as the in-process engine's run does: the Map waiting for its items or for the write
is a normal wait (token + pending effect in the snapshot) and the pending read/write is performed
again after a crash.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from interpreter import Engine, VirtualClock, load_definition
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.durable.workflows import Workflows
from interpreter.runtime import core, snapshot
from interpreter.runtime.states.map_io import READER, MapIOResource

from ..runtime.fake_s3 import FakeS3, map_io_runner
from .crash_workflow import Crash, CrashingStore, comparable

START = datetime(2026, 1, 1, tzinfo=UTC)
ARN = "arn:aws:states:us-east-1:123456789012:execution:Reader:run-1"
DEFINITION: dict[str, Any] = {
    "StartAt": "Map",
    "States": {
        "Map": {
            "Type": "Map",
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {
                    "InputType": "CSV",
                    "CSVHeaderLocation": "FIRST_ROW",
                    "MaxItemsPath": "$.limit",
                },
                "Parameters": {"Bucket": "in", "Key.$": "$.key"},
            },
            "MaxConcurrency": 2,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Work",
                "States": {
                    "Work": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:W",
                        "End": True,
                    }
                },
            },
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out"}},
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}
INPUT = {"key": "data.csv", "limit": 3}


def work(event: Any, context: Any) -> Any:
    return {"id": event["id"], "twice": int(event["n"]) * 2}


def fresh_s3() -> FakeS3:
    rows = "".join(f"{i},{i * 10}\n" for i in range(5))
    return FakeS3().bucket("in", {"data.csv": "id,n\n" + rows}).bucket("out")


def workflows(store: Any, s3: FakeS3, **options: Any) -> Workflows:
    clock = VirtualClock(start=START)
    runner = LocalTaskRunner.from_handlers({"W": work}, clock=clock, extra=[map_io_runner(s3)])
    return Workflows(store, runner=runner, clock=clock, **options)


def start(wf: Workflows) -> None:
    machine = wf.put_machine("Reader", json.dumps(DEFINITION))
    wf.start(machine, json.dumps(INPUT), name="run-1", seed=7)


def test_a_snapshot_while_waiting_for_the_items_keeps_the_read_pending() -> None:
    clock = VirtualClock(start=START)
    engine = Engine(clock=clock)
    machine = load_definition(DEFINITION)
    record = engine.new_record("Reader", INPUT, name="run-1", seed=7)
    effects = core.start(machine, record, clock.now())
    (read,) = effects
    assert isinstance(read.resource, MapIOResource) and read.resource.kind == READER
    data = json.loads(json.dumps(snapshot.dump(record, {read.token: read})))  # JSON all the way
    _, pending = snapshot.load(machine, data)
    again = pending[read.token]
    assert (again.resource, again.payload) == (read.resource, read.payload)
    assert again.payload == {
        "Parameters": {"Bucket": "in", "Key": "data.csv"},
        "InputType": "CSV",
        "MaxItems": 3,
    }


def test_reloaded_at_every_step_it_ends_as_the_engine_does() -> None:
    s3 = fresh_s3()
    wf = workflows(MemoryStore(), s3, cache=False)
    start(wf)
    item = wf.run_to_end(ARN)
    assert item.status == "SUCCEEDED", (item.error, item.cause)
    output = json.loads(item.output)
    manifest = json.loads(s3.text("out", output["ResultWriterDetails"]["Key"]))
    (succeeded,) = manifest["ResultFiles"]["SUCCEEDED"]
    records = json.loads(s3.text("out", succeeded["Key"]))
    assert [json.loads(r["Output"]) for r in records] == [{"id": str(i), "twice": i * 20} for i in range(3)]

    engine_s3 = fresh_s3()
    clock = VirtualClock(start=START)
    runner = LocalTaskRunner.from_handlers({"W": work}, clock=clock, extra=[map_io_runner(engine_s3)])
    result = Engine(runner=runner, clock=clock).run(
        load_definition(DEFINITION), INPUT, name="run-1", machine_name="Reader", seed=7
    )
    assert result.output == output
    assert [e["type"] for e in wf.history(ARN)] == [e["type"] for e in result.history]
    assert engine_s3.buckets["out"] == s3.buckets["out"]


def _clean() -> tuple[list[str], int, dict[str, bytes]]:
    s3 = fresh_s3()
    store = MemoryStore()
    wf = workflows(store, s3)
    start(wf)
    item = wf.run_to_end(ARN)
    assert item.status == "SUCCEEDED"
    return comparable(wf.history(ARN)), store.writes, s3.buckets["out"]


CLEAN_HISTORY, CLEAN_WRITES, CLEAN_OBJECTS = _clean()


@pytest.mark.parametrize("after", [False, True], ids=["before-write", "after-write"])
def test_a_crash_at_any_write_resumes_to_the_same_history_and_objects(after: bool) -> None:
    for at in range(1, CLEAN_WRITES + 1):
        s3 = fresh_s3()
        inner = MemoryStore()
        with pytest.raises(Crash):
            crashing = workflows(CrashingStore(inner, at, after=after), s3)
            start(crashing)
            crashing.run_to_end(ARN)
        worker = workflows(inner, s3)
        stored = inner.get_execution(ARN)
        if stored is None:
            start(worker)
        else:
            assert worker.executor.resume(takeover=True) == ([ARN] if stored.status == "RUNNING" else [])
        item = worker.run_to_end(ARN)
        assert item.status == "SUCCEEDED", (at, after, item.error, item.cause)
        assert comparable(worker.history(ARN)) == CLEAN_HISTORY, f"crash at write {at}"
        assert s3.buckets["out"] == CLEAN_OBJECTS, f"crash at write {at}"
