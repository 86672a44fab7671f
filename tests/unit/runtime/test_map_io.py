"""Distributed Map ItemReader/ResultWriter through the engine, with an in-memory S3.

Sources: [REC] recorded AWS runs (LocalStack's AWS-validated ``test_map_item_reader_*``
snapshots, 21-09-2023): with an ItemReader the history is MapStateEntered, MapStateStarted
``{"length": 0}``, MapRunStarted, then MapRunSucceeded, MapStateSucceeded, MapStateExited, or on a
read failure MapRunFailed {error, cause}, MapStateFailed, ExecutionFailed (States.ItemReaderFailed).
[DOC-IR]/[DOC-RW] AWS developer guide "ItemReader (Map)" / "ResultWriter (Map)".
"""

from __future__ import annotations

import json
from typing import Any

from interpreter import Engine, VirtualClock, load_definition
from interpreter.adapters.local_runner import LocalTaskRunner

from .fake_s3 import FakeS3, map_io_runner

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:Work"
CSV = "name,qty\napple,3\npear,5\nfig,1\n"


def work(event: Any, context: Any) -> Any:
    if event.get("name") == "boom":
        raise ValueError("no such fruit")
    return {"name": event["name"], "qty": int(event["qty"]) * 2}


def dmap(reader: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work",
            "States": {"Work": {"Type": "Task", "Resource": FUNCTION, "End": True}},
        },
        "End": True,
        **fields,
    }
    if reader is not None:
        state["ItemReader"] = reader
    return {"StartAt": "Map", "States": {"Map": state}}


def csv_reader(**config: Any) -> dict[str, Any]:
    return {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", **config},
        "Parameters": {"Bucket.$": "$.bucket", "Key.$": "$.key"},
    }


def run(definition: dict[str, Any], s3: FakeS3, input: Any = None) -> Any:
    clock = VirtualClock()
    runner = LocalTaskRunner.from_handlers({"Work": work}, clock=clock, extra=[map_io_runner(s3)])
    engine = Engine(runner=runner, clock=clock)
    data = {"bucket": "in", "key": "data.csv"} if input is None else input
    return engine.run(load_definition(definition), data, name="exec", seed=3)


def events(result: Any) -> list[tuple[str, Any]]:
    out = []
    for e in result.history:
        details = next((v for k, v in e.items() if k.endswith("EventDetails")), None)
        out.append((e["type"], details))
    return out


def s3_with_csv(text: str = CSV) -> FakeS3:
    return FakeS3().bucket("in", {"data.csv": text}).bucket("out")


# ---------------------------------------------------------------------------------- reading
def test_a_csv_read_from_s3_feeds_the_iterations() -> None:
    result = run(dmap(csv_reader()), s3_with_csv())
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == [
        {"name": "apple", "qty": 6},
        {"name": "pear", "qty": 10},
        {"name": "fig", "qty": 2},
    ]
    # [REC] the history of an ItemReader Map
    assert [t for t, _ in events(result)] == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapRunStarted",
        "MapRunSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
    assert dict(events(result))["MapStateStarted"] == {"length": 0}
    arn = dict(events(result))["MapRunStarted"]["mapRunArn"]
    assert arn.startswith("arn:aws:states:us-east-1:123456789012:mapRun:StateMachine/Map:")


def test_a_read_failure_fails_the_map_run() -> None:
    # [REC] test_map_item_reader_csv_headers_decl_duplicate_headers
    result = run(dmap(csv_reader()), s3_with_csv("a,b,a\n1,2,3\n"))
    failure = {"error": "States.ItemReaderFailed", "cause": "CSV headers cannot contain duplicates."}
    assert events(result)[4:] == [
        ("MapRunFailed", failure),
        ("MapStateFailed", None),
        ("ExecutionFailed", failure),
    ]
    # ids and previous ids as recorded: 5 ← 4, 6 ← 5, 7 ← 6
    assert [(e["id"], e["previousEventId"]) for e in result.history[3:]] == [(4, 3), (5, 4), (6, 5), (7, 6)]


