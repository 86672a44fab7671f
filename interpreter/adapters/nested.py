"""Nested executions: ``arn:aws:states:::states:startExecution[.sync|.sync:2|.waitForTaskToken]``
run as executions of this engine. The AWS shapes both engines share, and the in-process runner.

What a Task state gets, as AWS records it:

* Request-response: the StartExecution response, ``{"ExecutionArn", "SdkHttpMetadata",
  "SdkResponseMetadata", "StartDate"}`` (LocalStack's AWS-validated ``test_sfn_task_service``
  snapshots), ``StartDate`` in epoch milliseconds (the Java SDK's date; AWS-recorded outputs in the
  AWS Media2Cloud solution's fixtures show ``"StartDate": 1672908613005``).
* ``.sync`` / ``.sync:2``: ``TaskSubmitted`` with that response, then ``TaskSucceeded`` with the
  child's DescribeExecution response in PascalCase, keys sorted (``ExecutionArn``, ``Input``,
  ``InputDetails``, ``Name``, ``Output``, ``OutputDetails``, ``RedriveCount``, ``RedriveStatus``,
  ``RedriveStatusReason``, ``StartDate``, ``StateMachineArn``, ``Status``, ``StopDate``): ``Input``
  and ``Output`` are JSON text for ``.sync`` and JSON values for ``.sync:2`` (LocalStack's
  AWS-recorded ``test_base_callbacks`` snapshots, ``test_sfn_start_execution_sync[SFN_SYNC]`` and
  ``[SFN_SYNC2]``).
* A child that fails, times out or is aborted fails the task with ``States.TaskFailed`` and the
  child's description as the cause, compact JSON with ``Error``/``Cause`` when it has them and no
  ``Output`` (a real AWS cause: ``{"Cause":...,"Error":"Lambda.Unknown","ExecutionArn":...,"Input":
  "...","InputDetails":{"Included":true},"Name":...,"RedriveCount":0,"RedriveStatus":"REDRIVABLE",
  "StartDate":1733089875458,...,"Status":"FAILED","StopDate":1733092939260}``; LocalStack's
  ``StateTaskServiceSfn`` builds the same, with ``Input`` parsed for ``.sync:2``).
* StartExecution refusing (no such state machine, a bad name or input, a name taken):
  ``StepFunctions.<Code>Exception`` with ``<message> (Service: AWSStepFunctions; Status Code: 400;
  Error Code: <Code>; Request ID: <id>; Proxy: null)`` (LocalStack ``StateTaskServiceSfn._from_error``;
  AWS docs name ``StepFunctions.ExecutionLimitExceeded`` in their Retry example).
* The child's input: ``Input`` as given when it is text, its JSON text otherwise, ``{}`` when absent
  or null (recorded: ``"Input": null`` gives the child ``"{}"``). Nothing is added to it: linking a
  child to its parent is the ``AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"``
  entry the user writes (AWS docs, "Start workflow executions from a task state").

``InProcessExecutions`` runs children for ``interpreter.run`` / ``Engine``: each child runs to its end
inside the runner, on a clock of its own starting at the parent's now (a virtual one when the
parent's is virtual), so it never moves the parent's time; its outcome reaches the parent through
the ``Mailbox`` at the virtual time the child ended. It also takes ``aws-sdk:sfn:sendTaskSuccess``,
``sendTaskFailure`` and ``sendTaskHeartbeat`` tasks whose token belongs to an execution running in
this process (how a child answers a ``.waitForTaskToken`` parent).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import formatdate
from typing import Any

from ..runtime.effects import Heartbeat, RunTask, TaskDone, TaskSubmitted
from ..runtime.jsontext import dumps_compact
from ..service import arns
from ..service.errors import ApiError
from ..service.execution_support import check_payload_size
from ..service.jsontext import JsonTextError, parse_json
from .task_outcome import TaskOutcome

SYNC_PATTERNS = ("sync", "sync2")
SEND_TASK_ACTIONS = ("sendTaskSuccess", "sendTaskFailure", "sendTaskHeartbeat")
TASK_FAILED = "States.TaskFailed"


def abort_cause(parent_arn: str) -> str:
    """StopExecution's cause when the task managing a ``.sync`` child stops waiting for it (Floci's
    ``AslExecutorNestedSyncTimeoutTest``, given there as measured on AWS; no error)."""
    return (
        f"The Task state in AWS Step Functions execution [{parent_arn}] "
        "which was managing this resource was aborted"
    )


# ------------------------------------------------------------------ what a task names
def is_start_execution(task: RunTask) -> bool:
    info = task.resource
    return (
        getattr(info, "kind", None) == "service"
        and not info.sdk
        and info.service == "states"
        and info.action == "startExecution"
    )


def send_task_action(task: RunTask) -> str | None:
    """``sendTaskSuccess`` ... for an ``arn:aws:states:::aws-sdk:sfn:<action>`` task, else None."""
    info = task.resource
    if getattr(info, "kind", None) != "service" or not info.sdk or info.service != "sfn":
        return None
    return info.action if info.action in SEND_TASK_ACTIONS else None


def callback_target(task: RunTask) -> tuple[str, str] | None:
    """(execution ARN, task token) of a SendTask* task whose token is one of ours, else None."""
    payload = task.payload if isinstance(task.payload, dict) else {}
    token = payload.get("TaskToken")
    if not isinstance(token, str):
        return None
    arn, sep, rest = token.rpartition("#")
    if not sep or not arn.startswith("arn:") or not rest.startswith("callback-"):
        return None
    return arn, token


@dataclass(frozen=True, slots=True)
class StartRequest:
    machine_arn: str
    name: str | None
    input_text: str


def start_request(payload: Any) -> StartRequest:
    """The StartExecution request a task's Parameters make, or ``ApiError`` as AWS refuses it."""
    params = payload if isinstance(payload, dict) else {}
    machine_arn = params.get("StateMachineArn")
    if not isinstance(machine_arn, str):
        raise arns.validation_error(
            machine_arn if machine_arn is not None else "null", "stateMachineArn", "Member must not be null"
        )
    arns.parse_state_machine_arn(machine_arn)
    name = params.get("Name")
    if name is not None:
        if not isinstance(name, str):
            raise arns.validation_error(dumps_compact(name), "name", "Member must be a string")
        arns.check_name(name)
    given = params.get("Input")
    text = "{}" if given is None else given if isinstance(given, str) else dumps_compact(given)
    check_payload_size(text, "input")
    try:
        parse_json(text)
    except JsonTextError as err:
        message = "Invalid execution input." if text == "" else str(err)
        raise ApiError(
            "InvalidExecutionInput", f"Invalid State Machine Execution Input: '{message}'"
        ) from None
    return StartRequest(machine_arn, name, text)


