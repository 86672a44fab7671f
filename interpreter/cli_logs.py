"""The CLI's reading side: ``stepfn logs``, the ``stepfn history`` table, run progress, colours.

    stepfn logs EXECUTION [--state S] [--level L] [--source task|engine] [--follow] [--json]
    stepfn logs --file EXPORTED.jsonl [EXECUTION] [--state S] [--level L] [--json]
    stepfn history EXECUTION            a table: id, time, +prev, elapsed, event, state, retry, error

Colours only when the output is a terminal and ``NO_COLOR`` is unset (rich decides the rest);
text from definitions, inputs and logs is printed as text: control characters (terminal escape
sequences, bidirectional overrides) are shown escaped, never sent to the terminal.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from .durable.logs import Annotator, ExecutionLogs, api_details, export_line, read_log_file
from .errors import InputError

# C0/C1 controls (but tab and newline, handled by the callers), DEL, zero-width and bidi controls
_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
_LEVEL_STYLES = {
    "DEBUG": "dim",
    "TRACE": "dim",
    "WARNING": "yellow",
    "WARN": "yellow",
    "ERROR": "red",
    "CRITICAL": "bold red",
    "FATAL": "bold red",
}


def safe(text: Any) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\u202e``)."""
    return _UNSAFE.sub(_escape, str(text))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def cell(text: Any) -> str:
    """``safe`` on one line: tabs and line breaks escaped too (table cells)."""
    return safe(text).replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")


def wants_colour(file: Any) -> bool:
    isatty = getattr(file, "isatty", None)
    try:
        tty = bool(isatty()) if isatty is not None else False
    except (ValueError, OSError):
        tty = False
    return tty and os.environ.get("NO_COLOR", "") == ""


class Painter:
    """Writes lines of (text, style) parts: styled through rich on a terminal, plain otherwise."""

    def __init__(self, file: Any = None) -> None:
        self.file = file if file is not None else sys.stdout
        self.colour = wants_colour(self.file)
        self._console: Any = None
        if self.colour:
            from rich.console import Console

            self._console = Console(
                file=self.file,
                force_terminal=True,
                highlight=False,
                markup=False,
                emoji=False,
                soft_wrap=True,
            )

    def line(self, *parts: tuple[str, str | None]) -> None:
        if self._console is None:
            self.file.write("".join(text for text, _ in parts).rstrip(" ") + "\n")
            return
        from rich.text import Text

        self._console.print(Text.assemble(*[(text, style or "") for text, style in parts]))

    def flush(self) -> None:
        flush = getattr(self.file, "flush", None)
        if flush is not None:
            flush()


def fit(text: str, width: int) -> str:
    """``text`` padded or cut (with …) to ``width`` terminal cells (wide characters count two)."""
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.3f}s"
    whole = int(seconds)
    if whole < 3600:
        return f"{whole // 60}m{seconds - whole // 60 * 60:04.1f}s"
    if whole < 86400:
        return f"{whole // 3600}h{whole % 3600 // 60:02d}m{whole % 60:02d}s"
    return f"{whole // 86400}d{whole % 86400 // 3600:02d}h{whole % 3600 // 60:02d}m"


def _clock(ms: int | None) -> tuple[str, str]:
    """(date, time of day) in UTC of epoch ``ms``."""
    if ms is None:
        return "", "--:--:--.---"
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S.") + f"{ms % 1000:03d}"


def _event_style(event_type: str) -> str:
    if event_type.endswith(("Failed", "TimedOut", "Aborted")):
        return "red"
    if event_type.endswith("Succeeded"):
        return "green"
    if event_type.endswith(("Retry", "Redriven")) or event_type == "ExecutionRedriven":
        return "yellow"
    return "cyan"


