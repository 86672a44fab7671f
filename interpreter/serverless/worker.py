"""``Worker``: performs one work message from the queue against the stored execution.

* ``task``: ``executor.run_task`` (read the execution fresh from the store; None when the task is no
  longer pending: a duplicate or late delivery, nothing happens) → ``executor.deliver`` with the
  outcome (after the task's ``TimerFired`` when it carries a TimeoutSeconds timer that came due
  meanwhile; a task picked up after its timeout is not run: the timeout is delivered), which runs
  the core (every inline state that follows, in the same call), commits with compare-and-set and
  only then dispatches the next effects to the queue. The message is acked only
  when ``process`` returns, i.e. after the commit: a worker that dies before it leaves the message
  to be delivered again, and the task runs again (at least once, with the same request id).
* ``timer``: arrived early (a chained wait longer than SQS's 15-minute delay, or a schedule that
  fired a moment early) → sent again with the remaining delay; a timer no longer awaited → nothing;
  else ``TimerFired`` is delivered.
* ``message``: delivered (after its ``due`` time, like a timer).

A message naming an execution that does not exist raises ``UnknownExecution`` (the queue retries
it and then moves it to the dead-letter queue); a malformed body raises ``MalformedWork``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..adapters.clock import Clock
from ..runtime.effects import StartTimer, TimerFired
from .dispatcher import SqsDispatcher, epoch_ms
from .messages import MessageWork, TaskWork, TimerWork, Work, parse


class UnknownExecution(LookupError):
    """A work message for an execution the store does not have."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What processing one message did (logged by the Lambda handler)."""

    action: str  # ran | delivered | rescheduled | stale
    status: str | None = None  # the execution's status afterwards, when it was committed
    detail: str | None = None


class Worker:
    def __init__(self, executor: Any, dispatcher: SqsDispatcher, clock: Clock) -> None:
        self.executor = executor
        self.dispatcher = dispatcher
        self.clock = clock

    def process(self, body: str | bytes) -> Outcome:
        """Perform the work message ``body``; raises ``MalformedWork`` for a bad one."""
        return self.perform(parse(body))

    def perform(self, work: Work) -> Outcome:
        if isinstance(work, TaskWork):
            return self._task(work)
        if isinstance(work, TimerWork):
            return self._timer(work)
        return self._message(work)

    # ------------------------------------------------------------------ kinds
    def _task(self, work: TaskWork) -> Outcome:
        timeout = work.timeout
        if timeout is not None and self._past(timeout.due_ms):
            # picked up after its TimeoutSeconds (a backlog, a worker that died running it)
            if not isinstance(self.executor.pending(work.arn, timeout.token, fresh=True), StartTimer):
                return self._stale(work.arn, "task no longer pending")
            stored = self.executor.deliver(work.arn, [TimerFired(token=timeout.token)])
            return Outcome("timed out", stored.status if stored is not None else None)
        result = self.executor.run_task(work.arn, work.token, fresh=True)
        if result is None:
            return self._stale(work.arn, "task no longer pending")
        message, _elapsed = result  # virtual elapsed time is for simulated tasks only
        messages: list[Any] = [message]
        if timeout is not None and self._past(timeout.due_ms):
            messages.insert(0, TimerFired(token=timeout.token))  # it ran too long: the timeout wins
        stored = self.executor.deliver(work.arn, messages)
        if stored is None:
            raise UnknownExecution(f"execution {work.arn} does not exist")
        return Outcome("ran", stored.status)

    def _timer(self, work: TimerWork) -> Outcome:
        if self._early(work, work.due_ms):
            return Outcome("rescheduled", detail=f"due in {self._remaining(work.due_ms):.0f} s")
        if not isinstance(self.executor.pending(work.arn, work.token, fresh=True), StartTimer):
            return self._stale(work.arn, "timer no longer awaited")
        stored = self.executor.deliver(work.arn, [TimerFired(token=work.token)])
        if stored is None:
            raise UnknownExecution(f"execution {work.arn} does not exist")
        return Outcome("delivered", stored.status)

    def _message(self, work: MessageWork) -> Outcome:
        if work.due_ms is not None and self._early(work, work.due_ms):
            return Outcome("rescheduled", detail=f"due in {self._remaining(work.due_ms):.0f} s")
        self.executor.pending(work.arn, "", fresh=True)  # drop a cached copy: apply to the stored one
        stored = self.executor.deliver(work.arn, [work.message])
        if stored is None:
            raise UnknownExecution(f"execution {work.arn} does not exist")
        return Outcome("delivered", stored.status)

    # ------------------------------------------------------------------ helpers
    def _past(self, due_ms: int) -> bool:
        return epoch_ms(self.clock.now()) >= due_ms

    def _early(self, work: TimerWork | MessageWork, due_ms: int) -> bool:
        if self._past(due_ms):
            return False
        self.dispatcher.send([work])  # chained: the remaining delay (at most 15 minutes again)
        return True

    def _remaining(self, due_ms: int) -> float:
        return (due_ms - epoch_ms(self.clock.now())) / 1000.0

    def _stale(self, arn: str, detail: str) -> Outcome:
        if not self.executor.exists(arn):
            raise UnknownExecution(f"execution {arn} does not exist")
        return Outcome("stale", detail=detail)
