"""An in-memory S3 for the Map ItemReader/ResultWriter runner: a real fake of the three calls it
makes (``get_object``, ``list_objects_v2`` with pages of ``page_size``, ``put_object``), raising
botocore's ``ClientError`` with S3's codes and messages for a missing bucket or key."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from interpreter.adapters.aws.map_io import MapIORunner

MODIFIED = datetime(2023, 9, 21, 14, 7, 17, tzinfo=UTC)
_MESSAGES = {
    "NoSuchBucket": "The specified bucket does not exist",
    "NoSuchKey": "The specified key does not exist.",
}


def _error(code: str, operation: str) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": _MESSAGES[code]},
        "ResponseMetadata": {"HTTPStatusCode": 404, "RequestId": "REQ1", "HostId": "HOST1"},
    }
    return ClientError(response, operation)


class FakeS3:
    region_name = "us-east-1"

    def __init__(self, page_size: int = 1000) -> None:
        self.buckets: dict[str, dict[str, bytes]] = {}
        self.page_size = page_size
        self.calls: list[str] = []

    # the boto3.Session / client surface MapIORunner uses
    def client(self, name: str, region_name: str | None = None) -> FakeS3:
        assert name == "s3"
        return self

    def bucket(self, name: str, objects: dict[str, str] | None = None) -> FakeS3:
        self.buckets[name] = {key: body.encode() for key, body in (objects or {}).items()}
        return self

    def text(self, bucket: str, key: str) -> str:
        return self.buckets[bucket][key].decode()

    def get_object(self, *, Bucket: str, Key: str, **_: Any) -> dict[str, Any]:
        self.calls.append(f"get_object {Bucket}/{Key}")
        if Bucket not in self.buckets:
            raise _error("NoSuchBucket", "GetObject")
        if Key not in self.buckets[Bucket]:
            raise _error("NoSuchKey", "GetObject")
        return {"Body": io.BytesIO(self.buckets[Bucket][Key])}

    def list_objects_v2(
        self, *, Bucket: str, Prefix: str = "", ContinuationToken: str | None = None, **_: Any
    ) -> dict[str, Any]:
        self.calls.append(f"list_objects_v2 {Bucket} {ContinuationToken}")
        if Bucket not in self.buckets:
            raise _error("NoSuchBucket", "ListObjectsV2")
        keys = sorted(k for k in self.buckets[Bucket] if k.startswith(Prefix))
        start = int(ContinuationToken or 0)
        page = keys[start : start + self.page_size]
        out: dict[str, Any] = {
            "Contents": [
                {
                    "Key": key,
                    "ETag": f'"etag-{key}"',
                    "LastModified": MODIFIED,
                    "Size": len(self.buckets[Bucket][key]),
                    "StorageClass": "STANDARD",
                }
                for key in page
            ],
            "IsTruncated": start + self.page_size < len(keys),
        }
        if out["IsTruncated"]:
            out["NextContinuationToken"] = str(start + self.page_size)
        return out

    def put_object(self, *, Bucket: str, Key: str, Body: bytes, **_: Any) -> dict[str, Any]:
        self.calls.append(f"put_object {Bucket}/{Key}")
        if Bucket not in self.buckets:
            raise _error("NoSuchBucket", "PutObject")
        self.buckets[Bucket][Key] = Body
        return {}


def map_io_runner(s3: FakeS3) -> MapIORunner:
    return MapIORunner(s3)  # type: ignore[arg-type]
