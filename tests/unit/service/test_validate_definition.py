"""ValidateStateMachineDefinition's diagnostics and the InvalidDefinition message format."""

from __future__ import annotations

import json

import pytest

from interpreter.errors import Problem
from interpreter.service import definitions
from interpreter.service.errors import ApiError

from .helpers import PASS_DEFINITION, Service

NO_START_AT = json.dumps({"States": {"A": {"Type": "Succeed"}}})
DANGLING = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "NOPE"}}})
WAIT_FOR_TOKEN = json.dumps(
    {
        "StartAt": "SendMessageWithWait",
        "States": {
            "SendMessageWithWait": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "q", "MessageBody": {"Token.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    }
)
# Three NO_DOLLAR warnings (a literal that looks like a path), and no error.
WARNINGS = json.dumps(
    {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Parameters": {"a": "$.x", "b": "$.y", "c": "$.z"}, "End": True}},
    }
)


def validate(api: Service, definition: str, **extra: object) -> dict:
    return api.validate_state_machine_definition({"definition": definition, **extra})


def test_valid_definition(api: Service) -> None:
    # AWS (recorded, LocalStack test_sfn_api_validation.snapshot.json, VALID_BASE_PASS).
    assert validate(api, PASS_DEFINITION) == {"result": "OK", "diagnostics": [], "truncated": False}
    assert validate(api, PASS_DEFINITION, type="EXPRESS")["result"] == "OK"


def test_missing_start_at(api: Service) -> None:
    # AWS (recorded, test_sfn_api_validation.snapshot.json, INVALID_BASE_NO_STARTAT).
    assert validate(api, NO_START_AT) == {
        "result": "FAIL",
        "diagnostics": [
            {
                "severity": "ERROR",
                "code": "SCHEMA_VALIDATION_FAILED",
                "message": "These fields are required: [StartAt]",
                "location": "/",
            }
        ],
        "truncated": False,
    }


def test_empty_object(api: Service) -> None:
    # AWS (recorded, test_sfn_api_validation.snapshot.json, EMPTY_DICT).
    assert validate(api, "{}")["diagnostics"] == [
        {
            "severity": "ERROR",
            "code": "SCHEMA_VALIDATION_FAILED",
            "message": "These fields are required: [States, StartAt]",
            "location": "/",
        }
    ]


def test_empty_string_has_no_location(api: Service) -> None:
    # AWS (recorded 2025-10-19, test_sfn_api_validation.snapshot.json, EMPTY_STRING).
    assert validate(api, "") == {
        "result": "FAIL",
        "diagnostics": [
            {
                "severity": "ERROR",
                "code": "SCHEMA_VALIDATION_FAILED",
                "message": "Definition must be a valid JSON object",
            }
        ],
        "truncated": False,
    }


def test_not_json(api: Service) -> None:
    # AWS (recorded, NOT_A_DEF): code INVALID_JSON_DESCRIPTION with a line/column location. The
    # message text comes from Python's JSON parser, not AWS's (Jackson).
    [diagnostic] = validate(api, "not a definition")["diagnostics"]
    assert diagnostic == {
        "severity": "ERROR",
        "code": "INVALID_JSON_DESCRIPTION",
        "message": "Expecting value at line 1, column 1",
        "location": "line: 1, column: 1",
    }


def test_express_rejects_wait_for_task_token(api: Service) -> None:
    # AWS (recorded, test_sfn_api_validation.snapshot.json, type_express[ILLEGAL_WFTT]).
    response = validate(api, WAIT_FOR_TOKEN, type="EXPRESS")
    assert response["result"] == "FAIL"
    [diagnostic] = response["diagnostics"]
    assert diagnostic["code"] == "SCHEMA_VALIDATION_FAILED"
    assert diagnostic["location"] == "/States/SendMessageWithWait/Resource"
    assert diagnostic["message"].startswith("Express state machine does not support '.waitForTaskToken'")
    assert validate(api, WAIT_FOR_TOKEN)["result"] == "OK"


def test_missing_end_state_has_no_location_and_comes_last(api: Service) -> None:
    # floci-io/floci#2786 (measured on AWS): a lone dangling Next gives MISSING_TRANSITION_TARGET at
    # /States/A/Next, then MISSING_END_STATE without a location.
    assert validate(api, DANGLING)["diagnostics"] == [
        {
            "severity": "ERROR",
            "code": "MISSING_TRANSITION_TARGET",
            "message": "Missing 'Next' target: NOPE",
            "location": "/States/A/Next",
        },
        {"severity": "ERROR", "code": "MISSING_END_STATE", "message": "Workflow has no terminal state"},
    ]


def test_array_members_use_bracket_indexes(api: Service) -> None:
    definition = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "BooleanEquals": True, "Next": "Gone"}],
                "Default": "E",
            },
            "E": {"Type": "Succeed"},
        },
    }
    # floci-io/floci#2786 (measured on AWS): /States/C/Choices[0]/Next.
    [diagnostic] = validate(api, json.dumps(definition))["diagnostics"]
    assert diagnostic["location"] == "/States/C/Choices[0]/Next"


