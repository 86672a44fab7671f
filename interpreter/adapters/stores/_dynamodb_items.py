"""The DynamoDB store's table definition and item shapes (see ``dynamodb.py`` and docs/stores.md).

Items use the low-level attribute-value format. Documents (everything but the engine state) and
the engine state are JSON text, so floats round-trip exactly and no value needs ``Decimal``. Big
texts are zlib-compressed into binary attributes; an execution payload too big for its item
spills into chunk items.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

from ._codec import dumps, from_ms, loads, newest_first_key, opt_dt, opt_ms, to_ms
from .base import ActivityItem, ExecutionItem, StateMachineItem, StoreError

Attr = dict[str, Any]
Item = dict[str, Attr]

MAIN = "#"  # sort key of a machine's current revision, an activity and an execution
KIND_MACHINE, KIND_ACTIVITY, KIND_EXECUTION = "STATE_MACHINE", "ACTIVITY", "EXECUTION"
BY_KIND, BY_MACHINE, BY_STATUS = "by_kind", "by_machine", "by_status"

ITEM_BUDGET = 380_000  # bytes of payload we put in one item; DynamoDB's item limit is 400 KB
CHUNK_BYTES = 350_000  # bytes of compressed payload per chunk item
COMPRESS_OVER = 16_384  # texts longer than this are stored compressed
TRANSACTION_ITEMS = 100  # DynamoDB's limits on one TransactWriteItems call
TRANSACTION_BYTES = 4_000_000


def table_definition(table_name: str) -> dict[str, Any]:
    """``CreateTable`` arguments for the store's table (also the shape to declare in templates)."""

    def keys(hash_key: str, range_key: str) -> list[dict[str, str]]:
        return [
            {"AttributeName": hash_key, "KeyType": "HASH"},
            {"AttributeName": range_key, "KeyType": "RANGE"},
        ]

    def index(name: str, hash_key: str, projection: dict[str, Any]) -> dict[str, Any]:
        return {"IndexName": name, "KeySchema": keys(hash_key, "osk"), "Projection": projection}

    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"}
            for name in ("pk", "sk", "kind", "mach", "st", "osk")
        ],
        "KeySchema": keys("pk", "sk"),
        "GlobalSecondaryIndexes": [
            index(BY_KIND, "kind", {"ProjectionType": "KEYS_ONLY"}),
            index(BY_MACHINE, "mach", {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["st"]}),
            index(BY_STATUS, "st", {"ProjectionType": "KEYS_ONLY"}),
        ],
    }


# ---------------------------------------------------------------- sort keys
def oldest_first_osk(created_ms: int, arn: str) -> str:
    return f"{created_ms:016d}#{arn}"


def newest_first_osk(key: int, arn: str) -> str:
    """``key`` is ``newest_first_key(start)``: ascending order is newest start first."""
    return f"{key:016d}#{arn}"


def event_page_sk(last_id: int) -> str:
    return f"E#{last_id:010d}"


def chunk_prefix(version: int) -> str:
    return f"S#{version:010d}#"


def item_size(item: Item) -> int:
    """An upper bound of the item's size as DynamoDB counts it (names + values)."""
    size = 0
    for name, attr in item.items():
        (kind, value), = attr.items()  # fmt: skip
        size += len(name) + (len(value.encode()) if kind == "S" else len(value) if kind == "B" else 21)
    return size


# ---------------------------------------------------------------- texts
def text_attrs(name: str, text: str) -> Item:
    """``text`` as attribute ``name`` (S), or compressed as ``name + "z"`` (B) when long."""
    if len(text) <= COMPRESS_OVER:
        return {name: {"S": text}}
    return {name + "z": {"B": zlib.compress(text.encode())}}


def text_of(item: Item, name: str) -> str | None:
    if name in item:
        return str(item[name]["S"])
    if name + "z" in item:
        return zlib.decompress(bytes(item[name + "z"]["B"])).decode()
    return None


