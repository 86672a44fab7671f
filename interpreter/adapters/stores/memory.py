"""``MemoryStore``: the execution store in process memory (tests, the virtual-clock runner).

Everything mutable is kept as JSON text (state machines, activities, execution state, events), so
callers never share objects with the store, and what goes in must be JSON-able exactly as it must
for the SQLite and DynamoDB stores. One lock makes every operation atomic across threads.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from ._codec import (
    activity_from_doc,
    activity_to_doc,
    check_event_ids,
    dumps,
    encode_token,
    key_token,
    loads,
    log_record,
    log_row,
    machine_from_doc,
    machine_to_doc,
    newest_first_key,
    stored_execution,
    to_ms,
)
from .base import (
    ActivityItem,
    AlreadyExists,
    ExecutionItem,
    NotFound,
    Page,
    StaleVersion,
    StateMachineItem,
    log_level_rank,
)


def _page(keyed: list[tuple[tuple[int, str], Any]], limit: int, next_token: str | None) -> Page:
    """One page of ``keyed`` ((sort key, arn), item) pairs, after the token's position."""
    keyed.sort(key=lambda pair: pair[0])
    start = key_token(next_token)
    if start is not None:
        keyed = [pair for pair in keyed if pair[0] > start]
    chosen = keyed[: max(limit, 0)]
    more = len(keyed) > len(chosen) and chosen
    return Page(
        items=[item for _, item in chosen],
        next_token=encode_token(list(chosen[-1][0])) if more else None,
    )


