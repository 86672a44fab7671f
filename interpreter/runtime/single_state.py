"""Run one state once, as a one-state execution: the engine side of the TestState operation.

The state runs through the ordinary runtime (``core.Step`` and the state modules) in a graph of
its own: the state itself plus, for every state it can transition to, a stand-in whose entry
stops the thread. A transition is observed (``next_state``), never followed.

Inspection data (TestState's ``inspectionData``) is recorded by wrapping the state's compiled
InputPath, Parameters/Arguments, ResultSelector and ResultPath: each wrapper hands the runtime
what the wrapped expression computed and keeps a copy, so nothing is evaluated twice and the
values are exactly those the run used. The task's payload and result come from its ``RunTask``
effect and outcome. Which members appear for which state type is AWS's (recorded TestState
responses, LocalStack ``tests/aws/services/stepfunctions/v2/test_state/*.snapshot.json``).

Effects are performed through ``perform`` (the caller's mock or task runner); timers never make
anyone wait: a Wait state's timer fires at once, and a Retry's timer ends the run as RETRIABLE.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, ClassVar

from ..errors import EvaluationError, Failure, StatesErrorName
from ..expr.jsonata import expect_type
from ..model import JSONATA, NULL, StateGraph, StateMachine
from . import states as _states  # noqa: F401  (registers the state types with the core)
from .context import ThreadScope
from .core import ENTER, Step, matches, retry_delay
from .dataflow import select
from .effects import RunTask, StartTimer, TaskDone, TimerFired
from .jsonata_flow import evaluate, exit_event, fail, states_of
from .record import FAILED, SUCCEEDED, ExecutionRecord, Thread
from .states.map_config import resolve_concurrency, resolve_tolerance
from .states.result import shape_state_result

# AWS's TestState statuses
CAUGHT_ERROR = "CAUGHT_ERROR"
RETRIABLE = "RETRIABLE"

ELSEWHERE = "TestStateElsewhere"  # type of the stand-ins for the states the tested one leads to
_TESTED = "\x00tested"  # graph key of the tested state (no state can be named so)
_THRESHOLD = (
    StatesErrorName.EXCEED_TOLERATED_FAILURE_THRESHOLD.value,
    "The specified tolerated failure threshold was exceeded",
)

Perform = Callable[[RunTask], tuple[TaskDone, float]]


@dataclass(frozen=True, slots=True)
class _Elsewhere:
    """Stands for a state the tested state transitions to; entering it stops the thread."""

    name: str
    type_name: ClassVar[str] = ELSEWHERE


ENTER[ELSEWHERE] = lambda step, th, st: False


@dataclass(slots=True, kw_only=True)
class StateRun:
    """What one run of one state did, in TestState's terms (values, not yet JSON text)."""

    status: str  # SUCCEEDED | FAILED | CAUGHT_ERROR | RETRIABLE
    output: Any = None
    has_output: bool = False
    error: str | None = None
    cause: str | None = None
    next_state: str | None = None
    # inspectionData members (input, afterInputPath, ..., variables, errorDetails) in AWS's order
    inspection: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Mocked:
    """The outcome a Map or Parallel state's iterations/branches are mocked to produce."""

    ok: bool
    output: Any = None
    error: str | None = None
    cause: str | None = None
    failed_iterations: int | None = None  # stateConfiguration.mapIterationFailureCount


