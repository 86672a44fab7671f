"""The API function's event handling (direct calls, bad events), the wiring's settings, the stack client."""

import base64
import json

import boto3
import pytest
from moto import mock_aws

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.serverless.api import ServerlessService, handle_event
from interpreter.serverless.client import stack_client
from interpreter.serverless.wiring import ConfigError, Settings

DEFINITION = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
ROLE = "arn:aws:iam::123456789012:role/R"


@pytest.fixture
def service():
    sent = []
    svc = ServerlessService(
        MemoryStore(), runner=None, clock=VirtualClock(), dispatch=lambda arn, fx: sent.append(fx)
    )
    return svc


def test_a_direct_invocation_answers_the_response_members(service):
    created = handle_event(
        {
            "operation": "CreateStateMachine",
            "request": {"name": "M", "definition": DEFINITION, "roleArn": ROLE},
        },
        service,
    )
    started = handle_event(
        {
            "operation": "StartExecution",
            "request": {"stateMachineArn": created["stateMachineArn"], "input": "{}"},
        },
        service,
    )
    described = handle_event(
        {"operation": "DescribeExecution", "request": {"executionArn": started["executionArn"]}}, service
    )
    assert described["status"] == "SUCCEEDED"  # all inline: the start's one commit finished it


def test_a_direct_invocation_error_is_a_value(service):
    answer = handle_event({"operation": "DescribeExecution", "request": {"executionArn": "nope"}}, service)
    assert answer["error"]["code"] in ("ValidationException", "InvalidArn")
    assert answer["error"]["statusCode"] == 400


@pytest.mark.parametrize(
    "event", [None, [], {"foo": 1}, {"operation": "Start Execution"}, {"operation": "X", "request": []}]
)
def test_events_that_are_neither_kind_are_answered_400(service, event):
    assert handle_event(event, service)["error"]["statusCode"] == 400


def test_http_api_events_with_base64_bodies_work(service):
    body = json.dumps({"name": "M", "definition": DEFINITION, "roleArn": ROLE})
    event = {
        "version": "2.0",
        "requestContext": {"http": {"method": "POST"}},
        "headers": {
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": "AWSStepFunctions.CreateStateMachine",
        },
        "body": base64.b64encode(body.encode()).decode(),
        "isBase64Encoded": True,
    }
    answer = handle_event(event, service)
    assert answer["statusCode"] == 200 and "stateMachineArn" in json.loads(answer["body"])
    event["requestContext"]["http"]["method"] = "GET"
    assert handle_event(event, service)["statusCode"] == 404  # as AWS answers a non-POST


def test_settings_come_from_the_environment():
    settings = Settings.from_env(
        {
            "STEPFN_TABLE": "t",
            "STEPFN_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/111122223333/work",
            "AWS_REGION": "eu-west-1",
            "STEPFN_WORKER_THREADS": "8",
        }
    )
    assert settings.account == "111122223333" and settings.region == "eu-west-1"
    assert settings.queue_arn == "arn:aws:sqs:eu-west-1:111122223333:work"
    assert settings.worker_threads == 8 and settings.scheduler_role_arn is None


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"STEPFN_QUEUE_URL": "u"}, "STEPFN_TABLE is not set"),
        ({"STEPFN_TABLE": "t"}, "STEPFN_QUEUE_URL is not set"),
        ({"STEPFN_TABLE": "t", "STEPFN_QUEUE_URL": "u", "STEPFN_WORKER_THREADS": "many"}, "not a number"),
        (
            {"STEPFN_TABLE": "t", "STEPFN_QUEUE_URL": "u", "STEPFN_STALE_AFTER_SECONDS": "-1"},
            "must be positive",
        ),
    ],
)
def test_missing_or_bad_settings_are_named(env, problem):
    with pytest.raises(ConfigError, match=problem):
        Settings.from_env(env)


def test_the_stack_client_signs_for_api_gateway():
    with mock_aws():
        session = boto3.Session(region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
        client = stack_client("https://abc.execute-api.us-east-1.amazonaws.com", session=session)
        seen = {}

        def capture(request, **_):
            seen["auth"] = request.headers["Authorization"]
            seen["target"] = request.headers["X-Amz-Target"]
            raise RuntimeError("stop here")

        client.meta.events.register("before-send.sfn", capture)
        with pytest.raises(RuntimeError, match="stop here"):
            client.list_state_machines()
    auth = seen["auth"].decode() if isinstance(seen["auth"], bytes) else seen["auth"]
    assert "/us-east-1/execute-api/aws4_request" in auth
    assert seen["target"] in (b"AWSStepFunctions.ListStateMachines", "AWSStepFunctions.ListStateMachines")
