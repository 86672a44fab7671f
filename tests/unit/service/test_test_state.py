"""TestState: one state run once, with inspection data, mocks, Retry/Catch statuses and errors.

Sources, named per test: TestState responses recorded against AWS in LocalStack's AWS-validated
snapshots under ``tests/aws/services/stepfunctions/v2/test_state/`` (``test_test_state_scenarios``,
``test_test_state_machine_scenarios``, ``test_state_configuration``,
``test_test_state_mock_scenarios``, ``test_state_mock_validation``; the definitions are LocalStack's
templates under ``tests/aws/services/stepfunctions/templates/test_state/``), and the API
reference (``TestState``, ``InspectionData``, ``InspectionErrorDetails``). The snapshots show JSON
text members parsed, so the tests compare parsed values (``decoded``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.service.errors import ApiError
from interpreter.service.stepfunctions import StepFunctionsService

from .helpers import ROLE, START

HELLO_WORLD = json.dumps({"Value": "HelloWorld"})
NESTED = json.dumps(
    {
        "initialData": {"fieldFromInput": "value from input", "otherField": "other"},
        "unrelatedData": {"someOtherField": 1234},
    }
)
JSON_MEMBERS = {
    "input",
    "afterArguments",
    "afterInputPath",
    "afterParameters",
    "afterItemsPath",
    "result",
    "afterResultSelector",
    "afterResultPath",
    "variables",
}
MOCK_ERROR = {"errorOutput": {"error": "MockException", "cause": "Mock the cause of the error."}}

# LocalStack templates (test_state/statemachines/*.json5)
IO_PASS_STATE = {
    "Type": "Pass",
    "InputPath": "$.initialData",
    "Parameters": {"staticValue": "some value", "inputValue.$": "$.fieldFromInput"},
    "ResultPath": "$.modifiedData",
    "End": True,
}
IO_RESULT_PASS_STATE = {**IO_PASS_STATE, "Result": {"resultKey": "result value"}}
BASE_FAIL_STATE = {
    "Type": "Fail",
    "Error": "SomeFailure",
    "Cause": "This state machines raises a 'SomeFailure' failure.",
}
BASE_CHOICE_STATE = {
    "Type": "Choice",
    "Choices": [
        {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
        {"Variable": "$.value", "NumericEquals": 0, "Next": "ValueIsZero"},
        {
            "And": [
                {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                {"Variable": "$.value", "NumericLessThan": 30},
            ],
            "Next": "ValueInTwenties",
        },
    ],
    "Default": "DefaultState",
}
BASE_TASK_STATE_CATCH = {
    "Comment": "BASE_TASK_STATE_CATCH",
    "QueryLanguage": "JSONata",
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Arguments": {"FunctionName": "foo", "Payload": "bar"},
    "Catch": [
        {"ErrorEquals": ["MockException"], "Output": "{% $states %}", "Next": "HandleMockError"},
        {"ErrorEquals": ["States.TaskFailed"], "Output": "{% $states %}", "Next": "HandleThreshold"},
    ],
    "End": True,
}
BASE_TASK_STATE_RETRY = {
    "Comment": "BASE_TASK_STATE_RETRY",
    "QueryLanguage": "JSONata",
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Arguments": {"FunctionName": "foo", "Payload": "bar"},
    "Retry": [{"ErrorEquals": ["MockException"], "IntervalSeconds": 1, "MaxAttempts": 5, "BackoffRate": 2.0}],
    "End": True,
}
BLOGPOST_MACHINE = {  # LOCALSTACK_BLOGPOST_SCENARIO_STATE_MACHINE, as recorded (afterArguments)
    "Comment": "Cost approval workflow",
    "QueryLanguage": "JSONata",
    "StartAt": "Approval Required",
    "States": {
        "Approval Required": {
            "Type": "Choice",
            "Choices": [{"Condition": "{% $states.input.cost < 10 %}", "Next": "Purchase Approved"}],
            "Default": "Ask for Approval",
        },
        "Purchase Approved": {"Type": "Succeed"},
        "Ask for Approval": {
            "Type": "Task",
            "Resource": "arn:aws:states:::apigateway:invoke",
            "Arguments": {
                "Method": "POST",
                "ApiEndpoint": "example.execute-api.us-east-1.amazonaws.com",
                "Path": "/approval",
                "RequestBody": {"cost": "{% $states.input.cost %}", "dept_id": "12345678"},
                "AuthType": "NO_AUTH",
            },
            "Retry": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "BackoffRate": 2,
                    "IntervalSeconds": 1,
                    "MaxAttempts": 3,
                    "JitterStrategy": "FULL",
                }
            ],
            "Next": "Check Approval",
            "Output": {
                "approval": "{% $states.result.approval %}",
                "approval_code": "2387462",
                "approved_by": "Mary",
            },
        },
        "Check Approval": {
            "Type": "Choice",
            "Choices": [{"Next": "Purchase Approved", "Condition": "{% $states.input.approval %}"}],
            "Default": "Not Approved",
        },
        "Not Approved": {"Type": "Fail"},
    },
}


def greet(event: dict[str, Any], context: Any) -> str:
    """LocalStack's LAMBDA_RETURN_BYTES_STR function: ``{"inputData": "HelloWorld"}`` → "HelloWorld!"."""
    return f"{event['inputData']}!"


