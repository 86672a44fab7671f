"""AWS JSON 1.0 parsing and rendering, as pure functions.

Error ``__type`` namespaces: ``com.amazonaws.swf.service.v2.model#`` for Step Functions' own
errors (aws-sdk-js v3 ``deserializeAws_json1_0`` switch cases for SFN; an emulator's recording of
AWS), ``com.amazon.coral.validate#ValidationException`` for model constraints and
``com.amazon.coral.service#`` for SerializationException / UnknownOperationException /
InternalFailure (mhart/dynalite, recorded against DynamoDB, another Coral JSON 1.0 service).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from interpreter.api.protocol import (
    JSON_CONTENT_TYPE,
    NotAnApiCall,
    error_type,
    internal_failure,
    method_name,
    parse_call,
    render_error,
    render_not_an_api_call,
    render_result,
)
from interpreter.service.errors import ApiError

HEADERS = {"Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": "AWSStepFunctions.StartExecution"}


def refusal(method: str, headers: dict[str, str], body: bytes) -> ApiError:
    with pytest.raises(ApiError) as caught:
        parse_call(method, headers, body)
    return caught.value


@pytest.mark.parametrize(
    ("operation", "method"),
    [
        ("StartExecution", "start_execution"),
        ("ListStateMachines", "list_state_machines"),
        ("SendTaskSuccess", "send_task_success"),
        ("TestState", "test_state"),
        ("DescribeStateMachineForExecution", "describe_state_machine_for_execution"),
    ],
)
def test_method_name(operation: str, method: str):
    assert method_name(operation) == method


def test_parse_a_call():
    call = parse_call("POST", HEADERS, b'{"stateMachineArn": "arn", "extra": 1}')
    assert call.operation == "StartExecution"
    assert call.params == {"stateMachineArn": "arn", "extra": 1}


def test_header_names_are_case_insensitive_and_content_type_may_carry_parameters():
    headers = {
        "content-type": "application/x-amz-json-1.0; charset=utf-8",
        "x-amz-target": "AWSStepFunctions.ListStateMachines",
    }
    assert parse_call("POST", headers, b"{}").operation == "ListStateMachines"


def test_application_json_is_accepted_too():
    headers = {**HEADERS, "Content-Type": "application/json"}
    assert parse_call("POST", headers, b"{}").operation == "StartExecution"


@pytest.mark.parametrize("body", [b"{", b"not json", b"\xff\xfe", b'{"a": NaN}'])
def test_malformed_json_is_a_serialization_exception_without_message(body: bytes):
    error = refusal("POST", HEADERS, body)
    assert (error.code, error.message, error.status) == ("SerializationException", "", 400)


def test_empty_body_for_a_known_operation_is_a_serialization_exception():
    assert refusal("POST", HEADERS, b"").code == "SerializationException"


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "AWSStepFunctions.Frobnicate",
        "AWSStepFunctions.",
        "StepFunctions.StartExecution",
        "AWSStepFunctions.startExecution",
    ],
)
def test_unknown_target_is_an_unknown_operation(target: str | None):
    headers = {"Content-Type": JSON_CONTENT_TYPE}
    if target is not None:
        headers["X-Amz-Target"] = target
    error = refusal("POST", headers, b"{}")
    assert (error.code, error.message, error.status) == ("UnknownOperationException", "", 400)


def test_bad_json_is_reported_before_a_bad_target():
    assert refusal("POST", {"Content-Type": JSON_CONTENT_TYPE}, b"{").code == "SerializationException"


@pytest.mark.parametrize(
    ("method", "content_type"),
    [("GET", JSON_CONTENT_TYPE), ("PUT", JSON_CONTENT_TYPE), ("POST", "text/plain"), ("POST", "")],
)
def test_what_is_not_a_json_call_at_all(method: str, content_type: str):
    with pytest.raises(NotAnApiCall):
        parse_call(method, {**HEADERS, "Content-Type": content_type}, b"{}")
    response = render_not_an_api_call(request_id="r")
    assert (response.status, response.body) == (404, b"<UnknownOperationException/>\n")


def test_render_result_with_epoch_seconds_and_no_nulls():
    started = dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)
    response = render_result(
        {
            "executionArn": "arn",
            "startDate": started,
            "items": ({"d": dt.datetime(1970, 1, 1, 0, 0, 1)},),
            "output": None,
        },
        request_id="req-1",
    )
    assert response.status == 200
    assert json.loads(response.body) == {
        "executionArn": "arn",
        "startDate": 1704164645.678,
        "items": [{"d": 1.0}],
    }
    assert response.header("x-amzn-requestid") == "req-1"
    assert response.header("content-type") == "application/x-amz-json-1.0"
    assert response.header("content-length") == str(len(response.body))


def test_every_response_gets_a_fresh_uuid4_request_id():
    first, second = render_result({}), render_result(None)
    assert first.body == second.body == b"{}"
    ids = {first.header("x-amzn-RequestId"), second.header("x-amzn-RequestId")}
    assert len(ids) == 2
    assert all(uuid.UUID(str(value)).version == 4 for value in ids)


@pytest.mark.parametrize(
    ("code", "wire_type"),
    [
        ("ExecutionDoesNotExist", "com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist"),
        ("InvalidArn", "com.amazonaws.swf.service.v2.model#InvalidArn"),
        ("ValidationException", "com.amazon.coral.validate#ValidationException"),
        ("SerializationException", "com.amazon.coral.service#SerializationException"),
        ("UnknownOperationException", "com.amazon.coral.service#UnknownOperationException"),
        ("InternalFailure", "com.amazon.coral.service#InternalFailure"),
        ("com.example#Custom", "com.example#Custom"),
    ],
)
def test_error_type_namespaces(code: str, wire_type: str):
    assert error_type(code) == wire_type


def test_render_a_service_error():
    response = render_error(
        ApiError("ExecutionDoesNotExist", "Execution Does Not Exist: 'arn'"), request_id="r"
    )
    assert response.status == 400
    assert json.loads(response.body) == {
        "__type": "com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist",
        "message": "Execution Does Not Exist: 'arn'",
    }
    assert response.header("Content-Type") == JSON_CONTENT_TYPE


def test_serialization_exception_capitalizes_message_and_omits_an_empty_one():
    typed = render_error(ApiError("SerializationException", "Expected null"))
    assert json.loads(typed.body) == {
        "__type": "com.amazon.coral.service#SerializationException",
        "Message": "Expected null",
    }
    bare = render_error(ApiError("SerializationException", ""))
    assert json.loads(bare.body) == {"__type": "com.amazon.coral.service#SerializationException"}


def test_internal_failure_is_a_500_without_details():
    response = render_error(internal_failure())
    assert response.status == 500
    assert json.loads(response.body) == {"__type": "com.amazon.coral.service#InternalFailure"}
