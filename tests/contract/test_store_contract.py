"""The execution store contract: every store (memory, SQLite, DynamoDB on moto) passes this suite.

The contract is the docstrings of ``interpreter/adapters/stores/base.py``; each test names the
promise it checks. Store-specific tests (two SQLite handles on one file, DynamoDB size limits)
follow the shared suite.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from interpreter.adapters.stores.base import (
    ActivityItem,
    AlreadyExists,
    ExecutionItem,
    ExecutionStore,
    NotFound,
    StaleVersion,
    StateMachineItem,
    StoreError,
)
from interpreter.adapters.stores.memory import MemoryStore

REGION = "us-east-1"
ACCOUNT = "123456789012"
T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def _fake_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)


class OneRequestAtATime:
    """A DynamoDB client whose requests are applied one at a time, as the service applies each.

    moto's in-process backend is not atomic across threads: its TransactWriteItems checks and
    writes item by item (and restores a copy of the table on failure), so two racing threads can
    both pass a condition. DynamoDB itself applies a request atomically; this proxy restores that
    guarantee so the race test exercises the store, not moto.
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute) or name in ("get_waiter", "get_paginator"):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attribute(*args, **kwargs)

        return call


@pytest.fixture(scope="module")
def dynamodb_client() -> Iterator[Any]:
    """One moto account (and client) per module; each test gets its own table."""
    import boto3
    from moto import mock_aws

    with pytest.MonkeyPatch.context() as monkeypatch:
        _fake_aws(monkeypatch)
        with mock_aws():
            yield OneRequestAtATime(boto3.client("dynamodb", region_name=REGION))


@pytest.fixture
def dynamodb_store(dynamodb_client: Any) -> Iterator[ExecutionStore]:
    from interpreter.adapters.stores.dynamodb import DynamoDbStore

    table = f"stepfn-{uuid.uuid4().hex[:12]}"
    yield DynamoDbStore(table, client=dynamodb_client, create=True)
    dynamodb_client.delete_table(TableName=table)


@pytest.fixture(params=["memory", "sqlite", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ExecutionStore]:
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "sqlite":
        from interpreter.adapters.stores.sqlite import SqliteStore

        sqlite_store = SqliteStore(tmp_path / ".stepfn" / "stepfn.db")
        yield sqlite_store
        sqlite_store.close()
    else:
        yield request.getfixturevalue("dynamodb_store")


# ---------------------------------------------------------------- builders
def machine_arn(name: str) -> str:
    return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}"


def make_machine(name: str = "Hello", *, created: datetime = T0, revision: str = "r1") -> StateMachineItem:
    return StateMachineItem(
        arn=machine_arn(name),
        name=name,
        definition='{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}',
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/sfn",
        creation_date=created,
        revision_id=revision,
        description="says hello",
        logging_configuration={"level": "OFF", "includeExecutionData": False},
        tracing_configuration={"enabled": False},
        tags={"team": "core"},
    )


def make_activity(name: str = "Approve", *, created: datetime = T0) -> ActivityItem:
    return ActivityItem(
        arn=f"arn:aws:states:{REGION}:{ACCOUNT}:activity:{name}",
        name=name,
        creation_date=created,
        tags={"kind": "human"},
    )


def make_execution(
    name: str = "run-1",
    *,
    machine: str = "Hello",
    start: datetime = T0,
    status: str = "RUNNING",
    state: dict[str, Any] | None = None,
) -> ExecutionItem:
    return ExecutionItem(
        arn=f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{machine}:{name}",
        name=name,
        machine_arn=machine_arn(machine),
        revision_id="r1",
        status=status,
        input='{"who":"world"}',
        start_date=start,
        state={"at": "P", "vars": {"x": 1}} if state is None else state,
    )


def events(first: int, count: int, kind: str = "PassStateEntered") -> list[dict[str, Any]]:
    return [
        {"id": i, "type": kind, "previousEventId": i - 1, "timestamp": "2024-05-01T12:00:00.000Z"}
        for i in range(first, first + count)
    ]


def started(store: ExecutionStore, item: ExecutionItem | None = None, n: int = 1) -> ExecutionItem:
    return store.create_execution(item or make_execution(), events(1, n, "ExecutionStarted"))


def all_pages(list_page: Any, limit: int, **filters: Any) -> list[list[Any]]:
    pages, token = [], None
    while True:
        page = list_page(limit=limit, next_token=token, **filters)
        pages.append(page.items)
        token = page.next_token
        if token is None:
            return pages


# ================================================================ state machines
def test_state_machine_round_trips_every_field(store: ExecutionStore) -> None:
    item = make_machine()
    store.create_state_machine(item)
    assert store.get_state_machine(item.arn) == item
    assert store.get_state_machine(item.arn, "r1") == item
    assert store.get_state_machine(machine_arn("Nope")) is None
    assert store.get_state_machine(item.arn, "no-such-revision") is None


def test_creating_a_taken_state_machine_arn_raises_already_exists_and_keeps_the_first(
    store: ExecutionStore,
) -> None:
    store.create_state_machine(make_machine())
    with pytest.raises(AlreadyExists):
        store.create_state_machine(replace(make_machine(), definition="{}", revision_id="r9"))
    stored = store.get_state_machine(machine_arn("Hello"))
    assert stored is not None and stored.revision_id == "r1" and stored.definition != "{}"


