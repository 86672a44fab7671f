"""Durable throughput: a 1,000-task workflow through the execution store.

    python benchmarks/durable_benchmark.py                  # SQLite file, memory, DynamoDB (moto)
    python benchmarks/durable_benchmark.py --tasks 2000 --repeat 5 --store sqlite

The workflow is 1,000 Task states in a row, each a local identity Lambda handler. Every run
goes the durable way (``Workflows``: commit before acting, snapshot + events per commit) with the
real clock, so tasks run on the worker pool and results come back through the executor's loop,
as under ``stepfn serve``. Reported: task states per second (median of ``--repeat`` runs) and
store writes per task state (the store's own write counter / task states).
Target (issue 4): >= 2,000 task states/s on SQLite; <= 2 store writes per task state everywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interpreter.adapters.clock import SystemClock  # noqa: E402
from interpreter.adapters.local_runner import LocalTaskRunner  # noqa: E402
from interpreter.durable.workflows import Workflows  # noqa: E402

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:Identity"


def definition(tasks: int) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(tasks):
        state: dict[str, Any] = {"Type": "Task", "Resource": FUNCTION}
        if i + 1 < tasks:
            state["Next"] = f"T{i + 1}"
        else:
            state["End"] = True
        states[f"T{i}"] = state
    return {"StartAt": "T0", "States": states}


def open_store(kind: str, directory: Path) -> tuple[Any, Any]:
    """(store, cleanup)"""
    if kind == "memory":
        from interpreter.adapters.stores.memory import MemoryStore

        return MemoryStore(), None
    if kind == "sqlite":
        from interpreter.adapters.stores.sqlite import SqliteStore

        return SqliteStore(str(directory / "bench.db")), None
    from moto import mock_aws

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    mock = mock_aws()
    mock.start()
    from interpreter.adapters.stores.dynamodb import DynamoDbStore

    return DynamoDbStore("stepfn-bench", create=True), mock.stop


def run_once(kind: str, tasks: int, run_no: int, directory: Path) -> dict[str, float]:
    store, cleanup = open_store(kind, directory / f"{kind}-{run_no}")
    try:
        clock = SystemClock()
        runner = LocalTaskRunner.from_handlers({"Identity": lambda event, context: event}, clock=clock)
        workflows = Workflows(store, runner=runner, clock=clock, max_workers=4)
        machine = workflows.put_machine("Chain", json.dumps(definition(tasks)))
        before = store.writes
        started_at = time.perf_counter()
        started = workflows.start(machine, json.dumps({"n": 1}))
        item = workflows.run_to_end(started.arn)
        elapsed = time.perf_counter() - started_at
        workflows.executor.close()
        assert item.status == "SUCCEEDED", (item.error, item.cause)
        writes = store.writes - before
        return {"seconds": elapsed, "rate": tasks / elapsed, "writes_per_task": writes / tasks}
    finally:
        if cleanup is not None:
            cleanup()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tasks", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--store", action="append", choices=["sqlite", "memory", "dynamodb"])
    args = p.parse_args(argv)
    kinds = args.store or ["sqlite", "memory", "dynamodb"]
    print(
        f"# durable benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {args.tasks} task states per execution"
    )
    print(f"{'store':<10} {'task states/s':>14} {'writes/task state':>18} {'target':>22}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            runs = []
            for i in range(args.repeat + 1):  # the first run warms up (imports, caches)
                (Path(tmp) / f"{kind}-{i}").mkdir()
                result = run_once(kind, args.tasks, i, Path(tmp))
                if i:
                    runs.append(result)
            rate = statistics.median(r["rate"] for r in runs)
            writes = max(r["writes_per_task"] for r in runs)
            target = ">= 2,000/s, <= 2 writes" if kind == "sqlite" else "<= 2 writes"
            print(f"{kind:<10} {rate:>14,.0f} {writes:>18.3f} {target:>22}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
