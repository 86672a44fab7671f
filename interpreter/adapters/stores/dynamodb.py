"""``DynamoDbStore``: the execution store in one DynamoDB table (the serverless deployment).

Single-table design (docs/stores.md has the full picture). Every item has a string ``pk`` (an
ARN) and ``sk``:

====================  ==============================  ===========================================
item                  pk / sk                         attributes
====================  ==============================  ===========================================
state machine         machine ARN / ``#``             kind, osk, rev, tags, d|dz (JSON document)
machine revision      machine ARN / ``R#<revision>``  rev, tags, d|dz
activity              activity ARN / ``#``            kind, osk, tags, d
execution             execution ARN / ``#``           kind, osk, mach, st, v (version),
                                                      n (event count), ch (chunk count),
                                                      d|dz (document), s|sz (state JSON)
state chunk           execution ARN / ``S#<v>#<i>``   b: zlib bytes of ``[document|null, state]``
event page            execution ARN / ``E#<last id>`` f (first id), ev|evz (JSON list of events)
log counter           execution ARN / ``LN``          n (the last log seq given)
log record            execution ARN / ``L#<seq>``     lv (level rank), stn (state), b|bz (JSON)
====================  ==============================  ===========================================

GSIs (all keyed by a string ``osk`` sort key, which ends with the ARN so it is unique):
``by_kind`` (kind, osk; keys only) lists machines and activities oldest first and executions
newest first (osk of an execution is ``10**15 - start ms``); ``by_machine`` (mach, osk; projects
``st`` for the status filter) lists one machine's executions; ``by_status`` (st, osk; keys only)
lists executions of one status and finds the RUNNING ones. Listings read keys from a GSI, then
the items with a consistent ``BatchGetItem`` (GSIs themselves are eventually consistent).

Writes: creates are conditional on ``attribute_not_exists(pk)``; a commit is ONE
``TransactWriteItems`` (or one ``PutItem`` when a single item suffices): the execution item
conditional on ``v = expected AND n = stored event count AND ch = stored chunk count``, the new
version's state chunks, deletes of the previous version's chunks, and the commit's event pages
(conditional on ``attribute_not_exists``). A commit must fit one transaction: 100 items and
4 MB, i.e. about 3.5 MB of compressed state plus events; bigger commits raise ``StoreError``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from . import _dynamodb_items as ddb
from ._codec import (
    check_event_ids,
    encode_token,
    first_event_id,
    key_token,
    log_record,
    log_row,
    select_events,
    stored_execution,
)
from ._dynamodb_items import MAIN, Item
from ._dynamodb_table import CONDITION_FAILED, Table, key, put
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

_SUMMARY = "pk, v, n, ch, d, dz"  # what listings read of an execution item (no state)


class DynamoDbStore:
    """The store in the DynamoDB table ``table_name`` (``create=True``: create it when missing)."""

    def __init__(self, table_name: str, client: Any = None, create: bool = False) -> None:
        if client is None:
            import boto3

            client = boto3.client("dynamodb")
        self.table_name = table_name
        self._table = Table(client, table_name)
        self._lock = threading.Lock()
        self._writes = 0
        # arn -> (version, event count, chunk count) last seen: the guesses a commit conditions on.
        self._seen: dict[str, tuple[int, int, int]] = {}
        if create:
            self._table.create_if_missing()

    @property
    def writes(self) -> int:
        return self._writes

    def _count_write(self) -> None:
        with self._lock:
            self._writes += 1

    def _remember(self, arn: str, version: int, count: int, chunks: int) -> None:
        with self._lock:
            self._seen.pop(arn, None)
            self._seen[arn] = (version, count, chunks)
            if len(self._seen) > 4096:
                self._seen.pop(next(iter(self._seen)))

    # ------------------------------------------------------------ state machines
    def create_state_machine(self, item: StateMachineItem) -> None:
        self._count_write()
        current, revision = ddb.machine_items(item)
        reasons = self._table.write([put(current, "attribute_not_exists(pk)"), put(revision)])
        if reasons is not None:
            if reasons[0] == CONDITION_FAILED:
                raise AlreadyExists(f"State machine already exists: {item.arn}")
            raise StoreError(f"Cannot create state machine {item.arn}: {reasons}")

    def update_state_machine(self, item: StateMachineItem, *, expected_revision: str) -> None:
        self._count_write()
        current, revision = ddb.machine_items(item)
        reasons = self._table.write(
            [
                put(current, "attribute_exists(pk) AND #rev = :rev", {":rev": {"S": expected_revision}}),
                put(revision, "attribute_not_exists(pk)"),
            ]
        )
        if reasons is None:
            return
        if reasons[0] == CONDITION_FAILED:
            stored = self._table.get(item.arn, projection="rev")
            if stored is None:
                raise NotFound(f"State machine does not exist: {item.arn}")
            raise StaleVersion(f"State machine {item.arn} is not at revision {expected_revision}")
        if reasons[1] == CONDITION_FAILED:
            raise AlreadyExists(f"Revision {item.revision_id} of {item.arn} is already stored")
        raise StoreError(f"Cannot update state machine {item.arn}: {reasons}")

    def get_state_machine(self, arn: str, revision_id: str | None = None) -> StateMachineItem | None:
        found = self._table.get(arn, MAIN if revision_id is None else "R#" + revision_id)
        if found is None or (revision_id is None and found.get("kind", {}).get("S") != ddb.KIND_MACHINE):
            return None
        return ddb.machine_of(found)

    def list_state_machines(self, *, limit: int = 100, next_token: str | None = None) -> Page:
        return self._list_by_kind(ddb.KIND_MACHINE, ddb.machine_of, limit, next_token)

    def delete_state_machine(self, arn: str) -> None:
        self._count_write()
        self._delete_main(arn, ddb.KIND_MACHINE)

    # ------------------------------------------------------------ activities
    def create_activity(self, item: ActivityItem) -> None:
        self._count_write()
        if self._table.write([put(ddb.activity_item(item), "attribute_not_exists(pk)")]) is not None:
            raise AlreadyExists(f"Activity already exists: {item.arn}")

    def get_activity(self, arn: str) -> ActivityItem | None:
        found = self._table.get(arn)
        if found is None or found.get("kind", {}).get("S") != ddb.KIND_ACTIVITY:
            return None
        return ddb.activity_of(found)

    def list_activities(self, *, limit: int = 100, next_token: str | None = None) -> Page:
        return self._list_by_kind(ddb.KIND_ACTIVITY, ddb.activity_of, limit, next_token)

    def delete_activity(self, arn: str) -> None:
        self._count_write()
        self._delete_main(arn, ddb.KIND_ACTIVITY)

    def _delete_main(self, arn: str, kind: str) -> None:
        self._table.conditional(
            "delete_item",
            Key=key(arn, MAIN),
            ConditionExpression="#kind = :kind",
            ExpressionAttributeNames={"#kind": "kind"},
            ExpressionAttributeValues={":kind": {"S": kind}},
        )  # a failed condition: nothing (of that kind) to delete

    def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        self._count_write()
        updated = self._table.conditional(
            "update_item",
            Key=key(arn, MAIN),
            UpdateExpression="SET #tags = :tags",
            ConditionExpression="#kind IN (:machine, :activity)",
            ExpressionAttributeNames={"#tags": "tags", "#kind": "kind"},
            ExpressionAttributeValues={
                ":tags": {"S": ddb.dumps(tags)},
                ":machine": {"S": ddb.KIND_MACHINE},
                ":activity": {"S": ddb.KIND_ACTIVITY},
            },
        )
        if not updated:
            raise NotFound(f"Resource not found: {arn}")

    def _list_by_kind(self, kind: str, decode: Any, limit: int, next_token: str | None) -> Page:
        keys = self._index_keys(ddb.BY_KIND, "kind", kind, limit, next_token)
        found = self._table.batch_get([key["pk"]["S"] for key in keys[:limit]])
        items = [decode(found[k["pk"]["S"]]) for k in keys[:limit] if k["pk"]["S"] in found]
        return Page(items=items, next_token=_token(keys, limit))

    def _index_keys(
        self,
        index: str,
        hash_name: str,
        hash_value: str,
        limit: int,
        next_token: str | None,
        status: str | None = None,
    ) -> list[Item]:
        """Up to ``limit + 1`` index keys (one extra tells whether there is a next page)."""
        if limit <= 0:
            return []
        after = key_token(next_token)
        names = {"#h": hash_name}
        values: dict[str, Any] = {":h": {"S": hash_value}}
        condition = "#h = :h"
        if after is not None:
            if not isinstance(after[0], int):
                raise StoreError(f"Invalid next_token: {next_token!r}")
            condition += " AND #o > :after"
            names["#o"] = "osk"
            values[":after"] = {"S": f"{after[0]:016d}#{after[1]}"}
        kwargs: dict[str, Any] = {"IndexName": index, "KeyConditionExpression": condition}
        if status is not None:
            kwargs["FilterExpression"] = "#st = :st"
            names["#st"] = "st"
            values[":st"] = {"S": status}
        else:
            kwargs["Limit"] = limit + 1
        kwargs |= {"ExpressionAttributeNames": names, "ExpressionAttributeValues": values}
        keys: list[Item] = []
        for found in self._table.query(**kwargs):
            keys.append(found)
            if len(keys) > limit:
                break
        return keys

    # ------------------------------------------------------------ executions
    def create_execution(self, item: ExecutionItem, events: list[dict[str, Any]]) -> ExecutionItem:
        self._count_write()
        check_event_ids(events, 0)
        write = ddb.execution_write(item, version=1, event_count=len(events))
        pages = ddb.event_pages(item.arn, events)
        ops = [put(write.main, "attribute_not_exists(pk)"), *map(put, write.chunks), *map(put, pages)]
        reasons = self._table.write(ops)
        if reasons is not None:
            if reasons[0] == CONDITION_FAILED:
                raise AlreadyExists(f"Execution already exists: {item.arn}")
            raise StoreError(f"Cannot create execution {item.arn}: {reasons}")
        self._remember(item.arn, 1, len(events), len(write.chunks))
        return stored_execution(item, version=1, event_count=len(events), state=_copy(item.state))

    def get_execution(self, arn: str) -> ExecutionItem | None:
        for _attempt in range(10):
            found = self._table.get(arn)
            if found is None or found.get("kind", {}).get("S") != ddb.KIND_EXECUTION:
                return None
            version, count, chunks = int(found["v"]["N"]), int(found["n"]["N"]), int(found["ch"]["N"])
            self._remember(arn, version, count, chunks)
            if not chunks:
                return ddb.execution_of(found, state=ddb.inline_state(found))
            spilled = self._chunks(arn, version)
            if len(spilled) == chunks:
                doc_text, state = ddb.spilled_payload(spilled)
                return ddb.execution_of(found, doc_text=doc_text, state=state)
            # A newer commit replaced this version's chunks between our two reads: read again.
        raise StoreError(f"Execution {arn} keeps changing while it is read")

    def _chunks(self, arn: str, version: int) -> list[Item]:
        return list(
            self._table.query(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                ExpressionAttributeValues={":pk": {"S": arn}, ":prefix": {"S": ddb.chunk_prefix(version)}},
                ConsistentRead=True,
            )
        )

    def commit(
        self, item: ExecutionItem, *, expected_version: int, events: list[dict[str, Any]]
    ) -> ExecutionItem:
        self._count_write()
        first = first_event_id(events)
        pages = [put(page, "attribute_not_exists(pk)") for page in ddb.event_pages(item.arn, events)]
        seen = self._seen.get(item.arn)
        stored_count, old_chunks = item.event_count, 0
        if seen is not None and seen[0] == expected_version:
            stored_count, old_chunks = seen[1], seen[2]
        if first is not None:
            stored_count = first - 1
        # Guessed stored event and chunk counts are conditions too; a wrong guess is read and retried.
        for _attempt in range(3):
            count = stored_count + len(events)
            write = ddb.execution_write(item, version=expected_version + 1, event_count=count)
            expected = {
                ":v": {"N": str(expected_version)},
                ":n": {"N": str(stored_count)},
                ":ch": {"N": str(old_chunks)},
            }
            ops = [put(write.main, "#v = :v AND #n = :n AND #ch = :ch", expected)]
            ops += [put(chunk) for chunk in write.chunks]
            old = ddb.chunk_prefix(expected_version)
            ops += [{"Delete": {"Key": key(item.arn, f"{old}{i:03d}")}} for i in range(old_chunks)]
            reasons = self._table.write(ops + pages)
            if reasons is None:
                self._remember(item.arn, expected_version + 1, count, len(write.chunks))
                return stored_execution(
                    item,
                    version=expected_version + 1,
                    event_count=count,
                    state=_copy(item.state),
                )
            if "TransactionConflict" in reasons:
                raise StaleVersion(f"Execution {item.arn} is being changed by a concurrent commit")
            if CONDITION_FAILED not in reasons:
                raise StoreError(f"Cannot commit execution {item.arn}: {reasons}")
            # Why did a condition fail? Someone else's commit, a missing item, events that do not
            # continue the history, or a wrong guess of the stored counts (then try again).
            stored = self._table.get(item.arn, projection="v, n, ch, kind")
            if stored is None or stored.get("kind", {}).get("S") != ddb.KIND_EXECUTION:
                raise NotFound(f"Execution does not exist: {item.arn}")
            version = int(stored["v"]["N"])
            if version != expected_version:
                raise StaleVersion(f"Execution {item.arn} is at version {version}, not {expected_version}")
            check_event_ids(events, int(stored["n"]["N"]))
            if reasons[0] != CONDITION_FAILED:
                raise StoreError(f"Execution {item.arn} already holds events of this commit: {reasons}")
            stored_count, old_chunks = int(stored["n"]["N"]), int(stored["ch"]["N"])
        raise StaleVersion(f"Execution {item.arn} kept changing during the commit")

    def list_executions(
        self,
        *,
        machine_arn: str | None = None,
        status: str | None = None,
        limit: int = 100,
        next_token: str | None = None,
    ) -> Page:
        if machine_arn is not None:
            keys = self._index_keys(ddb.BY_MACHINE, "mach", machine_arn, limit, next_token, status)
        elif status is not None:
            keys = self._index_keys(ddb.BY_STATUS, "st", status, limit, next_token)
        else:
            keys = self._index_keys(ddb.BY_KIND, "kind", ddb.KIND_EXECUTION, limit, next_token)
        arns = [key["pk"]["S"] for key in keys[:limit]]
        found = self._table.batch_get(arns, _SUMMARY)
        items = []
        for arn in arns:
            item = found.get(arn)
            if item is not None and ("d" in item or "dz" in item):
                items.append(ddb.execution_of(item))
            elif item is not None:  # a document too big for its item was spilled with the state
                full = self.get_execution(arn)
                if full is not None:
                    items.append(replace(full, state=None))
        return Page(items=items, next_token=_token(keys, limit))

    def unfinished_executions(self) -> list[str]:
        keys = self._table.query(
            IndexName=ddb.BY_STATUS,
            KeyConditionExpression="#st = :running",
            ExpressionAttributeNames={"#st": "st"},
            ExpressionAttributeValues={":running": {"S": "RUNNING"}},
        )
        return [key["pk"]["S"] for key in keys]

    def get_events(
        self, arn: str, *, after: int = 0, limit: int | None = None, reverse: bool = False
    ) -> list[dict[str, Any]]:
        if limit is not None and limit <= 0:
            return []
        low, high = ddb.event_page_sk(0), ddb.event_page_sk(9_999_999_999)
        if not reverse:
            low = ddb.event_page_sk(max(after, 0) + 1)  # pages are keyed by their last id
        elif after > 0:
            # The page holding event ``after - 1`` is the first whose last id is >= after - 1.
            holder = next(self._event_pages(arn, ddb.event_page_sk(after - 1), high, False, 1), None)
            if holder is not None:
                high = holder["sk"]["S"]
        chosen: list[dict[str, Any]] = []
        for page in self._event_pages(arn, low, high, reverse, None):
            page_events = ddb.events_of(page)
            chosen += select_events(page_events, after=after, limit=None, reverse=reverse)
            if limit is not None and len(chosen) >= limit:
                return chosen[:limit]
        return chosen

    def _event_pages(self, arn: str, low: str, high: str, reverse: bool, limit: int | None) -> Iterator[Item]:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {":pk": {"S": arn}, ":low": {"S": low}, ":high": {"S": high}},
            "ConsistentRead": True,
            "ScanIndexForward": not reverse,
        }
        if limit is not None:
            kwargs["Limit"] = limit
            return iter(self._table.call("query", **kwargs).get("Items", []))
        return self._table.query(**kwargs)

    # ------------------------------------------------------------ logs
    def append_logs(self, arn: str, records: list[dict[str, Any]]) -> int:
        """Reserve seqs with one atomic ``ADD`` on the execution's log counter item, then put the
        records with ``BatchWriteItem`` (not a transaction: logs are a side channel). A failure
        between the two leaves a gap in the seqs, never a duplicate."""
        rows = [log_row(record) for record in records]
        if not rows:
            return 0
        answer = self._table.call(
            "update_item",
            Key=key(arn, ddb.LOG_COUNTER),
            UpdateExpression="ADD #n :count",
            ExpressionAttributeNames={"#n": "n"},
            ExpressionAttributeValues={":count": {"N": str(len(rows))}},
            ReturnValues="UPDATED_NEW",
        )
        last = int(answer["Attributes"]["n"]["N"])
        first = last - len(rows) + 1
        items = [
            ddb.log_item(arn, first + i, text, rank, state) for i, (text, rank, state) in enumerate(rows)
        ]
        self._table.batch_put(items)
        return last

    def get_logs(
        self,
        arn: str,
        *,
        after: int = 0,
        limit: int | None = None,
        state: str | None = None,
        level: str | None = None,
    ) -> list[dict[str, Any]]:
        if limit is not None and limit <= 0:
            return []
        values: dict[str, Any] = {
            ":pk": {"S": arn},
            ":low": {"S": ddb.log_sk(max(after, 0) + 1)},
            ":high": {"S": ddb.log_sk(10**12 - 1)},
        }
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ConsistentRead": True,
        }
        filters, names = [], {}
        if state is not None:
            filters.append("#stn = :stn")
            names["#stn"] = "stn"
            values[":stn"] = {"S": state}
        if level is not None:
            filters.append("#lv >= :lv")
            names["#lv"] = "lv"
            values[":lv"] = {"N": str(log_level_rank(level))}
        if filters:
            kwargs["FilterExpression"] = " AND ".join(filters)
            kwargs["ExpressionAttributeNames"] = names
        kwargs["ExpressionAttributeValues"] = values
        # Each query page reads at most this many records (DynamoDB applies Limit before filters).
        kwargs["Limit"] = 1000 if limit is None else min(max(limit, 25 if filters else 1), 1000)
        chosen: list[dict[str, Any]] = []
        for item in self._table.query(**kwargs):
            chosen.append(log_record(*ddb.log_of(item)))
            if limit is not None and len(chosen) >= limit:
                break
        return chosen


# ---------------------------------------------------------------- helpers
def _token(keys: list[Item], limit: int) -> str | None:
    """The next-page token when ``keys`` holds more than ``limit`` keys: the last shown one's osk."""
    if len(keys) <= limit:
        return None
    sort_key, arn = keys[limit - 1]["osk"]["S"].split("#", 1)
    return encode_token([int(sort_key), arn])


def _copy(state: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if state is None else ddb.loads(ddb.dumps(state))
