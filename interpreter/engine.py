"""The engine: load → start → (perform effects → feed results to the core) → finished.

The core (``runtime.core``) decides; the engine does: it runs task effects through a task runner
(concurrently on a thread pool with the real clock; one after another, in the order the core
asked, under the virtual clock, where tasks take no time), keeps timers in a queue and moves the
clock to the next one when nothing else can happen.
"""

from __future__ import annotations

import heapq
import queue
import random
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from .adapters.clock import Clock, SystemClock
from .adapters.task_outcome import TaskOutcome
from .model import StateMachine
from .runtime import core
from .runtime import states as _states  # noqa: F401  (registers the state types)
from .runtime.effects import RunTask, StartTimer, TaskDone, TimerFired
from .runtime.record import ExecutionRecord

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"


class TaskRunner(Protocol):
    def run(self, task: RunTask, *, request_id: str, now: datetime) -> TaskOutcome: ...


class EngineError(RuntimeError):
    """The engine cannot go on with an execution (not a workflow failure)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionResult:
    status: str
    output: Any
    error: str | None
    cause: str | None
    execution_arn: str
    name: str
    start_date: datetime
    stop_date: datetime | None
    record: ExecutionRecord

    @property
    def history(self) -> list[dict[str, Any]]:
        return self.record.history()

    def summary(self) -> dict[str, Any]:
        """``{"status", "output", "error", "cause"}`` as ``stepfn run --json`` prints it."""
        return {"status": self.status, "output": self.output, "error": self.error, "cause": self.cause}


class Engine:
    """Runs executions in this process."""

    def __init__(
        self,
        *,
        runner: TaskRunner | None = None,
        clock: Clock | None = None,
        region: str = DEFAULT_REGION,
        account: str = DEFAULT_ACCOUNT,
        max_workers: int = 16,
        mailbox: Any = None,
    ) -> None:
        self.runner = runner
        self.clock = clock or SystemClock()
        self.region = region
        self.account = account
        self.max_workers = max_workers
        # messages posted for this engine's executions from outside its loop (a nested child's
        # outcome, a callback): ``adapters.nested.Mailbox``
        self.mailbox = mailbox

    # ------------------------------------------------------------------ public
    def run(
        self,
        machine: StateMachine,
        input: Any,
        *,
        name: str | None = None,
        machine_name: str = "StateMachine",
        role_arn: str | None = None,
        seed: int | None = None,
        execution_type: str = "STANDARD",
    ) -> ExecutionResult:
        """Run to the end. ``execution_type`` "EXPRESS" lifts AWS's 25,000-event quota of Standard
        executions (Express executions have none; a runaway guard remains)."""
        record = self.new_record(machine_name, input, name=name, role_arn=role_arn, seed=seed)
        if execution_type == "EXPRESS":
            record.history_limit = core.EXPRESS_RUNAWAY_LIMIT
        elif execution_type != "STANDARD":
            raise ValueError(f"execution_type must be STANDARD or EXPRESS, not {execution_type!r}")
        effects = core.start(machine, record, self.clock.now())
        self._drive(machine, record, effects)
        return ExecutionResult(
            status=record.status,
            output=record.output,
            error=record.error,
            cause=record.cause,
            execution_arn=record.arn,
            name=record.name,
            start_date=record.start_time,
            stop_date=record.stop_time,
            record=record,
        )

    def new_record(
        self,
        machine_name: str,
        input: Any,
        *,
        name: str | None = None,
        role_arn: str | None = None,
        seed: int | None = None,
    ) -> ExecutionRecord:
        name = name or str(uuid.uuid4())
        prefix = f"arn:aws:states:{self.region}:{self.account}"
        return ExecutionRecord(
            arn=f"{prefix}:execution:{machine_name}:{name}",
            name=name,
            machine_arn=f"{prefix}:stateMachine:{machine_name}",
            machine_name=machine_name,
            input=input,
            start_time=self.clock.now(),
            role_arn=role_arn or f"arn:aws:iam::{self.account}:role/StepFunctionsRole",
            seed=seed if seed is not None else random.SystemRandom().getrandbits(48),
        )

    # ------------------------------------------------------------------ driving
    def _drive(self, machine: StateMachine, record: ExecutionRecord, effects: list[Any]) -> None:
        clock = self.clock
        timers: list[tuple[datetime, int, Any]] = []  # (due, order, message)
        ready: deque[Any] = deque()  # messages to hand to the core now
        done: queue.Queue[Any] = queue.Queue()  # task results from worker threads
        seq = 0
        running = 0
        pool: ThreadPoolExecutor | None = None
        mailbox = self.mailbox
        if mailbox is not None:
            mailbox.open(record.arn)
        try:
            while True:
                for eff in effects:
                    if isinstance(eff, StartTimer):
                        seq += 1
                        heapq.heappush(timers, (eff.due, seq, TimerFired(token=eff.token)))
                    elif clock.virtual:
                        message, elapsed = self._perform(eff)
                        if elapsed > 0:  # a task that takes virtual time finishes later
                            seq += 1
                            heapq.heappush(timers, (clock.now() + timedelta(seconds=elapsed), seq, message))
                        else:
                            ready.append(message)
                    else:
                        if pool is None:
                            pool = ThreadPoolExecutor(self.max_workers, thread_name_prefix="stepfn-task")
                        running += 1
                        pool.submit(self._perform_into, eff, done)
                effects = []
                if record.done:
                    return
                if ready:
                    effects = core.handle(machine, record, ready.popleft(), clock.now())
                    continue
                if mailbox is not None and not running:
                    posted = mailbox.take(record.arn)
                    for at, message in posted:
                        if at is None:
                            ready.append(message)
                        else:
                            seq += 1
                            heapq.heappush(timers, (at, seq, message))
                    if posted:
                        continue
                if running:
                    timeout = None
                    if timers:
                        timeout = max(0.0, (timers[0][0] - clock.now()).total_seconds())
                    try:
                        message = done.get(timeout=timeout)
                    except queue.Empty:
                        pass
                    else:
                        running -= 1
                        effects = core.handle(machine, record, message, clock.now())
                        continue
                if timers:
                    due, _, message = heapq.heappop(timers)
                    clock.sleep_until(due)
                    effects = core.handle(machine, record, message, clock.now())
                    continue
                if not running:
                    raise EngineError(
                        f"execution {record.name} is waiting for a callback (SendTaskSuccess/Failure) "
                        "that nothing in this in-process run can send"
                    )
        finally:
            if mailbox is not None:
                mailbox.close(record.arn)
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    def _perform_into(self, task: RunTask, done: queue.Queue[Any]) -> None:
        """Worker-thread body: run the task, post its message for the driving loop."""
        done.put(self._perform(task)[0])

    def _perform(self, task: RunTask) -> tuple[TaskDone, float]:
        """Run one task; the message for the core and the virtual time the task took."""
        runner = self.runner
        if runner is None:
            cause = f"No task runner for {task.resource.raw}"
            return TaskDone(token=task.token, ok=False, error="States.Runtime", cause=cause), 0.0
        try:
            outcome = runner.run(task, request_id=str(uuid.uuid4()), now=self.clock.now())
        except Exception as exc:  # a runner bug must not kill the engine: report it as a failure
            return TaskDone(token=task.token, ok=False, error=type(exc).__name__, cause=str(exc)), 0.0
        return outcome.message(task.token), outcome.elapsed
