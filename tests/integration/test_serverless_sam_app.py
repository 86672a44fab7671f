"""The SAM app's AWS-integration workflows (``template.yaml``) on the serverless engine have the
local engine's history, event for event (issue 6).

``test_serverless_e2e.py`` compares the Lambda-only examples (ETL, nightly training, order
fulfilment). Here the workflows whose tasks are Step Functions' DynamoDB, SQS, SNS and S3
integrations: ``support_ticket.asl.json`` and ``ticket_import.asl.json`` (a distributed Map over a
CSV in S3 whose items run the support workflow as nested ``startExecution.sync:2`` executions).

Inside one moto context, each test

1. provisions the template's resources as ``stepfn run --template`` does (``interpreter.sam.prepare``
   with ``create=True``: tables, queues, topic + subscription, bucket; the seed file, if any);
2. runs the workflow locally: ``Workflows`` on a ``MemoryStore`` with the template's handlers and
   the moto-backed AWS service runner (``AwsHandle.attach``: DynamoDB/SQS/SNS tasks, the Map's
   ItemReader/ResultWriter), the template's other state machines stored for nested executions,
   as ``stepfn run --template`` stores them;
3. deletes and re-creates the app's resources (and re-seeds), so the second run sees the data the
   first one saw (the tickets table, the idempotency records, the queues, the bucket);
4. runs it through the serverless path (``tests/serverless_stack.py``): ``CreateStateMachine`` and
   ``StartExecution`` through the API function's handler, the worker handler fed from the SQS work
   queue, the worker's task runner built the same way as in 2;
5. compares the histories (the parent's and every nested execution's), the outcome and what the
   runs left behind (the tickets table; the ResultWriter's files).

What the comparison normalises (``Normaliser``), and nothing else:

* event timestamps (dropped, as in ``test_serverless_e2e.py``);
* values moto makes up per call, in the responses of the AWS service tasks (``TaskSucceeded``
  outputs whose ``resourceType`` is not ``lambda``) and the causes of their failures:
  ``MessageId`` (SQS and SNS, random UUIDs), ``SequenceNumber`` (the FIFO queue's), request ids
  (``SdkResponseMetadata.RequestId``, the ``x-amzn-RequestId`` header, ``Request ID: ...`` in
  an error's cause). Each becomes a numbered placeholder (``<MessageId-2>``) in order of first
  appearance, replaced wherever the value occurs: the SNS message id the workflow carries on
  (``notification_id`` in ``UpdateTicket``'s parameters, the ticket item, the output) must be the
  same placeholder in both runs;
* moto's ``Date`` header (the wall clock, not the virtual one) and DynamoDB's ``x-amz-crc32`` (a
  checksum of a response body that holds the SNS message id): fixed placeholders.

ARNs are not normalised: both runs use the template's names, region and account, so they compare
equal as they are. Lambda request ids are not either: the local Lambda runner derives them from
the execution, and they match.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from interpreter.adapters.aws import AwsHandle
from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.durable import workflows as workflows_module
from interpreter.durable.workflows import Workflows
from interpreter.sam import LocalRun, prepare
from interpreter.service import arns
from tests.serverless_stack import FAKE_CREDENTIALS, REGION, ServerlessStack, virtual_sqs_time

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
MACHINES = ROOT / "statemachine"
SEED = 424242
SUPPORT_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:SupportTicketStateMachine"

TICKETS = {
    # recorded, escalated on the FIFO queue, assigned (idempotent Lambda), notified, updated
    "urgent": json.loads((MACHINES / "support_ticket.input.json").read_text()),
    # the FAQ's auto-reply: no escalation, no assignment
    "auto-reply": {
        "ticket_id": "T-1002",
        "subject": "Password reset",
        "body": "I forgot my password, how do I reset it?",
        "customer": {"email": "sam@example.com"},
    },
    # ClassifyTicket raises InvalidTicket: the Catch goes to the Fail state
    "invalid": {"ticket_id": "T-1003", "subject": "", "customer": {"email": "x@example.com"}},
    # seeded in the table first: putItem's condition fails, the Catch ends it as a duplicate
    "duplicate": {**json.loads((MACHINES / "support_ticket.input.json").read_text()), "ticket_id": "T-0999"},
}
DUPLICATE_SEED = {"dynamodb": {"TicketsTable": [{"ticket_id": "T-0999", "status": "OPEN"}]}}


class FixedSeed:
    def getrandbits(self, _bits: int) -> int:
        return SEED


@pytest.fixture(autouse=True)
def _restore_environment() -> Iterator[None]:
    # prepare() sets the template functions' variables in os.environ (Lambda's cold start)
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> VirtualClock:
    clock = VirtualClock()
    virtual_sqs_time(monkeypatch, clock)
    return clock


@pytest.fixture
def aws() -> Iterator[AwsHandle]:
    """One moto context for the test: the app's resources and the engine stack's live in it."""
    with mock_aws():
        yield AwsHandle(boto3.Session(region_name=REGION, **FAKE_CREDENTIALS), "session")


# --------------------------------------------------------------------------------- the two runs


def task_runner(local: LocalRun, aws: AwsHandle, clock: VirtualClock) -> LocalTaskRunner:
    """What ``stepfn run --template --aws moto`` runs tasks with: the template's functions as
    local handlers, then the AWS service integrations through the moto session."""
    return aws.attach(LocalTaskRunner.from_handlers(local.handlers, clock=clock))


def other_machines(local: LocalRun) -> dict[str, str]:
    """The template's other state machines (what nested executions start): name -> definition."""
    return {
        arns.parse_state_machine_arn(arn).name: json.dumps(machine.definition)
        for arn, machine in local.machines.items()
        if machine is not local.machine
    }


