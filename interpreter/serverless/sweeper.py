"""The sweeper: re-sends the work of executions that stalled (run on a schedule, e.g. every 10 min).

Every commit leaves the execution's effects pending in its stored snapshot and renews its lease
(``STEPFN_STALE_AFTER_SECONDS``). The queue messages for those effects are sent right after the
commit; if that send failed (the function died between the two, SQS refused), or a message went to
the dead-letter queue, nothing would move the execution again. ``sweep`` finds RUNNING executions
whose lease ran out and re-dispatches:

* tasks still pending (not activity tasks, which wait for ``GetActivityTask``): run again, at least
  once, with the same request id;
* timers that were due more than ``grace`` ago and did not fire.

Re-dispatching renews the lease with an empty commit, so a stalled execution is re-sent at most
once per lease, and a duplicate is harmless (the worker ignores a token no longer awaited). An
execution that only waits (a long Wait, a callback) is read, not written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..adapters.stores.base import ExecutionItem
from ..durable.activities import awaits_worker
from ..runtime.effects import RunTask, StartTimer

log = logging.getLogger("stepfn.serverless.sweeper")


@dataclass(slots=True)
class SweepReport:
    checked: int = 0
    redispatched: dict[str, int] = field(default_factory=dict)  # execution ARN → effects re-sent
    failed: list[str] = field(default_factory=list)


def sweep(executor: Any, *, now: datetime, grace: timedelta = timedelta(minutes=2)) -> SweepReport:
    report = SweepReport()

    def pick(item: ExecutionItem, effects: list[Any]) -> list[Any]:
        if item.lease_until is not None and item.lease_until > now:
            return []  # advanced recently: its messages are on their way
        chosen = []
        for effect in effects:
            lost_task = isinstance(effect, RunTask) and not awaits_worker(effect)
            lost_timer = isinstance(effect, StartTimer) and effect.due + grace <= now
            if lost_task or lost_timer:
                chosen.append(effect)
        return chosen

    store = executor.store
    for arn in store.unfinished_executions():
        report.checked += 1
        item = store.get_execution(arn)
        if item is None or item.status != "RUNNING":
            continue
        if item.lease_until is not None and item.lease_until > now:
            continue
        try:
            chosen = executor.reclaim(arn, pick)
        except Exception:  # one broken execution must not stop the sweep
            log.exception("sweeping %s failed", arn)
            report.failed.append(arn)
            continue
        if chosen:
            log.warning("re-dispatched %d stalled effect(s) of %s", len(chosen), arn)
            report.redispatched[arn] = len(chosen)
    return report
