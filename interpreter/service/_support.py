"""Shared pieces of the API operations: the clock in milliseconds, configuration defaults, tags
and pagination tokens."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from interpreter.adapters.clock import Clock

from .arns import validation_error
from .errors import ApiError

T = TypeVar("T")

PAGE_DEFAULT = 100  # AWS: maxResults 0 (or absent) uses the default maximum of 100
PAGE_MAX = 1000
TAGS_MAX = 50  # Step Functions quota: 50 tags per resource


def now_ms(clock: Clock) -> datetime:
    """The clock's time, UTC, at millisecond precision (what AWS and the stores keep)."""
    moment = clock.now().astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


# ------------------------------------------------------------------ configurations


def logging_configuration(config: dict[str, Any] | None) -> dict[str, Any]:
    """A loggingConfiguration as AWS stores and echoes it.

    Defaults ``level`` OFF and ``includeExecutionData`` false; ``destinations`` is echoed when given
    (even empty). A level other than OFF needs exactly one destination, and no level takes more than
    one: ``InvalidLoggingConfiguration: Invalid Logging Configuration: Must specify exactly one Log
    Destination.`` (LocalStack ``test_sfn_api_logs.snapshot.json``, AWS-validated).
    """
    config = dict(config or {})
    level = config.get("level") or "OFF"
    destinations = config.get("destinations")
    if (destinations is not None and len(destinations) > 1) or (level != "OFF" and not destinations):
        raise ApiError(
            "InvalidLoggingConfiguration",
            "Invalid Logging Configuration: Must specify exactly one Log Destination.",
        )
    include = bool(config.get("includeExecutionData", False))
    out: dict[str, Any] = {"level": level, "includeExecutionData": include}
    if destinations is not None:
        out["destinations"] = json.loads(json.dumps(destinations))
    return out


def tracing_configuration(config: dict[str, Any] | None) -> dict[str, Any]:
    """A tracingConfiguration as AWS echoes it: ``{"enabled": false}`` by default."""
    return {"enabled": bool((config or {}).get("enabled", False))}


# ------------------------------------------------------------------ tags


def tag_dict(tags: Sequence[dict[str, Any]] | None, member: str = "tags") -> dict[str, str]:
    """A TagList as an ordered dict (a repeated key keeps its last value, as AWS accepts it)."""
    out: dict[str, str] = {}
    for index, tag in enumerate(tags or (), start=1):
        key, value = tag.get("key"), tag.get("value", "")
        if not isinstance(key, str) or not 1 <= len(key) <= 128:
            raise validation_error(key, f"{member}.{index}.member.key", _length_constraint(key, 1, 128))
        if not isinstance(value, str) or len(value) > 256:
            raise validation_error(value, f"{member}.{index}.member.value", _length_constraint(value, 0, 256))
        out[key] = value
    return out


def _length_constraint(value: Any, low: int, high: int) -> str:
    if isinstance(value, str) and len(value) < low:
        return f"Member must have length greater than or equal to {low}"
    return f"Member must have length less than or equal to {high}"


def check_tag_count(arn: str, tags: dict[str, str]) -> None:
    if len(tags) > TAGS_MAX:
        raise ApiError(
            "TooManyTags",
            f"Too many tags: a resource can have at most {TAGS_MAX} tags ('{arn}' would have {len(tags)})",
        )


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in tags.items()]


# ------------------------------------------------------------------ pagination


def invalid_token() -> ApiError:
    return ApiError("InvalidToken", "Invalid Token: 'Invalid token'")


def page_size(max_results: int | None) -> int:
    if max_results is not None and max_results > PAGE_MAX:
        constraint = f"Member must have value less than or equal to {PAGE_MAX}"
        raise validation_error(max_results, "maxResults", constraint)
    return max_results if max_results and max_results > 0 else PAGE_DEFAULT


def paginate(
    items: Sequence[T], key: Callable[[T], str], request: dict[str, Any]
) -> tuple[list[T], str | None]:
    """One page of ``items`` (already in listing order, ``key`` unique and ascending) after the
    position the request's ``nextToken`` names, at most ``maxResults`` long, and the token of the
    next page (None: no more)."""
    limit = page_size(request.get("maxResults"))
    next_token = request.get("nextToken")
    start = 0
    if next_token is not None:
        after = _decode(next_token)
        start = next((index for index, item in enumerate(items) if key(item) > after), len(items))
    chosen = list(items[start : start + limit])
    more = start + limit < len(items)
    return chosen, (_encode(key(chosen[-1])) if more and chosen else None)


def _encode(position: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": position}).encode()).decode()


def _decode(token: str) -> str:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise invalid_token() from None
    if not isinstance(data, dict) or not isinstance(data.get("after"), str):
        raise invalid_token()
    return str(data["after"])


def collect(fetch: Callable[[str | None], tuple[list[T], str | None]]) -> list[T]:
    """Every item of a store listing, following its page tokens."""
    items: list[T] = []
    token: str | None = None
    while True:
        page, token = fetch(token)
        items.extend(page)
        if token is None:
            return items