def run_locally(local: LocalRun, aws: AwsHandle, input_text: str) -> dict[str, Any]:
    clock = VirtualClock()
    flows = Workflows(MemoryStore(), runner=task_runner(local, aws, clock), clock=clock, cache=False)
    for name, definition in other_machines(local).items():
        flows.put_machine(name, definition)
    machine = flows.put_machine(local.state_machine.name, json.dumps(local.machine.definition))
    started = flows.start(machine, input_text, name="run-1", seed=SEED)
    item = flows.run_to_end(started.arn)
    children = sorted(
        child.arn for child in flows.store.list_executions(machine_arn=SUPPORT_ARN, limit=1000).items
    )
    return {
        "arn": item.arn,
        "status": item.status,
        "output": item.output,
        "error": item.error,
        "cause": item.cause,
        "history": flows.history(item.arn),
        "children": {arn: flows.history(arn) for arn in children if arn != item.arn},
    }


def run_serverless(
    local: LocalRun, aws: AwsHandle, input_text: str, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    monkeypatch.setattr(workflows_module.random, "SystemRandom", FixedSeed)  # the API's execution seed
    stack = ServerlessStack(runner=task_runner(local, aws, clock), clock=clock)
    try:
        for name, definition in other_machines(local).items():
            stack.create_machine(name, definition)
        machine = stack.create_machine(local.state_machine.name, json.dumps(local.machine.definition))
        arn = stack.call(
            "StartExecution", {"stateMachineArn": machine, "input": input_text, "name": "run-1"}
        )["executionArn"]
        stack.drain()
        described = stack.describe(arn)
        listed = stack.call("ListExecutions", {"stateMachineArn": SUPPORT_ARN, "maxResults": 1000})
        children = sorted(e["executionArn"] for e in listed["executions"])
        return {
            "arn": arn,
            "status": described["status"],
            "output": described.get("output"),
            "error": described.get("error"),
            "cause": described.get("cause"),
            "history": stack.history(arn),
            "children": {child: stack.history(child) for child in children if child != arn},
        }
    finally:
        stack.close()


def fresh_resources(local: LocalRun, aws: AwsHandle, seed: Path | None) -> None:
    """Delete the app's tables, queues, topics (with their subscriptions) and buckets, create them
    again and re-seed: the second run starts from the data the first one started from."""
    session = aws.session
    for created in local.created:
        kind, name = created.resource_type, created.name
        if kind == "AWS::DynamoDB::Table":
            session.client("dynamodb").delete_table(TableName=name)
        elif kind == "AWS::SQS::Queue":
            sqs = session.client("sqs")
            sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])
        elif kind == "AWS::SNS::Topic":
            session.client("sns").delete_topic(
                TopicArn=local.app.resolver.ref(created.logical_id, "/fresh_resources")
            )
        elif kind == "AWS::S3::Bucket":
            bucket = session.resource("s3").Bucket(name)
            bucket.objects.all().delete()
            bucket.delete()
    created, _ = local.app.create_resources(session)
    assert created == local.created
    if seed is not None:
        local.app.seed(session, seed)


