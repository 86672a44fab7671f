"""The serverless deployment in one process, against moto: what the tests of ``interpreter.serverless``
and its Lambda handlers (``functions/stepfn_*.py``) drive.

``ServerlessStack`` creates the DynamoDB table (``DynamoDbStore(create=True)``), the SQS work queue
with a dead-letter queue (redrive policy, ``maxReceiveCount``), wires the functions
(``wiring.configure``: a boto3 session on moto, a task runner of in-process handlers, a virtual
clock) and plays the parts AWS plays:

* API Gateway: ``call(operation, request)`` sends an HTTP API payload 2.0 event to the API function's
  handler and returns (status, body);
* Lambda's SQS event source mapping: ``drain()`` receives up to ``batch_size`` messages, invokes the
  worker handler with an SQS event, deletes the records not listed in ``batchItemFailures`` (those
  become visible again after the visibility timeout), until the queue is empty;
* time: moto's SQS reads the test's virtual clock (``DelaySeconds`` and visibility timeouts are
  virtual), and when no message is visible ``drain`` moves the clock to the moment the next one is.

Nothing sleeps.
"""

from __future__ import annotations

import io
import json
import logging
import os
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import moto.core.utils
import moto.sqs.models
from moto.sqs.models import sqs_backends

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.stores.dynamodb import DynamoDbStore
from interpreter.serverless import wiring

# the handlers' Powertools Tracer is built at import: no X-Ray daemon here
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "stepfn")

FUNCTIONS_DIR = str(Path(__file__).resolve().parents[1] / "functions")
if FUNCTIONS_DIR not in sys.path:
    sys.path.insert(0, FUNCTIONS_DIR)

REGION = "us-east-1"
ACCOUNT = "123456789012"
TABLE = "stepfn"
QUEUE = "stepfn-work"
DLQ = "stepfn-dead-letters"
FAKE_CREDENTIALS = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
    "aws_session_token": "testing",
}


@dataclass
class FakeContext:
    function_name: str = "StepfnWorkerFunction"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:StepfnWorkerFunction"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


def virtual_sqs_time(monkeypatch: Any, clock: VirtualClock) -> None:
    """Make moto's SQS (delays, visibility timeouts, receive times) read ``clock``."""
    monkeypatch.setattr(moto.sqs.models, "unix_time", lambda dt=None: clock.now().timestamp())
    monkeypatch.setattr(moto.sqs.models, "unix_time_millis", lambda dt=None: clock.now().timestamp() * 1000)
    assert moto.core.utils  # the originals stay for every other service


@dataclass
class Batch:
    """One worker invocation: the records sent, the response, what it raised."""

    message_ids: list[str]
    bodies: list[str]
    response: dict[str, Any] | None


