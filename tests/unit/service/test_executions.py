"""StartExecution, StartSyncExecution, DescribeExecution, ListExecutions, StopExecution and
DescribeStateMachineForExecution over ``MemoryStore`` with a virtual clock.

Sources for AWS's behaviour, named per test: LocalStack's AWS-validated snapshots
(``tests/aws/services/stepfunctions/v2/test_sfn_api.snapshot.json``, ``express/
test_express_sync.snapshot.json``), the Step Functions API reference, and responses captured from
real AWS in public reports (floci-io/floci#2733, #2734).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.stores.base import ExecutionItem
from interpreter.adapters.stores.memory import MemoryStore

from .execution_fixtures import (
    FAIL_DEFINITION,
    TIMEOUT_DEFINITION,
    WAIT_DEFINITION,
    World,
    api_error,
)
from .helpers import PASS_DEFINITION, START_MS, machine_arn

EXEC_PREFIX = "arn:aws:states:us-east-1:123456789012:execution"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture
def world(store: MemoryStore, clock: VirtualClock) -> World:
    return World(store, clock)


# ------------------------------------------------------------------ StartExecution


def test_start_returns_the_execution_arn_and_start_date(world: World) -> None:
    arn = world.machine("m", PASS_DEFINITION)
    response = world.sfn.start_execution({"stateMachineArn": arn, "name": "e1"})
    assert response == {"executionArn": f"{EXEC_PREFIX}:m:e1", "startDate": START_MS}


def test_start_defaults_to_a_uuid_name_and_an_empty_object_input(world: World) -> None:
    arn = world.start(world.machine("m", PASS_DEFINITION))
    described = world.describe(arn)
    assert UUID.match(described["name"]) and arn == f"{EXEC_PREFIX}:m:{described['name']}"
    assert described["input"] == "{}"


@pytest.mark.parametrize("given", ["2", '"some text"', "null", ' {"a": [1, 2.5e3, true]} '])
def test_start_accepts_any_json_value_and_keeps_the_text(world: World, given: str) -> None:
    # AWS, recorded: test_invalid_start_execution_input (start_res_num / _str / _null succeed).
    arn = world.start(world.machine("m", PASS_DEFINITION), input=given)
    assert world.describe(arn)["input"] == given


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        # AWS, recorded verbatim: test_sfn_api.snapshot.json, test_invalid_start_execution_input.
        (
            "not some json",
            "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token "
            "'null', 'true' or 'false')",
        ),
        (
            "{'not': 'json'",
            "Unexpected character (''' (code 39)): was expecting double-quote to start field name",
        ),
        ("", "Invalid execution input."),
        # Jackson's wording for the same mistakes (the parser AWS reports).
        (
            '{"a" 1}',
            "Unexpected character ('1' (code 49)): was expecting a colon to separate field name and value",
        ),
        ("[1 2]", "Unexpected character ('2' (code 50)): was expecting comma to separate Array entries"),
        (
            '{"a": 1 "b": 2}',
            "Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries",
        ),
        ("[1,", "Unexpected end-of-input: expected close marker for Array"),
        (
            "}",
            "Unexpected character ('}' (code 125)): expected a valid value (JSON String, Number, Array, "
            "Object or token 'null', 'true' or 'false')",
        ),
    ],
)
def test_start_refuses_input_that_is_not_json_with_aws_message(
    world: World, given: str, problem: str
) -> None:
    request = {"stateMachineArn": world.machine("m", PASS_DEFINITION), "input": given}
    assert api_error(world.sfn.start_execution, request) == (
        "InvalidExecutionInput",
        f"Invalid State Machine Execution Input: '{problem}'",
    )


def test_start_refuses_nan_which_json_does_not_allow(world: World) -> None:
    code, message = api_error(
        world.sfn.start_execution, {"stateMachineArn": world.machine("m", PASS_DEFINITION), "input": "NaN"}
    )
    assert code == "InvalidExecutionInput" and "Non-standard token 'NaN'" in message


def test_start_refuses_input_over_256_kib(world: World) -> None:
    # API reference: input is SensitiveData, at most 262144 bytes in UTF-8.
    too_big = json.dumps("é" * 131_072)  # 262,146 bytes
    request = {"stateMachineArn": world.machine("m", PASS_DEFINITION), "input": too_big}
    assert api_error(world.sfn.start_execution, request) == (
        "ValidationException",
        "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have size "
        "less than or equal to 262144 bytes in UTF-8 encoding",
    )


@pytest.mark.parametrize("name", ["with space", "a/b", "x$", "tab\tname", "nul\x00"])
def test_start_refuses_forbidden_name_characters(world: World, name: str) -> None:
    # AWS, recorded: Invalid Name: '<name>' (test_sfn_api_activities.snapshot.json; same rule).
    request = {"stateMachineArn": world.machine("m", PASS_DEFINITION), "name": name}
    assert api_error(world.sfn.start_execution, request) == ("InvalidName", f"Invalid Name: '{name}'")


def test_start_refuses_a_name_over_80_characters(world: World) -> None:
    name = "n" * 81
    request = {"stateMachineArn": world.machine("m", PASS_DEFINITION), "name": name}
    assert api_error(world.sfn.start_execution, request) == (
        "ValidationException",
        f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 80",
    )


def test_start_of_an_unknown_machine(world: World) -> None:
    # AWS, recorded: test_invalid_start_execution_arn.
    arn = machine_arn("nope")
    assert api_error(world.sfn.start_execution, {"stateMachineArn": arn}) == (
        "StateMachineDoesNotExist",
        f"State Machine Does Not Exist: '{arn}'",
    )


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        ("not_a_valid_arn", "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"),
        (f"{EXEC_PREFIX}:m:e1", "Invalid Arn: 'Resource type not valid in this context: execution'"),
    ],
)
def test_start_with_an_invalid_arn(world: World, arn: str, message: str) -> None:
    assert api_error(world.sfn.start_execution, {"stateMachineArn": arn}) == ("InvalidArn", message)


@pytest.mark.parametrize("qualifier", ["1", "PROD"])
def test_start_of_a_version_or_alias_is_refused_clearly(world: World, qualifier: str) -> None:
    base = world.machine("m", PASS_DEFINITION)
    code, message = api_error(world.sfn.start_execution, {"stateMachineArn": f"{base}:{qualifier}"})
    assert code == "StateMachineDoesNotExist"
    assert message.startswith(f"State Machine Does Not Exist: '{base}:{qualifier}'")
    assert "versions" in message and base in message


def test_start_is_idempotent_while_running_with_the_same_name_and_input(
    world: World, clock: VirtualClock
) -> None:
    # API reference, StartExecution: "If StartExecution is called with the same name and input as a
    # running execution, the call succeeds and return the same response as the original request."
    machine = world.machine("m", WAIT_DEFINITION)
    first = world.sfn.start_execution({"stateMachineArn": machine, "name": "e", "input": '{"a": 1}'})
    clock.advance(5)
    again = world.sfn.start_execution({"stateMachineArn": machine, "name": "e", "input": '{"a":1}'})
    assert again == first
    assert len(world.sfn.list_executions({"stateMachineArn": machine})["executions"]) == 1


def test_start_with_the_same_name_and_other_input_is_refused(world: World) -> None:
    machine = world.machine("m", WAIT_DEFINITION)
    world.start(machine, name="e", input='{"a": 1}')
    assert api_error(
        world.sfn.start_execution, {"stateMachineArn": machine, "name": "e", "input": '{"a": 2}'}
    ) == (
        "ExecutionAlreadyExists",
        f"Execution Already Exists: '{EXEC_PREFIX}:m:e'",
    )


def test_start_with_the_name_of_an_ended_execution_is_refused(world: World) -> None:
    # API reference: "If the execution is closed ... it returns a 400 ExecutionAlreadyExists error."
    machine = world.machine("m", PASS_DEFINITION)
    world.run(world.start(machine, name="e"))
    assert api_error(world.sfn.start_execution, {"stateMachineArn": machine, "name": "e"}) == (
        "ExecutionAlreadyExists",
        f"Execution Already Exists: '{EXEC_PREFIX}:m:e'",
    )


def test_express_executions_get_run_ids_so_names_repeat(world: World) -> None:
    # AWS, recorded: express ARNs are express:<machine>:<name>:<run id> (test_sfn_api_express).
    machine = world.machine("fast", PASS_DEFINITION, "EXPRESS")
    first = world.start(machine, name="same")
    second = world.start(machine, name="same")
    prefix = "arn:aws:states:us-east-1:123456789012:express:fast:same:"
    assert first.startswith(prefix) and second.startswith(prefix) and first != second
    assert UUID.match(first.removeprefix(prefix))


# ------------------------------------------------------------------ StartSyncExecution


def test_start_sync_runs_an_express_machine_to_the_end(world: World) -> None:
    # AWS, recorded: test_express_sync.snapshot.json, test_base[BASE_PASS_RESULT].
    machine = world.machine("fast", PASS_DEFINITION, "EXPRESS")
    response = world.sfn.start_sync_execution({"stateMachineArn": machine, "name": "run"})
    arn = response.pop("executionArn")
    assert arn.startswith("arn:aws:states:us-east-1:123456789012:express:fast:run:")
    assert response == {
        "billingDetails": {"billedDurationInMilliseconds": 100, "billedMemoryUsedInMB": 64},
        "input": "{}",
        "inputDetails": {"included": True},
        "name": "run",
        "output": '{"Arg1":"argument1"}',
        "outputDetails": {"included": True},
        "startDate": START_MS,
        "stateMachineArn": machine,
        "status": "SUCCEEDED",
        "stopDate": START_MS,
    }


def test_start_sync_of_a_failing_machine_reports_error_and_cause(world: World) -> None:
    # AWS, recorded: test_base[BASE_RAISE_FAILURE]: no output, outputDetails still present.
    machine = world.machine("fast", FAIL_DEFINITION, "EXPRESS")
    response = world.sfn.start_sync_execution({"stateMachineArn": machine})
    assert response["status"] == "FAILED"
    assert response["error"] == "SomeFailure"
    assert response["cause"] == "This state machines raises a 'SomeFailure' failure."
    assert "output" not in response and response["outputDetails"] == {"included": True}


def test_start_sync_bills_virtual_time_in_100_ms_steps(world: World) -> None:
    definition = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 7, "End": True}}})
    response = world.sfn.start_sync_execution(
        {"stateMachineArn": world.machine("fast", definition, "EXPRESS")}
    )
    assert response["billingDetails"]["billedDurationInMilliseconds"] == 7000
    assert response["stopDate"] - response["startDate"] == timedelta(seconds=7)


def test_start_sync_of_a_standard_machine_is_refused(world: World) -> None:
    # AWS, recorded: test_sfn_api.snapshot.json, test_start_sync_execution.
    request = {"stateMachineArn": world.machine("m", PASS_DEFINITION)}
    assert api_error(world.sfn.start_sync_execution, request) == (
        "StateMachineTypeNotSupported",
        "This operation is not supported by this type of state machine",
    )


# ------------------------------------------------------------------ DescribeExecution


def test_describe_a_succeeded_execution(world: World) -> None:
    # AWS, recorded: test_sfn_api.snapshot.json, test_describe_execution.
    machine = world.machine("m", PASS_DEFINITION)
    arn = world.start(machine, name="e")
    assert world.run(arn) == {
        "executionArn": arn,
        "input": "{}",
        "inputDetails": {"included": True},
        "name": "e",
        "output": '{"Arg1":"argument1"}',
        "outputDetails": {"included": True},
        "redriveCount": 0,
        "redriveStatus": "NOT_REDRIVABLE",
        "redriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
        "startDate": START_MS,
        "stateMachineArn": machine,
        "status": "SUCCEEDED",
        "stopDate": START_MS,
    }


def test_describe_a_running_execution(world: World) -> None:
    # AWS CLI output (public): RUNNING → NOT_REDRIVABLE "Execution is RUNNING and cannot be redriven".
    arn = world.start(world.machine("m", WAIT_DEFINITION), name="e", input='{"k": "v"}')
    described = world.describe(arn)
    assert described["status"] == "RUNNING" and described["input"] == '{"k": "v"}'
    assert "stopDate" not in described and "output" not in described and "outputDetails" not in described
    assert (described["redriveStatus"], described["redriveStatusReason"]) == (
        "NOT_REDRIVABLE",
        "Execution is RUNNING and cannot be redriven",
    )


def test_describe_a_failed_execution(world: World, clock: VirtualClock) -> None:
    arn = world.start(world.machine("m", FAIL_DEFINITION))
    described = world.run(arn)
    assert described["status"] == "FAILED"
    assert (described["error"], described["cause"]) == (
        "SomeFailure",
        "This state machines raises a 'SomeFailure' failure.",
    )
    assert described["redriveStatus"] == "REDRIVABLE" and "redriveStatusReason" not in described
    assert "output" not in described and "outputDetails" not in described


def test_describe_a_timed_out_execution_has_no_error_or_cause(world: World) -> None:
    # AWS, captured (floci-io/floci#2733): TIMED_OUT, stopDate = startDate + TimeoutSeconds,
    # error and cause absent (States.Timeout is only in the history), redriveStatus REDRIVABLE.
    arn = world.start(world.machine("m", TIMEOUT_DEFINITION))
    described = world.run(arn)
    assert described["status"] == "TIMED_OUT"
    assert described["stopDate"] - described["startDate"] == timedelta(seconds=3)
    assert "error" not in described and "cause" not in described
    assert described["redriveStatus"] == "REDRIVABLE"
    assert world.history(arn)[-1]["executionTimedOutEventDetails"] == {"error": "States.Timeout"}


def test_redrive_status_reasons_from_the_api_reference(world: World, clock: VirtualClock) -> None:
    machine = world.machine("m", FAIL_DEFINITION)
    arn = world.start(machine)
    world.run(arn)
    clock.advance(timedelta(days=14, seconds=1).total_seconds())
    assert world.describe(arn)["redriveStatusReason"] == "Execution redrivable period exceeded"
    world.sfn.delete_state_machine({"stateMachineArn": machine})
    assert world.describe(arn)["redriveStatusReason"] == "State machine is in DELETING status"


def test_describe_an_unknown_execution(world: World) -> None:
    # AWS, recorded: Execution Does Not Exist: '<arn>' (test_describe_execution_no_such_state_machine).
    arn = f"{EXEC_PREFIX}:m:nope"
    assert api_error(world.sfn.describe_execution, {"executionArn": arn}) == (
        "ExecutionDoesNotExist",
        f"Execution Does Not Exist: '{arn}'",
    )


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        ("invalid_state_machine_arn", "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'"),
        (
            "arn:aws:states:us-east-1:123456789012:express:m:e:0b4c",
            "Invalid Arn: 'Resource type not valid in this context: express'",
        ),
    ],
)
def test_describe_with_an_invalid_arn(world: World, arn: str, message: str) -> None:
    # AWS, recorded: test_describe_execution_invalid_arn; test_sfn_api_express (express ARNs).
    assert api_error(world.sfn.describe_execution, {"executionArn": arn}) == ("InvalidArn", message)


# ------------------------------------------------------------------ ListExecutions


def _names(response: dict) -> list[str]:
    return [item["name"] for item in response["executions"]]


def test_list_newest_first_in_aws_item_shape(world: World, clock: VirtualClock) -> None:
    # AWS, recorded: test_list_executions_pagination (redriveCount on every item, stopDate once ended).
    machine = world.machine("m", WAIT_DEFINITION)
    other = world.machine("other", PASS_DEFINITION)
    for name in ("a", "b", "c"):
        world.start(machine, name=name)
        clock.advance(1)
    world.start(other, name="elsewhere")
    listed = world.sfn.list_executions({"stateMachineArn": machine})
    assert _names(listed) == ["c", "b", "a"] and "nextToken" not in listed
    assert listed["executions"][0] == {
        "executionArn": f"{EXEC_PREFIX}:m:c",
        "name": "c",
        "redriveCount": 0,
        "startDate": START_MS + timedelta(seconds=2),
        "stateMachineArn": machine,
        "status": "RUNNING",
    }
    world.sfn.stop_execution({"executionArn": f"{EXEC_PREFIX}:m:a"})
    assert world.sfn.list_executions({"stateMachineArn": machine})["executions"][2][
        "stopDate"
    ] == START_MS + timedelta(seconds=3)


def test_list_filters_by_status(world: World) -> None:
    # AWS, recorded: test_state_machine_status_filter.
    machine = world.machine("m", PASS_DEFINITION)
    assert world.sfn.list_executions({"stateMachineArn": machine}) == {"executions": []}
    world.run(world.start(machine, name="done"))
    assert _names(world.sfn.list_executions({"stateMachineArn": machine, "statusFilter": "SUCCEEDED"})) == [
        "done"
    ]
    assert world.sfn.list_executions({"stateMachineArn": machine, "statusFilter": "RUNNING"}) == {
        "executions": []
    }


def test_list_pages_with_max_results_and_next_token(world: World, clock: VirtualClock) -> None:
    machine = world.machine("m", WAIT_DEFINITION)
    for index in range(5):
        world.start(machine, name=f"e{index}")
        clock.advance(1)
    request = {"stateMachineArn": machine, "maxResults": 2}
    pages = []
    while True:
        page = world.sfn.list_executions(request)
        pages.append(_names(page))
        if "nextToken" not in page:
            break
        request = {**request, "nextToken": page["nextToken"]}
    assert pages == [["e4", "e3"], ["e2", "e1"], ["e0"]]


def test_list_max_results_zero_means_100(world: World) -> None:
    machine = world.machine("m", WAIT_DEFINITION)
    for index in range(101):
        world.start(machine, name=f"e{index}")
    page = world.sfn.list_executions({"stateMachineArn": machine, "maxResults": 0})
    assert len(page["executions"]) == 100 and "nextToken" in page


def test_list_filters_by_redrive(world: World, store: MemoryStore) -> None:
    machine = world.machine("m", PASS_DEFINITION)
    world.run(world.start(machine, name="plain"))
    redriven = ExecutionItem(
        arn=f"{EXEC_PREFIX}:m:again",
        name="again",
        machine_arn=machine,
        revision_id="r",
        status="RUNNING",
        input="{}",
        start_date=START_MS,
        redrive_count=1,
        redrive_date=START_MS,
    )
    store.create_execution(redriven, [])
    assert _names(world.sfn.list_executions({"stateMachineArn": machine, "redriveFilter": "REDRIVEN"})) == [
        "again"
    ]
    not_redriven = world.sfn.list_executions({"stateMachineArn": machine, "redriveFilter": "NOT_REDRIVEN"})
    assert _names(not_redriven) == ["plain"]
    listed = world.sfn.list_executions({"stateMachineArn": machine, "redriveFilter": "REDRIVEN"})[
        "executions"
    ][0]
    assert (listed["redriveCount"], listed["redriveDate"]) == (1, START_MS)


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        # AWS, recorded: test_list_executions_pagination / test_state_machine_status_filter.
        (
            {"maxResults": 1001},
            "ValidationException",
            "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: "
            "Member must have value less than or equal to 1000",
        ),
        (
            {"statusFilter": "succeeded"},
            "ValidationException",
            "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy constraint: "
            "Member must satisfy enum value set: "
            "[SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
        ),
        ({"nextToken": "garbage!"}, "InvalidToken", "Invalid Token: 'Invalid token'"),
    ],
)
def test_list_refuses_bad_paging_and_filters(world: World, extra: dict, code: str, message: str) -> None:
    machine = world.machine("m", PASS_DEFINITION)
    assert api_error(world.sfn.list_executions, {"stateMachineArn": machine, **extra}) == (code, message)


def test_list_of_unknown_and_invalid_machines(world: World) -> None:
    # AWS, recorded: test_list_execution_no_such_state_machine / test_list_execution_invalid_arn.
    arn = machine_arn("nope")
    assert api_error(world.sfn.list_executions, {"stateMachineArn": arn}) == (
        "StateMachineDoesNotExist",
        f"State Machine Does Not Exist: '{arn}'",
    )
    assert api_error(world.sfn.list_executions, {"stateMachineArn": "invalid_state_machine_arn"}) == (
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'",
    )
    assert api_error(world.sfn.list_executions, {})[0] == "ValidationException"


def test_list_of_an_express_machine_is_not_supported(world: World) -> None:
    # API reference, ListExecutions: "This API action is not supported by EXPRESS state machines."
    machine = world.machine("fast", PASS_DEFINITION, "EXPRESS")
    assert (
        api_error(world.sfn.list_executions, {"stateMachineArn": machine})[0]
        == "StateMachineTypeNotSupported"
    )


# ------------------------------------------------------------------ StopExecution


def test_stop_a_waiting_execution(world: World, clock: VirtualClock) -> None:
    # AWS, captured (floci-io/floci#2734): a Wait stopped with --error Manual --cause probe reads
    # ABORTED, Manual, probe; the history ends with ExecutionAborted.
    arn = world.start(world.machine("m", WAIT_DEFINITION))
    clock.advance(3)
    response = world.sfn.stop_execution({"executionArn": arn, "error": "Manual", "cause": "probe"})
    assert response == {"stopDate": START_MS + timedelta(seconds=3)}
    described = world.describe(arn)
    assert (described["status"], described["error"], described["cause"]) == ("ABORTED", "Manual", "probe")
    assert described["stopDate"] == response["stopDate"] and described["redriveStatus"] == "REDRIVABLE"
    last = world.history(arn)[-1]
    assert last["type"] == "ExecutionAborted"
    assert last["executionAbortedEventDetails"] == {"error": "Manual", "cause": "probe"}


def test_stop_without_error_or_cause_records_empty_details(world: World) -> None:
    # AWS, recorded: test_stop_execution (executionAbortedEventDetails: {}).
    arn = world.start(world.machine("m", WAIT_DEFINITION))
    world.sfn.stop_execution({"executionArn": arn})
    assert [e["type"] for e in world.history(arn)] == [
        "ExecutionStarted",
        "WaitStateEntered",
        "ExecutionAborted",
    ]
    assert world.history(arn)[-1]["executionAbortedEventDetails"] == {}
    assert "error" not in world.describe(arn)


def test_the_stopped_execution_does_not_go_on(world: World, clock: VirtualClock) -> None:
    arn = world.start(world.machine("m", WAIT_DEFINITION))
    world.sfn.stop_execution({"executionArn": arn})
    clock.advance(120)
    world.run_until(lambda: not world.sfn.workflows.executor._timers)  # the Wait's timer fires late
    assert world.describe(arn)["status"] == "ABORTED" and world.event_types(arn)[-1] == "ExecutionAborted"


def test_stop_an_ended_execution_changes_nothing(world: World, clock: VirtualClock) -> None:
    arn = world.start(world.machine("m", PASS_DEFINITION))
    ended = world.run(arn)
    clock.advance(30)
    assert world.sfn.stop_execution({"executionArn": arn, "error": "late"}) == {"stopDate": ended["stopDate"]}
    assert world.describe(arn) == ended


def test_stop_errors(world: World) -> None:
    missing = f"{EXEC_PREFIX}:m:nope"
    assert api_error(world.sfn.stop_execution, {"executionArn": missing}) == (
        "ExecutionDoesNotExist",
        f"Execution Does Not Exist: '{missing}'",
    )
    arn = world.start(world.machine("m", WAIT_DEFINITION))
    assert api_error(world.sfn.stop_execution, {"executionArn": arn, "error": "e" * 257}) == (
        "ValidationException",
        "1 validation error detected: Value at 'error' failed to satisfy constraint: Member must have length "
        "less than or equal to 256",
    )
    assert api_error(world.sfn.stop_execution, {"executionArn": arn, "cause": "c" * 32_769})[0] == (
        "ValidationException"
    )
    assert world.describe(arn)["status"] == "RUNNING"


# ------------------------------------------------------------------ DescribeStateMachineForExecution


def test_describe_state_machine_for_execution(world: World) -> None:
    # AWS, recorded: test_describe_state_machine_for_execution (updateDate, no status/type/creationDate).
    machine = world.machine("m", PASS_DEFINITION)
    arn = world.start(machine)
    described = world.sfn.describe_state_machine_for_execution({"executionArn": arn})
    assert described == {
        "definition": PASS_DEFINITION,
        "loggingConfiguration": {"includeExecutionData": False, "level": "OFF"},
        "name": "m",
        "roleArn": world.sfn.describe_state_machine({"stateMachineArn": machine})["roleArn"],
        "stateMachineArn": machine,
        "tracingConfiguration": {"enabled": False},
        "updateDate": START_MS,
    }


def test_describe_state_machine_for_execution_gives_the_revision_it_ran(
    world: World, clock: VirtualClock
) -> None:
    machine = world.machine("m", WAIT_DEFINITION)
    before = world.start(machine, name="before")
    clock.advance(1)
    update = world.sfn.update_state_machine({"stateMachineArn": machine, "definition": PASS_DEFINITION})
    after = world.start(machine, name="after")
    old = world.sfn.describe_state_machine_for_execution({"executionArn": before})
    new = world.sfn.describe_state_machine_for_execution({"executionArn": after})
    assert old["definition"] == WAIT_DEFINITION and "revisionId" not in old
    assert new["definition"] == PASS_DEFINITION
    assert (new["revisionId"], new["updateDate"]) == (update["revisionId"], update["updateDate"])
    assert world.run(before)["status"] == "SUCCEEDED"  # it goes on with the definition it started with


def test_describe_state_machine_for_an_unknown_execution(world: World) -> None:
    missing = f"{EXEC_PREFIX}:m:nope"
    assert api_error(world.sfn.describe_state_machine_for_execution, {"executionArn": missing}) == (
        "ExecutionDoesNotExist",
        f"Execution Does Not Exist: '{missing}'",
    )