# ---------------------------------------------------------------------------- stepfn logs
def add_logs_command(sub: Any, add_store_option: Callable[[argparse.ArgumentParser], None]) -> None:
    lg = sub.add_parser(
        "logs",
        help="an execution's logs: what its tasks wrote, and its events as Step Functions logs them",
    )
    lg.add_argument("execution", nargs="?", help="execution ARN, or its name (optional with --file)")
    lg.add_argument("--state", help="only lines of this state (exact name)")
    lg.add_argument(
        "--level",
        type=str.upper,
        choices=["ALL", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "FATAL"],
        help="only lines at this level or above (engine lines: ERROR and FATAL as Step Functions ranks them)",
    )
    lg.add_argument("--source", choices=["task", "engine"], help="only task lines, or only engine lines")
    lg.add_argument("--follow", "-f", action="store_true", help="print new lines until the execution ends")
    lg.add_argument("--json", action="store_true", help="JSON lines: engine lines in CloudWatch's shape")
    lg.add_argument(
        "--file",
        "--log-file",
        dest="file",
        metavar="FILE",
        help="read exported log lines (CloudWatch Logs export, `stepfn logs --json`), not the store",
    )
    lg.add_argument(
        "--no-execution-data",
        action="store_true",
        help="leave inputs and outputs out of engine lines (includeExecutionData: false)",
    )
    lg.add_argument("--interval", type=float, default=1.0, help="--follow: seconds between reads (default 1)")
    add_store_option(lg)


@contextmanager
def closed_pipe_ok() -> Iterator[None]:
    """``stepfn logs ... | head``: a reader that stops early ends the output quietly."""
    try:
        yield
    except BrokenPipeError:
        with suppress(OSError, ValueError, AttributeError):  # the exit flush goes nowhere
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def cmd_logs(args: argparse.Namespace, *, out: Any = None, wait: Callable[[], None] | None = None) -> int:
    """``stepfn logs``. ``out``: where to print (default stdout); ``wait``: how ``--follow`` waits
    between reads (default: ``--interval`` seconds)."""
    with closed_pipe_ok():
        _cmd_logs(args, out, wait)
    return 0


def _cmd_logs(args: argparse.Namespace, out: Any, wait: Callable[[], None] | None) -> None:
    painter = Painter(out)
    level = None if args.level in (None, "ALL") else args.level
    if args.file:
        if args.follow:
            raise InputError("--follow reads the store: not with --file")
        try:
            records: Iterable[dict[str, Any]] = read_log_file(
                args.file, execution=args.execution, state=args.state, level=level, source=args.source
            )
            _print_records(painter, records, json_lines=args.json, arn=None)
        except BrokenPipeError:
            raise
        except OSError as err:
            raise InputError(f"--file {args.file}: cannot read: {err.strerror}") from None
        return
    if not args.execution:
        raise InputError("logs: give an EXECUTION (ARN or name), or --file FILE")
    from .cli_store import make_service, resolve_execution

    service = make_service(args)
    arn = resolve_execution(service, args.execution)
    service.describe_execution({"executionArn": arn})  # ExecutionDoesNotExist, as the API says it
    logs = ExecutionLogs(
        service.store,
        arn,
        state=args.state,
        level=level,
        source=args.source,
        include_execution_data=not args.no_execution_data,
    )
    printer = _RecordPrinter(painter, json_lines=args.json, arn=arn)
    for record in logs:
        printer.print(record)
    if args.follow:
        interval = max(args.interval, 0.01)
        pause = wait or (lambda: time.sleep(interval))
        while True:
            item = service.store.get_execution(arn)
            done = item is None or item.status != "RUNNING"
            for record in logs.poll():
                printer.print(record)
            painter.flush()
            if done:
                break
            pause()


def _print_records(
    painter: Painter, records: Iterable[dict[str, Any]], *, json_lines: bool, arn: str | None
) -> None:
    printer = _RecordPrinter(painter, json_lines=json_lines, arn=arn)
    for record in records:
        printer.print(record)


