"""The execution record: everything the core knows about one execution.

An execution runs as a tree of threads: the root thread walks the state machine's top-level
graph; each Parallel branch and each Map iteration is a child thread walking its own graph. A
thread that waits (for a task, a timer or its children) holds a token; inputs name that token.
The engine owns the record; ``runtime.core.Step`` advances it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .history import Event

RUNNING = "RUNNING"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
TIMED_OUT = "TIMED_OUT"
ABORTED = "ABORTED"
PENDING_REDRIVE = "PENDING_REDRIVE"


class Thread:
    """One line of control: the root, a Parallel branch or a Map iteration."""

    __slots__ = (
        "alive",
        "entered_id",
        "entered_prev",
        "entered_time",
        "graph",
        "index",
        "input",
        "join",
        "last_id",
        "parent",
        "quiet",
        "retry_counts",
        "state",
        "tid",
        "tokens",
        "variables",
    )

    def __init__(self, tid: int, graph: Any, parent: Thread | None, index: int, last_id: int) -> None:
        self.tid = tid
        self.graph = graph
        self.parent = parent
        self.index = index  # branch index / item index in the parent
        self.state: Any = graph.states[graph.start_at]
        self.input: Any = None  # raw input of the current state
        self.entered_id = 0
        self.entered_prev: int | None = None  # previousEventId of that event once it is stored
        self.entered_time: datetime | None = None
        self.last_id = last_id  # previousEventId of this thread's next event
        self.retry_counts: list[int] | None = None
        self.join: Any = None  # a states.parallel/map join while waiting for children
        self.tokens: set[str] = set()
        self.alive = True
        self.quiet: bool = False if parent is None else parent.quiet  # records no history events
        self.variables: dict[str, Any] | None = None if parent is None else parent.variables


class ExecutionRecord:
    """An execution: identity, status, history and the threads in flight."""

    __slots__ = (
        "arn",
        "cause",
        "error",
        "event_offset",
        "events",
        "history_limit",
        "input",
        "machine_arn",
        "machine_name",
        "name",
        "next_event_id",
        "next_thread_id",
        "next_token",
        "output",
        "redrive_count",
        "role_arn",
        "root",
        "seed",
        "start_time",
        "status",
        "stop_time",
        "waiting",
    )

    def __init__(
        self,
        *,
        arn: str,
        name: str,
        machine_arn: str,
        machine_name: str,
        input: Any,
        start_time: datetime,
        role_arn: str,
        seed: int,
        redrive_count: int = 0,
    ) -> None:
        self.arn = arn
        self.name = name
        self.machine_arn = machine_arn
        self.machine_name = machine_name
        self.input = input
        self.start_time = start_time
        self.role_arn = role_arn
        self.seed = seed
        self.redrive_count = redrive_count
        self.status = RUNNING
        self.output: Any = None
        self.error: str | None = None
        self.cause: str | None = None
        self.stop_time: datetime | None = None
        self.events: list[Event] = []  # events not yet handed to a store
        self.event_offset = 0  # events[0] has id event_offset + 1 (earlier ones are stored)
        # the execution fails when its history would pass this many events (AWS's Standard quota;
        # Express executions have none on AWS: the executor gives them only a runaway guard)
        self.history_limit = 25_000
        self.next_event_id = 1
        self.next_thread_id = 0
        self.next_token = 0
        self.root: Thread | None = None
        # token -> (thread, kind, data): what each outstanding effect will resume
        self.waiting: dict[str, tuple[Thread | None, str, Any]] = {}

    @property
    def done(self) -> bool:
        return self.status != RUNNING

    def take_events(self) -> list[Event]:
        """The events recorded since the last call (a durable engine stores them)."""
        events = self.events
        self.events = []
        self.event_offset = self.next_event_id - 1
        return events

    def history(self, include_execution_data: bool = True) -> list[dict[str, Any]]:
        return [e.to_api(include_execution_data) for e in self.events]
