"""A worker process for the SIGKILL test: ``python -m tests.integration.kill_worker DB CALLS AT WHEN``.

Runs (or resumes) the crash workflow on the SQLite store ``DB`` under a virtual clock, logging
task invocations to the file ``CALLS``. With ``AT`` > 0 the process SIGKILLs itself at that store
write, ``WHEN`` "before" or "after" it lands.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.sqlite import SqliteStore
from interpreter.durable.workflows import Workflows
from tests.unit.durable.crash_workflow import DEFINITION, INPUT, CrashingStore, handlers

ARN = "arn:aws:states:us-east-1:123456789012:execution:Crashy:run-1"


class FileLog:
    """A list-like log kept in a file, so it outlives a killed process."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, line: str) -> None:
        with self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")

    def __iter__(self) -> Any:
        if not self.path.exists():
            return iter(())
        return iter(self.path.read_text(encoding="utf-8").splitlines())


def main(db: str, calls: str, at: int, when: str) -> int:
    inner = SqliteStore(db)
    store: Any = CrashingStore(inner, at, after=when == "after", sigkill=True) if at > 0 else inner
    clock = VirtualClock(start=datetime(2026, 1, 1, tzinfo=UTC))
    runner = LocalTaskRunner.from_handlers(handlers(FileLog(Path(calls))), clock=clock)
    workflows = Workflows(store, runner=runner, clock=clock)
    stored = inner.get_execution(ARN)
    if stored is None:
        machine = workflows.put_machine("Crashy", json.dumps(DEFINITION))
        workflows.start(machine, json.dumps(INPUT), name="run-1", seed=7)
    else:
        workflows.executor.resume(takeover=True)
    item = workflows.run_to_end(ARN)
    print(json.dumps({"status": item.status, "history": workflows.history(ARN)}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]))
