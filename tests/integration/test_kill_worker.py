"""SIGKILL a worker process at many points; a new process resumes with nothing lost or doubled.

GIVEN the crash workflow (tasks, a retry, a Wait, Parallel, Map) on a SQLite store file
WHEN the worker process kills itself with SIGKILL at store write N (every write of the run,
alternately just before and just after it lands) and a fresh process resumes the store
THEN the execution succeeds with exactly the history of an uninterrupted run, and every task
invocation of the clean run happened (a task in flight at the kill runs again, same request id).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.durable.crash_workflow import comparable

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _worker(tmp: Path, at: int, when: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.integration.kill_worker",
            str(tmp / "s.db"),
            str(tmp / "calls"),
            str(at),
            when,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], set[str], int]:
    tmp = tmp_path_factory.mktemp("clean")
    done = _worker(tmp, 0, "never")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    calls = set((tmp / "calls").read_text().splitlines())
    # count the writes of a clean run: one per commit, plus the machine and the execution
    from interpreter.adapters.stores.sqlite import SqliteStore

    store = SqliteStore(str(tmp / "s.db"))
    item = store.get_execution("arn:aws:states:us-east-1:123456789012:execution:Crashy:run-1")
    assert item is not None
    writes = item.version + 1  # create_state_machine + create_execution (v1) + commits
    return comparable(result["history"]), calls, writes


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], set[str], int]:
    return _clean(tmp_path_factory)


def test_sigkill_at_every_store_write_then_resume(clean, tmp_path: Path) -> None:
    history, calls, writes = clean
    assert writes >= 10
    # every write, alternately before and after it lands (test_crash_resume covers both at every
    # write in-process; this shows the same with real process death and a SQLite file)
    for at in range(1, writes + 1):
        for when in ("before" if at % 2 else "after",):
            tmp = tmp_path / f"{at}-{when}"
            tmp.mkdir()
            killed = _worker(tmp, at, when)
            assert killed.returncode == -signal.SIGKILL, (at, when, killed.stderr[-2000:])
            resumed = _worker(tmp, 0, "never")
            assert resumed.returncode == 0, (at, when, resumed.stderr[-2000:])
            result = json.loads(resumed.stdout)
            assert result["status"] == "SUCCEEDED", (at, when)
            assert comparable(result["history"]) == history, (at, when)
            assert set((tmp / "calls").read_text().splitlines()) == calls, (at, when)
