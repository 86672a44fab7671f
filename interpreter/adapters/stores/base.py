"""The execution store port: what every store (memory, SQLite, DynamoDB) keeps and how.

A store keeps state machines (every revision), activities, executions and their history events.
It knows nothing of ASL: an execution's engine state (``ExecutionItem.state``) and each history
event are opaque JSON-able dicts to it. Every change to an execution is a versioned
compare-and-set commit that writes the execution item and appends its new events atomically;
a commit made against a stale version raises ``StaleVersion`` and changes nothing.

Each implementation passes the shared contract suite in ``tests/contract/test_store_contract.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class StoreError(Exception):
    """Base of the store's domain errors (AWS errors become these inside adapters)."""


class StaleVersion(StoreError):
    """A commit's expected version is not the stored one: someone else advanced the item."""


class AlreadyExists(StoreError):
    """A create found an item with the same key."""


class NotFound(StoreError):
    """An update or delete named an item the store does not hold."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StateMachineItem:
    arn: str
    name: str
    definition: str  # the definition text as given
    role_arn: str
    type: str = "STANDARD"  # STANDARD | EXPRESS
    creation_date: datetime
    update_date: datetime | None = None
    revision_id: str  # changes on every update; every revision stays readable
    status: str = "ACTIVE"
    description: str = ""
    logging_configuration: dict[str, Any] | None = None
    tracing_configuration: dict[str, Any] | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityItem:
    arn: str
    name: str
    creation_date: datetime
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionItem:
    arn: str
    name: str
    machine_arn: str
    revision_id: str  # the state machine revision the execution runs
    type: str = "STANDARD"
    status: str  # RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED | PENDING_REDRIVE
    input: str  # JSON text
    output: str | None = None  # JSON text
    error: str | None = None
    cause: str | None = None
    start_date: datetime
    stop_date: datetime | None = None
    version: int = 0  # compare-and-set version: 1 after create, +1 on every commit
    state: dict[str, Any] | None = None  # the engine's snapshot; opaque to the store
    event_count: int = 0  # history events stored so far
    redrive_count: int = 0
    redrive_date: datetime | None = None
    lease_owner: str | None = None  # the worker advancing the execution now
    lease_until: datetime | None = None


# Log levels by rank: a ``get_logs(level=L)`` keeps records at ``L`` or above. Task lines use
# Python's names; engine lines (history events) are INFO, ERROR or FATAL as Step Functions ranks
# them for its CloudWatch Logs levels. Unknown names rank as INFO.
LOG_LEVELS: dict[str, int] = {
    "ALL": 0,
    "TRACE": 5,
    "DEBUG": 10,
    "INFO": 20,
    "WARN": 30,
    "WARNING": 30,
    "ERROR": 40,
    "CRITICAL": 50,
    "FATAL": 50,
}


def log_level_rank(level: str | None) -> int:
    """The rank of a level name (case-insensitive); 0 for None."""
    if level is None:
        return 0
    return LOG_LEVELS.get(str(level).upper(), 20)


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """One page of a listing and the opaque token for the next page (None: no more)."""

    items: list[Any]
    next_token: str | None = None


class ExecutionStore(Protocol):
    """Port. Datetimes go in and come out timezone-aware (UTC) with millisecond precision (naive
    datetimes are read as UTC). Listings are keyset-paged: a ``next_token`` stays valid while
    items change, and a token the store did not make raises ``StoreError``."""

    # ------------------------------------------------------------ state machines
    def create_state_machine(self, item: StateMachineItem) -> None:
        """Store a new state machine (its first revision). ``AlreadyExists`` when the ARN is taken."""
        ...

    def update_state_machine(self, item: StateMachineItem, *, expected_revision: str) -> None:
        """Store a new revision. ``NotFound`` when absent; ``StaleVersion`` when the current revision
        is not ``expected_revision``; ``AlreadyExists`` when ``item.revision_id`` is already stored.
        Earlier revisions stay readable by revision id."""
        ...

    def get_state_machine(self, arn: str, revision_id: str | None = None) -> StateMachineItem | None:
        """The current revision, or the named one (also after the machine is deleted). A revision
        reads as it was stored: ``set_tags`` changes the current item only."""
        ...

    def list_state_machines(self, *, limit: int = 100, next_token: str | None = None) -> Page:
        """Machines (current revisions) ordered by creation date, oldest first (ties: by ARN)."""
        ...

    def delete_state_machine(self, arn: str) -> None:
        """Remove the machine from listings and ``get_state_machine(arn)``; its revisions stay
        readable with an explicit ``revision_id``; its executions stay. No error when absent."""
        ...

    # ------------------------------------------------------------ activities
    def create_activity(self, item: ActivityItem) -> None:
        """Store a new activity. ``AlreadyExists`` when the ARN is taken."""
        ...

    def get_activity(self, arn: str) -> ActivityItem | None: ...

    def list_activities(self, *, limit: int = 100, next_token: str | None = None) -> Page:
        """Activities ordered by creation date, oldest first (ties: by ARN)."""
        ...

    def delete_activity(self, arn: str) -> None:
        """Remove the activity. No error when absent."""
        ...

    def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        """Replace the tags of a state machine or activity. ``NotFound`` when absent."""
        ...

    # ------------------------------------------------------------ executions
    def create_execution(self, item: ExecutionItem, events: list[dict[str, Any]]) -> ExecutionItem:
        """Store a new execution (stored with version 1) and its first events (ids 1, 2, ...),
        atomically. ``AlreadyExists`` when the ARN is taken (nothing is written then). Returns the
        item as stored."""
        ...

    def get_execution(self, arn: str) -> ExecutionItem | None: ...

    def commit(
        self, item: ExecutionItem, *, expected_version: int, events: list[dict[str, Any]]
    ) -> ExecutionItem:
        """Replace the execution with ``item`` (stored with version ``expected_version + 1``) and
        append ``events`` (each has an int ``"id"``, continuing the stored sequence), atomically,
        if the stored version is ``expected_version``; else ``StaleVersion`` and nothing changes.
        ``NotFound`` when the execution is absent; ``StoreError`` (nothing changes) when the events'
        ids are not ``stored event_count + 1``, ``+ 2``, ... ``item.version`` and
        ``item.event_count`` are ignored: the stored count becomes the previous one plus
        ``len(events)``. Returns the item as stored (new version, event_count updated). One store
        write."""
        ...

    def list_executions(
        self,
        *,
        machine_arn: str | None = None,
        status: str | None = None,
        limit: int = 100,
        next_token: str | None = None,
    ) -> Page:
        """Executions, newest start first (ties: by ARN), optionally of one machine and one status.
        Items carry no ``state`` (None) so listings stay cheap."""
        ...

    def unfinished_executions(self) -> list[str]:
        """ARNs of every RUNNING execution (what a restarted worker must resume)."""
        ...

    def get_events(
        self, arn: str, *, after: int = 0, limit: int | None = None, reverse: bool = False
    ) -> list[dict[str, Any]]:
        """History events in id order (``reverse``: newest first). ``after`` skips events whose id
        is <= after (reverse: keeps ids < after when after > 0). ``limit`` caps the count."""
        ...

    # ------------------------------------------------------------ logs (a side channel)
    def append_logs(self, arn: str, records: list[dict[str, Any]]) -> int:
        """Append log records of an execution: JSON-able dicts ``{"timestamp" (epoch ms),
        "level", "state", "attempt", "source", "message", "fields"?}``. Each gets the next
        ``"seq"`` of the execution (1, 2, 3, ... in the order given; concurrent appends never share
        a seq). Returns the last seq given (0 when ``records`` is empty).

        Logs are append-only and not part of any commit: appending never changes the execution
        item, its version or its events, is not counted in ``writes``, and does not check that
        the execution exists."""
        ...

    def get_logs(
        self,
        arn: str,
        *,
        after: int = 0,
        limit: int | None = None,
        state: str | None = None,
        level: str | None = None,
    ) -> list[dict[str, Any]]:
        """Log records with ``seq > after`` in seq order (copies, each with its ``seq``): only
        those of ``state`` (exact name) and at ``level`` or above (``log_level_rank``), at most
        ``limit``. Reads no more than it returns (plus what filters skip): page with ``after``."""
        ...

    # ------------------------------------------------------------ accounting
    @property
    def writes(self) -> int:
        """Write operations performed since the store was opened (a commit counts one)."""
        ...
