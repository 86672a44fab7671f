"""``MapIORunner``: the S3 calls of a Distributed Map's ItemReader and ResultWriter, through boto3.

It claims only the reader/writer effects of a Map state (``runtime.states.map_io``: resources of
kind ``map_reader`` / ``map_writer``), never a Task state's ``s3`` or ``aws-sdk:s3`` resource:

* ``arn:aws:states:::s3:getObject``: the object's text → ``{"Body": text}`` (the core parses it);
* ``arn:aws:states:::s3:listObjectsV2``: every page, up to ``MaxItems`` objects →
  ``{"Contents": [{"Key", "ETag", "LastModified" (epoch seconds), "Size", "StorageClass"}]}``;
* ``arn:aws:states:::s3:putObject``: the objects the core built (result files, then the manifest).

A failed call fails the Map with ``States.ItemReaderFailed`` / ``States.ResultWriterFailed`` and
the S3 error as the AWS SDK for Java v2 words it (``The specified key does not exist. (Service:
S3, Status Code: 404, Request ID: ..., Extended Request ID: ...)``, the form AWS records for
``aws-sdk:s3`` tasks); AWS has no public recording of these causes for the ItemReader itself.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from ...errors import StatesErrorName
from ...runtime.states.map_io import READER, WRITER
from ..task_outcome import TaskOutcome
from .errors import sdk_style

ITEM_READER_FAILED = StatesErrorName.ITEM_READER_FAILED.value
RESULT_WRITER_FAILED = StatesErrorName.RESULT_WRITER_FAILED.value
_S3 = sdk_style("S3", "rest-xml")


class MapIORunner:
    """Performs ItemReader/ResultWriter effects with an S3 client of ``session``."""

    def __init__(self, session: boto3.Session, *, region: str | None = None) -> None:
        self.session = session
        self.region = region or session.region_name or "us-east-1"
        self._client: Any = None
        self._lock = threading.Lock()

    def claims(self, task: Any) -> bool:
        return getattr(task.resource, "kind", None) in (READER, WRITER)

    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self.session.client("s3", region_name=self.region)
            return self._client

    def run(self, task: Any, *, request_id: str, now: datetime) -> TaskOutcome:
        resource = task.resource
        reading = resource.kind == READER
        error = ITEM_READER_FAILED if reading else RESULT_WRITER_FAILED
        try:
            if reading:
                return self._read(resource, task.payload)
            return self._write(resource, task.payload)
        except ClientError as exc:
            return TaskOutcome.failure(error, s3_cause(exc))
        except (BotoCoreError, UnicodeDecodeError, TypeError, ValueError) as exc:
            return TaskOutcome.failure(error, str(exc))

    # ------------------------------------------------------------------ reading
    def _read(self, resource: Any, payload: dict[str, Any]) -> TaskOutcome:
        parameters = dict(payload.get("Parameters") or {})
        action = resource.action
        if resource.service == "s3" and action == "getObject":
            response = self.client().get_object(**parameters)
            return TaskOutcome.success({"Body": response["Body"].read().decode("utf-8")})
        if resource.service == "s3" and action == "listObjectsV2":
            return TaskOutcome.success({"Contents": self._list(parameters, payload.get("MaxItems"))})
        return TaskOutcome.failure(
            ITEM_READER_FAILED, f"The ItemReader resource {resource.raw} is not supported by this local run."
        )

    def _list(self, parameters: dict[str, Any], max_items: int | None) -> list[dict[str, Any]]:
        client = self.client()
        contents: list[dict[str, Any]] = []
        while True:
            response = client.list_objects_v2(**parameters)
            for obj in response.get("Contents", ()):
                contents.append(
                    {
                        "Key": obj["Key"],
                        "ETag": obj.get("ETag"),
                        "LastModified": int(obj["LastModified"].timestamp()),
                        "Size": obj.get("Size"),
                        "StorageClass": obj.get("StorageClass", "STANDARD"),
                    }
                )
                if max_items is not None and len(contents) >= max_items:
                    return contents
            token = response.get("NextContinuationToken")
            if not response.get("IsTruncated") or not token:
                return contents
            parameters["ContinuationToken"] = token

    # ------------------------------------------------------------------ writing
    def _write(self, resource: Any, payload: dict[str, Any]) -> TaskOutcome:
        if resource.service != "s3" or resource.action != "putObject":
            return TaskOutcome.failure(
                RESULT_WRITER_FAILED,
                f"The ResultWriter resource {resource.raw} is not supported by this local run.",
            )
        client = self.client()
        for obj in payload["Objects"]:
            client.put_object(
                Bucket=payload["Bucket"],
                Key=obj["Key"],
                Body=obj["Body"].encode("utf-8"),
                ContentType="application/json",
            )
        return TaskOutcome.success({})


def s3_cause(exc: ClientError) -> str:
    """An S3 error as the AWS SDK for Java v2 prints it."""
    error = exc.response.get("Error", {})
    meta = exc.response.get("ResponseMetadata", {})
    message = str(error.get("Message") or error.get("Code") or "")
    return _S3.cause(
        message,
        status=int(meta.get("HTTPStatusCode") or 400),
        code=str(error.get("Code") or ""),
        request_id=str(meta.get("RequestId") or error.get("RequestId") or ""),
        host_id=meta.get("HostId") or error.get("HostId"),
    )


__all__ = ["MapIORunner", "s3_cause"]
