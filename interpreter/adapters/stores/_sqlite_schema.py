"""The SQLite store's schema, its migrations and the SQL it runs.

``PRAGMA user_version`` holds the schema version; ``MIGRATIONS[n]`` takes a database from version
``n`` to ``n + 1``. Datetimes are UTC epoch milliseconds (INTEGER); engine state, events and
state machine / activity documents are compact JSON text.
"""

from __future__ import annotations

from typing import Any

from ._codec import from_ms, loads, opt_dt
from .base import ExecutionItem

SCHEMA_VERSION = 2

MIGRATIONS: list[list[str]] = [
    # 0 -> 1: the first schema.
    [
        """CREATE TABLE state_machines (
            arn TEXT PRIMARY KEY,
            revision_id TEXT NOT NULL,
            creation_ms INTEGER NOT NULL,
            doc TEXT NOT NULL
        )""",
        "CREATE INDEX state_machines_by_creation ON state_machines (creation_ms, arn)",
        """CREATE TABLE state_machine_revisions (
            arn TEXT NOT NULL,
            revision_id TEXT NOT NULL,
            doc TEXT NOT NULL,
            PRIMARY KEY (arn, revision_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE activities (
            arn TEXT PRIMARY KEY,
            creation_ms INTEGER NOT NULL,
            doc TEXT NOT NULL
        )""",
        "CREATE INDEX activities_by_creation ON activities (creation_ms, arn)",
        """CREATE TABLE executions (
            arn TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            machine_arn TEXT NOT NULL,
            revision_id TEXT NOT NULL,
            type TEXT NOT NULL,
            status TEXT NOT NULL,
            input TEXT NOT NULL,
            output TEXT,
            error TEXT,
            cause TEXT,
            start_ms INTEGER NOT NULL,
            stop_ms INTEGER,
            version INTEGER NOT NULL,
            state TEXT,
            event_count INTEGER NOT NULL,
            redrive_count INTEGER NOT NULL,
            redrive_ms INTEGER,
            lease_owner TEXT,
            lease_until_ms INTEGER
        )""",
        "CREATE INDEX executions_by_start ON executions (start_ms DESC, arn)",
        "CREATE INDEX executions_by_machine ON executions (machine_arn, start_ms DESC, arn)",
        "CREATE INDEX executions_by_status ON executions (status, start_ms DESC, arn)",
        """CREATE TABLE events (
            execution_arn TEXT NOT NULL,
            id INTEGER NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (execution_arn, id)
        ) WITHOUT ROWID""",
    ],
    # 1 -> 2: log records of executions (task output), an append-only side channel.
    [
        """CREATE TABLE logs (
            execution_arn TEXT NOT NULL,
            seq INTEGER NOT NULL,
            level_no INTEGER NOT NULL,
            state TEXT,
            body TEXT NOT NULL,
            PRIMARY KEY (execution_arn, seq)
        ) WITHOUT ROWID""",
        "CREATE INDEX logs_by_state ON logs (execution_arn, state, seq)",
    ],
]

# Every execution column but ``state``, in ExecutionItem field order; listings select these.
_SUMMARY = (
    "arn, name, machine_arn, revision_id, type, status, input, output, error, cause, start_ms, "
    "stop_ms, version, event_count, redrive_count, redrive_ms, lease_owner, lease_until_ms"
)
SELECT_EXECUTION = f"SELECT {_SUMMARY}, state FROM executions WHERE arn = ?"
SELECT_SUMMARIES = f"SELECT {_SUMMARY}, NULL FROM executions"

# Parameters of both: ``SqliteStore._values(item)`` (name ... state), the event count (insert) or
# the count of events to add (update), the ARN, and for updates the expected version and, with
# events, the stored event count that the first event's id must follow.
_COLUMNS = (
    "name, machine_arn, revision_id, type, status, input, output, error, cause, start_ms, stop_ms, "
    "redrive_count, redrive_ms, lease_owner, lease_until_ms, state"
)
INSERT_EXECUTION = (
    f"INSERT INTO executions ({_COLUMNS}, event_count, arn, version) VALUES ({', '.join('?' * 18)}, 1)"
)
_UPDATE = (
    "UPDATE executions SET name = ?, machine_arn = ?, revision_id = ?, type = ?, status = ?, input = ?, "
    "output = ?, error = ?, cause = ?, start_ms = ?, stop_ms = ?, redrive_count = ?, redrive_ms = ?, "
    "lease_owner = ?, lease_until_ms = ?, state = ?, version = version + 1, "
    "event_count = event_count + ? WHERE arn = ? AND version = ?"
)
UPDATE_EXECUTION = _UPDATE + " RETURNING event_count"
UPDATE_EXECUTION_WITH_EVENTS = _UPDATE + " AND event_count = ? RETURNING event_count"
INSERT_EVENT = "INSERT INTO events (execution_arn, id, body) VALUES (?, ?, ?)"
LAST_LOG_SEQ = "SELECT COALESCE(MAX(seq), 0) FROM logs WHERE execution_arn = ?"
INSERT_LOG = "INSERT INTO logs (execution_arn, seq, level_no, state, body) VALUES (?, ?, ?, ?, ?)"


def execution_from_row(row: tuple[Any, ...]) -> ExecutionItem:
    """An item from ``_SUMMARY`` columns followed by the state column (JSON text or NULL)."""
    return ExecutionItem(
        arn=row[0],
        name=row[1],
        machine_arn=row[2],
        revision_id=row[3],
        type=row[4],
        status=row[5],
        input=row[6],
        output=row[7],
        error=row[8],
        cause=row[9],
        start_date=from_ms(row[10]),
        stop_date=opt_dt(row[11]),
        version=row[12],
        event_count=row[13],
        redrive_count=row[14],
        redrive_date=opt_dt(row[15]),
        lease_owner=row[16],
        lease_until=opt_dt(row[17]),
        state=None if row[18] is None else loads(row[18]),
    )
