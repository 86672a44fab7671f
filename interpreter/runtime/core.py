"""The pure core: advance one execution by one input.

``start(machine, record, now)`` and ``handle(machine, record, message, now)`` run every thread
that can run until each one waits (for a task, a timer or its children) or ends, appending
history events to the record and returning the effects the engine must perform. No I/O, no
clock, no threads, no global randomness: the same record and inputs give the same history.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..errors import NOT_MATCHED_BY_ALL, EvaluationError, Failure, StatesErrorName
from ..model import JSONATA, StateMachine
from . import record as rec
from .context import ThreadScope
from .dataflow import apply_result_path, assign_jsonpath
from .effects import Heartbeat, RunTask, StartTimer, StopExecution, TaskDone, TimerFired
from .history import Event
from .jsonata_flow import exit_event, leave, record_evaluation_failed, states_of
from .jsontext import payload_size
from .record import ExecutionRecord, Thread

PAYLOAD_LIMIT = 262_144  # bytes: AWS's 256 KiB limit on inputs, outputs and results
# AWS's quota of history events per (Standard) execution; the execution fails when it is reached
HISTORY_LIMIT = 25_000
EXPRESS_RUNAWAY_LIMIT = 1_000_000  # stepfn's guard for Express executions (AWS: 5 minutes)
HISTORY_LIMIT_ERROR = "States.Runtime"
HISTORY_LIMIT_CAUSE = f"The execution reached the maximum number of history events ({HISTORY_LIMIT})."

EXECUTION_TIMEOUT = "execution-timeout"

# state type name -> enter(step, thread, state) -> bool (True: the thread moved on and can run on)
ENTER: dict[str, Callable[[Step, Thread, Any], bool]] = {}
# wait kind -> resume(step, thread, message, data): called when the awaited input arrives
RESUME: dict[str, Callable[..., None]] = {}
# wait kind -> on_heartbeat(step, thread, token, data): SendTaskHeartbeat for an awaited token
ON_HEARTBEAT: dict[str, Callable[..., None]] = {}


def _runtime_cause(state_name: str, entered_id: int, detail: str) -> str:
    return (
        f"An error occurred while executing the state '{state_name}' "
        f"(entered at the event id #{entered_id}). {detail}"
    )


class Step:
    """One advance of one execution. Create, call ``start`` or ``handle``, read ``effects``."""

    __slots__ = ("effects", "fallen", "machine", "now", "ready", "record")

    def __init__(self, machine: StateMachine, record: ExecutionRecord, now: datetime) -> None:
        self.machine = machine
        self.record = record
        self.now = now
        self.effects: list[RunTask | StartTimer] = []
        self.ready: deque[tuple[Thread, Callable[[Step, Thread], None]]] = deque()
        # threads that failed in this step → [the state they failed in, the join their failing
        # child detached]: what ``keep_redrive_point`` puts back if the execution fails
        self.fallen: dict[Thread, list[Any]] = {}

    # ------------------------------------------------------------------ history
    def emit(self, th: Thread | None, type_: str, details: dict[str, Any] | None) -> int:
        r = self.record
        if th is not None and th.quiet:
            return th.last_id
        eid = r.next_event_id
        r.next_event_id = eid + 1
        if th is None:
            r.events.append(Event(eid, eid - 1 if eid > 1 else 0, type_, self.now, details))
        else:
            r.events.append(Event(eid, th.last_id, type_, self.now, details))
            th.last_id = eid
        return eid

    # ------------------------------------------------------------------ entry points
    def start(self) -> list[RunTask | StartTimer]:
        r, m = self.record, self.machine
        self.emit(None, "ExecutionStarted", {"input": r.input, "roleArn": r.role_arn})
        root = self.new_thread(m.graph, None, 0, last_id=0)
        r.root = root
        if m.timeout_seconds:
            self.start_timer(
                None, "execution_timeout", timedelta(seconds=m.timeout_seconds), token=EXECUTION_TIMEOUT
            )
        root.input = r.input
        self.ready.append((root, run_thread))
        self.drain()
        return self.effects

    def handle(self, message: Any) -> list[RunTask | StartTimer]:
        r = self.record
        if r.done:
            return self.effects
        if isinstance(message, StopExecution):
            self.abort(message)
            return self.effects
        if isinstance(message, Heartbeat):
            entry = r.waiting.get(message.token)
            if entry is not None and entry[0] is not None and entry[1] in ON_HEARTBEAT:
                ON_HEARTBEAT[entry[1]](self, entry[0], message.token, entry[2])
            return self.effects
        token = message.token
        entry = r.waiting.pop(token, None)
        if entry is None:
            return self.effects  # stale or duplicate: already handled, or its thread is gone
        th, kind, data = entry
        if th is not None:
            th.tokens.discard(token)
            if not th.alive:
                return self.effects
        RESUME[kind](self, th, message, data)
        self.drain()
        return self.effects

    def drain(self) -> None:
        ready = self.ready
        while ready:
            th, action = ready.popleft()
            if th.alive and not self.record.done:
                action(self, th)

    # ------------------------------------------------------------------ threads
    def new_thread(self, graph: Any, parent: Thread | None, index: int, last_id: int) -> Thread:
        r = self.record
        th = Thread(r.next_thread_id, graph, parent, index, last_id)
        r.next_thread_id += 1
        return th

    def scope(self, th: Thread) -> ThreadScope:
        return ThreadScope(self, th)

    def rng(self) -> random.Random:
        """A generator seeded from the execution and its progress, so replays repeat."""
        r = self.record
        return random.Random(r.seed * 1_000_003 + r.next_event_id * 7919 + r.next_token)

    def new_token(self, kind: str) -> str:
        r = self.record
        r.next_token += 1
        return f"{kind}-{r.next_token}"

    def wait_for(self, th: Thread | None, kind: str, data: Any = None, token: str | None = None) -> str:
        if token is None:
            token = self.new_token(kind)
        self.record.waiting[token] = (th, kind, data)
        if th is not None:
            th.tokens.add(token)
        return token

    def start_timer(
        self, th: Thread | None, kind: str, delay: timedelta, data: Any = None, token: str | None = None
    ) -> str:
        token = self.wait_for(th, kind, data, token)
        self.effects.append(StartTimer(token=token, due=self.now + delay))
        return token

    def cancel_waits(self, th: Thread) -> None:
        waiting = self.record.waiting
        for token in th.tokens:
            waiting.pop(token, None)
        th.tokens.clear()

    def kill(self, th: Thread) -> None:
        """Stop a thread and everything under it (a sibling branch failed, a stop)."""
        th.alive = False
        self.cancel_waits(th)
        join = th.join
        if join is not None:
            for child in join.live_children():
                self.kill(child)

    # ------------------------------------------------------------------ transitions
    def advance(self, th: Thread, state: Any, output: Any) -> bool:
        """Leave ``state`` with ``output``: go to Next, or end the thread. True when it goes on."""
        nxt = state.next
        if nxt is None:
            self.finish_thread(th, output)
            return False
        th.state = th.graph.states[nxt]
        th.input = output
        th.retry_counts = None
        return True

    def goto(self, th: Thread, name: str, output: Any) -> bool:
        th.state = th.graph.states[name]
        th.input = output
        th.retry_counts = None
        return True

    def finish_thread(self, th: Thread, output: Any) -> None:
        th.alive = False
        th.state = None
        parent = th.parent
        if parent is None:
            self.succeed_execution(output)
        else:
            parent.join.child_succeeded(self, parent, th, output)

    def fail_thread(self, th: Thread, failure: Failure) -> None:
        fallen = self.fallen
        fallen.setdefault(th, [None, None])[0] = th.state
        th.alive = False
        th.state = None
        parent = th.parent
        if parent is None:
            self.fail_execution(failure)
            self.keep_redrive_point(th)
        else:
            # AWS reruns a Parallel/Map in full when it failed with States.DataLimitExceeded
            if failure.error != StatesErrorName.DATA_LIMIT_EXCEEDED:
                fallen.setdefault(parent, [None, None])[1] = parent.join
            parent.join.child_failed(self, parent, th, failure)

    # ------------------------------------------------------------------ execution end
    def _end(self, status: str) -> None:
        r = self.record
        r.status = status
        r.stop_time = self.now
        r.waiting.clear()
        self.ready.clear()

    def succeed_execution(self, output: Any) -> None:
        r = self.record
        if payload_size(output) > PAYLOAD_LIMIT:
            self.fail_execution(
                Failure(
                    StatesErrorName.DATA_LIMIT_EXCEEDED.value,
                    "The state machine output exceeds the maximum number of bytes service limit.",
                )
            )
            return
        self.emit(r.root, "ExecutionSucceeded", {"output": output})
        r.output = output
        self._end(rec.SUCCEEDED)

    def fail_execution(self, failure: Failure) -> None:
        r = self.record
        details: dict[str, Any] = {}
        if failure.error is not None:
            details["error"] = failure.error
        if failure.cause is not None:
            details["cause"] = failure.cause
        self.emit(r.root, "ExecutionFailed", details)
        r.error, r.cause = failure.error, failure.cause
        self._end(rec.FAILED)

    def time_out(self) -> None:
        r = self.record
        self.emit(r.root, "ExecutionTimedOut", {"error": StatesErrorName.TIMEOUT.value})
        r.error, r.cause = StatesErrorName.TIMEOUT.value, None
        self._end(rec.TIMED_OUT)

    def abort(self, message: StopExecution) -> None:
        """StopExecution: one ``ExecutionAborted`` event, chained to no event (previousEventId 0),
        with ``error``/``cause`` only when given (``{}`` when neither is).

        What AWS records (tests/unit/runtime/test_stop_execution.py names the sources): stopped
        in a Wait or in a Task waiting for its callback, the history ends ``...WaitStateEntered``
        / ``...TaskSubmitted``, ``ExecutionAborted`` (previousEventId 0) - no ``WaitStateAborted``
        or ``TaskStateAborted``. No AWS record of a stop inside a Parallel or a Map was found, so
        none of their ``*Aborted`` events is recorded either.

        The thread tree is left as it was (threads live, in their states, joins waiting): a
        redrive runs again what the stop interrupted (``durable.redrive``)."""
        r = self.record
        details: dict[str, Any] = {}
        if message.error is not None:
            details["error"] = message.error
        if message.cause is not None:
            details["cause"] = message.cause
        eid = r.next_event_id
        r.next_event_id = eid + 1
        r.events.append(Event(eid, 0, "ExecutionAborted", self.now, details))
        r.error, r.cause = message.error, message.cause
        self._end(rec.ABORTED)

    def keep_redrive_point(self, th: Thread) -> None:
        """The execution failed through ``th``: put its tree back as it was where it failed, so
        the record (and its snapshot) shows what a redrive runs again. Each thread that failed
        or was stopped by the failure is live again in the state it was in; a Parallel/Map whose
        child failed waits on its join again (finished children keep their results)."""
        entry = self.fallen.get(th)
        th.alive = True
        if entry is not None:
            if entry[0] is not None:
                th.state = entry[0]
            if th.join is None and entry[1] is not None:
                th.join = entry[1]
        join = th.join
        if join is not None:
            children = join.children
            for child in children.values() if isinstance(children, dict) else children:
                if not child.alive and (child.state is not None or child in self.fallen):
                    self.keep_redrive_point(child)

    # ------------------------------------------------------------------ failures
    def runtime_failure(self, th: Thread, state: Any, err: EvaluationError) -> Failure:
        if err.bare:
            return Failure(err.error, err.detail)
        return Failure(err.error, _runtime_cause(state.name, th.entered_id, err.detail))

    def retrier_for(self, th: Thread, state: Any, failure: Failure) -> int | None:
        """Index of the retrier that will retry ``failure`` now, or None (AWS uses the first
        retrier whose ErrorEquals matches; once it is exhausted no later retrier is tried)."""
        error = failure.error
        retriers = getattr(state, "retry", ())
        if not retriers or error == StatesErrorName.RUNTIME:
            return None
        for i, retrier in enumerate(retriers):
            if matches(retrier.error_equals, error):
                counts = th.retry_counts
                return i if (counts[i] if counts else 0) < retrier.max_attempts else None
        return None

    def fail_state(self, th: Thread, state: Any, failure: Failure) -> bool:
        """A state failed: retry, catch, or fail the thread. True when the thread goes on now."""
        index = self.retrier_for(th, state, failure)
        if index is not None:
            self.fallen.pop(th, None)  # retried or caught: no redrive point here
            counts = th.retry_counts
            if counts is None:
                counts = th.retry_counts = [0] * len(state.retry)
            delay = retry_delay(state.retry[index], counts[index], self.rng())
            counts[index] += 1
            self.start_timer(th, "retry", timedelta(seconds=delay))
            return False
        catchers = getattr(state, "catch", ())
        if catchers and failure.error != StatesErrorName.RUNTIME:
            for catcher in catchers:
                if matches(catcher.error_equals, failure.error):
                    self.fallen.pop(th, None)
                    return self.catch(th, state, catcher, failure)
        self.fail_thread(th, failure)
        return False

    def catch(self, th: Thread, state: Any, catcher: Any, failure: Failure) -> bool:
        error_output: dict[str, Any] = {"Error": failure.error}
        if failure.cause is not None:
            error_output["Cause"] = failure.cause
        assigned = None
        try:
            if state.query_language == JSONATA:
                states = states_of(self, th)
                states["errorOutput"] = error_output
                output, assigned = leave(self, th, catcher.output, catcher.assign, states, error_output)
            else:
                output = apply_result_path(catcher.result_path, th.input, error_output)
                assigned = assign_jsonpath(catcher.assign, error_output, self.scope(th))
        except EvaluationError as err:
            caught = self.runtime_failure(th, state, err)
            record_evaluation_failed(self, th, state, caught)
            self.fail_thread(th, caught)
            return False
        exit_event(self, th, state, output, assigned)
        return self.goto(th, catcher.next, output)


def run_thread(step: Step, th: Thread) -> None:
    """Run ``th`` from the entry of its current state until it waits or ends."""
    enter = ENTER
    record = step.record
    while th.alive:
        if record.next_event_id > record.history_limit:  # a loop that never waits ends here, as on AWS
            step.effects[:] = fail_at_history_limit(record, step.now, step.effects)
            step.ready.clear()
            return
        state = th.state
        if not enter[state.type_name](step, th, state):
            return


def resume_with(step: Step, th: Thread, work: Callable[[Step, Thread], bool]) -> None:
    """Queue ``work`` for ``th``; when it returns True the thread runs on from its new state."""

    def action(step: Step, th: Thread) -> None:
        if work(step, th):
            run_thread(step, th)

    step.ready.append((th, action))


RETRY_AGAIN: dict[str, Callable[[Step, Thread, Any], Any]] = {}


def on_execution_timeout(step: Step, th: Any, message: Any, data: Any) -> None:
    step.time_out()


def _retry(step: Step, th: Thread) -> bool:
    """A retry delay elapsed: do the state's work again (no new StateEntered event)."""
    return RETRY_AGAIN[th.state.type_name](step, th, th.state)


