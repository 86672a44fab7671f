"""The template's resources created in moto through the run's session, and the seed file."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from interpreter.sam.app import SamApp, target_for
from interpreter.sam.errors import TemplateError

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Simple:
    Type: AWS::Serverless::SimpleTable
    Properties:
      PrimaryKey: {Name: pk, Type: Number}
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders
      BillingMode: PROVISIONED
      ProvisionedThroughput: {ReadCapacityUnits: 2, WriteCapacityUnits: 2}
      AttributeDefinitions:
        - {AttributeName: id, AttributeType: S}
        - {AttributeName: customer, AttributeType: S}
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      GlobalSecondaryIndexes:
        - IndexName: by-customer
          KeySchema: [{AttributeName: customer, KeyType: HASH}]
          Projection: {ProjectionType: ALL}
      TimeToLiveSpecification: {AttributeName: expires, Enabled: true}
  Work:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
      ContentBasedDeduplication: true
      VisibilityTimeout: 45
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Dead.Arn
        maxReceiveCount: 3
  Dead:
    Type: AWS::SQS::Queue
    Properties: {FifoQueue: true}
  Inbox:
    Type: AWS::SQS::Queue
  Alerts:
    Type: AWS::SNS::Topic
    Properties:
      Subscription:
        - {Protocol: sqs, Endpoint: !GetAtt Inbox.Arn}
  Files:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: {Status: Enabled}
  Bus:
    Type: AWS::Events::EventBus
    Properties: {Name: app-bus}
  Rule:
    Type: AWS::Events::Rule
    Properties: {EventBusName: !Ref Bus, EventPattern: {source: [app]}}
  Role:
    Type: AWS::IAM::Role
    Properties: {AssumeRolePolicyDocument: {}}
"""


@pytest.fixture
def aws():
    with mock_aws():
        yield boto3.Session(region_name="eu-west-2")


@pytest.fixture
def app(write, aws):
    return SamApp.load(write("template.yaml", TEMPLATE), target=target_for(aws))


def test_resources_are_created_in_dependency_order(app, aws):
    created, notes = app.create_resources(aws)
    names = [c.name for c in created]
    assert names.index("Dead.fifo") < names.index("Work.fifo")  # the DLQ the queue names comes first
    assert notes == ["skipped Rule (AWS::Events::Rule): stepfn does not create it locally"]  # not Role

    ddb = aws.client("dynamodb")
    simple = ddb.describe_table(TableName="Simple")["Table"]
    assert simple["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert simple["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"  # SimpleTable's default
    orders = ddb.describe_table(TableName="orders")["Table"]
    assert orders["ProvisionedThroughput"]["ReadCapacityUnits"] == 2
    assert orders["GlobalSecondaryIndexes"][0]["IndexName"] == "by-customer"
    ttl = ddb.describe_time_to_live(TableName="orders")["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires"

    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName="Work.fifo")["QueueUrl"]
    assert url == app.resolver.ref("Work", "/test")  # !Ref gives what moto made
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["FifoQueue"] == "true"
    assert attributes["VisibilityTimeout"] == "45"
    assert json.loads(attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": "arn:aws:sqs:eu-west-2:123456789012:Dead.fifo",
        "maxReceiveCount": 3,
    }

    # the topic delivers to the queue subscribed in its Subscription list
    aws.client("sns").publish(TopicArn=app.resolver.ref("Alerts", "/test"), Message="disk full")
    inbox = sqs.get_queue_url(QueueName="Inbox")["QueueUrl"]
    body = json.loads(sqs.receive_message(QueueUrl=inbox)["Messages"][0]["Body"])
    assert body["Message"] == "disk full"

    s3 = aws.client("s3")
    assert s3.get_bucket_location(Bucket="files")["LocationConstraint"] == "eu-west-2"
    assert s3.get_bucket_versioning(Bucket="files")["Status"] == "Enabled"
    assert aws.client("events").describe_event_bus(Name="app-bus")["Name"] == "app-bus"


def test_creating_twice_leaves_what_exists(app, aws):
    app.create_resources(aws)
    created, _ = app.create_resources(aws)
    assert len(created) == 8


def test_the_seed_file_fills_tables_buckets_and_queues(app, aws, write):
    app.create_resources(aws)
    write("data/report.csv", "a,b\n1,2\n")
    seed = write(
        "seed.json",
        json.dumps(
            {
                "dynamodb": {
                    "orders": [{"id": "o-1", "customer": "c-1", "total": 12.5, "lines": [{"sku": "A"}]}]
                },
                "s3": {
                    "Files": {
                        "notes/readme.txt": "hello",
                        "in/report.csv": {"file": "data/report.csv"},
                        "config.json": {"json": {"threshold": 0.2}},
                    }
                },
                "sqs": {"Work": ["first", {"json": {"job": 2}}]},
            }
        ),
    )
    summary = app.seed(aws, seed)
    assert summary == [
        "seeded Orders: 1 item(s)",  # keyed by the table's name: the logical id is Orders
        "seeded Files: 3 object(s)",
        "seeded Work: 2 message(s)",
    ]
    item = aws.client("dynamodb").get_item(TableName="orders", Key={"id": {"S": "o-1"}})["Item"]
    assert item["total"] == {"N": "12.5"} and item["lines"] == {"L": [{"M": {"sku": {"S": "A"}}}]}
    s3 = aws.client("s3")
    assert s3.get_object(Bucket="files", Key="in/report.csv")["Body"].read() == b"a,b\n1,2\n"
    assert json.loads(s3.get_object(Bucket="files", Key="config.json")["Body"].read()) == {"threshold": 0.2}
    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName="Work.fifo")["QueueUrl"]
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    assert bodies == ["first", '{"job": 2}']


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"dynamodb": {"Nope": []}}, "/dynamodb/Nope: no AWS::DynamoDB::Table 'Nope' in "),
        ({"s3": {"Work": {}}}, "/s3/Work: no AWS::S3::Bucket 'Work'"),
        ({"s3": {"Files": {"k": {"file": "missing.bin"}}}}, "/s3/Files/k: cannot read"),
        ({"s3": {"Files": {"k": 3}}}, '/s3/Files/k: expected a string, {"json": VALUE} or {"file": PATH}'),
        ({"tables": {}}, "/tables: unknown section 'tables'"),
        ({"dynamodb": {"Simple": {"pk": 1}}}, "/dynamodb/Simple: expected a list of items"),
    ],
)
def test_seed_file_errors_say_where(app, aws, write, content, message):
    app.create_resources(aws)
    seed = write("seed.json", json.dumps(content))
    with pytest.raises(TemplateError) as caught:
        app.seed(aws, seed)
    assert str(caught.value).startswith(str(seed))
    assert message in str(caught.value)


