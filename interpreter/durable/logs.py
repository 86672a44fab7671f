"""An execution's logs: its tasks' lines from the store and its engine lines from its history.

Task lines are what the task code wrote (captured by ``adapters.log_capture``, stored by the
executor with ``append_logs``). Engine lines are not stored twice: they are made from the stored
history when read, one per history event, in the JSON shape Step Functions sends to CloudWatch
Logs when a state machine's logging is on (AWS developer guide, "Using CloudWatch Logs to log
execution history"; AWS-recorded in LocalStack's ``test_logs.snapshot.json``)::

    {"id": "3", "type": "TaskStateExited", "details": {...}, "previous_event_id": "2",
     "event_timestamp": "1592945890796", "execution_arn": "arn:...", "redrive_count": "0"}

ids, timestamps (epoch ms) and the redrive count are strings; ``details`` is the event's details
object as GetExecutionHistory gives it (``input``/``output`` as JSON text), without
``input``/``output`` and their ``*Details`` when execution data is not included, and absent for
events that have no details. Each engine line has a level as Step Functions' log levels rank it
(FATAL ⊂ ERROR ⊂ ALL): FATAL for the execution's failure/abort/time-out, ERROR for the other
failure events, INFO for the rest.

Reading is paged (``page_size`` records or events a store call) and merged by time, so a huge
log is never loaded whole; ``poll`` continues where the last read stopped (``stepfn logs
--follow``). ``read_log_file`` reads exported lines back (``stepfn logs --file``).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..adapters.stores._codec import to_ms
from ..adapters.stores.base import ExecutionStore, log_level_rank
from ..runtime import snapshot
from ..runtime.history import details_key

# AWS's log level categories ("Log levels for execution events", Step Functions developer guide).
FATAL_EVENT_TYPES = frozenset({"ExecutionAborted", "ExecutionFailed", "ExecutionTimedOut"})
ERROR_EVENT_TYPES = FATAL_EVENT_TYPES | frozenset(
    {
        "FailStateEntered",
        "LambdaFunctionFailed",
        "LambdaFunctionScheduleFailed",
        "LambdaFunctionStartFailed",
        "LambdaFunctionTimedOut",
        "MapStateAborted",
        "MapStateFailed",
        "MapIterationAborted",
        "MapIterationFailed",
        "MapRunAborted",
        "MapRunFailed",
        "ParallelStateAborted",
        "ParallelStateFailed",
        "TaskFailed",
        "TaskStartFailed",
        "TaskStateAborted",
        "TaskSubmitFailed",
        "TaskTimedOut",
        "WaitStateAborted",
    }
)
# Events that start an attempt of a state: the n-th one after the state was entered is retry n - 1.
_ATTEMPT_STARTS = frozenset(
    {
        "TaskScheduled",
        "LambdaFunctionScheduled",
        "ActivityScheduled",
        "ParallelStateStarted",
        "MapStateStarted",
    }
)
_EXECUTION_DATA = ("input", "inputDetails", "output", "outputDetails")


def engine_level(event_type: str) -> str:
    if event_type in FATAL_EVENT_TYPES:
        return "FATAL"
    return "ERROR" if event_type in ERROR_EVENT_TYPES else "INFO"


# ---------------------------------------------------------------------------- annotating events
@dataclass(frozen=True, slots=True)
class EventNote:
    """What a history event means for a reader: its state, retry attempt (0: the first try; None
    outside a state's attempts), time since the event it follows (``previousEventId``) and since
    the execution started (seconds), its error and cause, the redrive count at that point."""

    state: str | None
    attempt: int | None
    since_previous: float | None
    since_start: float
    error: str | None
    cause: str | None
    redrive_count: int


class Annotator:
    """Follows one execution's history events in id order (``note`` each in turn).

    The state of an event is the name in its details (``*StateEntered``/``Exited``, Map
    iterations) or else that of the event it follows: events chain by ``previousEventId`` within
    a thread, so Parallel branches and Map iterations running side by side keep their own."""

    def __init__(self) -> None:
        self._carry: dict[int, tuple[str | None, int | None]] = {}  # id -> (state, entered id)
        self._times: dict[int, int] = {}  # id -> timestamp ms
        self._attempts: dict[int, int] = {}  # entered event id -> attempts started
        self._start_ms: int | None = None
        self.redrive_count = 0

    def note(
        self, event_id: int, previous_id: int, event_type: str, timestamp_ms: int, details: dict[str, Any]
    ) -> EventNote:
        if self._start_ms is None:
            self._start_ms = timestamp_ms
        if event_type == "ExecutionRedriven":
            self.redrive_count = int(details.get("redriveCount") or self.redrive_count + 1)
        state, entered = self._carry.get(previous_id, (None, None))
        name = details.get("name")
        if event_type.endswith("StateEntered"):
            state, entered = name if isinstance(name, str) else None, event_id
            self._carry[event_id] = (state, entered)
        elif event_type.endswith("StateExited"):
            state = name if isinstance(name, str) else state
            self._carry[event_id] = (None, None)
        elif isinstance(name, str):  # Map iterations name their Map state; so do later events
            self._carry[event_id] = (name, entered if state == name else None)
            state = name
        else:
            self._carry[event_id] = (state, entered)
        attempt = None
        if entered is not None:
            if event_type in _ATTEMPT_STARTS:
                self._attempts[entered] = self._attempts.get(entered, 0) + 1
            started = self._attempts.get(entered)
            if started is not None and not event_type.endswith(("StateEntered", "StateExited")):
                attempt = started - 1
        previous_ms = self._times.get(previous_id)
        self._times[event_id] = timestamp_ms
        error, cause = details.get("error"), details.get("cause")
        return EventNote(
            state=state,
            attempt=attempt,
            since_previous=None if previous_ms is None else (timestamp_ms - previous_ms) / 1000,
            since_start=(timestamp_ms - self._start_ms) / 1000,
            error=error if isinstance(error, str) else None,
            cause=cause if isinstance(cause, str) else None,
            redrive_count=self.redrive_count,
        )

    def note_api(self, event: dict[str, Any]) -> EventNote:
        """``note`` for an event in GetExecutionHistory's shape (timestamp as a datetime)."""
        return self.note(
            event["id"],
            event.get("previousEventId", 0),
            event["type"],
            _ms(event["timestamp"]),
            api_details(event),
        )


def api_details(event: dict[str, Any]) -> dict[str, Any]:
    """The details object of an event in GetExecutionHistory's shape ({} when it has none)."""
    return next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {})


