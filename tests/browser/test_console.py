"""The web console (``stepfn serve`` at ``/``) in headless Chromium.

GIVEN ``LocalStepFunctions`` on 127.0.0.1 (a free port) over a SQLite store, a virtual clock and
local Lambda handlers
WHEN a person opens the executions list, a failed execution, redrives it, starts executions,
answers a callback, stops an execution
THEN the page shows what the store holds and updates while the execution runs; text from
definitions, inputs and logs stays text.

With ``STEPFN_SCREENSHOTS=1`` the main pages are saved to ``docs/screenshots/``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.sqlite import SqliteStore
from interpreter.serve import LocalStepFunctions

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright's Python package: pip install -e '.[dev]'"
)
expect = playwright_api.expect

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
ROLE = "arn:aws:iam::123456789012:role/sfn"
EVIL = "<img src=x onerror=alert(1)>"

ORDERS = {
    "Comment": "an order: reserve and pack in parallel, then charge the card",
    "StartAt": "Validate",
    "States": {
        "Validate": {"Type": "Pass", "Next": "Prepare"},
        "Prepare": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Reserve",
                    "States": {"Reserve": {"Type": "Task", "Resource": FN + "Reserve", "End": True}},
                },
                {
                    "StartAt": "Pack items",
                    "States": {
                        "Pack items": {
                            "Type": "Map",
                            "ItemsPath": "$.items",
                            "ItemProcessor": {
                                "StartAt": "Pack",
                                "States": {"Pack": {"Type": "Pass", "End": True}},
                            },
                            "End": True,
                        }
                    },
                },
            ],
            "ResultPath": "$.prepared",
            "Next": "Charge",
        },
        "Charge": {
            "Type": "Task",
            "Resource": FN + "Charge",
            "Retry": [{"ErrorEquals": ["Card.Busy"], "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["Card.Fraud"], "Next": "Refund"}],
            "ResultPath": "$.charge",
            "Next": "Done",
        },
        "Refund": {"Type": "Pass", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}

EVIL_MACHINE = {
    "StartAt": EVIL,
    "States": {EVIL: {"Type": "Task", "Resource": FN + "Evil", "End": True}},
}

APPROVAL = {
    "StartAt": "Approve",
    "States": {
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "Notify", "Payload": {"token.$": "$$.Task.Token"}},
            "ResultPath": "$.approval",
            "End": True,
        }
    },
}

WAITING = {"StartAt": "Sleep", "States": {"Sleep": {"Type": "Wait", "Seconds": 3600, "End": True}}}


class Handlers:
    def __init__(self) -> None:
        self.card_declined = True
        self.notified = threading.Event()

    def reserve(self, event: Any, context: Any) -> Any:
        print(f"reserving order {event['order']}")
        return {"reserved": True}

    def charge(self, event: Any, context: Any) -> Any:
        print(f"charging order {event['order']}")
        if self.card_declined:
            raise RuntimeError("card declined")
        return {"charged": event["order"]}

    def evil(self, event: Any, context: Any) -> Any:
        print(f"log line {EVIL}")
        return event

    def notify(self, event: Any, context: Any) -> Any:
        self.notified.set()
        return {}


class Console:
    def __init__(self, sfn: LocalStepFunctions, handlers: Handlers) -> None:
        self.sfn = sfn
        self.handlers = handlers
        self.service = sfn.service

    def machine(self, name: str, definition: dict[str, Any]) -> str:
        request = {"name": name, "definition": json.dumps(definition), "roleArn": ROLE}
        return str(self.service.create_state_machine(request)["stateMachineArn"])

    def start(self, machine: str, name: str, value: Any, *, wait: bool = True) -> str:
        self.sfn.clock.advance(60)  # a minute apart: the list's order (newest first) is by start
        request = {"stateMachineArn": machine, "name": name, "input": json.dumps(value)}
        arn = str(self.service.start_execution(request)["executionArn"])
        if wait:
            assert self.sfn.executor.wait_finished(arn, timeout=10)
        return arn

    def url(self, path: str = "/") -> str:
        return self.sfn.url + path


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    handlers = Handlers()
    clock = VirtualClock(start=datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    runner = LocalTaskRunner.from_handlers(
        {
            "Reserve": handlers.reserve,
            "Charge": handlers.charge,
            "Evil": handlers.evil,
            "Notify": handlers.notify,
        },
        clock=clock,
    )
    with LocalStepFunctions(SqliteStore(tmp_path / "stepfn.db"), runner=runner, clock=clock) as sfn:
        yield Console(sfn, handlers)


def node(page: Any, node_id: str) -> Any:
    return page.locator(f'#graph g[data-id="{node_id}"]')


def no_trouble(page: Any) -> None:
    assert page.dialogs == [], f"a dialog opened: {page.dialogs}"
    assert page.errors == [], f"the page logged errors: {page.errors}"


# ------------------------------------------------------------------ the main path


def test_list_failed_execution_redrive(console: Console, page: Any) -> None:
    # GIVEN an execution whose Charge task fails, beside others
    orders = console.machine("orders", ORDERS)
    console.start(orders, "order-41", {"order": "A-41", "items": [1, 2]})
    console.handlers.card_declined = False
    console.start(orders, "order-42", {"order": "A-42", "items": [1, 2, 3]})
    console.handlers.card_declined = True
    failed = console.start(orders, "order-43", {"order": "A-43", "items": [1, 2, 3, 4]})
    console.start(console.machine("approvals", APPROVAL), "approval-7", {"order": "A-7"}, wait=False)
    assert console.handlers.notified.wait(10)

    # WHEN the list is opened: newest first, with status, machine, start and duration
    page.goto(console.url("/"))
    rows = page.locator("table.executions tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("approval-7")
    expect(rows.nth(0)).to_contain_text("RUNNING")
    expect(rows.nth(1)).to_contain_text("order-43")
    expect(rows.nth(1)).to_contain_text("FAILED")
    expect(rows.nth(1)).to_contain_text("orders")
    screenshot(page, "executions")

    # filters: by status, and a search by name
    page.select_option("#filter-status", "FAILED")
    page.click("form.filters button[type=submit]")
    expect(rows).to_have_count(2)  # order-41 and order-43
    page.fill("#filter-q", "order-4")
    page.select_option("#filter-status", "")
    page.click("form.filters button[type=submit]")
    expect(rows).to_have_count(3)

    # THEN the failed execution: Charge failed in the graph, its error and its logs shown
    page.click("text=order-43")
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    expect(page.locator("#exec-status")).to_have_text("FAILED")
    expect(node(page, "Charge")).to_have_class(re.compile(r"\bstatus-failed\b"))
    expect(node(page, "Validate")).to_have_class(re.compile(r"\bstatus-succeeded\b"))
    expect(node(page, "Prepare/1/Pack items/Map/Pack")).to_have_class(re.compile(r"\bstatus-succeeded\b"))
    expect(node(page, "Refund")).to_have_class(re.compile(r"\bstatus-not_reached\b"))
    expect(page.locator("#state-title")).to_have_text("Charge")  # the failed state is selected
    expect(page.locator("#state-error")).to_contain_text("RuntimeError")
    expect(page.locator("#state-error")).to_contain_text("card declined")
    expect(page.locator("#state-input")).to_contain_text('"A-43"')
    expect(page.locator("#logs-body")).to_contain_text("charging order A-43")
    expect(page.locator("#events-body tr[data-id]").first).to_contain_text("ExecutionStarted")
    expect(page.locator("#action-redrive")).to_be_visible()
    screenshot(page, "execution")

    # selecting another state shows its own input, output and logs
    node(page, "Prepare/0/Reserve").click()
    expect(page.locator("#state-title")).to_have_text("Reserve")
    expect(page.locator("#state-output")).to_contain_text('"reserved": true')
    expect(page.locator("#logs-body")).to_contain_text("reserving order A-43")
    expect(page.locator("#logs-body")).not_to_contain_text("charging")

    # WHEN the card works again and the execution is redriven from the page
    console.handlers.card_declined = False
    page.click("#action-redrive")
    # THEN it succeeds and the page follows without a reload
    expect(page.locator("#exec-status")).to_have_text("SUCCEEDED")
    expect(node(page, "Charge")).to_have_class(re.compile(r"\bstatus-succeeded\b"))
    expect(node(page, "Done")).to_have_class(re.compile(r"\bstatus-succeeded\b"))
    expect(page.locator("#fact-redrives")).to_have_text("1")
    expect(page.locator("#action-redrive")).to_be_hidden()
    expect(page.locator("#exec-output")).to_contain_text('"charged": "A-43"')
    assert console.service.describe_execution({"executionArn": failed})["status"] == "SUCCEEDED"
    no_trouble(page)


def test_state_machine_page_starts_an_execution_and_shows_errors(console: Console, page: Any) -> None:
    orders = console.machine("orders", ORDERS)
    console.handlers.card_declined = False
    console.start(orders, "first", {"order": "F-1", "items": [1]})
    page.goto(console.url("/console/state-machines"))
    page.click("text=orders")
    expect(page.locator("h1")).to_have_text("orders")
    expect(node(page, "Prepare/1/Pack items")).to_be_visible()
    expect(page.locator("#definition")).to_contain_text("reserve and pack in parallel")
    expect(page.locator("table.executions")).to_contain_text("first")
    screenshot(page, "state-machine")

    # an input that is not JSON: AWS's error, shown as it is
    page.fill("#start-input", "{not json")
    page.click("#start-button")
    expect(page.locator("#start-message")).to_contain_text("InvalidExecutionInput")
    # a name already taken
    page.fill("#start-input", json.dumps({"order": "F-2", "items": [1, 2]}))
    page.fill("#start-name", "first")
    page.click("#start-button")
    expect(page.locator("#start-message")).to_contain_text("ExecutionAlreadyExists")

    page.fill("#start-name", "second")
    page.click("#start-button")
    page.wait_for_url(re.compile(r"/console/execution\?arn="))
    expect(page.locator("#exec-name")).to_have_text("second")
    expect(page.locator("#exec-status")).to_have_text("SUCCEEDED")
    no_trouble(page)


def test_a_waiting_callback_is_answered_from_the_page(console: Console, page: Any) -> None:
    arn = console.start(console.machine("approvals", APPROVAL), "approval-1", {"order": "A-1"}, wait=False)
    assert console.handlers.notified.wait(10)
    page.goto(console.url(f"/console/execution?arn={arn}"))
    expect(page.locator("#exec-status")).to_have_text("RUNNING")
    expect(node(page, "Approve")).to_have_class(re.compile(r"\bstatus-running\b"))
    callback = page.locator("#callback-list .callback")
    expect(callback).to_have_count(1)
    expect(callback).to_contain_text("Approve")

    callback.locator("textarea").fill("not json")
    callback.locator("button.cb-success").click()
    expect(callback.locator(".message")).to_contain_text("InvalidOutput")
    callback.locator("textarea").fill(json.dumps({"by": "ops"}))
    callback.locator("button.cb-success").click()
    expect(page.locator("#exec-status")).to_have_text("SUCCEEDED")
    expect(node(page, "Approve")).to_have_class(re.compile(r"\bstatus-succeeded\b"))
    expect(page.locator("#callbacks")).to_be_hidden()
    expect(page.locator("#exec-output")).to_contain_text('"by": "ops"')
    no_trouble(page)


def test_a_running_execution_is_stopped_from_the_page(console: Console, page: Any) -> None:
    arn = console.start(console.machine("sleepy", WAITING), "nap", {}, wait=False)
    page.goto(console.url(f"/console/execution?arn={arn}"))
    expect(node(page, "Sleep")).to_have_class(re.compile(r"\bstatus-running\b"))
    page.click("#action-stop")
    expect(page.locator("#action-stop")).to_have_text("Click again to stop")
    page.click("#action-stop")
    expect(page.locator("#exec-status")).to_have_text("ABORTED")
    expect(node(page, "Sleep")).to_have_class(re.compile(r"\bstatus-aborted\b"))
    expect(page.locator("#action-redrive")).to_be_visible()  # an aborted execution can be redriven
    no_trouble(page)


def test_a_running_execution_updates_live_without_a_reload(console: Console, page: Any) -> None:
    arn = console.start(console.machine("sleepy", WAITING), "nap", {}, wait=False)
    page.goto(console.url(f"/console/execution?arn={arn}"))
    expect(page.locator("#exec-status")).to_have_text("RUNNING")
    expect(node(page, "Sleep")).to_have_class(re.compile(r"\bstatus-running\b"))
    expect(page.locator("#live")).to_contain_text("updating")
    page.evaluate("document.body.dataset.marker = 'same page'")  # gone if the page reloads

    # WHEN the hour passes (virtual time) and the execution ends on its own
    console.sfn.clock.advance(3600)
    console.sfn.wake()
    assert console.sfn.executor.wait_finished(arn, timeout=10)
    # THEN the page polling the API shows it
    expect(page.locator("#exec-status")).to_have_text("SUCCEEDED")
    expect(node(page, "Sleep")).to_have_class(re.compile(r"\bstatus-succeeded\b"))
    expect(page.locator("#live")).to_have_text("")
    assert page.evaluate("document.body.dataset.marker") == "same page"
    no_trouble(page)


# ------------------------------------------------------------------ hostile text


def test_html_in_state_names_inputs_and_logs_stays_text(console: Console, page: Any) -> None:
    machine = console.machine("evil", EVIL_MACHINE)
    value = {"note": "<script>alert(3)</script>" + EVIL.replace("1", "4")}
    arn = console.start(machine, "evil-1", value)
    page.goto(console.url(f"/console/execution?arn={arn}"))
    expect(page.locator("body")).to_have_attribute("data-ready", "1")

    # the state name, in the graph and once selected
    state = node(page, EVIL)
    expect(state).to_have_class(re.compile(r"\bstatus-succeeded\b"))
    expect(state.locator("text").first).to_have_text(re.compile(re.escape("<img src=x")))
    state.click()
    expect(page.locator("#state-title")).to_have_text(EVIL)
    # the input, as the execution's and as the state's
    expect(page.locator("#exec-input")).to_contain_text("<script>alert(3)</script>")
    expect(page.locator("#state-input")).to_contain_text("<img src=x onerror=alert(4)>")
    # the log line, and the state column of the events
    expect(page.locator("#logs-body")).to_contain_text(f"log line {EVIL}")
    expect(page.locator("#events-body")).to_contain_text(EVIL)
    # the state machine page: graph and definition
    page.click("#machine-link")
    expect(page.locator("#definition")).to_contain_text(EVIL)
    expect(node(page, EVIL)).to_be_visible()

    assert page.locator("img").count() == 0  # nothing became an element
    assert page.locator("script:not([src])").count() == 0
    no_trouble(page)


def test_an_unknown_execution_is_a_page_that_says_so(console: Console, page: Any) -> None:
    response = page.goto(
        console.url("/console/execution?arn=arn:aws:states:us-east-1:123456789012:execution:x:y")
    )
    assert response is not None and response.status == 404
    expect(page.locator(".error")).to_contain_text("ExecutionDoesNotExist")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