RESUME["retry"] = lambda step, th, message, data: resume_with(step, th, _retry)
RESUME["execution_timeout"] = on_execution_timeout


def matches(error_equals: tuple[str, ...], error: str | None) -> bool:
    """AWS's ErrorEquals matching (ASL spec "Error names"; AWS docs "Handling errors").

    States.ALL matches any error except States.Runtime and States.DataLimitExceeded;
    States.TaskFailed matches any error except States.Timeout (and those two); other names
    match exactly.
    """
    if error is None:
        error = ""
    for name in error_equals:
        if name == error:
            return True
        if name == "States.ALL" and error not in NOT_MATCHED_BY_ALL:
            return True
        if (
            name == "States.TaskFailed"
            and error not in NOT_MATCHED_BY_ALL
            and error != StatesErrorName.TIMEOUT
        ):
            return True
    return False


def retry_delay(retrier: Any, attempt: int, rng: random.Random) -> float:
    """Seconds before retry ``attempt`` (0-based): IntervalSeconds x BackoffRate^attempt,
    capped by MaxDelaySeconds, then FULL jitter picks uniformly below it."""
    delay = retrier.interval_seconds * (retrier.backoff_rate**attempt)
    if retrier.max_delay_seconds is not None:
        delay = min(delay, retrier.max_delay_seconds)
    if retrier.jitter_strategy == "FULL":
        delay = rng.uniform(0, delay)
    return delay