def test_a_missing_key_or_bucket_is_item_reader_failed_with_the_s3_error() -> None:
    # cause: S3's error as the AWS SDK for Java v2 words it (AWS's recorded aws-sdk:s3 NoSuchKey
    # cause, localstack/localstack#12139)
    result = run(dmap(csv_reader()), s3_with_csv(), {"bucket": "in", "key": "nope.csv"})
    assert (result.status, result.error) == ("FAILED", "States.ItemReaderFailed")
    assert result.cause == (
        "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: REQ1, "
        "Extended Request ID: HOST1)"
    )
    result = run(dmap(csv_reader()), s3_with_csv(), {"bucket": "gone", "key": "data.csv"})
    assert result.error == "States.ItemReaderFailed"
    assert result.cause.startswith("The specified bucket does not exist (Service: S3, Status Code: 404")


def test_item_reader_failed_can_be_caught() -> None:
    definition = dmap(csv_reader(), Catch=[{"ErrorEquals": ["States.ItemReaderFailed"], "Next": "Handled"}])
    del definition["States"]["Map"]["End"]
    definition["States"]["Map"]["Next"] = "Never"
    definition["States"]["Never"] = {"Type": "Succeed"}
    definition["States"]["Handled"] = {"Type": "Pass", "End": True}
    result = run(definition, s3_with_csv(), {"bucket": "in", "key": "nope.csv"})
    assert result.status == "SUCCEEDED"
    assert result.output["Error"] == "States.ItemReaderFailed"


def test_max_items_and_max_items_path() -> None:
    # [DOC-IR] MaxItems / MaxItemsPath (a reference path into the state input)
    result = run(dmap(csv_reader(MaxItems=2)), s3_with_csv())
    assert [o["name"] for o in result.output] == ["apple", "pear"]
    result = run(
        dmap(csv_reader(MaxItemsPath="$.limit")),
        s3_with_csv(),
        {"bucket": "in", "key": "data.csv", "limit": 1},
    )
    assert [o["name"] for o in result.output] == ["apple"]
    # [REC] test_map_item_reader_csv_max_items_paths[-1]
    result = run(
        dmap(csv_reader(MaxItemsPath="$.limit")),
        s3_with_csv(),
        {"bucket": "in", "key": "data.csv", "limit": -1},
    )
    assert (result.error, result.cause) == ("States.ItemReaderFailed", "field MaxItems must be positive")
    assert [t for t, _ in events(result)][-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]


def test_item_selector_and_item_batcher_apply_to_read_items() -> None:
    definition = dmap(
        csv_reader(),
        ItemSelector={"name.$": "$$.Map.Item.Value.name", "qty": "1", "at.$": "$$.Map.Item.Index"},
    )
    result = run(definition, s3_with_csv())
    assert result.output == [
        {"name": "apple", "qty": 2},
        {"name": "pear", "qty": 2},
        {"name": "fig", "qty": 2},
    ]

    batched = dmap(csv_reader(), ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"from.$": "$.key"}})
    batched["States"]["Map"]["ItemProcessor"]["States"]["Work"] = {"Type": "Pass", "End": True}
    result = run(batched, s3_with_csv())
    assert result.output == [
        {
            "Items": [{"name": "apple", "qty": "3"}, {"name": "pear", "qty": "5"}],
            "BatchInput": {"from": "data.csv"},
        },
        {"Items": [{"name": "fig", "qty": "1"}], "BatchInput": {"from": "data.csv"}},
    ]


