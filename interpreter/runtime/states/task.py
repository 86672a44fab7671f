"""Task: hand work to a resource (a Lambda function, a service integration, an activity).

History (recorded AWS runs): a legacy Lambda ARN resource gives LambdaFunctionScheduled /
LambdaFunctionStarted / LambdaFunctionSucceeded|Failed|TimedOut; every other resource gives
TaskScheduled / TaskStarted / TaskSucceeded|Failed|TimedOut with ``resourceType`` and
``resource`` (``arn:aws:states:::lambda:invoke`` → "lambda", "invoke"). An activity ARN gives
ActivityScheduled / ActivityStarted / ActivitySucceeded|Failed|TimedOut (see "activities" below).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ...errors import EvaluationError, Failure, StatesErrorName
from ...expr.jsonata import expect_type
from ...model import JSONATA
from ..context import ThreadScope
from ..core import ON_HEARTBEAT, PAYLOAD_LIMIT, RESUME, RETRY_AGAIN, Step, resume_with
from ..dataflow import select
from ..effects import ActivityStarted, RunTask, TaskSubmitted
from ..jsonata_flow import evaluate, exit_event, fail, states_of
from ..jsontext import payload_size
from ..record import Thread
from ..resources import ACTIVITY
from .result import shape_state_result

_SERVICE_PREFIX = "arn:aws:states:::"
_RUNTIME = StatesErrorName.RUNTIME.value


def history_resource(resource: str) -> tuple[str, str]:
    """(resourceType, resource) as TaskScheduled shows them for a service-integration ARN."""
    if resource.startswith(_SERVICE_PREFIX):
        rest = resource[len(_SERVICE_PREFIX) :]
        if rest.startswith("aws-sdk:"):
            service, _, action = rest[len("aws-sdk:") :].partition(":")
            return f"aws-sdk:{service}", action
        service, _, action = rest.partition(":")
        return service, action
    if ":activity:" in resource:
        return "activity", resource
    return "lambda", resource


def is_legacy_lambda(st: Any) -> bool:
    info = st.resource_info
    return info is not None and info.kind == "lambda_legacy"


def is_activity(st: Any) -> bool:
    info = st.resource_info
    return info is not None and info.kind == ACTIVITY


def enter(step: Step, th: Thread, st: Any) -> bool:
    th.entered_id = step.emit(th, "TaskStateEntered", {"name": st.name, "input": th.input})
    th.entered_time = step.now
    return attempt(step, th, st)


def _seconds(value: Any, field: str, data: Any, scope: ThreadScope) -> int | None:
    if value is None or type(value) is int:
        return value
    seconds = value.evaluate(data, scope)
    if type(seconds) is not int or seconds <= 0:
        raise EvaluationError(
            _RUNTIME,
            f'The {field} field refers to value "{seconds}" which is not a valid positive integer: '
            f"{value.text}",
        )
    return seconds


def _jsonata_seconds(step: Step, th: Thread, value: Any, field: str, states: Any) -> int | None:
    if not hasattr(value, "evaluate"):
        return value
    seconds = evaluate(step, th, value, states)
    source = value.expressions[0][1].source if value.expressions else ""
    return expect_type(seconds, "integer", source, field)


def attempt(step: Step, th: Thread, st: Any) -> bool:
    """Run (or re-run, after a retry delay) the task: schedule it and wait for its outcome."""
    scope = ThreadScope(step, th)
    waits_for_token = st.resource.endswith(".waitForTaskToken")
    task_token = None
    if waits_for_token:
        task_token = f"{step.record.arn}#{step.new_token('callback')}"
        scope.extra = {"Task": {"Token": task_token}}
    if st.query_language == JSONATA:
        states = states_of(step, th, scope.extra)
        try:
            payload = evaluate(step, th, st.parameters, states) if st.parameters is not None else th.input
            timeout = _jsonata_seconds(step, th, st.timeout_seconds, "TimeoutSeconds", states)
            heartbeat = _jsonata_seconds(step, th, st.heartbeat_seconds, "HeartbeatSeconds", states)
        except EvaluationError as err:
            return fail(step, th, st, err)
    else:
        try:
            data = select(st.input_path, th.input, scope)
            payload = st.parameters.evaluate(data, scope) if st.parameters is not None else data
            timeout = _seconds(st.timeout_seconds, "TimeoutSecondsPath", th.input, scope)
            heartbeat = _seconds(st.heartbeat_seconds, "HeartbeatSecondsPath", th.input, scope)
        except EvaluationError as err:
            return step.fail_state(th, st, step.runtime_failure(th, st, err))
    counts = th.retry_counts
    attempt_no = sum(counts) if counts else 0
    if is_activity(st):
        return _schedule_activity(step, th, st, payload, timeout, heartbeat, attempt_no)
    if task_token is None and is_job(st):
        # .sync: the job's outcome comes to this token once the job ends (see "jobs" below)
        task_token = f"{step.record.arn}#{step.new_token('sync')}"
        step.wait_for(th, "sync", {}, token=task_token)
        token = step.wait_for(th, "task", {"sync": task_token})
    else:
        token = step.wait_for(th, "task")
    if waits_for_token:
        # the task ends when someone calls SendTaskSuccess/Failure with this token
        beat: dict[str, Any] | None = None
        if heartbeat is not None:
            beat = {"seconds": heartbeat}
            beat["timer"] = step.start_timer(th, "task_heartbeat", timedelta(seconds=heartbeat), token)
        step.wait_for(th, "callback", beat, token=task_token)
    if is_legacy_lambda(st):
        details: dict[str, Any] = {"resource": st.resource, "input": payload}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        step.emit(th, "LambdaFunctionScheduled", details)
        step.emit(th, "LambdaFunctionStarted", None)
    else:
        rtype, rname = history_resource(st.resource)
        details = {"resourceType": rtype, "resource": rname, "region": _region(st), "parameters": payload}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            details["heartbeatInSeconds"] = heartbeat
        step.emit(th, "TaskScheduled", details)
        step.emit(th, "TaskStarted", {"resourceType": rtype, "resource": rname})
    step.effects.append(
        RunTask(
            token=token,
            resource=st.resource_info,
            payload=payload,
            state_name=st.name,
            attempt=attempt_no,
            timeout_seconds=timeout,
            heartbeat_seconds=heartbeat,
            task_token=task_token,
            credentials=st.credentials,
        )
    )
    if timeout is not None:
        step.start_timer(th, "task_timeout", timedelta(seconds=timeout), token)
    return False


def _region(st: Any) -> str:
    info = st.resource_info
    region = getattr(info, "region", None)
    return region or "us-east-1"


def _event_prefix(st: Any) -> tuple[str, dict[str, Any]]:
    if is_activity(st):
        return "Activity", {}
    if is_legacy_lambda(st):
        return "LambdaFunction", {}
    rtype, rname = history_resource(st.resource)
    return "Task", {"resourceType": rtype, "resource": rname}


def on_done(step: Step, th: Thread, message: Any, data: Any) -> None:
    if is_activity(th.state):
        _activity_scheduled(step, th, message, data)
        return
    if isinstance(message, TaskSubmitted):
        _job_submitted(step, th, message.submitted, data)
        if message.pending:
            return  # the job runs on: its outcome comes to the task's job token
    elif message.ok and th.state.resource.endswith(".waitForTaskToken"):
        # The invocation went through; the task now waits for its callback (AWS records
        # TaskSubmitted with the invocation's response, then TaskSucceeded on the callback).
        _, base = _event_prefix(th.state)
        step.emit(th, "TaskSubmitted", {**base, "output": message.output})
        return
    step.cancel_waits(th)  # the timeout timer (and a pending callback)
    resume_with(step, th, lambda step, th: _complete(step, th, message))


def _complete(step: Step, th: Thread, message: Any) -> bool:
    st = th.state
    prefix, base = _event_prefix(st)
    if not message.ok:
        details = dict(base)
        if message.error is not None:
            details["error"] = message.error
        if message.cause is not None:
            details["cause"] = message.cause
        step.emit(th, prefix + "Failed", details)
        return step.fail_state(th, st, Failure(message.error, message.cause))
    result = message.output
    step.emit(th, prefix + "Succeeded", {**base, "output": result})
    if payload_size(result) > PAYLOAD_LIMIT:
        cause = (
            f"The state/task '{st.name}' returned a result with a size exceeding the maximum number of "
            "bytes service limit."
        )
        return step.fail_state(th, st, Failure(StatesErrorName.DATA_LIMIT_EXCEEDED.value, cause))
    output, assigned, ok = shape_state_result(step, th, st, result)
    if not ok:
        return output  # Retry/Catch took over: whether the thread goes on
    exit_event(step, th, st, output, assigned)
    return step.advance(th, st, output)


def on_timeout(step: Step, th: Thread, message: Any, task_token: Any) -> None:
    step.cancel_waits(th)  # the task itself: its late result is ignored
    resume_with(step, th, _timed_out)


def _timed_out(step: Step, th: Thread) -> bool:
    st = th.state
    prefix, base = _event_prefix(st)
    step.emit(th, prefix + "TimedOut", {**base, "error": StatesErrorName.TIMEOUT.value})
    return step.fail_state(th, st, Failure(StatesErrorName.TIMEOUT.value, None))


RESUME["task"] = on_done
RESUME["callback"] = lambda step, th, message, data: _callback(step, th, message)


def _callback(step: Step, th: Thread, message: Any) -> None:
    step.cancel_waits(th)
    resume_with(step, th, lambda step, th: _complete(step, th, message))


RESUME["task_timeout"] = on_timeout


# ------------------------------------------------------------------ jobs (.sync)
# A ``.sync`` task (``arn:aws:states:::states:startExecution.sync:2`` ...) starts a job and waits for
# it to end. AWS records TaskScheduled, TaskStarted, TaskSubmitted {output: the start call's
# response}, then TaskSucceeded {output: the job's description} or TaskFailed (LocalStack's
# AWS-recorded ``test_base_callbacks`` snapshots, ``test_sfn_start_execution_sync``). The RunTask
# carries a job token (``<execution ARN>#sync-<n>``, as ``task_token``; not ``$$.Task.Token`` and
# not accepted by SendTask*): a runner that started the job answers ``TaskSubmitted`` with
# ``pending``, and whoever sees the job end delivers the outcome to the job token (a
# ``TaskSubmitted`` carrying the start response too, in case it overtakes the submission). A runner
# that saw the job to its end answers once, without ``pending``; a plain ``TaskDone`` (a mock) is
# the outcome with no TaskSubmitted. TimeoutSeconds runs over the whole job. The job token's wait
# keeps the start response (``submitted``) once recorded: what a durable engine needs to find the
# job again after a restart.


def is_job(st: Any) -> bool:
    info = st.resource_info
    return info is not None and info.kind == "service" and info.pattern in ("sync", "sync2")


def _job_submitted(step: Step, th: Thread, submitted: Any, data: Any) -> None:
    job = data.get("sync") if isinstance(data, dict) else None
    entry = step.record.waiting.get(job) if job is not None else None
    if entry is not None:
        entry[2]["submitted"] = submitted
    _, base = _event_prefix(th.state)
    step.emit(th, "TaskSubmitted", {**base, "output": submitted})


def _job_done(step: Step, th: Thread, message: Any, data: dict[str, Any]) -> None:
    submitted = getattr(message, "submitted", None)
    if "submitted" not in data and submitted is not None:
        _, base = _event_prefix(th.state)
        step.emit(th, "TaskSubmitted", {**base, "output": submitted})
    step.cancel_waits(th)  # the submission (if it has not arrived) and the timeout timer
    resume_with(step, th, lambda step, th: _complete(step, th, message))


RESUME["sync"] = _job_done


def on_heartbeat(step: Step, th: Thread, task_token: str, beat: dict[str, Any] | None) -> None:
    """SendTaskHeartbeat: the HeartbeatSeconds clock starts again (no history event)."""
    if beat is None:
        return
    old = beat["timer"]
    step.record.waiting.pop(old, None)
    th.tokens.discard(old)
    beat["timer"] = step.start_timer(th, "task_heartbeat", timedelta(seconds=beat["seconds"]))


def on_heartbeat_timeout(step: Step, th: Thread, message: Any, data: Any) -> None:
    step.cancel_waits(th)  # the task and its callback: a late SendTaskSuccess is refused
    resume_with(step, th, _heartbeat_timed_out)


def _heartbeat_timed_out(step: Step, th: Thread) -> bool:
    st = th.state
    prefix, base = _event_prefix(st)
    error = StatesErrorName.HEARTBEAT_TIMEOUT.value
    step.emit(th, prefix + "TimedOut", {**base, "error": error})
    return step.fail_state(th, st, Failure(error, None))


ON_HEARTBEAT["callback"] = on_heartbeat
RESUME["task_heartbeat"] = on_heartbeat_timeout
RETRY_AGAIN["Task"] = attempt


# ------------------------------------------------------------------ activities
# A Task whose Resource is an activity ARN (``arn:aws:states:REGION:ACCOUNT:activity:NAME``) hands
# its input to a worker that polls GetActivityTask and answers with SendTaskSuccess/Failure. AWS
# records ActivityScheduled {resource, input, timeoutInSeconds?, heartbeatInSeconds?},
# ActivityStarted {workerName?}, then ActivitySucceeded {output} | ActivityFailed {error, cause} |
# ActivityTimedOut {error}, between the usual TaskStateEntered/Exited; an activity that does not
# exist fails the state with States.Runtime before anything is scheduled (LocalStack's
# AWS-recorded test_activities snapshots). Three steps, three tokens:
#
# 1. ``attempt``: a RunTask without a task token asks the engine to schedule the task; the engine
#    checks that the activity exists and answers TaskDone (kind "task", data: input and timers).
# 2. ``_activity_scheduled``: ActivityScheduled; the task token (kind "activity", like a callback
#    token: SendTask* deliver TaskDone/Heartbeat with it) and a start token (kind
#    "activity_start"), whose RunTask (with the task token) makes the engine queue the task for
#    workers. TimeoutSeconds runs from here. That RunTask stays pending until the task starts, so
#    an engine that restarts queues a scheduled but unstarted task again.
# 3. ``_activity_started``: a worker took it (ActivityStarted message on the start token);
#    HeartbeatSeconds runs from here. The poll id is kept with the task token so GetActivityTask
#    can tell that this poll, and no other, started the task.


def _schedule_activity(
    step: Step, th: Thread, st: Any, payload: Any, timeout: int | None, heartbeat: int | None, attempt_no: int
) -> bool:
    data = {"input": payload, "timeout": timeout, "heartbeat": heartbeat, "attempt": attempt_no}
    token = step.wait_for(th, "task", data)
    step.effects.append(
        RunTask(
            token=token,
            resource=st.resource_info,
            payload=payload,
            state_name=st.name,
            attempt=attempt_no,
            timeout_seconds=timeout,
            heartbeat_seconds=heartbeat,
            credentials=st.credentials,
        )
    )
    return False


def _activity_scheduled(step: Step, th: Thread, message: Any, data: dict[str, Any]) -> None:
    st = th.state
    if not message.ok:  # not scheduled (the activity does not exist): no Activity* event
        step.cancel_waits(th)
        failure = Failure(message.error, message.cause)
        if message.error == _RUNTIME and message.cause is not None:
            failure = step.runtime_failure(th, st, EvaluationError(_RUNTIME, message.cause))
        resume_with(step, th, lambda step, th: step.fail_state(th, th.state, failure))
        return
    timeout, heartbeat = data["timeout"], data["heartbeat"]
    details: dict[str, Any] = {"resource": st.resource, "input": data["input"]}
    if timeout is not None:
        details["timeoutInSeconds"] = timeout
    if heartbeat is not None:
        details["heartbeatInSeconds"] = heartbeat
    step.emit(th, "ActivityScheduled", details)
    task_token = f"{step.record.arn}#{step.new_token('callback')}"
    beat = {"heartbeat": heartbeat, "timer": None, "poll": None}
    step.wait_for(th, "activity", beat, token=task_token)
    start = step.wait_for(th, "activity_start", {"activity": st.resource, "taskToken": task_token})
    step.effects.append(
        RunTask(
            token=start,
            resource=st.resource_info,
            payload=data["input"],
            state_name=st.name,
            attempt=data["attempt"],
            timeout_seconds=timeout,
            heartbeat_seconds=heartbeat,
            task_token=task_token,
            credentials=st.credentials,
        )
    )
    if timeout is not None:
        step.start_timer(th, "task_timeout", timedelta(seconds=timeout), start)


def _activity_started(step: Step, th: Thread, message: Any, data: dict[str, Any]) -> None:
    worker = getattr(message, "worker_name", None)
    step.emit(th, "ActivityStarted", {"workerName": worker} if worker is not None else {})
    task_token = data["taskToken"]
    if not isinstance(message, ActivityStarted):  # a task runner ran the activity itself
        _callback(step, th, message)
        return
    entry = step.record.waiting.get(task_token)
    if entry is None:
        return
    beat = entry[2]
    beat["poll"] = message.poll_id
    if beat["heartbeat"] is not None:
        beat["timer"] = step.start_timer(
            th, "task_heartbeat", timedelta(seconds=beat["heartbeat"]), task_token
        )


def _activity_heartbeat(step: Step, th: Thread, task_token: str, beat: dict[str, Any]) -> None:
    """SendTaskHeartbeat: HeartbeatSeconds starts again once the task has started."""
    old = beat.get("timer")
    if old is None:
        return
    step.record.waiting.pop(old, None)
    th.tokens.discard(old)
    beat["timer"] = step.start_timer(th, "task_heartbeat", timedelta(seconds=beat["heartbeat"]), task_token)


RESUME["activity_start"] = _activity_started
RESUME["activity"] = lambda step, th, message, data: _callback(step, th, message)
ON_HEARTBEAT["activity"] = _activity_heartbeat
