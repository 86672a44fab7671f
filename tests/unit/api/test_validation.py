"""Request validation from botocore's model, in AWS's words.

Sources for the exact wording:
- moto ``tests/test_stepfunctions/test_stepfunctions.py`` (``test_state_machine_creation_fails_with_
  invalid_names`` family): ``1 validation error detected: Value '<name>' at 'name' failed to
  satisfy constraint: Member must have length less than or equal to 80``.
- a Step Functions emulator's tests measured against AWS (2026-09-07): ``Value null at
  'stateMachineArn' failed to satisfy constraint: Member must not be null`` and ``Value at 'input'
  failed to satisfy constraint: Member must have size less than or equal to 262144 bytes in UTF-8
  encoding`` (the same message an AWS SDK user logged from StartExecution).
- mhart/dynalite ``validations/index.js`` (Coral, pinned against DynamoDB): the other constraint
  phrasings, ``N validation errors detected: a; b``, list paths ``tags.1.member.key``, at most 10
  violations, and the SerializationException messages for wrong JSON types.
- Cognito (sensitive ``password``): ``Value at 'password' failed ...`` — no value for sensitive
  members.
"""

from __future__ import annotations

from typing import Any

import pytest

from interpreter.api.validation import (
    operation_names,
    validate_request,
    validation_message,
    violation,
)
from interpreter.service.errors import ApiError

SM_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:example"
EXEC_ARN = "arn:aws:states:us-east-1:123456789012:execution:example:run"


def refused(operation: str, params: object) -> ApiError:
    with pytest.raises(ApiError) as caught:
        validate_request(operation, params)
    return caught.value


def validation_failure(operation: str, params: object) -> str:
    error = refused(operation, params)
    assert (error.code, error.status) == ("ValidationException", 400)
    return error.message


def serialization_failure(operation: str, params: object) -> str:
    error = refused(operation, params)
    assert (error.code, error.status) == ("SerializationException", 400)
    return error.message


# -- required members and lengths ----------------------------------------------------------------