@pytest.fixture
def sfn(store: MemoryStore, clock: VirtualClock) -> StepFunctionsService:
    runner = LocalTaskRunner.from_handlers({"greet": greet}, clock=clock)
    return StepFunctionsService(store, runner=runner, clock=clock)


def decoded(response: dict[str, Any]) -> dict[str, Any]:
    """The response with its JSON text members parsed, as the recorded snapshots show them."""
    out = dict(response)
    if "output" in out:
        out["output"] = json.loads(out["output"])
    if "inspectionData" in out:
        out["inspectionData"] = {
            key: json.loads(value) if key in JSON_MEMBERS else value
            for key, value in out["inspectionData"].items()
        }
    return out


def respond(sfn: StepFunctionsService, definition: Any, **request: Any) -> dict[str, Any]:
    """TestState's response (decoded) for ``definition`` (a dict, or the text itself)."""
    text = definition if isinstance(definition, str) else json.dumps(definition)
    return decoded(sfn.test_state({"definition": text, **request}))


def error_of(sfn: StepFunctionsService, definition: Any, **request: Any) -> tuple[str, str]:
    with pytest.raises(ApiError) as caught:
        respond(sfn, definition, **request)
    return caught.value.code, caught.value.message


# ------------------------------------------------------------------ Pass: the data flow


def test_pass_shows_every_data_flow_step_at_debug(sfn: StepFunctionsService) -> None:
    # AWS, recorded: test_base_inspection_level_debug[IO_PASS_STATE].
    after_result_path = {
        **json.loads(NESTED),
        "modifiedData": {"staticValue": "some value", "inputValue": "value from input"},
    }
    assert respond(sfn, IO_PASS_STATE, input=NESTED, inspectionLevel="DEBUG") == {
        "inspectionData": {
            "input": json.loads(NESTED),
            "afterInputPath": {"fieldFromInput": "value from input", "otherField": "other"},
            "afterParameters": {"staticValue": "some value", "inputValue": "value from input"},
            "afterResultSelector": {"staticValue": "some value", "inputValue": "value from input"},
            "afterResultPath": after_result_path,
        },
        "output": after_result_path,
        "status": "SUCCEEDED",
    }


@pytest.mark.parametrize("level", ["DEBUG", "TRACE"])
def test_a_bare_pass_shows_its_input_at_every_step(sfn: StepFunctionsService, level: str) -> None:
    # AWS, recorded: test_base_inspection_level_debug/trace[BASE_PASS_STATE] (TRACE adds HTTP
    # request/response only for HTTP tasks).
    value = {"Value": "HelloWorld"}
    steps = ("input", "afterInputPath", "afterParameters", "afterResultSelector", "afterResultPath")
    assert respond(sfn, {"Type": "Pass", "End": True}, input=HELLO_WORLD, inspectionLevel=level) == {
        "inspectionData": dict.fromkeys(steps, value),
        "output": value,
        "status": "SUCCEEDED",
    }


def test_info_is_the_default_and_has_no_inspection_data(sfn: StepFunctionsService) -> None:
    # AWS, recorded: test_base_inspection_level_info[BASE_PASS_STATE].
    expected = {"output": {"Value": "HelloWorld"}, "status": "SUCCEEDED"}
    assert respond(sfn, {"Type": "Pass", "End": True}, input=HELLO_WORLD) == expected
    assert respond(sfn, {"Type": "Pass", "End": True}, input=HELLO_WORLD, inspectionLevel="INFO") == expected