def _ms(moment: datetime) -> int:
    return to_ms(moment)


# ---------------------------------------------------------------------------- engine lines
def cloudwatch_line(
    event: dict[str, Any], execution_arn: str, redrive_count: int, *, include_execution_data: bool = True
) -> dict[str, Any]:
    """One history event (GetExecutionHistory's shape) as Step Functions logs it to CloudWatch."""
    line: dict[str, Any] = {"id": str(event["id"]), "type": event["type"]}
    key = details_key(event["type"])
    details = event.get(key) if key is not None else None
    if isinstance(details, dict):
        if not include_execution_data:
            details = {k: v for k, v in details.items() if k not in _EXECUTION_DATA}
        line["details"] = details
    line["previous_event_id"] = str(event.get("previousEventId", 0))
    line["event_timestamp"] = str(_ms(event["timestamp"]))
    line["execution_arn"] = execution_arn
    line["redrive_count"] = str(redrive_count)
    return line


def engine_record(line: dict[str, Any], note: EventNote) -> dict[str, Any]:
    """A CloudWatch engine line as a log record (``line`` kept whole under ``"event"``)."""
    return {
        "timestamp": int(line["event_timestamp"]),
        "level": engine_level(line["type"]),
        "state": note.state,
        "attempt": note.attempt,
        "source": "engine",
        "message": line["type"],
        "execution_arn": line["execution_arn"],
        "event": line,
        "note": note,
    }


_ANCHORS = frozenset({"TaskStarted", "LambdaFunctionStarted", "ActivityStarted"})
_BEGINNINGS = ("Entered", "Scheduled", "Started", "Submitted")
LOOKAHEAD = 5_000  # engine records read ahead (at one millisecond) to place a task's lines


def _stamp_of(record: dict[str, Any]) -> int:
    stamp = record.get("timestamp")
    return stamp if isinstance(stamp, int) else 0