def test_a_seed_file_that_is_not_json_names_the_line(app, aws, write):
    seed = write("seed.json", '{\n  "dynamodb": {\n    "Simple": [,]\n  }\n}\n')
    with pytest.raises(TemplateError, match=r"seed.json:3: not valid JSON"):
        app.seed(aws, seed)


ENGINE_STACK = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: ., CompatibleRuntimes: [python3.12]}
  Api:
    Type: AWS::Serverless::HttpApi
  ApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: .
      Handler: app.handler
      Layers: [!Ref Layer]
      Events:
        Http: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: POST, Path: /}}
        Sweep: {Type: Schedule, Properties: {Schedule: rate(10 minutes)}}
  Work:
    Type: AWS::SQS::Queue
  Trigger:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {FunctionName: !Ref ApiFunction, EventSourceArn: !GetAtt Work.Arn}
  Stream:
    Type: AWS::Kinesis::Stream
    Properties: {ShardCount: 1}
"""


def test_what_sam_generates_and_what_a_local_run_leaves_out_are_skipped_quietly(write, aws):
    # GIVEN an engine-like stack: a layer, an HTTP API and its stage, a schedule rule (a
    # function's Events), an event source mapping, and a Kinesis stream declared by hand
    app = SamApp.load(write("template.yaml", ENGINE_STACK), target=target_for(aws))
    skipped = {
        logical_id: resource["Type"]
        for logical_id, resource in app.cfn.resources.items()
        if resource["Type"]
        in {
            "AWS::Lambda::LayerVersion",
            "AWS::ApiGatewayV2::Api",
            "AWS::ApiGatewayV2::Stage",
            "AWS::Events::Rule",
            "AWS::Lambda::EventSourceMapping",
        }
    }
    assert sorted(skipped.values()) == [
        "AWS::ApiGatewayV2::Api",
        "AWS::ApiGatewayV2::Stage",
        "AWS::Events::Rule",
        "AWS::Lambda::EventSourceMapping",
        "AWS::Lambda::LayerVersion",
    ]
    # WHEN its resources are created
    created, notes = app.create_resources(aws)
    # THEN only the stream, which nothing in SAM's transform explains, gets a note
    assert [c.logical_id for c in created] == ["Work"]
    assert notes == ["skipped Stream (AWS::Kinesis::Stream): stepfn does not create it locally"]