def test_pass_with_result_shows_the_result_instead_of_input_path_and_parameters(
    sfn: StepFunctionsService,
) -> None:
    # AWS, recorded: test_base_inspection_level_debug[IO_RESULT_PASS_STATE] (InputPath and
    # Parameters are not applied when Result is given).
    output = {**json.loads(NESTED), "modifiedData": {"resultKey": "result value"}}
    assert respond(sfn, IO_RESULT_PASS_STATE, input=NESTED, inspectionLevel="DEBUG") == {
        "inspectionData": {
            "input": json.loads(NESTED),
            "result": {"resultKey": "result value"},
            "afterResultSelector": {"resultKey": "result value"},
            "afterResultPath": output,
        },
        "output": output,
        "status": "SUCCEEDED",
    }


# ------------------------------------------------------------------ Task with a mock


def test_task_mock_result_goes_through_result_selector_result_path_and_output_path(
    sfn: StepFunctionsService,
) -> None:
    # Members as AWS shows them for a JSONPath Task (recorded: test_base_lambda_task_state[DEBUG]:
    # input, afterInputPath, afterParameters, result, afterResultSelector, afterResultPath); the
    # mocked result stands for the task's result (API reference, MockInput.result); no roleArn is
    # needed with a mock (AWS guide "Using TestState API to test a state").
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "InputPath": "$.order",
        "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
        "ResultSelector": {"charged.$": "$.Payload.amount"},
        "ResultPath": "$.receipt",
        "OutputPath": "$.receipt",
        "Next": "Ship",
    }
    mock = {"result": json.dumps({"Payload": {"amount": 42}, "StatusCode": 200})}
    response = respond(sfn, state, input='{"order": {"id": 7}}', mock=mock, inspectionLevel="DEBUG")
    assert response == {
        "inspectionData": {
            "input": {"order": {"id": 7}},
            "afterInputPath": {"id": 7},
            "afterParameters": {"FunctionName": "charge", "Payload": {"id": 7}},
            "result": {"Payload": {"amount": 42}, "StatusCode": 200},
            "afterResultSelector": {"charged": 42},
            "afterResultPath": {"order": {"id": 7}, "receipt": {"charged": 42}},
        },
        "nextState": "Ship",
        "output": {"charged": 42},
        "status": "SUCCEEDED",
    }


@pytest.mark.parametrize(
    ("output_path", "expected"),
    [
        (None, {"putItemOutput": {"SdkHttpMetadata": {"HttpStatusCode": 200}}}),
        ("$.putItemOutput", {"SdkHttpMetadata": {"HttpStatusCode": 200}}),
    ],
)
def test_mocked_service_result_with_result_path(
    sfn: StepFunctionsService, output_path: str | None, expected: dict[str, Any]
) -> None:
    # AWS, recorded: test_io_dynamodb_service_task_mock_success[io] and [io_output_path].
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::dynamodb:putItem",
        "Parameters": {"TableName.$": "$.TableName", "Item.$": "$.Item"},
        "ResultPath": "$.putItemOutput",
        "End": True,
    }
    given = {"TableName": "t", "Item": {"data": {"S": "HelloWorld"}, "id": {"S": "id1"}}}
    if output_path is not None:
        state["OutputPath"] = output_path
    else:
        expected = {**given, **expected}
    mock = {"result": json.dumps({"SdkHttpMetadata": {"HttpStatusCode": 200}})}
    assert respond(sfn, state, input=json.dumps(given), mock=mock) == {
        "output": expected,
        "status": "SUCCEEDED",
    }


@pytest.mark.parametrize(
    ("mock_error", "catch_index", "next_state"),
    [
        (MOCK_ERROR["errorOutput"], 0, "HandleMockError"),
        ({"error": "States.TaskFailed", "cause": "The task failed."}, 1, "HandleThreshold"),
    ],
)
def test_mocked_error_taken_by_a_catcher_is_caught_error(
    sfn: StepFunctionsService, mock_error: dict[str, str], catch_index: int, next_state: str
) -> None:
    # AWS, recorded: test_state_task_catch_error[DEBUG] (the catcher's Output is $states).
    response = respond(
        sfn,
        BASE_TASK_STATE_CATCH,
        input=HELLO_WORLD,
        mock={"errorOutput": mock_error},
        inspectionLevel="DEBUG",
    )
    output = response.pop("output")
    assert response == {
        "cause": mock_error["cause"],
        "error": mock_error["error"],
        "inspectionData": {
            "afterArguments": {"FunctionName": "foo", "Payload": "bar"},
            "errorDetails": {"catchIndex": catch_index},
            "input": {"Value": "HelloWorld"},
        },
        "nextState": next_state,
        "status": "CAUGHT_ERROR",
    }
    assert output["input"] == {"Value": "HelloWorld"}
    assert output["errorOutput"] == {"Error": mock_error["error"], "Cause": mock_error["cause"]}
    context = output["context"]
    assert context["State"] == {
        "Name": "StateName",
        "EnteredTime": "2024-05-01T12:00:00.123Z",
        "RetryCount": 0,
    }
    assert context["Execution"]["Id"].startswith("arn:aws:states:us-east-1:123456789012:express:")
    assert context["Execution"]["RoleArn"] is None  # recorded: test_state_with_variables


