"""ARNs and names as AWS Step Functions builds, parses and rejects them."""

from __future__ import annotations

import pytest

from interpreter.service import arns
from interpreter.service.errors import ApiError

SM = "arn:aws:states:us-east-1:123456789012:stateMachine:Orders"


def error_of(fn, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ApiError) as caught:
        fn(*args, **kwargs)
    return caught.value.code, caught.value.message


# ------------------------------------------------------------------ names


@pytest.mark.parametrize(
    "name",
    ["a", "Orders", "my-machine_1.v2", "x" * 80, "ünïcödé", "名前", "a+b=c@d!", "(paren)", "'quote'"],
)
def test_valid_names(name: str) -> None:
    assert arns.check_name(name) == name
    assert arns.name_problem(name) is None


# AWS API reference (CreateStateMachine/CreateActivity/StartExecution ``name``): no white space,
# brackets < > { } [ ], wildcards ? *, special characters " # % \ ^ | ~ ` $ & , ; : /, control
# characters U+0000-001F and U+007F-009F.
FORBIDDEN = [*' <>{}[]?*"#%\\^|~`$&,;:/', "\t", "\n", "\x00", "\x1f", "\x7f", "\x85", "\x9f", "\u3000"]


@pytest.mark.parametrize("char", FORBIDDEN)
def test_forbidden_characters_are_invalid_name(char: str) -> None:
    name = f"bad{char}name"
    # AWS (recorded, LocalStack test_sfn_api_activities.snapshot.json, test_create_activity_invalid_name):
    # "Invalid Name: 'TestActivity InvalidName$'"
    assert error_of(arns.check_name, name) == ("InvalidName", f"Invalid Name: '{name}'")


def test_recorded_invalid_name_message() -> None:
    # Source: LocalStack test_sfn_api_activities.snapshot.json (AWS-validated, 2024-03-04).
    assert error_of(arns.check_name, "TestActivity InvalidName$") == (
        "InvalidName",
        "Invalid Name: 'TestActivity InvalidName$'",
    )


def test_characters_just_outside_the_control_ranges_are_allowed() -> None:
    assert arns.check_name("a\xa1b") == "a\xa1b"  # U+00A1 follows U+009F
    assert arns.check_name("a!b") == "a!b"  # U+0021 follows the space


def test_too_long_name_is_a_model_validation_error() -> None:
    name = "n" * 81
    # AWS's model-constraint text (e.g. moto's NameTooLongException, LocalStack's alias-name check).
    assert error_of(arns.check_name, name) == (
        "ValidationException",
        f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 80",
    )


def test_empty_name_is_a_model_validation_error() -> None:
    code, message = error_of(arns.check_name, "")
    assert code == "ValidationException"
    assert message.endswith("Member must have length greater than or equal to 1")


def test_length_is_checked_before_characters() -> None:
    code, _ = error_of(arns.check_name, " " * 81)
    assert code == "ValidationException"


# ------------------------------------------------------------------ building


def test_build_state_machine_and_activity_arns() -> None:
    assert arns.state_machine_arn("us-east-1", "123456789012", "Orders") == SM
    assert (
        arns.activity_arn("eu-west-1", "123456789012", "Work")
        == "arn:aws:states:eu-west-1:123456789012:activity:Work"
    )


def test_partition_follows_the_region() -> None:
    assert arns.state_machine_arn("cn-north-1", "123456789012", "m").startswith(
        "arn:aws-cn:states:cn-north-1:"
    )
    assert arns.state_machine_arn("us-gov-west-1", "123456789012", "m").startswith("arn:aws-us-gov:")
    assert arns.partition_for("eu-central-1") == "aws"


def test_standard_execution_arn() -> None:
    assert arns.execution_arn(SM, "run-1") == "arn:aws:states:us-east-1:123456789012:execution:Orders:run-1"


def test_express_execution_arn_has_the_express_type_and_a_run_id() -> None:
    # AWS (recorded, LocalStack test_sfn_api_express.snapshot.json):
    # arn:aws:states:<region>:<account>:express:<machine>:<name>:<id>
    arn = arns.execution_arn(SM, "run-1", machine_type="EXPRESS", run_id="0f1e2d3c")
    assert arn == "arn:aws:states:us-east-1:123456789012:express:Orders:run-1:0f1e2d3c"
    with pytest.raises(ValueError):
        arns.execution_arn(SM, "run-1", machine_type="EXPRESS")


def test_built_arns_parse_back() -> None:
    express = arns.execution_arn(SM, "r", machine_type="EXPRESS", run_id="id")
    assert arns.parse_execution_arn(express, express=True).resource_type == "express"
    standard = arns.parse_execution_arn(arns.execution_arn(SM, "r"))
    assert (standard.name, standard.qualifiers) == ("Orders", ("r",))


# ------------------------------------------------------------------ parsing


def test_parse_state_machine_arn() -> None:
    parsed = arns.parse_state_machine_arn(SM)
    assert (parsed.partition, parsed.region, parsed.account) == ("aws", "us-east-1", "123456789012")
    assert (parsed.resource_type, parsed.name, parsed.qualifiers) == ("stateMachine", "Orders", ())
    assert not parsed.qualified
    assert parsed.version is None and parsed.alias is None
    assert parsed.base_arn == SM