# --------------------------------------------------------------------------------- normalising


class Normaliser:
    """Replaces the values moto makes up per call (see the module docstring) with placeholders:
    numbered per kind in order of first appearance (``register``), or fixed (``Date``, CRC)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.counts: dict[str, int] = {}

    def register(self, kind: str, value: Any) -> None:
        if isinstance(value, str) and value and value not in self.names:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            self.names[value] = f"<{kind}-{self.counts[kind]}>"

    def learn(self, history: list[dict[str, Any]]) -> None:
        """Register the per-call values of the service tasks' responses and failures."""
        for event in history:
            succeeded = event.get("taskSucceededEventDetails")
            if succeeded and succeeded.get("resourceType") != "lambda":
                output = json.loads(succeeded["output"])
                for field in ("MessageId", "SequenceNumber"):
                    self.register(field, output.get(field))
                self.register("RequestId", (output.get("SdkResponseMetadata") or {}).get("RequestId"))
                http = output.get("SdkHttpMetadata") or {}
                for headers in (http.get("AllHttpHeaders") or {}, http.get("HttpHeaders") or {}):
                    for header, fixed in (("Date", "<Date>"), ("x-amz-crc32", "<crc32>")):
                        for value in _listed(headers.get(header)):
                            self.names.setdefault(value, fixed)
            failed = event.get("taskFailedEventDetails")
            if failed and failed.get("resourceType") != "lambda":
                for request_id in re.findall(r"Request ID: ([^;)\s]+)", failed.get("cause") or ""):
                    self.register("RequestId", request_id)

    def apply(self, value: Any) -> Any:
        if isinstance(value, str):
            for original, placeholder in self.names.items():
                value = value.replace(original, placeholder)
            return value
        if isinstance(value, dict):
            return {key: self.apply(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.apply(item) for item in value]
        return value


def _listed(value: Any) -> list[str]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return [value] if isinstance(value, str) else []


def comparable(run: dict[str, Any], normaliser: Normaliser) -> dict[str, Any]:
    """The run with its events' timestamps dropped and moto's per-call values replaced."""
    normaliser.learn(run["history"])
    for history in run["children"].values():
        normaliser.learn(history)

    def events(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in e.items() if k != "timestamp"} for e in history]

    return normaliser.apply(
        {
            **{key: run[key] for key in ("arn", "status", "output", "error", "cause")},
            "history": events(run["history"]),
            "children": {arn: events(history) for arn, history in run["children"].items()},
        }
    )


def tickets_table(aws: AwsHandle) -> list[dict[str, Any]]:
    items = aws.session.client("dynamodb").scan(TableName="TicketsTable")["Items"]
    return sorted(items, key=lambda item: item["ticket_id"]["S"])


def queued(aws: AwsHandle, queue: str) -> list[str]:
    sqs = aws.session.client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    return [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]


def bucket_files(aws: AwsHandle, bucket: str, prefix: str) -> dict[str, Any]:
    s3 = aws.session.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]
    return {key: json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read()) for key in sorted(keys)}


def types(history: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in history]