class _Recorded:
    """A compiled expression that keeps what it computed under ``key`` in ``sink``."""

    __slots__ = ("_inner", "_key", "_sink")

    def __init__(self, inner: Any, key: str, sink: dict[str, Any]) -> None:
        self._inner = inner
        self._key = key
        self._sink = sink

    def evaluate(self, *args: Any) -> Any:
        value = self._inner.evaluate(*args)
        self._sink[self._key] = value
        return value

    def assign(self, raw_input: Any, result: Any) -> Any:  # a ResultPath
        value = self._inner.assign(raw_input, result)
        self._sink[self._key] = value
        return value

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _OneStep(Step):
    """A ``Step`` that notes the failure Retry/Catch saw and the catcher that took it, and starts
    the retrier that matches with ``retrier_retry_count`` attempts already made."""

    __slots__ = ("backoff", "caught", "failure", "retrier_retry_count")

    def __init__(self, machine: StateMachine, record: ExecutionRecord, now: datetime, retries: int) -> None:
        super().__init__(machine, record, now)
        self.failure: Failure | None = None
        self.caught: Any = None
        self.backoff = 0.0  # seconds before the matching Retry would run the state again
        self.retrier_retry_count = retries

    def fail_state(self, th: Thread, state: Any, failure: Failure) -> bool:
        self.failure = failure
        index = matching_retrier(state, failure.error)
        if index is not None:
            if self.retrier_retry_count and th.retry_counts is None:
                th.retry_counts = [0] * len(state.retry)
                th.retry_counts[index] = self.retrier_retry_count
            attempt = th.retry_counts[index] if th.retry_counts else 0
            # the backoff before jitter, so that a response does not vary from call to call
            steady = replace(state.retry[index], jitter_strategy="NONE")
            self.backoff = retry_delay(steady, attempt, self.rng())
        return super().fail_state(th, state, failure)

    def catch(self, th: Thread, state: Any, catcher: Any, failure: Failure) -> bool:
        self.caught = catcher
        return super().catch(th, state, catcher, failure)


def matching_retrier(state: Any, error: str | None) -> int | None:
    """Index of the retrier AWS applies to ``error`` (the first whose ErrorEquals matches)."""
    if error == StatesErrorName.RUNTIME:
        return None
    for index, retrier in enumerate(getattr(state, "retry", ())):
        if matches(retrier.error_equals, error):
            return index
    return None


def transition_targets(state: Any) -> list[str]:
    """Every state name ``state`` can go to: Next, Default, the Choice rules' and catchers' Next."""
    names = [state.next, getattr(state, "default", None)]
    names += [rule.next for rule in getattr(state, "choices", ())]
    names += [catcher.next for catcher in getattr(state, "catch", ())]
    return list(dict.fromkeys(name for name in names if name is not None))


def _instrumented(state: Any, sink: dict[str, Any]) -> Any:
    """A copy of ``state`` whose InputPath, Parameters/Arguments, ItemsPath, ResultSelector and
    ResultPath keep what they compute in ``sink`` (under AWS's inspectionData member names)."""
    if state.query_language == JSONATA:
        fields = {"parameters": "afterArguments"}
    else:
        fields = {
            "input_path": "afterInputPath",
            "parameters": "afterParameters",
            "items_path": "afterItemsPath",
            "result_selector": "afterResultSelector",
            "result_path": "afterResultPath",
        }
    changes = {}
    for name, key in fields.items():
        value = getattr(state, name, None)
        if (
            value is not None
            and value is not NULL
            and (hasattr(value, "evaluate") or hasattr(value, "assign"))
        ):
            changes[name] = _Recorded(value, key, sink)
    return replace(state, **changes)


def run_state(
    state: Any,
    record: ExecutionRecord,
    *,
    variables: dict[str, Any] | None,
    perform: Perform,
    mocked: Mocked | None = None,
    retrier_retry_count: int = 0,
) -> StateRun:
    """Run ``state`` once on ``record.input`` with ``variables`` (see the module docstring).

    ``perform`` runs a Task's ``RunTask`` and returns the outcome message and the virtual seconds
    the task took; ``mocked`` replaces the iterations/branches of a Map or Parallel state."""
    sink: dict[str, Any] = {}
    tested = _instrumented(state, sink)
    states: dict[str, Any] = {name: _Elsewhere(name) for name in transition_targets(state)}
    states[_TESTED] = tested
    graph = StateGraph(
        start_at=_TESTED, states=states, pointer=state.pointer, query_language=state.query_language
    )
    step = _OneStep(
        StateMachine(graph=graph, definition=None), record, record.start_time, retrier_retry_count
    )
    step.emit(None, "ExecutionStarted", {"input": record.input, "roleArn": record.role_arn})
    th = step.new_thread(graph, None, 0, last_id=1)
    record.root = th
    th.input = record.input
    th.variables = dict(variables) if variables else None
    driver = _Driver(step, th, tested, perform, sink)
    if tested.type_name in ("Map", "Parallel"):
        _run_mocked_composite(step, th, tested, mocked or Mocked(ok=True, output=[]), sink)
    else:
        ENTER[tested.type_name](step, th, tested)
    retrying = driver.drain()
    return driver.outcome(record.input, retrying)


