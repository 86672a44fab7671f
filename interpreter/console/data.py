"""What the console shows, read from the service's store: JSON-able dicts, paged.

``ConsoleData(service)`` answers the console's reads. Everything is paged and nothing loads a
whole history or log except the status derivation, which reads an execution's events once (in
batches) and then only the events written since (``StatusTracker`` kept per execution, the last
``TRACKERS`` executions). Unknown executions and machines raise the API's own errors
(``ExecutionDoesNotExist``, ``StateMachineDoesNotExist``), so pages and the JSON API show them as
AWS words them.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

from ..adapters.stores.base import ExecutionItem, StateMachineItem, StoreError
from ..graph.model import escape_segment, scope_prefix
from ..runtime import snapshot
from ..service.errors import ApiError
from ..service.execution_support import execution_does_not_exist
from .dataflow import data_flow
from .graphs import DrawnGraph, GraphCache
from .status import NodeStatus, StatusTracker

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
PAGE = 50  # executions per page
EVENT_PAGE = 100
EVENT_PAGE_MAX = 500
LOG_PAGE = 200
LOG_PAGE_MAX = 1000
SEARCH_BATCH = 200  # executions read per store call while searching by name
SEARCH_SCAN_MAX = 20_000  # executions looked at for one page of search results
EVENT_BATCH = 5000  # events read per store call by the status derivation
TRACKERS = 32
VISIT_SCAN_MAX = 5000  # events read to find a visit's task events


def machine_name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def iso(moment: datetime | None) -> str | None:
    """A datetime as ISO 8601 UTC with milliseconds (``2026-03-01T09:00:00.000Z``)."""
    if moment is None:
        return None
    text = moment.isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def duration_ms(item: ExecutionItem, now: datetime) -> int:
    end = item.stop_date or now
    return max(0, int((end - item.start_date).total_seconds() * 1000))


class _Tracked:
    __slots__ = ("graph", "lock", "tracker")

    def __init__(self, graph: DrawnGraph) -> None:
        self.graph = graph
        self.tracker = StatusTracker(graph.graph)
        self.lock = threading.Lock()


class ConsoleData:
    def __init__(self, service: Any) -> None:
        self.service = service
        self.store = service.store
        workflows = getattr(service, "workflows", None)
        self.graphs = GraphCache(self.store, getattr(workflows, "machines", None))
        self._trackers: OrderedDict[str, _Tracked] = OrderedDict()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self.service.clock.now()  # type: ignore[no-any-return]

    # ------------------------------------------------------------ executions list
    def list_executions(
        self,
        *,
        status: str | None = None,
        machine: str | None = None,
        query: str | None = None,
        limit: int = PAGE,
        token: str | None = None,
    ) -> dict[str, Any]:
        """A page of executions, newest first: of one ``status`` and ``machine`` (ARN), whose
        name (or ARN) contains ``query`` (case-insensitive); ``token`` continues a listing."""
        if status is not None and status not in STATUSES:
            raise ApiError("ValidationException", f"Unknown status filter '{status}'")
        limit = max(1, min(int(limit), 1000))
        query = (query or "").strip().lower() or None
        store_token, skip = _decode_cursor(token)
        items: list[ExecutionItem] = []
        scanned = 0
        batch = SEARCH_BATCH if query else limit
        next_cursor: str | None = None
        while True:
            try:
                page = self.store.list_executions(
                    machine_arn=machine, status=status, limit=batch, next_token=store_token
                )
            except StoreError:
                raise ApiError("InvalidToken", "Invalid Token: 'Invalid token'") from None
            scanned += len(page.items)
            matches = [
                i for i in page.items if query is None or query in i.name.lower() or query in i.arn.lower()
            ]
            fresh = matches[skip:]
            room = limit - len(items)
            if len(fresh) > room:
                items.extend(fresh[:room])
                next_cursor = _encode_cursor(store_token, skip + room)
                break
            items.extend(fresh)
            skip = 0
            if page.next_token is None:
                break
            store_token = page.next_token
            if len(items) >= limit or scanned >= SEARCH_SCAN_MAX:
                next_cursor = _encode_cursor(store_token, 0)
                break
        now = self.now()
        return {
            "executions": [self.execution_row(item, now) for item in items],
            "nextToken": next_cursor,
            "scanned": scanned,
        }

    def execution_row(self, item: ExecutionItem, now: datetime) -> dict[str, Any]:
        return {
            "executionArn": item.arn,
            "name": item.name,
            "status": item.status,
            "stateMachineArn": item.machine_arn,
            "stateMachineName": machine_name(item.machine_arn),
            "startDate": iso(item.start_date),
            "stopDate": iso(item.stop_date),
            "durationMs": duration_ms(item, now),
            "redriveCount": item.redrive_count,
        }

    def machines(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Stored state machines (name order), for the filter and the machines page."""
        out: list[StateMachineItem] = []
        token = None
        while len(out) < limit:
            page = self.store.list_state_machines(limit=min(100, limit - len(out)), next_token=token)
            out.extend(page.items)
            token = page.next_token
            if token is None:
                break
        rows = [
            {
                "stateMachineArn": m.arn,
                "name": m.name,
                "type": m.type,
                "creationDate": iso(m.creation_date),
                "updateDate": iso(m.update_date),
            }
            for m in out
        ]
        return sorted(rows, key=lambda r: (r["name"].lower(), r["stateMachineArn"]))

    # ------------------------------------------------------------ one execution
    def require(self, arn: str) -> ExecutionItem:
        item = self.store.get_execution(arn) if arn else None
        if item is None:
            raise execution_does_not_exist(arn)
        return item

    def graph_of(self, item: ExecutionItem) -> DrawnGraph:
        try:
            return self.graphs.get(item.machine_arn, item.revision_id)
        except LookupError:
            raise ApiError(
                "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{item.machine_arn}'"
            ) from None

    def statuses(self, item: ExecutionItem) -> tuple[DrawnGraph, StatusTracker, dict[str, NodeStatus]]:
        """The drawn graph of the execution's revision and every node's status now."""
        graph = self.graph_of(item)
        with self._lock:
            tracked = self._trackers.get(item.arn)
            if tracked is None or tracked.graph is not graph:
                tracked = self._trackers[item.arn] = _Tracked(graph)
            self._trackers.move_to_end(item.arn)
            while len(self._trackers) > TRACKERS:
                self._trackers.popitem(last=False)
        with tracked.lock:
            tracker = tracked.tracker
            while True:
                batch = self.store.get_events(item.arn, after=tracker.last_id, limit=EVENT_BATCH)
                tracker.feed(batch)
                if len(batch) < EVENT_BATCH:
                    break
            result = tracker.snapshot(running=item.status == "RUNNING")
        return graph, tracker, result

    def execution(self, arn: str, *, full: bool = False) -> dict[str, Any]:
        """The execution (DescribeExecution's members; ``input``/``output`` only when ``full``),
        its nodes' statuses, waiting callbacks and event count."""
        item = self.require(arn)
        graph, _, result = self.statuses(item)
        described = self.describe(item, full=full)
        return {
            "execution": described,
            "stateMachine": {"stateMachineArn": item.machine_arn, "name": machine_name(item.machine_arn)},
            "nodes": {node: entry.to_dict() for node, entry in result.items()},
            "waiting": self.waiting(item, graph),
            "eventCount": item.event_count,
            "now": iso(self.now()),
        }

    def describe(self, item: ExecutionItem, *, full: bool = True) -> dict[str, Any]:
        described = dict(self.service.execution_description(item))
        for key in ("startDate", "stopDate", "redriveDate"):
            if key in described:
                described[key] = iso(described[key])
        described["durationMs"] = duration_ms(item, self.now())
        if not full:
            for key in ("input", "output"):
                described.pop(key, None)
        return described

    def waiting(self, item: ExecutionItem, graph: DrawnGraph) -> list[dict[str, Any]]:
        """Callback tasks (``.waitForTaskToken``) the execution waits on: token, state and node."""
        if item.status != "RUNNING" or not item.state:
            return []
        threads = {t.get("tid"): t for t in item.state.get("threads") or () if isinstance(t, dict)}
        out = []
        for token, entry in (item.state.get("waiting") or {}).items():
            if not (isinstance(entry, list) and len(entry) >= 2 and entry[1] == "callback"):
                continue
            thread = threads.get(entry[0]) or {}
            name = thread.get("state")
            node = None
            if isinstance(name, str):
                prefix = scope_prefix(tuple(thread.get("graph") or ()))
                node = f"{prefix}/{escape_segment(name)}" if prefix else escape_segment(name)
            out.append(
                {"taskToken": token, "state": name, "node": node, "enteredEvent": thread.get("enteredId")}
            )
        return out

    # ------------------------------------------------------------ history
    def events(self, arn: str, *, after: int = 0, limit: int = EVENT_PAGE) -> dict[str, Any]:
        """A page of the history (GetExecutionHistory's event shape, ISO timestamps) after event
        ``after``, each with the state it belongs to (``node``, ``state``)."""
        item = self.require(arn)
        limit = max(1, min(int(limit), EVENT_PAGE_MAX))
        after = max(0, int(after))
        graph, tracker, _ = self.statuses(item)
        rows = []
        for data in self.store.get_events(arn, after=after, limit=limit):
            event = snapshot.event_from_data(data).to_api(True)
            event["timestamp"] = iso(event["timestamp"])
            node = tracker.node_of_event(data["id"])
            event["node"] = node
            event["state"] = graph.names.get(node) if node is not None else None
            rows.append(event)
        total = item.event_count
        last = rows[-1]["id"] if rows else after
        return {
            "events": rows,
            "after": after,
            "limit": limit,
            "total": total,
            "nextAfter": last if last < total else None,
            "prevAfter": max(0, after - limit) if after > 0 else None,
            "lastAfter": max(0, total - limit),
        }

    def event(self, arn: str, event_id: int | None) -> dict[str, Any] | None:
        """One stored event (the store's shape), or None."""
        if not event_id:
            return None
        found = self.store.get_events(arn, after=event_id - 1, limit=1)
        return found[0] if found and found[0]["id"] == event_id else None

    # ------------------------------------------------------------ one state
    def state(self, arn: str, node: str) -> dict[str, Any]:
        """The selected node: its status, the input and output of the visit shown (the last
        failed one, else the last one), that visit's task events, error, and data-flow steps."""
        item = self.require(arn)
        graph, tracker, result = self.statuses(item)
        if node not in graph.types:
            raise ApiError("ResourceNotFound", f"No state '{node}' in this state machine")
        entry = result.get(node)
        name = graph.names.get(node)
        out: dict[str, Any] = {
            "node": node,
            "name": name,
            "type": graph.types[node],
            "status": entry.to_dict() if entry is not None else None,
        }
        if entry is None or name is None:
            return out
        entered = self.event(arn, entry.entered_event)
        exited = self.event(arn, entry.exited_event)
        failed = self.event(arn, entry.failed_event)
        out["input"] = _payload(entered, "input")
        out["output"] = _payload(exited, "output")
        out["enteredAt"] = _when(entered)
        out["exitedAt"] = _when(exited)
        if failed is not None:
            details = failed.get("details") or {}
            out["failure"] = {
                "event": failed["type"],
                "error": details.get("error"),
                "cause": details.get("cause"),
            }
        task = self._visit_task_events(arn, tracker, node, entry)
        out["task"] = task
        out["steps"] = data_flow(
            self.service,
            definition=self._definition(item),
            state_name=name,
            state_type=graph.types[node],
            entered=entered,
            task=task,
        )
        return out

    def _definition(self, item: ExecutionItem) -> str | None:
        machine = self.store.get_state_machine(item.machine_arn, item.revision_id)
        return machine.definition if machine is not None else None

    def _visit_task_events(
        self, arn: str, tracker: StatusTracker, node: str, entry: NodeStatus
    ) -> dict[str, Any] | None:
        """What the visit's task was sent and gave back (its last attempt): the scheduled
        input/parameters and the result or error."""
        first = entry.entered_event
        if first is None:
            return None
        last = entry.exited_event or entry.failed_event or tracker.last_id
        span = min(last - first + 1, VISIT_SCAN_MAX)
        sent: dict[str, Any] | None = None
        result: dict[str, Any] | None = None
        attempts = 0
        for data in self.store.get_events(arn, after=first - 1, limit=span):
            if not tracker.same_visit(data["id"], first):
                continue
            kind = data["type"]
            details = data.get("details") or {}
            if kind.endswith("Scheduled"):
                attempts += 1
                sent = {"event": kind, "id": data["id"], "resource": details.get("resource")}
                if "parameters" in details:
                    sent["parameters"] = _json_text(details["parameters"])
                elif "input" in details:
                    sent["parameters"] = _json_text(details["input"])
                result = None
            elif kind.endswith("Succeeded") and "output" in details:
                result = {
                    "event": kind,
                    "id": data["id"],
                    "ok": True,
                    "output": _json_text(details["output"]),
                }
            elif kind.endswith(("Failed", "TimedOut")) and ("error" in details or "cause" in details):
                result = {
                    "event": kind,
                    "id": data["id"],
                    "ok": False,
                    "error": details.get("error"),
                    "cause": details.get("cause"),
                }
        if sent is None and result is None:
            return None
        return {"sent": sent, "result": result, "attempts": attempts}

    # ------------------------------------------------------------ logs
    def logs(
        self,
        arn: str,
        *,
        state: str | None = None,
        after: int = 0,
        limit: int = LOG_PAGE,
        level: str | None = None,
    ) -> dict[str, Any]:
        """A page of what the execution's tasks logged (``store.get_logs``; a store without logs
        has none), of one ``state`` and ``level`` (or above) when given."""
        self.require(arn)
        limit = max(1, min(int(limit), LOG_PAGE_MAX))
        get_logs = getattr(self.store, "get_logs", None)
        if get_logs is None:
            return {"logs": [], "nextAfter": None, "supported": False}
        records = get_logs(
            arn, after=max(0, int(after)), limit=limit + 1, state=state or None, level=level or None
        )
        page = records[:limit]
        rows = []
        for record in page:
            row = dict(record)
            stamp = row.get("timestamp")
            if isinstance(stamp, int):
                row["time"] = iso(datetime.fromtimestamp(stamp / 1000, tz=UTC))
            rows.append(row)
        more = len(records) > limit
        return {"logs": rows, "nextAfter": page[-1]["seq"] if more and page else None, "supported": True}

    # ------------------------------------------------------------ state machines
    def machine(self, arn: str) -> dict[str, Any]:
        item = self.store.get_state_machine(arn) if arn else None
        if item is None:
            raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
        described = dict(self.service.describe_state_machine({"stateMachineArn": arn}))
        for key in ("creationDate", "updateDate"):
            if key in described:
                described[key] = iso(described[key])
        return {"stateMachine": described, "revisionId": item.revision_id}

    def machine_graph(self, arn: str) -> tuple[StateMachineItem, DrawnGraph]:
        item = self.store.get_state_machine(arn) if arn else None
        if item is None:
            raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
        return item, self.graphs.get(item.arn, item.revision_id)


# ---------------------------------------------------------------- helpers


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _payload(event: dict[str, Any] | None, key: str) -> str | None:
    """An event's ``input``/``output`` as JSON text (None when absent)."""
    if event is None:
        return None
    details = event.get("details") or {}
    return _json_text(details[key]) if key in details else None


def _when(event: dict[str, Any] | None) -> str | None:
    if event is None:
        return None
    return iso(snapshot.event_from_data(event).timestamp)


def _encode_cursor(store_token: str | None, skip: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"t": store_token, "s": skip}).encode()).decode()


def _decode_cursor(token: str | None) -> tuple[str | None, int]:
    if not token:
        return None, 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
        store_token, skip = data["t"], data["s"]
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error):
        raise ApiError("InvalidToken", "Invalid Token: 'Invalid token'") from None
    if not (store_token is None or isinstance(store_token, str)) or type(skip) is not int or skip < 0:
        raise ApiError("InvalidToken", "Invalid Token: 'Invalid token'")
    return store_token, skip