def test_list_objects_v2_reads_every_page() -> None:
    s3 = FakeS3(page_size=2).bucket("in", {f"logs/f{i}.txt": "x" * i for i in range(5)})
    reader = {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket": "in", "Prefix": "logs/"},
    }
    definition = dmap(reader)
    definition["States"]["Map"]["ItemProcessor"]["States"]["Work"] = {"Type": "Pass", "End": True}
    result = run(definition, s3, {})
    assert [item["Key"] for item in result.output] == [f"logs/f{i}.txt" for i in range(5)]
    assert result.output[3] == {
        "Etag": '"etag-logs/f3.txt"',
        "Key": "logs/f3.txt",
        "LastModified": 1695305237,
        "Size": 3,
        "StorageClass": "STANDARD",
    }
    reader["ReaderConfig"] = {"MaxItems": 3}
    s3.calls.clear()
    result = run(definition, s3, {})
    assert len(result.output) == 3
    assert len(s3.calls) == 2  # stopped paging once MaxItems objects were listed


def test_jsonata_arguments_and_max_items_expression() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Map",
        "States": {
            "Map": {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSON", "MaxItems": "{% $states.input.limit %}"},
                    "Arguments": {"Bucket": "{% $states.input.bucket %}", "Key": "items.json"},
                },
                "ItemSelector": {"n": "{% $states.context.Map.Item.Value.n * 10 %}"},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "Output": "{% $count($states.result) %}",
                "End": True,
            }
        },
    }
    s3 = FakeS3().bucket("in", {"items.json": json.dumps([{"n": 1}, {"n": 2}, {"n": 3}])})
    result = run(definition, s3, {"bucket": "in", "limit": 2})
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == 2


def test_items_pointer_and_jsonl() -> None:
    s3 = FakeS3().bucket(
        "in",
        {
            "doc.json": json.dumps({"data": {"rows": [{"name": "kiwi", "qty": 4}]}}),
            "rows.jsonl": '{"name":"fig","qty":1}\n',
        },
    )
    pointer = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON", "ItemsPointer": "/data/rows"},
        "Parameters": {"Bucket": "in", "Key": "doc.json"},
    }
    assert run(dmap(pointer), s3, {}).output == [{"name": "kiwi", "qty": 8}]
    lines = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSONL"},
        "Parameters": {"Bucket": "in", "Key": "rows.jsonl"},
    }
    assert run(dmap(lines), s3, {}).output == [{"name": "fig", "qty": 2}]


def test_without_an_aws_runner_the_read_fails_as_unsupported() -> None:
    clock = VirtualClock()
    engine = Engine(runner=LocalTaskRunner.from_handlers({"Work": work}, clock=clock), clock=clock)
    result = engine.run(load_definition(dmap(csv_reader())), {"bucket": "in", "key": "data.csv"})
    assert result.error == "States.Runtime"
    assert "arn:aws:states:::s3:getObject" in result.cause


# ---------------------------------------------------------------------------------- writing
def writer(**config: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "out", "Prefix": "results"},
    }
    if config:
        out["WriterConfig"] = config
    return out


def test_results_exported_to_s3() -> None:
    # [DOC-RW] manifest.json + SUCCEEDED_0.json under <Prefix>/<map run id>/, the state's result
    # {"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}
    s3 = s3_with_csv()
    result = run(dmap(csv_reader(), ResultWriter=writer()), s3)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    arn = dict(events(result))["MapRunStarted"]["mapRunArn"]
    run_id = arn.rsplit(":", 1)[1]
    key = f"results/{run_id}/manifest.json"
    assert result.output == {"MapRunArn": arn, "ResultWriterDetails": {"Bucket": "out", "Key": key}}
    manifest = json.loads(s3.text("out", key))
    succeeded = f"results/{run_id}/SUCCEEDED_0.json"
    assert manifest == {
        "DestinationBucket": "out",
        "MapRunArn": arn,
        "ResultFiles": {
            "FAILED": [],
            "PENDING": [],
            "SUCCEEDED": [{"Key": succeeded, "Size": len(s3.buckets["out"][succeeded])}],
        },
    }
    records = json.loads(s3.text("out", succeeded))
    assert [json.loads(r["Output"]) for r in records] == [
        {"name": "apple", "qty": 6},
        {"name": "pear", "qty": 10},
        {"name": "fig", "qty": 2},
    ]
    first = records[0]
    assert json.loads(first["Input"]) == {"name": "apple", "qty": "3"}
    assert first["Status"] == "SUCCEEDED"
    assert first["StateMachineArn"] == "arn:aws:states:us-east-1:123456789012:stateMachine:StateMachine/Map"
    assert first["ExecutionArn"].startswith(
        "arn:aws:states:us-east-1:123456789012:execution:StateMachine/Map:"
    )
    assert first["InputDetails"] == first["OutputDetails"] == {"Included": True}
    # the write is part of the Map Run: MapRunSucceeded comes after it
    assert [t for t, _ in events(result)][3:6] == ["MapRunStarted", "MapRunSucceeded", "MapStateSucceeded"]


