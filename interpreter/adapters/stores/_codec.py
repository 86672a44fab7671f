"""Helpers shared by the store adapters: times, JSON, page tokens, sort keys and event checks.

Every store keeps datetimes as UTC epoch milliseconds (``to_ms``/``from_ms``), so what comes back
is timezone-aware UTC truncated to the millisecond whatever the backend. Naive datetimes are read
as UTC. Page tokens are opaque url-safe base64 of a small JSON value.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from .base import ActivityItem, ExecutionItem, StateMachineItem, StoreError, log_level_rank

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
# Executions list newest first: their sort key is this minus the start time in milliseconds.
_FAR_FUTURE_MS = 10**15


def dumps(value: Any) -> str:
    """Compact JSON text (non-ASCII kept as is)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


loads = json.loads


def to_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // _MS


def from_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def opt_ms(moment: datetime | None) -> int | None:
    return None if moment is None else to_ms(moment)


def opt_dt(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


def ms_precision(moment: datetime | None) -> datetime | None:
    """``moment`` as the stores return it: UTC, truncated to the millisecond."""
    return None if moment is None else from_ms(to_ms(moment))


def newest_first_key(start: datetime) -> int:
    """An ascending sort key that orders start times newest first."""
    return _FAR_FUTURE_MS - to_ms(start)


def newest_first_ms(key: int) -> int:
    """The start time, in epoch milliseconds, that ``newest_first_key`` turned into ``key``."""
    return _FAR_FUTURE_MS - key


def encode_token(value: Any) -> str:
    return base64.urlsafe_b64encode(dumps(value).encode()).decode().rstrip("=")


def decode_token(token: str) -> Any:
    try:
        padded = token + "=" * (-len(token) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise StoreError(f"Invalid next_token: {token!r}") from exc


def key_token(token: str | None) -> tuple[int | str, str] | None:
    """Decode a listing token made by ``encode_token([sort_key, arn])``."""
    if token is None:
        return None
    value = decode_token(token)
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], str)):
        raise StoreError(f"Invalid next_token: {token!r}")
    return value[0], value[1]


def first_event_id(events: list[dict[str, Any]]) -> int | None:
    """The id of the first of ``events`` (None when empty), checking the ids are consecutive."""
    if not events:
        return None
    first = events[0].get("id")
    if not isinstance(first, int) or isinstance(first, bool):
        raise StoreError(f"Event ids must be integers, got {first!r}")
    for offset, event in enumerate(events):
        if event.get("id") != first + offset:
            raise StoreError(
                f"Event ids must be consecutive: expected id {first + offset}, got {event.get('id')!r}"
            )
    return first


def check_event_ids(events: list[dict[str, Any]], stored_count: int) -> None:
    """The events of a write must carry ids ``stored_count + 1``, ``+ 2``, ... in order."""
    first = first_event_id(events)
    if first is not None and first != stored_count + 1:
        raise StoreError(
            f"Event ids must continue the stored history: expected id {stored_count + 1}, got {first} "
            f"(the execution holds {stored_count} events)"
        )


def select_events(
    events: list[dict[str, Any]], *, after: int, limit: int | None, reverse: bool
) -> list[dict[str, Any]]:
    """Apply ``get_events``'s after/limit/reverse to events in ascending id order."""
    if reverse:
        chosen = [e for e in reversed(events) if after <= 0 or e["id"] < after]
    else:
        chosen = [e for e in events if e["id"] > after]
    return chosen if limit is None else chosen[:limit]


# ---------------------------------------------------------------- item <-> plain dict
def machine_to_doc(item: StateMachineItem) -> dict[str, Any]:
    return {
        "arn": item.arn,
        "name": item.name,
        "definition": item.definition,
        "role_arn": item.role_arn,
        "type": item.type,
        "creation_date": to_ms(item.creation_date),
        "update_date": opt_ms(item.update_date),
        "revision_id": item.revision_id,
        "status": item.status,
        "description": item.description,
        "logging_configuration": item.logging_configuration,
        "tracing_configuration": item.tracing_configuration,
        "tags": item.tags,
    }


def machine_from_doc(doc: dict[str, Any]) -> StateMachineItem:
    return StateMachineItem(
        **{
            **doc,
            "creation_date": from_ms(doc["creation_date"]),
            "update_date": opt_dt(doc["update_date"]),
        }
    )


def activity_to_doc(item: ActivityItem) -> dict[str, Any]:
    return {
        "arn": item.arn,
        "name": item.name,
        "creation_date": to_ms(item.creation_date),
        "tags": item.tags,
    }


def activity_from_doc(doc: dict[str, Any]) -> ActivityItem:
    return ActivityItem(**{**doc, "creation_date": from_ms(doc["creation_date"])})


def stored_execution(
    item: ExecutionItem, *, version: int, event_count: int, state: dict[str, Any] | None
) -> ExecutionItem:
    """``item`` as a store holds it: datetimes at millisecond precision, the given version, event
    count and state (one ``replace``: commits are hot)."""
    return replace(
        item,
        start_date=from_ms(to_ms(item.start_date)),
        stop_date=ms_precision(item.stop_date),
        redrive_date=ms_precision(item.redrive_date),
        lease_until=ms_precision(item.lease_until),
        version=version,
        event_count=event_count,
        state=state,
    )


# ---------------------------------------------------------------- log records
def log_row(record: dict[str, Any]) -> tuple[str, int, str | None]:
    """A log record as stored: (its JSON text without ``seq``, level rank, state name or None)."""
    if not isinstance(record, dict):
        raise StoreError(f"A log record must be an object, got {type(record).__name__}")
    body = {k: v for k, v in record.items() if k != "seq"}
    state = body.get("state")
    return dumps(body), log_level_rank(body.get("level")), state if isinstance(state, str) else None


def log_record(seq: int, text: str) -> dict[str, Any]:
    """A stored log record read back: ``seq`` first, then the fields as appended."""
    return {"seq": seq, **loads(text)}
