"""An execution record as JSON-able data, and back: what a durable store keeps between steps.

``dump(record, pending)`` captures everything the core needs to go on: identity, status, counters,
the tree of live threads (each naming its graph by ``StateGraph.path`` and its state by name),
Parallel/Map joins, what each outstanding token will resume, and the effects still pending (tasks
to run, timers to fire) so a restarted worker can perform them again. History events are not
part of it: they are appended to the store as they happen (``event_to_data``).

Variables are copy-on-write dicts shared between a thread and its children until one assigns;
the snapshot keeps that sharing (a table of distinct dicts, referenced by index) so a restored
execution reads and writes exactly the same scopes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ..model import StateMachine
from .effects import RunTask, StartTimer
from .history import Event
from .record import ExecutionRecord, Thread
from .states.map_io import MapIOResource
from .states.map_state import MapJoin
from .states.parallel import ParallelJoin

FORMAT = 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def time_to_data(value: datetime | None) -> int | None:
    """Microseconds since the epoch (exact, unlike a float)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // _MICRO


def time_from_data(value: int | None) -> datetime | None:
    return None if value is None else _EPOCH + timedelta(microseconds=value)


# ---------------------------------------------------------------------------------------- events
def event_to_data(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "previousEventId": event.previous_event_id,
        "type": event.type,
        "timestamp": time_to_data(event.timestamp),
        "details": event.details,
    }


def event_from_data(data: dict[str, Any]) -> Event:
    ts = time_from_data(data["timestamp"])
    assert ts is not None
    return Event(data["id"], data["previousEventId"], data["type"], ts, data.get("details"))


# ---------------------------------------------------------------------------------------- dump
def dump(record: ExecutionRecord, pending: dict[str, RunTask | StartTimer] | None = None) -> dict[str, Any]:
    """The record (without its events) and the effects still pending, as JSON-able data.

    Call it before ``record.take_events()``: it reads the events of the step just taken."""
    variable_tables: list[dict[str, Any]] = []
    table_index: dict[int, int] = {}
    threads: list[dict[str, Any]] = []

    def variables_ref(variables: dict[str, Any] | None) -> int | None:
        if variables is None:
            return None
        key = id(variables)
        index = table_index.get(key)
        if index is None:
            index = table_index[key] = len(variable_tables)
            variable_tables.append(variables)
        return index

    events = record.events
    offset = record.event_offset

    def visit(th: Thread) -> None:
        data = _thread_to_data(th, variables_ref(th.variables))
        position = th.entered_id - 1 - offset
        if th.entered_id and 0 <= position < len(events):
            data["enteredPrev"] = events[position].previous_event_id
        threads.append(data)
        join = th.join
        if join is not None:
            for child in join.live_children():
                visit(child)

    if record.root is not None and record.root.alive:
        visit(record.root)
    return {
        "format": FORMAT,
        "arn": record.arn,
        "name": record.name,
        "machineArn": record.machine_arn,
        "machineName": record.machine_name,
        "input": record.input,
        "startTime": time_to_data(record.start_time),
        "roleArn": record.role_arn,
        "seed": record.seed,
        "redriveCount": record.redrive_count,
        "status": record.status,
        "output": record.output,
        "error": record.error,
        "cause": record.cause,
        "stopTime": time_to_data(record.stop_time),
        "nextEventId": record.next_event_id,
        "nextThreadId": record.next_thread_id,
        "nextToken": record.next_token,
        "rootId": record.root.tid if record.root is not None else None,
        "threads": threads,
        "variables": variable_tables,
        "waiting": {
            token: [th.tid if th is not None else None, kind, data]
            for token, (th, kind, data) in record.waiting.items()
        },
        "pending": [_effect_to_data(e) for e in (pending or {}).values()],
    }


def _thread_to_data(th: Thread, variables: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "tid": th.tid,
        "graph": list(th.graph.path),
        "parent": th.parent.tid if th.parent is not None else None,
        "index": th.index,
        "state": th.state.name if th.state is not None else None,
        "input": th.input,
        "enteredId": th.entered_id,
        "enteredTime": time_to_data(th.entered_time),
        "enteredPrev": th.entered_prev,
        "lastId": th.last_id,
        "retryCounts": th.retry_counts,
        "tokens": sorted(th.tokens),
        "quiet": th.quiet,
        "variables": variables,
    }
    join = th.join
    if isinstance(join, ParallelJoin):
        data["join"] = {
            "kind": "parallel",
            "results": join.results,
            "remaining": join.remaining,
            "children": [c.tid for c in join.live_children()],
        }
    elif isinstance(join, MapJoin):
        data["join"] = {
            "kind": "map",
            "inputs": join.inputs,
            "data": join.data,
            "results": join.results,
            "remaining": join.remaining,
            "nextIndex": join.next_index,
            "running": join.running,
            "maxConcurrency": join.max_concurrency,
            "children": {str(i): c.tid for i, c in join.children.items() if c.alive},
            "failures": join.failures,
            "toleratedCount": join.tolerated_count,
            "toleratedPercentage": join.tolerated_percentage,
            "io": join.io,
        }
    elif join is not None:  # pragma: no cover - a new join type must be taught here
        raise TypeError(f"cannot snapshot join {type(join).__name__}")
    return data


