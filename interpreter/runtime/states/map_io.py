"""Distributed Map ItemReader and ResultWriter in the core: what to fetch/put is an effect.

Reading: after MapStateStarted (``length`` 0) and MapRunStarted the Map evaluates the reader's
``Parameters`` (JSONPath, on the input after InputPath) or ``Arguments`` (JSONata) and
``MaxItems``/``MaxItemsPath``, asks for the data with a ``RunTask`` whose resource is a
``MapIOResource`` (kind ``map_reader``), and waits for it like a task: a token in
``record.waiting`` (kind ``map_reader``) whose JSON-able data holds what the Map needs to go on,
so a durable execution survives a crash here and the read is performed again. The runner answers
with the object's text (``{"Body": ...}``) or the listed objects (``{"Contents": [...]}``);
``runtime.item_reader`` (pure) turns that into the items. A failed read fails the Map Run:
MapRunFailed {error, cause}, MapStateFailed, then Retry/Catch (recorded AWS runs, LocalStack's
``test_map_item_reader_*`` snapshots: "CSV headers cannot contain duplicates.",
"Attempting to map over non-iterable node.", both States.ItemReaderFailed).

Writing: when every child run has ended, a ResultWriter with a ``Resource`` asks for the objects
``runtime.result_writer`` built (kind ``map_writer``); once they are written the Map's result is
``{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}``. A ``WriterConfig`` alone formats the
result in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from ...errors import EvaluationError, Failure, StatesErrorName
from ...expr.jsonata import expect_type
from ...model import JSONATA
from ..context import ThreadScope
from ..core import RESUME, Step, resume_with
from ..effects import RunTask
from ..item_reader import ItemReaderError, effective_max_items, items_from_text, listing_items
from ..jsonata_flow import evaluate, record_evaluation_failed, states_of
from ..record import Thread
from ..result_writer import PENDING, export_objects, transformed_results, writer_output
from .map_config import _integer_from_path, resolve_batches
from .map_state import MapJoin, _begin, _failed, succeed_with

READER = "map_reader"
WRITER = "map_writer"
ITEM_READER_FAILED = StatesErrorName.ITEM_READER_FAILED.value
RESULT_WRITER_FAILED = StatesErrorName.RESULT_WRITER_FAILED.value


@dataclass(frozen=True, slots=True)
class MapIOResource:
    """The resource of a reader/writer effect: ``raw`` is the ItemReader/ResultWriter ``Resource``
    (``arn:aws:states:::s3:getObject``); ``kind`` says which side of the Map asks. Task runners
    that serve Task states never claim it (its kind is none of theirs)."""

    raw: str
    kind: str  # READER | WRITER

    @property
    def service(self) -> str:
        return self.raw.rsplit(":", 2)[-2]

    @property
    def action(self) -> str:
        return self.raw.rsplit(":", 1)[-1]

    @property
    def is_lambda_invoke(self) -> bool:
        return False


# ---------------------------------------------------------------------------------------- reading
def request_items(
    step: Step,
    th: Thread,
    st: Any,
    data: Any,
    max_concurrency: int,
    tolerance: tuple[Any, Any],
    map_run_arn: str,
) -> bool:
    reader = st.item_reader
    template = reader.parameters
    try:
        if st.query_language == JSONATA:
            states = states_of(step, th)
            parameters = evaluate(step, th, template, states) if template is not None else {}
            max_items = reader.max_items
            if hasattr(max_items, "evaluate"):
                source = max_items.expressions[0][1].source if max_items.expressions else ""
                max_items = expect_type(evaluate(step, th, max_items, states), "integer", source, "MaxItems")
        else:
            scope = ThreadScope(step, th)
            parameters = template.evaluate(data, scope) if template is not None else {}
            max_items = reader.max_items
            if reader.max_items_path is not None:
                max_items = _integer_from_path(reader.max_items_path, "MaxItemsPath", th.input, scope)
        max_items = effective_max_items(max_items)
    except EvaluationError as err:
        failure = step.runtime_failure(th, st, err)
        if st.query_language == JSONATA:
            record_evaluation_failed(step, th, st, failure)
        return _failed(step, th, failure)
    except ItemReaderError as err:
        return _failed(step, th, Failure(ITEM_READER_FAILED, err.cause))
    wait = {
        "data": data,
        "maxConcurrency": max_concurrency,
        "tolerance": list(tolerance),
        "maxItems": max_items,
        "mapRunArn": map_run_arn,
    }
    token = step.wait_for(th, READER, wait)
    payload = {"Parameters": parameters, "InputType": reader.input_type, "MaxItems": max_items}
    step.effects.append(
        RunTask(
            token=token,
            resource=MapIOResource(reader.resource, READER),
            payload=payload,
            state_name=st.name,
            attempt=sum(th.retry_counts) if th.retry_counts else 0,
        )
    )
    return False


def read_items(reader: Any, fetched: Any, max_items: int | None) -> list[Any]:
    """The items of what the runner fetched for ``reader`` (``ItemReaderError`` when unreadable)."""
    if type(fetched) is not dict:
        raise ItemReaderError("The ItemReader resource returned no data.")
    if "Contents" in fetched:
        return listing_items(fetched["Contents"] or [], max_items=max_items)
    body = fetched.get("Body")
    if type(body) is not str:
        raise ItemReaderError("The ItemReader resource returned no data.")
    return items_from_text(
        body,
        input_type=reader.input_type,
        csv_header_location=reader.csv_header_location,
        csv_headers=reader.csv_headers,
        csv_delimiter=reader.csv_delimiter,
        items_pointer=reader.items_pointer,
        max_items=max_items,
    )


def _on_items(step: Step, th: Thread, message: Any, wait: dict[str, Any]) -> None:
    st = th.state
    if not message.ok:
        failure = Failure(message.error, message.cause)
        resume_with(step, th, partial(_failed, failure=failure))
        return
    try:
        items = read_items(st.item_reader, message.output, wait["maxItems"])
    except ItemReaderError as err:
        resume_with(step, th, partial(_failed, failure=Failure(ITEM_READER_FAILED, err.cause)))
        return
    resume_with(step, th, partial(_start_run, items=items, wait=wait))


def _start_run(step: Step, th: Thread, items: list[Any], wait: dict[str, Any]) -> bool:
    st = th.state
    data = wait["data"]
    inputs = items
    if st.item_batcher is not None and st.query_language != JSONATA:
        try:
            inputs = resolve_batches(st, items, data, ThreadScope(step, th))
        except EvaluationError as err:
            return _failed(step, th, step.runtime_failure(th, st, err))
    join = MapJoin(inputs, data, wait["maxConcurrency"])
    tolerance = (wait["tolerance"][0], wait["tolerance"][1])
    return _begin(step, th, st, join, tolerance, map_run_arn=wait["mapRunArn"])


# ---------------------------------------------------------------------------------------- writing
def runs_of(join: MapJoin) -> list[dict[str, Any]]:
    """Every item's run for the ResultWriter: started ones with their outcome, the others PENDING."""
    assert join.io is not None
    runs = join.io["runs"]
    out = []
    for index, run in enumerate(runs):
        if run is None:
            out.append({"status": PENDING, "input": join.inputs[index]})
            continue
        run = dict(run)
        if run["status"] == "SUCCEEDED":
            run["output"] = join.results[index]
        out.append(run)
    return out


