"""Intrinsic functions resolved to a local run's values, and what Ref/GetAtt give per resource
type (the CloudFormation reference's "Return values" sections; see interpreter/sam/resources.py)."""

from __future__ import annotations

import pytest

from interpreter.sam.app import SamApp
from interpreter.sam.errors import TemplateError
from interpreter.sam.resources import Target

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
  Zones:
    Type: CommaDelimitedList
    Default: "a, b"
  Required:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  NotProd: !Not [!Condition IsProd]
Mappings:
  Sizes:
    dev: {memory: 128}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: functions/, Handler: app.handler, Runtime: python3.12}
  NamedFn:
    Type: AWS::Serverless::Function
    Properties:
      {CodeUri: functions/, Handler: app.handler, Runtime: python3.12, FunctionName: !Sub "orders-${Stage}"}
  Simple:
    Type: AWS::Serverless::SimpleTable
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${AWS::StackName}-tickets"
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      StreamSpecification: {StreamViewType: NEW_IMAGE}
  Queue:
    Type: AWS::SQS::Queue
  FifoQueue:
    Type: AWS::SQS::Queue
    Properties: {FifoQueue: true}
  NamedQueue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: jobs}
  Topic:
    Type: AWS::SNS::Topic
  Bucket:
    Type: AWS::S3::Bucket
  Bus:
    Type: AWS::Events::EventBus
    Properties: {Name: orders-bus}
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: checkout
      Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
  ProdOnly:
    Type: AWS::SQS::Queue
    Condition: IsProd
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: api}
"""


@pytest.fixture
def app(write):
    path = write("template.yaml", TEMPLATE)
    return SamApp.load(path, target=Target(region="eu-west-1", account="111122223333"))


def value(app, expression):
    return app.resolver.resolve(expression, "/Test")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ({"Ref": "Fn"}, "Fn"),
        ({"Fn::GetAtt": ["Fn", "Arn"]}, "arn:aws:lambda:eu-west-1:111122223333:function:Fn"),
        ({"Ref": "NamedFn"}, "orders-dev"),
        ({"Fn::GetAtt": ["NamedFn", "Arn"]}, "arn:aws:lambda:eu-west-1:111122223333:function:orders-dev"),
        ({"Ref": "Simple"}, "Simple"),
        ({"Ref": "Table"}, "stepfn-local-tickets"),
        (
            {"Fn::GetAtt": ["Table", "Arn"]},
            "arn:aws:dynamodb:eu-west-1:111122223333:table/stepfn-local-tickets",
        ),
        (
            {"Fn::GetAtt": ["Table", "StreamArn"]},
            "arn:aws:dynamodb:eu-west-1:111122223333:table/stepfn-local-tickets/stream/1970-01-01T00:00:00.000",
        ),
        ({"Ref": "Queue"}, "https://sqs.eu-west-1.amazonaws.com/111122223333/Queue"),
        ({"Fn::GetAtt": ["Queue", "Arn"]}, "arn:aws:sqs:eu-west-1:111122223333:Queue"),
        ({"Fn::GetAtt": ["Queue", "QueueName"]}, "Queue"),
        ({"Fn::GetAtt": ["FifoQueue", "QueueName"]}, "FifoQueue.fifo"),
        ({"Fn::GetAtt": ["NamedQueue", "QueueUrl"]}, "https://sqs.eu-west-1.amazonaws.com/111122223333/jobs"),
        ({"Ref": "Topic"}, "arn:aws:sns:eu-west-1:111122223333:Topic"),
        ({"Fn::GetAtt": ["Topic", "TopicName"]}, "Topic"),
        ({"Ref": "Bucket"}, "bucket"),
        ({"Fn::GetAtt": ["Bucket", "Arn"]}, "arn:aws:s3:::bucket"),
        ({"Fn::GetAtt": ["Bucket", "RegionalDomainName"]}, "bucket.s3.eu-west-1.amazonaws.com"),
        ({"Ref": "Bus"}, "orders-bus"),
        ({"Fn::GetAtt": ["Bus", "Arn"]}, "arn:aws:events:eu-west-1:111122223333:event-bus/orders-bus"),
        ({"Ref": "Machine"}, "arn:aws:states:eu-west-1:111122223333:stateMachine:checkout"),
        ({"Fn::GetAtt": ["Machine", "Name"]}, "checkout"),
        # SAM's generated role for the function
        ({"Fn::GetAtt": ["FnRole", "Arn"]}, "arn:aws:iam::111122223333:role/FnRole"),
    ],
)
def test_ref_and_get_att_per_resource_type(app, expression, expected):
    assert value(app, expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ({"Ref": "AWS::Region"}, "eu-west-1"),
        ({"Ref": "AWS::AccountId"}, "111122223333"),
        ({"Ref": "AWS::Partition"}, "aws"),
        ({"Ref": "AWS::StackName"}, "stepfn-local"),
        ({"Ref": "AWS::URLSuffix"}, "amazonaws.com"),
        ({"Ref": "Stage"}, "dev"),
        ({"Ref": "Zones"}, ["a", "b"]),
        (
            {"Fn::Sub": "${Fn.Arn}/${Stage}/${!Literal}"},
            "arn:aws:lambda:eu-west-1:111122223333:function:Fn/dev/${Literal}",
        ),
        (
            {"Fn::Sub": ["${Name}-${AWS::Region}", {"Name": {"Ref": "Queue"}}]},
            "https://sqs.eu-west-1.amazonaws.com/111122223333/Queue-eu-west-1",
        ),
        ({"Fn::Join": ["-", ["a", {"Ref": "Stage"}, "c"]]}, "a-dev-c"),
        ({"Fn::Select": ["1", {"Fn::Split": [",", "x,y,z"]}]}, "y"),
        ({"Fn::If": ["IsProd", "big", "small"]}, "small"),
        ({"Fn::If": ["NotProd", "yes", "no"]}, "yes"),
        ({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "memory"]}, 128),
        ({"Fn::Base64": "hi"}, "aGk="),
        ({"Fn::GetAZs": ""}, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]),
        ({"Fn::ToJsonString": {"a": [1]}}, '{"a":[1]}'),
        ({"Fn::Length": [1, 2, 3]}, 3),
        ({"A": 1, "B": {"Ref": "AWS::NoValue"}}, {"A": 1}),
        ([1, {"Fn::If": ["IsProd", 2, {"Ref": "AWS::NoValue"}]}], [1]),
    ],
)
def test_functions_and_parameters(app, expression, expected):
    assert value(app, expression) == expected


def test_parameter_values_override_defaults(write):
    path = write("template.yaml", TEMPLATE)
    app = SamApp.load(path, parameters={"Stage": "prod", "Required": "x"})
    assert value(app, {"Ref": "NamedFn"}) == "orders-prod"
    assert value(app, {"Ref": "ProdOnly"}) == "https://sqs.us-east-1.amazonaws.com/123456789012/ProdOnly"
    assert value(app, {"Ref": "Required"}) == "x"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ({"Ref": "Nope"}, "/Test/Ref: no resource 'Nope' in the template"),
        ({"Fn::GetAtt": ["Queue", "Nope"]}, "Queue (AWS::SQS::Queue) has no attribute 'Nope'"),
        ({"Ref": "Api"}, "Api is a AWS::ApiGateway::RestApi, which stepfn does not run locally"),
        ({"Ref": "ProdOnly"}, "its Condition IsProd is false"),
        (
            {"Ref": "Required"},
            "parameter Required has no Default: give its value (--parameter Required=VALUE)",
        ),
        (
            {"Fn::ImportValue": "shared-vpc"},
            "Fn::ImportValue (a value exported by another stack) has no local value",
        ),
        ({"Fn::If": ["Missing", 1, 2]}, "no condition 'Missing'"),
        ({"Fn::Select": [5, [1]]}, "Fn::Select: no item 5 in a list of 1"),
    ],
)
def test_what_cannot_be_resolved_says_where_and_why(app, expression, message):
    with pytest.raises(TemplateError) as caught:
        value(app, expression)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(app.doc.path))
