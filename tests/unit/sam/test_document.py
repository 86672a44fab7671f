"""Reading templates: CloudFormation's short-form tags, line numbers, YAML and JSON errors."""

from __future__ import annotations

import pytest

from interpreter.sam.document import parse_document
from interpreter.sam.errors import TemplateError

TEMPLATE = """\
AWSTemplateFormatVersion: 2010-09-09
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Environment:
        Variables:
          TABLE: !Ref Table
          TABLE_ARN: !GetAtt Table.Arn
          LIST_ATT: !GetAtt [Table, StreamArn]
          URL: !Sub "https://${Api}.execute-api.${AWS::Region}.amazonaws.com"
          PAIR: !Sub ["${A}-${B}", {A: !Ref X, B: b}]
          JOINED: !Join [",", [a, !Ref Y]]
          PICKED: !Select [0, !Split [",", "a,b"]]
          CHOSEN: !If [IsProd, prod, dev]
          B64: !Base64 text
          MAPPED: !FindInMap [Map, Top, Second]
  Table:
    Type: AWS::Serverless::SimpleTable
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  Both: !And [!Condition IsProd, !Not [!Condition IsProd]]
"""


def test_short_form_tags_become_the_long_form():
    doc = parse_document(TEMPLATE)
    env = doc.data["Resources"]["Fn"]["Properties"]["Environment"]["Variables"]
    assert env["TABLE"] == {"Ref": "Table"}
    assert env["TABLE_ARN"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert env["LIST_ATT"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    assert env["URL"] == {"Fn::Sub": "https://${Api}.execute-api.${AWS::Region}.amazonaws.com"}
    assert env["PAIR"] == {"Fn::Sub": ["${A}-${B}", {"A": {"Ref": "X"}, "B": "b"}]}
    assert env["JOINED"] == {"Fn::Join": [",", ["a", {"Ref": "Y"}]]}
    assert env["PICKED"] == {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}
    assert env["CHOSEN"] == {"Fn::If": ["IsProd", "prod", "dev"]}
    assert env["B64"] == {"Fn::Base64": "text"}
    assert env["MAPPED"] == {"Fn::FindInMap": ["Map", "Top", "Second"]}
    conditions = doc.data["Conditions"]
    assert conditions["IsProd"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    assert conditions["Both"] == {
        "Fn::And": [{"Condition": "IsProd"}, {"Fn::Not": [{"Condition": "IsProd"}]}]
    }


def test_get_att_splits_at_the_first_dot_only():
    doc = parse_document(
        "Resources:\n  A:\n    Type: T\n    Properties:\n      X: !GetAtt Db.Endpoint.Address\n"
    )
    assert doc.data["Resources"]["A"]["Properties"]["X"] == {"Fn::GetAtt": ["Db", "Endpoint.Address"]}


def test_an_unquoted_date_stays_text():
    assert parse_document(TEMPLATE).data["AWSTemplateFormatVersion"] == "2010-09-09"


def test_lines_are_kept_for_every_pointer():
    doc = parse_document(TEMPLATE, "template.yaml")
    assert doc.line_of("/Resources/Fn") == 4
    assert doc.line_of("/Resources/Fn/Properties/Handler") == 7
    # a pointer the file has no line for falls back to its nearest ancestor
    assert doc.line_of("/Resources/Table/Properties/PrimaryKey") == 20
    assert str(doc.error("boom", "/Resources/Fn/Properties/Handler")) == (
        "template.yaml:7: /Resources/Fn/Properties/Handler: boom"
    )


def test_bad_yaml_names_the_line():
    text = "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n   Properties: {}\n"
    with pytest.raises(TemplateError) as caught:
        parse_document(text, "template.yaml")
    assert caught.value.line == 4
    assert str(caught.value).startswith("template.yaml:4: not valid YAML:")


def test_a_duplicate_key_is_an_error_with_its_line():
    text = "Resources:\n  Fn:\n    Type: A\n  Fn:\n    Type: B\n"
    with pytest.raises(TemplateError, match="duplicate key 'Fn'") as caught:
        parse_document(text, "template.yaml")
    assert caught.value.line == 4


def test_json_templates_are_read_too():
    doc = parse_document('{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}', "template.json")
    assert doc.data["Resources"]["Q"]["Type"] == "AWS::SQS::Queue"
    with pytest.raises(TemplateError, match=r"template.json:2: not valid JSON"):
        parse_document('{"Resources":\n  {"Q": }}', "template.json")


@pytest.mark.parametrize("text", ["[]", "Description: nothing\n", "Resources: {}\n"])
def test_a_template_needs_resources(text):
    with pytest.raises(TemplateError, match="Resources"):
        parse_document(text, "template.yaml")
