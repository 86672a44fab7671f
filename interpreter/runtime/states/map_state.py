"""Map: run the item processor once per item, at most MaxConcurrency at a time.

INLINE mode records MapIterationStarted/Succeeded/Failed events in the execution's history; a
failed iteration fails the state. DISTRIBUTED mode runs each iteration as a child run whose events
are not in the parent history (AWS records MapRunStarted/MapRunSucceeded|Failed instead), batches
items with ItemBatcher, and tolerates failures up to ToleratedFailureCount/Percentage before
failing with States.ExceedToleratedFailureThreshold. Its items come from the state input or from
an ItemReader, and a ResultWriter can format or export the results: both are effects, see
``map_io``.
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from ...errors import EvaluationError, Failure, StatesErrorName
from ...expr.jsonata import expect_type
from ...model import JSONATA
from ..context import ThreadScope
from ..core import RETRY_AGAIN, Step, resume_with, run_thread
from ..dataflow import select
from ..jsonata_flow import evaluate, exit_event, record_evaluation_failed, states_of
from ..jsontext import dumps_compact
from ..record import Thread
from ..timestamps import format_timestamp
from .map_config import resolve_batches, resolve_concurrency, resolve_tolerance
from .result import shape_state_result

_RUNTIME = StatesErrorName.RUNTIME.value


class MapJoin:
    __slots__ = (
        "children",
        "data",
        "failures",
        "inputs",
        "io",
        "max_concurrency",
        "next_index",
        "remaining",
        "results",
        "running",
        "tolerated_count",
        "tolerated_percentage",
    )

    def __init__(self, inputs: list[Any], data: Any, max_concurrency: int) -> None:
        count = len(inputs)
        self.inputs = inputs  # per-iteration inputs (after ItemSelector / batching), built lazily
        self.data = data
        self.results: list[Any] = [None] * count
        self.remaining = count
        self.next_index = 0
        self.running = 0
        self.max_concurrency = max_concurrency
        self.children: dict[int, Thread] = {}
        self.failures = 0
        self.tolerated_count: int | None = None
        self.tolerated_percentage: float | None = None
        # ItemReader/ResultWriter state (JSON-able): {"mapRunArn", "runs"?: per item None or
        # {"status", "input", "start", "stop"?, "error"?, "cause"?}} (see map_io)
        self.io: dict[str, Any] | None = None

    def live_children(self) -> list[Thread]:
        return [c for c in self.children.values() if c.alive]

    def child_succeeded(self, step: Step, parent: Thread, child: Thread, output: Any) -> None:
        st = parent.state
        step.emit(child, "MapIterationSucceeded", {"name": st.name, "index": child.index})
        self.results[child.index] = output
        self._record(step, child.index, "SUCCEEDED", None)
        self._done(step, parent, child)

    def child_failed(self, step: Step, parent: Thread, child: Thread, failure: Failure) -> None:
        st = parent.state
        step.emit(child, "MapIterationFailed", {"name": st.name, "index": child.index})
        self._record(step, child.index, "FAILED", failure)
        if st.distributed and not self._over_threshold(self.failures + 1):
            self.failures += 1
            self.results[child.index] = _failed_item_output(failure)
            self._done(step, parent, child)
            return
        for other in self.live_children():
            step.kill(other)
            self._record(step, other.index, "ABORTED", None)
        parent.join = None
        parent.last_id = child.last_id
        if st.distributed:
            failure = Failure(
                StatesErrorName.EXCEED_TOLERATED_FAILURE_THRESHOLD.value,
                "The specified tolerated failure threshold was exceeded",
            )
            if self.io is not None and st.result_writer.resource is not None:
                # the results written so far, then the failure (map_io.write_results)
                resume_with(step, parent, partial(map_io.write_results, st=st, join=self, failure=failure))
                return
        resume_with(step, parent, lambda step, th: _failed(step, th, failure))

    def _record(self, step: Step, index: int, status: str, failure: Failure | None) -> None:
        """Keep the outcome of a child run for the ResultWriter."""
        runs = self.io.get("runs") if self.io is not None else None
        if runs is None or runs[index] is None:
            return
        run = runs[index]
        run["status"] = status
        run["stop"] = format_timestamp(step.now)
        if failure is not None:
            run["error"], run["cause"] = failure.error, failure.cause

    def _over_threshold(self, failures: int) -> bool:
        total = len(self.results)
        count, percentage = self.tolerated_count, self.tolerated_percentage
        if count is None and percentage is None:
            return failures > 0
        if count is not None and failures <= count:
            return False
        within_percentage = percentage is not None and total and failures * 100.0 / total <= percentage
        return not within_percentage

    def _done(self, step: Step, parent: Thread, child: Thread) -> None:
        del self.children[child.index]
        self.running -= 1
        self.remaining -= 1
        if self.remaining == 0:
            parent.last_id = child.last_id
            resume_with(step, parent, _finish)
        else:
            launch(step, parent, self)


def _failed_item_output(failure: Failure) -> dict[str, Any]:
    out: dict[str, Any] = {"Error": failure.error}
    if failure.cause is not None:
        out["Cause"] = failure.cause
    return out


def enter(step: Step, th: Thread, st: Any) -> bool:
    th.entered_id = step.emit(th, "MapStateEntered", {"name": st.name, "input": th.input})
    th.entered_time = step.now
    return start(step, th, st)


def _source(template: Any) -> str:
    expressions = getattr(template, "expressions", ())
    return expressions[0][1].source if expressions else ""


def _jsonata_setting(step: Step, th: Thread, value: Any, field: str, kind: str, states: Any) -> Any:
    if not hasattr(value, "evaluate"):
        return value
    return expect_type(evaluate(step, th, value, states), kind, _source(value), field)


def _start_jsonata(step: Step, th: Thread, st: Any) -> bool:
    states = states_of(step, th)
    reading = st.item_reader is not None and st.distributed
    try:
        items = st.items
        if reading:
            items = []
        elif items is None:
            items = th.input
            if type(items) is not list:
                # Recorded AWS run (test_map_state_items_input_types_null): a JSONata Map reports
                # a non-array input as States.QueryEvaluationError.
                raise EvaluationError(
                    StatesErrorName.QUERY_EVALUATION_ERROR.value,
                    f"Map state input must be an array but was: {dumps_compact(items)}",
                )
        elif hasattr(items, "evaluate"):
            items = expect_type(evaluate(step, th, items, states), "array", _source(items), "Items")
        max_concurrency = _jsonata_setting(step, th, st.max_concurrency, "MaxConcurrency", "integer", states)
        if max_concurrency is not None and max_concurrency < 0:
            raise EvaluationError(_RUNTIME, "MaxConcurrency cannot be negative.")
        count = _jsonata_setting(
            step, th, st.tolerated_failure_count, "ToleratedFailureCount", "integer", states
        )
        percentage = _jsonata_setting(
            step, th, st.tolerated_failure_percentage, "ToleratedFailurePercentage", "number", states
        )
        if count is not None and count < 0:
            raise EvaluationError(_RUNTIME, "ToleratedFailureCount cannot be negative.")
        if percentage is not None and not 0 <= percentage <= 100:
            raise EvaluationError(_RUNTIME, "ToleratedFailurePercentage must be between 0 and 100.")
    except EvaluationError as err:
        failure = step.runtime_failure(th, st, err)
        record_evaluation_failed(step, th, st, failure)
        return _failed(step, th, failure)
    step.emit(th, "MapStateStarted", {"length": len(items)})
    if reading:
        return _read_then_begin(step, th, st, th.input, int(max_concurrency or 0), (count, percentage))
    return _begin(step, th, st, MapJoin(items, th.input, int(max_concurrency or 0)), (count, percentage))


def start(step: Step, th: Thread, st: Any) -> bool:
    if st.query_language == JSONATA:
        return _start_jsonata(step, th, st)
    scope = ThreadScope(step, th)
    reading = st.item_reader is not None and st.distributed
    try:
        data = select(st.input_path, th.input, scope)
        if reading:  # AWS: MapStateStarted {"length": 0}, the items come after MapRunStarted
            items = []
        else:
            items = st.items_path.evaluate(data, scope) if st.items_path is not None else data
        if type(items) is not list:
            raise EvaluationError(
                _RUNTIME, f"Map state input must be an array but was: {dumps_compact(items)}"
            )
        max_concurrency = resolve_concurrency(st, th.input, scope)
    except EvaluationError as err:
        return step.fail_state(th, st, step.runtime_failure(th, st, err))
    step.emit(th, "MapStateStarted", {"length": len(items)})
    try:
        tolerance = resolve_tolerance(st, th.input, scope) if st.distributed else (None, None)
        if reading:
            return _read_then_begin(step, th, st, data, max_concurrency, tolerance)
        inputs = resolve_batches(st, items, data, scope) if st.item_batcher is not None else items
    except EvaluationError as err:
        return step.fail_state(th, st, step.runtime_failure(th, st, err))
    return _begin(step, th, st, MapJoin(inputs, data, max_concurrency), tolerance)


def _read_then_begin(
    step: Step, th: Thread, st: Any, data: Any, max_concurrency: int, tolerance: tuple[Any, Any]
) -> bool:
    """MapRunStarted, then ask for the ItemReader's items (``map_io``); the Map waits for them."""
    arn = _map_run_arn(step, th, st)
    step.emit(th, "MapRunStarted", {"mapRunArn": arn})
    return map_io.request_items(step, th, st, data, max_concurrency, tolerance, arn)