# --------------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("case", sorted(TICKETS))
def test_the_support_ticket_workflow_has_the_local_engines_history_event_for_event(
    case, aws, clock, monkeypatch, tmp_path
):
    seed = None
    if case == "duplicate":
        seed = tmp_path / "seed.json"
        seed.write_text(json.dumps(DUPLICATE_SEED))
    local = prepare(TEMPLATE, aws=aws, create=True, state_machine="SupportTicketStateMachine", seed=seed)
    input_text = json.dumps(TICKETS[case])

    first = run_locally(local, aws, input_text)
    left_locally = [
        tickets_table(aws),
        queued(aws, "UrgentTicketsQueue.fifo"),
        queued(aws, "CustomerEmailQueue"),
    ]
    fresh_resources(local, aws, seed)
    second = run_serverless(local, aws, input_text, clock, monkeypatch)
    left_serverless = [
        tickets_table(aws),
        queued(aws, "UrgentTicketsQueue.fifo"),
        queued(aws, "CustomerEmailQueue"),
    ]

    local_names, serverless_names = Normaliser(), Normaliser()
    local_view = comparable(first, local_names)
    serverless_view = comparable(second, serverless_names)
    assert len(second["history"]) == len(first["history"])
    assert serverless_view == local_view
    # the same side effects: the ticket item (its notification_id is the run's SNS message id),
    # the escalation and the customer's notification
    assert serverless_names.apply(left_serverless) == local_names.apply(left_locally)

    expected = {
        "urgent": ("SUCCEEDED", "EscalateUrgent"),
        "auto-reply": ("SUCCEEDED", "PrepareAutoReply"),
        "invalid": ("FAILED", "RejectTicket"),
        "duplicate": ("SUCCEEDED", "AlreadyRecorded"),
    }[case]
    assert first["status"] == expected[0]
    states = [
        e["stateEnteredEventDetails"]["name"] for e in first["history"] if "stateEnteredEventDetails" in e
    ]
    assert expected[1] in states
    if case == "urgent":  # the per-call values really were different, and were normalised
        assert first["output"] != second["output"]
        assert [len(left) for left in left_locally] == [1, 1, 1]  # item, escalation, notification
        assert json.loads(local_view["output"])["notification_id"] == "<MessageId-2>"
        assert {"TaskSucceeded", "TaskScheduled"} <= set(types(first["history"]))


def test_the_ticket_import_and_its_nested_executions_have_the_local_engines_histories(
    aws, clock, monkeypatch
):
    seed = MACHINES / "ticket_import.seed.json"
    local = prepare(TEMPLATE, aws=aws, create=True, state_machine="TicketImportStateMachine", seed=seed)

    first = run_locally(local, aws, "{}")
    local_results = bucket_files(aws, "ticketimportbucket", "import-results/")
    local_tickets = tickets_table(aws)
    fresh_resources(local, aws, seed)
    second = run_serverless(local, aws, "{}", clock, monkeypatch)
    serverless_results = bucket_files(aws, "ticketimportbucket", "import-results/")
    serverless_tickets = tickets_table(aws)

    local_names, serverless_names = Normaliser(), Normaliser()
    local_view = comparable(first, local_names)
    serverless_view = comparable(second, serverless_names)
    assert first["status"] == "SUCCEEDED", first["cause"]
    assert "MapRunStarted" in types(first["history"])
    # one nested support-ticket execution per CSV row, each compared event for event
    assert len(first["children"]) == 5
    assert sorted(first["children"]) == sorted(second["children"])
    for arn, history in local_view["children"].items():
        assert serverless_view["children"][arn] == history, arn
    assert serverless_view == local_view
    # the ResultWriter's files (per-item inputs and outputs) and the tickets table agree too
    assert len(local_results) >= 2  # the manifest and the SUCCEEDED results
    assert serverless_names.apply(serverless_results) == local_names.apply(local_results)
    assert serverless_names.apply(serverless_tickets) == local_names.apply(local_tickets)