def _effect_to_data(effect: RunTask | StartTimer) -> dict[str, Any]:
    if isinstance(effect, StartTimer):
        return {"kind": "timer", "token": effect.token, "due": time_to_data(effect.due)}
    return {
        "kind": "task",
        "token": effect.token,
        "payload": effect.payload,
        "attempt": effect.attempt,
        "timeout": effect.timeout_seconds,
        "heartbeat": effect.heartbeat_seconds,
        "taskToken": effect.task_token,
        **_map_io_to_data(effect.resource),
    }


def _map_io_to_data(resource: Any) -> dict[str, Any]:
    """A Distributed Map's ItemReader/ResultWriter effect names its resource (the Map state has
    no Task resource to find it by)."""
    if isinstance(resource, MapIOResource):
        return {"mapIo": resource.kind, "resource": resource.raw}
    return {}


# ---------------------------------------------------------------------------------------- load
def load(machine: StateMachine, data: dict[str, Any]) -> tuple[ExecutionRecord, dict[str, Any]]:
    """The record and its pending effects (token → RunTask | StartTimer) from ``dump``'s data."""
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown execution snapshot format {data.get('format')!r}")
    start_time = time_from_data(data["startTime"])
    assert start_time is not None
    record = ExecutionRecord(
        arn=data["arn"],
        name=data["name"],
        machine_arn=data["machineArn"],
        machine_name=data["machineName"],
        input=data["input"],
        start_time=start_time,
        role_arn=data["roleArn"],
        seed=data["seed"],
        redrive_count=data["redriveCount"],
    )
    record.status = data["status"]
    record.output = data["output"]
    record.error = data["error"]
    record.cause = data["cause"]
    record.stop_time = time_from_data(data["stopTime"])
    record.next_event_id = data["nextEventId"]
    record.event_offset = record.next_event_id - 1
    record.next_thread_id = data["nextThreadId"]
    record.next_token = data["nextToken"]

    variables = data["variables"]
    threads: dict[int, Thread] = {}
    for t in data["threads"]:  # parents come before their children
        parent = threads[t["parent"]] if t["parent"] is not None else None
        graph = machine.find_graph(tuple(t["graph"]))
        th = Thread(t["tid"], graph, parent, t["index"], t["lastId"])
        th.state = graph.states[t["state"]] if t["state"] is not None else None
        th.input = t["input"]
        th.entered_id = t["enteredId"]
        th.entered_time = time_from_data(t["enteredTime"])
        th.entered_prev = t["enteredPrev"]
        th.retry_counts = t["retryCounts"]
        th.tokens = set(t["tokens"])
        th.quiet = t["quiet"]
        th.variables = variables[t["variables"]] if t["variables"] is not None else None
        threads[th.tid] = th
    for t in data["threads"]:
        join = t.get("join")
        if join is not None:
            threads[t["tid"]].join = _join_from_data(join, threads)
    root_id = data["rootId"]
    if root_id is not None:
        root = threads.get(root_id)
        if root is None:  # the root ended: a placeholder keeps ``record.root`` meaningful
            root = Thread(root_id, machine.graph, None, 0, record.next_event_id - 1)
            root.alive = False
            root.state = None
        record.root = root
    record.waiting = {
        token: (threads[tid] if tid is not None else None, kind, value)
        for token, (tid, kind, value) in data["waiting"].items()
        if tid is None or tid in threads
    }
    pending: dict[str, Any] = {}
    for e in data["pending"]:
        effect = _effect_from_data(e, record)
        if effect is not None:
            pending[effect.token] = effect
    return record, pending


def _join_from_data(data: dict[str, Any], threads: dict[int, Thread]) -> Any:
    if data["kind"] == "parallel":
        pj = ParallelJoin(len(data["results"]))
        pj.results = data["results"]
        pj.remaining = data["remaining"]
        pj.children = [threads[tid] for tid in data["children"]]
        return pj
    mj = MapJoin(data["inputs"], data["data"], data["maxConcurrency"])
    mj.results = data["results"]
    mj.remaining = data["remaining"]
    mj.next_index = data["nextIndex"]
    mj.running = data["running"]
    mj.children = {int(i): threads[tid] for i, tid in data["children"].items()}
    mj.failures = data["failures"]
    mj.tolerated_count = data["toleratedCount"]
    mj.tolerated_percentage = data["toleratedPercentage"]
    mj.io = data.get("io")
    return mj


def _effect_from_data(data: dict[str, Any], record: ExecutionRecord) -> RunTask | StartTimer | None:
    token = data["token"]
    if data["kind"] == "timer":
        due = time_from_data(data["due"])
        assert due is not None
        return StartTimer(token=token, due=due)
    entry = record.waiting.get(token)
    if entry is None or entry[0] is None or entry[0].state is None:
        return None  # no longer awaited
    state = entry[0].state
    if "mapIo" in data:
        return RunTask(
            token=token,
            resource=MapIOResource(data["resource"], data["mapIo"]),
            payload=data["payload"],
            state_name=state.name,
            attempt=data["attempt"],
        )
    return RunTask(
        token=token,
        resource=state.resource_info,
        payload=data["payload"],
        state_name=state.name,
        attempt=data["attempt"],
        timeout_seconds=data["timeout"],
        heartbeat_seconds=data["heartbeat"],
        task_token=data["taskToken"],
        credentials=state.credentials,
    )