def _begin(
    step: Step, th: Thread, st: Any, join: MapJoin, tolerance: tuple[Any, Any], map_run_arn: str | None = None
) -> bool:
    """After MapStateStarted: wait for the iterations (none: finish straight away).

    ``map_run_arn``: MapRunStarted was recorded already (the items came from an ItemReader)."""
    th.join = join
    if st.distributed:
        join.tolerated_count, join.tolerated_percentage = tolerance
        if map_run_arn is None:
            map_run_arn = _map_run_arn(step, th, st)
            step.emit(th, "MapRunStarted", {"mapRunArn": map_run_arn})
        if st.result_writer is not None:
            join.io = {"mapRunArn": map_run_arn, "runs": [None] * len(join.inputs)}
    if not join.inputs:
        resume_with(step, th, _finish)
        return False
    launch(step, th, join)
    return False


_MAP_RUN_NAMESPACE = uuid.UUID("0b7f3a52-6c1e-4f0e-8d5e-2a9c41d7e6b3")


def _map_run_arn(step: Step, th: Thread, st: Any) -> str:
    """``arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:ID`` (AWS's shape; LocalStack's
    AWS-recorded snapshots mask it as ``mapRun:<machine>/<label>:<id>``). The id is a UUID derived
    from the execution and the state's entry, so the same Map entry (a redrive) names the same run."""
    r = step.record
    label = st.label or st.name
    run_id = uuid.uuid5(_MAP_RUN_NAMESPACE, f"{r.arn}#{th.entered_id}")
    return r.machine_arn.replace(":stateMachine:", ":mapRun:", 1) + f"/{label}:{run_id}"