# ---------------------------------------------------------------- machines and activities
def machine_items(item: StateMachineItem) -> tuple[Item, Item]:
    """The current-revision item and the revision item of ``item``."""
    doc = {
        "name": item.name,
        "definition": item.definition,
        "role_arn": item.role_arn,
        "type": item.type,
        "creation_date": to_ms(item.creation_date),
        "update_date": opt_ms(item.update_date),
        "status": item.status,
        "description": item.description,
        "logging_configuration": item.logging_configuration,
        "tracing_configuration": item.tracing_configuration,
    }
    body = {"rev": {"S": item.revision_id}, "tags": {"S": dumps(item.tags)}, **text_attrs("d", dumps(doc))}
    current = {
        "pk": {"S": item.arn},
        "sk": {"S": MAIN},
        "kind": {"S": KIND_MACHINE},
        "osk": {"S": oldest_first_osk(to_ms(item.creation_date), item.arn)},
        **body,
    }
    revision = {"pk": {"S": item.arn}, "sk": {"S": "R#" + item.revision_id}, **body}
    return current, revision


def machine_of(item: Item) -> StateMachineItem:
    doc = loads(text_of(item, "d") or "{}")
    return StateMachineItem(
        **doc
        | {
            "arn": item["pk"]["S"],
            "revision_id": item["rev"]["S"],
            "tags": loads(item["tags"]["S"]),
            "creation_date": from_ms(doc["creation_date"]),
            "update_date": opt_dt(doc["update_date"]),
        }
    )


def activity_item(item: ActivityItem) -> Item:
    created = to_ms(item.creation_date)
    return {
        "pk": {"S": item.arn},
        "sk": {"S": MAIN},
        "kind": {"S": KIND_ACTIVITY},
        "osk": {"S": oldest_first_osk(created, item.arn)},
        "d": {"S": dumps({"name": item.name, "creation_date": created})},
        "tags": {"S": dumps(item.tags)},
    }


def activity_of(item: Item) -> ActivityItem:
    doc = loads(item["d"]["S"])
    return ActivityItem(
        arn=item["pk"]["S"],
        name=doc["name"],
        creation_date=from_ms(doc["creation_date"]),
        tags=loads(item["tags"]["S"]),
    )


# ---------------------------------------------------------------- executions
@dataclass(slots=True)
class ExecutionWrite:
    """The items that store one version of an execution: its main item and any payload chunks."""

    main: Item
    chunks: list[Item] = field(default_factory=list)


def execution_write(item: ExecutionItem, *, version: int, event_count: int) -> ExecutionWrite:
    doc_text = dumps(
        {
            "name": item.name,
            "machine_arn": item.machine_arn,
            "revision_id": item.revision_id,
            "type": item.type,
            "status": item.status,
            "input": item.input,
            "output": item.output,
            "error": item.error,
            "cause": item.cause,
            "start_date": to_ms(item.start_date),
            "stop_date": opt_ms(item.stop_date),
            "redrive_count": item.redrive_count,
            "redrive_date": opt_ms(item.redrive_date),
            "lease_owner": item.lease_owner,
            "lease_until": opt_ms(item.lease_until),
        }
    )
    state_text = "null" if item.state is None else dumps(item.state)
    main: Item = {
        "pk": {"S": item.arn},
        "sk": {"S": MAIN},
        "kind": {"S": KIND_EXECUTION},
        "mach": {"S": item.machine_arn},
        "st": {"S": item.status},
        "osk": {"S": newest_first_osk(newest_first_key(item.start_date), item.arn)},
        "v": {"N": str(version)},
        "n": {"N": str(event_count)},
    }
    payload = {**text_attrs("d", doc_text), **text_attrs("s", state_text)}
    if item_size(main) + item_size(payload) + 64 <= ITEM_BUDGET:
        return ExecutionWrite(main={**main, **payload, "ch": {"N": "0"}})
    # Spill: the state (and the document too if the item still would not fit) goes to chunks.
    doc_attrs = text_attrs("d", doc_text)
    spill_doc = item_size(main) + item_size(doc_attrs) + 64 > ITEM_BUDGET
    blob = zlib.compress(f"[{doc_text if spill_doc else 'null'},{state_text}]".encode())
    parts = [blob[i : i + CHUNK_BYTES] for i in range(0, len(blob), CHUNK_BYTES)]
    chunks: list[Item] = [
        {"pk": {"S": item.arn}, "sk": {"S": f"{chunk_prefix(version)}{i:03d}"}, "b": {"B": part}}
        for i, part in enumerate(parts)
    ]
    main = {**main, "ch": {"N": str(len(chunks))}, **({} if spill_doc else doc_attrs)}
    return ExecutionWrite(main=main, chunks=chunks)


