"""GetExecutionHistory and the 25,000-event history quota.

Sources: LocalStack's AWS-validated ``test_sfn_api.snapshot.json`` (``test_start_execution``,
``test_get_execution_history_reversed``, ``..._no_such_execution``, ``..._invalid_arn``); the
developer guide's "Avoid reaching the history quota" and a recorded AWS history ending
``{"type": "ExecutionFailed", "id": 25000, "previousEventId": 24999, "executionFailedEventDetails":
{"error": "States.Runtime", "cause": "The execution reached the maximum number of history events
(25000)."}}`` (same error and cause measured by floci-io/floci#2734 and cloudonaut.io).
"""

from __future__ import annotations

import json

import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.runtime.core import HISTORY_LIMIT_CAUSE

from .execution_fixtures import World, api_error
from .helpers import PASS_DEFINITION, ROLE, START_MS

EXEC_PREFIX = "arn:aws:states:us-east-1:123456789012:execution"


@pytest.fixture
def world(store: MemoryStore, clock: VirtualClock) -> World:
    return World(store, clock)


@pytest.fixture
def done(world: World) -> str:
    arn = world.start(world.machine("m", PASS_DEFINITION), name="e")
    world.run(arn)
    return arn


def test_history_in_aws_shape(world: World, done: str) -> None:
    # AWS, recorded: test_sfn_api.snapshot.json, test_start_execution (exec_hist_resp).
    role = world.sfn.describe_state_machine(
        {"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:m"}
    )
    assert role["roleArn"] == ROLE
    assert world.sfn.get_execution_history({"executionArn": done}) == {
        "events": [
            {
                "executionStartedEventDetails": {
                    "input": "{}",
                    "inputDetails": {"truncated": False},
                    "roleArn": ROLE,
                },
                "id": 1,
                "previousEventId": 0,
                "timestamp": START_MS,
                "type": "ExecutionStarted",
            },
            {
                "id": 2,
                "previousEventId": 0,
                "stateEnteredEventDetails": {
                    "input": "{}",
                    "inputDetails": {"truncated": False},
                    "name": "State_1",
                },
                "timestamp": START_MS,
                "type": "PassStateEntered",
            },
            {
                "id": 3,
                "previousEventId": 2,
                "stateExitedEventDetails": {
                    "name": "State_1",
                    "output": '{"Arg1":"argument1"}',
                    "outputDetails": {"truncated": False},
                },
                "timestamp": START_MS,
                "type": "PassStateExited",
            },
            {
                "executionSucceededEventDetails": {
                    "output": '{"Arg1":"argument1"}',
                    "outputDetails": {"truncated": False},
                },
                "id": 4,
                "previousEventId": 3,
                "timestamp": START_MS,
                "type": "ExecutionSucceeded",
            },
        ]
    }


def test_reverse_order(world: World, done: str) -> None:
    # AWS, recorded: test_get_execution_history_reversed.
    forward = world.history(done)
    assert world.history(done, reverseOrder=True) == forward[::-1]
    assert world.history(done, reverseOrder=False) == forward


@pytest.mark.parametrize("reverse", [False, True])
def test_pages_cover_the_history_once(world: World, done: str, reverse: bool) -> None:
    whole = world.history(done, reverseOrder=reverse)
    request = {"executionArn": done, "maxResults": 3, "reverseOrder": reverse}
    pages = []
    while True:
        page = world.sfn.get_execution_history(request)
        pages.append([event["id"] for event in page["events"]])
        if "nextToken" not in page:
            break
        request = {**request, "nextToken": page["nextToken"]}
    assert pages == ([[1, 2, 3], [4]] if not reverse else [[4, 3, 2], [1]])
    assert [i for page in pages for i in page] == [event["id"] for event in whole]


def test_a_page_that_ends_the_history_has_no_token(world: World, done: str) -> None:
    page = world.sfn.get_execution_history({"executionArn": done, "maxResults": 4})
    assert len(page["events"]) == 4 and "nextToken" not in page


def test_paging_a_running_execution_picks_up_new_events(world: World) -> None:
    definition = json.dumps(
        {
            "StartAt": "W",
            "States": {"W": {"Type": "Wait", "Seconds": 5, "Next": "P"}, "P": {"Type": "Pass", "End": True}},
        }
    )
    arn = world.start(world.machine("w", definition))
    first = world.sfn.get_execution_history({"executionArn": arn, "maxResults": 1})
    world.run(arn)
    rest = world.sfn.get_execution_history({"executionArn": arn, "nextToken": first["nextToken"]})
    assert [event["id"] for event in rest["events"]] == [2, 3, 4, 5, 6]


def test_include_execution_data_false_strips_inputs_and_outputs(world: World, done: str) -> None:
    events = world.history(done, includeExecutionData=False)
    assert events[0]["executionStartedEventDetails"] == {"roleArn": ROLE}
    assert events[1]["stateEnteredEventDetails"] == {"name": "State_1"}
    assert events[2]["stateExitedEventDetails"] == {"name": "State_1"}
    assert events[3]["executionSucceededEventDetails"] == {}
    assert world.history(done, includeExecutionData=True) == world.history(done)


