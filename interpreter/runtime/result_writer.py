"""Distributed Map ResultWriter: the child executions' results as Step Functions exports them.

Pure: the core builds the objects to write (``export_objects``) and the task runner only puts
them in S3. Source: AWS developer guide "ResultWriter (Map)":

* ``WriterConfig.Transformation``: ``NONE`` gives each child execution's record (its metadata
  with ``Input``/``Output`` as JSON text) and is the default when exporting to S3; ``COMPACT``
  gives the child outputs (the default without a ResultWriter); ``FLATTEN`` gives the child
  outputs with array outputs spliced in. A failed child execution keeps its ``NONE`` record
  whatever the transformation.
* ``WriterConfig.OutputType``: ``JSON`` (a JSON array) or ``JSONL`` (JSON Lines).
* Exporting to S3 (``arn:aws:states:::s3:putObject``, ``Parameters`` {Bucket, Prefix}): under
  ``<Prefix>/<map run id>/`` the files ``SUCCEEDED_<n>.json``, ``FAILED_<n>.json`` and
  ``PENDING_<n>.json`` (child executions by status; PENDING ones never ran because the Map Run
  failed) and ``manifest.json`` = ``{"DestinationBucket", "MapRunArn", "ResultFiles": {"FAILED":
  [{"Key", "Size"}], "PENDING": [...], "SUCCEEDED": [...]}}``; the Map state's result is then
  ``{"MapRunArn": ..., "ResultWriterDetails": {"Bucket": ..., "Key": <manifest key>}}``.
* ``WriterConfig`` without ``Resource``/``Parameters`` formats the state output without exporting.

A run (one child execution) is recorded by the Map as JSON-able data: ``{"status", "input",
"output" | "error"/"cause", "start", "stop"}`` (dates as text).
"""

from __future__ import annotations

import uuid
from typing import Any

from .jsontext import dumps_compact

SUCCEEDED, FAILED, PENDING = "SUCCEEDED", "FAILED", "PENDING"
_NAMESPACE = uuid.UUID("5f0d6a4e-7a3c-4cd2-9a53-3d4ad2b1c0e7")


def map_run_id(map_run_arn: str) -> str:
    """The id that ends a Map Run ARN (``...:mapRun:Machine/Label:<id>``)."""
    return map_run_arn.rsplit(":", 1)[-1]


def child_name(map_run_arn: str, index: int) -> str:
    """A stable name for child execution ``index`` of a Map Run (a UUID, as AWS names them)."""
    return str(uuid.uuid5(_NAMESPACE, f"{map_run_arn}#{index}"))


def child_record(run: dict[str, Any], index: int, *, map_run_arn: str) -> dict[str, Any]:
    """The ``NONE`` record of a child execution: its DescribeExecution-like metadata."""
    # arn:aws:states:R:A:mapRun:Machine/Label:id → child machine arn:...:stateMachine:Machine/Label
    head, _, _ = map_run_arn.rpartition(":")
    machine_arn = head.replace(":mapRun:", ":stateMachine:", 1)
    name = child_name(map_run_arn, index)
    status = run.get("status", PENDING)
    record: dict[str, Any] = {}
    if status != PENDING:
        record["ExecutionArn"] = head.replace(":mapRun:", ":execution:", 1) + f":{name}"
    record["Input"] = dumps_compact(run.get("input"))
    record["InputDetails"] = {"Included": True}
    if status == PENDING:
        record["Status"] = PENDING
        return record
    record["Name"] = name
    if status == SUCCEEDED:
        record["Output"] = dumps_compact(run.get("output"))
        record["OutputDetails"] = {"Included": True}
        record["RedriveCount"] = 0
        record["RedriveStatus"] = "NOT_REDRIVABLE"
        record["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
    else:
        if run.get("error") is not None:
            record["Error"] = run["error"]
        if run.get("cause") is not None:
            record["Cause"] = run["cause"]
        record["RedriveCount"] = 0
        record["RedriveStatus"] = "REDRIVABLE_BY_MAP_RUN"
    record["StartDate"] = run.get("start")
    record["StateMachineArn"] = machine_arn
    record["Status"] = status
    record["StopDate"] = run.get("stop")
    return record


def _outputs(runs: list[tuple[int, dict[str, Any]]], transformation: str, map_run_arn: str) -> list[Any]:
    out: list[Any] = []
    for index, run in runs:
        if transformation == "NONE" or run.get("status") != SUCCEEDED:
            out.append(child_record(run, index, map_run_arn=map_run_arn))
        elif transformation == "FLATTEN" and type(run.get("output")) is list:
            out.extend(run["output"])
        else:
            out.append(run.get("output"))
    return out


def transformed_results(
    runs: list[dict[str, Any]], transformation: str | None, *, map_run_arn: str
) -> list[Any]:
    """The Map's result with a ``WriterConfig`` and no export (all runs, in item order)."""
    return _outputs(list(enumerate(runs)), transformation or "COMPACT", map_run_arn)


def encode(elements: list[Any], output_type: str | None) -> str:
    if output_type == "JSONL":
        return "".join(dumps_compact(element) + "\n" for element in elements)
    return dumps_compact(elements)


def manifest_key(prefix: str | None, map_run_arn: str) -> str:
    return f"{_folder(prefix, map_run_arn)}manifest.json"


def _folder(prefix: str | None, map_run_arn: str) -> str:
    prefix = prefix or ""
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return f"{prefix}{map_run_id(map_run_arn)}/"


def export_objects(
    runs: list[dict[str, Any]],
    *,
    bucket: str,
    prefix: str | None,
    map_run_arn: str,
    output_type: str | None = None,
    transformation: str | None = None,
) -> list[dict[str, str]]:
    """The S3 objects a ResultWriter puts, ``[{"Key", "Body"}]``, the manifest last."""
    folder = _folder(prefix, map_run_arn)
    transformation = transformation or "NONE"
    objects: list[dict[str, str]] = []
    files: dict[str, list[dict[str, Any]]] = {FAILED: [], PENDING: [], SUCCEEDED: []}
    for status in (SUCCEEDED, FAILED, PENDING):
        selected = [(i, run) for i, run in enumerate(runs) if _file_of(run) == status]
        if not selected:
            continue
        body = encode(_outputs(selected, transformation, map_run_arn), output_type)
        key = f"{folder}{status}_0.json"
        objects.append({"Key": key, "Body": body})
        files[status].append({"Key": key, "Size": len(body.encode("utf-8"))})
    manifest = {"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": files}
    objects.append({"Key": f"{folder}manifest.json", "Body": dumps_compact(manifest)})
    return objects


def _file_of(run: dict[str, Any]) -> str:
    """The result file of a run: SUCCEEDED, PENDING (never started), else FAILED (failed, or
    aborted when the Map Run failed)."""
    status = run.get("status", PENDING)
    return status if status in (SUCCEEDED, PENDING) else FAILED


def writer_output(map_run_arn: str, bucket: str, prefix: str | None) -> dict[str, Any]:
    """The Map state's result once the results are exported."""
    return {
        "MapRunArn": map_run_arn,
        "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key(prefix, map_run_arn)},
    }


__all__ = [
    "FAILED",
    "PENDING",
    "SUCCEEDED",
    "child_name",
    "child_record",
    "encode",
    "export_objects",
    "manifest_key",
    "map_run_id",
    "transformed_results",
    "writer_output",
]