def launch(step: Step, th: Thread, join: MapJoin) -> None:
    """Start iterations while there are items left and MaxConcurrency allows."""
    st = th.state
    total = len(join.inputs)
    limit = join.max_concurrency or total
    selector = st.item_selector if st.item_batcher is None else None
    while join.next_index < total and join.running < limit:
        index = join.next_index
        join.next_index += 1
        value = join.inputs[index]
        if selector is not None:
            extra = {"Map": {"Item": {"Index": index, "Value": value}}}
            try:
                if st.query_language == JSONATA:
                    value = evaluate(step, th, selector, states_of(step, th, extra))
                else:
                    value = selector.evaluate(join.data, ThreadScope(step, th, extra))
            except EvaluationError as err:
                failure = step.runtime_failure(th, st, err)
                record_evaluation_failed(step, th, st, failure)
                for other in join.live_children():
                    step.kill(other)
                th.join = None
                resume_with(step, th, partial(_failed, failure=failure))
                return
        child = step.new_thread(st.processor, th, index, th.last_id)
        child.quiet = st.distributed
        child.input = value
        runs = join.io.get("runs") if join.io is not None else None
        if runs is not None:
            runs[index] = {"status": "RUNNING", "input": value, "start": format_timestamp(step.now)}
        join.children[index] = child
        join.running += 1
        step.emit(child, "MapIterationStarted", {"name": st.name, "index": index})
        step.ready.append((child, run_thread))


def _finish(step: Step, th: Thread) -> bool:
    st = th.state
    join = th.join
    if st.distributed and st.result_writer is not None and join.io is not None:
        return map_io.write_results(step, th, st, join)  # ends in succeed_with (or _failed)
    return succeed_with(step, th, join.results)


def succeed_with(step: Step, th: Thread, results: Any) -> bool:
    """The Map Run is over: ``results`` is the state's result."""
    st = th.state
    th.join = None
    if st.distributed:
        step.emit(th, "MapRunSucceeded", None)
    previous = th.last_id
    step.emit(th, "MapStateSucceeded", None)
    # AWS: the event after MapStateSucceeded follows the one before it (recorded runs, e.g.
    # LocalStack's test_map_item_reader_base_csv_headers_first_line: MapStateSucceeded #6 ← 5,
    # MapStateExited #7 ← 5)
    th.last_id = previous
    output, assigned, ok = shape_state_result(step, th, st, results)
    if not ok:
        return output
    exit_event(step, th, st, output, assigned)
    return step.advance(th, st, output)


def _failed(step: Step, th: Thread, failure: Failure) -> bool:
    st = th.state
    if st.distributed:
        step.emit(th, "MapRunFailed", {"error": failure.error, "cause": failure.cause})
    if step.retrier_for(th, th.state, failure) is None:
        step.emit(th, "MapStateFailed", None)
    return step.fail_state(th, st, failure)


RETRY_AGAIN["Map"] = start

__all__ = ["MapJoin", "enter", "launch", "start", "succeed_with"]

from . import map_io  # noqa: E402  (the ItemReader/ResultWriter waits; it imports this module)
