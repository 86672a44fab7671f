"""JSONata expressions AWS refuses when a definition is created or validated.

Codes, messages and locations are AWS's as measured with ``aws stepfunctions
validate-state-machine-definition`` by the Floci emulator (floci-io/floci#2745 and #2670; the
(expression, message) pairs of its StepFunctionsValidateStateMachineDefinitionIntegrationTest):
INVALID_JSONATA_EXPRESSION with the parser's message minus its "S0xxx: " code, and
UNSUPPORTED_JSONATA_EXPRESSION, both located at the string that holds the expression.
"""

from __future__ import annotations

import pytest

from interpreter import load_definition
from interpreter.errors import DefinitionError
from interpreter.parse import codes

from .helpers import errors


def _machine(state: dict, name: str = "Main") -> dict:
    return {"QueryLanguage": "JSONata", "StartAt": name, "States": {name: {**state, "End": True}}}


def _load_problems(doc: dict) -> list[tuple[str, str, str]]:
    with pytest.raises(DefinitionError) as info:
        load_definition(doc)
    return [(p.pointer, p.message, p.code) for p in info.value.problems]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("a[1,2)", 'Expected "]", got ","'),
        ('"unterminated', "String literal must be terminated by a matching quote"),
        ("1 +", "Unexpected end of expression"),
        ('{"a":}', 'The symbol "}" cannot be used as a unary operator'),
        ("$x :=", "Unexpected end of expression"),
        ('$match("a", /abc', "No terminating / in regular expression"),
        ("phone %.other", 'The symbol "." cannot be used as a unary operator'),
        ("", "Unexpected end of expression"),
    ],
)
def test_an_expression_that_does_not_parse_is_invalid_jsonata_expression(expression, message):
    doc = _machine({"Type": "Pass", "Output": "{% " + expression + " %}"})

    assert _load_problems(doc) == [("/States/Main/Output", message, codes.INVALID_JSONATA_EXPRESSION)]


def test_the_location_is_the_string_holding_the_expression():
    doc = _machine(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "f", "Payload": {"a": [1, {"b/c": "{% 1 + %}"}]}},
            "Assign": {"ok": "{% 1 %}", "x": "{% ( %}"},
        }
    )

    assert [(pointer, code) for pointer, _, code in _load_problems(doc)] == [
        ("/States/Main/Arguments/Payload/a/1/b~1c", codes.INVALID_JSONATA_EXPRESSION),
        ("/States/Main/Assign/x", codes.INVALID_JSONATA_EXPRESSION),
    ]


def test_stepfn_validate_prints_the_code_and_the_location(tmp_path, capsys):
    from interpreter.cli import main

    path = tmp_path / "bad.asl.json"
    path.write_text('{"QueryLanguage": "JSONata", "StartAt": "Main", "States": {"Main": '
                    '{"Type": "Pass", "Output": {"v": "{% $states.input.( %}"}, "End": true}}}')  # fmt: skip

    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f'{path}: /States/Main/Output/v: Expected ")" before end of expression [INVALID_JSONATA_EXPRESSION]'
    ]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("phone", "Reference to 'phone' at the top level is not supported."),
        ("phone[0]", "Reference to 'phone' at the top level is not supported."),
        ("$.a", "Reference to '$' at the top level is not supported."),
        ("$$", "Reference to '$$' is not supported."),
        ("$states.errorOutput", "Field '$states.errorOutput' does not exist."),
    ],
)
def test_references_aws_does_not_offer_are_unsupported_jsonata_expression(expression, message):
    doc = _machine({"Type": "Pass", "Output": {"v": "{% " + expression + " %}"}}, "E")

    assert [(p.pointer, p.message, p.code) for p in errors(doc)] == [
        ("/States/E/Output/v", message, codes.UNSUPPORTED_JSONATA_EXPRESSION)
    ]


@pytest.mark.parametrize(
    "expression",
    [
        "$states.input.phone[0]",
        "$states.input.items[price > 10].name",  # names after the first step read the value before
        "$map($states.input.items, function($i) { $i.price })",
        "( $t := $states.input; $t.phone )",
    ],
)
def test_anchored_references_are_fine(expression):
    assert errors(_machine({"Type": "Pass", "Output": {"v": "{% " + expression + " %}"}})) == []


@pytest.mark.parametrize("field", ["Output", "Assign"])
def test_error_output_is_available_in_a_catchers_output_and_assign(field):
    value = "{% $states.errorOutput %}" if field == "Output" else {"lastError": "{% $states.errorOutput %}"}
    doc = {
        "QueryLanguage": "JSONata",
        "StartAt": "Main",
        "States": {
            "Main": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "f"},
                "Catch": [{"ErrorEquals": ["States.ALL"], field: value, "Next": "Handled"}],
                "Next": "Handled",
            },
            "Handled": {"Type": "Pass", "End": True},
        },
    }

    assert errors(doc) == []


def test_jsonpath_states_are_not_checked_as_jsonata():
    doc = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"v": "{% phone %}"}, "End": True}}}

    assert errors(doc) == []
