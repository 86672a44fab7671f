"""Parameters in, results out: JSON <-> botocore, the way Step Functions converts them.

Requests (``to_boto``): Parameters name members in PascalCase whatever the wire casing (AWS docs,
"Learning to use AWS SDK service integrations"); they are matched to the operation's input
members case-insensitively, also by their Java property name (``Md5OfMessageBody``, ``Bool``).
A JSON null is an absent member (the Java SDK builders take null as "not set"). A string member
given any other JSON value gets that value's JSON text (Step Functions serialises it: an
``sfn:startExecution`` ``Input`` object, an ``s3:putObject`` ``Body`` of ``{"Dict": "Value"}``
stored as ``{"Dict":"Value"}``, ``false`` as ``false``: AWS-recorded LocalStack snapshots
``test_aws_sdk_task_service`` ``test_sfn_start_execution_implicit_json_serialisation`` and
``test_s3_put_object``). A blob member given text gets its UTF-8 bytes.

Results (``from_boto``): JSON as Step Functions returns it: ``ResponseMetadata`` dropped,
members under their Java v2 property names (``naming.member_name``), timestamps as ISO-8601 text
(``Instant.toString``: ``2013-08-23T01:02:15.422Z``, sam-goodwin/functionless#489), blobs as
base64 text, a payload blob (S3 ``Body``) as its text, appended after the other members (recorded
``test_s3_get_object``: ``{"AcceptRanges", ..., "ServerSideEncryption", "Body"}``), Decimals as
numbers, object keys in sorted order (as in every recorded output).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
from collections.abc import Mapping
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from .naming import member_name

_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


class UnknownField(ValueError):
    """A Parameters field the operation does not take (AWS rejects it at CreateStateMachine)."""

    def __init__(self, field: str, path: str) -> None:
        super().__init__(field)
        self.field = field
        self.path = path


def compact_json(value: Any) -> str:
    """JSON text as Step Functions writes it: no spaces, non-ASCII kept."""
    return str(_compact(value))


def _members_by_alias(shape: StructureShape) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for name in shape.members:
        aliases.setdefault(name.lower(), name)
        aliases.setdefault(member_name(name).lower(), name)
    return aliases


def to_boto(value: Any, shape: Shape | None, path: str = "") -> Any:
    """The botocore input for ``value`` (JSON) given the member's ``shape``; see the module doc."""
    if shape is None:
        return value
    if isinstance(shape, StructureShape):
        if not isinstance(value, Mapping):
            return value
        aliases = _members_by_alias(shape)
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = key if key in shape.members else aliases.get(str(key).lower())
            if name is None:
                raise UnknownField(str(key), path)
            if item is None:
                continue
            out[name] = to_boto(item, shape.members[name], f"{path}/{name}")
        return out
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            return value
        return [to_boto(item, shape.member, f"{path}/{i}") for i, item in enumerate(value)]
    if isinstance(shape, MapShape):
        if not isinstance(value, Mapping):
            return value
        return {key: to_boto(item, shape.value, f"{path}/{key}") for key, item in value.items()}
    kind = shape.type_name
    if kind == "string" and not isinstance(value, str):
        return compact_json(value)
    if kind == "blob":
        if isinstance(value, str):
            return value.encode("utf-8")
        return compact_json(value).encode("utf-8")
    if kind in ("integer", "long") and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def instant_text(value: dt.datetime) -> str:
    """Java ``Instant.toString``: UTC, ``Z``, the fraction only when non-zero, in 3-digit groups."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    micros = value.microsecond
    if micros:
        text += f".{micros // 1000:03d}" if micros % 1000 == 0 else f".{micros:06d}"
    return text + "Z"


def _number(value: decimal.Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _payload_text(value: Any) -> str:
    data = value.read() if hasattr(value, "read") else value
    if isinstance(data, bytes | bytearray):
        return bytes(data).decode("utf-8", errors="replace")
    return str(data)


def from_boto(value: Any, shape: Shape | None) -> Any:
    """JSON for a botocore result ``value`` of ``shape``; see the module doc."""
    if value is None:
        return None
    if isinstance(shape, StructureShape) and isinstance(value, Mapping):
        payload = shape.serialization.get("payload")
        out: dict[str, Any] = {}
        body: tuple[str, Any] | None = None
        for key in sorted(value):
            if key == "ResponseMetadata" or key not in shape.members:
                continue
            member = shape.members[key]
            if key == payload and member.type_name == "blob":
                body = (member_name(key), _payload_text(value[key]))
                continue
            out[member_name(key)] = from_boto(value[key], member)
        out = dict(sorted(out.items()))
        if body is not None:
            out[body[0]] = body[1]
        return out
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [from_boto(item, shape.member) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, Mapping):
        return {key: from_boto(value[key], shape.value) for key in sorted(value)}
    return plain_json(value)


def plain_json(value: Any) -> Any:
    """Any botocore value as JSON without shape knowledge (keys kept, sorted)."""
    if isinstance(value, Mapping):
        return {str(key): plain_json(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [plain_json(item) for item in value]
    if isinstance(value, dt.datetime):
        return instant_text(value)
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, decimal.Decimal):
        return _number(value)
    if hasattr(value, "read"):
        return _payload_text(value)
    return value