def api_failure(err: ApiError, request_id: str) -> TaskOutcome:
    """A refused StartExecution as the task's failure (see the module docstring)."""
    cause = (
        f"{err.message} (Service: AWSStepFunctions; Status Code: {err.status}; Error Code: {err.code}; "
        f"Request ID: {request_id}; Proxy: null)"
    )
    return TaskOutcome.failure(f"StepFunctions.{err.code}Exception", cause)


def sdk_failure(err: ApiError, request_id: str) -> TaskOutcome:
    """A refused ``aws-sdk:sfn:*`` call: ``Sfn.<Code>Exception`` (the aws-sdk naming)."""
    code = err.code if err.code.endswith("Exception") else f"{err.code}Exception"
    cause = f"{err.message} (Service: Sfn, Status Code: {err.status}, Request ID: {request_id})"
    return TaskOutcome.failure(f"Sfn.{code}", cause)


# ------------------------------------------------------------------ shapes
def epoch_ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def start_response(execution_arn: str, start_date: datetime, request_id: str) -> dict[str, Any]:
    """StartExecution's response as the Task gets it (headers in the order AWS records them)."""
    ms = epoch_ms(start_date)
    body = dumps_compact({"executionArn": execution_arn, "startDate": ms / 1000})
    date = formatdate(ms / 1000, usegmt=True)
    headers = {
        "x-amzn-RequestId": request_id,
        "connection": "keep-alive",
        "Content-Length": str(len(body)),
        "Date": date,
        "Content-Type": "application/x-amz-json-1.0",
    }
    return {
        "ExecutionArn": execution_arn,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {key: [value] for key, value in headers.items()},
            "HttpHeaders": dict(sorted(headers.items(), key=lambda item: item[0].lower())),
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StartDate": ms,
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class ChildEnd:
    """What DescribeExecution says of an ended child."""

    arn: str
    machine_arn: str
    name: str
    status: str
    input_text: str
    output_text: str | None
    error: str | None
    cause: str | None
    start_date: datetime
    stop_date: datetime | None
    redrive_count: int = 0
    redrive_status: str = "NOT_REDRIVABLE"
    redrive_reason: str | None = None


def description(child: ChildEnd, *, parsed: bool) -> dict[str, Any]:
    """The child's DescribeExecution response in PascalCase, keys sorted; ``parsed``: ``.sync:2``."""

    def payload(text: str) -> Any:
        return json.loads(text) if parsed else text

    failed = child.status in ("FAILED", "ABORTED")
    out: dict[str, Any] = {}
    if failed and child.cause is not None:
        out["Cause"] = child.cause
    if failed and child.error is not None:
        out["Error"] = child.error
    out["ExecutionArn"] = child.arn
    out["Input"] = payload(child.input_text)
    out["InputDetails"] = {"Included": True}
    out["Name"] = child.name
    if child.status == "SUCCEEDED" and child.output_text is not None:
        out["Output"] = payload(child.output_text)
        out["OutputDetails"] = {"Included": True}
    out["RedriveCount"] = child.redrive_count
    out["RedriveStatus"] = child.redrive_status
    if child.redrive_reason is not None:
        out["RedriveStatusReason"] = child.redrive_reason
    out["StartDate"] = epoch_ms(child.start_date)
    out["StateMachineArn"] = child.machine_arn
    out["Status"] = child.status
    if child.stop_date is not None:
        out["StopDate"] = epoch_ms(child.stop_date)
    return out


def job_outcome(child: ChildEnd, *, parsed: bool) -> tuple[bool, Any, str | None, str | None]:
    """(ok, output, error, cause) of a ``.sync`` task whose child ended as ``child``."""
    described = description(child, parsed=parsed)
    if child.status == "SUCCEEDED":
        return True, described, None, None
    return False, None, TASK_FAILED, dumps_compact(described)


def completion(token: str, child: ChildEnd, *, parsed: bool, submitted: Any) -> TaskSubmitted:
    """The message that ends a ``.sync`` task (carrying the start response: see runtime task.py)."""
    ok, output, error, cause = job_outcome(child, parsed=parsed)
    return TaskSubmitted(token=token, ok=ok, output=output, error=error, cause=cause, submitted=submitted)


def callback_message(action: str, payload: dict[str, Any], token: str) -> Any:
    """The core's input for an ``aws-sdk:sfn:sendTask*`` call (``ApiError`` for a bad output)."""
    if action == "sendTaskHeartbeat":
        return Heartbeat(token=token)
    if action == "sendTaskFailure":
        error, cause = payload.get("Error"), payload.get("Cause")
        return TaskDone(token=token, ok=False, error=error, cause=cause)
    given = payload.get("Output")
    if isinstance(given, str):
        try:
            output = parse_json(given)
        except JsonTextError as err:
            raise ApiError("InvalidOutput", f"Invalid Output: '{err}'") from None
    else:
        output = given
    return TaskDone(token=token, ok=True, output=output)


# ------------------------------------------------------------------ in-process
class Mailbox:
    """Messages for in-process executions from outside their engine's loop (a nested child's
    outcome, a callback), each at a time (None: now). Thread-safe. An ``Engine`` given the mailbox
    opens its execution's ARN while it runs and takes what was posted for it when nothing else is
    ready (``Engine._drive``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[str] = set()
        self._posted: dict[str, list[tuple[datetime | None, Any]]] = {}

    def open(self, arn: str) -> None:
        with self._lock:
            self._open.add(arn)

    def close(self, arn: str) -> None:
        with self._lock:
            self._open.discard(arn)
            self._posted.pop(arn, None)

    def is_open(self, arn: str) -> bool:
        with self._lock:
            return arn in self._open

    def post(self, arn: str, message: Any, at: datetime | None = None) -> None:
        with self._lock:
            self._posted.setdefault(arn, []).append((at, message))

    def take(self, arn: str) -> list[tuple[datetime | None, Any]]:
        with self._lock:
            return self._posted.pop(arn, [])


class InProcessExecutions:
    """A claiming task runner for ``states:startExecution*`` (and ``aws-sdk:sfn:sendTask*`` for
    in-process tokens) in ``interpreter.run`` / ``Engine`` runs.

    ``machines`` maps state machine ARNs or names to definitions (anything ``load_definition``
    takes, or a ``StateMachine``). A ``StateMachineArn`` is looked up as written, then by its name.
    Children run with ``runner`` (the chain this runner is part of: ``run`` sets it) and their
    results stay in ``executions`` (by execution ARN, in start order)."""

    def __init__(
        self,
        machines: Mapping[str, Any] | None = None,
        *,
        runner: Any = None,
        clock: Any = None,
        mailbox: Mailbox | None = None,
        region: str = "us-east-1",
        account: str = "123456789012",
    ) -> None:
        self.region = region
        self.account = account
        self.runner = runner
        self.clock = clock  # the parents' clock: children get a virtual clock of their own if it is virtual
        self.mailbox = mailbox or Mailbox()
        self.executions: dict[str, Any] = {}
        self._machines: dict[str, Any] = {}
        self._lock = threading.Lock()
        for key, definition in (machines or {}).items():
            self.add(key, definition)

    def add(self, arn_or_name: str, definition: Any) -> None:
        """Make a state machine startable (compiled once, here)."""
        from ..loading import load_definition
        from ..model import StateMachine

        name = arn_or_name.rsplit(":", 1)[-1]
        machine = (
            definition if isinstance(definition, StateMachine) else load_definition(definition, name=name)
        )
        self._machines[arn_or_name] = machine

    def _machine(self, machine_arn: str) -> Any:
        found = self._machines.get(machine_arn)
        if found is None:
            found = self._machines.get(arns.parse_state_machine_arn(machine_arn).name)
        if found is None:
            raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{machine_arn}'")
        return found

    # ------------------------------------------------------------ runner
    def claims(self, task: RunTask) -> bool:
        if is_start_execution(task):
            return True
        target = callback_target(task) if send_task_action(task) else None
        return target is not None and self.mailbox.is_open(target[0])

    def run(self, task: RunTask, *, request_id: str, now: datetime) -> TaskOutcome:
        action = send_task_action(task)
        if action is not None:
            return self._send_task(task, action, request_id, now)
        try:
            request = start_request(task.payload)
            machine = self._machine(request.machine_arn)
        except ApiError as err:
            return api_failure(err, request_id)
        return self._start(task, request, machine, request_id, now)

    def _start(
        self, task: RunTask, request: StartRequest, machine: Any, request_id: str, now: datetime
    ) -> TaskOutcome:
        from ..engine import Engine
        from .clock import VirtualClock

        target = arns.parse_state_machine_arn(request.machine_arn)
        name = request.name or str(uuid.uuid4())
        clock = self.clock
        if clock is None or getattr(clock, "virtual", False):
            clock = VirtualClock(start=now)
        engine = Engine(
            runner=self.runner,
            clock=clock,
            region=target.region,
            account=target.account,
            mailbox=self.mailbox,
        )
        arn = f"arn:{target.partition}:states:{target.region}:{target.account}:execution:{target.name}:{name}"
        with self._lock:
            if arn in self.executions:
                return api_failure(
                    ApiError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'"), request_id
                )
            self.executions[arn] = None
        submitted = start_response(arn, now, request_id)
        result = engine.run(machine, json.loads(request.input_text), name=name, machine_name=target.name)
        self.executions[arn] = result
        pattern = task.resource.pattern
        if pattern not in SYNC_PATTERNS:
            return TaskOutcome.success(submitted)
        end = ChildEnd(
            arn=arn,
            machine_arn=request.machine_arn,
            name=name,
            status=result.status,
            input_text=request.input_text,
            output_text=dumps_compact(result.output) if result.status == "SUCCEEDED" else None,
            error=result.error,
            cause=result.cause,
            start_date=now,
            stop_date=result.stop_date,
            redrive_status="NOT_REDRIVABLE" if result.status == "SUCCEEDED" else "REDRIVABLE",
            redrive_reason="Execution is SUCCEEDED and cannot be redriven"
            if result.status == "SUCCEEDED"
            else None,
        )
        parent = (task.task_token or "").rpartition("#")[0]
        done = completion(task.task_token or "", end, parsed=pattern == "sync2", submitted=submitted)
        self.mailbox.post(parent, done, clock.now() if clock.virtual else None)
        return TaskOutcome(True, None, submitted=submitted, pending=True)

    def _send_task(self, task: RunTask, action: str, request_id: str, now: datetime) -> TaskOutcome:
        target = callback_target(task)
        assert target is not None
        try:
            message = callback_message(action, task.payload, target[1])
        except ApiError as err:
            return sdk_failure(err, request_id)
        self.mailbox.post(target[0], message, now)
        return TaskOutcome.success({})


class WithNested:
    """``runner`` with ``nested`` asked first (after ``runner``'s mocks, if it has any)."""

    def __init__(self, nested: Any, runner: Any) -> None:
        self.nested = nested
        self.runner = runner

    def run(self, task: RunTask, *, request_id: str, now: datetime) -> TaskOutcome:
        mocked = any(r.claims(task) for r in getattr(self.runner, "first", ()))
        if not mocked and self.nested.claims(task):
            return self.nested.run(task, request_id=request_id, now=now)
        if self.runner is None:
            return TaskOutcome.failure("States.Runtime", f"No task runner for {task.resource.raw}")
        result: TaskOutcome = self.runner.run(task, request_id=request_id, now=now)
        return result


def attach(runner: Any, nested: Any) -> Any:
    """The task runner to use so that ``nested`` runs nested executions: a ``LocalTaskRunner`` asks
    it before its other integrations (its mocks still come first); any other runner is wrapped."""
    extra = getattr(runner, "extra", None)
    if isinstance(extra, list) and hasattr(runner, "first"):
        extra[:] = [r for r in extra if type(r) is not type(nested)]  # the latest binding answers
        extra.insert(0, nested)
        return runner
    return WithNested(nested, runner)
