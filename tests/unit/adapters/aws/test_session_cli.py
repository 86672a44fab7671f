"""``aws_session``, ``interpreter.run(aws=...)`` and ``stepfn run --aws moto|real``."""

from __future__ import annotations

import json
import os

import boto3
import pytest
from moto import mock_aws

from interpreter import run
from interpreter.adapters.aws import AwsHandle, aws_session, open_aws
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.cli import main

from .conftest import task

# One workflow that needs nothing to exist first: it creates its table, writes and reads an item.
ORDERS = {
    "StartAt": "Create",
    "States": {
        "Create": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:dynamodb:createTable",
            "Parameters": {
                "TableName": "orders",
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
            },
            "ResultPath": None,
            "Next": "Put",
        },
        "Put": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "orders", "Item": {"id": {"S.$": "$.id"}}},
            "ResultPath": None,
            "Next": "Get",
        },
        "Get": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:getItem",
            "Parameters": {"TableName": "orders", "Key": {"id": {"S.$": "$.id"}}},
            "OutputPath": "$.Item",
            "End": True,
        },
    },
}


def test_moto_mode_leaves_the_environment_alone_and_stops_with_the_handle():
    before = dict(os.environ)
    with aws_session("moto") as handle:
        assert dict(os.environ) == before
        handle.session.client("s3").create_bucket(Bucket="kept-while-open")
        names = [b["Name"] for b in handle.session.client("s3").list_buckets()["Buckets"]]
        assert names == ["kept-while-open"]
    assert dict(os.environ) == before
    with aws_session("moto") as again:  # a fresh moto: the first one's data went with it
        assert again.session.client("s3").list_buckets()["Buckets"] == []


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="expected 'moto' or 'real'"):
        aws_session("localstack")
    with pytest.raises(TypeError):
        open_aws(42)


def test_run_with_moto_runs_the_service_tasks():
    result = run(ORDERS, {"id": "o-1"}, aws="moto")
    assert (result.status, result.output) == ("SUCCEEDED", {"id": {"S": "o-1"}})


def test_run_with_a_session_uses_the_callers_moto_and_resources():
    with mock_aws():
        session = boto3.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1")
        result = run(ORDERS, {"id": "o-2"}, aws=session)
        assert result.status == "SUCCEEDED"
        item = session.client("dynamodb").get_item(TableName="orders", Key={"id": {"S": "o-2"}})["Item"]
        assert item == {"id": {"S": "o-2"}}


def test_real_mode_keeps_local_handlers_first_and_sends_other_functions_to_lambda(session):
    def local(event, context):
        return {"local": event}

    definition = {
        "StartAt": "Local",
        "States": {
            "Local": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "local-fn", "Payload": {"n": 1}},
                "ResultSelector": {"p.$": "$.Payload"},
                "Next": "Remote",
            },
            "Remote": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "remote-fn"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught", "ResultPath": "$.error"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    runner = LocalTaskRunner.from_handlers({"local-fn": local})
    AwsHandle(session, "real").attach(runner)  # the moto session stands in for real AWS
    result = run(definition, {}, runner=runner)
    assert result.output["p"] == {"local": {"n": 1}}
    assert result.output["error"]["Error"] == "Lambda.ResourceNotFoundException"
    assert (
        "(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException;"
        in (result.output["error"]["Cause"])
    )


def test_moto_mode_does_not_send_lambda_tasks_to_aws(session):
    runner = LocalTaskRunner.from_handlers({})
    AwsHandle(session, "moto").attach(runner)
    result = run(task("arn:aws:states:::lambda:invoke", {"FunctionName": "nowhere"}), {}, runner=runner)
    assert result.error == "Lambda.ResourceNotFoundException"  # the local "function not found"


# ------------------------------------------------------------------ the CLI


@pytest.fixture
def orders_file(tmp_path):
    path = tmp_path / "orders.asl.json"
    path.write_text(json.dumps(ORDERS))
    return str(path)


def _cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_cli_run_with_aws_moto(capsys, orders_file):
    code, out, _ = _cli(capsys, "run", orders_file, "--input", '{"id": "o-3"}', "--aws", "moto", "--json")
    assert code == 0
    assert json.loads(out) == {
        "status": "SUCCEEDED",
        "output": {"id": {"S": "o-3"}},
        "error": None,
        "cause": None,
    }


def test_cli_run_with_aws_moto_no_store(capsys, orders_file):
    code, out, _ = _cli(capsys, "run", orders_file, "--input", '{"id": "o-4"}', "--aws", "moto", "--no-store")
    assert code == 0 and json.loads(out) == {"id": {"S": "o-4"}}


def test_cli_run_without_aws_says_service_tasks_are_not_run(capsys, orders_file):
    code, _, err = _cli(capsys, "run", orders_file, "--input", '{"id": "o-5"}', "--no-store")
    assert code == 1
    assert "States.Runtime" in err and "is not supported by this local run" in err


def test_cli_rejects_an_unknown_aws_mode(capsys, orders_file):
    with pytest.raises(SystemExit) as exited:
        main(["run", orders_file, "--aws", "localstack"])
    assert exited.value.code == 2
    assert "invalid choice: 'localstack'" in capsys.readouterr().err
