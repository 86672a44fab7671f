"""``arn:aws:states:::aws-sdk:<service>:<action>`` against moto, named and shaped as AWS does.

Sources:

* AWS docs, "Learning to use AWS SDK service integrations in Step Functions": camelCase actions,
  PascalCase parameters; errors ``<ServiceName>.<ErrorName>`` in PascalCase with an ``Exception``
  suffix even where the API reference has none (``S3.BucketAlreadyExistsException``,
  ``AcmPca.ResourceNotFoundException``).
* AWS-recorded LocalStack snapshots (localstack/localstack tests/aws/services/stepfunctions/v2):
  ``error_handling/test_aws_sdk``: ``S3.NoSuchBucketException`` / ``The specified bucket does not
  exist (Service: S3, Status Code: 404, Request ID: ..., Extended Request ID: ...)``,
  ``DynamoDb.DynamoDbException`` / ``1 validation error detected: Value null at 'item' ...
  (Service: DynamoDb, Status Code: 400, Request ID: ...)``, ``SecretsManager.SecretsManagerException``;
  ``services/test_aws_sdk_task_service``: ``Sfn.InvalidTokenException``, s3 getObject
  ``{"AcceptRanges", "ContentLength", "ContentType", "ETag", "LastModified", "Metadata", ..., "Body"}``
  with the Body as text, putObject of a JSON value stores its JSON text, sfn startExecution
  serialises an object ``Input``; dynamodb query ``{"Count", "Items", "ScannedCount"}``, no
  ``SdkHttpMetadata``.
* aws/aws-sdk-js#4294 and aws/aws-sdk-js-v3#4948: Step Functions' aws-sdk DynamoDB results carry
  ``Bool`` and ``Nul`` (the AWS SDK for Java v2 property names), not ``BOOL``/``NULL``.
* sam-goodwin/functionless#489: aws-sdk timestamps are ISO-8601 text (``2013-08-23T01:02:15.422Z``).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import io
import json
import re

import pytest

from interpreter.adapters.aws import check_resource, unsupported_fields
from interpreter.adapters.aws.convert import from_boto, instant_text, plain_json
from interpreter.adapters.aws.services import service_model
from interpreter.runtime.resources import parse_resource

from .conftest import task

SDK = "arn:aws:states:::aws-sdk:"
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6})?Z")


# ------------------------------------------------------------------ S3


def test_s3_put_get_and_list_objects(run_task, bucket):
    definition = {
        "StartAt": "Put",
        "States": {
            "Put": {
                "Type": "Task",
                "Resource": SDK + "s3:putObject",
                "Parameters": {"Bucket": bucket, "Key": "orders/1.json", "Body": {"Dict": "Value"}},
                "ResultPath": "$.put",
                "Next": "Get",
            },
            "Get": {
                "Type": "Task",
                "Resource": SDK + "s3:getObject",
                "Parameters": {"Bucket": bucket, "Key": "orders/1.json"},
                "ResultPath": "$.get",
                "Next": "List",
            },
            "List": {
                "Type": "Task",
                "Resource": SDK + "s3:listObjectsV2",
                "Parameters": {"Bucket": bucket, "Prefix": "orders/"},
                "ResultPath": "$.list",
                "End": True,
            },
        },
    }
    result = run_task(definition)
    assert result.status == "SUCCEEDED", result.cause
    put, got, listed = result.output["put"], result.output["get"], result.output["list"]
    # recorded: {"Dict": "Value"} is stored as {"Dict":"Value"}, ETag "49e31cee5aec8faf3345893addb14346"
    assert put["ETag"] == '"49e31cee5aec8faf3345893addb14346"'
    assert got["Body"] == '{"Dict":"Value"}'
    assert list(got)[-1] == "Body"
    assert list(got)[:-1] == sorted(list(got)[:-1])
    assert got["ContentLength"] == 16 and ISO.fullmatch(got["LastModified"])
    assert "ResponseMetadata" not in got and "SdkHttpMetadata" not in got
    assert listed["KeyCount"] == 1 and listed["Contents"][0]["Key"] == "orders/1.json"
    assert ISO.fullmatch(listed["Contents"][0]["LastModified"])


@pytest.mark.parametrize(
    ("body", "stored"),
    [("text data", b"text data"), ([1, "a"], b'[1,"a"]'), (False, b"false"), (0, b"0")],
)
def test_s3_put_object_body_is_text_or_json_text(run_task, bucket, session, body, stored):
    result = run_task(task(SDK + "s3:putObject", {"Bucket": bucket, "Key": "k", "Body": body}))
    assert result.status == "SUCCEEDED", result.cause
    assert session.client("s3").get_object(Bucket=bucket, Key="k")["Body"].read() == stored


def test_s3_missing_key_and_bucket(run_task, bucket):
    missing_key = run_task(task(SDK + "s3:getObject", {"Bucket": bucket, "Key": "nope"}))
    assert missing_key.error == "S3.NoSuchKeyException"
    assert re.fullmatch(
        r"The specified key does not exist\. \(Service: S3, Status Code: 404, Request ID: [^,)]+"
        r"(, Extended Request ID: [^)]+)?\)",
        missing_key.cause,
    )
    missing_bucket = run_task(task(SDK + "s3:listObjectsV2", {"Bucket": "no-such-bucket-x"}, catch=True))
    assert missing_bucket.output["Error"] == "S3.NoSuchBucketException"
    assert missing_bucket.output["Cause"].startswith(
        "The specified bucket does not exist (Service: S3, Status Code: 404, Request ID: "
    )


# ------------------------------------------------------------------ DynamoDB


def test_dynamodb_sdk_results_use_the_java_sdk_property_names(run_task, table, session):
    session.client("dynamodb").put_item(
        TableName=table,
        Item={"id": {"S": "a"}, "flag": {"BOOL": True}, "none": {"NULL": True}, "tags": {"SS": ["x"]}},
    )
    got = run_task(task(SDK + "dynamodb:getItem", {"TableName": table, "Key": {"id": {"S": "a"}}}))
    assert got.output == {
        "Item": {"flag": {"Bool": True}, "id": {"S": "a"}, "none": {"Nul": True}, "tags": {"Ss": ["x"]}}
    }
    query = run_task(
        task(
            SDK + "dynamodb:query",
            {
                "TableName": table,
                "KeyConditionExpression": "id = :id",
                "ExpressionAttributeValues": {":id": {"S": "a"}},
            },
        )
    )
    assert list(query.output) == ["Count", "Items", "ScannedCount"]


def test_dynamodb_sdk_accepts_bool_in_either_spelling(run_task, table, session):
    for spelling in ("BOOL", "Bool"):
        item = {"id": {"S": spelling}, "flag": {spelling: True}}
        result = run_task(task(SDK + "dynamodb:putItem", {"TableName": table, "Item": item}))
        assert result.status == "SUCCEEDED", result.cause
    stored = session.client("dynamodb").get_item(TableName=table, Key={"id": {"S": "Bool"}})["Item"]
    assert stored["flag"] == {"BOOL": True}


def test_dynamodb_sdk_errors(run_task, table, session):
    session.client("dynamodb").put_item(TableName=table, Item={"id": {"S": "a"}})
    conditional = run_task(
        task(
            SDK + "dynamodb:putItem",
            {
                "TableName": table,
                "Item": {"id": {"S": "a"}},
                "ConditionExpression": "attribute_not_exists(id)",
            },
            catch=True,
        )
    )
    assert conditional.output["Error"] == "DynamoDb.ConditionalCheckFailedException"
    assert re.fullmatch(
        r"The conditional request failed \(Service: DynamoDb, Status Code: 400, Request ID: [^)]+\)",
        conditional.output["Cause"],
    )
    invalid = run_task(task(SDK + "dynamodb:putItem", {"TableName": table, "Item": None}))
    assert invalid.error == "DynamoDb.DynamoDbException"
    assert invalid.cause.startswith(
        "1 validation error detected: Value null at 'item' failed to satisfy constraint: "
        "Member must not be null (Service: DynamoDb, Status Code: 400, Request ID: "
    )
    no_table = run_task(task(SDK + "dynamodb:getItem", {"TableName": "gone", "Key": {"id": {"S": "a"}}}))
    assert no_table.error == "DynamoDb.ResourceNotFoundException"


# ------------------------------------------------------------------ SQS, SFN, service names


def test_sqs_sdk_send_message(run_task, queue, session):
    result = run_task(task(SDK + "sqs:sendMessage", {"QueueUrl": queue, "MessageBody": {"a": 1}}))
    assert list(result.output) == ["Md5OfMessageBody", "MessageId"]
    assert session.client("sqs").receive_message(QueueUrl=queue)["Messages"][0]["Body"] == '{"a":1}'
    gone = run_task(task(SDK + "sqs:sendMessage", {"QueueUrl": queue + "-gone", "MessageBody": "x"}))
    assert gone.error == "Sqs.QueueDoesNotExistException"
    assert "(Service: Sqs, Status Code: 400, Request ID: " in gone.cause


def test_sfn_is_step_functions_and_its_errors_are_sfn(run_task, session):
    listed = run_task(task(SDK + "sfn:listStateMachines", {}))
    assert listed.output == {"StateMachines": []}
    bad = run_task(task(SDK + "sfn:describeExecution", {"ExecutionArn": "arn:aws:states:us-east-1:1:nope"}))
    assert bad.error.startswith("Sfn.") and bad.error.endswith("Exception")


def test_eventbridge_is_the_events_client(run_task):
    result = run_task(task(SDK + "eventbridge:listEventBuses", {}))
    assert result.output["EventBuses"][0]["Name"] == "default"


# ------------------------------------------------------------------ refused resources and fields


@pytest.mark.parametrize(
    "resource",
    [
        SDK + "s3:getObjekt",  # no such action
        SDK + "s3:GetObject",  # actions are camelCase
        SDK + "nosuchservice:getObject",
        SDK + "stepfunctions:listStateMachines",  # boto3's name, not Step Functions'
        SDK + "s3:getObject.sync",  # aws-sdk offers request-response and .waitForTaskToken only
    ],
)
def test_unknown_services_actions_and_patterns_are_not_recognized(run_task, resource):
    result = run_task(task(resource, {}))
    assert result.error == "States.Runtime"
    assert result.cause == (
        f"The resource provided {resource} is not recognized. The value is not a valid resource ARN, "
        "or the resource is not available in this region."
    )
    assert check_resource(parse_resource(resource)) == result.cause


def test_an_unknown_parameter_is_refused(run_task, bucket):
    result = run_task(task(SDK + "s3:getObject", {"Bucket": bucket, "Key": "k", "VersionID2": "x"}))
    assert result.error == "States.Runtime"
    assert result.cause.startswith('The field "VersionID2" is not supported by Step Functions')
    resource = parse_resource(SDK + "s3:getObject")
    assert unsupported_fields(resource, ["Bucket", "Key.$", "Nope"]) == ["Nope"]
    assert unsupported_fields(parse_resource("arn:aws:states:::sqs:sendMessage"), ["QueueUrl", "X"]) == ["X"]


def test_parameters_that_are_not_an_object_fail_clearly(run_task):
    definition = task(SDK + "s3:listBuckets")
    result = run_task(definition, [1, 2])
    assert result.error == "States.Runtime" and "must be a JSON object" in result.cause


def test_wait_for_task_token_is_a_recognized_aws_sdk_pattern():
    assert check_resource(parse_resource(SDK + "sqs:sendMessage.waitForTaskToken")) is None


# ------------------------------------------------------------------ JSON conversion


def test_timestamps_are_iso_8601_like_java_instant():
    utc = dt.UTC
    assert instant_text(dt.datetime(2013, 8, 23, 1, 2, 15, 422000, tzinfo=utc)) == "2013-08-23T01:02:15.422Z"
    assert instant_text(dt.datetime(2024, 1, 1, tzinfo=utc)) == "2024-01-01T00:00:00Z"
    assert instant_text(dt.datetime(2024, 1, 1, 0, 0, 0, 1, tzinfo=utc)) == "2024-01-01T00:00:00.000001Z"
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert instant_text(dt.datetime(2024, 1, 1, 2, tzinfo=plus_two)) == "2024-01-01T00:00:00Z"


def test_blobs_decimals_and_streams():
    assert plain_json({"b": b"\x00\x01", "d": decimal.Decimal("2"), "f": decimal.Decimal("2.5")}) == {
        "b": base64.b64encode(b"\x00\x01").decode(),
        "d": 2,
        "f": 2.5,
    }
    model = service_model("s3").operation_model("GetObject").output_shape
    out = from_boto(
        {"Body": io.BytesIO("héllo".encode()), "ContentLength": 6, "ResponseMetadata": {"RequestId": "r"}},
        model,
    )
    assert out == {"ContentLength": 6, "Body": "héllo"}
    assert json.dumps(out)  # plain JSON


def test_results_use_java_property_names_only_for_members_not_map_keys():
    shape = service_model("sqs").operation_model("ReceiveMessage").output_shape
    out = from_boto(
        {
            "Messages": [
                {
                    "MD5OfBody": "m",
                    "Body": "b",
                    "Attributes": {"SentTimestamp": "1"},
                    "MessageAttributes": {"MY_ATTR": {"StringValue": "v", "DataType": "String"}},
                }
            ]
        },
        shape,
    )
    assert out == {
        "Messages": [
            {
                "Attributes": {"SentTimestamp": "1"},
                "Body": "b",
                "Md5OfBody": "m",
                "MessageAttributes": {"MY_ATTR": {"DataType": "String", "StringValue": "v"}},
            }
        ]
    }


def test_a_static_credentials_role_is_assumed_for_the_call(run_task, bucket, session):
    # ASL "Credentials": {"RoleArn": ...} runs the task with the role's credentials (cross-account)
    assumed: list[dict] = []
    hook = "before-parameter-build.sts.AssumeRole"
    session.events.register(hook, lambda params, **_: assumed.append(params))
    role = "arn:aws:iam::123456789012:role/Reader"
    result = run_task(task(SDK + "s3:listObjectsV2", {"Bucket": bucket}, Credentials={"RoleArn": role}))
    assert result.status == "SUCCEEDED", result.cause
    assert assumed and assumed[0]["RoleArn"] == role
