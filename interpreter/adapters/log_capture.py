"""Capture what a local Lambda handler writes, per invocation, while other tasks run beside it.

On AWS a function's ``print``, stderr, ``logging`` records and Powertools Logger JSON lines go to
CloudWatch Logs, one log stream per function instance. Locally many handlers run at once on the
engine's thread pool in one process, so ``capture_logs()`` routes by thread:

* ``sys.stdout`` and ``sys.stderr`` become routers (installed on first use, and again whenever
  someone replaced them since): a write from a thread with an active capture is kept by that
  capture (and, with ``echo``, still written through); other threads write through untouched.
  Logging ``StreamHandler``s created earlier on the real streams (Powertools' Logger makes one on
  ``sys.stdout`` when its module is imported) are pointed at the routers too.
* ``logging.Logger.callHandlers`` is wrapped: what the handlers of one record write is kept as one
  line at the record's level; a record that no handler wrote (no handler configured, as for the
  Lambda runtime's root logger) is kept from the record itself.

Each kept line is ``{"timestamp": epoch ms, "level", "message", "fields"?}``: ``fields`` holds a
JSON line's other keys (Powertools: ``location``, ``service``, ``cold_start``, ...) or a logging
record's logger name. Plain stdout lines are INFO, stderr lines ERROR, unless the line names its
level (``{"level": ...}`` JSON or the runtime's ``[LEVEL]`` prefix).

Not captured: threads the handler starts itself, and bytes written to ``sys.stdout.buffer`` or to
file descriptors directly (they still reach the terminal).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

MAX_LINES = 100_000  # lines kept per invocation; the rest are counted in one last WARNING line
MAX_MESSAGE = 256 * 1024  # characters of one line kept (CloudWatch Logs' event size limit)
_LEVEL_PREFIX = re.compile(r"\[(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\]\s*")
_STREAM_LEVEL = {"stdout": "INFO", "stderr": "ERROR"}

_local = threading.local()  # .capture: the thread's active Capture, or None
_install_lock = threading.Lock()


class _Router:
    """Stands in for ``sys.stdout``/``sys.stderr``: writes go to the writing thread's capture
    (if any, and through to ``target`` with echo) or straight to ``target``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.target: Any = None

    def write(self, text: str) -> int:
        capture: Capture | None = getattr(_local, "capture", None)
        if capture is not None:
            capture.write(self.name, text)
            if not capture.echo:
                return len(text)
        target = self.target
        return target.write(text) if target is not None else len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        target = self.target
        if target is not None:
            target.flush()

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, isatty, buffer, ...
        return getattr(self.target, name)


_ROUTERS = {"stdout": _Router("stdout"), "stderr": _Router("stderr")}
_original_call_handlers = logging.Logger.callHandlers
_scanned: tuple[int, ...] | None = None


def _call_handlers(self: logging.Logger, record: logging.LogRecord) -> None:
    capture: Capture | None = getattr(_local, "capture", None)
    if capture is None:
        _original_call_handlers(self, record)
        return
    capture.begin_record()
    try:
        _original_call_handlers(self, record)
    finally:
        capture.end_record(record)


def _install() -> None:
    """Put the routers in place (again, if someone replaced them) and the logging hook."""
    global _scanned
    with _install_lock:
        for name, router in _ROUTERS.items():
            current = getattr(sys, name)
            if current is not router:
                router.target = current
                setattr(sys, name, router)
        if logging.Logger.callHandlers is not _call_handlers:
            logging.Logger.callHandlers = _call_handlers  # type: ignore[method-assign]
        manager = logging.Logger.manager
        signature = (
            len(manager.loggerDict),
            len(logging.root.handlers),
            id(_ROUTERS["stdout"].target),
            id(_ROUTERS["stderr"].target),
        )
        if signature != _scanned:
            _scanned = signature
            _point_stream_handlers(manager)


