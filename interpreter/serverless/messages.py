"""Work messages: the JSON bodies on the SQS work queue, and their strict parsing.

Three kinds, each naming one execution (``arn``) and carrying format version ``v`` = 1:

* ``{"v":1,"kind":"task","arn":...,"token":...,"state":"Charge","attempt":0}``: perform the
  execution's pending task ``token`` (``state`` and ``attempt`` are for logs only). A task with
  ``TimeoutSeconds`` carries its timeout timer, ``"timeout":{"token":...,"due":<epoch ms>}``: the
  worker that runs the task enforces it, so the timer needs no message of its own.
* ``{"v":1,"kind":"timer","arn":...,"token":...,"due":<epoch ms>}``: the timer ``token`` is due
  at ``due`` (a Wait, a retry back-off, a TimeoutSeconds / HeartbeatSeconds limit).
* ``{"v":1,"kind":"message","arn":...,"message":{"type":"TaskDone",...}}`` (optionally with
  ``due``): an input for the core delivered out of band (a nested child's outcome, a
  StopExecution of an orphaned child, a callback sent from a task).

Parsing is strict: anything else raises ``MalformedWork`` naming what is wrong, so a poison body
is reported once with context and left to the queue's redrive policy (DLQ), never guessed at.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..runtime.effects import Heartbeat, StopExecution, TaskDone, TaskSubmitted, TimerFired
from ..runtime.jsontext import dumps_compact

VERSION = 1
# Bodies are kept well under SQS's 256 KiB message limit (the attributes count too).
MAX_BODY_BYTES = 250 * 1024

Message = TaskDone | TimerFired | StopExecution | Heartbeat


class MalformedWork(ValueError):
    """A queue body that is not a work message this worker understands."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeout:
    token: str
    due_ms: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskWork:
    arn: str
    token: str
    state: str | None = None
    attempt: int | None = None
    timeout: Timeout | None = None  # the task's TimeoutSeconds timer, enforced by the worker


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerWork:
    arn: str
    token: str
    due_ms: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageWork:
    arn: str
    message: Message
    due_ms: int | None = None


Work = TaskWork | TimerWork | MessageWork


# ------------------------------------------------------------------ encoding
def encode(work: Work) -> str:
    """The compact JSON body of ``work``."""
    body: dict[str, Any] = {"v": VERSION}
    if isinstance(work, TaskWork):
        body.update(kind="task", arn=work.arn, token=work.token)
        if work.state is not None:
            body["state"] = work.state
        if work.attempt is not None:
            body["attempt"] = work.attempt
        if work.timeout is not None:
            body["timeout"] = {"token": work.timeout.token, "due": work.timeout.due_ms}
    elif isinstance(work, TimerWork):
        body.update(kind="timer", arn=work.arn, token=work.token, due=work.due_ms)
    else:
        body.update(kind="message", arn=work.arn, message=message_to_data(work.message))
        if work.due_ms is not None:
            body["due"] = work.due_ms
    return dumps_compact(body)


def message_to_data(message: Message) -> dict[str, Any]:
    if isinstance(message, TaskSubmitted):
        data = _task_done(message, "TaskSubmitted")
        data.update(submitted=message.submitted, pending=message.pending)
        return data
    if isinstance(message, TaskDone):
        if type(message) is not TaskDone:
            raise TypeError(f"{type(message).__name__} is not sent through the work queue")
        return _task_done(message, "TaskDone")
    if isinstance(message, TimerFired):
        return {"type": "TimerFired", "token": message.token}
    if isinstance(message, Heartbeat):
        return {"type": "Heartbeat", "token": message.token}
    if isinstance(message, StopExecution):
        return {"type": "StopExecution", "error": message.error, "cause": message.cause}
    raise TypeError(f"not a core message: {type(message).__name__}")


def _task_done(message: TaskDone, kind: str) -> dict[str, Any]:
    data: dict[str, Any] = {"type": kind, "token": message.token, "ok": message.ok}
    if message.ok:
        data["output"] = message.output
    else:
        data.update(error=message.error, cause=message.cause)
    return data


