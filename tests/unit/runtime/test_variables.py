"""Workflow variables (Assign) in both query languages (AWS docs "Passing data between states
with variables"; recorded AWS runs in ../shared/conformance, category "variables")."""

from __future__ import annotations

import json

from interpreter import run


def _run(definition: dict, input=None):
    return run(definition, {} if input is None else input, virtual_time=True)


def test_jsonpath_assign_is_visible_from_the_next_state():
    r = _run(
        {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Assign": {"x.$": "$.v", "lit": "s"}, "Next": "B"},
                "B": {"Type": "Pass", "Parameters": {"x.$": "$x", "lit.$": "$lit"}, "End": True},
            },
        },
        {"v": 7},
    )
    assert r.output == {"x": 7, "lit": "s"}


def test_assignments_of_one_state_see_values_from_before_it():
    r = _run(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "B"},
                "B": {
                    "Type": "Pass",
                    "Assign": {"x": "{% $x + 1 %}", "y": "{% $x %}"},
                    "Output": "{% $x %}",
                    "Next": "C",
                },
                "C": {
                    "Type": "Pass",
                    "Output": {"x": "{% $x %}", "y": "{% $y %}", "prev": "{% $states.input %}"},
                    "End": True,
                },
            },
        }
    )
    assert r.output == {"x": 2, "y": 1, "prev": 1}


def test_assigned_variables_in_state_exited_event():
    r = _run({"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": {"x": [1]}, "End": True}}})
    details = r.history[2]["stateExitedEventDetails"]
    assert details["assignedVariables"] == {"x": json.dumps([1], separators=(",", ":"))}
    assert details["assignedVariablesDetails"] == {"truncated": False}


def test_map_iterations_read_outer_variables_and_do_not_leak():
    # Recorded AWS run test_base_cases[BASE_SCOPE_MAP]: iterations read the outer $x; what they
    # assign themselves ($inner: an inner scope cannot reuse an outer name) is gone after the Map.
    r = _run(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "S0",
            "States": {
                "S0": {"Type": "Pass", "Assign": {"x": 42, "items": [1, 2]}, "Next": "M"},
                "M": {
                    "Type": "Map",
                    "Items": "{% $items %}",
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "INLINE"},
                        "StartAt": "I",
                        "States": {
                            "I": {"Type": "Pass", "Assign": {"inner": 0}, "Next": "J"},
                            "J": {"Type": "Pass", "Output": "{% $x + $inner %}", "End": True},
                        },
                    },
                    "Next": "After",
                },
                "After": {
                    "Type": "Pass",
                    "Output": {
                        "r": "{% $states.input %}",
                        "x": "{% $x %}",
                        "leaked": "{% $exists($inner) %}",
                    },
                    "End": True,
                },
            },
        }
    )
    assert r.output == {"r": [42, 42], "x": 42, "leaked": False}


def test_choice_rule_assign_in_jsonpath():
    # Recorded AWS run test_assign_in_choice_state: the state's Assign and the matched rule's.
    d = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Assign": {"status": "INCORRECT"},
                "Choices": [
                    {"Variable": "$.v", "NumericEquals": 42, "Assign": {"status": "CORRECT"}, "Next": "F"}
                ],
                "Default": "F",
            },
            "F": {"Type": "Pass", "Parameters": {"result.$": "$status"}, "End": True},
        },
    }
    assert _run(d, {"v": 42}).output == {"result": "CORRECT"}
    assert _run(d, {"v": 0}).output == {"result": "INCORRECT"}


def test_catch_assign_and_output_with_error_output():
    r = _run(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "why"}}}
                    ],
                    "Catch": [
                        {
                            "ErrorEquals": ["States.ALL"],
                            "Assign": {"err": "{% $states.errorOutput.Error %}"},
                            "Output": {"cause": "{% $states.errorOutput.Cause %}"},
                            "Next": "E",
                        }
                    ],
                    "End": True,
                },
                "E": {
                    "Type": "Pass",
                    "Output": {"err": "{% $err %}", "in": "{% $states.input %}"},
                    "End": True,
                },
            },
        }
    )
    assert r.output == {"err": "Boom", "in": {"cause": "why"}}
