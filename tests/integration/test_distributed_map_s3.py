"""A Distributed Map over S3 against moto: ItemReader (CSV, listObjectsV2), ResultWriter, errors.

GIVEN buckets and objects in moto
WHEN a distributed Map reads its items from S3, runs each through a local Lambda handler and
     exports the results with a ResultWriter (``interpreter.run(..., aws=...)`` and ``stepfn run
     --aws moto``)
THEN the Map's output is AWS's ``{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}``, the
manifest and result files are in S3 in AWS's layout ("ResultWriter (Map)" in the AWS developer
guide), and a missing bucket or key fails with States.ItemReaderFailed and S3's error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

import interpreter
from interpreter.cli import main

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:Score"
CSV = 'player;points\nada;12\nbob;7\n"cy;d";3\n'  # a quoted delimiter in the third row


def score(event: Any, context: Any) -> Any:
    return {"player": event["player"], "doubled": int(event["points"]) * 2}


def definition(**map_fields: Any) -> dict[str, Any]:
    state = {
        "Type": "Map",
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {
                "InputType": "CSV",
                "CSVHeaderLocation": "FIRST_ROW",
                "CSVDelimiter": "SEMICOLON",
            },
            "Parameters": {"Bucket.$": "$.bucket", "Key.$": "$.key"},
        },
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
            "StartAt": "Score",
            "States": {"Score": {"Type": "Task", "Resource": FUNCTION, "End": True}},
        },
        "ResultWriter": {
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "results-bucket", "Prefix": "scores"},
        },
        "End": True,
        **map_fields,
    }
    return {"StartAt": "Scores", "States": {"Scores": state}}


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        session = boto3.Session(
            region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        client = session.client("s3")
        client.create_bucket(Bucket="input-bucket")
        client.create_bucket(Bucket="results-bucket")
        client.put_object(Bucket="input-bucket", Key="games/scores.csv", Body=CSV.encode())
        client.session = session
        yield client


def read(s3: Any, bucket: str, key: str) -> str:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()


def test_an_item_reader_reads_a_csv_from_s3_and_a_result_writer_exports_the_results(s3: Any) -> None:
    result = interpreter.run(
        definition(),
        {"bucket": "input-bucket", "key": "games/scores.csv"},
        handlers={"Score": score},
        aws=s3.session,
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    started = next(e for e in result.history if e["type"] == "MapRunStarted")
    map_run_arn = started["mapRunStartedEventDetails"]["mapRunArn"]
    run_id = map_run_arn.rsplit(":", 1)[1]
    manifest_key = f"scores/{run_id}/manifest.json"
    assert result.output == {
        "MapRunArn": map_run_arn,
        "ResultWriterDetails": {"Bucket": "results-bucket", "Key": manifest_key},
    }

    manifest = json.loads(read(s3, "results-bucket", manifest_key))
    assert manifest["DestinationBucket"] == "results-bucket"
    assert manifest["MapRunArn"] == map_run_arn
    assert manifest["ResultFiles"]["FAILED"] == manifest["ResultFiles"]["PENDING"] == []
    (succeeded,) = manifest["ResultFiles"]["SUCCEEDED"]
    assert succeeded["Key"] == f"scores/{run_id}/SUCCEEDED_0.json"
    body = read(s3, "results-bucket", succeeded["Key"])
    assert succeeded["Size"] == len(body.encode())
    records = json.loads(body)
    assert [json.loads(r["Input"]) for r in records] == [
        {"player": "ada", "points": "12"},
        {"player": "bob", "points": "7"},
        {"player": "cy;d", "points": "3"},
    ]
    assert [json.loads(r["Output"]) for r in records] == [
        {"player": "ada", "doubled": 24},
        {"player": "bob", "doubled": 14},
        {"player": "cy;d", "doubled": 6},
    ]
    assert {r["Status"] for r in records} == {"SUCCEEDED"}
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="results-bucket")["Contents"]]
    assert sorted(keys) == sorted([manifest_key, succeeded["Key"]])


def test_list_objects_v2_items_are_the_objects_metadata(s3: Any) -> None:
    for i in range(3):
        s3.put_object(Bucket="input-bucket", Key=f"logs/file_{i}.txt", Body=f"{i}HelloWorld!".encode())
    listing = {
        "StartAt": "Files",
        "States": {
            "Files": {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:listObjectsV2",
                    "Parameters": {"Bucket": "input-bucket", "Prefix": "logs/"},
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Pass",
                    "States": {"Pass": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }
    result = interpreter.run(listing, {}, aws=s3.session)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    # recorded AWS run test_map_item_reader_base_list_objects_v2: Etag, Key, LastModified, Size,
    # StorageClass ("12" bytes each, STANDARD)
    assert [(o["Key"], o["Size"], o["StorageClass"]) for o in result.output] == [
        (f"logs/file_{i}.txt", 12, "STANDARD") for i in range(3)
    ]
    head = s3.head_object(Bucket="input-bucket", Key="logs/file_0.txt")
    assert result.output[0]["Etag"] == head["ETag"]
    assert result.output[0]["LastModified"] == int(head["LastModified"].timestamp())


@pytest.mark.parametrize(
    ("data", "cause_start"),
    [
        (
            {"bucket": "input-bucket", "key": "games/missing.csv"},
            "The specified key does not exist. (Service: S3",
        ),
        (
            {"bucket": "no-such-bucket", "key": "games/scores.csv"},
            "The specified bucket does not exist (Service: S3",
        ),
    ],
    ids=["missing-key", "missing-bucket"],
)
def test_a_missing_object_fails_with_item_reader_failed(
    s3: Any, data: dict[str, Any], cause_start: str
) -> None:
    result = interpreter.run(definition(), data, handlers={"Score": score}, aws=s3.session)
    assert (result.status, result.error) == ("FAILED", "States.ItemReaderFailed")
    assert result.cause.startswith(cause_start)
    assert "Status Code: 404" in result.cause
    types = [e["type"] for e in result.history]
    assert types[-4:] == ["MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"]


def test_stepfn_run_aws_moto(s3: Any, tmp_path: Any, monkeypatch: Any, capsys: Any) -> None:
    # the CLI's --aws moto nests in this test's moto, so the test's buckets are visible to the run
    (tmp_path / "scoring.py").write_text(
        "def score(event, context):\n"
        "    return {'player': event['player'], 'doubled': int(event['points']) * 2}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("scoring", None)
    path = tmp_path / "scores.asl.json"
    path.write_text(json.dumps(definition()))
    code = main(
        [
            "run",
            str(path),
            "--input",
            json.dumps({"bucket": "input-bucket", "key": "games/scores.csv"}),
            "--handler",
            "Score=scoring:score",
            "--aws",
            "moto",
            "--no-store",
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0, out
    key = out["output"]["ResultWriterDetails"]["Key"]
    manifest = json.loads(read(s3, "results-bucket", key))
    (succeeded,) = manifest["ResultFiles"]["SUCCEEDED"]
    outputs = [json.loads(r["Output"]) for r in json.loads(read(s3, "results-bucket", succeeded["Key"]))]
    assert outputs == [
        {"player": "ada", "doubled": 24},
        {"player": "bob", "doubled": 14},
        {"player": "cy;d", "doubled": 6},
    ]
