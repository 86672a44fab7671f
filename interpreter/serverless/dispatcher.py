"""``SqsDispatcher``: committed effects become work messages on the SQS work queue.

The executor calls ``dispatch(arn, effects)`` after every commit (``Executor(dispatch=...)``):

* ``RunTask`` → one ``task`` message (a Map fan-out of N tasks: N messages, sent ten to a
  ``SendMessageBatch`` call). Activity tasks waiting for ``GetActivityTask`` are not sent: they
  stay pending in the stored execution, where the API function finds them. A request-response
  task's ``TimeoutSeconds`` timer travels inside its task message (the worker running the task
  enforces it) instead of as a message of its own.
* ``StartTimer`` → one ``timer`` message with ``DelaySeconds = min(900, ceil(due - now))``
  (0 when due). A timer further away than SQS's 15-minute maximum is *chained*: the worker that
  receives it early sends it again with the remaining delay. With an ``EventBridgeTimers``
  (``scheduler=``), timers more than 15 minutes away become one EventBridge Scheduler one-time
  schedule (``at(...)``) whose target is the queue, carrying the same body.

``post(arn, message, at=None)`` sends a core input out of band (``message`` kind): what the
executor's ``post`` does in-process (a nested child's outcome to its parent, a StopExecution of an
orphaned child), done through the queue when executions live in many Lambda containers.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ..adapters.clock import Clock
from ..durable.activities import awaits_worker, is_activity_task
from ..runtime.effects import RunTask, StartTimer
from .messages import MAX_BODY_BYTES, Message, MessageWork, TaskWork, Timeout, TimerWork, Work, encode

MAX_DELAY_SECONDS = 900  # SQS's DelaySeconds limit (15 minutes)
BATCH = 10  # SendMessageBatch's entry limit


class DispatchError(RuntimeError):
    """Work messages that could not be sent (after one retry of the failed entries)."""


def epoch_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def delay_seconds(due_ms: int, now: datetime) -> int:
    """SQS DelaySeconds for a message due at ``due_ms``: whole seconds up to the due time (rounded
    up, so it never arrives early when it fits), at most 900, 0 when due."""
    remaining = (due_ms - epoch_ms(now)) / 1000.0
    return 0 if remaining <= 0 else min(MAX_DELAY_SECONDS, math.ceil(remaining))


def _own_timeout(task: RunTask, following: list[Any]) -> Timeout | None:
    """The TimeoutSeconds timer the core started right after ``task`` (``task_timeout-<n>``), when
    the worker that runs the task can enforce it: a plain request-response call (no callback, no
    ``.sync`` job, no activity), which the worker performs from start to end."""
    if task.task_token is not None or is_activity_task(task) or not following:
        return None
    timer = following[0]
    if not isinstance(timer, StartTimer) or not timer.token.startswith("task_timeout"):
        return None
    return Timeout(token=timer.token, due_ms=epoch_ms(timer.due))


class EventBridgeTimers:
    """Timers further away than SQS can delay, as EventBridge Scheduler one-time schedules
    targeting the work queue (``at(yyyy-mm-ddThh:mm:ss)`` in UTC, deleted after they run).

    ``queue_arn``: the work queue; ``role_arn``: a role Scheduler assumes, allowed
    ``sqs:SendMessage`` on it; ``group``: the schedule group."""

    def __init__(self, client: Any, *, queue_arn: str, role_arn: str, group: str = "default") -> None:
        self.client = client
        self.queue_arn = queue_arn
        self.role_arn = role_arn
        self.group = group

    def schedule(self, work: TimerWork | MessageWork, body: str, due_ms: int) -> None:
        # ceil to the next whole second: the schedule never fires before the timer is due (a worker
        # that still gets it early sends it on with the remaining delay)
        due = datetime.fromtimestamp(math.ceil(due_ms / 1000), tz=UTC)
        token = getattr(work, "token", None) or body
        name = "stepfn-" + hashlib.sha256(f"{work.arn}#{token}#{due_ms}".encode()).hexdigest()[:48]
        # the same timer scheduled already (a duplicate dispatch): one is enough
        with contextlib.suppress(self.client.exceptions.ConflictException):
            self.client.create_schedule(
                Name=name,
                GroupName=self.group,
                ScheduleExpression=f"at({due:%Y-%m-%dT%H:%M:%S})",
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                Target={"Arn": self.queue_arn, "RoleArn": self.role_arn, "Input": body},
            )


class SqsDispatcher:
    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        *,
        clock: Clock,
        scheduler: EventBridgeTimers | None = None,
    ) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.clock = clock
        self.scheduler = scheduler
        self.sent = 0  # messages sent (the cost model counts them)
        self.scheduled = 0  # EventBridge schedules created

    # ------------------------------------------------------------------ the executor's hooks
    def __call__(self, arn: str, effects: list[Any]) -> None:
        self.dispatch(arn, effects)

    def dispatch(self, arn: str, effects: list[Any]) -> None:
        works: list[Work] = []
        carried: set[str] = set()  # timeout timers that travel with their task
        for index, effect in enumerate(effects):
            if isinstance(effect, RunTask):
                if awaits_worker(effect):
                    continue  # an activity task: GetActivityTask hands it to a worker
                timeout = _own_timeout(effect, effects[index + 1 : index + 2])
                if timeout is not None:
                    carried.add(timeout.token)
                token, name, attempt = effect.token, effect.state_name, effect.attempt
                works.append(TaskWork(arn=arn, token=token, state=name, attempt=attempt, timeout=timeout))
            elif isinstance(effect, StartTimer):
                if effect.token in carried:
                    continue
                works.append(TimerWork(arn=arn, token=effect.token, due_ms=epoch_ms(effect.due)))
            else:
                raise TypeError(f"cannot dispatch {type(effect).__name__}")
        self.send(works)

    def post(self, arn: str, message: Message, *, at: datetime | None = None) -> None:
        due = None if at is None or at <= self.clock.now() else epoch_ms(at)
        self.send([MessageWork(arn=arn, message=message, due_ms=due)])

    # ------------------------------------------------------------------ sending
    def send(self, works: Sequence[Work]) -> None:
        """Send ``works`` (delays from their due times); ``DispatchError`` if some could not be."""
        now = self.clock.now()
        entries: list[dict[str, Any]] = []
        for work in works:
            body = encode(work)
            if len(body.encode("utf-8")) > MAX_BODY_BYTES:
                raise DispatchError(
                    f"work message for {work.arn} is {len(body)} bytes, over the "
                    f"{MAX_BODY_BYTES}-byte limit of a queue message"
                )
            due = work.due_ms if isinstance(work, TimerWork | MessageWork) else None
            far = due is not None and (due - epoch_ms(now)) / 1000.0 > MAX_DELAY_SECONDS
            if far and self.scheduler is not None and due is not None:
                self.scheduler.schedule(work, body, due)  # type: ignore[arg-type]
                self.scheduled += 1
                continue
            delay = 0 if due is None else delay_seconds(due, now)
            entries.append({"MessageBody": body, "DelaySeconds": delay})
        for start in range(0, len(entries), BATCH):
            self._send_batch(entries[start : start + BATCH])

    def _send_batch(self, entries: list[dict[str, Any]]) -> None:
        if len(entries) == 1:
            self.sqs.send_message(QueueUrl=self.queue_url, **entries[0])
            self.sent += 1
            return
        numbered = {str(i): entry for i, entry in enumerate(entries)}
        for attempt in range(2):
            answer = self.sqs.send_message_batch(
                QueueUrl=self.queue_url, Entries=[{"Id": key, **entry} for key, entry in numbered.items()]
            )
            self.sent += len(answer.get("Successful") or ())
            failed = answer.get("Failed") or []
            if not failed:
                return
            if attempt == 1:
                reasons = "; ".join(f"{f.get('Code')}: {f.get('Message')}" for f in failed)
                raise DispatchError(f"{len(failed)} work message(s) could not be sent: {reasons}")
            numbered = {f["Id"]: numbered[f["Id"]] for f in failed}
