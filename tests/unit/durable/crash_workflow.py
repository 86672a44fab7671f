"""A workflow touching every kind of wait (tasks, a retry, a timer, Parallel, Map, variables), and a
store wrapper that crashes at a chosen write: shared by the crash tests (in-process and SIGKILL)."""

from __future__ import annotations

import json
import os
import signal
from typing import Any

DEFINITION: dict[str, Any] = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Count",
            "Assign": {"batch.$": "$.batch"},
            "Next": "Flaky",
        },
        "Flaky": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Flaky",
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "MaxAttempts": 2}],
            "ResultPath": "$.flaky",
            "Next": "Pause",
        },
        "Pause": {"Type": "Wait", "Seconds": 30, "Next": "Both"},
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Left",
                    "States": {
                        "Left": {
                            "Type": "Task",
                            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Count",
                            "End": True,
                        }
                    },
                },
                {
                    "StartAt": "Items",
                    "States": {
                        "Items": {
                            "Type": "Map",
                            "ItemsPath": "$.items",
                            "MaxConcurrency": 2,
                            "ItemSelector": {"item.$": "$$.Map.Item.Value", "batch.$": "$batch"},
                            "ItemProcessor": {
                                "StartAt": "Each",
                                "States": {
                                    "Each": {
                                        "Type": "Task",
                                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Count",
                                        "End": True,
                                    }
                                },
                            },
                            "End": True,
                        }
                    },
                },
            ],
            "ResultSelector": {"left.$": "$[0].seen", "mapped.$": "$[1][*].item"},
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "Parameters": {"result.$": "$", "batch.$": "$batch"}, "End": True},
    },
}

INPUT = {"batch": "b-7", "items": [1, 2, 3, 4, 5]}


def handlers(calls: Any) -> dict[str, Any]:
    """Lambda handlers that log each invocation (``"<function>:<request id>"``) into ``calls``
    (a list, or anything with ``append`` and iteration). Their outputs depend only on their
    input and request id, so a re-run task gives the same result."""

    def count(event: Any, context: Any) -> Any:
        calls.append(f"Count:{context.aws_request_id}")
        out = dict(event) if isinstance(event, dict) else {"value": event}
        out["seen"] = True
        return out

    def flaky(event: Any, context: Any) -> Any:
        calls.append(f"Flaky:{context.aws_request_id}")
        first = next(c for c in calls if c.startswith("Flaky:"))
        if first == f"Flaky:{context.aws_request_id}":
            raise RuntimeError("the first attempt fails")
        return {"ok": True}

    return {"Count": count, "Flaky": flaky}


class Crash(Exception):
    """The simulated process death."""


class CrashingStore:
    """Forwards to ``inner``; at write number ``at`` (1-based) dies before or after the write."""

    _WRITES = frozenset(
        {"create_state_machine", "update_state_machine", "create_execution", "commit", "set_tags"}
    )

    def __init__(self, inner: Any, at: int, *, after: bool, sigkill: bool = False) -> None:
        self.inner = inner
        self.at = at
        self.after = after
        self.sigkill = sigkill
        self.count = 0

    def _die(self) -> None:
        if self.sigkill:
            os.kill(os.getpid(), signal.SIGKILL)
        raise Crash(f"crash at write {self.count}")

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if name not in self._WRITES:
            return attr

        def write(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            if self.count == self.at and not self.after:
                self._die()
            result = attr(*args, **kwargs)
            if self.count == self.at and self.after:
                self._die()
            return result

        return write


def comparable(history: list[dict[str, Any]]) -> list[str]:
    """The history without timestamps, one JSON line per event."""
    return [json.dumps({k: v for k, v in e.items() if k != "timestamp"}, sort_keys=True) for e in history]
