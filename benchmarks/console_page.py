"""Time the web console on a huge execution: its page and the JSON calls the page makes.

    .venv/bin/python benchmarks/console_page.py                # both executions, 5 warm runs
    .venv/bin/python benchmarks/console_page.py --repeat 9 --browser --json figures.json

Two executions in a SQLite store (a temporary file):

* ``at-quota``: run by the engine: an inline Map over 10,000 items (a Pass per item) after a
  Task that logs 2,000 lines. A Standard execution's history stops at AWS's quota of 25,000
  events, so it fails there (``States.Runtime``) with the Map part-way: 25,000 events.
* ``10k-iterations``: all 10,000 iterations done (4 events each: 40,006 events, past the quota),
  written to the store directly in the shape the engine writes.

For each, what a browser asks for when it opens the execution: the page (HTML with the graph
coloured by status), then ``/console/api/execution/events`` (first page), ``/execution``
(statuses, the poll), ``/execution/state`` (the selected state: I/O, task, data-flow replay) and
``/execution/logs`` (first page). *Cold*: a fresh console (nothing cached: the status derivation
reads all the events); *warm*: the same console again (the derivation only reads new events),
median of ``--repeat``. Requests go through real HTTP (``ApiServer`` on 127.0.0.1). With
``--browser`` (Playwright and Debian's Chromium), also the time from navigation until the page
says it is ready (graph, events, selected state and logs shown). Target: under 1 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.base import ExecutionItem
from interpreter.adapters.stores.sqlite import SqliteStore
from interpreter.api.server import ApiServer
from interpreter.service.stepfunctions import StepFunctionsService

TARGET_SECONDS = 1.0
ITEMS = 10_000
LOG_LINES = 2_000
ROLE = "arn:aws:iam::123456789012:role/bench"
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

DEFINITION = {
    "StartAt": "Load",
    "States": {
        "Load": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Load",
            "Next": "Each",
        },
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Pass", "End": True}}},
            "End": True,
        },
    },
}


def load(event: Any, context: Any) -> Any:
    for i in range(LOG_LINES):
        print(f"loading item batch {i}")
    return event


def build(store_path: Path) -> tuple[StepFunctionsService, dict[str, str]]:
    clock = VirtualClock(start=START)
    runner = LocalTaskRunner.from_handlers({"Load": load}, clock=clock)
    runner.lambdas.echo_logs = False  # keep the 2,000 lines off the terminal (they are stored)
    service = StepFunctionsService(SqliteStore(store_path), runner=runner, clock=clock)
    request = {"name": "bulk", "definition": json.dumps(DEFINITION), "roleArn": ROLE}
    machine = service.create_state_machine(request)["stateMachineArn"]
    started = service.start_execution(
        {"stateMachineArn": machine, "name": "at-quota", "input": json.dumps({"items": list(range(ITEMS))})}
    )
    service.workflows.run_to_end(started["executionArn"])
    return service, {"at-quota": started["executionArn"], "10k-iterations": synthetic(service, machine)}


def synthetic(service: StepFunctionsService, machine: str) -> str:
    """A finished execution whose Map ran all 10,000 iterations (written past the quota)."""
    store = service.store
    revision = store.get_state_machine(machine).revision_id
    arn = machine.replace(":stateMachine:", ":execution:") + ":10k-iterations"
    micros = int(START.timestamp() * 1_000_000)
    events: list[dict[str, Any]] = []

    def add(previous: int, kind: str, details: Any) -> int:
        events.append(
            {
                "id": len(events) + 1,
                "previousEventId": previous,
                "type": kind,
                "timestamp": micros,
                "details": details,
            }
        )
        return len(events)

    add(0, "ExecutionStarted", {"input": {"items": ITEMS}, "roleArn": ROLE})
    entered = add(0, "TaskStateEntered", {"name": "Load", "input": {}})
    last = add(
        entered,
        "LambdaFunctionScheduled",
        {"resource": DEFINITION["States"]["Load"]["Resource"], "input": {}},
    )
    last = add(last, "LambdaFunctionStarted", None)
    last = add(last, "LambdaFunctionSucceeded", {"output": {}})
    last = add(last, "TaskStateExited", {"name": "Load", "output": {}})
    map_entered = add(last, "MapStateEntered", {"name": "Each", "input": {}})
    map_started = add(map_entered, "MapStateStarted", {"length": ITEMS})
    for index in range(ITEMS):
        it = add(map_started, "MapIterationStarted", {"name": "Each", "index": index})
        work = add(it, "PassStateEntered", {"name": "Work", "input": index})
        work = add(work, "PassStateExited", {"name": "Work", "output": index})
        last = add(work, "MapIterationSucceeded", {"name": "Each", "index": index})
    add(last, "MapStateSucceeded", None)
    exited = add(last, "MapStateExited", {"name": "Each", "output": list(range(ITEMS))})
    add(exited, "ExecutionSucceeded", {"output": list(range(ITEMS))})
    item = ExecutionItem(
        arn=arn,
        name="10k-iterations",
        machine_arn=machine,
        revision_id=revision,
        status="SUCCEEDED",
        input=json.dumps({"items": ITEMS}),
        output=json.dumps(list(range(ITEMS))),
        start_date=START,
        stop_date=START,
    )
    stored = store.create_execution(item, events[:1000])
    for begin in range(1000, len(events), 5000):
        stored = store.commit(stored, expected_version=stored.version, events=events[begin : begin + 5000])
    return arn


def get(base: str, path: str, **params: Any) -> tuple[int, float]:
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    request = urllib.request.Request(url, headers={"Accept": "text/html,application/json"})
    began = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        body = response.read()
        assert response.status == 200, (path, response.status)
    return len(body), time.perf_counter() - began


def page_load(base: str, arn: str, node: str) -> dict[str, float]:
    """The requests a browser makes opening the execution page (the static files aside)."""
    timings: dict[str, float] = {}
    for label, path, params in (
        ("page", "/console/execution", {"arn": arn}),
        ("events", "/console/api/execution/events", {"arn": arn, "after": 0, "limit": 100}),
        ("execution", "/console/api/execution", {"arn": arn}),
        ("state", "/console/api/execution/state", {"arn": arn, "node": node}),
        ("logs", "/console/api/execution/logs", {"arn": arn, "state": node.rsplit("/", 1)[-1], "limit": 200}),
    ):
        _, seconds = get(base, path, **params)
        timings[label] = seconds
    timings["total"] = sum(timings.values())
    return timings


def browser_load(base: str, arn: str, repeat: int) -> list[float] | str:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "skipped: Playwright is not installed"
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        return "skipped: /usr/bin/chromium is not installed"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    url = f"{base}/console/execution?{urllib.parse.urlencode({'arn': arn})}"
    out = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=flags)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for _ in range(repeat + 1):
            began = time.perf_counter()
            page.goto(url)
            page.wait_for_selector("body[data-ready='1']", timeout=30_000)
            out.append(time.perf_counter() - began)
        browser.close()
    return out[1:]  # the first load warms Chromium itself


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--browser", action="store_true", help="also time the page in headless Chromium")
    parser.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        service, executions = build(Path(tmp) / "bench.db")
        print(f"built in {time.perf_counter() - began:.1f} s (SQLite store, {ITEMS:,} Map items)")
        figures: dict[str, Any] = {}
        for label, arn in executions.items():
            item = service.store.get_execution(arn)
            assert item is not None
            node = "Load" if item.status == "FAILED" else "Each/Map/Work"
            iterations = len([1 for e in service.store.get_events(arn) if e["type"] == "MapIterationStarted"])
            print(
                f"\n{label}: {item.status} ({item.error or 'no error'}), {item.event_count:,} events, "
                f"{iterations:,} Map iterations started, state shown: {node}"
            )
            server = ApiServer(service, port=0)  # a fresh server: a fresh console, nothing cached
            with server:
                cold = page_load(server.url, arn, node)
                warm_runs = [page_load(server.url, arn, node) for _ in range(args.repeat)]
                chromium = browser_load(server.url, arn, args.repeat) if args.browser else None
            warm = {key: statistics.median(run[key] for run in warm_runs) for key in cold}
            for name, timings in (("cold", cold), ("warm (median)", warm)):
                parts = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in timings.items() if k != "total")
                verdict = "ok" if timings["total"] < TARGET_SECONDS else "OVER TARGET"
                print(f"  {name:14} {timings['total'] * 1000:6.0f} ms  ({parts})  [{verdict}]")
            entry: dict[str, Any] = {
                "events": item.event_count,
                "iterations": iterations,
                "status": item.status,
                "cold": cold,
                "warm": warm,
            }
            if chromium is not None:
                if isinstance(chromium, str):
                    print(f"  chromium       {chromium}")
                else:
                    median = statistics.median(chromium)
                    verdict = "ok" if median < TARGET_SECONDS else "OVER TARGET"
                    print(
                        f"  chromium       {median * 1000:6.0f} ms  (navigation to ready, median) [{verdict}]"
                    )
                    entry["chromium"] = chromium
            figures[label] = entry
        service.close()
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