def test_tolerated_failures_go_to_the_failed_file_compact_jsonl() -> None:
    s3 = s3_with_csv("name,qty\napple,3\nboom,0\nfig,1\n")
    definition = dmap(
        csv_reader(),
        ToleratedFailureCount=1,
        ResultWriter=writer(Transformation="COMPACT", OutputType="JSONL"),
    )
    result = run(definition, s3)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    folder = result.output["ResultWriterDetails"]["Key"].rsplit("/", 1)[0]
    succeeded = s3.text("out", f"{folder}/SUCCEEDED_0.json").splitlines()
    assert [json.loads(line) for line in succeeded] == [
        {"name": "apple", "qty": 6},
        {"name": "fig", "qty": 2},
    ]
    failed = [json.loads(line) for line in s3.text("out", f"{folder}/FAILED_0.json").splitlines()]
    # [DOC-RW] a failed child keeps its NONE record whatever the transformation
    assert failed[0]["Status"] == "FAILED"
    assert failed[0]["Error"] == "ValueError"
    assert json.loads(failed[0]["Input"]) == {"name": "boom", "qty": "0"}
    manifest = json.loads(s3.text("out", f"{folder}/manifest.json"))
    assert [f["Key"] for f in manifest["ResultFiles"]["FAILED"]] == [f"{folder}/FAILED_0.json"]


def test_writer_config_alone_formats_the_state_output() -> None:
    # [DOC-RW] "WriterConfig only": the transformation applies to the state output, nothing is exported
    definition = dmap(
        csv_reader(), ResultWriter={"WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSON"}}
    )
    definition["States"]["Map"]["ItemProcessor"]["States"]["Work"] = {
        "Type": "Pass",
        "Parameters": {"pair.$": "States.Array($.name, $.qty)"},
        "OutputPath": "$.pair",
        "End": True,
    }
    s3 = s3_with_csv()
    result = run(definition, s3)
    assert result.output == ["apple", "3", "pear", "5", "fig", "1"]
    assert s3.buckets["out"] == {}


def test_a_missing_destination_bucket_is_result_writer_failed() -> None:
    definition = dmap(csv_reader(), ResultWriter=writer())
    definition["States"]["Map"]["ResultWriter"]["Parameters"]["Bucket"] = "gone"
    result = run(definition, s3_with_csv())
    assert (result.status, result.error) == ("FAILED", "States.ResultWriterFailed")
    assert result.cause.startswith("The specified bucket does not exist (Service: S3")
    assert [t for t, _ in events(result)][-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]


def test_results_from_the_state_input_can_be_exported_too() -> None:
    definition = dmap(None, ItemsPath="$.items", ResultWriter=writer(Transformation="NONE"))
    s3 = FakeS3().bucket("out")
    result = run(definition, s3, {"items": [{"name": "a", "qty": 1}]})
    key = result.output["ResultWriterDetails"]["Key"]
    assert key.startswith("results/") and key.endswith("/manifest.json")
    assert dict(events(result))["MapStateStarted"] == {"length": 1}


