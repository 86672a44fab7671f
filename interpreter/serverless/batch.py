"""The worker Lambda's SQS batch: Powertools batch processing with partial batch failures.

``handle_batch(event, context, worker, logger=..., tracer=...)`` processes every record of an SQS
event with Powertools' ``BatchProcessor`` (``EventType.SQS``) and returns
``{"batchItemFailures": [{"itemIdentifier": <messageId>}, ...]}`` listing only the records that
failed: the event source mapping (``FunctionResponseTypes: [ReportBatchItemFailures]``) deletes
the others and makes the failed ones visible again after the visibility timeout; after
``maxReceiveCount`` receives the queue's redrive policy moves them to the dead-letter queue.
A record's failure (a malformed body, an unknown execution, a store error) never fails the
others, and an all-failed batch is reported the same way rather than raised.

Each record is logged with ``execution_arn``, ``state``, ``attempt``, ``kind``, ``token``,
``message_id`` and ``receive_count`` appended to the Powertools Logger, and traced as a subsegment
with the execution ARN as an annotation. With ``threads`` > 1 the records of a batch run
concurrently (tasks that wait on Lambda invocations overlap); commits to one execution still go
one at a time (the executor's lock and compare-and-set).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from .messages import MalformedWork, TaskWork, TimerWork, Work, parse
from .worker import UnknownExecution, Worker

_BODY_PREVIEW = 500  # characters of a malformed body that go into the log


class WorkBatchProcessor(BatchProcessor):
    """``BatchProcessor`` that can process the records of one batch on several threads."""

    def __init__(self, threads: int = 1, **options: Any) -> None:
        super().__init__(EventType.SQS, **options)
        self.threads = max(1, threads)

    def process(self) -> list[tuple]:  # type: ignore[type-arg]
        if self.threads == 1 or len(self.records) < 2:
            return super().process()
        with ThreadPoolExecutor(min(self.threads, len(self.records))) as pool:
            return list(pool.map(self._process_record, self.records))


def handle_batch(
    event: dict[str, Any],
    context: Any,
    worker: Worker,
    *,
    logger: Any,
    tracer: Any = None,
    threads: int = 1,
) -> dict[str, Any]:
    """Process an SQS event's records; the partial batch response."""
    processor = WorkBatchProcessor(threads, raise_on_entire_batch_failure=False)
    threaded = threads > 1
    if threaded:
        tracer = None  # X-Ray's segment is per thread: subsegments only when records run in order

    def record_handler(record: SQSRecord) -> str:
        return process_record(worker, record, logger=logger, tracer=tracer, threaded=threaded)

    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)


def process_record(
    worker: Worker, record: SQSRecord, *, logger: Any, tracer: Any = None, threaded: bool = False
) -> str:
    """One record: parse, perform, log. Raises (the record fails) on any problem."""
    keys: dict[str, Any] = {
        "message_id": record.message_id,
        "receive_count": _receive_count(record),
    }
    try:
        work = parse(record.body)
    except MalformedWork as err:
        with _keys(logger, keys, threaded):
            logger.error(
                "malformed work message: it is reported as failed and goes to the dead-letter "
                "queue after the queue's maxReceiveCount",
                extra={"problem": str(err), "body": (record.body or "")[:_BODY_PREVIEW]},
            )
        raise
    keys.update(_work_keys(work))
    with _keys(logger, keys, threaded), _subsegment(tracer, work):
        try:
            outcome = worker.perform(work)
        except UnknownExecution as err:
            logger.error("work message for an unknown execution", extra={"problem": str(err)})
            raise
        except Exception:
            logger.exception("work message failed: it will be delivered again")
            raise
        logger.info(
            f"work {outcome.action}",
            extra={"status": outcome.status, "detail": outcome.detail},
        )
        return outcome.action


def _work_keys(work: Work) -> dict[str, Any]:
    keys: dict[str, Any] = {"execution_arn": work.arn}
    if isinstance(work, TaskWork):
        keys.update(kind="task", token=work.token, state=work.state, attempt=work.attempt)
    elif isinstance(work, TimerWork):
        keys.update(kind="timer", token=work.token)
    else:
        keys.update(kind="message", message_type=type(work.message).__name__)
    return keys


def _receive_count(record: SQSRecord) -> int | None:
    try:
        return int(record.attributes.approximate_receive_count)
    except (TypeError, ValueError, KeyError):
        return None


@contextlib.contextmanager
def _keys(logger: Any, keys: dict[str, Any], threaded: bool) -> Iterator[None]:
    if isinstance(logger, logging.Logger):  # a plain logger (tests, local runs): no keys to add
        yield
        return
    if threaded:
        logger.thread_safe_append_keys(**keys)
    else:
        logger.append_keys(**keys)
    try:
        yield
    finally:
        if threaded:
            logger.thread_safe_remove_keys(list(keys))
        else:
            logger.remove_keys(list(keys))


@contextlib.contextmanager
def _subsegment(tracer: Any, work: Work) -> Iterator[None]:
    if tracer is None:
        yield
        return
    kind = "task" if isinstance(work, TaskWork) else "timer" if isinstance(work, TimerWork) else "message"
    with tracer.provider.in_subsegment(f"## {kind}") as subsegment:
        subsegment.put_annotation("execution_arn", work.arn)
        if isinstance(work, TaskWork) and work.state is not None:
            subsegment.put_annotation("state", work.state)
        yield
