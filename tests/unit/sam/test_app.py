"""A template's state machines and functions, made runnable without AWS: selection, definitions
and their substitutions, Globals, and CodeUri + Handler to local handlers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from interpreter import run
from interpreter.errors import DefinitionError
from interpreter.sam import prepare
from interpreter.sam.app import SamApp
from interpreter.sam.errors import TemplateError

ROOT = Path(__file__).resolve().parents[3]

DEFINITION = {
    "StartAt": "Greet",
    "States": {"Greet": {"Type": "Task", "Resource": "${GreetArn}", "ResultPath": "$.greeting", "End": True}},
}
HANDLER = """
import os

STAGE = os.environ["STAGE"]  # read at cold start, as on Lambda


def greet(event, context):
    return {"text": f"hello {event['who']}", "stage": STAGE, "table": os.environ["TABLE"],
            "function": context.function_name}
"""
TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    CodeUri: src/
    Environment:
      Variables:
        STAGE: test
Resources:
  Greeter:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: machines/greet.asl.json
      DefinitionSubstitutions:
        GreetArn: !GetAtt GreetFunction.Arn
  GreetFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: greeter.greet
      Environment:
        Variables:
          TABLE: !Ref Table
  Table:
    Type: AWS::Serverless::SimpleTable
"""


@pytest.fixture
def app_dir(write, tmp_path):
    write("machines/greet.asl.json", json.dumps(DEFINITION))
    write(f"src/greeter_{tmp_path.name[-6:]}.py", "")  # unrelated file
    write("src/greeter.py", HANDLER)
    write("template.yaml", TEMPLATE)
    return tmp_path


def test_a_state_machine_runs_with_its_functions_from_the_template(app_dir):
    local = prepare(app_dir / "template.yaml")
    assert local.state_machine.logical_id == "Greeter"
    assert local.substitutions == {"GreetArn": "arn:aws:lambda:us-east-1:123456789012:function:GreetFunction"}
    result = run(
        local.machine, {"who": "Ada"}, handlers=local.handlers, machine_name=local.state_machine.name
    )
    assert result.status == "SUCCEEDED", result.cause
    # Globals' Environment merged with the function's own; !Ref Table is the table's local name
    assert result.output["greeting"] == {
        "text": "hello Ada",
        "stage": "test",
        "table": "Table",
        "function": "GreetFunction",
    }
    assert os.environ["AWS_REGION"] == "us-east-1"


def test_given_handlers_and_substitutions_win(app_dir):
    local = prepare(
        app_dir / "template.yaml",
        handlers={"GreetFunction": lambda event, context: "stub"},
        substitutions={"Extra": "x"},
    )
    assert local.substitutions["Extra"] == "x"
    assert run(local.machine, {}, handlers=local.handlers).output["greeting"] == "stub"


def test_the_repository_template_lists_its_state_machines():
    app = SamApp.load(ROOT / "template.yaml")
    assert set(app.state_machines) == {
        "SupportTicketStateMachine",
        "EtlPipelineStateMachine",
        "NightlyTrainingStateMachine",
        "OrderFulfilmentStateMachine",
        "TicketImportStateMachine",
    }
    definition = app.definition("SupportTicketStateMachine")
    assert definition.substitutions == {
        "ClassifyTicketFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:ClassifyTicketFunction",
        "AssignAgentFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:AssignAgentFunction",
        "TicketsTableName": "TicketsTable",
        "UrgentTicketsQueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/UrgentTicketsQueue.fifo",
        "TicketNotificationsTopicArn": "arn:aws:sns:us-east-1:123456789012:TicketNotificationsTopic",
    }
    # the import names its bucket (no BucketName: the logical id in lower case) and the support
    # workflow by ARN; it has a Name of its own (AWS::StackName is stepfn-local)
    assert app.definition("TicketImportStateMachine").substitutions == {
        "TicketImportBucketName": "ticketimportbucket",
        "SupportTicketStateMachineArn": app.state_machines["SupportTicketStateMachine"].arn,
    }
    assert app.state_machines["SupportTicketStateMachine"].arn == (
        "arn:aws:states:us-east-1:123456789012:stateMachine:SupportTicketStateMachine"
    )
    assert app.state_machines["TicketImportStateMachine"].name == "stepfn-local-TicketImport"
    # the old examples' placeholders resolve to what statemachine/local-substitutions.json says
    local = json.loads((ROOT / "statemachine/local-substitutions.json").read_text())
    resolved = {}
    for logical_id in (
        "EtlPipelineStateMachine",
        "NightlyTrainingStateMachine",
        "OrderFulfilmentStateMachine",
    ):
        resolved.update(app.definition(logical_id).substitutions)
    assert resolved == local