def test_update_stores_a_new_revision_and_earlier_revisions_stay_readable(store: ExecutionStore) -> None:
    first = make_machine()
    store.create_state_machine(first)
    later = T0 + timedelta(hours=1)
    second = replace(first, definition='{"v":2}', revision_id="r2", update_date=later)
    store.update_state_machine(second, expected_revision="r1")

    assert store.get_state_machine(first.arn) == second
    assert store.get_state_machine(first.arn, "r1") == first
    assert store.get_state_machine(first.arn, "r2") == second
    assert store.list_state_machines().items == [second]


def test_update_with_a_stale_revision_raises_and_changes_nothing(store: ExecutionStore) -> None:
    store.create_state_machine(make_machine())
    store.update_state_machine(replace(make_machine(), revision_id="r2"), expected_revision="r1")
    with pytest.raises(StaleVersion):
        store.update_state_machine(
            replace(make_machine(), definition="{}", revision_id="r3"), expected_revision="r1"
        )
    stored = store.get_state_machine(machine_arn("Hello"))
    assert stored is not None and stored.revision_id == "r2"
    assert store.get_state_machine(machine_arn("Hello"), "r3") is None


def test_update_of_a_missing_state_machine_raises_not_found(store: ExecutionStore) -> None:
    with pytest.raises(NotFound):
        store.update_state_machine(make_machine(), expected_revision="r0")
    assert store.get_state_machine(machine_arn("Hello")) is None


def test_delete_hides_the_machine_but_keeps_revisions_and_executions(store: ExecutionStore) -> None:
    item = make_machine()
    store.create_state_machine(item)
    execution = started(store)
    store.delete_state_machine(item.arn)

    assert store.get_state_machine(item.arn) is None
    assert store.list_state_machines().items == []
    assert store.get_state_machine(item.arn, "r1") == item
    assert store.get_execution(execution.arn) == execution
    store.delete_state_machine(item.arn)  # absent: no error
    store.delete_state_machine(machine_arn("NeverExisted"))


