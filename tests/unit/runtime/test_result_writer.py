"""ResultWriter output (pure): transformations, result files and manifest.

Source: AWS developer guide "ResultWriter (Map)" ([DOC-RW]): NONE = each child execution's record
(metadata, Input/Output as JSON text), COMPACT = the child outputs, FLATTEN = the child outputs
with arrays spliced in, a failed child keeps its NONE record whatever the transformation; JSON or
JSONL; files SUCCEEDED_n/FAILED_n/PENDING_n and manifest.json {DestinationBucket, MapRunArn,
ResultFiles {FAILED, PENDING, SUCCEEDED: [{Key, Size}]}} under <Prefix>/<map run id>/.
"""

from __future__ import annotations

import json

from interpreter.runtime.result_writer import (
    child_record,
    export_objects,
    manifest_key,
    transformed_results,
    writer_output,
)

ARN = "arn:aws:states:us-east-1:123456789012:mapRun:Machine/Scores:0f6b3a1e-2c5d-5d7e-9f00-1a2b3c4d5e6f"
RUN_ID = "0f6b3a1e-2c5d-5d7e-9f00-1a2b3c4d5e6f"
OK = {"status": "SUCCEEDED", "input": {"n": 1}, "output": [1, 2], "start": "t0", "stop": "t1"}
OK2 = {"status": "SUCCEEDED", "input": {"n": 2}, "output": {"v": 2}, "start": "t0", "stop": "t1"}
BAD = {"status": "FAILED", "input": {"n": 3}, "error": "E", "cause": "why", "start": "t0", "stop": "t1"}
WAITING = {"status": "PENDING", "input": {"n": 4}}


def test_the_none_record_of_a_succeeded_child() -> None:
    record = child_record(OK, 0, map_run_arn=ARN)
    assert list(record) == [
        "ExecutionArn",
        "Input",
        "InputDetails",
        "Name",
        "Output",
        "OutputDetails",
        "RedriveCount",
        "RedriveStatus",
        "RedriveStatusReason",
        "StartDate",
        "StateMachineArn",
        "Status",
        "StopDate",
    ]
    assert (
        record["ExecutionArn"]
        == f"arn:aws:states:us-east-1:123456789012:execution:Machine/Scores:{record['Name']}"
    )
    assert record["StateMachineArn"] == "arn:aws:states:us-east-1:123456789012:stateMachine:Machine/Scores"
    assert (record["Input"], record["Output"]) == ('{"n":1}', "[1,2]")
    assert record["RedriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    assert child_record(OK, 0, map_run_arn=ARN)["Name"] == record["Name"]  # stable
    assert child_record(OK, 1, map_run_arn=ARN)["Name"] != record["Name"]


def test_failed_and_pending_records() -> None:
    failed = child_record(BAD, 2, map_run_arn=ARN)
    assert (failed["Status"], failed["Error"], failed["Cause"]) == ("FAILED", "E", "why")
    assert "Output" not in failed
    assert child_record(WAITING, 3, map_run_arn=ARN) == {
        "Input": '{"n":4}',
        "InputDetails": {"Included": True},
        "Status": "PENDING",
    }


def test_transformations_of_the_state_output() -> None:
    runs = [OK, OK2, BAD]
    assert transformed_results(runs, "COMPACT", map_run_arn=ARN)[:2] == [[1, 2], {"v": 2}]
    assert transformed_results(runs, "FLATTEN", map_run_arn=ARN)[:3] == [1, 2, {"v": 2}]
    assert transformed_results(runs, "FLATTEN", map_run_arn=ARN)[3]["Status"] == "FAILED"
    none = transformed_results(runs, "NONE", map_run_arn=ARN)
    assert [r["Status"] for r in none] == ["SUCCEEDED", "SUCCEEDED", "FAILED"]
    assert transformed_results([OK], None, map_run_arn=ARN) == [[1, 2]]  # COMPACT by default


def test_export_files_by_status_and_the_manifest_last() -> None:
    objects = export_objects([OK, BAD, WAITING, OK2], bucket="b", prefix="out", map_run_arn=ARN)
    keys = [o["Key"] for o in objects]
    folder = f"out/{RUN_ID}/"
    assert keys == [
        f"{folder}SUCCEEDED_0.json",
        f"{folder}FAILED_0.json",
        f"{folder}PENDING_0.json",
        f"{folder}manifest.json",
    ]
    bodies = {o["Key"]: o["Body"] for o in objects}
    succeeded = json.loads(bodies[keys[0]])
    assert [r["Status"] for r in succeeded] == ["SUCCEEDED", "SUCCEEDED"]  # NONE by default on export
    manifest = json.loads(bodies[keys[-1]])
    assert manifest == {
        "DestinationBucket": "b",
        "MapRunArn": ARN,
        "ResultFiles": {
            "FAILED": [{"Key": keys[1], "Size": len(bodies[keys[1]].encode())}],
            "PENDING": [{"Key": keys[2], "Size": len(bodies[keys[2]].encode())}],
            "SUCCEEDED": [{"Key": keys[0], "Size": len(bodies[keys[0]].encode())}],
        },
    }
    assert manifest_key("out", ARN) == keys[-1]
    assert writer_output(ARN, "b", "out") == {
        "MapRunArn": ARN,
        "ResultWriterDetails": {"Bucket": "b", "Key": keys[-1]},
    }


def test_prefixes_and_jsonl() -> None:
    assert manifest_key("", ARN) == f"{RUN_ID}/manifest.json"
    assert manifest_key("a/b/", ARN) == f"a/b/{RUN_ID}/manifest.json"
    objects = export_objects(
        [OK, OK2], bucket="b", prefix=None, map_run_arn=ARN, output_type="JSONL", transformation="FLATTEN"
    )
    assert objects[0]["Body"] == '1\n2\n{"v":2}\n'
    assert [o["Key"] for o in objects] == [f"{RUN_ID}/SUCCEEDED_0.json", f"{RUN_ID}/manifest.json"]