def spilled_payload(chunks: list[Item]) -> tuple[str | None, Any]:
    """The (document text or None, state) kept in ``chunks`` (in sort key order)."""
    doc, state = loads(zlib.decompress(b"".join(bytes(c["b"]["B"]) for c in chunks)))
    return (None if doc is None else dumps(doc)), state


def execution_of(item: Item, *, doc_text: str | None = None, state: Any = None) -> ExecutionItem:
    """The item from its main item; ``doc_text``/``state`` when they were spilled to chunks."""
    doc = loads(doc_text if doc_text is not None else text_of(item, "d") or "{}")
    return ExecutionItem(
        arn=item["pk"]["S"],
        name=doc["name"],
        machine_arn=doc["machine_arn"],
        revision_id=doc["revision_id"],
        type=doc["type"],
        status=doc["status"],
        input=doc["input"],
        output=doc["output"],
        error=doc["error"],
        cause=doc["cause"],
        start_date=from_ms(doc["start_date"]),
        stop_date=opt_dt(doc["stop_date"]),
        version=int(item["v"]["N"]),
        state=state,
        event_count=int(item["n"]["N"]),
        redrive_count=doc["redrive_count"],
        redrive_date=opt_dt(doc["redrive_date"]),
        lease_owner=doc["lease_owner"],
        lease_until=opt_dt(doc["lease_until"]),
    )


def inline_state(item: Item) -> Any:
    text = text_of(item, "s")
    return None if text is None else loads(text)


# ---------------------------------------------------------------- events
def event_pages(arn: str, events: list[dict[str, Any]]) -> list[Item]:
    """``events`` (consecutive ids) as event page items: one page unless they are too big for one."""
    texts = [dumps(event) for event in events]
    groups: list[list[int]] = []
    size = 0
    for index, text in enumerate(texts):
        if not groups or size + len(text) > CHUNK_BYTES:
            groups.append([])
            size = 0
        groups[-1].append(index)
        size += len(text) + 1
    pages = []
    for group in groups:
        body = text_attrs("ev", "[" + ",".join(texts[i] for i in group) + "]")
        page = {
            "pk": {"S": arn},
            "sk": {"S": event_page_sk(events[group[-1]]["id"])},
            "f": {"N": str(events[group[0]]["id"])},
            **body,
        }
        if item_size(page) > ITEM_BUDGET:
            raise StoreError(f"History event {events[group[0]]['id']} of {arn} is too big to store")
        pages.append(page)
    return pages


def events_of(page: Item) -> list[dict[str, Any]]:
    return list(loads(text_of(page, "ev") or "[]"))


# ---------------------------------------------------------------- log records
LOG_COUNTER = "LN"  # sort key of an execution's log counter item (``n``: the last seq given)


def log_sk(seq: int) -> str:
    return f"L#{seq:012d}"


def log_item(arn: str, seq: int, text: str, rank: int, state: str | None) -> Item:
    """One log record: ``lv`` (level rank) and ``stn`` (state) serve the query's filters."""
    item: Item = {"pk": {"S": arn}, "sk": {"S": log_sk(seq)}, "lv": {"N": str(rank)}, **text_attrs("b", text)}
    if state is not None:
        item["stn"] = {"S": state}
    if item_size(item) > ITEM_BUDGET:
        raise StoreError(f"Log record {seq} of {arn} is too big to store")
    return item


def log_of(item: Item) -> tuple[int, str]:
    """(seq, JSON text) of a log record item."""
    return int(item["sk"]["S"][2:]), text_of(item, "b") or "{}"