def test_jsonpath_catch_puts_the_error_output_where_its_result_path_says(sfn: StepFunctionsService) -> None:
    # CAUGHT_ERROR as recorded (test_state_task_catch_error); the output is the catcher's
    # ResultPath applied to the state input (ASL "Catch": ResultPath), and no result steps are shown
    # for a task that failed (recorded: the same test shows none).
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "charge"},
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Refund"}],
        "End": True,
    }
    response = respond(sfn, state, input='{"order": 1}', mock=MOCK_ERROR, inspectionLevel="DEBUG")
    assert response == {
        "cause": "Mock the cause of the error.",
        "error": "MockException",
        "inspectionData": {
            "input": {"order": 1},
            "afterInputPath": {"order": 1},
            "afterParameters": {"FunctionName": "charge"},
            "errorDetails": {"catchIndex": 0},
        },
        "nextState": "Refund",
        "output": {"order": 1, "error": {"Error": "MockException", "Cause": "Mock the cause of the error."}},
        "status": "CAUGHT_ERROR",
    }


def test_a_retrier_with_attempts_left_makes_the_state_retriable(sfn: StepFunctionsService) -> None:
    # AWS, recorded: test_state_configuration_retrier_retry_count[DEBUG]: 4 retries made of
    # MaxAttempts 5 → RETRIABLE after 1 x 2.0^4 = 16 s; 5 made → FAILED, retryIndex still shown.
    values = json.dumps({"Values": ["first", "second", "third"]})
    common = {"input": values, "mock": MOCK_ERROR, "inspectionLevel": "DEBUG"}
    inspection = {
        "afterArguments": {"FunctionName": "foo", "Payload": "bar"},
        "input": {"Values": ["first", "second", "third"]},
    }
    retriable = respond(sfn, BASE_TASK_STATE_RETRY, stateConfiguration={"retrierRetryCount": 4}, **common)
    assert retriable == {
        "cause": "Mock the cause of the error.",
        "error": "MockException",
        "inspectionData": {
            **inspection,
            "errorDetails": {"retryBackoffIntervalSeconds": 16, "retryIndex": 0},
        },
        "status": "RETRIABLE",
    }
    exhausted = respond(sfn, BASE_TASK_STATE_RETRY, stateConfiguration={"retrierRetryCount": 5}, **common)
    assert exhausted == {
        "cause": "Mock the cause of the error.",
        "error": "MockException",
        "inspectionData": {**inspection, "errorDetails": {"retryIndex": 0}},
        "status": "FAILED",
    }


