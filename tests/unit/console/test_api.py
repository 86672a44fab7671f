"""The console's JSON API, pages and actions through Werkzeug's test client (no sockets).

GIVEN a ``StepFunctionsService`` over ``MemoryStore`` with a virtual clock and local handlers,
wrapped by ``ConsoleApp`` (and mounted by ``ApiServer``)
WHEN the console's URLs are requested
THEN they answer the store's contents as JSON or HTML, paged, AWS's errors as they are, with a
strict Content-Security-Policy, and actions refuse what looks cross-site.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from werkzeug.test import Client

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.api.server import HOME_NOTE, ApiServer
from interpreter.console import ConsoleApp
from interpreter.service.stepfunctions import StepFunctionsService

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
ROLE = "arn:aws:iam::123456789012:role/sfn"
EVIL = "<img src=x onerror=alert(1)>"

SHOP = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Parameters": {"order.$": "$.order", "n.$": "$.n"}, "Next": "Charge"},
        "Charge": {
            "Type": "Task",
            "Resource": FN + "Charge",
            "ResultSelector": {"paid.$": "$.ok"},
            "ResultPath": "$.payment",
            "End": True,
        },
    },
}
APPROVAL = {
    "StartAt": "Approve",
    "States": {
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "Notify", "Payload": {"token.$": "$$.Task.Token"}},
            "End": True,
        }
    },
}


class World:
    def __init__(self, store: Any = None) -> None:
        self.broken = True
        self.tokens: list[str] = []
        self.clock = VirtualClock()
        handlers = {"Charge": self.charge, "Notify": self.notify, "Evil": self.evil}
        runner = LocalTaskRunner.from_handlers(handlers, clock=self.clock)
        self.sfn = StepFunctionsService(store or MemoryStore(), runner=runner, clock=self.clock)
        self.client = Client(ConsoleApp(self.sfn))

    def charge(self, event: Any, context: Any) -> Any:
        print(f"charging {event['order']}")
        if self.broken:
            raise RuntimeError("card declined")
        return {"ok": True}

    def notify(self, event: Any, context: Any) -> Any:
        self.tokens.append(event["token"])
        return {}

    def evil(self, event: Any, context: Any) -> Any:
        print(EVIL)
        return event

    def machine(self, name: str, definition: dict[str, Any]) -> str:
        request = {"name": name, "definition": json.dumps(definition), "roleArn": ROLE}
        return str(self.sfn.create_state_machine(request)["stateMachineArn"])

    def run(self, machine: str, name: str, value: Any, *, to_end: bool = True) -> str:
        self.clock.advance(1)
        request = {"stateMachineArn": machine, "name": name, "input": json.dumps(value)}
        arn = str(self.sfn.start_execution(request)["executionArn"])
        if to_end:
            self.sfn.workflows.run_to_end(arn)
        return arn

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, query_string=params, headers={"Host": "127.0.0.1:8083"})

    def api(self, path: str, **params: Any) -> Any:
        response = self.get(f"/console/api{path}", **params)
        assert response.mimetype == "application/json"
        return response

    def act(self, action: str, body: Any, **headers: str) -> Any:
        return self.client.post(
            f"/console/api/actions/{action}",
            data=json.dumps(body),
            headers={"Content-Type": "application/json", "Host": "127.0.0.1:8083", **headers},
        )


@pytest.fixture
def world() -> World:
    return World()


def error_of(response: Any) -> tuple[int, str, str]:
    body = response.json["error"]
    return response.status_code, body["code"], body["message"]


# ------------------------------------------------------------------ executions list


def test_the_list_is_newest_first_and_filters_by_status_machine_and_name(world: World) -> None:
    shop = world.machine("shop", SHOP)
    other = world.machine("other", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    world.run(shop, "failing-1", {"order": "A", "n": 1})
    world.broken = False
    world.run(shop, "paid-2", {"order": "B", "n": 2})
    world.run(other, "plain-3", {})

    rows = world.api("/executions").json["executions"]
    assert [r["name"] for r in rows] == ["plain-3", "paid-2", "failing-1"]
    assert rows[2]["status"] == "FAILED" and rows[2]["stateMachineName"] == "shop"
    assert set(rows[0]) >= {"executionArn", "startDate", "stopDate", "durationMs", "redriveCount"}

    def names(**params: Any) -> list[str]:
        return [r["name"] for r in world.api("/executions", **params).json["executions"]]

    assert names(status="FAILED") == ["failing-1"]
    assert names(machine=shop) == ["paid-2", "failing-1"]
    assert names(q="PAID") == ["paid-2"]  # case-insensitive, part of the name
    assert names(q="plain", machine=shop) == []
    assert error_of(world.api("/executions", status="DONE"))[:2] == (400, "ValidationException")


def test_pages_of_the_list_and_of_a_search_neither_repeat_nor_skip(world: World) -> None:
    machine = world.machine("many", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    for i in range(23):
        world.run(machine, f"{'even' if i % 2 == 0 else 'odd'}-{i:02d}", {})

    def collect(**params: Any) -> list[str]:
        seen: list[str] = []
        token = None
        while True:
            page = world.api("/executions", limit=5, token=token, **params).json
            assert len(page["executions"]) <= 5
            seen += [r["name"] for r in page["executions"]]
            token = page["nextToken"]
            if token is None:
                return seen

    everything = collect()
    assert everything == [f"{'even' if i % 2 == 0 else 'odd'}-{i:02d}" for i in reversed(range(23))]
    evens = collect(q="even")
    assert evens == [name for name in everything if name.startswith("even")]
    assert error_of(world.api("/executions", token="garbage"))[:2] == (400, "InvalidToken")


# ------------------------------------------------------------------ one execution


def test_an_execution_with_node_statuses_events_and_the_state_it_failed_in(world: World) -> None:
    arn = world.run(world.machine("shop", SHOP), "e1", {"order": "A-1", "n": 3})
    data = world.api("/execution", arn=arn).json
    assert data["execution"]["status"] == "FAILED"
    assert data["execution"]["error"] == "RuntimeError"
    assert "input" not in data["execution"]  # the poll stays light
    assert data["stateMachine"]["name"] == "shop"
    assert {k: v["status"] for k, v in data["nodes"].items()} == {
        "~start": "succeeded",
        "Prepare": "succeeded",
        "Charge": "failed",
        "~end": "failed",
    }
    assert data["eventCount"] == 8
    assert world.api("/execution", arn=arn, full="1").json["execution"]["input"] == '{"order": "A-1", "n": 3}'

    # events: paged, AWS's shape, each with its state
    first = world.api("/execution/events", arn=arn, limit=3).json
    assert [e["id"] for e in first["events"]] == [1, 2, 3]
    assert first["events"][1]["stateEnteredEventDetails"]["name"] == "Prepare"
    assert (first["events"][0]["state"], first["events"][1]["state"]) == (None, "Prepare")
    assert (first["nextAfter"], first["prevAfter"], first["total"]) == (3, None, 8)
    rest = world.api("/execution/events", arn=arn, after=3, limit=10).json
    assert [e["id"] for e in rest["events"]] == [4, 5, 6, 7, 8]
    assert rest["nextAfter"] is None and rest["prevAfter"] == 0
    assert [e["state"] for e in rest["events"]] == ["Charge"] * 4 + [None]

    # the failed state: input, what its task was sent, its error, data-flow steps
    state = world.api("/execution/state", arn=arn, node="Charge").json
    assert (state["name"], state["type"], state["status"]["status"]) == ("Charge", "Task", "failed")
    assert json.loads(state["input"]) == {"order": "A-1", "n": 3}
    assert state["output"] is None
    assert state["failure"]["error"] == "RuntimeError"
    assert json.loads(state["task"]["sent"]["parameters"]) == {"order": "A-1", "n": 3}
    assert state["task"]["result"]["ok"] is False
    steps = state["steps"]
    assert steps["available"] and steps["status"] == "FAILED"
    assert [s["key"] for s in steps["steps"]] == ["input", "afterInputPath", "afterParameters"]

    prepare = world.api("/execution/state", arn=arn, node="Prepare").json
    assert json.loads(prepare["output"]) == {"order": "A-1", "n": 3}
    assert [s["key"] for s in prepare["steps"]["steps"]][-1] == "output"


def test_a_succeeded_task_shows_every_data_flow_step(world: World) -> None:
    world.broken = False
    arn = world.run(world.machine("shop", SHOP), "e1", {"order": "A-1", "n": 3})
    steps = world.api("/execution/state", arn=arn, node="Charge").json["steps"]
    values = {s["key"]: json.loads(s["value"]) for s in steps["steps"]}
    assert values["result"] == {"ok": True}
    assert values["afterResultSelector"] == {"paid": True}
    assert values["afterResultPath"] == {"order": "A-1", "n": 3, "payment": {"paid": True}}
    assert values["output"] == values["afterResultPath"]


def test_unknown_executions_and_states_are_the_apis_errors(world: World) -> None:
    missing = "arn:aws:states:us-east-1:123456789012:execution:shop:nope"
    assert error_of(world.api("/execution", arn=missing)) == (
        404,
        "ExecutionDoesNotExist",
        f"Execution Does Not Exist: '{missing}'",
    )
    assert error_of(world.api("/execution/events", arn=missing))[:2] == (404, "ExecutionDoesNotExist")
    assert error_of(world.api("/execution/logs", arn=missing))[:2] == (404, "ExecutionDoesNotExist")
    arn = world.run(world.machine("shop", SHOP), "e1", {"order": "A", "n": 1})
    assert error_of(world.api("/execution/state", arn=arn, node="Nope"))[:2] == (404, "ResourceNotFound")
    assert error_of(world.api("/execution/events", arn=arn, after="x"))[:2] == (400, "ValidationException")
    assert error_of(world.api("/state-machine", arn="arn:aws:states:us-east-1:1:stateMachine:x"))[:2] == (
        404,
        "StateMachineDoesNotExist",
    )
    assert world.get("/console/api/nothing").status_code == 404
    page = world.get("/console/execution", arn=missing)
    assert page.status_code == 404 and "ExecutionDoesNotExist" in page.get_data(as_text=True)


def test_waiting_callbacks_are_listed_with_their_state(world: World) -> None:
    arn = world.run(world.machine("approvals", APPROVAL), "a1", {}, to_end=False)
    world.sfn.workflows.executor.run_until(lambda: bool(world.tokens))
    data = world.api("/execution", arn=arn).json
    assert data["nodes"]["Approve"]["status"] == "running"
    assert data["waiting"] == [
        {"taskToken": world.tokens[0], "state": "Approve", "node": "Approve", "enteredEvent": 2}
    ]


# ------------------------------------------------------------------ logs


def test_logs_page_by_seq_and_filter_by_state(world: World) -> None:
    machine = world.machine("shop", SHOP)
    arn = world.run(machine, "e1", {"order": "A", "n": 1})
    everything = world.api("/execution/logs", arn=arn).json
    assert everything["supported"] is True
    messages = [line["message"] for line in everything["logs"]]
    assert messages[0] == "charging A"
    assert all(line["state"] == "Charge" for line in everything["logs"])
    assert everything["logs"][0]["time"].endswith("Z")

    first = world.api("/execution/logs", arn=arn, limit=1).json
    assert len(first["logs"]) == 1 and first["nextAfter"] == first["logs"][0]["seq"]
    rest = world.api("/execution/logs", arn=arn, after=first["nextAfter"]).json
    assert [line["message"] for line in first["logs"] + rest["logs"]] == messages
    assert world.api("/execution/logs", arn=arn, state="Prepare").json["logs"] == []
    errors = world.api("/execution/logs", arn=arn, level="ERROR").json["logs"]
    assert errors and all(line["level"] == "ERROR" for line in errors)


class _StoreWithoutLogs:
    """A store of before log capture: everything but ``append_logs``/``get_logs``."""

    def __init__(self) -> None:
        self._store = MemoryStore()

    def __getattr__(self, name: str) -> Any:
        if name in ("append_logs", "get_logs"):
            raise AttributeError(name)
        return getattr(self._store, name)


def test_a_store_without_logs_has_none() -> None:
    world = World(store=_StoreWithoutLogs())
    world.broken = False
    arn = world.run(world.machine("shop", SHOP), "e1", {"order": "A", "n": 1})
    assert world.api("/execution/logs", arn=arn).json == {"logs": [], "nextAfter": None, "supported": False}


# ------------------------------------------------------------------ state machines


def test_a_state_machine_with_its_graph_and_executions(world: World) -> None:
    shop = world.machine("shop", SHOP)
    world.run(shop, "e1", {"order": "A", "n": 1})
    data = world.api("/state-machine", arn=shop).json
    assert data["stateMachine"]["name"] == "shop"
    assert json.loads(data["stateMachine"]["definition"]) == SHOP
    assert {n["id"] for n in data["graph"]["nodes"]} == {"~start", "Prepare", "Charge", "~end"}
    assert all({"x", "y", "w", "h"} <= set(n) for n in data["graph"]["nodes"])
    assert [e["name"] for e in data["executions"]["executions"]] == ["e1"]
    assert [m["name"] for m in world.api("/state-machines").json["stateMachines"]] == ["shop"]


# ------------------------------------------------------------------ actions


def test_start_stop_redrive_through_actions(world: World) -> None:
    shop = world.machine("shop", SHOP)
    started = world.act(
        "start", {"stateMachineArn": shop, "name": "via-console", "input": '{"order": "C", "n": 1}'}
    )
    assert started.status_code == 200
    arn = started.json["executionArn"]
    assert started.json["startDate"].endswith("Z")
    world.sfn.workflows.run_to_end(arn)
    assert world.api("/execution", arn=arn).json["execution"]["status"] == "FAILED"

    world.broken = False
    assert world.act("redrive", {"executionArn": arn}).status_code == 200
    world.sfn.workflows.run_to_end(arn)
    data = world.api("/execution", arn=arn).json
    assert data["execution"]["status"] == "SUCCEEDED"
    assert data["nodes"]["Charge"]["status"] == "succeeded"
    assert data["nodes"]["Charge"]["beforeRedrive"] == 1
    assert error_of(world.act("redrive", {"executionArn": arn})) == (
        400,
        "ExecutionNotRedrivable",
        "Execution is SUCCEEDED and cannot be redriven",
    )

    waiting = world.run(
        world.machine(
            "sleepy", {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 99, "End": True}}}
        ),
        "w",
        {},
        to_end=False,
    )
    assert world.act("stop", {"executionArn": waiting, "error": "Ops"}).status_code == 200
    assert world.api("/execution", arn=waiting).json["nodes"]["W"]["status"] == "aborted"


def test_callbacks_are_answered_through_actions(world: World) -> None:
    arn = world.run(world.machine("approvals", APPROVAL), "a1", {}, to_end=False)
    world.sfn.workflows.executor.run_until(lambda: bool(world.tokens))
    token = world.tokens[0]
    assert error_of(world.act("send-task-success", {"taskToken": token, "output": "{nope"}))[:2] == (
        400,
        "InvalidOutput",
    )
    assert error_of(world.act("send-task-success", {"taskToken": "bad", "output": "{}"}))[:2] == (
        400,
        "InvalidToken",
    )
    assert (
        world.act("send-task-failure", {"taskToken": token, "error": "No", "cause": "rejected"}).status_code
        == 200
    )
    world.sfn.workflows.run_to_end(arn)
    node = world.api("/execution", arn=arn).json["nodes"]["Approve"]
    assert (node["status"], node["error"], node["cause"]) == ("failed", "No", "rejected")


def test_actions_are_checked_as_the_api_checks_them(world: World) -> None:
    shop = world.machine("shop", SHOP)
    assert error_of(world.act("start", {"stateMachineArn": shop, "input": "{bad"}))[:2] == (
        400,
        "InvalidExecutionInput",
    )
    code, kind, message = error_of(world.act("stop", {}))
    assert (code, kind) == (400, "ValidationException") and "executionArn" in message
    assert error_of(world.act("start", {"stateMachineArn": shop, "input": 5}))[:2] == (
        400,
        "SerializationException",
    )
    assert error_of(world.act("start", ["not", "an", "object"]))[:2] == (400, "SerializationException")
    assert error_of(world.act("delete-everything", {}))[:2] == (404, "UnknownOperationException")


def test_actions_refuse_what_looks_cross_site(world: World) -> None:
    shop = world.machine("shop", SHOP)
    body = {"stateMachineArn": shop}
    assert error_of(world.act("start", body, Origin="https://evil.example"))[:2] == (403, "Forbidden")
    assert error_of(world.act("start", body, **{"Sec-Fetch-Site": "cross-site"}))[:2] == (403, "Forbidden")
    form = world.client.post(
        "/console/api/actions/start",
        data=json.dumps(body),
        headers={"Content-Type": "text/plain", "Host": "127.0.0.1:8083"},
    )
    assert error_of(form)[:2] == (415, "UnsupportedMediaType")
    assert world.client.get("/console/api/actions/start", headers={"Host": "127.0.0.1"}).status_code == 405
    same = world.act("start", body, Origin="http://127.0.0.1:8083", **{"Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 200
    # a name that is not loopback or an address (DNS rebinding) is refused
    rebound = world.client.get("/console/api/executions", headers={"Host": "attacker.example:8083"})
    assert error_of(rebound)[:2] == (403, "Forbidden")
    assert world.client.get("/console/api/executions", headers={"Host": "localhost:8083"}).status_code == 200


# ------------------------------------------------------------------ pages and assets


def test_every_response_has_a_strict_content_security_policy(world: World) -> None:
    arn = world.run(world.machine("shop", SHOP), "e1", {"order": "A", "n": 1})
    for response in (
        world.get("/"),
        world.get("/console/execution", arn=arn),
        world.api("/execution", arn=arn),
        world.get("/console/static/console.js"),
        world.get("/console/api/nothing"),
    ):
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_escape_names_inputs_and_have_no_inline_script_or_style(world: World) -> None:
    machine = world.machine(
        "evil", {"StartAt": EVIL, "States": {EVIL: {"Type": "Task", "Resource": FN + "Evil", "End": True}}}
    )
    arn = world.run(machine, "e1", {"x": "<script>alert(2)</script>"})
    for page in (world.get("/console/execution", arn=arn), world.get("/console/state-machine", arn=machine)):
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "<img" not in text and "<script>alert" not in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in text
        assert "<style" not in text and " style=" not in text
        assert text.count("<script") == text.count('<script src="/console/static/console.js" defer></script>')
    execution = world.get("/console/execution", arn=arn).get_data(as_text=True)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in execution
    # the JSON API gives the text as it is (the page sets it as text)
    assert world.api("/execution/logs", arn=arn).json["logs"][0]["message"] == EVIL


def test_the_list_page_and_the_machines_page(world: World) -> None:
    shop = world.machine("shop", SHOP)
    world.run(shop, "e1", {"order": "A", "n": 1})
    listing = world.get("/console/executions", status="FAILED").get_data(as_text=True)
    assert "e1" in listing and '<option value="FAILED" selected>' in listing
    empty = world.get("/console/executions", status="SUCCEEDED").get_data(as_text=True)
    assert "No executions." in empty
    assert "shop" in world.get("/console/state-machines").get_data(as_text=True)
    assert world.get("/console/").status_code == 200


def test_static_assets_are_served_and_nothing_else(world: World) -> None:
    css = world.get("/console/static/console.css")
    assert (css.status_code, css.mimetype) == (200, "text/css")
    graph_css = world.get("/console/static/graph.css").get_data(as_text=True)
    assert ".status-failed" in graph_css and ".status-aborted" in graph_css
    assert world.get("/console/static/console.js").mimetype == "text/javascript"
    for name in ("nope.js", "..%2Fapp.py", "app.py", ".hidden.css"):
        assert world.get(f"/console/static/{name}").status_code == 404


# ------------------------------------------------------------------ mounted in the API server


def test_the_api_server_mounts_the_console_and_keeps_the_api(world: World) -> None:
    server = ApiServer(world.sfn, port=0)
    client = Client(server.wsgi_app)
    host = {"Host": "127.0.0.1:8083"}
    browser = client.get("/", headers={**host, "Accept": "text/html,application/xhtml+xml"})
    assert browser.status_code == 200 and browser.mimetype == "text/html"
    assert "<title>Executions" in browser.get_data(as_text=True)
    assert client.get("/", headers=host).data == HOME_NOTE  # curl: the one-line note
    assert client.get("/console/api/executions", headers=host).json == {
        "executions": [],
        "nextToken": None,
        "scanned": 0,
    }
    api = client.post(
        "/",
        data=json.dumps({}),
        headers={
            **host,
            "X-Amz-Target": "AWSStepFunctions.ListStateMachines",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    assert api.status_code == 200 and json.loads(api.data) == {"stateMachines": []}