def test_several_state_machines_need_a_choice(write):
    path = write(
        "template.yaml",
        """
        Resources:
          A:
            Type: AWS::StepFunctions::StateMachine
            Properties: {Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}}
          B:
            Type: AWS::StepFunctions::StateMachine
            Properties: {Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}}
        """,
    )
    app = SamApp.load(path)
    with pytest.raises(
        TemplateError, match="the template has 2 state machines; pick one with --state-machine: A, B"
    ):
        app.select()
    with pytest.raises(TemplateError, match="no state machine 'C' in the template"):
        app.select("C")
    assert app.select("B") == "B"


def test_a_definition_file_picks_its_state_machine(app_dir):
    app = SamApp.load(app_dir / "template.yaml")
    assert app.select(definition_file=app_dir / "machines/greet.asl.json") == "Greeter"
    with pytest.raises(TemplateError, match=r"has DefinitionUri other\.asl\.json"):
        app.select(definition_file="other.asl.json")


def test_a_placeholder_without_a_substitution_is_an_error(write, app_dir):
    write("machines/greet.asl.json", json.dumps({**DEFINITION, "Comment": "${Owner} and ${GreetArn}"}))
    with pytest.raises(TemplateError) as caught:
        prepare(app_dir / "template.yaml")
    message = str(caught.value)
    assert "uses ${Owner}, which DefinitionSubstitutions does not define" in message
    assert "/Resources/Greeter/Properties/DefinitionSubstitutions" in message
    assert f"{app_dir / 'template.yaml'}:14:" in message  # the DefinitionSubstitutions line


def test_a_substitution_naming_an_unknown_resource_is_an_error(write, app_dir):
    text = TEMPLATE.replace("!GetAtt GreetFunction.Arn", "!GetAtt GreeterFunction.Arn")
    write("template.yaml", text)
    with pytest.raises(TemplateError) as caught:
        prepare(app_dir / "template.yaml")
    assert str(caught.value) == (
        f"{app_dir / 'template.yaml'}:15: /Resources/Greeter/Properties/DefinitionSubstitutions/GreetArn"
        "/Fn::GetAtt: no resource 'GreeterFunction' in the template"
    )


def test_a_missing_handler_module_is_an_error_naming_the_function(write, app_dir):
    write("template.yaml", TEMPLATE.replace("greeter.greet", "greeting.greet"))
    with pytest.raises(TemplateError) as caught:
        prepare(app_dir / "template.yaml")
    message = str(caught.value)
    assert "/Resources/GreetFunction/Properties/Handler" in message
    assert "GreetFunction: Handler 'greeting.greet' needs greeting.py in its CodeUri directory" in message


def test_a_missing_handler_function_is_an_error(write, app_dir):
    write("template.yaml", TEMPLATE.replace("greeter.greet", "greeter.welcome"))
    with pytest.raises(TemplateError, match=r"module greeter \(.*greeter.py\) has no function 'welcome'"):
        prepare(app_dir / "template.yaml")


def test_a_missing_code_uri_directory_is_an_error(write, app_dir):
    write("template.yaml", TEMPLATE.replace("CodeUri: src/", "CodeUri: nowhere/"))
    with pytest.raises(
        TemplateError, match="GreetFunction cannot run locally: its CodeUri nowhere/ is missing"
    ):
        prepare(app_dir / "template.yaml")