def test_history_errors(world: World, done: str) -> None:
    missing = f"{EXEC_PREFIX}:m:nope"
    # AWS, recorded: test_get_execution_history_no_such_execution / _invalid_arn.
    assert api_error(world.sfn.get_execution_history, {"executionArn": missing}) == (
        "ExecutionDoesNotExist",
        f"Execution Does Not Exist: '{missing}'",
    )
    assert api_error(world.sfn.get_execution_history, {"executionArn": "invalid_state_machine_arn"}) == (
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'",
    )
    for token in ("nonsense", "eyJ4IjogMX0=", "eyJhZnRlckV2ZW50SWQiOiAiMiJ9"):
        assert api_error(world.sfn.get_execution_history, {"executionArn": done, "nextToken": token}) == (
            "InvalidToken",
            "Invalid Token: 'Invalid token'",
        )
    assert api_error(world.sfn.get_execution_history, {"executionArn": done, "maxResults": 1001}) == (
        "ValidationException",
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000",
    )


def test_express_executions_have_no_history(world: World) -> None:
    # AWS, recorded: test_sfn_api_express.snapshot.json (Resource type not valid in this context: express).
    arn = world.start(world.machine("fast", PASS_DEFINITION, "EXPRESS"))
    assert api_error(world.sfn.get_execution_history, {"executionArn": arn}) == (
        "InvalidArn",
        "Invalid Arn: 'Resource type not valid in this context: express'",
    )


# ------------------------------------------------------------------ the 25,000-event quota


def map_of_pass(state: str = "P") -> dict:
    processor = {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": state,
        "States": {state: {"Type": "Pass", "End": True}},
    }
    return {"Type": "Map", "ItemProcessor": processor}


def _map_machine(world: World, name: str, *, first: str, then_wait: bool = False) -> str:
    """A Pass (``first: "Pass"``) or nothing, then a Map of Pass states over the input (4 events per
    item), optionally a one-second Wait and the same Map again."""
    states: dict = {}
    start = "M1"
    if first == "Pass":
        states["Before"] = {"Type": "Pass", "Next": "M1"}
        start = "Before"
    if then_wait:
        states["M1"] = {**map_of_pass(), "ResultPath": None, "Next": "W"}
        states["W"] = {"Type": "Wait", "Seconds": 1, "Next": "M2"}
        states["M2"] = {**map_of_pass("P2"), "End": True}
    else:
        states["M1"] = {**map_of_pass(), "End": True}
    return world.machine(name, json.dumps({"StartAt": start, "States": states}))


def _assert_failed_at_the_quota(world: World, arn: str) -> None:
    described = world.describe(arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "States.Runtime",
        "The execution reached the maximum number of history events (25000).",
    )
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    assert described["redriveStatusReason"] == "Execution history event limit exceeded"
    last_two = world.history(arn, reverseOrder=True, maxResults=2)
    assert [(e["id"], e["previousEventId"], e["type"]) for e in last_two] == [
        (25000, 24999, "ExecutionFailed"),
        (24999, last_two[1]["previousEventId"], last_two[1]["type"]),
    ]
    assert last_two[0]["executionFailedEventDetails"] == {
        "error": "States.Runtime",
        "cause": HISTORY_LIMIT_CAUSE,
    }
    assert world.store.get_execution(arn).event_count == 25000


def test_an_execution_that_reaches_25000_events_fails(world: World) -> None:
    # 6 + 4 x 7000 events would be 28,006: the 25,000th is ExecutionFailed instead.
    arn = world.start(_map_machine(world, "big", first=""), input=json.dumps(list(range(7000))))
    _assert_failed_at_the_quota(world, arn)


def test_the_quota_applies_to_a_later_step(world: World) -> None:
    # Two Maps of 4,000 items around a Wait: the limit is crossed after the timer, in a later commit.
    arn = world.start(
        _map_machine(world, "twice", first="", then_wait=True), input=json.dumps(list(range(4000)))
    )
    assert world.store.get_execution(arn).status == "RUNNING"
    world.run(arn)
    _assert_failed_at_the_quota(world, arn)


def test_an_execution_that_succeeds_with_event_25000_succeeds(world: World) -> None:
    # "If the event number 25,000 is ExecutionSucceeded, the execution finishes successfully."
    # 8 + 4 x 6248 = 25,000 events (a Pass, then the Map).
    arn = world.start(_map_machine(world, "exact", first="Pass"), input=json.dumps(list(range(6248))))
    assert world.describe(arn)["status"] == "SUCCEEDED"
    (last,) = world.history(arn, reverseOrder=True, maxResults=1)
    assert (last["id"], last["type"]) == (25000, "ExecutionSucceeded")


def test_one_item_more_fails_it(world: World) -> None:
    arn = world.start(_map_machine(world, "over", first="Pass"), input=json.dumps(list(range(6249))))
    _assert_failed_at_the_quota(world, arn)


def test_express_executions_have_no_history_quota(world: World) -> None:
    machine = _map_machine(world, "fast", first="")
    machine_item = world.store.get_state_machine(machine)
    assert machine_item is not None
    express = world.machine("fastx", machine_item.definition, "EXPRESS")
    response = world.sfn.start_sync_execution(
        {"stateMachineArn": express, "input": json.dumps(list(range(7000)))}
    )
    assert response["status"] == "SUCCEEDED"