def test_state_machines_list_oldest_first_in_pages(store: ExecutionStore) -> None:
    names = [f"M{i}" for i in range(7)]
    # Created out of order; M5 and M6 share a creation time (ties go by ARN).
    created = {n: T0 + timedelta(minutes=i if i < 6 else 5) for i, n in enumerate(names)}
    for n in reversed(names):
        store.create_state_machine(make_machine(n, created=created[n]))

    pages = all_pages(store.list_state_machines, 3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [m.name for page in pages for m in page] == names


# ================================================================ activities and tags
def test_activities_create_get_list_delete(store: ExecutionStore) -> None:
    first, second = make_activity("A", created=T0), make_activity("B", created=T0 + timedelta(seconds=1))
    store.create_activity(second)
    store.create_activity(first)
    with pytest.raises(AlreadyExists):
        store.create_activity(replace(first, tags={}))

    assert store.get_activity(first.arn) == first
    assert store.list_activities().items == [first, second]
    page = store.list_activities(limit=1)
    assert page.items == [first]
    assert store.list_activities(limit=1, next_token=page.next_token).items == [second]

    store.delete_activity(first.arn)
    store.delete_activity(first.arn)  # absent: no error
    assert store.get_activity(first.arn) is None
    assert store.list_activities().items == [second]


def test_set_tags_replaces_the_tags_of_machines_and_activities(store: ExecutionStore) -> None:
    machine, activity = make_machine(), make_activity()
    store.create_state_machine(machine)
    store.create_activity(activity)

    store.set_tags(machine.arn, {"a": "1", "b": "2"})
    store.set_tags(activity.arn, {})

    assert store.get_state_machine(machine.arn) == replace(machine, tags={"a": "1", "b": "2"})
    assert store.get_activity(activity.arn) == replace(activity, tags={})
    with pytest.raises(NotFound):
        store.set_tags(machine_arn("Nope"), {"a": "1"})


# ================================================================ executions
def test_create_execution_stores_version_1_and_its_first_events(store: ExecutionStore) -> None:
    item = make_execution()
    stored = store.create_execution(replace(item, version=7, event_count=99), events(1, 2))

    assert stored == replace(item, version=1, event_count=2)
    assert store.get_execution(item.arn) == stored
    assert store.get_events(item.arn) == events(1, 2)
    assert store.get_execution(item.arn + "-nope") is None
    assert store.get_events(item.arn + "-nope") == []


def test_create_execution_on_a_taken_arn_raises_and_leaves_the_stored_one_untouched(
    store: ExecutionStore,
) -> None:
    first = started(store, n=2)
    intruder = replace(make_execution(), input='{"other":true}', state={"other": True})
    with pytest.raises(AlreadyExists):
        store.create_execution(intruder, events(1, 5, "Intruder"))

    assert store.get_execution(first.arn) == first
    assert store.get_events(first.arn) == events(1, 2, "ExecutionStarted")


def test_commit_replaces_the_item_bumps_the_version_and_appends_events(store: ExecutionStore) -> None:
    loaded = started(store)
    stop = T0 + timedelta(seconds=3)
    change = replace(loaded, status="SUCCEEDED", output='{"ok":1}', stop_date=stop, state={"done": True})

    stored = store.commit(change, expected_version=1, events=events(2, 3))

    assert stored == replace(change, version=2, event_count=4)
    assert store.get_execution(loaded.arn) == stored
    assert [e["id"] for e in store.get_events(loaded.arn)] == [1, 2, 3, 4]

    again = store.commit(replace(stored, state={"n": 2}), expected_version=2, events=[])
    assert (again.version, again.event_count, again.state) == (3, 4, {"n": 2})
    assert store.get_execution(loaded.arn) == again


def test_a_stale_commit_raises_and_changes_neither_item_nor_events(store: ExecutionStore) -> None:
    loaded = started(store)
    winner = store.commit(replace(loaded, state={"winner": True}), expected_version=1, events=events(2, 1))

    with pytest.raises(StaleVersion):
        store.commit(replace(loaded, state={"loser": True}), expected_version=1, events=events(2, 2, "Lost"))

    assert store.get_execution(loaded.arn) == winner
    assert store.get_events(loaded.arn) == [*events(1, 1, "ExecutionStarted"), *events(2, 1)]


def test_commit_of_a_missing_execution_raises_not_found(store: ExecutionStore) -> None:
    with pytest.raises(NotFound):
        store.commit(make_execution(), expected_version=1, events=events(1, 1))
    assert store.get_execution(make_execution().arn) is None


def test_commit_whose_event_ids_do_not_continue_the_history_raises_and_changes_nothing(
    store: ExecutionStore,
) -> None:
    loaded = started(store, n=2)
    for bad in (events(2, 1), events(4, 1), [*events(3, 1), *events(5, 1)]):
        with pytest.raises(StoreError):
            store.commit(replace(loaded, state={"bad": True}), expected_version=1, events=bad)
    assert store.get_execution(loaded.arn) == loaded
    assert [e["id"] for e in store.get_events(loaded.arn)] == [1, 2]


def test_get_events_after_limit_and_reverse(store: ExecutionStore) -> None:
    loaded = started(store, n=3)
    current = loaded
    for first in (4, 7, 8):  # commits of 3, 1 and 5 events: ids 1..12 across four writes
        count = {4: 3, 7: 1, 8: 5}[first]
        current = store.commit(current, expected_version=current.version, events=events(first, count))

    def ids(**kwargs: Any) -> list[int]:
        return [e["id"] for e in store.get_events(loaded.arn, **kwargs)]

    assert ids() == list(range(1, 13))
    assert ids(after=5) == list(range(6, 13))
    assert ids(after=5, limit=3) == [6, 7, 8]
    assert ids(after=12) == []
    assert ids(after=99) == []
    assert ids(limit=0) == []
    assert ids(reverse=True) == list(range(12, 0, -1))
    assert ids(reverse=True, limit=4) == [12, 11, 10, 9]
    assert ids(reverse=True, after=8) == [7, 6, 5, 4, 3, 2, 1]
    assert ids(reverse=True, after=8, limit=2) == [7, 6]
    assert ids(reverse=True, after=1) == []
    assert ids(reverse=True, after=99) == list(range(12, 0, -1))


# ================================================================ listings
def _seed_executions(store: ExecutionStore) -> dict[str, ExecutionItem]:
    """Seven executions of two machines, mixed statuses, two sharing a start time."""
    specs = [
        ("a1", "Alpha", 0, "SUCCEEDED"),
        ("a2", "Alpha", 10, "RUNNING"),
        ("a3", "Alpha", 20, "FAILED"),
        ("b1", "Beta", 5, "RUNNING"),
        ("b2", "Beta", 15, "SUCCEEDED"),
        ("b3", "Beta", 20, "RUNNING"),  # same start as a3: the tie goes by ARN
        ("a4", "Alpha", 30, "RUNNING"),
    ]
    seeded = {}
    for name, machine, minute, status in specs:
        item = make_execution(name, machine=machine, start=T0 + timedelta(minutes=minute), status=status)
        seeded[name] = store.create_execution(item, events(1, 1))
    return seeded


def _listed(item: ExecutionItem) -> ExecutionItem:
    return replace(item, state=None)


def test_list_executions_newest_first_with_ties_by_arn(store: ExecutionStore) -> None:
    seeded = _seed_executions(store)
    page = store.list_executions()
    assert [e.name for e in page.items] == ["a4", "a3", "b3", "b2", "a2", "b1", "a1"]
    assert page.next_token is None
    assert page.items[0] == _listed(seeded["a4"])


def test_listing_items_carry_no_state(store: ExecutionStore) -> None:
    seeded = _seed_executions(store)
    listed = store.list_executions().items
    assert all(e.state is None for e in listed)
    assert {e.arn: e for e in listed} == {e.arn: _listed(e) for e in seeded.values()}


def test_list_executions_filters_by_machine_and_status(store: ExecutionStore) -> None:
    _seed_executions(store)

    def names(**filters: Any) -> list[str]:
        return [e.name for e in store.list_executions(**filters).items]

    assert names(machine_arn=machine_arn("Alpha")) == ["a4", "a3", "a2", "a1"]
    assert names(status="RUNNING") == ["a4", "b3", "a2", "b1"]
    assert names(machine_arn=machine_arn("Beta"), status="RUNNING") == ["b3", "b1"]
    assert names(machine_arn=machine_arn("Beta"), status="ABORTED") == []
    assert names(machine_arn=machine_arn("Gamma")) == []


def test_list_executions_status_follows_commits(store: ExecutionStore) -> None:
    seeded = _seed_executions(store)
    a2 = seeded["a2"]
    store.commit(replace(a2, status="ABORTED"), expected_version=1, events=events(2, 1))
    assert [e.name for e in store.list_executions(status="ABORTED").items] == ["a2"]
    assert "a2" not in [e.name for e in store.list_executions(status="RUNNING").items]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["a4", "a3", "b3", "b2", "a2", "b1", "a1"]),
        ({"machine_arn": machine_arn("Alpha")}, ["a4", "a3", "a2", "a1"]),
        ({"status": "RUNNING"}, ["a4", "b3", "a2", "b1"]),
        ({"machine_arn": machine_arn("Beta"), "status": "RUNNING"}, ["b3", "b1"]),
    ],
)
@pytest.mark.parametrize("limit", [1, 2, 3, 4])
def test_list_executions_pages_through_everything_once(
    store: ExecutionStore, filters: dict[str, Any], expected: list[str], limit: int
) -> None:
    _seed_executions(store)
    pages = all_pages(store.list_executions, limit, **filters)
    assert [e.name for page in pages for e in page] == expected
    assert all(len(page) == limit for page in pages[:-1])
    assert 0 < len(pages[-1]) <= limit  # no empty trailing page: the last token is None