class MemoryStore:
    """The store in dicts; a fresh one per test is cheap."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._machines: dict[str, str] = {}  # arn -> JSON of the current revision
        self._revisions: dict[tuple[str, str], str] = {}  # (arn, revision id) -> JSON
        self._activities: dict[str, str] = {}
        self._executions: dict[str, tuple[ExecutionItem, str | None]] = {}  # (item sans state, state)
        self._events: dict[str, list[str]] = {}
        # arn -> log records in seq order (seq n at index n - 1): (level rank, state, JSON text)
        self._logs: dict[str, list[tuple[int, str | None, str]]] = {}
        self._writes = 0

    @property
    def writes(self) -> int:
        return self._writes

    # ------------------------------------------------------------ state machines
    def create_state_machine(self, item: StateMachineItem) -> None:
        text = dumps(machine_to_doc(item))
        with self._lock:
            self._writes += 1
            if item.arn in self._machines:
                raise AlreadyExists(f"State machine already exists: {item.arn}")
            self._machines[item.arn] = text
            self._revisions[(item.arn, item.revision_id)] = text

    def update_state_machine(self, item: StateMachineItem, *, expected_revision: str) -> None:
        text = dumps(machine_to_doc(item))
        with self._lock:
            self._writes += 1
            current = self._machines.get(item.arn)
            if current is None:
                raise NotFound(f"State machine does not exist: {item.arn}")
            if loads(current)["revision_id"] != expected_revision:
                raise StaleVersion(f"State machine {item.arn} is not at revision {expected_revision}")
            if (item.arn, item.revision_id) in self._revisions:
                raise AlreadyExists(f"Revision {item.revision_id} of {item.arn} is already stored")
            self._machines[item.arn] = text
            self._revisions[(item.arn, item.revision_id)] = text

    def get_state_machine(self, arn: str, revision_id: str | None = None) -> StateMachineItem | None:
        with self._lock:
            if revision_id is None:
                text = self._machines.get(arn)
            else:
                text = self._revisions.get((arn, revision_id))
        return None if text is None else machine_from_doc(loads(text))

    def list_state_machines(self, *, limit: int = 100, next_token: str | None = None) -> Page:
        with self._lock:
            texts = list(self._machines.values())
        items = [machine_from_doc(loads(text)) for text in texts]
        return _page([((to_ms(m.creation_date), m.arn), m) for m in items], limit, next_token)

    def delete_state_machine(self, arn: str) -> None:
        with self._lock:
            self._writes += 1
            self._machines.pop(arn, None)

    # ------------------------------------------------------------ activities
    def create_activity(self, item: ActivityItem) -> None:
        text = dumps(activity_to_doc(item))
        with self._lock:
            self._writes += 1
            if item.arn in self._activities:
                raise AlreadyExists(f"Activity already exists: {item.arn}")
            self._activities[item.arn] = text

    def get_activity(self, arn: str) -> ActivityItem | None:
        with self._lock:
            text = self._activities.get(arn)
        return None if text is None else activity_from_doc(loads(text))

    def list_activities(self, *, limit: int = 100, next_token: str | None = None) -> Page:
        with self._lock:
            texts = list(self._activities.values())
        items = [activity_from_doc(loads(text)) for text in texts]
        return _page([((to_ms(a.creation_date), a.arn), a) for a in items], limit, next_token)

    def delete_activity(self, arn: str) -> None:
        with self._lock:
            self._writes += 1
            self._activities.pop(arn, None)

    def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        tags_copy = dict(tags)
        with self._lock:
            self._writes += 1
            for table in (self._machines, self._activities):
                if arn in table:
                    doc = loads(table[arn])
                    doc["tags"] = tags_copy
                    table[arn] = dumps(doc)
                    return
            raise NotFound(f"Resource not found: {arn}")

    # ------------------------------------------------------------ executions
    def create_execution(self, item: ExecutionItem, events: list[dict[str, Any]]) -> ExecutionItem:
        check_event_ids(events, 0)
        state_text = None if item.state is None else dumps(item.state)
        event_texts = [dumps(event) for event in events]
        stored = stored_execution(item, version=1, event_count=len(events), state=None)
        with self._lock:
            self._writes += 1
            if item.arn in self._executions:
                raise AlreadyExists(f"Execution already exists: {item.arn}")
            self._executions[item.arn] = (stored, state_text)
            self._events[item.arn] = event_texts
        return replace(stored, state=None if state_text is None else loads(state_text))

    def get_execution(self, arn: str) -> ExecutionItem | None:
        with self._lock:
            found = self._executions.get(arn)
        if found is None:
            return None
        stored, state_text = found
        return replace(stored, state=None if state_text is None else loads(state_text))

    def commit(
        self, item: ExecutionItem, *, expected_version: int, events: list[dict[str, Any]]
    ) -> ExecutionItem:
        state_text = None if item.state is None else dumps(item.state)
        event_texts = [dumps(event) for event in events]
        with self._lock:
            self._writes += 1
            found = self._executions.get(item.arn)
            if found is None:
                raise NotFound(f"Execution does not exist: {item.arn}")
            current = found[0]
            if current.version != expected_version:
                raise StaleVersion(
                    f"Execution {item.arn} is at version {current.version}, not {expected_version}"
                )
            check_event_ids(events, current.event_count)
            stored = stored_execution(
                item,
                version=expected_version + 1,
                event_count=current.event_count + len(events),
                state=None,
            )
            self._executions[item.arn] = (stored, state_text)
            self._events[item.arn].extend(event_texts)
        return replace(stored, state=None if state_text is None else loads(state_text))

    def list_executions(
        self,
        *,
        machine_arn: str | None = None,
        status: str | None = None,
        limit: int = 100,
        next_token: str | None = None,
    ) -> Page:
        with self._lock:
            items = [stored for stored, _ in self._executions.values()]
        keyed = [
            ((newest_first_key(e.start_date), e.arn), e)
            for e in items
            if machine_arn in (None, e.machine_arn) and status in (None, e.status)
        ]
        return _page(keyed, limit, next_token)

    def unfinished_executions(self) -> list[str]:
        with self._lock:
            return [arn for arn, (stored, _) in self._executions.items() if stored.status == "RUNNING"]

    def get_events(
        self, arn: str, *, after: int = 0, limit: int | None = None, reverse: bool = False
    ) -> list[dict[str, Any]]:
        # Event ids are 1, 2, 3, ... (commits check it), so event id ``n`` is at index ``n - 1``.
        with self._lock:
            texts = self._events.get(arn, [])
            if reverse:
                chosen = texts[: after - 1 if after > 0 else len(texts)][::-1]
            else:
                chosen = texts[max(after, 0) :]
            if limit is not None:
                chosen = chosen[:limit]
        return [loads(text) for text in chosen]

    # ------------------------------------------------------------ logs
    def append_logs(self, arn: str, records: list[dict[str, Any]]) -> int:
        rows = [log_row(record) for record in records]
        with self._lock:
            kept = self._logs.setdefault(arn, [])
            kept.extend((rank, state, text) for text, rank, state in rows)
            return len(kept) if rows else 0

    def get_logs(
        self,
        arn: str,
        *,
        after: int = 0,
        limit: int | None = None,
        state: str | None = None,
        level: str | None = None,
    ) -> list[dict[str, Any]]:
        wanted = None if limit is None else max(limit, 0)
        rank = log_level_rank(level)
        chosen: list[tuple[int, str]] = []
        with self._lock:
            kept = self._logs.get(arn, [])
            for index in range(max(after, 0), len(kept)):
                if wanted is not None and len(chosen) >= wanted:
                    break
                row_rank, row_state, text = kept[index]
                if row_rank >= rank and state in (None, row_state):
                    chosen.append((index + 1, text))
        return [log_record(seq, text) for seq, text in chosen]
