"""Optimized integrations (DynamoDB, SQS, SNS, EventBridge) against moto, shaped as AWS shapes them.

Sources (AWS-recorded LocalStack snapshots, localstack/localstack tests/aws/services/stepfunctions/v2):

* ``services/test_dynamodb_task_service.snapshot.json`` (2025-02): putItem/getItem/updateItem
  outputs = the response + ``SdkHttpMetadata`` (headers Server, Connection, x-amzn-RequestId,
  x-amz-crc32, Content-Length, Date, Content-Type; ``HttpHeaders`` sorted) + ``SdkResponseMetadata``.
* ``error_handling/test_task_service_dynamodb.snapshot.json`` (2023-05):
  ``DynamoDB.ResourceNotFoundException`` / ``Requested resource not found (Service:
  AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: ...;
  Proxy: null)``; ``Item: null`` ->
  ``DynamoDB.AmazonDynamoDBException`` / ``1 validation error detected: Value null at 'item' ...``.
* ``services/test_sqs_task_service.snapshot.json`` (2024-04): ``{"MD5OfMessageBody", "MessageId",
  "SdkHttpMetadata": {x-amzn-RequestId, connection, Content-Length, Date, Content-Type}, ...}``.
* ``error_handling/test_task_service_sqs.snapshot.json`` (2023-06): missing ``MessageBody`` ->
  ``SQS.AmazonSQSException`` / ``The request must contain the parameter MessageBody. (Service:
  AmazonSQS; Status Code: 400; Error Code: MissingParameter; ...)``.
* ``services/test_sns_task_service.snapshot.json`` (2023-09/2024-02): ``{"MessageId",
  "SdkHttpMetadata" (Content-Type text/xml), "SdkResponseMetadata"}``, an object ``Message`` sent
  as its JSON.
* ``services/test_events_task_service.snapshot.json`` (2023-09): ``{"Entries": [{"EventId"}],
  "FailedEntryCount": 0}`` only; a failed entry -> ``EventBridge.FailedEntry`` with the response
  as cause. AWS docs "Add EventBridge events with Step Functions": execution and state machine
  ARNs appended to ``Resources``.
"""

from __future__ import annotations

import json
import re

from interpreter.adapters.aws import optimized
from interpreter.adapters.aws.convert import compact_json

from .conftest import task

REQUEST_ID = r"[A-Za-z0-9-]+"


def _metadata_names(output: dict) -> tuple[list[str], list[str]]:
    meta = output["SdkHttpMetadata"]
    return list(meta["AllHttpHeaders"]), list(meta["HttpHeaders"])


# ------------------------------------------------------------------ DynamoDB


