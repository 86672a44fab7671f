"""AWS service integrations through boto3: optimized DynamoDB/SQS/SNS/EventBridge, aws-sdk:*,
and Lambda on AWS, answered the way Step Functions answers them. See ``docs/integrations.md``."""

from .runner import AwsServiceRunner, check_resource, unsupported_fields
from .session import MODES, AwsHandle, AwsUnavailable, aws_session, open_aws

__all__ = [
    "MODES",
    "AwsHandle",
    "AwsServiceRunner",
    "AwsUnavailable",
    "aws_session",
    "check_resource",
    "open_aws",
    "unsupported_fields",
]
