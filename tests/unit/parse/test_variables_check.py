"""Workflow variables at load time (AWS docs, "Passing data between states with variables").

* Scope rule ("Variable scope"): "a variable assigned in an inner scope cannot have the same name
  as one assigned in an outer scope" -- an error. A Catch's Assign on a Parallel/Map is exempt on
  the outer side: AWS created and ran such a machine (recorded conformance case
  test_parallel_catch_error_PARALLEL_CATCH_ERROR_VARIABLE_SAMPLING).
* "The maximum length of a variable name is 80."
* A variable read where nothing visible assigns it: a warning (as AWS's console gives), with
  stepfn's own code UNASSIGNED_VARIABLE, on ``load_definition(...).warnings``, never in
  ``validate`` (ValidateStateMachineDefinition has no such diagnostic).
"""

from __future__ import annotations

import pytest

from interpreter import load_definition
from interpreter.parse import codes, validate
from interpreter.parse.variables_check import unassigned_variable_warnings

from .helpers import LAMBDA, PASS_END, branch, errors, machine, summary

UNASSIGNED = codes.UNASSIGNED_VARIABLE


def unassigned(doc: dict) -> list[tuple[str, str]]:
    """``[(pointer, variable), ...]`` of the UNASSIGNED_VARIABLE warnings."""
    found = unassigned_variable_warnings(doc)
    assert all(p.code == UNASSIGNED and p.severity == codes.WARNING for p in found)
    return [(p.pointer, p.message.split("'")[1]) for p in found]


def jsonata(states: dict, start: str | None = None) -> dict:
    return machine(states, start, QueryLanguage="JSONata")


# ------------------------------------------------------------------------- reads, JSONPath


def test_jsonpath_reads_in_paths_templates_intrinsics_and_choice_rules():
    doc = machine(
        {
            "A": {"Type": "Pass", "Assign": {"known": 1}, "Next": "C"},
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$v1", "IsPresent": True, "Next": "T"},
                    {"Variable": "$.x", "NumericEqualsPath": "$v2.limit", "Next": "T"},
                    {"Not": {"Variable": "$known", "IsNull": True}, "Next": "T"},
                ],
                "Default": "T",
            },
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "InputPath": "$v3",
                "Parameters": {
                    "a.$": "$v4.deep[0]",
                    "b.$": "States.Format('{} {}', $v5, $known)",
                    "literal": "$not_read",
                    "nested": {"c.$": "$$.Execution.Id", "d.$": "$v4"},
                },
                "ResultPath": "$.r",
                "TimeoutSecondsPath": "$v6",
                "Next": "W",
            },
            "W": {"Type": "Wait", "SecondsPath": "$known", "Next": "F"},
            "F": {"Type": "Fail", "ErrorPath": "$v7", "CausePath": "States.Format('{}', $v8)"},
        }
    )

    assert unassigned(doc) == [
        ("/States/C/Choices/0/Variable", "$v1"),
        ("/States/C/Choices/1/NumericEqualsPath", "$v2"),
        ("/States/T/InputPath", "$v3"),
        ("/States/T/Parameters/a.$", "$v4"),
        ("/States/T/Parameters/b.$", "$v5"),
        ("/States/T/Parameters/nested/d.$", "$v4"),
        ("/States/T/TimeoutSecondsPath", "$v6"),
        ("/States/F/ErrorPath", "$v7"),
        ("/States/F/CausePath", "$v8"),
    ]


def test_jsonpath_assign_names_drop_the_dollar_suffix():
    doc = machine(
        {
            "A": {"Type": "Pass", "Assign": {"x.$": "$.v"}, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"x.$": "$x"}, "End": True},
        }
    )

    assert unassigned(doc) == []


# -------------------------------------------------------------------------- reads, JSONata