class ServerlessStack:
    def __init__(
        self,
        *,
        runner: Any,
        clock: VirtualClock,
        batch_size: int = 10,
        max_receive_count: int = 3,
        visibility_timeout: int = 60,
        worker_threads: int = 1,
        scheduler_role_arn: str | None = None,
    ) -> None:
        self.clock = clock
        self.batch_size = batch_size
        self.session = boto3.Session(region_name=REGION, **FAKE_CREDENTIALS)
        self.sqs = self.session.client("sqs")
        DynamoDbStore(TABLE, client=self.session.client("dynamodb"), create=True)
        dlq_url = self.sqs.create_queue(QueueName=DLQ)["QueueUrl"]
        dlq_arn = self.sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.queue_url = self.sqs.create_queue(
            QueueName=QUEUE,
            Attributes={
                "VisibilityTimeout": str(visibility_timeout),
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive_count)}
                ),
            },
        )["QueueUrl"]
        self.dlq_url = dlq_url
        self.settings = wiring.Settings(
            table=TABLE,
            queue_url=self.queue_url,
            region=REGION,
            account=ACCOUNT,
            queue_arn=f"arn:aws:sqs:{REGION}:{ACCOUNT}:{QUEUE}",
            scheduler_role_arn=scheduler_role_arn,
            worker_threads=worker_threads,
        )
        wiring.configure(session=self.session, runner=runner, clock=clock, settings=self.settings)
        import stepfn_api
        import stepfn_worker

        self.api_handler = stepfn_api.handler
        self.worker_handler = stepfn_worker.handler
        # the worker's log lines as Powertools writes them (JSON, with the keys appended per record)
        self._log_stream = io.StringIO()
        self._log_handler = logging.StreamHandler(self._log_stream)
        self._log_handler.setFormatter(stepfn_worker.logger.registered_formatter)
        self._logger = logging.getLogger(stepfn_worker.logger.name)
        self._logger.addHandler(self._log_handler)
        self.batches: list[Batch] = []
        self.crash_after: int | None = None  # make the next worker invocation fail after N records
        self.on_batch: Callable[[list[dict[str, Any]]], None] | None = None

    # ------------------------------------------------------------------ API Gateway
    def http(self, operation: str, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        event = http_event(operation, request)
        answer = self.api_handler(event, FakeContext(function_name="StepfnApiFunction"))
        return answer["statusCode"], json.loads(answer["body"])

    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        status, body = self.http(operation, request)
        assert status == 200, (operation, status, body)
        return body

    def create_machine(self, name: str, definition: str | dict[str, Any], *, type: str = "STANDARD") -> str:
        text = definition if isinstance(definition, str) else json.dumps(definition)
        body = self.call(
            "CreateStateMachine",
            {
                "name": name,
                "definition": text,
                "roleArn": f"arn:aws:iam::{ACCOUNT}:role/StepFunctionsRole",
                "type": type,
            },
        )
        return str(body["stateMachineArn"])

    def start(self, machine_arn: str, input: Any, *, name: str | None = None) -> str:
        request: dict[str, Any] = {"stateMachineArn": machine_arn, "input": json.dumps(input)}
        if name is not None:
            request["name"] = name
        return str(self.call("StartExecution", request)["executionArn"])

    def describe(self, arn: str) -> dict[str, Any]:
        return self.call("DescribeExecution", {"executionArn": arn})

    def history(self, arn: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        token = None
        while True:
            request: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
            if token:
                request["nextToken"] = token
            page = self.call("GetExecutionHistory", request)
            events.extend(page["events"])
            token = page.get("nextToken")
            if not token:
                return events

    # ------------------------------------------------------------------ the event source mapping
    def receive(self) -> list[dict[str, Any]]:
        answer = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            MessageSystemAttributeNames=["All"],
            WaitTimeSeconds=0,
        )
        return list(answer.get("Messages") or [])

    def invoke_worker(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """One worker invocation with ``messages`` as its SQS event; deletes what succeeded."""
        event = sqs_event(messages)
        if self.on_batch is not None:
            self.on_batch(messages)
        response: dict[str, Any] | None = None
        try:
            response = self.worker_handler(event, FakeContext())
        finally:
            self.batches.append(
                Batch([m["MessageId"] for m in messages], [m["Body"] for m in messages], response)
            )
        failed = {item["itemIdentifier"] for item in (response or {}).get("batchItemFailures", [])}
        for message in messages:
            if message["MessageId"] not in failed:
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return response or {}

    def drain(
        self, *, until: Callable[[], bool] | None = None, max_batches: int = 10_000, advance: bool = True
    ) -> int:
        """Feed the worker until the queue is empty (or ``until()``); the batches it took. With
        ``advance`` False, stop when no message is visible now instead of moving the clock."""
        taken = 0
        while taken < max_batches:
            if until is not None and until():
                return taken
            messages = self.receive()
            if not messages:
                moment = self.next_visible() if advance else None
                if moment is None:
                    return taken
                self.clock.sleep_until(moment)
                continue
            self.invoke_worker(messages)
            taken += 1
        raise AssertionError(f"the queue did not drain in {max_batches} worker invocations")

    def next_visible(self) -> datetime | None:
        """When the next message of the work queue becomes visible (delayed or in flight)."""
        queue = sqs_backends[ACCOUNT][REGION].queues[QUEUE]
        # moto: visible once now > visible_at (in flight), and now >= delayed_until (DelaySeconds)
        times = [max(m.delayed_until, m.visible_at + 1 if m.visible_at else 0) for m in queue._messages]
        if not times:
            return None
        return datetime.fromtimestamp(min(times) / 1000.0, tz=self.clock.now().tzinfo)

    def queued_bodies(self) -> list[str]:
        return [m.body for m in sqs_backends[ACCOUNT][REGION].queues[QUEUE]._messages]

    def dead_letters(self) -> list[str]:
        return [m.body for m in sqs_backends[ACCOUNT][REGION].queues[DLQ]._messages]

    # ------------------------------------------------------------------ measuring
    @property
    def writes(self) -> int:
        """DynamoDB write calls made by the API and worker functions' stores."""
        return sum(runtime.store.writes for runtime in _runtimes())

    @property
    def messages_sent(self) -> int:
        return sum(runtime.dispatcher.sent for runtime in _runtimes())

    def worker_logs(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self._log_stream.getvalue().splitlines() if line.startswith("{")]

    def close(self) -> None:
        self._logger.removeHandler(self._log_handler)
        wiring.reset()


def _runtimes() -> list[wiring.Runtime]:
    return list(wiring.runtimes().values())


def http_event(operation: str, request: dict[str, Any]) -> dict[str, Any]:
    """An API Gateway HTTP API (payload format 2.0) event for an AWS JSON 1.0 call."""
    body = json.dumps(request)
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/",
        "rawQueryString": "",
        "headers": {
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": f"AWSStepFunctions.{operation}",
            "host": "abc123.execute-api.us-east-1.amazonaws.com",
        },
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "abc123",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "http": {"method": "POST", "path": "/", "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1"},
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
        },
        "body": body,
        "isBase64Encoded": False,
    }


def sqs_event(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The event Lambda's SQS event source mapping sends for received ``messages``."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": dict(m.get("Attributes") or {}),
                "messageAttributes": {},
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{QUEUE}",
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }
