"""The Step Functions API over HTTP, driven by the real boto3 client (and the aws CLI if present).

A small fake service stands in for the operations: what is tested here is the transport — the
wire shapes botocore parses, server-side validation, dispatch, errors and concurrency.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from interpreter.api import ApiServer
from interpreter.service.errors import ApiError

SM_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:example"
EXEC_ARN = "arn:aws:states:us-east-1:123456789012:execution:example:missing"
ACTIVITY_ARN = "arn:aws:states:us-east-1:123456789012:activity:work"
CREATED = dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)
WAIT = 10.0  # seconds a test may block on an event before it fails (never slept through)


class FakeService:
    """Just enough operations to exercise the transport; records the requests it got."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.poll_started = threading.Event()
        self.release_poll = threading.Event()

    def list_state_machines(self, request: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(("ListStateMachines", request))
        machine = {"stateMachineArn": SM_ARN, "name": "example", "type": "STANDARD", "creationDate": CREATED}
        return {"stateMachines": [machine], "nextToken": None}

    def describe_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(("DescribeExecution", request))
        raise ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{request['executionArn']}'")

    def start_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(("StartExecution", request))
        return {"executionArn": SM_ARN.replace("stateMachine", "execution") + ":run", "startDate": CREATED}

    def stop_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("the store fell over")

    def get_activity_task(self, request: dict[str, Any]) -> dict[str, Any]:
        self.poll_started.set()
        assert self.release_poll.wait(WAIT), "the long poll was never released"
        return {"taskToken": "token-1", "input": "{}"}


@pytest.fixture
def service() -> FakeService:
    return FakeService()


@pytest.fixture
def server(service: FakeService) -> Iterator[ApiServer]:
    with ApiServer(service, port=0) as running:
        yield running


def make_client(server: ApiServer, **config: Any) -> Any:
    return boto3.client(
        "stepfunctions",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}, **config),
    )


@pytest.fixture
def client(server: ApiServer) -> Any:
    return make_client(server)