def test_a_first_failure_retries_after_interval_seconds(sfn: StepFunctionsService) -> None:
    # retrierRetryCount defaults to 0 (API reference, TestStateConfiguration): the first retry
    # comes after IntervalSeconds. Jitter is left out so the answer is the same on every call.
    response = respond(sfn, BASE_TASK_STATE_RETRY, mock=MOCK_ERROR, inspectionLevel="DEBUG")
    assert response["status"] == "RETRIABLE"
    assert response["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 1}
    assert "output" not in response and "nextState" not in response


# ------------------------------------------------------------------ Choice, Fail, Wait


def test_choice_reports_the_state_it_chose(sfn: StepFunctionsService) -> None:
    # AWS, recorded: test_base_inspection_level_info/debug[BASE_CHOICE_STATE].
    given = '{"type": "Private", "value": 22}'
    value = {"type": "Private", "value": 22}
    assert respond(sfn, BASE_CHOICE_STATE, input=given) == {
        "nextState": "ValueInTwenties",
        "output": value,
        "status": "SUCCEEDED",
    }
    assert respond(sfn, BASE_CHOICE_STATE, input=given, inspectionLevel="DEBUG") == {
        "inspectionData": {"afterInputPath": value, "input": value},
        "nextState": "ValueInTwenties",
        "output": value,
        "status": "SUCCEEDED",
    }


@pytest.mark.parametrize(("cost", "chosen"), [(9, "Purchase Approved"), (10, "Ask for Approval")])
def test_jsonata_choice_of_a_state_machine(sfn: StepFunctionsService, cost: int, chosen: str) -> None:
    # AWS, recorded: test_localstack_blogpost_scenario (small/large_purchase_approval_required).
    given = json.dumps({"cost": cost})
    response = respond(
        sfn, BLOGPOST_MACHINE, input=given, stateName="Approval Required", inspectionLevel="TRACE"
    )
    assert response == {
        "inspectionData": {"input": {"cost": cost}},
        "nextState": chosen,
        "output": {"cost": cost},
        "status": "SUCCEEDED",
    }


def test_fail_state(sfn: StepFunctionsService) -> None:
    # AWS, recorded: test_base_inspection_level_info/debug[BASE_FAIL_STATE].
    failed = {
        "cause": "This state machines raises a 'SomeFailure' failure.",
        "error": "SomeFailure",
        "status": "FAILED",
    }
    assert respond(sfn, BASE_FAIL_STATE, input=HELLO_WORLD) == failed
    value = {"Value": "HelloWorld"}
    assert respond(sfn, BASE_FAIL_STATE, input=HELLO_WORLD, inspectionLevel="DEBUG") == {
        **failed,
        "inspectionData": {"afterInputPath": value, "input": value},
    }


def test_wait_state_moves_on_without_waiting(sfn: StepFunctionsService, clock: VirtualClock) -> None:
    # stepfn: the Wait's timer fires at once (tests never sleep); AWS's response is not recorded.
    response = respond(sfn, {"Type": "Wait", "Seconds": 3600, "Next": "Later"}, input=HELLO_WORLD)
    assert response == {"nextState": "Later", "output": {"Value": "HelloWorld"}, "status": "SUCCEEDED"}
    assert clock.now() == START


# ------------------------------------------------------------------ JSONata and variables


def test_jsonata_task_arguments_output_with_a_mock(sfn: StepFunctionsService) -> None:
    # AWS, recorded: test_localstack_blogpost_scenario (large_purchase_ask_for_approval_response).
    response = respond(
        sfn,
        BLOGPOST_MACHINE,
        input='{"cost": 10}',
        stateName="Ask for Approval",
        mock={"result": '{"approval": true }'},
        inspectionLevel="TRACE",
    )
    assert response == {
        "inspectionData": {
            "afterArguments": {
                "Method": "POST",
                "ApiEndpoint": "example.execute-api.us-east-1.amazonaws.com",
                "Path": "/approval",
                "RequestBody": {"cost": 10, "dept_id": "12345678"},
                "AuthType": "NO_AUTH",
            },
            "input": {"cost": 10},
            "result": {"approval": True},
        },
        "nextState": "Check Approval",
        "output": {"approval": True, "approval_code": "2387462", "approved_by": "Mary"},
        "status": "SUCCEEDED",
    }


def test_jsonata_output_and_assign_show_the_variables_after_the_state(sfn: StepFunctionsService) -> None:
    # API reference, InspectionData.variables: "the set of workflow variables after execution of
    # the state ... variables assigned in the state and variables set up as test state input";
    # recorded (test_state_with_variables[base_expressions]): a JSONata state shows only input and
    # variables. Assign and Output see the variables from before the state (AWS docs "Passing data
    # between states with variables").
    state = {
        "QueryLanguage": "JSONata",
        "Type": "Pass",
        "Output": {"total": "{% $price * $states.input.quantity %}"},
        "Assign": {"price": "{% $price + 1 %}", "lastQuantity": "{% $states.input.quantity %}"},
        "Next": "Bill",
    }
    response = respond(
        sfn,
        state,
        input='{"quantity": 3}',
        variables='{"price": 5, "currency": "EUR"}',
        inspectionLevel="DEBUG",
    )
    assert response == {
        "inspectionData": {
            "input": {"quantity": 3},
            "variables": {"price": 6, "currency": "EUR", "lastQuantity": 3},
        },
        "nextState": "Bill",
        "output": {"total": 15},
        "status": "SUCCEEDED",
    }


def test_variables_given_are_shown_without_an_assign(sfn: StepFunctionsService) -> None:
    # AWS, recorded: test_state_with_variables[base_expressions] shows the given variables;
    # [empty_variables] shows no variables member when there are none.
    state = {"QueryLanguage": "JSONata", "Type": "Pass", "Output": "{% $greeting %}", "End": True}
    response = respond(sfn, state, variables='{"greeting": "hi"}', inspectionLevel="DEBUG")
    assert response["output"] == "hi"
    assert response["inspectionData"] == {"input": {}, "variables": {"greeting": "hi"}}
    bare = respond(sfn, {"QueryLanguage": "JSONata", "Type": "Pass", "End": True}, inspectionLevel="DEBUG")
    assert bare["inspectionData"] == {"input": {}}


# ------------------------------------------------------------------ a state of a state machine


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("State0", {"nextState": "State1", "output": {"Value": "HelloWorld"}, "status": "SUCCEEDED"}),
        (
            "State1",
            {
                "cause": "This state machines raises a 'SomeFailure' failure.",
                "error": "SomeFailure",
                "status": "FAILED",
            },
        ),
    ],
)
def test_state_name_picks_the_state_of_a_machine(
    sfn: StepFunctionsService, name: str, expected: dict[str, Any]
) -> None:
    # AWS, recorded: test_base_state_name_multi_state[DEBUG-State0/State1].
    machine = {
        "Comment": "BASE_MULTI_STATE_MACHINE",
        "QueryLanguage": "JSONata",
        "StartAt": "State0",
        "States": {"State0": {"Type": "Pass", "Next": "State1"}, **{"State1": BASE_FAIL_STATE}},
    }
    response = respond(sfn, machine, stateName=name, input=HELLO_WORLD, inspectionLevel="DEBUG")
    assert response == {**expected, "inspectionData": {"input": {"Value": "HelloWorld"}}}