def test_version_and_alias_arns_are_qualified() -> None:
    version = arns.parse_state_machine_arn(SM + ":3")
    assert version.qualified and version.version == 3 and version.alias is None
    assert version.base_arn == SM
    alias = arns.parse_state_machine_arn(SM + ":PROD")
    assert alias.qualified and alias.alias == "PROD" and alias.version is None


def test_distributed_map_label_arn_is_qualified() -> None:
    assert arns.parse_state_machine_arn(SM + "/mapLabel").qualified


@pytest.mark.parametrize("arn", ["not_a_valid_arn", "invalid_state_machine_arn", "", "ARN:aws:states"])
def test_missing_arn_prefix(arn: str) -> None:
    # AWS (recorded, LocalStack test_sfn_api.snapshot.json, test_describe_invalid_arn_sm):
    # "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"
    assert error_of(arns.parse_state_machine_arn, arn) == (
        "InvalidArn",
        f"Invalid Arn: 'Invalid ARN prefix: {arn}'",
    )


@pytest.mark.parametrize(
    ("arn", "resource_type"),
    [
        ("arn:aws:states:us-east-1:123456789012:execution:Orders:run-1", "execution"),
        ("arn:aws:states:us-east-1:123456789012:activity:Work", "activity"),
        ("arn:aws:states:us-east-1:123456789012:statemachine:Orders", "statemachine"),
    ],
)
def test_wrong_resource_type_for_a_state_machine(arn: str, resource_type: str) -> None:
    # AWS: "Invalid Arn: 'Resource type not valid in this context: execution'" (StartExecution given an
    # execution ARN; AWS error text quoted in a public test of aws-samples code).
    assert error_of(arns.parse_state_machine_arn, arn) == (
        "InvalidArn",
        f"Invalid Arn: 'Resource type not valid in this context: {resource_type}'",
    )


def test_express_execution_arn_where_only_standard_ones_are_valid() -> None:
    arn = "arn:aws:states:us-east-1:123456789012:express:Orders:run-1:abc"
    # AWS (recorded, LocalStack test_sfn_api_express.snapshot.json: DescribeExecution, StopExecution,
    # GetExecutionHistory of an Express execution).
    assert error_of(arns.parse_execution_arn, arn) == (
        "InvalidArn",
        "Invalid Arn: 'Resource type not valid in this context: express'",
    )
    assert arns.parse_execution_arn(arn, express=True).qualifiers == ("run-1", "abc")


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:lambda:us-east-1:123456789012:function:f",  # another service
        "arn:aws:states:us-east-1:12345:stateMachine:Orders",  # account is not 12 digits
        "arn:aws:states::123456789012:stateMachine:Orders",  # no region
        "arn:aws:states:us-east-1:123456789012:stateMachine",  # no name
        "arn:aws:states:us-east-1:123456789012:stateMachine:",  # empty name
        "arn:aws:states:us-east-1:123456789012:stateMachine:a:1:2",  # too many parts
        "arn:aws:states:us-east-1:123456789012",  # too short
        "arn:aws:states:US_EAST:123456789012:stateMachine:Orders",  # not a region
    ],
)
def test_malformed_state_machine_arns(arn: str) -> None:
    assert error_of(arns.parse_state_machine_arn, arn) == ("InvalidArn", f"Invalid Arn: '{arn}'")


def test_activity_arn_shape() -> None:
    assert arns.parse_activity_arn("arn:aws:states:us-east-1:123456789012:activity:Work").name == "Work"
    code, _ = error_of(arns.parse_activity_arn, "arn:aws:states:us-east-1:123456789012:activity:Work:1")
    assert code == "InvalidArn"


def test_execution_arn_shape() -> None:
    code, _ = error_of(arns.parse_execution_arn, "arn:aws:states:us-east-1:123456789012:execution:Orders")
    assert code == "InvalidArn"


def test_any_states_resource_when_no_type_is_required() -> None:
    assert (
        arns.parse_states_arn("arn:aws:states:us-east-1:123456789012:mapRun:m/l:x").resource_type == "mapRun"
    )


# ------------------------------------------------------------------ role ARNs


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::123456789012:role/StepFunctionsRole",
        "arn:aws:iam::123456789012:role/service-role/path/Role-1",
        "arn:aws-cn:iam::123456789012:role/r",
    ],
)
def test_role_arns(arn: str) -> None:
    assert arns.parse_role_arn(arn) == arn


def test_role_arn_without_prefix() -> None:
    assert error_of(arns.parse_role_arn, "snf_role") == (
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: snf_role'",
    )


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::123456789012:user/alice",
        "arn:aws:iam::123456789012:role/",
        "arn:aws:iam:us-east-1:123456789012:role/r",
        "arn:aws:sts::123456789012:assumed-role/r/s",
        "arn:aws:iam::acct:role/r",
    ],
)
def test_not_role_arns(arn: str) -> None:
    assert error_of(arns.parse_role_arn, arn) == ("InvalidArn", f"Invalid Arn: '{arn}'")
