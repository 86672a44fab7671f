"""How Step Functions names AWS things: services, actions, members and exceptions.

Step Functions runs its integrations on the AWS SDKs for Java, and its names are that SDK's:

* ``aws-sdk:<service>`` is the SDK for Java v2 package name: the lower-cased client name, which
  is the model's ``serviceId`` in PascalCase without ``Amazon``/``Aws``/``Service`` (``SFN`` ->
  ``Sfn`` -> ``sfn``; ``CloudWatch Logs`` -> ``cloudwatchlogs``; ``EventBridge`` ->
  ``eventbridge``). boto3 mostly uses the same name; ``SDK_SERVICE_ALIASES`` lists where it
  does not (``sfn`` -> ``stepfunctions``, ``eventbridge`` -> ``events``).
* aws-sdk errors are ``<ClientName>.<ExceptionClass>``: ``DynamoDb.ConditionalCheckFailedException``,
  ``S3.NoSuchBucketException``, ``Sfn.InvalidTokenException``; an error the model does not
  declare is the service's base exception, ``DynamoDb.DynamoDbException``,
  ``SecretsManager.SecretsManagerException`` (AWS docs "Learning to use AWS SDK service
  integrations": ``AcmPca.ResourceNotFoundException``, ``S3.BucketAlreadyExistsException``;
  AWS-recorded LocalStack snapshots ``error_handling/test_aws_sdk``). The class names follow the
  Java v2 code generator (``DefaultNamingStrategy``, ``CodegenNamingUtils.pascalCase``).
* aws-sdk results use the Java v2 property names: ``MD5OfMessageBody`` -> ``Md5OfMessageBody``,
  DynamoDB ``BOOL`` -> ``Bool``, ``NULL`` -> ``Nul`` (aws/aws-sdk-js#4294, aws/aws-sdk-js-v3#4948:
  Step Functions' DynamoDB query output carried ``Bool`` and ``Nul``).
* Optimized integrations (``dynamodb:putItem`` ...) run on the SDK for Java v1, whose exception
  classes keep the model's shape name (plus ``Exception``) and whose base exceptions are
  ``AmazonDynamoDBException``, ``AmazonSQSException`` ... (LocalStack snapshots
  ``error_handling/test_task_service_dynamodb``, ``test_task_service_sqs``).
"""

from __future__ import annotations

import re
from typing import Final

# serviceId words: the Java v2 generator's CodegenNamingUtils.splitOnWordBoundaries
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_VERSION_LOWER = re.compile(r"([^a-z]{2,})v([0-9]+)")
_VERSION_UPPER = re.compile(r"([^A-Z]{2,})V([0-9]+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z](?:[a-zA-Z]|[0-9]))")
_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_DIGIT_WORD = re.compile(r"([0-9])([a-zA-Z])")

# Step Functions aws-sdk service name -> boto3 client name, where the two differ (botocore's
# serviceId put through the Java v2 naming gives the left side; checked by a unit test).
SDK_SERVICE_ALIASES: Final[dict[str, str]] = {
    "sfn": "stepfunctions",
    "eventbridge": "events",
    "cloudwatchlogs": "logs",
    "costexplorer": "ce",
    "cognitoidentityprovider": "cognito-idp",
    "costandusagereport": "cur",
    "applicationdiscovery": "discovery",
    "databasemigration": "dms",
    "directory": "ds",
    "directoryservicedata": "ds-data",
    "elasticloadbalancing": "elb",
    "elasticloadbalancingv2": "elbv2",
    "elasticsearch": "es",
    "iotdataplane": "iot-data",
    "iotjobsdataplane": "iot-jobs-data",
    "lexmodelbuilding": "lex-models",
    "lexruntime": "lex-runtime",
    "lexmodelsv2": "lexv2-models",
    "lexruntimev2": "lexv2-runtime",
    "marketplaceentitlement": "marketplace-entitlement",
    "marketplacemetering": "meteringmarketplace",
    "migrationhub": "mgh",
    "simpledb": "sdb",
    "serverlessapplicationrepository": "serverlessrepo",
    "pinpointsmsvoice": "sms-voice",
}