def start(machine: StateMachine, record: ExecutionRecord, now: datetime) -> list[RunTask | StartTimer]:
    return Step(machine, record, now).start()


def handle(
    machine: StateMachine,
    record: ExecutionRecord,
    message: TaskDone | TimerFired | StopExecution | Heartbeat,
    now: datetime,
) -> list[RunTask | StartTimer]:
    return Step(machine, record, now).handle(message)


def fail_at_history_limit(record: ExecutionRecord, now: datetime, effects: list[Any]) -> list[Any]:
    """End ``record`` at its history quota if its last step went past it; the effects still to
    perform (none once it failed). Events past the quota are dropped; the last event is
    ExecutionFailed (States.Runtime) unless it is the execution's own ExecutionSucceeded."""
    limit = record.history_limit
    last = record.next_event_id - 1
    if last < limit or (last == limit and record.status == rec.SUCCEEDED):
        return effects
    del record.events[max(0, limit - 1 - record.event_offset) :]
    cause = f"The execution reached the maximum number of history events ({limit})."
    details = {"error": HISTORY_LIMIT_ERROR, "cause": cause}
    record.events.append(Event(limit, limit - 1, "ExecutionFailed", now, details))
    record.next_event_id = limit + 1
    record.status = rec.FAILED
    record.output = None
    record.error, record.cause = HISTORY_LIMIT_ERROR, cause
    record.stop_time = now
    record.waiting.clear()
    if record.root is not None:
        record.root.alive = False
    return []
