"""RedriveExecution: run a FAILED, TIMED_OUT or ABORTED Standard execution again from where it
stopped, keeping the work that succeeded.

What AWS documents ("Restarting state machine executions with redrive", Step Functions developer
guide; RedriveExecution in the API reference) and how it is done here:

* The execution keeps its ARN, input and definition revision; its history goes on after the
  terminal event with ``ExecutionRedriven`` ``{"redriveCount": n}`` (previousEventId: the
  terminal event), ``redriveCount`` goes up by one and ``redriveDate`` is set.
* Every state that failed, or was stopped by the failure, the stop or the execution timeout, is
  entered again (a new ``*StateEntered`` event, chained to ``ExecutionRedriven``): a Task is
  scheduled again with a fresh TimeoutSeconds, a Choice re-evaluates its rules, a Fail state fails
  again, a Wait whose timestamp has passed goes straight on. States that finished stay finished
  (a Pass that ran is not run again).
* A Parallel or inline Map whose branch/iteration failed waits again for the unfinished ones only;
  finished branches and iterations keep their results (a redriven Map iteration records
  ``MapIterationStarted`` again; a distributed Map records ``MapRunRedriven``). A Parallel or Map
  that failed with ``States.DataLimitExceeded`` (or for its own reasons, e.g. its ResultSelector)
  runs again in full, as AWS does for the data limit.
* Retry counts of the states run again start from 0; the execution-level ``TimeoutSeconds``
  starts again from the redrive ("reset to 0").

Where the state to redrive comes from: when an execution fails, the core puts the threads the
failure stopped back as they were (``core.Step.keep_redrive_point``), so the stored snapshot of a
FAILED execution holds them, as the snapshot of a stopped or timed-out one already does.

Rules (``redrive_status``; reasons are AWS's ``redriveStatusReason`` texts from the
DescribeExecution API reference): STANDARD executions only; not RUNNING or SUCCEEDED; the state
machine is not deleted; fewer than 24,999 history events; started less than a year ago; stopped
less than 14 days ago. ``clientToken`` makes a redrive idempotent: the last 10 tokens that
redrove the execution answer with their redrive's date for 15 minutes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ..adapters.stores.base import ExecutionItem, StaleVersion
from ..errors import Failure
from ..model import StateMachine
from ..runtime import core
from ..runtime.core import HISTORY_LIMIT, fail_at_history_limit
from ..runtime.record import ABORTED, FAILED, RUNNING, TIMED_OUT, ExecutionRecord, Thread
from ..runtime.snapshot import time_from_data, time_to_data
from ..runtime.states import map_state, parallel
from ..runtime.states.map_state import MapJoin
from .executor import KEPT_STATE, Executor

REDRIVABLE = "REDRIVABLE"
NOT_REDRIVABLE = "NOT_REDRIVABLE"
REDRIVABLE_STATUSES = (FAILED, TIMED_OUT, ABORTED)
REDRIVE_WINDOW = timedelta(days=14)  # "the redrivable period of 14 days" from the stop date
MAX_OPEN_TIME = timedelta(days=365)  # "the maximum open time of one year"
REDRIVE_EVENT_LIMIT = HISTORY_LIMIT - 1  # "The execution event history count is less than 24,999"
CLIENT_TOKENS_KEPT = 10  # "idempotent responses for the last 10 client tokens ..."
CLIENT_TOKEN_LIFETIME = timedelta(minutes=15)  # "... valid for up to 15 minutes after first used"
STATE_KEY = KEPT_STATE  # the execution's engine state keeps {"tokens": [[token, used, date], ...]}

MACHINE_DELETING = "State machine is in DELETING status"
HISTORY_LIMIT_EXCEEDED = "Execution history event limit exceeded"
MAX_TIME_EXCEEDED = "Execution has exceeded the max execution time"
PERIOD_EXCEEDED = "Execution redrivable period exceeded"
EXPRESS_NOT_SUPPORTED = "This operation is not supported by EXPRESS state machines"


class NotRedrivable(Exception):
    """The execution cannot be redriven now; ``reason`` is AWS's ``redriveStatusReason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def redrive_status(
    item: ExecutionItem, now: datetime, *, machine_exists: bool = True
) -> tuple[str, str | None]:
    """``(redriveStatus, redriveStatusReason)`` of ``item`` at ``now``, as DescribeExecution
    reports them: ``("REDRIVABLE", None)`` or ``("NOT_REDRIVABLE", reason)``. Pure: the caller says
    whether the state machine still exists."""
    if item.type != "STANDARD":
        return NOT_REDRIVABLE, EXPRESS_NOT_SUPPORTED
    if item.status not in REDRIVABLE_STATUSES:
        return NOT_REDRIVABLE, f"Execution is {item.status} and cannot be redriven"
    if not machine_exists:
        return NOT_REDRIVABLE, MACHINE_DELETING
    if item.event_count >= REDRIVE_EVENT_LIMIT:
        return NOT_REDRIVABLE, HISTORY_LIMIT_EXCEEDED
    if now - item.start_date > MAX_OPEN_TIME:
        return NOT_REDRIVABLE, MAX_TIME_EXCEEDED
    if item.stop_date is not None and now - item.stop_date > REDRIVE_WINDOW:
        return NOT_REDRIVABLE, PERIOD_EXCEEDED
    return REDRIVABLE, None