class _Driver:
    """Feeds the effects of the one state back to it until it has left, ended or must retry."""

    def __init__(
        self, step: _OneStep, th: Thread, state: Any, perform: Perform, sink: dict[str, Any]
    ) -> None:
        self.step = step
        self.th = th
        self.state = state
        self.perform = perform
        self.sink = sink
        self.payload: Any = None
        self.scheduled = False
        self.result: Any = None
        self.has_result = False

    def drain(self) -> bool:
        """Perform effects until none is left; True when a Retry took the failure (its timer
        is not waited for)."""
        step = self.step
        while step.effects:
            effects, step.effects = step.effects, []
            timers = {e.token: e for e in effects if isinstance(e, StartTimer)}
            messages: list[Any] = []
            for effect in effects:
                if isinstance(effect, RunTask):
                    messages += self._task(effect, timers)
            for token in timers:
                kind = step.record.waiting.get(token, (None, None, None))[1]
                if kind == "retry":
                    return True
                if kind == "wait":  # a Wait state does not wait here
                    messages.append(TimerFired(token=token))
            for message in messages:
                step.handle(message)
        return False

    def _task(self, task: RunTask, timers: dict[str, StartTimer]) -> list[Any]:
        self.payload, self.scheduled = task.payload, True
        activity = getattr(task.resource, "kind", None) == "activity"
        if activity and task.task_token is None:  # (mocked) activity: scheduled for a worker
            return [TaskDone(token=task.token, ok=True)]
        message, elapsed = self.perform(task)
        for token, timer in timers.items():
            kind = self.step.record.waiting.get(token, (None, None, None))[1]
            if kind == "task_timeout" and elapsed and timer.due <= self.step.now + timedelta(seconds=elapsed):
                return [TimerFired(token=token)]  # the task took longer than TimeoutSeconds
        if message.ok:
            self.result, self.has_result = message.output, True
        if task.task_token is None or activity:  # an activity's start: the mock is what it did
            return [message]
        if getattr(task.resource, "pattern", None) in ("sync", "sync2"):  # .sync: the job's outcome
            return [message]
        # .waitForTaskToken (mocked): the invocation goes through, the mock is the callback's answer
        invoked = TaskDone(token=task.token, ok=True, output={})
        return [invoked, replace(message, token=task.task_token)]

    def outcome(self, raw_input: Any, retrying: bool) -> StateRun:
        step, th, record = self.step, self.th, self.step.record
        failure = step.failure
        run = StateRun(status=SUCCEEDED)
        if record.status == FAILED:
            run.status, run.error, run.cause = FAILED, record.error, record.cause
        elif record.status == SUCCEEDED:
            run.output, run.has_output = record.output, True
        elif th.state is not None and th.state.type_name == ELSEWHERE:
            run.output, run.has_output, run.next_state = th.input, True, th.state.name
            if step.caught is not None and failure is not None:
                run.status, run.error, run.cause = CAUGHT_ERROR, failure.error, failure.cause
        elif retrying and failure is not None:
            run.status, run.error, run.cause = RETRIABLE, failure.error, failure.cause
        else:  # waiting for something no one will send (cannot happen for the supported states)
            run.status, run.error = FAILED, StatesErrorName.RUNTIME.value
            run.cause = "The state did not finish in a single TestState run"
        run.inspection = self.inspection(raw_input, run)
        details = self.error_details(run)
        if details:
            run.inspection["errorDetails"] = details
        return run

    # ------------------------------------------------------------------ inspection data
    def inspection(self, raw_input: Any, run: StateRun) -> dict[str, Any]:
        st, sink = self.state, self.sink
        data: dict[str, Any] = {"input": raw_input}
        kind = st.type_name
        if st.query_language == JSONATA:
            if kind == "Task" and self.scheduled:
                data["afterArguments"] = self.payload
            elif kind == "Parallel" and st.parameters is not None and "afterArguments" in sink:
                data["afterArguments"] = sink["afterArguments"]
            if kind == "Task" and self.has_result:
                data["result"] = self.result
            _settings(data, sink)
        elif kind == "Pass" and st.has_result:
            exited = run.status == SUCCEEDED
            if exited or "afterResultPath" in sink:
                data["result"] = data["afterResultSelector"] = st.result
                data["afterResultPath"] = sink.get(
                    "afterResultPath", _placed(st.result_path, raw_input, st.result)
                )
        else:
            self._jsonpath_flow(data, raw_input)
        if self.th.variables:
            data["variables"] = self.th.variables
        return data

    def _jsonpath_flow(self, data: dict[str, Any], raw_input: Any) -> None:
        st, sink = self.state, self.sink
        kind = st.type_name
        after_input = sink.get("afterInputPath", _MISSING)
        if st.input_path is None:
            after_input = raw_input
        elif st.input_path is NULL:
            after_input = {}
        if after_input is _MISSING:
            return
        data["afterInputPath"] = after_input
        if kind == "Map":
            if "afterItemsPath" in sink:
                data["afterItemsPath"] = sink["afterItemsPath"]
            _settings(data, sink)
            return
        if kind not in ("Pass", "Task", "Parallel"):
            return
        if kind == "Task":
            if not self.scheduled:
                return
            after_parameters = self.payload
        elif st.parameters is None:
            after_parameters = after_input
        elif "afterParameters" in sink:
            after_parameters = sink["afterParameters"]
        else:
            return
        data["afterParameters"] = after_parameters
        if kind == "Parallel":
            return
        if kind == "Task":
            if not self.has_result:
                return
            data["result"] = result = self.result
        else:
            result = after_parameters
        if getattr(st, "result_selector", None) is not None:
            if "afterResultSelector" not in sink:
                return
            result = sink["afterResultSelector"]
        data["afterResultSelector"] = result
        if "afterResultPath" in sink:
            data["afterResultPath"] = sink["afterResultPath"]
        elif st.result_path is None or st.result_path is NULL:
            data["afterResultPath"] = _placed(st.result_path, raw_input, result)

    def error_details(self, run: StateRun) -> dict[str, Any]:
        """``errorDetails``: the Catch that took the error, the Retry that applies to it and,
        when that Retry will run again, its backoff in seconds."""
        failure, st = self.step.failure, self.state
        if failure is None or run.status == SUCCEEDED:
            return {}
        details: dict[str, Any] = {}
        if self.step.caught is not None and run.status == CAUGHT_ERROR:
            details["catchIndex"] = next(i for i, c in enumerate(st.catch) if c is self.step.caught)
        index = matching_retrier(st, failure.error)
        if index is not None:
            details["retryIndex"] = index
            if run.status == RETRIABLE:
                details["retryBackoffIntervalSeconds"] = int(self.step.backoff + 0.5)
        return details


