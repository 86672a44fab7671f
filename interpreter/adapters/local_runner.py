"""The task runner for local runs: Lambda tasks as local Python handlers, then any other runners.

``LocalTaskRunner`` asks, in order, the runners added ``first`` (mocks), the local Lambda
runner, then the other extra runners (AWS service integrations through boto3, nested
executions ...) whether it ``claims`` a task; the first that does runs it. Resources no runner
claims fail the way Step Functions reports a call it cannot make.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from ..runtime.effects import RunTask
from .lambda_local import HandlerRegistry, LocalLambdaRunner
from .task_outcome import TaskOutcome


class ClaimingRunner(Protocol):
    """A task runner for some resources: ``claims`` says which."""

    def claims(self, task: RunTask) -> bool: ...

    def run(self, task: RunTask, *, request_id: str, now: datetime) -> TaskOutcome: ...


class LocalTaskRunner:
    def __init__(self, lambdas: LocalLambdaRunner, extra: Sequence[ClaimingRunner] = ()) -> None:
        self.lambdas = lambdas
        self.first: list[ClaimingRunner] = []
        self.extra = list(extra)

    @classmethod
    def from_handlers(
        cls,
        handlers: HandlerRegistry | Mapping[str, Callable[..., Any]] | None,
        *,
        clock: Any = None,
        extra: Sequence[ClaimingRunner] = (),
    ) -> LocalTaskRunner:
        registry = handlers if isinstance(handlers, HandlerRegistry) else HandlerRegistry(handlers or {})
        clock_ms = None
        if clock is not None:
            clock_ms = lambda: int(clock.now().timestamp() * 1000)  # noqa: E731
        return cls(LocalLambdaRunner(registry, clock_ms=clock_ms), extra)

    def add(self, runner: ClaimingRunner, *, first: bool = False) -> None:
        """Ask ``runner`` too: after the local Lambda handlers, or before everything with ``first``
        (mocks)."""
        (self.first if first else self.extra).append(runner)

    def run(self, task: RunTask, *, request_id: str, now: datetime) -> TaskOutcome:
        resource = task.resource
        for runner in self.first:
            if runner.claims(task):
                return runner.run(task, request_id=request_id, now=now)
        if self.lambdas.claims(resource):
            return self.lambdas.run(
                resource, task.payload, request_id=request_id, now_ms=int(now.timestamp() * 1000)
            )
        for runner in self.extra:
            if runner.claims(task):
                return runner.run(task, request_id=request_id, now=now)
        return TaskOutcome.failure(
            "States.Runtime",
            f"The resource '{resource.raw}' is not supported by this local run: register a handler for it "
            "(--handler NAME=module:function) or run it against AWS integrations.",
        )