def raw(
    server: ApiServer,
    target: str | None,
    body: bytes | str | dict[str, Any],
    *,
    method: str = "POST",
    content_type: str = "application/x-amz-json-1.0",
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request as a hand-written client would send it: (status, headers, body)."""
    payload = json.dumps(body).encode() if isinstance(body, dict) else body
    payload = payload.encode() if isinstance(payload, str) else payload
    headers = {"Content-Type": content_type}
    if target is not None:
        headers["X-Amz-Target"] = target
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
    try:
        connection.request(method, "/", body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


# -- success -------------------------------------------------------------------------------------


def test_success_round_trips_datetimes(client: Any, server: ApiServer):
    response = client.list_state_machines(maxResults=5)
    assert response["stateMachines"] == [
        {"stateMachineArn": SM_ARN, "name": "example", "type": "STANDARD", "creationDate": CREATED}
    ]
    assert "nextToken" not in response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["ResponseMetadata"]["RequestId"]
    assert server.port != 0 and server.url == f"http://127.0.0.1:{server.port}"


def test_wire_shape_of_a_result(server: ApiServer):
    status, headers, body = raw(server, "AWSStepFunctions.ListStateMachines", "{}")
    assert status == 200
    assert headers["content-type"] == "application/x-amz-json-1.0"
    assert headers["x-amzn-requestid"]
    assert json.loads(body)["stateMachines"][0]["creationDate"] == 1704164645.678


def test_service_gets_the_validated_request_without_unknown_members(server: ApiServer, service: FakeService):
    request = {"stateMachineArn": SM_ARN, "name": "run", "futureMember": True, "input": None}
    status, _, _ = raw(server, "AWSStepFunctions.StartExecution", request)
    assert status == 200
    assert service.requests == [("StartExecution", {"stateMachineArn": SM_ARN, "name": "run"})]


# -- errors --------------------------------------------------------------------------------------


def test_service_error_is_the_modeled_exception(client: Any):
    with pytest.raises(client.exceptions.ExecutionDoesNotExist) as caught:
        client.describe_execution(executionArn=EXEC_ARN)
    assert caught.value.response["Error"] == {
        "Code": "ExecutionDoesNotExist",
        "Message": f"Execution Does Not Exist: '{EXEC_ARN}'",
    }
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_wire_shape_of_a_service_error(server: ApiServer):
    status, headers, body = raw(server, "AWSStepFunctions.DescribeExecution", {"executionArn": EXEC_ARN})
    assert status == 400
    assert headers["content-type"] == "application/x-amz-json-1.0"
    assert headers["x-amzn-requestid"]
    assert json.loads(body) == {
        "__type": "com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist",
        "message": f"Execution Does Not Exist: '{EXEC_ARN}'",
    }


def test_too_long_name_is_refused_before_the_service_sees_it(server: ApiServer, service: FakeService):
    name = "n" * 81
    status, _, body = raw(
        server, "AWSStepFunctions.StartExecution", {"stateMachineArn": SM_ARN, "name": name}
    )
    assert status == 400
    assert json.loads(body) == {
        "__type": "com.amazon.coral.validate#ValidationException",
        "message": f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 80",
    }
    assert service.requests == []


def test_missing_required_member_through_boto3_without_client_side_checks(server: ApiServer):
    client = make_client(server, parameter_validation=False)
    with pytest.raises(client.exceptions.ValidationException) as caught:
        client.describe_execution()
    assert caught.value.response["Error"]["Message"] == (
        "1 validation error detected: Value null at 'executionArn' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_wrong_json_type_is_a_serialization_exception(server: ApiServer):
    status, _, body = raw(server, "AWSStepFunctions.ListStateMachines", {"maxResults": "ten"})
    assert status == 400
    assert json.loads(body) == {
        "__type": "com.amazon.coral.service#SerializationException",
        "Message": "class java.lang.String can not be converted to an Integer",
    }


def test_malformed_json(server: ApiServer):
    status, headers, body = raw(server, "AWSStepFunctions.ListStateMachines", '{"maxResults": ')
    assert status == 400
    assert headers["x-amzn-requestid"]
    assert json.loads(body) == {"__type": "com.amazon.coral.service#SerializationException"}


@pytest.mark.parametrize("target", ["AWSStepFunctions.Frobnicate", "DynamoDB_20120810.ListTables", None])
def test_unknown_or_missing_target(server: ApiServer, target: str | None):
    status, _, body = raw(server, target, "{}")
    assert status == 400
    assert json.loads(body) == {"__type": "com.amazon.coral.service#UnknownOperationException"}


def test_operation_the_service_lacks(client: Any):
    with pytest.raises(ClientError) as caught:
        client.list_activities()
    assert caught.value.response["Error"] == {
        "Code": "UnknownOperationException",
        "Message": "stepfn does not support ListActivities yet",
    }


def test_not_a_json_call(server: ApiServer):
    assert raw(server, "AWSStepFunctions.ListStateMachines", "{}", content_type="text/plain")[::2] == (
        404,
        b"<UnknownOperationException/>\n",
    )
    assert raw(server, None, "{}", method="PUT")[0] == 404


def test_internal_error_is_a_500_and_the_server_keeps_serving(
    client: Any, server: ApiServer, caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.ERROR, logger="interpreter.api"), pytest.raises(ClientError) as caught:
        client.stop_execution(executionArn=EXEC_ARN)
    assert caught.value.response["Error"]["Code"] == "InternalFailure"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert any(r.exc_info and "the store fell over" in str(r.exc_info[1]) for r in caplog.records)

    status, _, body = raw(server, "AWSStepFunctions.StopExecution", {"executionArn": EXEC_ARN})
    assert (status, json.loads(body)) == (500, {"__type": "com.amazon.coral.service#InternalFailure"})
    assert b"Traceback" not in body and b"store" not in body

    assert client.list_state_machines()["stateMachines"][0]["name"] == "example"


def test_body_over_the_limit_is_refused_and_the_server_keeps_serving(service: FakeService):
    with ApiServer(service, port=0, max_request_bytes=1000) as small:
        request = {"stateMachineArn": SM_ARN, "input": json.dumps("x" * 2000)}
        status, _, body = raw(small, "AWSStepFunctions.StartExecution", request)
        assert status == 413
        assert json.loads(body) == {
            "__type": "com.amazon.coral.service#RequestEntityTooLargeException",
            "message": "Request size exceeds the Step Functions limit of 1000 bytes",
        }
        assert raw(small, "AWSStepFunctions.ListStateMachines", "{}")[0] == 200
    assert service.requests == [("ListStateMachines", {})]


# -- server --------------------------------------------------------------------------------------


def test_long_poll_does_not_block_other_calls(server: ApiServer, service: FakeService):
    # GIVEN a GetActivityTask call waiting inside the service
    poll: dict[str, Any] = {}

    def long_poll() -> None:
        poll["response"] = make_client(server).get_activity_task(activityArn=ACTIVITY_ARN)

    poller = threading.Thread(target=long_poll, daemon=True)
    poller.start()
    assert service.poll_started.wait(WAIT)
    try:
        # WHEN another call arrives THEN it is answered while the poll still waits
        assert make_client(server).list_state_machines()["stateMachines"]
        assert poller.is_alive()
    finally:
        service.release_poll.set()
    poller.join(WAIT)
    assert poll["response"]["taskToken"] == "token-1"


def test_home_page_note(server: ApiServer):
    status, headers, body = raw(server, None, b"", method="GET")
    assert status == 200
    assert headers["content-type"].startswith("text/plain")
    assert body.startswith(b"stepfn Step Functions API")


def test_stop_releases_the_port(service: FakeService):
    server = ApiServer(service, port=0)
    server.start()
    port = server.port
    assert raw(server, "AWSStepFunctions.ListStateMachines", "{}")[0] == 200
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=WAIT):
        pass


def test_serve_forever_in_the_calling_thread_until_stopped(service: FakeService):
    server = ApiServer(service, port=0)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        assert server.bound.wait(WAIT)
        assert raw(server, "AWSStepFunctions.ListStateMachines", "{}")[0] == 200
    finally:
        server.stop()
    serving.join(WAIT)
    assert not serving.is_alive()


# -- the aws CLI -----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("aws") is None, reason="the aws CLI is not installed")
def test_aws_cli_against_the_server(server: ApiServer, tmp_path: Any):
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
    }

    def aws(*args: str) -> subprocess.CompletedProcess[str]:
        command = ["aws", "stepfunctions", *args, "--endpoint-url", server.url, "--output", "json"]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)

    listed = aws("list-state-machines")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["stateMachines"][0]["stateMachineArn"] == SM_ARN

    missing = aws("describe-execution", "--execution-arn", EXEC_ARN)
    assert missing.returncode != 0
    assert "(ExecutionDoesNotExist)" in missing.stderr
    assert f"Execution Does Not Exist: '{EXEC_ARN}'" in missing.stderr