# Java keywords and literals a property cannot be named after (DefaultNamingStrategy).
_JAVA_RESERVED: Final = frozenset(
    [
        "abstract",
        "assert",
        "boolean",
        "break",
        "byte",
        "case",
        "catch",
        "char",
        "class",
        "const",
        "continue",
        "default",
        "do",
        "double",
        "else",
        "enum",
        "extends",
        "false",
        "final",
        "finally",
        "float",
        "for",
        "goto",
        "if",
        "implements",
        "import",
        "instanceof",
        "int",
        "interface",
        "long",
        "native",
        "new",
        "null",
        "package",
        "private",
        "protected",
        "public",
        "return",
        "short",
        "static",
        "strictfp",
        "super",
        "switch",
        "synchronized",
        "this",
        "throw",
        "throws",
        "transient",
        "true",
        "try",
        "void",
        "volatile",
        "while",
    ]
)
# Model customizations of the Java v2 SDK that rename a member (DynamoDB AttributeValue.NULL).
_MEMBER_OVERRIDES: Final[dict[str, str]] = {"NULL": "Nul"}


def split_words(text: str) -> list[str]:
    """``CodegenNamingUtils.splitOnWordBoundaries``: ``DynamoDB`` -> ``Dynamo DB``."""
    result = _NON_ALNUM.sub(" ", text)
    result = _VERSION_LOWER.sub(r"\1 v\2 ", result)
    result = _VERSION_UPPER.sub(r"\1 V\2 ", result)
    result = " ".join(_CAMEL.split(result))
    result = _ACRONYM.sub(r"\1 \2", result)
    result = _DIGIT_WORD.sub(r"\1 \2", result)
    return [word for word in result.split(" ") if word]


def java_pascal_case(text: str) -> str:
    """``CodegenNamingUtils.pascalCase``: each word capitalised, the rest lower-cased."""
    return "".join(word[:1].upper() + word[1:].lower() for word in split_words(text))


def sdk_client_name(service_id: str) -> str:
    """The Java v2 client name for a model ``serviceId`` (``SFN`` -> ``Sfn``, ``DynamoDB`` ->
    ``DynamoDb``, ``Secrets Manager`` -> ``SecretsManager``)."""
    name = java_pascal_case(service_id)
    for prefix in ("Amazon", "Aws"):
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
    if name.endswith("Service") and len(name) > len("Service"):
        name = name[: -len("Service")]
    return name


def sdk_exception_name(shape_name: str, client_name: str) -> str:
    """The Java v2 exception class of a modeled error shape (``NoSuchKey`` -> ``NoSuchKeyException``)."""
    if shape_name.endswith("Fault"):
        name = java_pascal_case(shape_name[: -len("Fault")]) + "Exception"
    elif shape_name.endswith("Exception"):
        name = java_pascal_case(shape_name)
    else:
        name = java_pascal_case(shape_name) + "Exception"
    return f"Default{name}" if name == f"{client_name}Exception" else name


def v1_exception_name(shape_name: str) -> str:
    """The Java v1 exception class of a modeled error shape (the shape name, plus ``Exception``)."""
    return shape_name if shape_name.endswith("Exception") else f"{shape_name}Exception"


def _uncapitalize(name: str) -> str:
    # Java v2 Utils.unCapitalize: lower-case the leading capitals, but not the one that starts
    # the next word ("SSEKMSKeyId" -> "ssekmsKeyId", "ETag" -> "eTag", "BOOL" -> "bool").
    i = 0
    out = []
    while True:
        out.append(name[i].lower())
        i += 1
        if not (i < len(name) and name[i].isupper()):
            break
        if i < len(name) - 1 and name[i + 1].islower():
            break
    return "".join(out) + name[i:]


def member_name(name: str) -> str:
    """A result member as Step Functions spells it (the Java v2 property, capitalised)."""
    if name in _MEMBER_OVERRIDES:
        return _MEMBER_OVERRIDES[name]
    if not name:
        return name
    prop = _uncapitalize(name)
    if prop in _JAVA_RESERVED:
        prop += "Value"
    return prop[:1].upper() + prop[1:]


def action_to_operation(action: str) -> str | None:
    """``getItem`` -> ``GetItem``; None when the action does not start with a lower-case letter
    (Step Functions only recognises the camelCase spelling)."""
    if not action or not action[0].islower():
        return None
    return action[0].upper() + action[1:]