def test_state_name_finds_a_state_inside_a_map(sfn: StepFunctionsService) -> None:
    # AWS, recorded: test_base_state_name[DEBUG-BASE_MAP_STATE_MACHINE] ("HandleItem").
    machine = {
        "StartAt": "State0",
        "States": {
            "State0": {
                "Type": "Map",
                "ItemsPath": "$.Values",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "HandleItem",
                    "States": {"HandleItem": {"Type": "Pass", "End": True}},
                },
                "ToleratedFailureCount": 2,
                "End": True,
            }
        },
    }
    value = {"Value": "HelloWorld"}
    steps = ("afterInputPath", "afterParameters", "afterResultPath", "afterResultSelector", "input")
    assert respond(sfn, machine, stateName="HandleItem", input=HELLO_WORLD, inspectionLevel="DEBUG") == {
        "inspectionData": dict.fromkeys(steps, value),
        "output": value,
        "status": "SUCCEEDED",
    }


def test_unknown_state_name(sfn: StepFunctionsService) -> None:
    # AWS, recorded: test_base_state_name_validation_failures[dne] / [invalid].
    machine = {"StartAt": "State0", "States": {"State0": {"Type": "Pass", "End": True}}}
    for name in ("dne", '"invalid"'):
        assert error_of(sfn, machine, stateName=name) == (
            "ValidationException",
            "State not found in definition",
        )


# ------------------------------------------------------------------ Map and Parallel (mocked)


def test_map_runs_only_with_a_mock_and_applies_the_tolerated_failures(sfn: StepFunctionsService) -> None:
    # AWS, recorded: test_state_type_requires_mock[MapState]; test_map_state_failure_count[
    # DEBUG-BASE_MAP_STATE_CATCH] (the template's placeholder function ARN made a real one: the
    # project's validator refuses "your-region").
    state = {
        "Comment": "BASE_MAP_STATE_CATCH",
        "Type": "Map",
        "QueryLanguage": "JSONata",
        "Items": "{% $states.input.Values %}",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "TestState",
            "States": {
                "TestState": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:yourHelloWorldFunction",
                    "End": True,
                }
            },
        },
        "Catch": [
            {"ErrorEquals": ["MockException"], "Output": "{% $states %}", "Next": "HandleMockError"},
            {
                "ErrorEquals": ["States.ExceedToleratedFailureThreshold"],
                "Output": "{% $states %}",
                "Next": "HandleThreshold",
            },
        ],
        "ToleratedFailureCount": 1,
        "End": True,
    }
    assert error_of(sfn, state) == (
        "InvalidDefinition",
        "TestState API does not support Map or Parallel states. "
        "Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]",
    )
    given = json.dumps({"Values": ["first", "second", "third"]})
    inspection = {
        "input": {"Values": ["first", "second", "third"]},
        "maxConcurrency": 0,
        "toleratedFailureCount": 1,
    }
    below = respond(
        sfn,
        state,
        input=given,
        mock={"result": "[1, 1, 1]"},
        inspectionLevel="DEBUG",
        stateConfiguration={"mapIterationFailureCount": 0},
    )
    assert below == {"inspectionData": inspection, "output": [1, 1, 1], "status": "SUCCEEDED"}
    exceeds = respond(
        sfn,
        state,
        input=given,
        mock={"result": "[0, 0, 1]"},
        inspectionLevel="DEBUG",
        stateConfiguration={"mapIterationFailureCount": 2},
    )
    assert exceeds["status"] == "CAUGHT_ERROR" and exceeds["nextState"] == "HandleThreshold"
    assert exceeds["error"] == "States.ExceedToleratedFailureThreshold"
    assert exceeds["cause"] == "The specified tolerated failure threshold was exceeded"
    assert exceeds["inspectionData"] == {**inspection, "errorDetails": {"catchIndex": 1}}