# ------------------------------------------------------------------ parsing
_FIELDS = {
    "task": ({"v", "kind", "arn", "token"}, {"state", "attempt", "timeout"}),
    "timer": ({"v", "kind", "arn", "token", "due"}, set()),
    "message": ({"v", "kind", "arn", "message"}, {"due"}),
}


def parse(body: str | bytes) -> Work:
    """The work message in ``body``; ``MalformedWork`` saying what is wrong otherwise."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise MalformedWork(f"the body is not JSON: {err}") from None
    if not isinstance(data, dict):
        raise MalformedWork(f"the body must be a JSON object, got {type(data).__name__}")
    if data.get("v") != VERSION:
        raise MalformedWork(f"/v: unsupported work message version {data.get('v')!r} (expected {VERSION})")
    kind = data.get("kind")
    if kind not in _FIELDS:
        raise MalformedWork(f"/kind: must be one of task, timer, message; got {kind!r}")
    required, optional = _FIELDS[kind]
    missing = sorted(required - data.keys())
    if missing:
        raise MalformedWork(f"/{missing[0]}: missing from a {kind} message")
    unknown = sorted(data.keys() - required - optional)
    if unknown:
        raise MalformedWork(f"/{unknown[0]}: not a field of a {kind} message")
    arn = _string(data, "arn")
    if not arn.startswith("arn:") or (":execution:" not in arn and ":express:" not in arn):
        raise MalformedWork(f"/arn: not an execution ARN: {arn!r}")
    if kind == "task":
        state = data.get("state")
        if state is not None and not isinstance(state, str):
            raise MalformedWork("/state: must be a string")
        attempt = data.get("attempt")
        if attempt is not None and not _is_int(attempt):
            raise MalformedWork("/attempt: must be an integer")
        timeout = data.get("timeout")
        if timeout is not None:
            if not isinstance(timeout, dict) or set(timeout) != {"token", "due"}:
                raise MalformedWork('/timeout: must be {"token": ..., "due": ...}')
            timeout = Timeout(token=_string(timeout, "token", "/timeout/token"), due_ms=_due(timeout["due"]))
        return TaskWork(arn=arn, token=_string(data, "token"), state=state, attempt=attempt, timeout=timeout)
    if kind == "timer":
        return TimerWork(arn=arn, token=_string(data, "token"), due_ms=_due(data["due"]))
    due = data.get("due")
    return MessageWork(
        arn=arn, message=message_from_data(data["message"]), due_ms=None if due is None else _due(due)
    )


def message_from_data(data: Any) -> Message:
    if not isinstance(data, dict):
        raise MalformedWork("/message: must be a JSON object")
    kind = data.get("type")
    if kind in ("TaskDone", "TaskSubmitted"):
        token = _string(data, "token", "/message/token")
        ok = data.get("ok")
        if not isinstance(ok, bool):
            raise MalformedWork("/message/ok: must be true or false")
        error, cause = _optional(data, "error"), _optional(data, "cause")
        if kind == "TaskDone":
            return TaskDone(token=token, ok=ok, output=data.get("output"), error=error, cause=cause)
        pending = data.get("pending", False)
        if not isinstance(pending, bool):
            raise MalformedWork("/message/pending: must be true or false")
        return TaskSubmitted(
            token=token,
            ok=ok,
            output=data.get("output"),
            error=error,
            cause=cause,
            submitted=data.get("submitted"),
            pending=pending,
        )
    if kind == "TimerFired":
        return TimerFired(token=_string(data, "token", "/message/token"))
    if kind == "Heartbeat":
        return Heartbeat(token=_string(data, "token", "/message/token"))
    if kind == "StopExecution":
        return StopExecution(error=_optional(data, "error"), cause=_optional(data, "cause"))
    raise MalformedWork(f"/message/type: unknown message type {kind!r}")


def _string(data: dict[str, Any], key: str, where: str | None = None) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedWork(f"{where or '/' + key}: must be a non-empty string")
    return value


def _optional(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise MalformedWork(f"/message/{key}: must be a string or null")
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _due(value: Any) -> int:
    if not _is_int(value) or value < 0:
        raise MalformedWork("/due: must be epoch milliseconds (a non-negative integer)")
    return int(value)