# ---------------------------------------------------------------------------------------- pure
def redrive_record(machine: StateMachine, record: ExecutionRecord, now: datetime) -> list[Any]:
    """Run a stopped execution's record again (the pure part of a redrive): status RUNNING,
    ``ExecutionRedriven``, every stopped thread entered again; the effects to perform."""
    step = core.Step(machine, record, now)
    error, cause = record.error, record.cause
    record.status = RUNNING
    record.output = None
    record.error = record.cause = None
    record.stop_time = None
    record.redrive_count += 1
    redriven = step.emit(None, "ExecutionRedriven", {"redriveCount": record.redrive_count})
    if machine.timeout_seconds:  # AWS: the state machine's timeout starts again ("reset to 0")
        step.start_timer(
            None,
            "execution_timeout",
            timedelta(seconds=machine.timeout_seconds),
            token=f"{core.EXECUTION_TIMEOUT}-{record.redrive_count}",  # not the first run's timer
        )
    root = record.root
    if root is None or not root.alive:  # nothing stopped mid-way (the output was too large)
        if root is not None:
            root.last_id = redriven
        step.fail_execution(Failure(error, cause))
        return step.effects
    _resume(step, root, redriven)
    step.drain()
    return step.effects


def _resume(step: core.Step, th: Thread, redriven: int) -> None:
    """Queue ``th`` (live in the snapshot) to run again: enter its state again, or wait again for
    the unfinished children of its Parallel/Map."""
    th.last_id = redriven
    th.retry_counts = None  # AWS: "the retry attempt count ... is reset to 0"
    th.tokens.clear()
    join = th.join
    if join is None:
        step.ready.append((th, core.run_thread))
        return
    st = th.state
    if isinstance(join, MapJoin):
        if st.distributed:
            arn = map_state._map_run_arn(step, th, st)
            step.emit(th, "MapRunRedriven", {"mapRunArn": arn, "redriveCount": step.record.redrive_count})
        children = [join.children[i] for i in sorted(join.children) if join.children[i].alive]
        for child in children:
            child.last_id = redriven
            step.emit(child, "MapIterationStarted", {"name": st.name, "index": child.index})
            _resume(step, child, child.last_id)
        if join.remaining == 0:
            core.resume_with(step, th, map_state._finish)
        elif join.next_index < len(join.inputs) and join.running < (join.max_concurrency or len(join.inputs)):
            map_state.launch(step, th, join)
        return
    children = join.live_children()
    for child in children:
        _resume(step, child, redriven)
    if join.remaining == 0:
        core.resume_with(step, th, parallel._finish)


# ---------------------------------------------------------------------------------------- durable
def redrive(executor: Executor, arn: str, *, client_token: str | None = None) -> tuple[ExecutionItem, bool]:
    """Redrive the stored execution ``arn``: check AWS's rules, commit the redriven record, then
    perform its effects. Returns the execution as stored and whether this call redrove it (False:
    ``client_token`` repeats an earlier redrive, whose item is returned unchanged).

    Raises ``KeyError`` when there is no such execution and ``NotRedrivable`` when AWS's rules
    forbid it."""
    store = executor.store
    with executor._lock(arn):
        for _ in range(20):
            item = store.get_execution(arn)
            if item is None:
                raise KeyError(arn)
            now = executor.clock.now()
            if client_token is not None:
                earlier = _earlier_redrive(item, client_token, now)
                if earlier is not None:
                    return replace(item, redrive_date=earlier), False
            machine_exists = store.get_state_machine(item.machine_arn) is not None
            _, reason = redrive_status(item, now, machine_exists=machine_exists)
            if reason is not None:
                raise NotRedrivable(reason)
            live = executor._load(arn, item)
            assert live is not None
            effects = redrive_record(live.machine, live.record, now)
            if live.record.next_event_id > live.record.history_limit:
                effects = fail_at_history_limit(live.record, now, effects)
            live.item = replace(
                item,
                redrive_count=live.record.redrive_count,
                redrive_date=now,
                state=_with_token(item.state, client_token, now),
            )
            executor._track(live, effects)
            try:
                live.item = store.commit(
                    executor._item_of(live), expected_version=item.version, events=executor._events_of(live)
                )
            except StaleVersion:
                continue  # changed meanwhile: check the rules again on the new version
            executor._keep(live)
            break
        else:
            raise RuntimeError(f"execution {arn}: too many lost commit races")
    executor._schedule(arn, effects)
    return live.item, True


def _earlier_redrive(item: ExecutionItem, token: str, now: datetime) -> datetime | None:
    """The date of the redrive ``token`` already made (within its 15 minutes), else None."""
    for used_token, used_at, redrive_date in _tokens(item.state):
        if used_token == token and now - _from_us(used_at) <= CLIENT_TOKEN_LIFETIME:
            return _from_us(redrive_date)
    return None


def _with_token(state: dict[str, Any] | None, token: str | None, now: datetime) -> dict[str, Any] | None:
    """The engine state with ``token`` remembered (the last 10 stay)."""
    if token is None or state is None:
        return state
    stamp = _to_us(now) // 1000 * 1000  # milliseconds, as the store keeps redrive_date
    tokens = [*_tokens(state), [token, stamp, stamp]][-CLIENT_TOKENS_KEPT:]
    return {**state, STATE_KEY: {"tokens": tokens}}


def _tokens(state: dict[str, Any] | None) -> list[list[Any]]:
    kept = (state or {}).get(STATE_KEY) or {}
    return list(kept.get("tokens", []))


def _to_us(moment: datetime) -> int:
    value = time_to_data(moment)
    assert value is not None
    return value


def _from_us(value: int) -> datetime:
    moment = time_from_data(value)
    assert moment is not None
    return moment