class _RecordPrinter:
    def __init__(self, painter: Painter, *, json_lines: bool, arn: str | None) -> None:
        self.painter = painter
        self.json_lines = json_lines
        self.arn = arn
        self._date = ""

    def print(self, record: dict[str, Any]) -> None:
        if self.json_lines:
            line = json.dumps(export_line(record, self.arn), ensure_ascii=False, default=str)
            self.painter.file.write(line + "\n")
            return
        day, clock = _clock(record.get("timestamp") if isinstance(record.get("timestamp"), int) else None)
        if day and day != self._date:
            self._date = day
            self.painter.line((f"-- {day} (UTC) --", "dim"))
        level = str(record.get("level") or "INFO").upper()
        state = record.get("state")
        attempt = record.get("attempt")
        where = ""
        if state is not None:
            where = cell(state) + (f" retry {attempt}" if isinstance(attempt, int) and attempt > 0 else "")
        head: list[tuple[str, str | None]] = [
            (clock + " ", "dim"),
            (f"{level:<8} ", _LEVEL_STYLES.get(level)),
        ]
        if where:
            head.append((f"[{where}] ", "magenta"))
        if record.get("source") == "engine":
            event = record.get("event") or {}
            details = event.get("details") or {}
            event_type = cell(event.get("type", record.get("message", "")))
            parts = [*head, (f"#{cell(event.get('id', ''))} ", "dim"), (event_type, _event_style(event_type))]
            if details.get("error") or details.get("cause"):
                error, cause = cell(details.get("error") or ""), cell(details.get("cause") or "")
                parts.append((f"  {error}: {fit(cause, 160).rstrip()}", "red"))
            self.painter.line(*parts)
            return
        lines = safe(record.get("message", "")).replace("\r", "\\r").split("\n")
        self.painter.line(*head, (lines[0], _LEVEL_STYLES.get(level)))
        indent = " " * (len(clock) + 1)
        for more in lines[1:]:
            self.painter.line((indent + more, _LEVEL_STYLES.get(level)))


# ---------------------------------------------------------------------------- stepfn history
_HISTORY_COLUMNS = (
    ("ID", 5),
    ("TIME", 12),
    ("+PREV", 9),
    ("ELAPSED", 10),
    ("EVENT", 28),
    ("STATE", 30),
    ("RETRY", 5),
)


def history_rows(events: Iterable[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], Any]]:
    """(event, EventNote) for events in id order (GetExecutionHistory's shape)."""
    annotator = Annotator()
    for event in events:
        yield event, annotator.note_api(event)


def print_history(events: Iterable[dict[str, Any]], *, reverse: bool = False, out: Any = None) -> None:
    """The history as a table, one row an event; ``events`` in id order (GetExecutionHistory's
    shape, paged lazily), printed as they come (all at once, newest first, with ``reverse``)."""
    with closed_pipe_ok():
        _print_history(events, reverse, Painter(out))


def _print_history(events: Iterable[dict[str, Any]], reverse: bool, painter: Painter) -> None:
    header = "  ".join(
        f"{name:>{width}}" if name == "ID" else fit(name, width) for name, width in _HISTORY_COLUMNS
    )
    painter.line((header + "  ERROR", "bold"))
    rows = history_rows(events)
    if reverse:
        rows = iter(list(rows)[::-1])
    last_day = ""
    for event, note in rows:
        stamp = event["timestamp"]
        moment = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
        day = moment.strftime("%Y-%m-%d")
        if day != last_day:
            last_day = day
            painter.line((f"-- {day} (UTC) --", "dim"))
        event_type = cell(event["type"])
        retry = str(note.attempt) if note.attempt else ""
        error = ""
        if note.error is not None or note.cause is not None:
            error = cell(note.error or "")
            if note.cause:
                error += ": " + fit(cell(note.cause), 100).rstrip()
        painter.line(
            (f"{event['id']:>5}  ", None),
            (moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}  ", "dim"),
            (f"{duration(note.since_previous):>9}  ", None),
            (f"{duration(note.since_start):>10}  ", "dim"),
            (fit(event_type, 28) + "  ", _event_style(event_type)),
            (fit(cell(note.state or ""), 30) + "  ", "magenta"),
            (f"{retry:>5}  ", "yellow"),
            (error, "red"),
        )


def api_history(service: Any, arn: str) -> Iterator[dict[str, Any]]:
    """GetExecutionHistory's events in id order, a page (1000) at a time."""
    token = None
    while True:
        request: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
        if token:
            request["nextToken"] = token
        page = service.get_execution_history(request)
        yield from page["events"]
        token = page.get("nextToken")
        if not token:
            return


