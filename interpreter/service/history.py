"""GetExecutionHistory (a mixin of the API facade).

Events come from the store page by page in AWS's ``HistoryEvent`` shape (``runtime.history``):
``maxResults`` 0 or absent → 100, more than 1000 → ``ValidationException``; ``reverseOrder`` lists
newest first; ``includeExecutionData`` (default true) false strips inputs, outputs and assigned
variables. ``nextToken`` is opaque: it names the last event returned, so a page never repeats or
skips events even while the execution appends new ones; a token that is not one of ours is
``InvalidToken: Invalid Token: 'Invalid token'``. Express executions have no history on AWS:
their ARNs are ``InvalidArn: Invalid Arn: 'Resource type not valid in this context: express'``
(AWS, recorded in LocalStack's ``test_sfn_api_express.snapshot.json``).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from interpreter.adapters.stores.base import ExecutionStore
from interpreter.runtime import snapshot

from ._support import invalid_token, page_size
from .execution_support import require_execution


class HistoryOperations:
    store: ExecutionStore

    def get_execution_history(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["executionArn"]
        limit = page_size(request.get("maxResults"))
        reverse = bool(request.get("reverseOrder"))
        include = request.get("includeExecutionData")
        include = True if include is None else bool(include)
        token = request.get("nextToken")
        after = 0 if token is None else decode_event_token(token)
        require_execution(self.store, arn)
        events = self.store.get_events(arn, after=after, limit=limit + 1, reverse=reverse)
        page = events[:limit]
        out: dict[str, Any] = {"events": [_api_event(event, include) for event in page]}
        if len(events) > limit and page:
            out["nextToken"] = encode_event_token(page[-1]["id"])
        return out


def _api_event(data: dict[str, Any], include: bool) -> dict[str, Any]:
    """One stored event in AWS's shape; timestamps at AWS's millisecond precision."""
    event = snapshot.event_from_data(data).to_api(include)
    moment = event["timestamp"]
    event["timestamp"] = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    return event


def encode_event_token(event_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"afterEventId": event_id}).encode()).decode()


def decode_event_token(token: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise invalid_token() from None
    event_id = data.get("afterEventId") if isinstance(data, dict) else None
    if type(event_id) is not int or event_id < 1:
        raise invalid_token()
    return event_id
