"""Size limits on workflow variables.

AWS docs, "Passing data between states with variables", section "Limits": a single variable holds
at most 256 KiB, all the variables of one Assign field together at most 256 KiB, and all stored
variables of an execution at most 10 MiB. Sizes are those of the values as compact UTF-8 JSON.
The docs give no error for breaking a limit and no recorded run has one: stepfn fails the state
with States.DataLimitExceeded (AWS's error for every other size limit; States.ALL does not catch
it) and a cause in the words of AWS's payload-limit cause.
"""

from __future__ import annotations

import pytest

from interpreter import run
from interpreter.errors import EvaluationError
from interpreter.runtime.variable_limits import ASSIGN_LIMIT, TOTAL_LIMIT, VARIABLE_LIMIT, check_assignment

KIB = 1024


def _run(definition: dict, input=None):
    return run(definition, {} if input is None else input, virtual_time=True)


def _text(size: int) -> str:
    """A string whose JSON text is ``size`` bytes (the quotes count)."""
    return "x" * (size - 2)


def test_the_limits_are_awss():
    assert (VARIABLE_LIMIT, ASSIGN_LIMIT, TOTAL_LIMIT) == (262_144, 262_144, 10_485_760)


def test_a_variable_of_exactly_256_kib_is_fine_one_byte_more_is_not():
    check_assignment({"v": _text(VARIABLE_LIMIT)}, None, "S")
    with pytest.raises(EvaluationError) as info:
        check_assignment({"v": _text(VARIABLE_LIMIT + 1)}, None, "S")
    assert info.value.error == "States.DataLimitExceeded"
    assert info.value.bare
    assert info.value.detail == (
        "The state/task 'S' assigned the variable 'v' a value with a size exceeding the maximum number "
        "of bytes service limit (262145 bytes; a variable holds at most 262144)."
    )


def test_sizes_are_utf8_json_bytes():
    # 3 bytes per character in UTF-8: 90,000 characters are 270,002 bytes of JSON
    with pytest.raises(EvaluationError):
        check_assignment({"v": "€" * 90_000}, None, "S")
    check_assignment({"v": ["€"] * 10}, None, "S")


def test_one_assign_holds_256_kib_in_all():
    check_assignment({"a": _text(128 * KIB), "b": _text(128 * KIB)}, None, "S")
    with pytest.raises(EvaluationError, match=r"combined size .* \(262145 bytes; one Assign holds at most"):
        check_assignment({"a": _text(128 * KIB), "b": _text(128 * KIB + 1)}, None, "S")


def test_all_variables_hold_10_mib_in_all():
    held = {f"v{i}": _text(250 * KIB) for i in range(40)}  # 40 x 250 KiB = 10,000 KiB
    check_assignment({"v40": _text(240 * KIB)}, held, "S")  # 10,240 KiB: just at the limit
    with pytest.raises(EvaluationError, match=r"exceed the maximum .* all variables hold at most 10485760"):
        check_assignment({"v40": _text(240 * KIB + 1)}, held, "S")
    # replacing a variable counts its new value, not both
    check_assignment({"v0": _text(250 * KIB)}, {**held, "v40": _text(240 * KIB)}, "S")


def test_jsonata_assign_too_large_fails_the_state_without_exiting_it():
    r = _run(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Big",
            "States": {
                "Big": {"Type": "Pass", "Assign": {"blob": "{% $pad('', 262144, 'x') %}"}, "Next": "Done"},
                "Done": {"Type": "Succeed"},
            },
        }
    )

    assert (r.status, r.error) == ("FAILED", "States.DataLimitExceeded")
    assert r.cause.startswith(
        "The state/task 'Big' assigned the variable 'blob' a value with a size exceeding"
    )
    assert [e["type"] for e in r.history] == ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]


def test_jsonpath_assign_too_large_is_caught_only_by_name():
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "echo", "Payload.$": "$"},
        "ResultSelector": {"blob.$": "$.Payload.blob"},
        "Assign": {"a.$": "$.blob", "b.$": "$.blob"},
        "Next": "Done",
    }

    def echo(event, context):
        return event

    def machine(errors):
        catch = [{"ErrorEquals": errors, "ResultPath": "$.error", "Next": "Caught"}]
        return {
            "StartAt": "T",
            "States": {
                "T": {**state, "Catch": catch},
                "Done": {"Type": "Succeed"},
                "Caught": {"Type": "Succeed"},
            },
        }

    event = {"blob": _text(140 * KIB)}
    # States.ALL does not match States.DataLimitExceeded (ASL spec, "Error names")
    r = run(machine(["States.ALL"]), event, handlers={"echo": echo}, virtual_time=True)
    assert (r.status, r.error) == ("FAILED", "States.DataLimitExceeded")
    assert "combined size" in r.cause
    r = run(machine(["States.DataLimitExceeded"]), event, handlers={"echo": echo}, virtual_time=True)
    assert r.status == "SUCCEEDED"
    assert r.output["error"]["Error"] == "States.DataLimitExceeded"


def test_choice_rule_and_state_assign_are_limited_one_field_at_a_time():
    # the state's Assign and the matched rule's Assign are two Assign fields of 200 KiB each
    r = _run(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Assign": {"a": "{% $pad('', 200 * 1024, 'a') %}"},
                    "Choices": [
                        {
                            "Condition": "{% true %}",
                            "Assign": {"b": "{% $pad('', 200 * 1024, 'b') %}"},
                            "Next": "D",
                        }
                    ],
                },
                "D": {"Type": "Pass", "Output": "{% $length($a) + $length($b) %}", "End": True},
            },
        }
    )

    assert (r.status, r.output) == ("SUCCEEDED", 400 * KIB)


def test_variables_seen_from_a_map_iteration_count_towards_the_total():
    # 40 outer variables of 250 KiB (10,000 KiB), then an iteration assigns 250 KiB more
    fill = {
        f"F{i}": {
            "Type": "Pass",
            "Assign": {f"v{i}": f"{{% $pad('', {250 * KIB - 2}, 'x') %}}"},
            "Output": {},
            "Next": f"F{i + 1}" if i < 39 else "M",
        }
        for i in range(40)
    }
    r = _run(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "F0",
            "States": {
                **fill,
                "M": {
                    "Type": "Map",
                    "Items": "{% [1] %}",
                    "ItemProcessor": {
                        "StartAt": "I",
                        "States": {
                            "I": {
                                "Type": "Pass",
                                "Assign": {"w": "{% $pad('', 250 * 1024, 'y') %}"},
                                "End": True,
                            }
                        },
                    },
                    "End": True,
                },
            },
        }
    )

    assert (r.status, r.error) == ("FAILED", "States.DataLimitExceeded")
    assert r.cause.startswith(
        "The state/task 'I' assigned variables that make the execution's variables exceed"
    )
