"""The seed file (``--seed FILE``): data put in the template's resources before the run.

A JSON object with up to three sections, each keyed by a resource's logical id (its local name
works too)::

    {
      "dynamodb": {"TicketsTable": [{"ticket_id": "T-1", "status": "OPEN", "votes": 3}]},
      "s3": {"AttachmentsBucket": {
          "readme.txt": "text, stored as UTF-8",
          "orders/2024-03-15.csv": {"file": "data/orders.csv"},
          "config.json": {"json": {"threshold": 0.2}}
      }},
      "sqs": {"WorkQueue": ["a text body", {"json": {"job": 1}}]}
    }

* ``dynamodb``: items as plain JSON, as boto3's ``Table.put_item`` takes them (numbers become
  DynamoDB numbers, exactly: they are read as decimals; objects maps, arrays lists).
* ``s3``: object key -> content: a string (UTF-8 text), ``{"file": PATH}`` (the file's bytes;
  PATH relative to the seed file) or ``{"json": VALUE}`` (VALUE as JSON,
  ``application/json``).
* ``sqs``: message bodies, strings or ``{"json": VALUE}``; a FIFO queue gets them in order, in
  message group ``seed``.

Problems (unreadable file, bad JSON with its line, an id that is not a resource of that kind)
are ``TemplateError``s naming the seed file and the JSON Pointer.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import TemplateError
from .intrinsics import Resolver

_SECTIONS = {"dynamodb": "AWS::DynamoDB::Table", "s3": "AWS::S3::Bucket", "sqs": "AWS::SQS::Queue"}


def read_seed(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise TemplateError(f"cannot read the seed file: {err.strerror}", source=str(path)) from None
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as err:
        raise TemplateError(
            f"not valid JSON: {err.msg} (column {err.colno})", source=str(path), line=err.lineno
        ) from None
    if not isinstance(data, dict):
        raise TemplateError('expected an object: {"dynamodb": ..., "s3": ..., "sqs": ...}', source=str(path))
    for section in data:
        if section not in _SECTIONS:
            raise TemplateError(
                f"unknown section {section!r} (sections: {', '.join(_SECTIONS)})",
                source=str(path),
                where=f"/{section}",
            )
        if not isinstance(data[section], dict):
            raise TemplateError(
                "expected an object keyed by logical id", source=str(path), where=f"/{section}"
            )
    return data


def apply_seed(session: Any, resolver: Resolver, path: str | Path) -> list[str]:
    """Put the seed file's data in the resources; returns one summary line per resource."""
    path = Path(path)
    data = read_seed(path)
    summary = []
    for section, entries in data.items():
        for key, content in entries.items():
            where = f"/{section}/{key}"
            logical_id = _logical_id(resolver, _SECTIONS[section], key, path, where)
            values = resolver.attributes(logical_id, f"/Resources/{logical_id}")
            try:
                count = _SEEDERS[section](session, values, content, path, where)
            except TemplateError:
                raise
            except Exception as err:
                message = f"seeding {logical_id} failed: {type(err).__name__}: {err}"
                raise TemplateError(message, source=str(path), where=where) from None
            summary.append(f"seeded {logical_id}: {count}")
    return summary


def _logical_id(resolver: Resolver, resource_type: str, key: str, path: Path, where: str) -> str:
    candidates = [
        logical_id
        for logical_id, resource in resolver.cfn.resources.items()
        if resource.get("Type") == resource_type and resolver.resource(logical_id) is not None
    ]
    if key in candidates:
        return key
    for logical_id in candidates:  # the local name instead of the logical id
        values = resolver.attributes(logical_id, f"/Resources/{logical_id}")
        if key in (values.get("Name"), values.get("QueueName")):
            return logical_id
    kind = resource_type.split("::")[-1].lower()
    known = ", ".join(candidates) or "none"
    raise TemplateError(
        f"no {resource_type} {key!r} in {resolver.doc.source} (its {kind} resources: {known})",
        source=str(path),
        where=where,
    )


def _dynamodb(session: Any, values: dict[str, Any], items: Any, path: Path, where: str) -> str:
    from boto3.dynamodb.types import TypeSerializer

    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise TemplateError("expected a list of items (JSON objects)", source=str(path), where=where)
    serializer = TypeSerializer()
    client = session.client("dynamodb")
    for item in items:
        client.put_item(TableName=values["Name"], Item={k: serializer.serialize(v) for k, v in item.items()})
    return f"{len(items)} item(s)"


def _s3(session: Any, values: dict[str, Any], objects: Any, path: Path, where: str) -> str:
    if not isinstance(objects, dict):
        raise TemplateError('expected {"key": content, ...}', source=str(path), where=where)
    client = session.client("s3")
    for key, content in objects.items():
        body, content_type = _content(content, path, f"{where}/{key}")
        client.put_object(Bucket=values["Name"], Key=key, Body=body, ContentType=content_type)
    return f"{len(objects)} object(s)"


def _sqs(session: Any, values: dict[str, Any], messages: Any, path: Path, where: str) -> str:
    if not isinstance(messages, list):
        raise TemplateError("expected a list of message bodies", source=str(path), where=where)
    client = session.client("sqs")
    fifo = str(values["QueueName"]).endswith(".fifo")
    for index, message in enumerate(messages):
        body, _ = _content(message, path, f"{where}/{index}", files=False)
        request: dict[str, Any] = {"QueueUrl": values["QueueUrl"], "MessageBody": body.decode("utf-8")}
        if fifo:
            request.update(MessageGroupId="seed", MessageDeduplicationId=f"seed-{index}")
        client.send_message(**request)
    return f"{len(messages)} message(s)"


def _content(content: Any, path: Path, where: str, *, files: bool = True) -> tuple[bytes, str]:
    if isinstance(content, str):
        return content.encode("utf-8"), "text/plain; charset=utf-8"
    if isinstance(content, dict) and set(content) == {"json"}:
        return json.dumps(content["json"], default=_number).encode("utf-8"), "application/json"
    if files and isinstance(content, dict) and set(content) == {"file"}:
        file = path.resolve().parent / str(content["file"])
        try:
            return file.read_bytes(), "application/octet-stream"
        except OSError as err:
            raise TemplateError(
                f"cannot read {file}: {err.strerror}", source=str(path), where=where
            ) from None
    shapes = 'a string, {"json": VALUE}' + (' or {"file": PATH}' if files else "")
    raise TemplateError(f"expected {shapes}", source=str(path), where=where)


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_SEEDERS = {"dynamodb": _dynamodb, "s3": _s3, "sqs": _sqs}
