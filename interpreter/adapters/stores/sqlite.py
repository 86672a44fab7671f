"""``SqliteStore``: the embedded default store (``.stepfn/stepfn.db``).

One connection per store object, guarded by a lock, makes it safe for the threads of a process
(and lets ``":memory:"`` work). WAL journaling lets readers run while a writer commits, and every
write is one ``BEGIN IMMEDIATE`` transaction: it takes the database's write lock before reading
anything, so two processes doing compare-and-set on the same file serialize and only one of them
can see the expected version. ``synchronous=NORMAL`` keeps commits off fsync (a power cut may
lose the last commits, never corrupt the file); a busy timeout makes writers wait their turn.
The schema and SQL live in ``_sqlite_schema``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import _sqlite_schema as sql
from ._codec import (
    activity_from_doc,
    activity_to_doc,
    check_event_ids,
    dumps,
    encode_token,
    first_event_id,
    key_token,
    loads,
    log_record,
    log_row,
    machine_from_doc,
    machine_to_doc,
    newest_first_key,
    newest_first_ms,
    opt_ms,
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
    StoreError,
    log_level_rank,
)


class SqliteStore:
    """The store in one SQLite file; ``path`` may be ``":memory:"``."""

    def __init__(self, path: str | Path = ".stepfn/stepfn.db", *, busy_timeout_ms: int = 10_000) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._writes = 0
        try:
            self._conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=busy_timeout_ms / 1000
            )
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open the SQLite store {self.path}: {exc}") from exc

    def _migrate(self) -> None:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > sql.SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has schema version {version}; this stepfn knows up to "
                    f"{sql.SCHEMA_VERSION}: upgrade stepfn"
                )
            for step in sql.MIGRATIONS[version:]:
                for statement in step:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {sql.SCHEMA_VERSION}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @property
    def writes(self) -> int:
        return self._writes

    @contextmanager
    def _write(self, *, counted: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction (counted once unless not ``counted``), rolled back when the body
        raises."""
        with self._lock:
            self._writes += counted
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"SQLite store {self.path}: {exc}") from exc
            try:
                yield conn
            except BaseException as exc:
                conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(f"SQLite store {self.path}: {exc}") from exc
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                conn.execute("ROLLBACK")
                raise StoreError(f"SQLite store {self.path}: {exc}") from exc

    def _read(self, statement: str, params: tuple[Any, ...] | list[Any] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._conn.execute(statement, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"SQLite store {self.path}: {exc}") from exc

    # ------------------------------------------------------------ state machines
    def create_state_machine(self, item: StateMachineItem) -> None:
        doc = dumps(machine_to_doc(item))
        with self._write() as conn:
            try:
                conn.execute(
                    "INSERT INTO state_machines (arn, revision_id, creation_ms, doc) VALUES (?, ?, ?, ?)",
                    (item.arn, item.revision_id, to_ms(item.creation_date), doc),
                )
            except sqlite3.IntegrityError as exc:
                raise AlreadyExists(f"State machine already exists: {item.arn}") from exc
            conn.execute(
                "INSERT OR REPLACE INTO state_machine_revisions (arn, revision_id, doc) VALUES (?, ?, ?)",
                (item.arn, item.revision_id, doc),
            )

    def update_state_machine(self, item: StateMachineItem, *, expected_revision: str) -> None:
        doc = dumps(machine_to_doc(item))
        with self._write() as conn:
            found = conn.execute(
                "SELECT revision_id FROM state_machines WHERE arn = ?", (item.arn,)
            ).fetchone()
            if found is None:
                raise NotFound(f"State machine does not exist: {item.arn}")
            if found[0] != expected_revision:
                raise StaleVersion(f"State machine {item.arn} is not at revision {expected_revision}")
            try:
                conn.execute(
                    "INSERT INTO state_machine_revisions (arn, revision_id, doc) VALUES (?, ?, ?)",
                    (item.arn, item.revision_id, doc),
                )
            except sqlite3.IntegrityError as exc:
                raise AlreadyExists(f"Revision {item.revision_id} of {item.arn} is already stored") from exc
            conn.execute(
                "UPDATE state_machines SET revision_id = ?, creation_ms = ?, doc = ? WHERE arn = ?",
                (item.revision_id, to_ms(item.creation_date), doc, item.arn),
            )

    def get_state_machine(self, arn: str, revision_id: str | None = None) -> StateMachineItem | None:
        if revision_id is None:
            rows = self._read("SELECT doc FROM state_machines WHERE arn = ?", (arn,))
        else:
            rows = self._read(
                "SELECT doc FROM state_machine_revisions WHERE arn = ? AND revision_id = ?",
                (arn, revision_id),
            )
        return machine_from_doc(loads(rows[0][0])) if rows else None

    def list_state_machines(self, *, limit: int = 100, next_token: str | None = None) -> Page:
        rows = self._oldest_first("state_machines", limit, next_token)
        return self._page([machine_from_doc(loads(doc)) for _, _, doc in rows], rows, limit)

    def delete_state_machine(self, arn: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM state_machines WHERE arn = ?", (arn,))

    # ------------------------------------------------------------ activities
    def create_activity(self, item: ActivityItem) -> None:
        with self._write() as conn:
            try:
                conn.execute(
                    "INSERT INTO activities (arn, creation_ms, doc) VALUES (?, ?, ?)",
                    (item.arn, to_ms(item.creation_date), dumps(activity_to_doc(item))),
                )
            except sqlite3.IntegrityError as exc:
                raise AlreadyExists(f"Activity already exists: {item.arn}") from exc

    def get_activity(self, arn: str) -> ActivityItem | None:
        rows = self._read("SELECT doc FROM activities WHERE arn = ?", (arn,))
        return activity_from_doc(loads(rows[0][0])) if rows else None

    def list_activities(self, *, limit: int = 100, next_token: str | None = None) -> Page:
        rows = self._oldest_first("activities", limit, next_token)
        return self._page([activity_from_doc(loads(doc)) for _, _, doc in rows], rows, limit)

    def delete_activity(self, arn: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM activities WHERE arn = ?", (arn,))

    def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        with self._write() as conn:
            for table in ("state_machines", "activities"):
                row = conn.execute(f"SELECT doc FROM {table} WHERE arn = ?", (arn,)).fetchone()
                if row is not None:
                    doc = loads(row[0])
                    doc["tags"] = dict(tags)
                    conn.execute(f"UPDATE {table} SET doc = ? WHERE arn = ?", (dumps(doc), arn))
                    return
            raise NotFound(f"Resource not found: {arn}")

    def _oldest_first(self, table: str, limit: int, next_token: str | None) -> list[Any]:
        after = key_token(next_token)
        where, params = "", [] if after is None else [after[0], after[0], after[1]]
        if after is not None:
            where = "WHERE creation_ms > ? OR (creation_ms = ? AND arn > ?)"
        return self._read(
            f"SELECT creation_ms, arn, doc FROM {table} {where} ORDER BY creation_ms, arn LIMIT ?",
            [*params, max(limit, 0) + 1],
        )

    @staticmethod
    def _page(items: list[Any], rows: list[Any], limit: int) -> Page:
        """A page of the first ``limit`` items; ``rows`` (sort key, arn, ...) has one extra if more."""
        if len(items) <= limit or limit <= 0:
            return Page(items=items[: max(limit, 0)])
        last = rows[limit - 1]
        return Page(items=items[:limit], next_token=encode_token([last[0], last[1]]))

    # ------------------------------------------------------------ executions
    @staticmethod
    def _values(item: ExecutionItem) -> tuple[Any, ...]:
        return (
            item.name,
            item.machine_arn,
            item.revision_id,
            item.type,
            item.status,
            item.input,
            item.output,
            item.error,
            item.cause,
            to_ms(item.start_date),
            opt_ms(item.stop_date),
            item.redrive_count,
            opt_ms(item.redrive_date),
            item.lease_owner,
            opt_ms(item.lease_until),
            None if item.state is None else dumps(item.state),
        )

    def create_execution(self, item: ExecutionItem, events: list[dict[str, Any]]) -> ExecutionItem:
        check_event_ids(events, 0)
        values = self._values(item)
        rows = [(item.arn, event["id"], dumps(event)) for event in events]
        with self._write() as conn:
            try:
                conn.execute(sql.INSERT_EXECUTION, (*values, len(events), item.arn))
            except sqlite3.IntegrityError as exc:
                raise AlreadyExists(f"Execution already exists: {item.arn}") from exc
            conn.executemany(sql.INSERT_EVENT, rows)
        return stored_execution(item, version=1, event_count=len(events), state=_copy(values[-1]))

    def get_execution(self, arn: str) -> ExecutionItem | None:
        rows = self._read(sql.SELECT_EXECUTION, (arn,))
        return sql.execution_from_row(rows[0]) if rows else None

    def commit(
        self, item: ExecutionItem, *, expected_version: int, events: list[dict[str, Any]]
    ) -> ExecutionItem:
        first = first_event_id(events)
        values = self._values(item)
        rows = [(item.arn, event["id"], dumps(event)) for event in events]
        with self._write() as conn:
            if first is None:
                cursor = conn.execute(sql.UPDATE_EXECUTION, (*values, 0, item.arn, expected_version))
            else:
                cursor = conn.execute(
                    sql.UPDATE_EXECUTION_WITH_EVENTS,
                    (*values, len(events), item.arn, expected_version, first - 1),
                )
            updated = cursor.fetchone()
            cursor.close()
            if updated is None:
                self._refuse(conn, item.arn, expected_version, events)
            conn.executemany(sql.INSERT_EVENT, rows)
        return stored_execution(
            item,
            version=expected_version + 1,
            event_count=updated[0],
            state=_copy(values[-1]),
        )

    @staticmethod
    def _refuse(conn: sqlite3.Connection, arn: str, expected_version: int, events: list[Any]) -> None:
        """Raise why a commit's UPDATE matched no row."""
        found = conn.execute("SELECT version, event_count FROM executions WHERE arn = ?", (arn,)).fetchone()
        if found is None:
            raise NotFound(f"Execution does not exist: {arn}")
        if found[0] != expected_version:
            raise StaleVersion(f"Execution {arn} is at version {found[0]}, not {expected_version}")
        check_event_ids(events, found[1])
        raise StoreError(f"Commit of {arn} matched no row")  # pragma: no cover - unreachable

    def list_executions(
        self,
        *,
        machine_arn: str | None = None,
        status: str | None = None,
        limit: int = 100,
        next_token: str | None = None,
    ) -> Page:
        where: list[str] = []
        params: list[Any] = []
        if machine_arn is not None:
            where.append("machine_arn = ?")
            params.append(machine_arn)
        if status is not None:
            where.append("status = ?")
            params.append(status)
        after = key_token(next_token)
        if after is not None:
            if not isinstance(after[0], int):
                raise StoreError(f"Invalid next_token: {next_token!r}")
            start_ms = newest_first_ms(after[0])
            where.append("(start_ms < ? OR (start_ms = ? AND arn > ?))")
            params += [start_ms, start_ms, after[1]]
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self._read(
            f"{sql.SELECT_SUMMARIES}{clause} ORDER BY start_ms DESC, arn LIMIT ?",
            [*params, max(limit, 0) + 1],
        )
        items = [sql.execution_from_row(row) for row in rows]
        keyed = [(newest_first_key(e.start_date), e.arn) for e in items]
        return self._page(items, keyed, limit)

    def unfinished_executions(self) -> list[str]:
        return [row[0] for row in self._read("SELECT arn FROM executions WHERE status = 'RUNNING'")]

    def get_events(
        self, arn: str, *, after: int = 0, limit: int | None = None, reverse: bool = False
    ) -> list[dict[str, Any]]:
        count = -1 if limit is None else max(limit, 0)
        if reverse:
            statement = "SELECT body FROM events WHERE execution_arn = ? AND id < ? ORDER BY id DESC LIMIT ?"
            bound = after if after > 0 else 2**62
        else:
            statement = "SELECT body FROM events WHERE execution_arn = ? AND id > ? ORDER BY id LIMIT ?"
            bound = after
        return [loads(body) for (body,) in self._read(statement, (arn, bound, count))]

    # ------------------------------------------------------------ logs
    def append_logs(self, arn: str, records: list[dict[str, Any]]) -> int:
        rows = [log_row(record) for record in records]
        if not rows:
            return 0
        with self._write(counted=False) as conn:  # the write lock makes MAX(seq) + 1 safe
            last = conn.execute(sql.LAST_LOG_SEQ, (arn,)).fetchone()[0]
            conn.executemany(
                sql.INSERT_LOG,
                [(arn, last + i, rank, state, text) for i, (text, rank, state) in enumerate(rows, 1)],
            )
        return int(last) + len(rows)

    def get_logs(
        self,
        arn: str,
        *,
        after: int = 0,
        limit: int | None = None,
        state: str | None = None,
        level: str | None = None,
    ) -> list[dict[str, Any]]:
        where, params = "execution_arn = ? AND seq > ?", [arn, max(after, 0)]
        if state is not None:
            where += " AND state = ?"
            params.append(state)
        if level is not None:
            where += " AND level_no >= ?"
            params.append(log_level_rank(level))
        params.append(-1 if limit is None else max(limit, 0))
        rows = self._read(f"SELECT seq, body FROM logs WHERE {where} ORDER BY seq LIMIT ?", params)
        return [log_record(seq, body) for seq, body in rows]


def _copy(state_text: Any) -> dict[str, Any] | None:
    """A fresh copy of the stored state from its JSON text."""
    return None if state_text is None else loads(state_text)