def test_warnings_only_with_severity_warning(api: Service) -> None:
    # AWS API reference: severity ERROR (the default) returns only errors; WARNING returns both.
    assert validate(api, WARNINGS) == {"result": "OK", "diagnostics": [], "truncated": False}
    response = validate(api, WARNINGS, severity="WARNING")
    assert response["result"] == "OK"
    assert [(d["severity"], d["code"]) for d in response["diagnostics"]] == [("WARNING", "NO_DOLLAR")] * 3
    assert response["diagnostics"][0]["location"] == "/States/P/Parameters/a"


def test_max_results_truncates(api: Service) -> None:
    # AWS API reference: maxResults caps the diagnostics; truncated tells whether some were left out.
    response = validate(api, WARNINGS, severity="WARNING", maxResults=2)
    assert len(response["diagnostics"]) == 2 and response["truncated"] is True
    assert validate(api, WARNINGS, severity="WARNING", maxResults=3)["truncated"] is False
    assert len(validate(api, WARNINGS, severity="WARNING", maxResults=0)["diagnostics"]) == 3


def test_result_fails_even_when_errors_are_cut(api: Service) -> None:
    response = validate(api, DANGLING, maxResults=1)
    assert (
        response["result"] == "FAIL" and response["truncated"] is True and len(response["diagnostics"]) == 1
    )


def test_many_errors_are_capped_at_100(api: Service) -> None:
    states = {f"S{i}": {"Type": "Pass", "Next": f"Missing{i}"} for i in range(120)}
    response = validate(api, json.dumps({"StartAt": "S0", "States": states}))
    assert len(response["diagnostics"]) == 100 and response["truncated"] is True


# ------------------------------------------------------------------ InvalidDefinition


def test_invalid_definition_joins_every_error() -> None:
    with pytest.raises(ApiError) as caught:
        definitions.check_definition(DANGLING)
    # Format: AWS CLI output quoted in localstack/localstack#12487; "at null" for a problem without a
    # location measured on AWS in floci-io/floci#2735.
    assert caught.value.code == "InvalidDefinition"
    assert caught.value.message == (
        "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: NOPE at "
        "/States/A/Next, MISSING_END_STATE: Workflow has no terminal state at null'"
    )


def test_invalid_definition_leaves_out_warnings() -> None:
    problems = [
        Problem("/States/P/Parameters/a", "looks like a path", "NO_DOLLAR", "WARNING"),
        Problem("", "These fields are required: [States]"),
    ]
    assert definitions.invalid_definition(problems).message == (
        "Invalid State Machine Definition: "
        "'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'"
    )


def test_valid_definition_passes_the_check() -> None:
    definitions.check_definition(PASS_DEFINITION)
    definitions.check_definition(WARNINGS)


def test_compile_errors_are_reported() -> None:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.[", "End": True}}}
    problems = definitions.definition_problems(json.dumps(definition))
    assert any(problem.severity == "ERROR" for problem in problems)


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("", "/"),
        ("/States/A", "/States/A"),
        ("/States/T/Catch/0/Next", "/States/T/Catch[0]/Next"),
        ("/States/T/Retry/1/ErrorEquals/0", "/States/T/Retry[1]/ErrorEquals[0]"),
        ("/States/P/Branches/0/States/1", "/States/P/Branches[0]/States/1"),
        ("/States/0/Next", "/States/0/Next"),
        ("/States/P/Parameters/list/0", "/States/P/Parameters/list/0"),
    ],
)
def test_location(pointer: str, expected: str) -> None:
    assert definitions.location(Problem(pointer, "m")) == expected