def test_a_token_from_page_one_gives_exactly_the_rest(store: ExecutionStore) -> None:
    _seed_executions(store)
    first = store.list_executions(limit=2)
    rest = store.list_executions(limit=100, next_token=first.next_token)
    assert [e.name for e in first.items] == ["a4", "a3"]
    assert [e.name for e in rest.items] == ["b3", "b2", "a2", "b1", "a1"]
    assert rest.next_token is None
    # The token still works later (listings are keyset-paged, not cursors held by the store).
    assert store.list_executions(limit=100, next_token=first.next_token).items == rest.items


def test_a_garbage_token_is_a_store_error(store: ExecutionStore) -> None:
    with pytest.raises(StoreError):
        store.list_executions(next_token="not a token!")
    with pytest.raises(StoreError):
        store.list_state_machines(next_token="bm90IGEgdG9rZW4")


def test_unfinished_executions_are_the_running_ones(store: ExecutionStore) -> None:
    seeded = _seed_executions(store)
    running = {e.arn for e in seeded.values() if e.status == "RUNNING"}
    assert sorted(store.unfinished_executions()) == sorted(running)

    a4 = seeded["a4"]
    store.commit(replace(a4, status="SUCCEEDED"), expected_version=1, events=events(2, 1))
    assert sorted(store.unfinished_executions()) == sorted(running - {a4.arn})


# ================================================================ copies, times, data
def test_returned_objects_are_not_aliases_of_stored_data(store: ExecutionStore) -> None:
    state = {"vars": {"list": [1, 2]}}
    first_events = events(1, 1)
    created = store.create_execution(make_execution(state=state), first_events)
    state["vars"]["list"].append("mutated after create")
    first_events[0]["type"] = "mutated after create"

    assert created.state is not None
    created.state["vars"]["list"].append("mutated the returned item")
    loaded = store.get_execution(created.arn)
    assert loaded is not None and loaded.state == {"vars": {"list": [1, 2]}}
    assert loaded.state is not None
    loaded.state["vars"] = None
    store.get_events(created.arn)[0]["type"] = "mutated a returned event"

    again = store.get_execution(created.arn)
    assert again is not None and again.state == {"vars": {"list": [1, 2]}}
    assert store.get_events(created.arn) == events(1, 1)

    store.create_state_machine(make_machine())
    machine = store.get_state_machine(machine_arn("Hello"))
    assert machine is not None
    machine.tags["team"] = "mutated"
    assert store.get_state_machine(machine_arn("Hello")) == make_machine()


def test_datetimes_come_back_utc_aware_at_millisecond_precision(store: ExecutionStore) -> None:
    paris = timezone(timedelta(hours=2))
    start = datetime(2024, 5, 1, 14, 0, 0, 123456, tzinfo=paris)
    item = replace(
        make_execution(start=start),
        stop_date=start + timedelta(seconds=1),
        redrive_date=start + timedelta(seconds=2),
        lease_owner="worker-1",
        lease_until=start + timedelta(seconds=3),
    )
    store.create_execution(item, events(1, 1))
    loaded = store.get_execution(item.arn)
    assert loaded is not None
    expected = datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=UTC)
    assert loaded.start_date == expected and loaded.start_date.utcoffset() == timedelta(0)
    for moment, seconds in ((loaded.stop_date, 1), (loaded.redrive_date, 2), (loaded.lease_until, 3)):
        assert moment == expected + timedelta(seconds=seconds)
        assert moment is not None and moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
    assert loaded.lease_owner == "worker-1"

    store.create_state_machine(make_machine(created=start))
    machine = store.get_state_machine(machine_arn("Hello"))
    assert machine is not None and machine.creation_date == expected
    assert machine.creation_date.tzinfo is not None


