"""Distributed Map ItemReader: the items of an S3 object or listing, from the data the runner fetched.

Pure: the task runner (``adapters/aws/map_io.py``) performs the S3 call and hands back the
object's text (``s3:getObject``) or the listed objects (``s3:listObjectsV2``); this module turns
that into the Map's items as Step Functions does. Failures raise ``ItemReaderError`` (the Map
fails with ``States.ItemReaderFailed`` and its cause).

Sources (AWS is the spec):

* AWS developer guide "How Step Functions parses input CSV files": the delimiter is
  ``CSVDelimiter`` (COMMA by default), newlines separate records, fields are strings, double
  quotes enclose fields that hold delimiters or newlines and are kept by doubling them (``""``),
  a backslash escapes a backslash, a double quote or the delimiter and is silently dropped before
  any other character, a row with fewer fields than the header gets empty strings, a row with more
  fields has the extra ones skipped.
* Recorded AWS runs (LocalStack's AWS-validated snapshots ``test_map_item_reader_*``, recorded
  21-09-2023): a whitespace-only line is an item (``{"Col1": "   ", "Col2": "", ...}``); an empty
  header (``H1,``) is the key ``""``; duplicate headers fail with "CSV headers cannot contain
  duplicates."; a JSON document that is not an array fails with "Attempting to map over
  non-iterable node."; the keys of a CSV item come out in the iteration order of a Java
  ``HashMap`` (``{"0": .., "{}": .., "True": ..}`` for the headers ``0,True,{}``), which
  ``java_hash_order`` reproduces.
* AWS developer guide "ItemReader (Map)": ``MaxItems`` (or ``MaxItemsPath``) limits the items read
  (CSV: data rows after the header), up to 100,000,000; ``s3:listObjectsV2`` items are
  ``{"Etag", "Key", "LastModified", "Size", "StorageClass"}`` with ``LastModified`` in epoch
  seconds; ``ItemsPointer`` (JSON Pointer) selects the array inside a JSON object; JSONL is one
  JSON value a line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..errors import StatesErrorName

ITEM_READER_FAILED = StatesErrorName.ITEM_READER_FAILED.value
MAX_ITEMS_LIMIT = 100_000_000  # "The Distributed Map state stops reading items beyond 100,000,000"
DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}
NOT_ITERABLE = "Attempting to map over non-iterable node."
DUPLICATE_HEADERS = "CSV headers cannot contain duplicates."
NEGATIVE_MAX_ITEMS = "field MaxItems must be positive"


class ItemReaderError(Exception):
    """The items cannot be read: the Map fails with States.ItemReaderFailed and this cause."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


# ---------------------------------------------------------------------------------- MaxItems
def effective_max_items(value: int | None) -> int | None:
    """The number of items to read: None (all) for an absent or zero MaxItems, at most 100 million.

    A negative value fails (recorded AWS run ``test_map_item_reader_csv_max_items_paths[-1]``)."""
    if value is None or value == 0:
        return None
    if value < 0:
        raise ItemReaderError(NEGATIVE_MAX_ITEMS)
    return min(value, MAX_ITEMS_LIMIT)


def _limit(items: Iterable[Any], max_items: int | None) -> list[Any]:
    if max_items is None:
        return list(items)
    out: list[Any] = []
    for item in items:
        if len(out) >= max_items:
            break
        out.append(item)
    return out


# ---------------------------------------------------------------------------------- getObject
def items_from_text(
    text: str,
    *,
    input_type: str | None = "JSON",
    csv_header_location: str = "FIRST_ROW",
    csv_headers: Sequence[str] | None = None,
    csv_delimiter: str = "COMMA",
    items_pointer: str | None = None,
    max_items: int | None = None,
) -> list[Any]:
    """The items of an S3 object's text, read as ``ReaderConfig`` says."""
    if text.startswith("\ufeff"):
        text = text[1:]
    kind = input_type or "JSON"
    if kind == "CSV":
        return csv_items(
            text,
            header_location=csv_header_location,
            headers=csv_headers,
            delimiter=csv_delimiter,
            max_items=max_items,
        )
    if kind == "JSONL":
        return jsonl_items(text, max_items=max_items)
    if kind == "JSON":
        return json_items(text, items_pointer=items_pointer, max_items=max_items)
    raise ItemReaderError(f"The InputType {kind} is not supported by this local run.")


def json_items(text: str, *, items_pointer: str | None = None, max_items: int | None = None) -> list[Any]:
    try:
        document = json.loads(text)
    except ValueError as err:
        raise ItemReaderError(f"The ItemReader could not parse the JSON content: {err}") from None
    if items_pointer:
        document = resolve_pointer(document, items_pointer)
    if type(document) is not list:
        raise ItemReaderError(NOT_ITERABLE)
    return document[:max_items] if max_items is not None else document


