"""What the serverless deployment consumes per state transition, measured in-process against moto.

    PYTHONPATH=. .venv/bin/python benchmarks/serverless_cost.py

Runs a task-heavy and an inline-heavy workflow through the API and worker handlers
(``tests/serverless_stack.py``) and counts, per execution: states entered (Step Functions bills a
state transition per state entered), DynamoDB write and read calls with their request units
(estimated from item sizes: 1 WRU per KB written, doubled in transactions; 0.5 RRU per 4 KB read
rounded up per item, strongly consistent), SQS messages, worker records and invocations at
batch size 10 and 1, and API invocations. docs/deploy.md turns these into a cost per 1 million
transitions.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

import pytest
from moto import mock_aws

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from tests.serverless_stack import ServerlessStack, virtual_sqs_time

FN = "arn:aws:lambda:us-east-1:123456789012:function:Work"
EXECUTIONS = 20


def task_heavy() -> dict[str, Any]:
    """10 Lambda tasks in a row (TimeoutSeconds 60, a Retry on each), a Succeed."""
    states: dict[str, Any] = {}
    for i in range(10):
        states[f"T{i}"] = {
            "Type": "Task",
            "Resource": FN,
            "TimeoutSeconds": 60,
            "Retry": [{"ErrorEquals": ["Transient"], "MaxAttempts": 2}],
            "Next": f"T{i + 1}" if i < 9 else "Done",
        }
    states["Done"] = {"Type": "Succeed"}
    return {"StartAt": "T0", "States": states}


def inline_heavy() -> dict[str, Any]:
    """One Lambda task among 30 inline states (Pass, Choice), a Succeed."""
    states: dict[str, Any] = {"T": {"Type": "Task", "Resource": FN, "TimeoutSeconds": 60, "Next": "P0"}}
    for i in range(15):
        states[f"P{i}"] = {"Type": "Pass", "Result": i, "ResultPath": f"$.p{i}", "Next": f"C{i}"}
        after = f"P{i + 1}" if i < 14 else "Done"
        states[f"C{i}"] = {
            "Type": "Choice",
            "Choices": [{"Variable": f"$.p{i}", "NumericEquals": i, "Next": after}],
            "Default": "Done",
        }
    states["Done"] = {"Type": "Succeed"}
    return {"StartAt": "T", "States": states}


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")))


class Meter:
    """DynamoDB calls and estimated request units, from the client's requests and answers."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.wru = 0.0
        self.rru = 0.0

    def before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        name = model.name
        self.calls[name] += 1
        if name == "PutItem":
            self.wru += math.ceil(_size(params["Item"]) / 1024)
        elif name == "TransactWriteItems":
            for entry in params["TransactItems"]:
                item = entry.get("Put", {}).get("Item") or {}
                self.wru += 2 * max(1, math.ceil(_size(item) / 1024))

    def after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        name = model.name
        if name == "GetItem" and parsed.get("Item"):
            self.rru += math.ceil(_size(parsed["Item"]) / 4096)
        elif name == "Query":
            self.rru += max(1, math.ceil(sum(_size(i) for i in parsed.get("Items", [])) / 4096)) * 0.5
        elif name == "BatchGetItem":
            for items in parsed.get("Responses", {}).values():
                self.rru += sum(math.ceil(_size(i) / 4096) for i in items)


def measure(definition: dict[str, Any], batch_size: int) -> dict[str, float]:
    clock = VirtualClock()
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        virtual_sqs_time(patch, clock)
        runner = LocalTaskRunner.from_handlers({"Work": lambda event, _: event}, clock=clock)
        stack = ServerlessStack(runner=runner, clock=clock, batch_size=batch_size)
        meter = Meter()
        stack.session.events.register("before-parameter-build.dynamodb", meter.before)
        stack.session.events.register("after-call.dynamodb", meter.after)
        try:
            machine = stack.create_machine("Measured", definition)
            meter.calls.clear()
            meter.wru = meter.rru = 0.0
            before_writes = stack.writes
            arns = [stack.start(machine, {"n": i}, name=f"run-{i}") for i in range(EXECUTIONS)]
            api_calls = EXECUTIONS  # one StartExecution each
            stack.drain()
            reads = meter.calls["GetItem"] + meter.calls["Query"] + meter.calls["BatchGetItem"]
            rru, wru, sent = meter.rru, meter.wru, stack.messages_sent
            histories = [stack.history(arn) for arn in arns]
            assert all(stack.describe(arn)["status"] == "SUCCEEDED" for arn in arns)
            transitions = sum(1 for h in histories for e in h if e["type"].endswith("StateEntered"))
            tasks = sum(1 for h in histories for e in h if e["type"] == "TaskStateEntered")
            records = sum(len(b.bodies) for b in stack.batches)
            writes = stack.writes - before_writes
        finally:
            stack.close()
    per = float(EXECUTIONS)
    return {
        "transitions": transitions / per,
        "tasks": tasks / per,
        "ddb_writes": writes / per,
        "wru": wru / per,
        "ddb_reads": reads / per,
        "rru": rru / per,
        "sqs_sent": sent / per,
        "worker_records": records / per,
        "worker_invocations": len(stack.batches) / per,
        "api_invocations": api_calls / per,
    }


def main() -> None:
    for name, definition in (("task-heavy", task_heavy()), ("inline-heavy", inline_heavy())):
        for batch in (10, 1):
            figures = measure(definition, batch)
            print(name, f"batch={batch}", json.dumps({k: round(v, 3) for k, v in figures.items()}))


if __name__ == "__main__":
    main()
