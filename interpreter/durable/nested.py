"""Nested executions in the durable engine: ``states:startExecution*`` tasks start stored
executions of stored state machines, and a ``.sync`` parent hears of its child's end.

``NestedExecutions`` is a claiming task runner bound to a ``Workflows`` (which asks it first, after
any mocks) and an observer of its ``Executor``. The shapes and error names are AWS's
(``adapters.nested`` names the sources). How it works, without a thread ever waiting for a child:

* Start: the child is created in the store like any StartExecution (AWS's checks and errors), named
  by the task's stable request id when the task gives no ``Name``, so a task run again after a
  crash finds the child it started: the child's engine state keeps a link to its starter
  (``executor.LINK_STATE``: the request id and the start response; for ``.sync`` also the parent
  ARN and the task's job token). Request-response and ``.waitForTaskToken`` answer with the start
  response (the core of a ``.waitForTaskToken`` task then waits for SendTaskSuccess/Failure, which
  the child may send through ``aws-sdk:sfn:sendTask*``: also claimed here for our tokens). ``.sync``
  answers ``TaskSubmitted`` (pending).
* End: after every commit the executor calls ``observe``. A linked ``.sync`` child that ended posts
  its DescribeExecution-shaped outcome to the parent's job token; the parent's core ends the task.
* Stop: a parent that no longer waits for a running ``.sync`` child (stopped, timed out, failed,
  its task timed out or its branch was cancelled) stops it with AWS's cause (``abort_cause``).
* Crash: ``resume`` calls ``observe`` for each execution it adopts. A parent whose job wait already
  holds the start response looks its child up: ended → the outcome is posted now (its end was
  committed but not delivered); running → watched again. A parent that had not yet recorded the
  start runs the task again, which finds its child through the link.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from ..adapters.nested import (
    SYNC_PATTERNS,
    ChildEnd,
    StartRequest,
    abort_cause,
    api_failure,
    attach,
    callback_message,
    callback_target,
    completion,
    is_start_execution,
    sdk_failure,
    send_task_action,
    start_request,
    start_response,
)
from ..adapters.stores.base import AlreadyExists, ExecutionItem
from ..adapters.task_outcome import TaskOutcome
from ..runtime.effects import RunTask, StopExecution
from ..runtime.record import RUNNING, ExecutionRecord
from ..service import arns
from ..service.errors import ApiError
from .executor import LINK_STATE
from .redrive import redrive_status

_RUN_IDS = uuid.UUID("3c1f2a9e-7b54-4d0e-9a61-5e2f8c7d4b13")


class NestedExecutions:
    def __init__(self, workflows: Any) -> None:
        self.workflows = workflows
        self._children: dict[str, dict[str, str]] = {}  # parent ARN → {job token: running child ARN}
        self._lock = threading.Lock()

    def wire(self, runner: Any) -> Any:
        """The runner the executor uses: ``runner`` asking this one first (mocks aside)."""
        return attach(runner, self)

    # ------------------------------------------------------------ runner
    def claims(self, task: RunTask) -> bool:
        if is_start_execution(task):
            return True
        target = callback_target(task) if send_task_action(task) else None
        return target is not None and self.workflows.store.get_execution(target[0]) is not None

    def run(self, task: RunTask, *, request_id: str, now: datetime) -> TaskOutcome:
        action = send_task_action(task)
        try:
            if action is not None:
                return self._send_task(task, action)
            return self._start(task, start_request(task.payload), request_id)
        except ApiError as err:
            return (sdk_failure if action is not None else api_failure)(err, request_id)

    def _start(self, task: RunTask, request: StartRequest, request_id: str) -> TaskOutcome:
        wf = self.workflows
        store = wf.store
        parsed = arns.parse_state_machine_arn(request.machine_arn)
        machine = None if parsed.qualified else store.get_state_machine(request.machine_arn)
        if machine is None:
            raise ApiError(
                "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{request.machine_arn}'"
            )
        name = request.name or request_id
        run_id = str(uuid.uuid5(_RUN_IDS, request_id)) if machine.type == "EXPRESS" else ""
        arn = arns.execution_arn(machine.arn, name, machine_type=machine.type, run_id=run_id)
        sync = task.resource.pattern in SYNC_PATTERNS
        job = task.task_token if sync else None
        existing = store.get_execution(arn)
        if existing is not None:
            return self._again(existing, request, request_id, job)
        start = _ms(wf.clock.now())
        submitted = start_response(arn, start, request_id)
        link: dict[str, Any] = {"request": request_id, "submitted": submitted}
        if job is not None:
            link.update(arn=job.rpartition("#")[0], token=job, parsed=task.resource.pattern == "sync2")
            self._watch(link["arn"], job, arn)  # before the start: the child may end inside it
        try:
            wf.start(
                machine, request.input_text, name=name, arn=arn, start_date=start, state={LINK_STATE: link}
            )
        except AlreadyExists:  # started concurrently under the same name
            if job is not None:
                self._forget(link["arn"], job)
            existing = store.get_execution(arn)
            if existing is None:
                raise _already_exists(arn) from None
            return self._again(existing, request, request_id, job)
        if job is not None:
            return TaskOutcome(True, None, submitted=submitted, pending=True)
        return TaskOutcome.success(submitted)

    def _again(
        self, existing: ExecutionItem, request: StartRequest, request_id: str, job: str | None
    ) -> TaskOutcome:
        """StartExecution of a name that is taken: this task's own child (the task ran again after a
        crash), StartExecution's idempotent answer (same input, still running), or AWS's error."""
        link = (existing.state or {}).get(LINK_STATE) or {}
        if link.get("request") == request_id:
            submitted = link["submitted"]
            if job is None:
                return TaskOutcome.success(submitted)
            if existing.status == RUNNING:
                self._watch(link["arn"], job, existing.arn)
                return TaskOutcome(True, None, submitted=submitted, pending=True)
            done = completion(job, self._ended(existing), parsed=link["parsed"], submitted=submitted)
            return TaskOutcome(done.ok, done.output, done.error, done.cause, submitted=submitted)
        if job is None and existing.status == RUNNING and _same_json(existing.input, request.input_text):
            return TaskOutcome.success(start_response(existing.arn, existing.start_date, request_id))
        raise _already_exists(existing.arn)

    def _send_task(self, task: RunTask, action: str) -> TaskOutcome:
        """SendTaskSuccess/Failure/Heartbeat through ``aws-sdk:sfn``, for a token of this store; the
        checks and errors of the API (``service.callbacks``), named ``Sfn.<Code>Exception``."""
        target = callback_target(task)
        assert target is not None
        arn, token = target
        item = self.workflows.store.get_execution(arn)
        if item is None:
            raise ApiError("TaskDoesNotExist", f"Task Does Not Exist: '{token}'")
        if item.status != RUNNING or token not in ((item.state or {}).get("waiting") or {}):
            raise ApiError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
        message = callback_message(action, task.payload, token)
        # queued behind what the loop already holds: the parent records its own task's submission
        # (the start response of the child sending this) before the callback
        self.workflows.executor.post(arn, message, at=self.workflows.clock.now())
        return TaskOutcome.success({})

    # ------------------------------------------------------------ observer
    def observe(self, record: ExecutionRecord, item: ExecutionItem, resumed: bool) -> None:
        link = (item.state or {}).get(LINK_STATE)
        if link and "token" in link and record.status != RUNNING:
            self._forget(link["arn"], link["token"])
            done = completion(
                link["token"], self._ended(item), parsed=link["parsed"], submitted=link["submitted"]
            )
            self.workflows.executor.post(link["arn"], done)
        if resumed:
            self._recover(record)
        self._stop_orphans(record)

    def _recover(self, record: ExecutionRecord) -> None:
        store = self.workflows.store
        for token, (_, kind, data) in list(record.waiting.items()):
            submitted = data.get("submitted") if kind == "sync" and isinstance(data, dict) else None
            child_arn = submitted.get("ExecutionArn") if isinstance(submitted, dict) else None
            child = store.get_execution(child_arn) if isinstance(child_arn, str) else None
            if child is None:
                continue
            if child.status == RUNNING:
                self._watch(record.arn, token, child.arn)
                continue
            link = (child.state or {}).get(LINK_STATE) or {}
            parsed = link.get("parsed", False)
            done = completion(token, self._ended(child), parsed=parsed, submitted=submitted)
            self.workflows.executor.post(record.arn, done)

    def _stop_orphans(self, record: ExecutionRecord) -> None:
        with self._lock:
            children = self._children.get(record.arn)
            if not children:
                return
            ended = record.status != RUNNING
            orphans = [(t, c) for t, c in children.items() if ended or t not in record.waiting]
            for token, _ in orphans:
                del children[token]
            if not children:
                del self._children[record.arn]
        for _, child in orphans:
            self.workflows.executor.post(child, StopExecution(cause=abort_cause(record.arn)))

    # ------------------------------------------------------------ helpers
    def _watch(self, parent: str, token: str, child: str) -> None:
        with self._lock:
            self._children.setdefault(parent, {})[token] = child

    def _forget(self, parent: str, token: str) -> None:
        with self._lock:
            children = self._children.get(parent)
            if children is not None:
                children.pop(token, None)
                if not children:
                    del self._children[parent]

    def _ended(self, item: ExecutionItem) -> ChildEnd:
        store = self.workflows.store
        exists = store.get_state_machine(item.machine_arn) is not None
        status, reason = redrive_status(item, self.workflows.clock.now(), machine_exists=exists)
        return ChildEnd(
            arn=item.arn,
            machine_arn=item.machine_arn,
            name=item.name,
            status=item.status,
            input_text=item.input,
            output_text=item.output,
            error=item.error,
            cause=item.cause,
            start_date=item.start_date,
            stop_date=item.stop_date,
            redrive_count=item.redrive_count,
            redrive_status=status,
            redrive_reason=reason,
        )


def _ms(value: datetime) -> datetime:
    """A start date as the store keeps it (UTC, milliseconds)."""
    value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _same_json(stored: str, given: str) -> bool:
    if stored == given:
        return True
    return json.dumps(json.loads(stored), sort_keys=True) == json.dumps(json.loads(given), sort_keys=True)


def _already_exists(arn: str) -> ApiError:
    return ApiError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