def test_unicode_and_floats_round_trip(store: ExecutionStore) -> None:
    state = {"名前": "Zoë ☃ 🚀", "pi": 3.141592653589793, "tiny": 1e-300, "big": 1.5e300, "neg": -0.5}
    state |= {"int": 2**62, "nested": [0.1, {"ü": "\u0000\t\n"}], "none": None, "yes": True}
    item = replace(make_execution(state=state), input=json.dumps({"msg": "héllo 世界", "x": 0.1}))
    store.create_execution(item, [{"id": 1, "type": "ExecutionStarted", "details": {"ζ": 2.5}}])
    loaded = store.commit(item, expected_version=1, events=[{"id": 2, "x": 1e-7, "s": "🚀"}])

    fetched = store.get_execution(item.arn)
    assert fetched is not None and fetched.state == state == loaded.state
    assert fetched.input == item.input
    assert store.get_events(item.arn) == [
        {"id": 1, "type": "ExecutionStarted", "details": {"ζ": 2.5}},
        {"id": 2, "x": 1e-7, "s": "🚀"},
    ]


def test_writes_counts_each_writing_call_once(store: ExecutionStore) -> None:
    before = store.writes
    loaded = started(store, n=3)
    assert store.writes == before + 1
    store.commit(loaded, expected_version=1, events=events(4, 50))
    assert store.writes == before + 2
    store.get_execution(loaded.arn)
    store.get_events(loaded.arn)
    store.list_executions()
    store.unfinished_executions()
    assert store.writes == before + 2
    store.create_state_machine(make_machine())
    store.set_tags(machine_arn("Hello"), {})
    store.update_state_machine(replace(make_machine(), revision_id="r2"), expected_revision="r1")
    store.delete_state_machine(machine_arn("Hello"))
    store.create_activity(make_activity())
    store.delete_activity(make_activity().arn)
    assert store.writes == before + 8


def test_a_large_state_and_300_events_fit_one_commit(store: ExecutionStore) -> None:
    # ~1 MB of state that compresses poorly (hex of random bytes), so DynamoDB must chunk it.
    big = {"blob": os.urandom(500_000).hex(), "list": list(range(1000))}
    loaded = started(store)
    many = [{**e, "details": {"output": "x" * 200}} for e in events(2, 300)]

    stored = store.commit(replace(loaded, state=big), expected_version=1, events=many)

    assert (stored.version, stored.event_count) == (2, 301)
    fetched = store.get_execution(loaded.arn)
    assert fetched is not None and fetched.state == big
    assert store.get_events(loaded.arn, after=1) == many
    assert [e["id"] for e in store.get_events(loaded.arn, reverse=True, limit=2)] == [301, 300]

    # Shrinking the state again, then growing it, leaves no trace of the old snapshot.
    small = store.commit(replace(fetched, state={"small": 1}), expected_version=2, events=events(302, 1))
    assert store.get_execution(loaded.arn) == small
    regrown = store.commit(replace(small, state=big), expected_version=3, events=[])
    assert store.get_execution(loaded.arn) == regrown
    assert [e.state for e in store.list_executions().items] == [None]


def test_input_and_output_at_the_aws_limit_round_trip_in_gets_and_listings(store: ExecutionStore) -> None:
    # 256 KB each (Step Functions' payload limit), hardly compressible: together over one
    # DynamoDB item, so there the whole document spills into chunks with the state.
    payload = json.dumps({"blob": base64.b64encode(os.urandom(190_000)).decode()})
    item = replace(make_execution(), input=payload)
    loaded = store.create_execution(item, events(1, 1))
    done = replace(loaded, status="SUCCEEDED", output=payload[::-1], stop_date=T0 + timedelta(seconds=1))
    stored = store.commit(done, expected_version=1, events=events(2, 1))

    assert store.get_execution(item.arn) == stored
    assert store.list_executions().items == [replace(stored, state=None)]


# ================================================================ logs (a side channel)
def log_lines(
    count: int, *, state: str | None = "Charge", level: str = "INFO", start: int = 0
) -> list[dict[str, Any]]:
    return [
        {
            "timestamp": 1_714_564_800_000 + start + i,
            "level": level,
            "state": state,
            "attempt": 0,
            "source": "task",
            "message": f"line {start + i}",
        }
        for i in range(count)
    ]


def test_append_logs_gives_seqs_1_2_3_in_order_and_get_logs_returns_them(store: ExecutionStore) -> None:
    loaded = started(store)
    assert store.append_logs(loaded.arn, log_lines(3)) == 3
    assert store.append_logs(loaded.arn, []) == 0
    assert store.append_logs(loaded.arn, log_lines(2, start=3)) == 5

    got = store.get_logs(loaded.arn)
    assert [r["seq"] for r in got] == [1, 2, 3, 4, 5]
    assert [r["message"] for r in got] == [f"line {i}" for i in range(5)]
    assert got[0] == {"seq": 1, **log_lines(1)[0]}
    assert store.get_logs("arn:aws:states:us-east-1:123456789012:execution:Hello:nope") == []


def test_get_logs_pages_with_after_and_limit(store: ExecutionStore) -> None:
    loaded = started(store)
    store.append_logs(loaded.arn, log_lines(10))
    assert [r["seq"] for r in store.get_logs(loaded.arn, after=3, limit=4)] == [4, 5, 6, 7]
    assert [r["seq"] for r in store.get_logs(loaded.arn, after=8)] == [9, 10]
    assert store.get_logs(loaded.arn, after=10) == []
    assert store.get_logs(loaded.arn, limit=0) == []
    pages, after = [], 0
    while page := store.get_logs(loaded.arn, after=after, limit=3):
        pages.append([r["seq"] for r in page])
        after = page[-1]["seq"]
    assert pages == [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10]]