# ---------------------------------------------------------------------------- stepfn executions
_SINCE = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>s|m|h|d|w)")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """``--since``: a duration ago (``30m``, ``2h``, ``1d12h``, ``1w``) or an ISO date/time (UTC
    unless it says otherwise)."""
    now = now or datetime.now(UTC)
    compact = text.strip().lower().replace(" ", "")
    if compact and _SINCE.sub("", compact) == "":
        seconds = sum(float(m["n"]) * _UNITS[m["unit"]] for m in _SINCE.finditer(compact))
        return now - timedelta(seconds=seconds)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"--since {text}: expected a duration (30m, 2h, 1d) or an ISO date/time (2024-05-01T12:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def filter_executions(rows: list[dict[str, Any]], args: argparse.Namespace) -> list[dict[str, Any]]:
    since = getattr(args, "since", None)
    if since:
        cutoff = parse_since(since)
        rows = [r for r in rows if _aware(r["startDate"]) >= cutoff]
    contains = getattr(args, "name_contains", None)
    if contains:
        rows = [r for r in rows if contains in r["name"]]
    return rows


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_STATUS_STYLES = {
    "SUCCEEDED": "green",
    "FAILED": "red",
    "TIMED_OUT": "red",
    "ABORTED": "yellow",
    "RUNNING": "cyan",
}


def print_executions(rows: list[dict[str, Any]], out: Any = None) -> None:
    painter = Painter(out)
    for e in rows:
        started = e["startDate"].isoformat(timespec="seconds")
        painter.line(
            (f"{e['status']:<10}", _STATUS_STYLES.get(e["status"])),
            (f" {started}  ", "dim"),
            (cell(e["executionArn"]), None),
        )


# ---------------------------------------------------------------------------- run progress
class ProgressCounter:
    """Counts what a running execution has done, from its history events as they are stored."""

    def __init__(self) -> None:
        self.after = 0
        self.states_done = 0
        self.items_total = 0
        self.items_done = 0
        self.retries = 0
        self.current: str | None = None
        self.started = time.monotonic()
        self._annotator = Annotator()

    def add(self, event: dict[str, Any]) -> None:
        """One event in GetExecutionHistory's shape."""
        event_type = event["type"]
        note = self._annotator.note_api(event)
        details = api_details(event)
        if event_type.endswith("StateExited"):
            self.states_done += 1
        elif event_type.endswith("StateEntered"):
            self.current = note.state
        elif event_type == "MapStateStarted":
            self.items_total += int(details.get("length") or 0)
        elif event_type in ("MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted"):
            self.items_done += 1
        if note.attempt and event_type in ("TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"):
            self.retries += 1

    def read(self, store: Any, arn: str) -> None:
        from .runtime import snapshot

        while True:
            page = store.get_events(arn, after=self.after, limit=1000)
            for data in page:
                self.after = data["id"]
                self.add(snapshot.event_from_data(data).to_api(True))
            if len(page) < 1000:
                return

    def text(self) -> str:
        parts = [f"{self.states_done} states done"]
        if self.items_total:
            parts.append(f"Map items {self.items_done}/{self.items_total}")
        if self.retries:
            parts.append(f"{self.retries} {'retry' if self.retries == 1 else 'retries'}")
        parts.append(duration(time.monotonic() - self.started))
        if self.current:
            parts.append(f"in {cell(self.current)}")
        return "running: " + " · ".join(parts)


@contextmanager
def run_progress(
    store: Any, arn: str, *, file: Any = None, interval: float = 0.25, enabled: bool | None = None
) -> Iterator[ProgressCounter | None]:
    """While the block runs, show on ``file`` (stderr) what the execution has done: states done,
    Map items done, retries. Only when ``file`` is a terminal (or ``enabled``); cleared at the end."""
    file = file if file is not None else sys.stderr
    if enabled is None:
        enabled = _isatty(file) and os.environ.get("STEPFN_PROGRESS", "") != "0"
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.live import Live
    from rich.text import Text

    counter = ProgressCounter()
    console = Console(file=file, highlight=False, markup=False, emoji=False)
    live = Live(
        Text(counter.text()),
        console=console,
        transient=True,
        auto_refresh=False,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            try:
                counter.read(store, arn)
            except Exception:  # a failed read only skips one refresh
                continue
            live.update(Text(counter.text(), style="cyan"), refresh=True)

    live.start()
    thread = threading.Thread(target=loop, name="stepfn-progress", daemon=True)
    thread.start()
    try:
        yield counter
    finally:
        stop.set()
        thread.join()
        live.stop()


def _isatty(file: Any) -> bool:
    try:
        return bool(file.isatty())
    except (AttributeError, ValueError, OSError):
        return False