def _point_stream_handlers(manager: Any) -> None:
    """Stream handlers writing to the real streams write to the routers instead."""
    swaps: dict[int, _Router] = {}
    for name, router in _ROUTERS.items():
        for stream in (router.target, getattr(sys, f"__{name}__", None)):
            if stream is not None:
                swaps[id(stream)] = router
    loggers = [logging.root] + [
        logger for logger in list(manager.loggerDict.values()) if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in list(logger.handlers):
            # only an instance attribute can be re-pointed (``lastResort`` reads sys.stderr itself)
            if isinstance(handler, logging.StreamHandler) and "stream" in vars(handler):
                found = swaps.get(id(handler.stream))
                if found is not None:
                    handler.stream = found


class Capture:
    """The lines one invocation wrote, in the order written."""

    def __init__(self, clock_ms: Callable[[], int], *, echo: bool = True) -> None:
        self.clock_ms = clock_ms
        self.echo = echo
        self.lines: list[dict[str, Any]] = []
        self.dropped = 0
        self._partial: dict[str, str] = {}
        self._records: list[list[str]] = []  # text written while each record is being handled

    # -------------------------------------------------------------- what arrives
    def write(self, stream: str, text: str) -> None:
        if self._records:  # a logging record's handlers are writing
            self._records[-1].append(text)
            return
        pending = self._partial.get(stream, "") + text
        *complete, rest = pending.split("\n")
        self._partial[stream] = rest
        for line in complete:
            self._line_from_text(line, _STREAM_LEVEL[stream])

    def begin_record(self) -> None:
        self._records.append([])

    def end_record(self, record: logging.LogRecord) -> None:
        written = "".join(self._records.pop()).rstrip("\n")
        level = record.levelname
        if written:
            self._line_from_text(written, level, logger=record.name, known_level=True)
            return
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            message = f"{message}\n{record.exc_text}"
        self.add(level, message, {"logger": record.name})

    def add(self, level: str, message: str, fields: dict[str, Any] | None = None) -> None:
        if len(self.lines) >= MAX_LINES:
            self.dropped += 1
            return
        if len(message) > MAX_MESSAGE:
            message = message[:MAX_MESSAGE] + " [truncated]"
        line: dict[str, Any] = {"timestamp": self.clock_ms(), "level": level, "message": message}
        if fields:
            line["fields"] = fields
        self.lines.append(line)

    def _line_from_text(
        self, text: str, level: str, *, logger: str | None = None, known_level: bool = False
    ) -> None:
        text = text.rstrip("\r")
        stripped = text.strip()
        if stripped.startswith("{") and stripped.endswith("}"):
            try:
                parsed = json.loads(stripped)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                named = parsed.get("level", parsed.get("levelname", parsed.get("log_level")))
                if isinstance(named, str) and named and not known_level:
                    level = named.upper()
                message = parsed.get("message", parsed.get("msg", stripped))
                fields = {k: v for k, v in parsed.items() if k not in ("message", "msg")}
                if logger is not None:
                    fields.setdefault("logger", logger)
                text_message = (
                    message if isinstance(message, str) else json.dumps(message, ensure_ascii=False)
                )
                self.add(level, text_message, fields)
                return
        match = _LEVEL_PREFIX.match(text)
        if match is not None and not known_level:
            level = match.group(1)
        self.add(level, text, {"logger": logger} if logger is not None else None)

    # -------------------------------------------------------------- the end
    def close(self) -> None:
        for stream, rest in self._partial.items():
            if rest:
                self._line_from_text(rest, _STREAM_LEVEL[stream])
        self._partial.clear()
        if self.dropped:
            dropped, self.dropped = self.dropped, 0
            self.lines.append(
                {
                    "timestamp": self.clock_ms(),
                    "level": "WARNING",
                    "message": f"stepfn: {dropped} more lines of this invocation were not kept "
                    f"(at most {MAX_LINES} are)",
                }
            )


@contextmanager
def capture_logs(clock_ms: Callable[[], int] | None = None, *, echo: bool = True) -> Iterator[Capture]:
    """Capture what this thread writes (stdout, stderr, logging) until the block ends.

    ``clock_ms`` stamps each line (epoch ms; the engine's clock, so virtual runs line up with
    their history); ``echo`` also writes stdout/stderr text through to the real streams."""
    capture = Capture(clock_ms or (lambda: int(time.time() * 1000)), echo=echo)
    _install()
    previous = getattr(_local, "capture", None)
    _local.capture = capture
    try:
        yield capture
    finally:
        _local.capture = previous
        capture.close()