def test_dynamodb_put_then_get_returns_the_item_with_sdk_http_metadata(run_task, table):
    definition = {
        "StartAt": "Put",
        "States": {
            "Put": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": table, "Item": {"id": {"S": "id1"}, "data": {"S": "HelloWorld"}}},
                "ResultPath": "$.putItemOutput",
                "Next": "Get",
            },
            "Get": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:getItem",
                "Parameters": {"TableName": table, "Key": {"id": {"S": "id1"}}},
                "ResultPath": "$.getItemOutput",
                "End": True,
            },
        },
    }
    result = run_task(definition)
    assert result.status == "SUCCEEDED"
    put, got = result.output["putItemOutput"], result.output["getItemOutput"]
    assert list(put) == ["SdkHttpMetadata", "SdkResponseMetadata"]
    assert list(got) == ["Item", "SdkHttpMetadata", "SdkResponseMetadata"]
    assert got["Item"] == {"data": {"S": "HelloWorld"}, "id": {"S": "id1"}}
    assert _metadata_names(got) == (
        ["Server", "Connection", "x-amzn-RequestId", "x-amz-crc32", "Content-Length", "Date", "Content-Type"],
        ["Connection", "Content-Length", "Content-Type", "Date", "Server", "x-amz-crc32", "x-amzn-RequestId"],
    )
    headers = got["SdkHttpMetadata"]["HttpHeaders"]
    # the recorded getItem of this item: Content-Length 53 ({"Item":{...}} compact); putItem: 2 ("{}")
    assert headers["Content-Length"] == "53"
    assert put["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "2"
    assert headers["Server"] == "Server" and headers["Content-Type"] == "application/x-amz-json-1.0"
    assert got["SdkHttpMetadata"]["AllHttpHeaders"]["Connection"] == ["keep-alive"]
    assert got["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert got["SdkResponseMetadata"]["RequestId"] == headers["x-amzn-RequestId"]


def test_dynamodb_update_and_delete_return_attributes(run_task, table, session):
    session.client("dynamodb").put_item(TableName=table, Item={"id": {"S": "a"}, "n": {"N": "1"}})
    update = run_task(
        task(
            "arn:aws:states:::dynamodb:updateItem",
            {
                "TableName": table,
                "Key": {"id": {"S": "a"}},
                "UpdateExpression": "SET n = n + :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
                "ReturnValues": "UPDATED_NEW",
            },
        )
    )
    assert update.output["Attributes"] == {"n": {"N": "2"}}
    delete = run_task(
        task(
            "arn:aws:states:::dynamodb:deleteItem",
            {"TableName": table, "Key": {"id": {"S": "a"}}, "ReturnValues": "ALL_OLD"},
        )
    )
    assert delete.output["Attributes"] == {"id": {"S": "a"}, "n": {"N": "2"}}
    assert "Item" not in session.client("dynamodb").get_item(TableName=table, Key={"id": {"S": "a"}})


def test_a_failed_conditional_put_is_caught_as_dynamodb_conditional_check_failed(run_task, table, session):
    session.client("dynamodb").put_item(TableName=table, Item={"id": {"S": "a"}})
    definition = task(
        "arn:aws:states:::dynamodb:putItem",
        {"TableName": table, "Item": {"id": {"S": "a"}}, "ConditionExpression": "attribute_not_exists(id)"},
        catch=True,
    )
    result = run_task(definition)
    assert result.status == "SUCCEEDED"
    assert result.output["Error"] == "DynamoDB.ConditionalCheckFailedException"
    assert re.fullmatch(
        rf"The conditional request failed \(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: "
        rf"ConditionalCheckFailedException; Request ID: {REQUEST_ID}; Proxy: null\)",
        result.output["Cause"],
    )
    failed = next(e for e in result.history if e["type"] == "TaskFailed")["taskFailedEventDetails"]
    assert (failed["resourceType"], failed["resource"]) == ("dynamodb", "putItem")


def test_put_into_a_missing_table_is_resource_not_found(run_task):
    result = run_task(
        task("arn:aws:states:::dynamodb:putItem", {"TableName": "nope", "Item": {"id": {"S": "1"}}})
    )
    assert result.error == "DynamoDB.ResourceNotFoundException"
    assert re.fullmatch(
        rf"Requested resource not found \(Service: AmazonDynamoDBv2; Status Code: 400; "
        rf"Error Code: ResourceNotFoundException; Request ID: {REQUEST_ID}; Proxy: null\)",
        result.cause,
    )


def test_a_null_item_is_the_services_validation_error(run_task, table):
    # AWS-recorded: Item null -> "1 validation error detected: Value null at 'item' ..."
    result = run_task(task("arn:aws:states:::dynamodb:putItem", {"TableName": table, "Item": None}))
    assert result.error == "DynamoDB.AmazonDynamoDBException"
    assert result.cause.startswith(
        "1 validation error detected: Value null at 'item' failed to satisfy constraint: "
        "Member must not be null (Service: AmazonDynamoDBv2; Status Code: 400; "
        "Error Code: ValidationException; Request ID: "
    )


def test_dynamodb_has_no_wait_for_task_token(run_task, table):
    result = run_task(task("arn:aws:states:::dynamodb:getItem.waitForTaskToken", {"TableName": table}))
    assert result.error == "States.Runtime"
    assert result.cause == (
        "The resource provided arn:aws:states:::dynamodb:getItem.waitForTaskToken is not recognized. "
        "The value is not a valid resource ARN, or the resource is not available in this region."
    )


def test_an_unsupported_parameter_is_refused_with_aws_wording(run_task, table):
    result = run_task(task("arn:aws:states:::dynamodb:getItem", {"TableName": table, "Key": {}, "Limit": 1}))
    assert result.error == "States.Runtime"
    assert result.cause.startswith('The field "Limit" is not supported by Step Functions')


def test_an_unknown_dynamodb_action_is_not_recognized(run_task, table):
    result = run_task(task("arn:aws:states:::dynamodb:query", {"TableName": table}))
    assert result.error == "States.Runtime" and "is not recognized" in result.cause


# ------------------------------------------------------------------ SQS


def test_sqs_send_message_serialises_an_object_body_and_returns_md5_and_id(run_task, queue, session):
    result = run_task(
        task("arn:aws:states:::sqs:sendMessage", {"QueueUrl": queue, "MessageBody": {"order": 7, "é": "ü"}})
    )
    assert result.status == "SUCCEEDED"
    out = result.output
    assert list(out) == ["MD5OfMessageBody", "MessageId", "SdkHttpMetadata", "SdkResponseMetadata"]
    assert _metadata_names(out) == (
        ["x-amzn-RequestId", "connection", "Content-Length", "Date", "Content-Type"],
        ["connection", "Content-Length", "Content-Type", "Date", "x-amzn-RequestId"],
    )
    # recorded: a 32-hex MD5 and a 36-character MessageId make a 106-byte response
    assert out["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "106"
    message = session.client("sqs").receive_message(QueueUrl=queue)["Messages"][0]
    assert message["Body"] == '{"order":7,"é":"ü"}'
    assert message["MessageId"] == out["MessageId"] and message["MD5OfBody"] == out["MD5OfMessageBody"]


def test_sqs_missing_queue_is_queue_does_not_exist(run_task, queue):
    result = run_task(
        task("arn:aws:states:::sqs:sendMessage", {"QueueUrl": queue + "-gone", "MessageBody": "x"})
    )
    assert result.error == "SQS.QueueDoesNotExistException"
    assert result.cause.startswith(
        "The specified queue does not exist. (Service: AmazonSQS; Status Code: 400; "
        "Error Code: AWS.SimpleQueueService.NonExistentQueue; Request ID: "
    )


def test_sqs_null_body_is_missing_parameter(run_task, queue):
    # AWS-recorded test_send_message_empty_body: MessageBody null
    result = run_task(task("arn:aws:states:::sqs:sendMessage", {"QueueUrl": queue, "MessageBody": None}))
    assert result.error == "SQS.AmazonSQSException"
    assert re.fullmatch(
        rf"The request must contain the parameter MessageBody\. \(Service: AmazonSQS; Status Code: 400; "
        rf"Error Code: MissingParameter; Request ID: {REQUEST_ID}; Proxy: null\)",
        result.cause,
    )


# ------------------------------------------------------------------ SNS


def test_sns_publish_serialises_an_object_message(run_task, session, queue):
    sns, sqs = session.client("sns"), session.client("sqs")
    topic = sns.create_topic(Name="news")["TopicArn"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    result = run_task(
        task("arn:aws:states:::sns:publish", {"TopicArn": topic, "Message": {"Message": "Hi!"}})
    )
    assert result.status == "SUCCEEDED"
    assert list(result.output) == ["MessageId", "SdkHttpMetadata", "SdkResponseMetadata"]
    assert result.output["SdkHttpMetadata"]["HttpHeaders"]["Content-Type"] == "text/xml"
    assert sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"] == '{"Message":"Hi!"}'


def test_sns_errors_are_named_after_the_sdk_v1_exception(run_task):
    result = run_task(
        task(
            "arn:aws:states:::sns:publish",
            {"TopicArn": "arn:aws:sns:us-east-1:123456789012:gone", "Message": "x"},
        )
    )
    assert result.error == "SNS.NotFoundException"
    assert "(Service: AmazonSNS; Status Code: 404; Error Code: NotFound; Request ID: " in result.cause


# ------------------------------------------------------------------ EventBridge


def test_put_events_returns_entries_and_failed_entry_count_only(run_task):
    result = run_task(
        task(
            "arn:aws:states:::events:putEvents",
            {
                "Entries": [
                    {"Source": "my.source", "DetailType": "Order", "Detail": {"Message": "HelloWorld"}}
                ]
            },
        )
    )
    assert result.status == "SUCCEEDED"
    assert list(result.output) == ["Entries", "FailedEntryCount"]
    assert result.output["FailedEntryCount"] == 0 and list(result.output["Entries"][0]) == ["EventId"]


def test_a_failed_entry_fails_the_task_with_event_bridge_failed_entry(run_task):
    result = run_task(
        task(
            "arn:aws:states:::events:putEvents",
            {"Entries": [{"Source": "my.source", "DetailType": "Order", "Detail": "not json"}]},
        )
    )
    assert result.error == "EventBridge.FailedEntry"
    assert json.loads(result.cause) == {
        "Entries": [{"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}],
        "FailedEntryCount": 1,
    }


def test_put_events_appends_the_state_machine_and_execution_arns_to_resources():
    execution = "arn:aws:states:us-east-1:123456789012:execution:Orders:run-1"
    params = optimized.request(
        "events",
        {"Entries": [{"Source": "s", "Detail": {"a": 1}, "Resources": ["r1"]}, {"Source": "t"}]},
        None,
        execution_arn=execution,
    )
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:Orders"
    assert params["Entries"][0]["Resources"] == ["r1", machine, execution]
    assert params["Entries"][1]["Resources"] == [machine, execution]


def test_compact_json_is_how_step_functions_serialises_bodies():
    assert compact_json({"Message": "test", "TaskToken": "t", "n": [1, 2.5]}) == (
        '{"Message":"test","TaskToken":"t","n":[1,2.5]}'
    )