def merge(tasks: Iterable[dict[str, Any]], engine: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Task lines (in stored order) and engine lines (in event order) as one stream by time.

    Each stream keeps its own order. The lines of one task attempt go after the engine event
    that started it (``*Started`` of that state and retry attempt, each taken once) when it
    has the same millisecond (a virtual-clock run: everything happens at one instant), and
    otherwise after the engine events that are earlier, or at that millisecond and begin
    something. Reading ahead is bounded (``LOOKAHEAD``)."""
    ahead: deque[dict[str, Any]] = deque()
    source = iter(engine)
    exhausted = False
    group: Any = object()

    def fill_to(stamp: int) -> bool:
        """Read ahead while the last record read is at or before ``stamp``; False: no more."""
        nonlocal exhausted
        while not exhausted and len(ahead) < LOOKAHEAD and (not ahead or _stamp_of(ahead[-1]) <= stamp):
            following = next(source, None)
            if following is None:
                exhausted = True
            else:
                ahead.append(following)
        return bool(ahead)

    for record in tasks:
        stamp = _stamp_of(record)
        fill_to(stamp)
        while ahead and _stamp_of(ahead[0]) < stamp:
            yield ahead.popleft()
            fill_to(stamp)
        key = record.get("request_id") or (record.get("state"), record.get("attempt"))
        if key != group:  # the first line of a task attempt: find the event that started it
            group = key
            anchor = next(
                (
                    index
                    for index, event in enumerate(ahead)
                    if _stamp_of(event) == stamp
                    and event["message"] in _ANCHORS
                    and not event.get("placed")
                    and (event.get("state"), event.get("attempt"))
                    == (record.get("state"), record.get("attempt"))
                ),
                None,
            )
            if anchor is not None:
                ahead[anchor]["placed"] = True
                for _ in range(anchor + 1):
                    yield ahead.popleft()
            else:
                while ahead and _stamp_of(ahead[0]) == stamp and ahead[0]["message"].endswith(_BEGINNINGS):
                    yield ahead.popleft()
        yield record
    yield from ahead
    yield from source


# ---------------------------------------------------------------------------- reading a store
class ExecutionLogs:
    """The logs of one stored execution, filtered by ``state`` (exact name), ``level`` (that level
    or above), ``source`` ("task" or "engine"); read in pages of ``page_size``."""

    def __init__(
        self,
        store: ExecutionStore,
        arn: str,
        *,
        state: str | None = None,
        level: str | None = None,
        source: str | None = None,
        include_execution_data: bool = True,
        page_size: int = 1000,
    ) -> None:
        self.store = store
        self.arn = arn
        self.state = state
        self.level = None if level is None or level.upper() == "ALL" else level
        self.source = source
        self.include_execution_data = include_execution_data
        self.page_size = page_size
        self.task_seq = 0  # the last task line read
        self.event_id = 0  # the last history event read
        self._annotator = Annotator()
        self._rank = log_level_rank(self.level)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Everything stored now (from where the last read stopped), merged by time."""
        return merge(self._task_lines(), self._engine_lines())

    def poll(self) -> list[dict[str, Any]]:
        """What was stored since the last read, merged by time."""
        return list(self)

    def _task_lines(self) -> Iterator[dict[str, Any]]:
        if self.source not in (None, "task"):
            return
        while True:
            page = self.store.get_logs(
                self.arn, after=self.task_seq, limit=self.page_size, state=self.state, level=self.level
            )
            for record in page:
                self.task_seq = record["seq"]
                yield record
            if len(page) < self.page_size:
                return

    def _engine_lines(self) -> Iterator[dict[str, Any]]:
        if self.source not in (None, "engine"):
            return
        while True:
            page = self.store.get_events(self.arn, after=self.event_id, limit=self.page_size)
            for data in page:
                self.event_id = data["id"]
                event = snapshot.event_from_data(data).to_api(True)
                note = self._annotator.note_api(event)
                line = cloudwatch_line(
                    event,
                    self.arn,
                    note.redrive_count,
                    include_execution_data=self.include_execution_data,
                )
                record = engine_record(line, note)
                if self._keep(record):
                    yield record
            if len(page) < self.page_size:
                return

    def _keep(self, record: dict[str, Any]) -> bool:
        if self.state is not None and record.get("state") != self.state:
            return False
        return log_level_rank(record.get("level")) >= self._rank


def export_line(record: dict[str, Any], execution_arn: str | None = None) -> dict[str, Any]:
    """A record as ``stepfn logs --json`` prints it: an engine line in CloudWatch's shape, a task
    line as stored plus its execution ARN."""
    if record.get("source") == "engine" and isinstance(record.get("event"), dict):
        return dict(record["event"])
    line = {k: v for k, v in record.items() if k not in ("event", "note", "placed")}
    if execution_arn is not None:
        line.setdefault("execution_arn", execution_arn)
    return line


# ---------------------------------------------------------------------------- reading a file
def read_log_file(
    path: str | Path,
    *,
    execution: str | None = None,
    state: str | None = None,
    level: str | None = None,
    source: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Log records from a file of exported lines, in file order: Step Functions' CloudWatch lines
    (engine), ``stepfn logs --json`` output, a CloudWatch Logs export (``aws logs
    filter-log-events`` JSON, or lines of ``{"timestamp", "message"}`` whose message is one of
    the above), JSON log lines (Powertools) and plain text. ``execution`` (an ARN or a name) keeps
    the lines of that execution and those that name none."""
    rank = log_level_rank(None if level is None or level.upper() == "ALL" else level)
    annotators: dict[str, Annotator] = {}
    for entry in _entries(Path(path)):
        record = _record_of(entry, annotators)
        if record is None:
            continue
        arn = record.get("execution_arn")
        if execution is not None and isinstance(arn, str) and not _names(arn, execution):
            continue
        if state is not None and record.get("state") != state:
            continue
        if source is not None and record.get("source") != source:
            continue
        if log_level_rank(record.get("level")) < rank:
            continue
        yield record


def _names(arn: str, execution: str) -> bool:
    return arn == execution or (not execution.startswith("arn:") and arn.rsplit(":", 1)[-1] == execution)


def _entries(path: Path) -> Iterator[Any]:
    """The JSON values (or text lines) of the file, one at a time."""
    with path.open(encoding="utf-8", errors="replace") as file:
        first = file.readline()
        try:
            json.loads(first)
            lines_mode = True
        except ValueError:
            lines_mode = not first.lstrip().startswith(("{", "["))
        if not lines_mode:  # one JSON document: {"events": [...]} or a list
            file.seek(0)
            try:
                document = json.load(file)
            except ValueError:
                document = None
            if document is not None:
                yield from document.get("events", []) if isinstance(document, dict) else document
                return
            file.seek(0)
            first = file.readline()
        for text in _chain([first], file):
            stripped = text.strip()
            if not stripped:
                continue
            try:
                value = json.loads(stripped)
            except ValueError:
                yield stripped
                continue
            if isinstance(value, dict) and isinstance(value.get("events"), list) and "message" not in value:
                yield from value["events"]  # a whole ``aws logs filter-log-events`` answer on one line
            else:
                yield value


def _chain(head: list[str], rest: Iterable[str]) -> Iterator[str]:
    yield from head
    yield from rest


def _record_of(
    entry: Any, annotators: dict[str, Annotator], stamp: int | None = None
) -> dict[str, Any] | None:
    if isinstance(entry, str):
        return {
            "timestamp": stamp,
            "level": "INFO",
            "state": None,
            "attempt": None,
            "source": "task",
            "message": entry,
        }
    if not isinstance(entry, dict):
        return None
    if {"execution_arn", "type", "id", "event_timestamp"} <= entry.keys():
        return _engine_from_line(entry, annotators)
    if entry.get("source") == "task" and "message" in entry:
        return dict(entry)
    message = entry.get("message")
    if isinstance(message, str) and (
        "ingestionTime" in entry or "logStreamName" in entry or "eventId" in entry
    ):
        inner_stamp = entry.get("timestamp") if isinstance(entry.get("timestamp"), int) else stamp
        try:
            inner = json.loads(message)
        except ValueError:
            inner = message.rstrip("\n")
        return _record_of(inner if isinstance(inner, dict | str) else message, annotators, inner_stamp)
    level = entry.get("level", entry.get("levelname", "INFO"))
    text = message if isinstance(message, str) else json.dumps(entry, ensure_ascii=False)
    fields = {k: v for k, v in entry.items() if k not in ("message", "level", "levelname")}
    record: dict[str, Any] = {
        "timestamp": _stamp(entry.get("timestamp"), stamp),
        "level": str(level).upper(),
        "state": None,
        "attempt": None,
        "source": "task",
        "message": text,
    }
    if fields:
        record["fields"] = fields
    return record


def _stamp(value: Any, default: int | None) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        if len(text) >= 5 and text[-5] in "+-" and text[-3] != ":":  # +0000 → +00:00
            text = f"{text[:-2]}:{text[-2:]}"
        try:
            return _ms(datetime.fromisoformat(text))
        except ValueError:
            return default
    return default


def _engine_from_line(line: dict[str, Any], annotators: dict[str, Annotator]) -> dict[str, Any] | None:
    try:
        event_id, previous = int(line["id"]), int(line.get("previous_event_id") or 0)
        stamp = int(line["event_timestamp"])
    except (TypeError, ValueError):
        return None
    found = line.get("details")
    details: dict[str, Any] = found if isinstance(found, dict) else {}
    annotator = annotators.setdefault(str(line["execution_arn"]), Annotator())
    note = annotator.note(event_id, previous, str(line["type"]), stamp, details)
    return engine_record(dict(line), note)