def test_jsonata_reads_leave_out_states_functions_and_names_the_expression_binds():
    doc = jsonata(
        {
            "A": {"Type": "Pass", "Assign": {"items": [1, 2]}, "Next": "B"},
            "B": {
                "Type": "Pass",
                "Output": {
                    "sum": "{% $sum($items) + $count($states.input.x) %}",
                    "bound": "{% ( $t := 2; $f := function($a, $b) { $a * $b * $t }; $f($t, 3) ) %}",
                    "paths": "{% $states.input.rows@$row#$i.{'i': $i, 'v': $row.v} %}",
                    "aws": "{% $partition($items, 1) ~> $string() %}",
                    "literal": "$unread {% $unread %}",
                    "missing": "{% $price * $qty + $price %}",
                },
                "End": True,
            },
        }
    )

    assert unassigned(doc) == [("/States/B/Output/missing", "$price"), ("/States/B/Output/missing", "$qty")]


def test_jsonata_reads_in_every_field_that_takes_an_expression():
    doc = jsonata(
        {
            "C": {"Type": "Choice", "Choices": [{"Condition": "{% $a %}", "Next": "W"}], "Default": "W"},
            "W": {"Type": "Wait", "Seconds": "{% $b %}", "Next": "M"},
            "M": {
                "Type": "Map",
                "Items": "{% $c %}",
                "ItemSelector": {"v": "{% $d %}"},
                "MaxConcurrency": "{% $e %}",
                "ItemProcessor": {"StartAt": "I", "States": {"I": PASS_END}},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $f %}", "Next": "F"}],
                "Next": "F",
            },
            "F": {"Type": "Fail", "Error": "{% $g %}", "Cause": "{% $h %}"},
        }
    )

    assert [name for _, name in unassigned(doc)] == ["$a", "$b", "$c", "$d", "$e", "$f", "$g", "$h"]


# ----------------------------------------------------------------------------------- scopes


def _map_machine(inner_assign: dict | None = None, outer_read: str = "{% 1 %}", catch_assign=None) -> dict:
    inner: dict = {"Type": "Pass", "Output": "{% $top %}", "End": True}
    if inner_assign is not None:
        inner["Assign"] = inner_assign
    state: dict = {
        "Type": "Map",
        "Items": "{% [1, 2] %}",
        "ItemProcessor": {"StartAt": "I", "States": {"I": inner}},
        "Next": "After",
    }
    if catch_assign is not None:
        state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Assign": catch_assign, "Next": "After"}]
    return jsonata(
        {
            "Top": {"Type": "Pass", "Assign": {"top": 1}, "Next": "M"},
            "M": state,
            "After": {"Type": "Pass", "Output": outer_read, "End": True},
        }
    )


def test_iterations_read_outer_variables():
    assert unassigned(_map_machine()) == []


def test_variables_assigned_inside_an_iteration_are_not_visible_after_it():
    doc = _map_machine(inner_assign={"inner": 1}, outer_read="{% $inner %}")

    [warning] = unassigned_variable_warnings(doc)
    assert warning.pointer == "/States/After/Output"
    assert "only assigned at /States/M/ItemProcessor/States/I/Assign/inner" in warning.message


def test_a_catch_assign_counts_in_the_scope_of_its_state():
    doc = _map_machine(catch_assign={"failed": True}, outer_read="{% $failed %}")

    assert unassigned(doc) == []


def test_sibling_branches_do_not_see_each_others_variables():
    doc = jsonata(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    branch({"A": {"Type": "Pass", "Assign": {"mine": 1}, "End": True}}),
                    branch({"B": {"Type": "Pass", "Output": "{% $mine %}", "End": True}}),
                ],
                "End": True,
            }
        }
    )

    assert unassigned(doc) == [("/States/P/Branches/1/States/B/Output", "$mine")]


# ------------------------------------------------------------------------------ scope rule