def test_missing_required_member_is_value_null():
    assert validation_failure("StartExecution", {"name": "n"}) == (
        "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_explicit_json_null_counts_as_missing():
    assert "Value null at 'executionArn'" in validation_failure("DescribeExecution", {"executionArn": None})


def test_name_longer_than_80():
    name = "t" * 81
    assert validation_failure("StartExecution", {"stateMachineArn": SM_ARN, "name": name}) == (
        f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 80"
    )


def test_empty_string_below_min_length():
    assert validation_failure("DescribeStateMachine", {"stateMachineArn": ""}) == (
        "1 validation error detected: Value '' at 'stateMachineArn' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_several_violations_are_counted_and_joined_with_semicolons():
    name = "n" * 81
    message = validation_failure("CreateStateMachine", {"name": name, "definition": "{}"})
    assert message == (
        "2 validation errors detected: "
        f"Value '{name}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 80; "
        "Value null at 'roleArn' failed to satisfy constraint: Member must not be null"
    )


def test_at_most_ten_violations_are_reported():
    tags = [{"key": ""} for _ in range(12)]
    message = validation_failure("TagResource", {"resourceArn": SM_ARN, "tags": tags})
    assert message.startswith("10 validation errors detected: Value '' at 'tags.1.member.key'")
    assert message.count("failed to satisfy constraint") == 10


# -- sensitive members ---------------------------------------------------------------------------


def test_sensitive_value_is_not_echoed():
    assert validation_failure("SendTaskHeartbeat", {"taskToken": ""}) == (
        "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_execution_input_is_measured_in_utf8_bytes():
    # GIVEN 131,073 characters (well under 262,144) that take 262,146 bytes in UTF-8
    oversized = "é" * 131_073
    message = validation_failure("StartExecution", {"stateMachineArn": SM_ARN, "input": oversized})
    assert message == (
        "1 validation error detected: Value at 'input' failed to satisfy constraint: "
        "Member must have size less than or equal to 262144 bytes in UTF-8 encoding"
    )


def test_input_at_the_limit_passes():
    request = {"stateMachineArn": SM_ARN, "input": "a" * 262_144}
    assert validate_request("StartExecution", request) == request


# -- enums, ranges, patterns, nesting ------------------------------------------------------------


def test_enum_value_set():
    message = validation_failure("ListExecutions", {"stateMachineArn": SM_ARN, "statusFilter": "DONE"})
    assert message == (
        "1 validation error detected: Value 'DONE' at 'statusFilter' failed to satisfy constraint: "
        "Member must satisfy enum value set: "
        "[RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]"
    )


@pytest.mark.parametrize(
    ("value", "constraint"),
    [
        (1001, "Member must have value less than or equal to 1000"),
        (-1, "Member must have value greater than or equal to 0"),
    ],
)
def test_value_range(value: int, constraint: str):
    assert validation_failure("ListStateMachines", {"maxResults": value}) == (
        f"1 validation error detected: Value '{value}' at 'maxResults' failed to satisfy constraint: "
        f"{constraint}"
    )


def test_pattern_is_a_full_match():
    message = validation_failure(
        "CreateStateMachineAlias",
        {"name": "123", "routingConfiguration": [{"stateMachineVersionArn": SM_ARN + ":1", "weight": 100}]},
    )
    assert message == (
        "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$"
    )


def test_nested_members_are_named_by_path():
    message = validation_failure(
        "CreateStateMachine",
        {
            "name": "n",
            "definition": "{}",
            "roleArn": "arn:aws:iam::123456789012:role/r",
            "tags": [{"key": "ok"}, {"key": "", "value": "v"}],
            "encryptionConfiguration": {},
        },
    )
    assert message == (
        "2 validation errors detected: "
        "Value '' at 'tags.2.member.key' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value null at 'encryptionConfiguration.type' failed to satisfy constraint: Member must not be null"
    )


def test_list_length_and_list_values_print_as_java_does():
    message = validation_failure("CreateStateMachineAlias", {"name": "live", "routingConfiguration": []})
    assert message == (
        "1 validation error detected: Value '[]' at 'routingConfiguration' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_violation_and_message_helpers():
    assert violation("weight", 101, "Member must have value less than or equal to 100") == (
        "Value '101' at 'weight' failed to satisfy constraint: "
        "Member must have value less than or equal to 100"
    )
    assert (
        violation("tagKeys", ["a", "b"], "C") == "Value '[a, b]' at 'tagKeys' failed to satisfy constraint: C"
    )
    assert violation("enabled", True, "C") == "Value 'true' at 'enabled' failed to satisfy constraint: C"
    assert (
        violation("definition", "x", "C", sensitive=True)
        == "Value at 'definition' failed to satisfy constraint: C"
    )
    assert validation_message(["a"]) == "1 validation error detected: a"
    assert validation_message(["a", "b"]) == "2 validation errors detected: a; b"


# -- what passes, and what the service receives --------------------------------------------------


def test_unknown_members_and_nulls_are_dropped():
    request = {"executionArn": EXEC_ARN, "includedData": None, "somethingNew": {"x": 1}}
    assert validate_request("DescribeExecution", request) == {"executionArn": EXEC_ARN}


def test_empty_request_for_an_operation_without_required_members():
    assert validate_request("ListStateMachines", {}) == {}
    assert validate_request("ListStateMachines", None) == {}


def test_integer_members_take_the_floor_and_booleans_take_words():
    request = {
        "executionArn": EXEC_ARN,
        "maxResults": 10.7,
        "reverseOrder": "yes",
        "includeExecutionData": "0",
    }
    assert validate_request("GetExecutionHistory", request) == {
        "executionArn": EXEC_ARN,
        "maxResults": 10,
        "reverseOrder": True,
        "includeExecutionData": False,
    }


@pytest.mark.parametrize("operation", sorted(operation_names()))
def test_every_operation_validates_an_empty_request(operation: str):
    try:
        validate_request(operation, {})
    except ApiError as error:
        assert error.code == "ValidationException"
        assert "Member must not be null" in error.message


# -- wrong JSON types: SerializationException ----------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "params", "message"),
    [
        (
            "ListStateMachines",
            {"maxResults": "10"},
            "class java.lang.String can not be converted to an Integer",
        ),
        (
            "ListStateMachines",
            {"maxResults": True},
            "class java.lang.Boolean can not be converted to an Integer",
        ),
        ("DescribeExecution", {"executionArn": 5}, "class java.lang.Short can not be converted to an String"),
        (
            "DescribeExecution",
            {"executionArn": 70000},
            "class java.lang.Integer can not be converted to an String",
        ),
        (
            "DescribeExecution",
            {"executionArn": 1.5},
            "class java.lang.Double can not be converted to an String",
        ),
        ("DescribeExecution", {"executionArn": {}}, "Start of structure or map found where not expected."),
        ("DescribeExecution", {"executionArn": []}, "Start of list found where not expected"),
        ("UntagResource", {"resourceArn": SM_ARN, "tagKeys": "k"}, "Expected list or null"),
        (
            "UntagResource",
            {"resourceArn": SM_ARN, "tagKeys": {}},
            "Start of structure or map found where not expected.",
        ),
        ("CreateStateMachine", {"tracingConfiguration": "on"}, "Expected null"),
        ("GetExecutionHistory", {"reverseOrder": "maybe"}, "'MAYBE' can not be converted to an Boolean"),
        (
            "GetExecutionHistory",
            {"reverseOrder": 1},
            "class java.lang.Short can not be converted to an Boolean",
        ),
        (
            "UpdateMapRun",
            {"toleratedFailurePercentage": "5"},
            "class java.lang.String can not be converted to an Float",
        ),
        ("ListStateMachines", [], "Start of list found where not expected"),
        ("ListStateMachines", "x", "Expected null"),
    ],
)
def test_wrong_json_type(operation: str, params: Any, message: str):
    assert serialization_failure(operation, params) == message


def test_types_are_checked_before_constraints():
    # GIVEN a missing required member AND a wrongly typed one: Coral deserializes first
    assert serialization_failure("GetExecutionHistory", {"maxResults": "x"}) == (
        "class java.lang.String can not be converted to an Integer"
    )