def test_get_logs_filters_by_state_and_by_level_or_above(store: ExecutionStore) -> None:
    loaded = started(store)
    store.append_logs(loaded.arn, log_lines(2, state="A", level="DEBUG"))
    store.append_logs(loaded.arn, log_lines(2, state="B", level="WARNING", start=2))
    store.append_logs(loaded.arn, log_lines(2, state="A", level="ERROR", start=4))
    store.append_logs(loaded.arn, [{**log_lines(1, start=6)[0], "state": None, "level": "CRITICAL"}])

    assert [r["seq"] for r in store.get_logs(loaded.arn, state="A")] == [1, 2, 5, 6]
    assert [r["seq"] for r in store.get_logs(loaded.arn, level="WARNING")] == [3, 4, 5, 6, 7]
    assert [r["seq"] for r in store.get_logs(loaded.arn, level="error")] == [5, 6, 7]
    assert [r["seq"] for r in store.get_logs(loaded.arn, state="A", level="INFO")] == [5, 6]
    # filters and paging together: the first ``limit`` matching records after ``after``
    assert [r["seq"] for r in store.get_logs(loaded.arn, state="A", after=1, limit=2)] == [2, 5]
    assert [r["seq"] for r in store.get_logs(loaded.arn, level="FATAL")] == [7]


def test_logs_are_not_part_of_the_execution_commit(store: ExecutionStore) -> None:
    # GIVEN an execution at version 1 with one event
    loaded = started(store)
    writes = store.writes
    # WHEN log lines are appended
    store.append_logs(loaded.arn, log_lines(4))
    # THEN the item, its version, its events and the write count are unchanged
    assert store.get_execution(loaded.arn) == loaded
    assert [e["id"] for e in store.get_events(loaded.arn)] == [1]
    assert store.writes == writes
    # and a stale commit later changes nothing of the logs either
    store.commit(loaded, expected_version=1, events=events(2, 1))
    with pytest.raises(StaleVersion):
        store.commit(loaded, expected_version=1, events=events(3, 1))
    assert len(store.get_logs(loaded.arn)) == 4


def test_log_records_round_trip_unicode_fields_and_big_messages_and_are_copies(store: ExecutionStore) -> None:
    loaded = started(store)
    fields = {"service": "pay", "nested": {"ü": [1.5, None, True]}, "location": "h:12"}
    big = "é" + "x" * 300_000  # bigger than one DynamoDB attribute likes: stored compressed there
    record = {**log_lines(1)[0], "state": 'Say "hi" <b>ünï</b> 😀', "message": big, "fields": fields}
    store.append_logs(loaded.arn, [record])
    record["fields"]["service"] = "changed"  # mutating what was passed in changes nothing

    (got,) = store.get_logs(loaded.arn, state='Say "hi" <b>ünï</b> 😀')
    assert got["message"] == big and got["fields"]["service"] == "pay"
    got["fields"]["nested"]["ü"].append("mutated")
    assert store.get_logs(loaded.arn)[0]["fields"]["nested"] == {"ü": [1.5, None, True]}


