"""The durable executor: advances stored executions, committing before it acts.

Every change to an execution goes the same way, whoever asks (the loop delivering task results
and timers, an API call such as SendTaskSuccess or StopExecution):

    lock the execution → load it (cached, or from the store) → feed the messages to the pure core
    → commit the new snapshot and events with compare-and-set → only then perform the effects.

A commit that loses a race (``StaleVersion``: another worker advanced the execution) drops the
cached copy, reloads and applies the messages again; the core ignores a message whose token is
no longer awaited, so a duplicate or late result changes nothing. Effects still pending are part
of every snapshot: after a crash, ``resume`` runs interrupted tasks again (at least once, with the
same stable request id) and re-arms timers.

The loop (``run_until``) groups the messages that arrived together per execution and commits each
execution once per round: a task state costs one store write.
"""

from __future__ import annotations

import heapq
import logging
import threading
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from ..adapters.clock import Clock
from ..adapters.stores.base import ExecutionItem, ExecutionStore, StaleVersion
from ..model import StateMachine
from ..runtime import core, snapshot
from ..runtime import states as _states  # noqa: F401  (registers the state types)
from ..runtime.core import EXPRESS_RUNAWAY_LIMIT, HISTORY_LIMIT, fail_at_history_limit
from ..runtime.effects import Heartbeat, RunTask, StartTimer, StopExecution, TaskDone, TimerFired
from ..runtime.jsontext import dumps_compact
from ..runtime.record import RUNNING, ExecutionRecord
from .activities import awaits_worker, is_activity_task

log = logging.getLogger("stepfn.executor")

Message = TaskDone | TimerFired | StopExecution | Heartbeat
MachineResolver = Callable[[str, str], StateMachine]  # (machine arn, revision id) → compiled machine

_REQUEST_IDS = uuid.UUID("6f0d5c1e-2b8a-4c55-9d1b-7a3e2f6c9b10")

# AWS's hard quota of 25,000 history events per Standard execution ("Avoid reaching the history
# quota", Step Functions developer guide): event 25,000 is ExecutionFailed with this error and cause
# unless it is ExecutionSucceeded (AWS, recorded history: id 25000, previousEventId 24999).


# A key of the stored engine state that outlives the snapshot of each commit (``durable.redrive``
# keeps RedriveExecution's client tokens there).
KEPT_STATE = "redrive"
# Another: a nested ``.sync`` child's link to the task waiting for it (``durable.nested``).
LINK_STATE = "parent"

# Called after every commit of a step (and for each execution ``resume`` adopts: True), under the
# execution's lock, with the execution as committed: what a nested execution's parent hears by.
Observer = Callable[[ExecutionRecord, ExecutionItem, bool], None]


def request_id_for(execution_arn: str, token: str) -> str:
    """A task's stable request id: the same on every (re-)run of one scheduled task."""
    return str(uuid.uuid5(_REQUEST_IDS, f"{execution_arn}/{token}"))


@dataclass(slots=True)
class _Live:
    """An execution this worker holds in memory between commits."""

    record: ExecutionRecord
    machine: StateMachine
    item: ExecutionItem  # as last stored (its version is the one to compare against)
    pending: dict[str, Any] = field(default_factory=dict)  # token → RunTask | StartTimer


