"""The ``stepfn`` pytest fixture, as a user's project uses it: a test file of theirs mocks a Lambda
task with a MockConfigFile and asserts on the history, the retries and the virtual time."""

from __future__ import annotations

import json
from importlib.metadata import entry_points

import pytest

pytest_plugins = ["pytester"]

PLUGIN = "interpreter.testing.pytest_plugin"

CHECKOUT = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
            "ResultSelector": {"charged.$": "$.Payload.charged"},
            "Retry": [
                {
                    "ErrorEquals": ["Lambda.TooManyRequestsException"],
                    "IntervalSeconds": 2,
                    "BackoffRate": 2,
                    "MaxAttempts": 3,
                }
            ],
            "Next": "Receipt",
        },
        "Receipt": {"Type": "Pass", "Parameters": {"receipt.$": "$.charged"}, "End": True},
    },
}

MOCKS = {
    "StateMachines": {
        "Checkout": {
            "TestCases": {
                "Throttled": {"Charge": "ChargeThrottledTwice"},
                "Declined": {"Charge": "ChargeDeclined"},
            }
        }
    },
    "MockedResponses": {
        "ChargeThrottledTwice": {
            "0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded."}},
            "2": {"Return": {"StatusCode": 200, "Payload": {"charged": 42}}},
        },
        "ChargeDeclined": {"0": {"Throw": {"Error": "Card.Declined", "Cause": "insufficient funds"}}},
    },
}

USER_TESTS = """
from pathlib import Path

HERE = Path(__file__).parent


def test_throttled_twice_then_charged(stepfn):
    result = stepfn.run(
        HERE / "Checkout.asl.json",
        {"amount": 42},
        mock_config=HERE / "MockConfigFile.json",
        test_case="Throttled",
    )
    assert result.status == "SUCCEEDED"
    assert result.output == {"receipt": 42}
    failed = result.events("TaskFailed", state="Charge")
    assert len(failed) == 2
    assert {e["taskFailedEventDetails"]["error"] for e in failed} == {"Lambda.TooManyRequestsException"}
    assert result.retries("Charge") == 2
    assert result.elapsed == 2 + 4  # virtual seconds: IntervalSeconds 2, BackoffRate 2
    assert result.state_output("Charge") == {"charged": 42}


def test_declined(stepfn):
    stepfn.mock_config = HERE / "MockConfigFile.json"  # the default for every run of this test
    result = stepfn.run(HERE / "Checkout.asl.json", {"amount": 42}, test_case="Declined")
    assert (result.status, result.error, result.cause) == ("FAILED", "Card.Declined", "insufficient funds")
    assert result.states == ["Charge"] and result.elapsed == 0


def test_a_typo_in_the_test_case(stepfn):
    stepfn.run(HERE / "Checkout.asl.json", mock_config=HERE / "MockConfigFile.json", test_case="Throtled")
"""


def plugin_args() -> list[str]:
    """The plugin comes from the installed ``stepfn`` distribution's entry point; in a checkout
    that is not installed, it is named explicitly."""
    if any(ep.name == "stepfn" for ep in entry_points(group="pytest11")):
        return []
    return ["-p", PLUGIN]


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.path.joinpath("Checkout.asl.json").write_text(json.dumps(CHECKOUT, indent=2))
    pytester.path.joinpath("MockConfigFile.json").write_text(json.dumps(MOCKS, indent=2))
    pytester.makepyfile(test_checkout=USER_TESTS)
    return pytester


def test_the_plugin_is_registered_by_the_distribution():
    plugins = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert plugins.get("stepfn") == PLUGIN


def test_a_users_tests_mock_a_lambda_task_and_assert_on_the_history(project: pytest.Pytester):
    result = project.runpytest(*plugin_args(), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    # the failing test says what is wrong with the mock configuration, and where
    result.stdout.fnmatch_lines(
        [
            "*MockConfigError: *MockConfigFile.json: /StateMachines/Checkout/TestCases: "
            "no test case named 'Throtled' (the state machine has: Declined, Throttled)"
        ]
    )


def test_the_fixture_is_listed_with_its_docs(project: pytest.Pytester):
    result = project.runpytest(*plugin_args(), "--fixtures", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["stepfn -- *pytest_plugin.py*", "*Runs state machines for this test*"])