_MISSING: Any = object()


def _placed(result_path: Any, raw_input: Any, result: Any) -> Any:
    """Where an absent (``$``) or null ResultPath puts the result."""
    return raw_input if result_path is NULL else result


def _settings(data: dict[str, Any], sink: dict[str, Any]) -> None:
    for key in ("maxConcurrency", "toleratedFailureCount", "toleratedFailurePercentage"):
        if key in sink:
            data[key] = sink[key]


# ------------------------------------------------------------------ mocked Map / Parallel


def _run_mocked_composite(step: Step, th: Thread, st: Any, mocked: Mocked, sink: dict[str, Any]) -> bool:
    """A Map or Parallel state whose iterations/branches are mocked: its own input processing
    and settings run (and can fail), then the mocked result goes through ResultSelector,
    ResultPath, OutputPath (or Output) and Assign, or the mocked error through Retry/Catch."""
    th.entered_id = step.emit(th, st.type_name + "StateEntered", {"name": st.name, "input": th.input})
    th.entered_time = step.now
    try:
        if st.query_language == JSONATA:
            _jsonata_settings(step, th, st, sink)
        else:
            scope = ThreadScope(step, th)
            data = select(st.input_path, th.input, scope)
            if st.type_name == "Parallel" and st.parameters is not None:
                st.parameters.evaluate(data, scope)
            if st.type_name == "Map":
                if st.items_path is not None:
                    st.items_path.evaluate(data, scope)  # recorded as afterItemsPath
                sink["maxConcurrency"] = resolve_concurrency(st, th.input, scope)
                count, percentage = resolve_tolerance(st, th.input, scope)
                _tolerance(sink, count, percentage)
    except EvaluationError as err:
        if st.query_language == JSONATA:
            return fail(step, th, st, err)
        return step.fail_state(th, st, step.runtime_failure(th, st, err))
    if not mocked.ok:
        return step.fail_state(th, st, Failure(mocked.error, mocked.cause))
    if _over_threshold(sink, mocked):
        return step.fail_state(th, st, Failure(*_THRESHOLD))
    output, assigned, ok = shape_state_result(step, th, st, mocked.output)
    if not ok:
        return bool(output)
    exit_event(step, th, st, output, assigned)
    return step.advance(th, st, output)


