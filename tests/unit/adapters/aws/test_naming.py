"""Service, exception and member names as Step Functions spells them (the AWS SDK for Java's).

Sources: AWS docs "Learning to use AWS SDK service integrations" (``AcmPca.ResourceNotFoundException``,
``S3.BucketAlreadyExistsException``); AWS-recorded LocalStack snapshots (``DynamoDb.DynamoDbException``,
``SecretsManager.SecretsManagerException``, ``Sfn.InvalidTokenException``,
``S3.NoSuchBucketException``; optimized ``DynamoDB.AmazonDynamoDBException``); the Java v2 code
generator (aws/aws-sdk-java-v2 ``CodegenNamingUtils``, ``DefaultNamingStrategy``);
aws/aws-sdk-js#4294 and aws/aws-sdk-js-v3#4948 (``Bool``, ``Nul`` in aws-sdk DynamoDB results).
"""

from __future__ import annotations

import pytest

from interpreter.adapters.aws.naming import (
    SDK_SERVICE_ALIASES,
    action_to_operation,
    member_name,
    sdk_client_name,
    sdk_exception_name,
    split_words,
    v1_exception_name,
)
from interpreter.adapters.aws.services import resolve_sdk_service, service_model


@pytest.mark.parametrize(
    ("service_id", "client"),
    [
        ("SFN", "Sfn"),
        ("DynamoDB", "DynamoDb"),
        ("S3", "S3"),
        ("SQS", "Sqs"),
        ("Secrets Manager", "SecretsManager"),
        ("ACM PCA", "AcmPca"),
        ("EventBridge", "EventBridge"),
        ("CloudWatch Logs", "CloudWatchLogs"),
        ("EC2", "Ec2"),
        ("IoT", "Iot"),
        ("Database Migration Service", "DatabaseMigration"),
        ("Elastic Load Balancing v2", "ElasticLoadBalancingV2"),
    ],
)
def test_client_names(service_id, client):
    assert sdk_client_name(service_id) == client


def test_split_words_like_the_java_generator():
    assert split_words("DBInstanceNotFound") == ["DB", "Instance", "Not", "Found"]
    assert split_words("acm-success") == ["acm", "success"]
    assert split_words("s3ec2") == ["s3", "ec2"]


@pytest.mark.parametrize(
    ("shape", "exception"),
    [
        ("NoSuchBucket", "NoSuchBucketException"),
        ("BucketAlreadyExists", "BucketAlreadyExistsException"),
        ("ConditionalCheckFailedException", "ConditionalCheckFailedException"),
        ("InternalServerError", "InternalServerErrorException"),
        ("InvalidToken", "InvalidTokenException"),
        ("KMSInvalidStateFault", "KmsInvalidStateException"),
    ],
)
def test_sdk_v2_exception_names(shape, exception):
    assert sdk_exception_name(shape, "Whatever") == exception


def test_an_exception_named_like_the_base_exception_is_disambiguated():
    assert sdk_exception_name("DynamoDbException", "DynamoDb") == "DefaultDynamoDbException"


def test_sdk_v1_exception_names_keep_the_shape_name():
    assert v1_exception_name("QueueDoesNotExist") == "QueueDoesNotExistException"
    assert v1_exception_name("InvalidParameterException") == "InvalidParameterException"


@pytest.mark.parametrize(
    ("member", "name"),
    [
        ("MD5OfMessageBody", "Md5OfMessageBody"),
        ("SSEKMSKeyId", "SsekmsKeyId"),
        ("ETag", "ETag"),
        ("BOOL", "Bool"),
        ("NULL", "Nul"),
        ("SS", "Ss"),
        ("S", "S"),
        ("LastModified", "LastModified"),
    ],
)
def test_member_names(member, name):
    assert member_name(member) == name


def test_actions_are_camel_case_operations():
    assert action_to_operation("listObjectsV2") == "ListObjectsV2"
    assert action_to_operation("GetItem") is None


@pytest.mark.parametrize(
    ("sdk_name", "boto_name"),
    [("sfn", "stepfunctions"), ("eventbridge", "events"), ("acmpca", "acm-pca"), ("dynamodb", "dynamodb")],
)
def test_sdk_service_names_resolve_to_boto3_clients(sdk_name, boto_name):
    assert resolve_sdk_service(sdk_name) == boto_name


def test_boto3_only_names_are_not_step_functions_names():
    assert resolve_sdk_service("stepfunctions") is None
    assert resolve_sdk_service("events") is None
    assert resolve_sdk_service("nosuchservice") is None


def test_every_alias_names_a_boto3_service_whose_java_client_matches():
    for sdk_name, boto_name in SDK_SERVICE_ALIASES.items():
        assert sdk_client_name(service_model(boto_name).service_id).lower() == sdk_name, boto_name
