"""What the core asks the engine to do (effects) and what the engine tells the core (inputs).

The core never performs I/O: it returns effects; the engine performs them and feeds the
outcome back as an input carrying the effect's token. An input whose token is no longer awaited
(a late task result after a timeout, a duplicate delivery) is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class RunTask:
    token: str
    resource: Any  # runtime.resources.Resource
    payload: Any
    state_name: str
    attempt: int
    timeout_seconds: float | None = None
    heartbeat_seconds: float | None = None
    task_token: str | None = None  # $$.Task.Token for .waitForTaskToken tasks
    credentials: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StartTimer:
    token: str
    due: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskDone:
    """A task finished: ``ok`` with ``output``, or failed with ``error``/``cause``."""

    token: str
    ok: bool
    output: Any = None
    error: str | None = None
    cause: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerFired:
    token: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StopExecution:
    error: str | None = None
    cause: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Heartbeat:
    """SendTaskHeartbeat for a callback task: its HeartbeatSeconds clock starts again."""

    token: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityStarted(TaskDone):
    """GetActivityTask handed an activity task to a worker (``ActivityStarted`` in history).

    ``token`` is the one of the RunTask that queued the task: its start is that effect's outcome,
    so the engine stops re-queueing it. ``poll_id`` names the GetActivityTask call; the core keeps
    it with the task token it accepted, so the poller can tell whether the task was still open."""

    ok: bool = True
    worker_name: str | None = None
    poll_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskSubmitted(TaskDone):
    """A ``.sync`` task's job was started: ``submitted`` is the start call's response (the
    ``TaskSubmitted`` event's output).

    With ``pending`` the job is still running: its outcome arrives later as a message carrying
    the RunTask's ``task_token``. Without it this message is the outcome too (``ok``, ``output``,
    ``error``, ``cause``): a runner that saw the job to its end, or the completion itself (which
    carries the start response, so a completion that overtakes its submission still records
    ``TaskSubmitted`` first)."""

    submitted: Any = None
    pending: bool = False