def _jsonata_settings(step: Step, th: Thread, st: Any, sink: dict[str, Any]) -> None:
    states = states_of(step, th)
    if st.type_name == "Parallel":
        if st.parameters is not None:
            sink["afterArguments"] = evaluate(step, th, st.parameters, states)
        return
    concurrency = _jsonata_value(step, th, st.max_concurrency, "MaxConcurrency", "integer", states)
    sink["maxConcurrency"] = int(concurrency or 0)
    count = _jsonata_value(step, th, st.tolerated_failure_count, "ToleratedFailureCount", "integer", states)
    percentage = _jsonata_value(
        step, th, st.tolerated_failure_percentage, "ToleratedFailurePercentage", "number", states
    )
    _tolerance(sink, None if count is None else int(count), percentage)


def _jsonata_value(step: Step, th: Thread, value: Any, name: str, kind: str, states: Any) -> Any:
    if not hasattr(value, "evaluate"):
        return value
    expressions = getattr(value, "expressions", ())
    source = expressions[0][1].source if expressions else ""
    return expect_type(evaluate(step, th, value, states), kind, source, name)


def _tolerance(sink: dict[str, Any], count: int | None, percentage: float | None) -> None:
    if count is not None:
        sink["toleratedFailureCount"] = count
    if percentage is not None:
        sink["toleratedFailurePercentage"] = float(percentage)


def _over_threshold(sink: dict[str, Any], mocked: Mocked) -> bool:
    """Whether ``mapIterationFailureCount`` failed iterations exceed the tolerated failures
    (recorded AWS TestState runs: with no tolerance configured the count is not checked)."""
    failures = mocked.failed_iterations
    count, percentage = sink.get("toleratedFailureCount"), sink.get("toleratedFailurePercentage")
    if not failures or (count is None and percentage is None):
        return False
    if count is not None and failures <= count:
        return False
    total = len(mocked.output) if isinstance(mocked.output, list) else 0
    return not (percentage is not None and total and failures * 100.0 / total <= percentage)