def test_concurrent_appends_never_share_a_seq(store: ExecutionStore) -> None:
    loaded = started(store)
    barrier = threading.Barrier(6)

    def append(worker: int) -> None:
        barrier.wait()
        for batch in range(5):
            store.append_logs(loaded.arn, log_lines(3, state=f"w{worker}", start=batch * 3))

    threads = [threading.Thread(target=append, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    got = store.get_logs(loaded.arn)
    assert [r["seq"] for r in got] == list(range(1, 91))
    for worker in range(6):  # each batch stays together and in order
        mine = [r["message"] for r in got if r["state"] == f"w{worker}"]
        assert mine == [f"line {i}" for i in range(15)]


def test_a_few_thousand_lines_read_back_in_pages(store: ExecutionStore) -> None:
    loaded = started(store)
    for start in range(0, 2_500, 500):
        store.append_logs(loaded.arn, log_lines(500, start=start))
    seen, after, calls = 0, 0, 0
    while page := store.get_logs(loaded.arn, after=after, limit=1000):
        calls += 1
        assert page[0]["seq"] == after + 1 and len(page) <= 1000
        seen += len(page)
        after = page[-1]["seq"]
    assert (seen, calls) == (2_500, 3)


# ================================================================ concurrency
def test_racing_commits_have_exactly_one_winner_per_version(store: ExecutionStore) -> None:
    threads_count, commits_each = 8, 5
    created = started(store)
    winners: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_count)

    def worker(number: int) -> None:
        try:
            barrier.wait()
            done = 0
            while done < commits_each:
                loaded = store.get_execution(created.arn)
                assert loaded is not None
                change = replace(loaded, state={"by": number, "done": done})
                try:
                    stored = store.commit(
                        change,
                        expected_version=loaded.version,
                        events=events(loaded.event_count + 1, 2, f"T{number}"),
                    )
                except StaleVersion:
                    continue
                winners.append(stored.version)
                done += 1
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    total = threads_count * commits_each
    assert sorted(winners) == list(range(2, total + 2))
    final = store.get_execution(created.arn)
    assert final is not None and (final.version, final.event_count) == (total + 1, 2 * total + 1)
    assert [e["id"] for e in store.get_events(created.arn)] == list(range(1, 2 * total + 2))


# ================================================================ SQLite only
def test_sqlite_two_handles_on_one_file_have_one_winner(tmp_path: Path) -> None:
    from interpreter.adapters.stores.sqlite import SqliteStore

    # GIVEN two stores on the same file (two connections: what two processes would hold)
    path = tmp_path / "shared.db"
    first, second = SqliteStore(path), SqliteStore(path)
    created = started(first)
    mine, theirs = first.get_execution(created.arn), second.get_execution(created.arn)
    assert mine is not None and theirs is not None and mine.version == theirs.version == 1

    # WHEN both commit against version 1
    won = first.commit(replace(mine, state={"by": "first"}), expected_version=1, events=events(2, 1))
    with pytest.raises(StaleVersion):
        second.commit(replace(theirs, state={"by": "second"}), expected_version=1, events=events(2, 1, "X"))

    # THEN the first won and the second changed nothing, as both handles see
    assert second.get_execution(created.arn) == won
    assert [e["type"] for e in second.get_events(created.arn)] == ["ExecutionStarted", "PassStateEntered"]
    first.close()
    second.close()


def test_sqlite_racing_handles_on_one_file_have_one_winner_per_version(tmp_path: Path) -> None:
    from interpreter.adapters.stores.sqlite import SqliteStore

    path = tmp_path / "race.db"
    handles = [SqliteStore(path) for _ in range(4)]
    created = started(handles[0])
    winners: list[int] = []
    barrier = threading.Barrier(len(handles))

    def worker(store: SqliteStore) -> None:
        barrier.wait()
        done = 0
        while done < 10:
            loaded = store.get_execution(created.arn)
            assert loaded is not None
            try:
                stored = store.commit(
                    loaded, expected_version=loaded.version, events=events(loaded.event_count + 1, 1)
                )
            except StaleVersion:
                continue
            winners.append(stored.version)
            done += 1

    threads = [threading.Thread(target=worker, args=(handle,)) for handle in handles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(winners) == list(range(2, 42))
    assert [e["id"] for e in handles[1].get_events(created.arn)] == list(range(1, 42))
    for handle in handles:
        handle.close()


def test_sqlite_data_survives_reopening_the_file(tmp_path: Path) -> None:
    from interpreter.adapters.stores.sqlite import SqliteStore

    path = tmp_path / "nested" / "dirs" / "stepfn.db"
    store = SqliteStore(path)
    store.create_state_machine(make_machine())
    store.create_activity(make_activity())
    loaded = started(store)
    stored = store.commit(
        replace(loaded, state={"kept": [1.5, "ü"]}), expected_version=1, events=events(2, 2)
    )
    store.close()

    again = SqliteStore(path)
    assert again.get_execution(loaded.arn) == stored
    assert [e["id"] for e in again.get_events(loaded.arn)] == [1, 2, 3]
    assert again.get_state_machine(machine_arn("Hello")) == make_machine()
    assert again.get_activity(make_activity().arn) == make_activity()
    assert again.writes == 0
    mode = again._read("PRAGMA journal_mode")[0][0]
    version = again._read("PRAGMA user_version")[0][0]
    assert (mode, version) == ("wal", 2)
    again.close()


def test_sqlite_opens_a_version_1_file_and_adds_the_logs_table(tmp_path: Path) -> None:
    import sqlite3

    from interpreter.adapters.stores import _sqlite_schema
    from interpreter.adapters.stores.sqlite import SqliteStore

    # GIVEN a file made by the first schema, holding an execution
    path = tmp_path / "v1.db"
    connection = sqlite3.connect(path)
    for statement in _sqlite_schema.MIGRATIONS[0]:
        connection.execute(statement)
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()
    store = SqliteStore(path)
    loaded = started(store)
    store.close()
    # WHEN it is opened again (already at the new version) and logs are appended
    again = SqliteStore(path)
    again.append_logs(loaded.arn, log_lines(2))
    # THEN the execution is there, the logs read back and the file is at the new version
    assert again.get_execution(loaded.arn) == loaded
    assert [r["seq"] for r in again.get_logs(loaded.arn)] == [1, 2]
    assert again._read("PRAGMA user_version")[0][0] == _sqlite_schema.SCHEMA_VERSION == 2
    again.close()


def test_sqlite_refuses_a_database_from_a_newer_stepfn(tmp_path: Path) -> None:
    import sqlite3

    from interpreter.adapters.stores.sqlite import SqliteStore

    path = tmp_path / "future.db"
    SqliteStore(path).close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    with pytest.raises(StoreError, match="schema version 99"):
        SqliteStore(path)


def test_sqlite_in_memory_database(tmp_path: Path) -> None:
    from interpreter.adapters.stores.sqlite import SqliteStore

    store = SqliteStore(":memory:")
    loaded = started(store)
    assert store.commit(loaded, expected_version=1, events=[]).version == 2
    store.close()


# ================================================================ DynamoDB only
def _table_items(store: Any) -> list[dict[str, Any]]:
    return store._table.client.scan(TableName=store.table_name)["Items"]


def test_dynamodb_a_commit_writes_one_event_page_and_no_stale_chunks(dynamodb_store: Any) -> None:
    loaded = started(dynamodb_store, n=2)
    big = {"blob": os.urandom(600_000).hex()}
    grown = dynamodb_store.commit(replace(loaded, state=big), expected_version=1, events=events(3, 4))
    chunks = [i["sk"]["S"] for i in _table_items(dynamodb_store) if i["sk"]["S"].startswith("S#")]
    assert chunks == ["S#0000000002#000", "S#0000000002#001"]  # ~660 KB compressed: two chunks
    shrunk = dynamodb_store.commit(replace(grown, state={"n": 1}), expected_version=2, events=events(7, 1))

    keys = sorted(item["sk"]["S"] for item in _table_items(dynamodb_store))
    # One page per write (keyed by its last event id), the execution item, no chunks left behind.
    assert keys == ["#", "E#0000000002", "E#0000000006", "E#0000000007"]
    assert dynamodb_store.get_execution(loaded.arn) == shrunk


def test_dynamodb_commit_from_another_store_object_cleans_the_chunks_it_did_not_see(
    dynamodb_store: Any,
) -> None:
    from interpreter.adapters.stores.dynamodb import DynamoDbStore

    # GIVEN a chunked state written by one store object
    loaded = started(dynamodb_store)
    big = {"blob": os.urandom(800_000).hex()}
    grown = dynamodb_store.commit(replace(loaded, state=big), expected_version=1, events=[])
    assert sum(i["sk"]["S"].startswith("S#") for i in _table_items(dynamodb_store)) == 3
    # WHEN another object (another Lambda) commits without having read the item, with a wrong
    # event count on the item and no events
    other = DynamoDbStore(dynamodb_store.table_name, client=dynamodb_store._table.client)
    after = other.commit(replace(grown, state={"small": True}, event_count=0), expected_version=2, events=[])
    # THEN it learns the stored counts, deletes the old chunks and reports the real event count
    assert (after.version, after.event_count) == (3, 1)
    assert sorted(item["sk"]["S"] for item in _table_items(dynamodb_store)) == ["#", "E#0000000001"]
    assert other.get_execution(loaded.arn) == after


def test_dynamodb_a_document_too_big_for_its_item_spills_with_the_state(dynamodb_store: Any) -> None:
    payload = json.dumps({"blob": base64.b64encode(os.urandom(190_000)).decode()})
    item = replace(make_execution(), input=payload, output=payload[::-1])
    stored = dynamodb_store.create_execution(item, events(1, 1))

    (main,) = [i for i in _table_items(dynamodb_store) if i["sk"]["S"] == "#"]
    assert not {"d", "dz", "s", "sz"} & set(main) and int(main["ch"]["N"]) >= 2
    assert dynamodb_store.get_execution(item.arn) == stored
    assert dynamodb_store.list_executions().items == [replace(stored, state=None)]


def test_dynamodb_a_commit_too_big_for_one_transaction_is_a_store_error(dynamodb_store: Any) -> None:
    loaded = started(dynamodb_store)
    huge = {"blob": os.urandom(4_500_000).hex()}  # ~4.5 MB compressed: over the 4 MB limit
    with pytest.raises(StoreError, match="does not fit one DynamoDB transaction"):
        dynamodb_store.commit(replace(loaded, state=huge), expected_version=1, events=[])
    assert dynamodb_store.get_execution(loaded.arn) == loaded


def test_dynamodb_log_records_live_in_the_execution_partition(dynamodb_store: Any) -> None:
    loaded = started(dynamodb_store)
    dynamodb_store.append_logs(loaded.arn, log_lines(30))  # two BatchWriteItem calls (25 + 5)
    keys = sorted(i["sk"]["S"] for i in _table_items(dynamodb_store))
    assert keys[:3] == ["#", "E#0000000001", "L#000000000001"] and keys[-2:] == ["L#000000000030", "LN"]
    assert len(keys) == 33
    # the log items are in no index: listings and the execution are unchanged
    assert dynamodb_store.list_executions().items == [replace(loaded, state=None)]


def test_dynamodb_errors_become_store_errors_with_the_aws_message(dynamodb_client: Any) -> None:
    from interpreter.adapters.stores.dynamodb import DynamoDbStore

    missing = DynamoDbStore("no-such-table", client=dynamodb_client)
    with pytest.raises(StoreError, match="ResourceNotFoundException"):
        missing.get_execution("arn:aws:states:us-east-1:123456789012:execution:M:e")
    with pytest.raises(StoreError, match="ResourceNotFoundException"):
        missing.create_execution(make_execution(), events(1, 1))


def test_dynamodb_create_true_makes_the_table_once(dynamodb_client: Any) -> None:
    from interpreter.adapters.stores.dynamodb import DynamoDbStore

    name = f"stepfn-{uuid.uuid4().hex[:12]}"
    DynamoDbStore(name, client=dynamodb_client, create=True)
    store = DynamoDbStore(name, client=dynamodb_client, create=True)  # already there: fine
    table = dynamodb_client.describe_table(TableName=name)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert sorted(i["IndexName"] for i in table["GlobalSecondaryIndexes"]) == [
        "by_kind",
        "by_machine",
        "by_status",
    ]
    started(store)
    dynamodb_client.delete_table(TableName=name)