def test_a_failed_map_run_writes_its_results_then_fails() -> None:
    # [DOC-RW] PENDING_n.json: the child executions a failed Map Run never started
    s3 = s3_with_csv("name,qty\napple,3\nboom,0\nfig,1\nkiwi,2\n")
    definition = dmap(csv_reader(), MaxConcurrency=1, ResultWriter=writer())
    result = run(definition, s3)
    assert (result.status, result.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    assert [t for t, _ in events(result)][-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]
    (manifest_key,) = [k for k in s3.buckets["out"] if k.endswith("manifest.json")]
    files = json.loads(s3.text("out", manifest_key))["ResultFiles"]
    read = {status: json.loads(s3.text("out", f["Key"])) for status, (f,) in files.items()}
    assert [json.loads(r["Output"])["name"] for r in read["SUCCEEDED"]] == ["apple"]
    assert [(r["Status"], r["Error"]) for r in read["FAILED"]] == [("FAILED", "ValueError")]
    assert [(json.loads(r.pop("Input")), r) for r in read["PENDING"]] == [
        ({"name": "fig", "qty": "1"}, {"InputDetails": {"Included": True}, "Status": "PENDING"}),
        ({"name": "kiwi", "qty": "2"}, {"InputDetails": {"Included": True}, "Status": "PENDING"}),
    ]


def test_children_still_running_when_the_map_run_fails_are_written_as_aborted() -> None:
    s3 = s3_with_csv("name,qty\nslow,1\nboom,0\n")
    definition = dmap(csv_reader(), ResultWriter=writer())
    definition["States"]["Map"]["ItemProcessor"]["StartAt"] = "Which"
    definition["States"]["Map"]["ItemProcessor"]["States"] = {
        "Which": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.name", "StringEquals": "boom", "Next": "Boom"}],
            "Default": "Slow",
        },
        "Boom": {"Type": "Fail", "Error": "Boom", "Cause": "bad row"},
        "Slow": {"Type": "Wait", "Seconds": 60, "End": True},
    }
    result = run(definition, s3)
    assert result.error == "States.ExceedToleratedFailureThreshold"
    (manifest_key,) = [k for k in s3.buckets["out"] if k.endswith("manifest.json")]
    files = json.loads(s3.text("out", manifest_key))["ResultFiles"]
    assert files["SUCCEEDED"] == files["PENDING"] == []
    failed = json.loads(s3.text("out", files["FAILED"][0]["Key"]))
    assert [(r["Status"], r.get("Error")) for r in failed] == [("ABORTED", None), ("FAILED", "Boom")]


def test_a_retried_read_reads_again() -> None:
    s3 = s3_with_csv()
    definition = dmap(csv_reader(), Retry=[{"ErrorEquals": ["States.ItemReaderFailed"], "MaxAttempts": 1}])
    result = run(definition, s3, {"bucket": "in", "key": "later.csv"})
    assert result.error == "States.ItemReaderFailed"
    assert [t for t, _ in events(result)].count("MapRunFailed") == 2
    assert s3.calls == ["get_object in/later.csv", "get_object in/later.csv"]


def test_the_event_after_map_state_succeeded_follows_the_one_before_it() -> None:
    # [REC] test_map_state_break_condition (INLINE): MapIterationSucceeded #37, MapStateSucceeded
    # #38 ← 37, MapStateExited #39 ← 37; the same for DISTRIBUTED (..._csv_headers_first_line)
    inline = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    result = run(inline, FakeS3(), [1, 2])
    chain = {e["type"]: (e["id"], e["previousEventId"]) for e in result.history}
    last_iteration = max(e["id"] for e in result.history if e["type"] == "MapIterationSucceeded")
    assert chain["MapStateSucceeded"] == (last_iteration + 1, last_iteration)
    assert chain["MapStateExited"] == (last_iteration + 2, last_iteration)
