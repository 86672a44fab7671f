"""Activity task queues: where scheduled activity tasks wait for workers (GetActivityTask).

A Task state whose Resource is an activity ARN asks the engine, through two ``RunTask`` effects,
first to schedule it (``task_token`` None: does the activity exist?) and then to queue it for
workers (``task_token`` set). The executor hands both to ``ActivityQueue.perform`` instead of its
task runner. The queue is a FIFO per activity ARN of ``ActivityTask`` (execution ARN, task token,
start token, input), thread-safe; ``take`` blocks up to a timeout and wakes as soon as a task
arrives. Each task goes to one taker.

The queue lives in memory. What makes it durable is the execution: the queueing ``RunTask`` stays
pending in the stored snapshot until a worker starts the task, so a restarted executor
(``Executor.resume``) queues a scheduled but unstarted task again, and ``adopt`` finds tasks
that another process (the CLI after ``stepfn send-task-success``, a second server over the same
store) scheduled. A task handed out twice (a re-queue racing a start) is started only once: the
core accepts the first ``ActivityStarted`` for a start token and records that poll's id with the
task token, and ``start_task`` checks it.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..runtime.effects import ActivityStarted, RunTask, TaskDone
from ..runtime.resources import ACTIVITY

_REMEMBER_TAKEN = 10_000  # tasks handed out recently: a late re-queue of one is ignored


@dataclass(frozen=True, slots=True)
class ActivityTask:
    """One scheduled activity task: what GetActivityTask hands a worker (task token and input)."""

    activity_arn: str
    execution_arn: str
    task_token: str
    start_token: str  # the token of the RunTask that queued it (ActivityStarted carries it)
    input: Any

    @property
    def key(self) -> tuple[str, str]:
        return self.execution_arn, self.start_token


def missing_activity_cause(activity_arn: str) -> str:
    """The detail of AWS's States.Runtime cause when a Task names an activity that does not exist
    (LocalStack ``test_activity_task_on_deleted``, recorded against AWS)."""
    return f"The activity {activity_arn} does not exist."


def awaits_worker(effect: Any) -> bool:
    """True for a pending effect that only a worker can complete (a queued activity task)."""
    return (
        isinstance(effect, RunTask)
        and effect.task_token is not None
        and getattr(effect.resource, "kind", None) == ACTIVITY
    )


def is_activity_task(effect: Any) -> bool:
    return isinstance(effect, RunTask) and getattr(effect.resource, "kind", None) == ACTIVITY


class ActivityQueue:
    """The per-activity FIFOs of one process. ``exists(activity_arn)`` says whether an activity
    exists (the store's ``get_activity``); None: every activity exists."""

    def __init__(self, exists: Callable[[str], bool] | None = None) -> None:
        self.exists = exists
        self._cond = threading.Condition()
        self._queues: dict[str, deque[ActivityTask]] = {}
        self._queued: set[tuple[str, str]] = set()  # keys of the tasks in the queues
        self._taken: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._closed = False

    # ------------------------------------------------------------------ the executor's side
    def perform(self, execution_arn: str, task: RunTask, post: Callable[[str, Any], None]) -> None:
        """Perform an activity ``RunTask``: check and schedule it (answering with ``post``), or
        queue it for workers."""
        activity_arn = task.resource.raw
        if task.task_token is None:
            if self.exists is not None and not self.exists(activity_arn):
                cause = missing_activity_cause(activity_arn)
                post(execution_arn, TaskDone(token=task.token, ok=False, error="States.Runtime", cause=cause))
            else:
                post(execution_arn, TaskDone(token=task.token, ok=True))
            return
        self.put(ActivityTask(activity_arn, execution_arn, task.task_token, task.token, task.payload))

    def put(self, task: ActivityTask) -> bool:
        """Queue ``task`` unless it is queued or was handed out already; True when queued."""
        with self._cond:
            if task.key in self._queued or task.key in self._taken:
                return False
            self._queues.setdefault(task.activity_arn, deque()).append(task)
            self._queued.add(task.key)
            self._cond.notify_all()
            return True

    # ------------------------------------------------------------------ the workers' side
    def take(self, activity_arn: str, timeout: float) -> ActivityTask | None:
        """The oldest task of ``activity_arn``, waiting up to ``timeout`` seconds for one."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                queue = self._queues.get(activity_arn)
                if queue:
                    task = queue.popleft()
                    if not queue:
                        del self._queues[activity_arn]
                    self._queued.discard(task.key)
                    self._taken[task.key] = None
                    while len(self._taken) > _REMEMBER_TAKEN:
                        self._taken.popitem(last=False)
                    return task
                remaining = deadline - time.monotonic()
                if self._closed or remaining <= 0:
                    return None
                self._cond.wait(remaining)

    def give_back(self, task: ActivityTask) -> None:
        """Put a task that could not be handed out (the store failed) back at the front."""
        with self._cond:
            self._taken.pop(task.key, None)
            if task.key not in self._queued:
                self._queues.setdefault(task.activity_arn, deque()).appendleft(task)
                self._queued.add(task.key)
                self._cond.notify_all()

    def waiting(self, activity_arn: str) -> int:
        """How many tasks of ``activity_arn`` are queued."""
        with self._cond:
            return len(self._queues.get(activity_arn, ()))

    def close(self) -> None:
        """Release every ``take`` now (the server shuts down)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    # ------------------------------------------------------------------ other processes
    def adopt(self, store: Any, activity_arn: str) -> int:
        """Queue the scheduled, unstarted tasks of ``activity_arn`` that the store's running
        executions hold (scheduled by another process); how many were new here."""
        added = 0
        for arn in store.unfinished_executions():
            item = store.get_execution(arn)
            state = item.state if item is not None and item.status == "RUNNING" else None
            if not state:
                continue
            pending = {p["token"]: p for p in state.get("pending") or () if p.get("kind") == "task"}
            for token, (_tid, kind, data) in (state.get("waiting") or {}).items():
                if kind != "activity_start" or data.get("activity") != activity_arn or token not in pending:
                    continue
                task = ActivityTask(activity_arn, arn, data["taskToken"], token, pending[token]["payload"])
                added += self.put(task)
        return added


def start_task(executor: Any, task: ActivityTask, worker_name: str | None) -> bool:
    """Record ActivityStarted for ``task`` in its execution; True when it was still waiting for a
    worker and this call started it (False: it timed out, its execution ended, or another poll
    started it first)."""
    poll_id = uuid.uuid4().hex
    message = ActivityStarted(token=task.start_token, worker_name=worker_name, poll_id=poll_id)
    item = executor.deliver(task.execution_arn, [message])
    if item is None or item.status != "RUNNING" or not item.state:
        return False
    entry = (item.state.get("waiting") or {}).get(task.task_token)
    return entry is not None and entry[1] == "activity" and entry[2].get("poll") == poll_id