class Executor:
    def __init__(
        self,
        store: ExecutionStore,
        *,
        resolve: MachineResolver,
        runner: Any,
        clock: Clock,
        worker_id: str | None = None,
        max_workers: int = 16,
        lease_seconds: float = 60.0,
        cache: bool = True,
        activities: Any = None,
        dispatch: Callable[[str, list[Any]], None] | None = None,
    ) -> None:
        self.store = store
        self.resolve = resolve
        self.runner = runner
        self.activities = activities  # durable.activities.ActivityQueue: activity tasks go there
        # where committed effects go instead of this process's pool and timer heap (serverless:
        # one queue message per task or timer; ``run_task`` then performs a task by its token)
        self.dispatch = dispatch
        # where ``post`` sends messages instead of this process's inbox: (arn, message, at)
        self.poster: Callable[[str, Message, datetime | None], None] | None = None
        self.clock = clock
        self.worker_id = worker_id or f"worker-{uuid.uuid4().hex[:12]}"
        self.max_workers = max_workers
        self.lease = timedelta(seconds=lease_seconds)
        self.cache = cache  # False: reload every execution from the store for every step
        self._live: dict[str, _Live] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._cond = threading.Condition()
        self._inbox: deque[tuple[str, Message]] = deque()
        self._timers: list[tuple[datetime, int, str, Message]] = []
        self._seq = 0
        self._running = 0  # tasks on the pool
        self._pool: ThreadPoolExecutor | None = None
        self.stopping = False
        self._finished = threading.Condition()  # notified whenever an execution ends
        self.observers: list[Observer] = []

    # ------------------------------------------------------------------ starting
    def start(
        self, item: ExecutionItem, machine: StateMachine, input: Any, *, role_arn: str, seed: int
    ) -> ExecutionItem:
        """Create ``item`` (status RUNNING) in the store, run its first step, and act.

        Raises the store's ``AlreadyExists`` when the ARN is taken (nothing is written then)."""
        record = ExecutionRecord(
            arn=item.arn,
            name=item.name,
            machine_arn=item.machine_arn,
            machine_name=item.machine_arn.rsplit(":", 1)[-1],
            input=input,
            start_time=item.start_date,
            role_arn=role_arn,
            seed=seed,
            redrive_count=item.redrive_count,
        )
        record.history_limit = _history_limit(item)
        lock = self._lock(item.arn)
        with lock:
            effects = core.start(machine, record, self.clock.now())
            if record.next_event_id > record.history_limit:
                effects = fail_at_history_limit(record, self.clock.now(), effects)
            live = _Live(record, machine, item)
            self._track(live, effects)
            stored = self.store.create_execution(self._item_of(live), self._events_of(live))
            live.item = stored
            self._keep(live)
            self._observe(live)
        self._schedule(item.arn, effects)
        return stored

    # ------------------------------------------------------------------ delivering
    def deliver(self, arn: str, messages: list[Message]) -> ExecutionItem | None:
        """Apply ``messages`` to the execution now (any thread) and act on the result.

        Returns the execution as stored afterwards (None: no such execution)."""
        with self._lock(arn):
            result = self._apply(arn, messages)
        if result is None:
            return None
        stored, effects = result
        self._schedule(arn, effects)
        return stored

    def post(self, arn: str, message: Message, *, at: datetime | None = None) -> None:
        """Queue a message for the loop (task results from the pool); with ``at``, for then (the
        loop takes due ones after what was queued before them)."""
        if self.poster is not None:  # executions live in other processes too (the serverless queue)
            self.poster(arn, message, at)
            return
        if at is not None:
            self._add_timer(at, arn, message)
            return
        with self._cond:
            self._inbox.append((arn, message))
            self._cond.notify_all()

    def _apply(self, arn: str, messages: list[Message]) -> tuple[ExecutionItem, list[Any]] | None:
        """Under the execution's lock: core, commit (retrying after a lost race), effects."""
        for _ in range(20):
            live = self._live.get(arn) or self._load(arn)
            if live is None:
                return None
            if live.record.status != RUNNING:
                self._live.pop(arn, None)
                return live.item, []
            effects: list[Any] = []
            now = self.clock.now()
            for message in messages:
                token = getattr(message, "token", None)
                effects.extend(core.handle(live.machine, live.record, message, now))
                if token is not None:
                    live.pending.pop(token, None)
            if live.record.next_event_id > live.record.history_limit:
                effects = fail_at_history_limit(live.record, now, effects)
            self._track(live, effects)
            try:
                live.item = self.store.commit(
                    self._item_of(live), expected_version=live.item.version, events=self._events_of(live)
                )
            except StaleVersion:
                self._live.pop(arn, None)  # someone else advanced it: reload and apply again
                continue
            self._keep(live)
            self._observe(live)
            return live.item, effects
        raise RuntimeError(f"execution {arn}: too many lost commit races")

    # ------------------------------------------------------------------ the loop
    def run_until(
        self, done: Callable[[], bool], *, idle_timeout: float | None = None, jump: bool = True
    ) -> None:
        """Deliver task results and timers until ``done()``. With a virtual clock, time jumps to
        the next timer when nothing else can happen (``RuntimeError`` when nothing ever will),
        unless ``jump`` is False: then time moves only when someone advances the clock and calls
        ``wake()`` (a served API under test)."""
        clock = self.clock
        jump = jump and clock.virtual
        while not done() and not self.stopping:
            with self._cond:
                batch = list(self._inbox)
                self._inbox.clear()
                now = clock.now()
                while self._timers and self._timers[0][0] <= now:
                    _, _, arn, message = heapq.heappop(self._timers)
                    batch.append((arn, message))
                if not batch:
                    if self._running == 0 and jump:
                        if not self._timers:
                            raise RuntimeError(
                                "nothing left to do: the executions wait for callbacks "
                                "(SendTaskSuccess/Failure) that no one can send in this run"
                            )
                        clock.sleep_until(self._timers[0][0])
                        continue
                    timeout = idle_timeout
                    if self._timers:
                        wait = max(0.0, (self._timers[0][0] - now).total_seconds())
                        timeout = wait if timeout is None else min(wait, timeout)
                    self._cond.wait(timeout)
                    continue
            self._deliver_batch(batch)

    def wake(self) -> None:
        """Make the loop look at the clock and its inbox again (after a virtual clock moved)."""
        with self._cond:
            self._cond.notify_all()

    def _deliver_batch(self, batch: list[tuple[str, Message]]) -> None:
        grouped: dict[str, list[Message]] = {}
        for arn, message in batch:
            grouped.setdefault(arn, []).append(message)
        for arn, messages in grouped.items():
            self.deliver(arn, messages)

    # ------------------------------------------------------------------ effects
    def _schedule(self, arn: str, effects: list[Any]) -> None:
        if self.dispatch is not None:
            if effects:
                self.dispatch(arn, effects)
            return
        for effect in effects:
            if isinstance(effect, StartTimer):
                self._add_timer(effect.due, arn, TimerFired(token=effect.token))
            elif self.activities is not None and is_activity_task(effect):
                self.activities.perform(arn, effect, self.post)
            elif self.clock.virtual:
                message, elapsed = self._perform(arn, effect)
                if elapsed > 0:
                    self._add_timer(self.clock.now() + timedelta(seconds=elapsed), arn, message)
                else:
                    self.post(arn, message)
            else:
                with self._cond:
                    self._running += 1
                    if self._pool is None:
                        self._pool = ThreadPoolExecutor(self.max_workers, thread_name_prefix="stepfn-task")
                self._pool.submit(self._perform_and_post, arn, effect)

    def _add_timer(self, due: datetime, arn: str, message: Message) -> None:
        with self._cond:
            self._seq += 1
            heapq.heappush(self._timers, (due, self._seq, arn, message))
            self._cond.notify_all()

    def _perform_and_post(self, arn: str, task: RunTask) -> None:
        """Pool thread: run the task, then apply its result right here when the execution is
        free (one hop less for a chain of tasks), else leave it to the loop, which batches the
        results that arrive together into one commit."""
        try:
            lock = self._lock(arn)
            current: RunTask | None = task
            while current is not None and not self.stopping:
                message, _ = self._perform(arn, current)
                current = None
                if not lock.acquire(blocking=False):
                    self.post(arn, message)
                    break
                try:
                    result = self._apply(arn, [message])
                finally:
                    lock.release()
                if result is None:
                    break
                effects = result[1]
                # the next task of the chain runs on this thread (no hand-over); others go to the pool
                current = next(
                    (e for e in effects if isinstance(e, RunTask) and not is_activity_task(e)), None
                )
                self._schedule(arn, [e for e in effects if e is not current])
        except Exception:  # the store failed: the loop or a resume will retry from the store
            log.exception("delivering a task result for %s failed", arn)
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()

    def _perform(self, arn: str, task: RunTask) -> tuple[TaskDone, float]:
        runner = self.runner
        if runner is None:
            cause = f"No task runner for {task.resource.raw}"
            return TaskDone(token=task.token, ok=False, error="States.Runtime", cause=cause), 0.0
        try:
            outcome = runner.run(task, request_id=request_id_for(arn, task.token), now=self.clock.now())
        except Exception as exc:  # a runner bug must not stop the worker: report it as a failure
            log.exception("task runner failed for %s", task.state_name)
            return TaskDone(token=task.token, ok=False, error=type(exc).__name__, cause=str(exc)), 0.0
        if outcome.logs:  # what the task's code wrote: stored before its result is applied
            self._store_logs(arn, task, outcome.logs)
        return outcome.message(task.token), outcome.elapsed

    def _store_logs(self, arn: str, task: RunTask, lines: tuple[dict[str, Any], ...]) -> None:
        """Append a task attempt's log lines (a side channel: a failure loses lines, not the task)."""
        where = {
            "state": task.state_name,
            "attempt": task.attempt,
            "source": "task",
            "request_id": request_id_for(arn, task.token),
        }
        first = ("timestamp", "level")  # the record's keys in their documented order
        records = [{**{key: line.get(key) for key in first}, **where, **line} for line in lines]
        try:
            self.store.append_logs(arn, records)
        except Exception:
            log.exception("storing the log lines of %s (%s) failed", task.state_name, arn)

    def run_task(self, arn: str, token: str, *, fresh: bool = False) -> tuple[TaskDone, float] | None:
        """Perform the pending task ``token`` of a stored execution (a worker that received the
        dispatched task): its outcome message, or None when the task is no longer pending (a
        duplicate delivery, or the execution moved on or ended). No lock is held while it runs.
        ``fresh``: read the execution from the store, not from this worker's cache (another worker
        may have advanced it: a cached copy could miss a task dispatched since).

        An activity task's scheduling check is answered here; a task queued for activity workers
        is not this worker's to run (None)."""
        effect = self.pending(arn, token, fresh=fresh)
        if not isinstance(effect, RunTask):
            return None
        if self.activities is not None and is_activity_task(effect):
            if effect.task_token is not None:
                return None  # waits for GetActivityTask
            posted: list[Message] = []
            self.activities.perform(arn, effect, lambda _arn, message: posted.append(message))
            return (posted[0], 0.0) if posted and isinstance(posted[0], TaskDone) else None
        return self._perform(arn, effect)

    def pending(self, arn: str, token: str, *, fresh: bool = False) -> Any:
        """The effect (RunTask or StartTimer) the stored execution still awaits under ``token``, or
        None (the execution moved on, ended, or does not exist). ``fresh``: as for ``run_task``."""
        with self._lock(arn):
            if fresh:
                self._live.pop(arn, None)
            live = self._live.get(arn) or self._load(arn)
            return live.pending.get(token) if live is not None else None

    def exists(self, arn: str) -> bool:
        """True when the execution is in this worker's cache or in the store."""
        return arn in self._live or self.store.get_execution(arn) is not None

    # ------------------------------------------------------------------ resuming
    def resume(self, *, takeover: bool = False) -> list[str]:
        """Adopt every unfinished execution whose lease is free (or all, with ``takeover``):
        claim it with a commit, re-run its interrupted tasks and re-arm its timers."""
        adopted = []
        now = self.clock.now()
        for arn in self.store.unfinished_executions():
            with self._lock(arn):
                item = self.store.get_execution(arn)
                if item is None or item.status != RUNNING:
                    continue
                held = item.lease_owner not in (None, self.worker_id)
                if held and not takeover and item.lease_until is not None and item.lease_until > now:
                    continue
                live = self._load(arn, item)
                if live is None:
                    continue
                try:
                    live.item = self.store.commit(
                        self._item_of(live), expected_version=item.version, events=[]
                    )
                except StaleVersion:
                    self._live.pop(arn, None)
                    continue
                self._keep(live)
                self._observe(live, resumed=True)
                effects = list(live.pending.values())
            adopted.append(arn)
            self._schedule(arn, effects)
        return adopted

    def reclaim(self, arn: str, pick: Callable[[ExecutionItem, list[Any]], list[Any]]) -> list[Any]:
        """Act again for a stalled execution (the serverless sweeper): under its lock, read it from
        the store and let ``pick`` choose among its pending effects; when it chooses some, renew the
        lease with an empty commit (a concurrent advance wins: nothing is done then), let the
        observers recover what they watch (nested children), and schedule the chosen effects."""
        with self._lock(arn):
            self._live.pop(arn, None)
            live = self._load(arn)
            if live is None or live.record.status != RUNNING:
                return []
            chosen = pick(live.item, list(live.pending.values()))
            if not chosen:
                return []
            try:
                live.item = self.store.commit(
                    self._item_of(live), expected_version=live.item.version, events=[]
                )
            except StaleVersion:
                self._live.pop(arn, None)  # it moved on meanwhile: not stalled
                return []
            self._keep(live)
            self._observe(live, resumed=True)
        self._schedule(arn, chosen)
        return chosen

    # ------------------------------------------------------------------ helpers
    def _lock(self, arn: str) -> threading.Lock:
        with self._locks_guard:
            lock = self._locks.get(arn)
            if lock is None:
                lock = self._locks[arn] = threading.Lock()
            return lock

    def _load(self, arn: str, item: ExecutionItem | None = None) -> _Live | None:
        item = item or self.store.get_execution(arn)
        if item is None:
            return None
        machine = self.resolve(item.machine_arn, item.revision_id)
        if item.state is None or "threads" not in item.state:
            raise RuntimeError(f"execution {arn} has no stored engine state")
        record, pending = snapshot.load(machine, item.state)
        record.history_limit = _history_limit(item)
        live = _Live(record, machine, item, pending)
        self._keep(live)
        return live

    def _observe(self, live: _Live, *, resumed: bool = False) -> None:
        for observer in self.observers:
            try:
                observer(live.record, live.item, resumed)
            except Exception:  # an observer's failure must not undo a commit that landed
                log.exception("an execution observer failed for %s", live.record.arn)

    def _keep(self, live: _Live) -> None:
        if live.record.status == RUNNING:
            if self.cache:
                self._live[live.record.arn] = live
            return
        self._live.pop(live.record.arn, None)
        with self._finished:
            self._finished.notify_all()
        with self._cond:  # wake the loop: its ``done()`` may be true now
            self._cond.notify_all()

    def wait_finished(self, arn: str, timeout: float | None = None) -> bool:
        """Block until the execution has ended (another thread runs the loop); False on timeout.
        Under a virtual clock, run the loop here instead (``run_until``)."""
        with self._finished:
            return self._finished.wait_for(lambda: self.is_finished(arn), timeout)

    @staticmethod
    def _track(live: _Live, effects: list[Any]) -> None:
        pending = live.pending
        for effect in effects:
            pending[effect.token] = effect
        waiting = live.record.waiting
        for token in [t for t in pending if t not in waiting]:
            del pending[token]

    def _item_of(self, live: _Live) -> ExecutionItem:
        r = live.record
        running = r.status == RUNNING
        state = snapshot.dump(r, live.pending)
        for key in (KEPT_STATE, LINK_STATE):
            kept = live.item.state.get(key) if live.item.state is not None else None
            if kept is not None:  # what the engine state carries besides the record (redrive tokens, links)
                state[key] = kept
        return replace(
            live.item,
            status=r.status,
            output=dumps_compact(r.output) if r.status == "SUCCEEDED" else None,
            error=r.error,
            cause=r.cause,
            stop_date=r.stop_time,
            state=state,
            lease_owner=self.worker_id if running else None,
            lease_until=self.clock.now() + self.lease if running else None,
        )

    @staticmethod
    def _events_of(live: _Live) -> list[dict[str, Any]]:
        return [snapshot.event_to_data(e) for e in live.record.take_events()]

    def is_finished(self, arn: str) -> bool:
        live = self._live.get(arn)
        if live is not None:
            return live.record.status != RUNNING
        item = self.store.get_execution(arn)
        return item is None or item.status != RUNNING

    def only_callbacks(self, arn: str) -> bool:
        """True when the execution has nothing to run or time (it waits for callbacks only, or
        for activity workers)."""
        live = self._live.get(arn)
        if live is None or not all(awaits_worker(e) for e in live.pending.values()):
            return False
        with self._cond:  # a message queued for it (a nested child's outcome) is something to do
            return all(a != arn for a, _ in self._inbox) and all(t[2] != arn for t in self._timers)

    def close(self) -> None:
        self.stopping = True
        with self._cond:
            self._cond.notify_all()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def _history_limit(item: ExecutionItem) -> int:
    """AWS's 25,000-event quota for Standard executions; Express ones only get a runaway guard."""
    return HISTORY_LIMIT if item.type == "STANDARD" else EXPRESS_RUNAWAY_LIMIT