def write_results(step: Step, th: Thread, st: Any, join: MapJoin, failure: Failure | None = None) -> bool:
    """Export the results of the Map Run (``failure``: it failed; the Map fails with it once the
    results are written, or when they cannot be)."""
    writer = st.result_writer
    assert join.io is not None
    arn = join.io["mapRunArn"]
    runs = runs_of(join)
    if writer.resource is None:  # WriterConfig alone: the state's result, formatted
        if failure is not None:
            return _failed(step, th, failure)
        return succeed_with(step, th, transformed_results(runs, writer.transformation, map_run_arn=arn))
    template = writer.parameters
    try:
        if template is None:
            parameters = {}
        elif st.query_language == JSONATA:
            parameters = evaluate(step, th, template, states_of(step, th))
        else:
            parameters = template.evaluate(join.data, ThreadScope(step, th))
    except EvaluationError as err:
        th.join = None
        if failure is not None:
            return _failed(step, th, failure)
        problem = step.runtime_failure(th, st, err)
        if st.query_language == JSONATA:
            record_evaluation_failed(step, th, st, problem)
        return _failed(step, th, problem)
    bucket = parameters.get("Bucket") if type(parameters) is dict else None
    prefix = parameters.get("Prefix", "") if type(parameters) is dict else ""
    if type(bucket) is not str or type(prefix) is not str:
        th.join = None
        cause = "The ResultWriter Parameters must have a string Bucket (and an optional string Prefix)."
        return _failed(step, th, failure or Failure(RESULT_WRITER_FAILED, cause))
    objects = export_objects(
        runs,
        bucket=bucket,
        prefix=prefix,
        map_run_arn=arn,
        output_type=writer.output_type,
        transformation=writer.transformation,
    )
    wait: dict[str, Any] = {"mapRunArn": arn, "bucket": bucket, "prefix": prefix}
    if failure is not None:
        wait["failure"] = [failure.error, failure.cause]
    token = step.wait_for(th, WRITER, wait)
    step.effects.append(
        RunTask(
            token=token,
            resource=MapIOResource(writer.resource, WRITER),
            payload={"Bucket": bucket, "Objects": objects},
            state_name=st.name,
            attempt=sum(th.retry_counts) if th.retry_counts else 0,
        )
    )
    return False


def _on_written(step: Step, th: Thread, message: Any, wait: dict[str, Any]) -> None:
    if "failure" in wait:  # the Map Run had failed: it fails now that its results are written
        error, cause = wait["failure"]
        resume_with(step, th, partial(_failed, failure=Failure(error, cause)))
        return
    if not message.ok:
        th.join = None
        resume_with(step, th, partial(_failed, failure=Failure(message.error, message.cause)))
        return
    result = writer_output(wait["mapRunArn"], wait["bucket"], wait["prefix"])
    resume_with(step, th, partial(succeed_with, results=result))


RESUME[READER] = _on_items
RESUME[WRITER] = _on_written

__all__ = ["READER", "WRITER", "MapIOResource", "read_items", "request_items", "runs_of", "write_results"]