def test_an_inner_scope_cannot_assign_a_name_an_outer_scope_assigns():
    doc = _map_machine(inner_assign={"top": 2})

    [problem] = errors(doc)
    assert (problem.pointer, problem.code) == (
        "/States/M/ItemProcessor/States/I/Assign/top",
        codes.SCHEMA_VALIDATION_FAILED,
    )
    assert (
        "Variable 'top' is already assigned in an outer scope (at /States/Top/Assign/top)" in problem.message
    )


def test_the_scope_rule_reaches_through_nested_scopes_and_choice_rules():
    doc = machine(
        {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.a", "IsPresent": True, "Assign": {"flag": 1}, "Next": "P"}],
                "Default": "P",
            },
            "P": {
                "Type": "Parallel",
                "Branches": [
                    branch(
                        {
                            "M": {
                                "Type": "Map",
                                "ItemProcessor": branch(
                                    {"I": {"Type": "Pass", "Assign": {"flag": 2}, "End": True}}
                                ),
                                "End": True,
                            }
                        }
                    )
                ],
                "End": True,
            },
        }
    )

    assert summary(errors(doc)) == [
        ("/States/P/Branches/0/States/M/ItemProcessor/States/I/Assign/flag", codes.SCHEMA_VALIDATION_FAILED)
    ]


def test_sibling_scopes_may_reuse_a_name():
    doc = jsonata(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    branch({"A": {"Type": "Pass", "Assign": {"part": 1}, "End": True}}),
                    branch({"B": {"Type": "Pass", "Assign": {"part": 2}, "End": True}}),
                ],
                "End": True,
            }
        }
    )

    assert errors(doc) == []


def test_a_catch_of_the_outer_state_may_assign_a_name_its_branch_assigns():
    # Recorded AWS run (PARALLEL_CATCH_ERROR_VARIABLE_SAMPLING): created, executed, SUCCEEDED.
    doc = _map_machine(inner_assign={"inputVar": 1}, catch_assign={"inputVar": 2})

    assert errors(doc) == []


def test_an_inner_catch_cannot_reuse_an_outer_name():
    doc = _map_machine()
    doc["States"]["M"]["ItemProcessor"]["States"]["I"] = {
        "Type": "Task",
        "Resource": LAMBDA,
        "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"top": 0}, "Next": "J"}],
        "Next": "J",
    }
    doc["States"]["M"]["ItemProcessor"]["States"]["J"] = PASS_END

    assert summary(errors(doc)) == [
        ("/States/M/ItemProcessor/States/I/Catch/0/Assign/top", codes.SCHEMA_VALIDATION_FAILED)
    ]


@pytest.mark.parametrize(("length", "ok"), [(80, True), (81, False)])
def test_variable_names_are_at_most_80_characters(length, ok):
    doc = jsonata({"A": {"Type": "Pass", "Assign": {"v" * length: 1}, "End": True}})

    assert (errors(doc) == []) is ok


# ----------------------------------------------------------------------------- surfacing


def test_load_definition_keeps_warnings_and_validate_stays_aws_shaped():
    doc = machine(
        {"A": {"Type": "Pass", "Parameters": {"a.$": "$nowhere", "b": "$.looks_like_a_path"}, "End": True}}
    )

    loaded = load_definition(doc)

    assert summary(loaded.warnings) == [
        ("/States/A/Parameters/a.$", UNASSIGNED),
        ("/States/A/Parameters/b", "NO_DOLLAR"),
    ]
    assert summary(validate(doc)) == [("/States/A/Parameters/b", "NO_DOLLAR")]


def test_stepfn_validate_prints_warnings_and_still_exits_0(tmp_path, capsys):
    from interpreter.cli import main

    path = tmp_path / "w.asl.json"
    path.write_text('{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", '
                    '"Output": "{% $total %}", "End": true}}}')  # fmt: skip

    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{path}: warning: /States/A/Output: Variable '$total' is read but never assigned "
        '(no state assigns "total"); the expression fails when it runs [UNASSIGNED_VARIABLE]',
        f"{path}: valid",
    ]