def test_parallel_mock_result_needs_one_item_per_branch(sfn: StepFunctionsService) -> None:
    # AWS, recorded: test_mock_result_is_not_array_on_parallel_state,
    # test_mock_result_array_size_mismatch_on_parallel_state.
    state = {
        "Type": "Parallel",
        "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}},
        ],
        "ResultSelector": {"first.$": "$[0]"},
        "End": True,
    }
    assert error_of(sfn, state, mock={"result": "{}"}) == (
        "ValidationException",
        "Mocked result must be an array.",
    )
    assert error_of(sfn, state, mock={"result": "[1]"}) == (
        "ValidationException",
        "Mocked result must contain the same number of items as number of Parallel branches.",
    )
    assert respond(sfn, state, mock={"result": "[1, 2]"}) == {"output": {"first": 1}, "status": "SUCCEEDED"}


# ------------------------------------------------------------------ a Task run for real


def test_task_without_a_mock_runs_on_the_task_runner(sfn: StepFunctionsService) -> None:
    # AWS, recorded: test_base_lambda_task_state[DEBUG] (a Lambda returning "HelloWorld!"); here
    # the function is a local handler.
    state = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet", "End": True}
    given = '{"inputData": "HelloWorld"}'
    response = respond(sfn, state, input=given, roleArn=ROLE, inspectionLevel="DEBUG")
    assert response == {
        "inspectionData": {
            "afterInputPath": {"inputData": "HelloWorld"},
            "afterParameters": {"inputData": "HelloWorld"},
            "afterResultPath": "HelloWorld!",
            "afterResultSelector": "HelloWorld!",
            "input": {"inputData": "HelloWorld"},
            "result": "HelloWorld!",
        },
        "output": "HelloWorld!",
        "status": "SUCCEEDED",
    }
    # AWS, recorded: test_base_lambda_service_task_state_no_role_arn_validation.
    assert error_of(sfn, state, input=given) == (
        "ValidationException",
        "RoleArn must be specified when testing a Task state",
    )


# ------------------------------------------------------------------ errors


def test_invalid_definition_of_a_state_machine(sfn: StepFunctionsService) -> None:
    # AWS, recorded: test_state_name_invalid_state_definition: InvalidDefinition, "Invalid State
    # Machine Definition: 'SCHEMA_VALIDATION_FAILED: ... at /States/ExistingButInvalidState/Type'"
    # (AWS words the problem "The field 'Type' should have one of these values: [...]"; the
    # project's validator has its own wording).
    machine = {
        "StartAt": "ExistingButInvalidState",
        "States": {"ExistingButInvalidState": {"Type": "TypeThatDoesNotExist", "End": True}},
    }
    code, message = error_of(sfn, machine, stateName="ExistingButInvalidState", input=HELLO_WORLD)
    assert code == "InvalidDefinition"
    assert message.startswith("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ")
    assert message.endswith(" at /States/ExistingButInvalidState/Type'")


def test_invalid_single_state_definitions(sfn: StepFunctionsService) -> None:
    # The format is CreateStateMachine's (definitions.py); a lone state's problems are located in
    # the state itself (stepfn's choice: AWS's location for a lone state is not recorded).
    code, message = error_of(sfn, {"Type": "Pass"})
    assert (code, message) == (
        "InvalidDefinition",
        "Invalid State Machine Definition: "
        '\'SCHEMA_VALIDATION_FAILED: must have "Next" or "End": true at /\'',
    )
    code, message = error_of(sfn, {"Type": "Wait", "Seconds": "soon", "Next": "X"})
    assert code == "InvalidDefinition" and message.endswith(" at /Seconds'")
    assert error_of(sfn, "[1]")[0] == "InvalidDefinition"
    assert error_of(sfn, "{")[0] == "InvalidDefinition"


def test_invalid_input(sfn: StepFunctionsService) -> None:
    # StartExecution's InvalidExecutionInput (recorded: test_invalid_start_execution_input); AWS's
    # TestState text for the same mistake is not recorded.
    assert error_of(sfn, {"Type": "Pass", "End": True}, input="{'not': 'json'") == (
        "InvalidExecutionInput",
        "Invalid State Machine Execution Input: 'Unexpected character (''' (code 39)): "
        "was expecting double-quote to start field name'",
    )