def resolve_pointer(document: Any, pointer: str) -> Any:
    """RFC 6901: ``/data/items`` → ``document["data"]["items"]`` (``~1`` is ``/``, ``~0`` is ``~``)."""
    if pointer == "":
        return document
    if not pointer.startswith("/"):
        raise ItemReaderError(f"The ItemsPointer '{pointer}' is not a valid JSON Pointer.")
    node = document
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if type(node) is dict and token in node:
            node = node[token]
        elif type(node) is list and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise ItemReaderError(f"The ItemsPointer '{pointer}' points to no value in the JSON content.")
    return node


def jsonl_items(text: str, *, max_items: int | None = None) -> list[Any]:
    out: list[Any] = []
    for number, line in enumerate(text.splitlines(), 1):
        if max_items is not None and len(out) >= max_items:
            break
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except ValueError as err:
            raise ItemReaderError(f"The ItemReader could not parse line {number} as JSON: {err}") from None
    return out


# ---------------------------------------------------------------------------------- CSV
def csv_items(
    text: str,
    *,
    header_location: str = "FIRST_ROW",
    headers: Sequence[str] | None = None,
    delimiter: str = "COMMA",
    max_items: int | None = None,
) -> list[dict[str, str]]:
    """Rows as objects keyed by the header (the first row, or the given ``CSVHeaders``)."""
    records = csv_records(text, DELIMITERS.get(delimiter, delimiter))
    if header_location == "GIVEN":
        names = list(headers or ())
    else:
        first = next(records, None)
        if first is None:
            return []
        names = first
    if len(set(names)) < len(names):
        raise ItemReaderError(DUPLICATE_HEADERS)
    order = java_hash_order(names)
    width = len(names)
    items: list[dict[str, str]] = []
    for record in records:
        if max_items is not None and len(items) >= max_items:
            break
        values = record + [""] * (width - len(record)) if len(record) < width else record
        items.append({names[i]: values[i] for i in order})
    return items


def csv_records(text: str, delimiter: str = ",") -> Iterator[list[str]]:
    """The records of delimited text, as AWS's CSV rules read them (module docstring).

    Empty lines are skipped; a line of spaces is a record."""
    field: list[str] = []
    record: list[str] = []
    quoted = False  # inside a "..." section
    at_start = True  # nothing read yet in this field
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            if i + 1 < n:
                # \\, \" and \<delimiter> stand for the character; before any other, the \ is dropped
                field.append(text[i + 1])
            i += 2
            at_start = False
            continue
        if quoted:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    field.append('"')
                    i += 2
                    continue
                quoted = False
            else:
                field.append(ch)
            i += 1
            continue
        if ch == '"':
            if at_start:
                quoted = True
                at_start = False
                i += 1
                continue
            field.append('"')
            i += 2 if i + 1 < n and text[i + 1] == '"' else 1  # "" in an unquoted field is one "
            continue
        if ch == delimiter:
            record.append("".join(field))
            field, at_start = [], True
            i += 1
            continue
        if ch == "\n" or ch == "\r":
            if ch == "\r" and i + 1 < n and text[i + 1] == "\n":
                i += 1
            i += 1
            if record or field or not at_start:
                record.append("".join(field))
                yield record
            field, record, at_start = [], [], True
            continue
        field.append(ch)
        at_start = False
        i += 1
    if record or field or not at_start:
        record.append("".join(field))
        yield record


def java_hash_order(keys: Sequence[str]) -> list[int]:
    """Indices of ``keys`` in the order a ``java.util.HashMap`` filled with them in order iterates
    (default capacity 16, load factor 0.75; bucket = (h ^ h >>> 16) & (capacity - 1) over
    ``String.hashCode``; insertion order within a bucket)."""
    capacity = 16
    while len(keys) > capacity * 3 // 4:
        capacity *= 2
    mask = capacity - 1

    def bucket(key: str) -> int:
        h = 0
        units = key.encode("utf-16-le")
        for j in range(0, len(units), 2):
            h = (31 * h + (units[j] | units[j + 1] << 8)) & 0xFFFFFFFF
        return (h ^ (h >> 16)) & mask

    return sorted(range(len(keys)), key=lambda i: (bucket(keys[i]), i))


# ---------------------------------------------------------------------------------- listObjectsV2
def listing_items(
    contents: Iterable[dict[str, Any]], *, max_items: int | None = None
) -> list[dict[str, Any]]:
    """``s3:listObjectsV2`` items: one ``{"Etag", "Key", "LastModified", "Size", "StorageClass"}``
    per object (``LastModified`` in epoch seconds, as the runner reports it)."""
    items = (
        {
            "Etag": obj.get("ETag", obj.get("Etag")),
            "Key": obj["Key"],
            "LastModified": obj.get("LastModified"),
            "Size": obj.get("Size"),
            "StorageClass": obj.get("StorageClass", "STANDARD"),
        }
        for obj in contents
    )
    return _limit(items, max_items)


__all__ = [
    "ITEM_READER_FAILED",
    "MAX_ITEMS_LIMIT",
    "ItemReaderError",
    "csv_items",
    "csv_records",
    "effective_max_items",
    "items_from_text",
    "java_hash_order",
    "json_items",
    "jsonl_items",
    "listing_items",
    "resolve_pointer",
]
