"""Crash anywhere, resume, and the execution ends exactly as an uninterrupted one.

GIVEN a workflow with tasks, a retry, a Wait, Parallel and Map (``crash_workflow``) on a store
that dies at its N-th write (before the write lands, or just after), for every N
WHEN a new worker on the same store resumes the unfinished executions
THEN the history equals the uninterrupted run's event for event (ids, previous ids, details),
nothing is lost or applied twice, and every task ran at least once with a stable request id.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.durable.workflows import Workflows

from .crash_workflow import DEFINITION, INPUT, Crash, CrashingStore, comparable, handlers

START = datetime(2026, 1, 1, tzinfo=UTC)


def _workflows(store, calls) -> Workflows:
    clock = VirtualClock(start=START)
    runner = LocalTaskRunner.from_handlers(handlers(calls), clock=clock)
    return Workflows(store, runner=runner, clock=clock)


def _run_clean() -> tuple[list[str], list[str], int]:
    calls: list[str] = []
    store = MemoryStore()
    wf = _workflows(store, calls)
    machine = wf.put_machine("Crashy", json.dumps(DEFINITION))
    started = wf.start(machine, json.dumps(INPUT), name="run-1", seed=7)
    item = wf.run_to_end(started.arn)
    assert item.status == "SUCCEEDED", (item.error, item.cause)
    return comparable(wf.history(item.arn)), calls, store.writes


CLEAN_HISTORY, CLEAN_CALLS, CLEAN_WRITES = _run_clean()


def test_the_clean_run_succeeds_with_the_expected_output() -> None:
    last = json.loads(CLEAN_HISTORY[-1])
    assert last["type"] == "ExecutionSucceeded"
    output = json.loads(last["executionSucceededEventDetails"]["output"])
    assert output["result"] == {"left": True, "mapped": [1, 2, 3, 4, 5]}
    assert output["batch"] == "b-7"


@pytest.mark.parametrize("after", [False, True], ids=["before-write", "after-write"])
def test_a_crash_at_any_write_resumes_to_the_same_history(after: bool) -> None:
    for at in range(1, CLEAN_WRITES + 1):
        calls: list[str] = []
        inner = MemoryStore()
        crashing = _workflows(CrashingStore(inner, at, after=after), calls)
        with pytest.raises(Crash):
            machine = crashing.put_machine("Crashy", json.dumps(DEFINITION))
            started = crashing.start(machine, json.dumps(INPUT), name="run-1", seed=7)
            crashing.run_to_end(started.arn)
        # the process is gone; a new worker on the same store takes over
        worker = _workflows(inner, calls)
        arn = "arn:aws:states:us-east-1:123456789012:execution:Crashy:run-1"
        stored = inner.get_execution(arn)
        if stored is None:  # died before the execution was stored: the caller starts it again
            machine = worker.put_machine("Crashy", json.dumps(DEFINITION))
            worker.start(machine, json.dumps(INPUT), name="run-1", seed=7)
        else:
            expected = [arn] if stored.status == "RUNNING" else []
            assert worker.executor.resume(takeover=True) == expected
        item = worker.run_to_end(arn)
        assert item.status == "SUCCEEDED", (at, after, item.error, item.cause)
        history = comparable(worker.history(arn))
        assert history == CLEAN_HISTORY, f"crash at write {at} ({'after' if after else 'before'})"
        # at least once: every task of the clean run ran, with the same request ids
        assert set(calls) == set(CLEAN_CALLS), f"crash at write {at}"
        # a re-run happens only for tasks in flight at the crash (at most 3 at once here:
        # the Parallel's Left branch and two Map iterations)
        assert len(calls) - len(CLEAN_CALLS) <= 3, f"crash at write {at}: {len(calls)} calls"


def test_two_workers_never_both_advance_one_execution() -> None:
    """Worker A holds the execution in memory; worker B advances it from the store. A's next
    commit loses the compare-and-set, A reloads and its duplicate result changes nothing."""
    calls: list[str] = []
    store = MemoryStore()
    a = _workflows(store, calls)
    machine = a.put_machine("Crashy", json.dumps(DEFINITION))
    started = a.start(machine, json.dumps(INPUT), name="run-1", seed=7)
    b = _workflows(store, calls)
    assert b.executor.resume(takeover=True) == [started.arn]
    b.run_to_end(started.arn)  # B runs everything, including the tasks A also scheduled
    a.run_to_end(started.arn)  # A delivers its (now stale) results: ignored
    assert comparable(a.history(started.arn)) == CLEAN_HISTORY
    ids = [json.loads(e)["id"] for e in CLEAN_HISTORY]
    assert ids == list(range(1, len(ids) + 1))