@pytest.mark.parametrize(
    ("state", "mock", "extra", "expected"),
    [
        # AWS, recorded: test_state_type_does_not_accept_mock[mock_result-PassState] and the rest.
        (
            {"Type": "Pass", "End": True},
            {"result": "{}"},
            {},
            "State type 'Pass' is not supported when a mock is specified",
        ),
        (BASE_FAIL_STATE, MOCK_ERROR, {}, "State type 'Fail' is not supported when a mock is specified"),
        (
            {"Type": "Succeed"},
            {"result": "{}"},
            {},
            "State type 'Succeed' is not supported when a mock is specified",
        ),
        # AWS, recorded: test_both_mock_result_and_mock_error_output_are_set.
        (
            BASE_TASK_STATE_RETRY,
            {"result": "{}", **MOCK_ERROR},
            {},
            "A test mock should have only one of the following fields: [result, errorOutput].",
        ),
        # AWS, recorded: test_reveal_secrets_is_true_and_mock_result_is_set.
        (
            BASE_TASK_STATE_RETRY,
            {"result": "{}"},
            {"revealSecrets": True},
            "TestState does not support RevealSecrets when a mock is specified.",
        ),
    ],
)
def test_mocks_are_checked_against_the_state(
    sfn: StepFunctionsService,
    state: dict[str, Any],
    mock: dict[str, Any],
    extra: dict[str, Any],
    expected: str,
) -> None:
    assert error_of(sfn, state, mock=mock, **extra) == ("ValidationException", expected)


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:us-east-1:123456789012:activity:approve",
    ],
)
def test_callback_sync_and_activity_tasks_run_only_with_a_mock(
    sfn: StepFunctionsService, resource: str
) -> None:
    # API reference, TestState: "TestState only supports the following when a mock is specified:
    # Activity tasks, .sync or .waitForTaskToken service integration patterns, Parallel, or Map
    # states". The refusal's code follows the recorded Map/Parallel one (InvalidDefinition); its
    # text is stepfn's (AWS's is not recorded). The mock is the task's answer (the callback's,
    # the worker's, the child execution's).
    state = {
        "Type": "Task",
        "Resource": resource,
        "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
        "Catch": [{"ErrorEquals": ["Rejected"], "ResultPath": "$.rejection", "Next": "Rejected"}],
        "Next": "Approved",
    }
    if "activity" in resource or "sync" in resource:
        state["Parameters"] = {"order": 1}
    code, message = error_of(sfn, state, roleArn=ROLE)
    assert code == "InvalidDefinition" and "without a mock" in message
    approved = respond(sfn, state, input='{"id": 1}', mock={"result": '{"approved": true}'})
    assert approved == {"nextState": "Approved", "output": {"approved": True}, "status": "SUCCEEDED"}
    rejected = respond(
        sfn, state, input='{"id": 1}', mock={"errorOutput": {"error": "Rejected", "cause": "no"}}
    )
    assert rejected == {
        "cause": "no",
        "error": "Rejected",
        "nextState": "Rejected",
        "output": {"id": 1, "rejection": {"Error": "Rejected", "Cause": "no"}},
        "status": "CAUGHT_ERROR",
    }


def test_the_context_member_is_not_supported(sfn: StepFunctionsService) -> None:
    # API reference: context "may only be specified if a mock is specified"; stepfn does not
    # apply a given context object yet and says so (texts are stepfn's).
    task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
    assert error_of(sfn, task, roleArn=ROLE, context="{}")[0] == "ValidationException"
    code, message = error_of(sfn, task, mock={"result": "{}"}, context="{}")
    assert code == "ValidationException" and "context" in message


def test_served_over_the_api(sfn: StepFunctionsService) -> None:
    # The HTTP API (AWS JSON 1.0) checks the request against botocore's TestState model and
    # calls the same method.
    from interpreter.api.dispatch import handle

    request = {
        "definition": json.dumps(BASE_TASK_STATE_RETRY),
        "mock": MOCK_ERROR,
        "stateConfiguration": {"retrierRetryCount": 1},
        "inspectionLevel": "DEBUG",
    }
    headers = {"X-Amz-Target": "AWSStepFunctions.TestState", "Content-Type": "application/x-amz-json-1.0"}
    response = handle(sfn, "POST", headers, json.dumps(request).encode())
    assert response.status == 200
    body = json.loads(response.body)
    assert body["status"] == "RETRIABLE"
    assert body["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 2}