def test_a_function_the_state_machine_does_not_use_may_fail_to_load(write, app_dir):
    text = (
        TEMPLATE
        + """
  NodeFunction:
    Type: AWS::Serverless::Function
    Properties: {Handler: index.handler, Runtime: nodejs20.x}
  BrokenFunction:
    Type: AWS::Serverless::Function
    Properties: {Handler: broken.handler}
"""
    )
    write("src/broken.py", "raise ImportError('no numpy here')\n")
    write("template.yaml", text)
    local = prepare(app_dir / "template.yaml")
    assert local.notes == [
        "NodeFunction cannot run locally: its Runtime is nodejs20.x; stepfn runs Python functions only"
    ]
    # BrokenFunction is imported when first invoked, and fails as Lambda does when it cannot
    # import the handler
    BROKEN_ARN = "arn:aws:lambda:us-east-1:123456789012:function:BrokenFunction"
    result = run(
        {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": BROKEN_ARN, "End": True}}},
        handlers=local.handlers,
    )
    assert (result.status, result.error) == ("FAILED", "Runtime.ImportModuleError")
    assert "no numpy here" in result.cause


def test_a_function_the_state_machine_uses_must_load(write, app_dir):
    write(
        "template.yaml",
        TEMPLATE.replace("Handler: greeter.greet", "Handler: index.handler\n      Runtime: nodejs20.x"),
    )
    with pytest.raises(TemplateError, match=r"its Runtime is nodejs20\.x; stepfn runs Python functions only"):
        prepare(app_dir / "template.yaml")


def test_inline_code_and_an_inline_definition(write):
    path = write(
        "template.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Machine:
            Type: AWS::Serverless::StateMachine
            Properties:
              Definition:
                StartAt: Call
                States:
                  Call: {Type: Task, Resource: !GetAtt Inline.Arn, End: true}
          Inline:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              InlineCode: |
                def handler(event, context):
                    return {"doubled": event["n"] * 2}
        """,
    )
    local = prepare(path)
    assert run(local.machine, {"n": 21}, handlers=local.handlers).output == {"doubled": 42}


def test_an_inline_definition_error_points_into_the_template(write):
    path = write(
        "template.yaml",
        """
        Resources:
          Machine:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              Definition: {StartAt: Nowhere, States: {P: {Type: Pass, End: true}}}
        """,
    )
    with pytest.raises(DefinitionError) as caught:
        prepare(path)
    assert any(
        p.pointer.startswith("/Resources/Machine/Properties/Definition") for p in caught.value.problems
    )


def test_sam_validation_errors_name_the_resource_and_line(write):
    path = write(
        "template.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: src/, Runtime: python3.12}
        """,
    )
    with pytest.raises(TemplateError) as caught:
        SamApp.load(path)
    assert str(caught.value) == (
        f"{path}:3: Resource with id [Fn] is invalid. Runtime and Handler needs to be present when "
        "PackageType is of type `Zip`"
    )


def test_a_definition_in_s3_cannot_run_locally(write):
    path = write(
        "template.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Machine:
            Type: AWS::Serverless::StateMachine
            Properties: {DefinitionUri: s3://bucket/machine.asl.json}
        """,
    )
    with pytest.raises(TemplateError, match="the definition is in S3; stepfn needs a local file"):
        prepare(path)


def test_a_nested_execution_starts_another_state_machine_of_the_template(write):
    path = write(
        "template.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Parent:
            Type: AWS::Serverless::StateMachine
            Properties:
              DefinitionSubstitutions:
                ChildArn: !Ref Child
              Definition:
                StartAt: Start
                States:
                  Start:
                    Type: Task
                    Resource: arn:aws:states:::states:startExecution.sync:2
                    Parameters: {StateMachineArn: "${ChildArn}", Input: {n.$: $.n}}
                    OutputPath: $.Output
                    End: true
          Child:
            Type: AWS::Serverless::StateMachine
            Properties:
              Definition:
                StartAt: Double
                States:
                  Double: {Type: Pass, Parameters: {doubled.$: "States.MathAdd($.n, $.n)"}, End: true}
        """,
    )
    local = prepare(path, state_machine="Parent")
    assert local.notes == []
    assert set(local.machines) == {
        "arn:aws:states:us-east-1:123456789012:stateMachine:Parent",
        "arn:aws:states:us-east-1:123456789012:stateMachine:Child",
    }
    result = run(local.machine, {"n": 4}, handlers=local.handlers, machines=local.machines)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == {"doubled": 8}


def test_the_state_machines_functions_win_a_variable_clash_and_only_their_clash_is_a_note(write, app_dir):
    # GIVEN two more functions: one the state machine does not use (the engine's, say) that sets
    # STAGE differently, and one it uses (its ARN in the definition) that sets TABLE differently
    text = TEMPLATE.replace(
        "GreetArn: !GetAtt GreetFunction.Arn",
        "GreetArn: !GetAtt GreetFunction.Arn\n        OtherArn: !GetAtt OtherFunction.Arn",
    )
    text += """
  EngineFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: greeter.greet
      Environment:
        Variables:
          STAGE: engine
  OtherFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: greeter.greet
      Environment:
        Variables:
          TABLE: elsewhere
"""
    definition = {**DEFINITION, "Comment": "${OtherArn}"}
    write("machines/greet.asl.json", json.dumps(definition))
    write("template.yaml", text)
    local = prepare(app_dir / "template.yaml")
    # THEN the used functions' values are applied last, and only their own clash is reported
    assert os.environ["STAGE"] == "test"
    assert local.notes == [
        "OtherFunction and GreetFunction set TABLE differently; the functions share one process here, "
        "so OtherFunction's value is used"
    ]
