"""The example SAM application (template.yaml + statemachine/ + functions/) run locally against
moto, end to end: ``stepfn run --template template.yaml --state-machine ... --aws moto`` in this
process, inside one moto context, so the test reads back what the run wrote (DynamoDB items,
SQS messages, the SNS notification delivered to its subscribed queue, the ticket import's
results in S3), and with a MockConfigFile scripting a throttled Lambda whose Retry takes a known
virtual time."""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import boto3
import etl  # noqa: F401  (the example modules, imported once as test_examples does)
import orders  # noqa: F401
import pytest
import training  # noqa: F401
from moto import mock_aws

from interpreter import run
from interpreter.adapters.aws import aws_session
from interpreter.cli import main
from interpreter.sam import SamApp, prepare

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
MACHINES = ROOT / "statemachine"
URGENT = {
    "ticket_id": "T-1001",
    "subject": "Production API down for all users",
    "body": "Since 09:00 UTC every call to the API returns 500 errors. This is an outage for us.",
    "customer": {"email": "ops@example.com", "tier": "enterprise"},
}
PASSWORD = {
    "ticket_id": "T-1002",
    "subject": "Password reset",
    "body": "I forgot my password, how do I reset it?",
    "customer": {"email": "sam@example.com"},
}


@pytest.fixture(autouse=True)
def _restore_environment() -> Iterator[None]:
    # Loading the template's functions sets their variables in os.environ (Lambda's cold start).
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    """One moto context for the test; `--aws moto` runs nest inside it and share its state."""
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def run_support(capsys, *extra: str, ticket=URGENT, tmp_path=None) -> tuple[int, dict, str]:
    code, out, err = cli(
        capsys,
        "run",
        "--template",
        str(TEMPLATE),
        "--state-machine",
        "SupportTicketStateMachine",
        "--input",
        json.dumps(ticket),
        "--json",
        "--history",
        *extra,
    )
    return code, json.loads(out) if out.strip() else {}, err


def ticket_item(aws, ticket_id):
    item = aws.client("dynamodb").get_item(TableName="TicketsTable", Key={"ticket_id": {"S": ticket_id}})
    return item.get("Item")


def messages(aws, queue_name):
    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    return [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]


def test_an_urgent_ticket_is_recorded_escalated_assigned_and_notified(aws, capsys):
    # WHEN the support workflow runs from the template against moto
    code, summary, _ = run_support(capsys, "--aws", "moto")

    # THEN it succeeds with the ticket assigned
    assert code == 0, summary
    assert summary["status"] == "SUCCEEDED"
    output = summary["output"]
    assert output["ticket_id"] == "T-1001"
    assert (output["status"], output["priority"], output["category"]) == ("ASSIGNED", "urgent", "technical")
    assert output["assignee"] in ("agent-hana", "agent-ivo")  # the incident-response rota

    # the DynamoDB item is there: put by dynamodb:putItem, assigned by the idempotent Lambda,
    # updated by dynamodb:updateItem
    item = ticket_item(aws, "T-1001")
    assert item["status"] == {"S": "ASSIGNED"}
    assert item["team"] == {"S": "incident-response"}
    assert item["assignee"] == {"S": output["assignee"]}
    assert item["assignments"] == {"N": "1"}
    assert item["notification_id"] == {"S": output["notification_id"]}

    # the SQS message reached the (FIFO) urgent queue
    [escalation] = messages(aws, "UrgentTicketsQueue.fifo")
    assert json.loads(escalation) == {
        "ticket_id": "T-1001",
        "subject": URGENT["subject"],
        "customer": "ops@example.com",
        "team": "incident-response",
        "escalated_at": json.loads(escalation)["escalated_at"],
    }

    # the SNS publish succeeded: its MessageId is in the history, and the topic delivered the
    # message to the queue subscribed to it (raw delivery)
    published = [
        e
        for e in summary["history"]
        if e["type"] == "TaskSucceeded" and e["taskSucceededEventDetails"]["resourceType"] == "sns"
    ]
    assert len(published) == 1
    assert (
        json.loads(published[0]["taskSucceededEventDetails"]["output"])["MessageId"]
        == output["notification_id"]
    )
    [notification] = messages(aws, "CustomerEmailQueue")
    assert json.loads(notification) == {
        "ticket_id": "T-1001",
        "to": "ops@example.com",
        "status": "ASSIGNED",
        "message": f"Ticket T-1001 is with {output['assignee'][6:].capitalize()} of our "
        "incident-response team.",
    }


def test_the_template_implies_aws_moto(aws, capsys):
    code, summary, _ = run_support(capsys, ticket=PASSWORD)  # no --aws: moto
    assert code == 0
    assert summary["output"]["status"] == "RESOLVED"
    assert summary["output"]["assignee"] == "auto-reply"
    assert ticket_item(aws, "T-1002")["status"] == {"S": "RESOLVED"}
    assert messages(aws, "UrgentTicketsQueue.fifo") == []  # not urgent: not escalated
    [notification] = messages(aws, "CustomerEmailQueue")
    assert "reset your password" in json.loads(notification)["message"]


def test_a_ticket_seen_before_is_caught_as_a_duplicate(aws, capsys, tmp_path):
    # GIVEN a seed file that puts the ticket in the table first
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"dynamodb": {"TicketsTable": [{"ticket_id": "T-1001", "status": "OPEN"}]}}))
    # WHEN the same ticket comes in: dynamodb:putItem's condition fails
    code, summary, err = run_support(capsys, "--seed", str(seed))
    # THEN the Catch on DynamoDB.ConditionalCheckFailedException ends the run as a duplicate
    assert code == 0
    assert summary["output"] == {"ticket_id": "T-1001", "status": "DUPLICATE"}
    assert "stepfn: note: seeded TicketsTable: 1 item(s)" in err
    assert messages(aws, "UrgentTicketsQueue.fifo") == []


def test_the_python_api_and_an_idempotent_assignment(aws):
    with aws_session("moto") as handle:
        local = prepare(TEMPLATE, aws=handle, state_machine="SupportTicketStateMachine")
        result = run(
            local.machine,
            {**URGENT, "ticket_id": "T-2001"},
            handlers=local.handlers,
            aws=handle,
            machine_name=local.state_machine.name,
        )
        assert result.status == "SUCCEEDED", result.cause
        assignee = result.output["assignee"]

        # A retried or redriven AssignAgent (Powertools Idempotency, records in IdempotencyTable)
        # returns the first assignment and does not assign the ticket again.
        assign = local.handlers.resolve("AssignAgentFunction")
        again = assign({"ticket_id": "T-2001", "team": "platform"}, _Context())
        assert again["assignee"] == assignee and again["team"] == "incident-response"
        assert ticket_item(aws, "T-2001")["assignments"] == {"N": "1"}
        records = aws.client("dynamodb").scan(TableName="IdempotencyTable")["Items"]
        assert [r["status"]["S"] for r in records] == ["COMPLETED"]


class _Context:
    function_name = "AssignAgentFunction"
    memory_limit_in_mb = "256"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:AssignAgentFunction"
    aws_request_id = "00000000-0000-0000-0000-000000000001"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.mark.parametrize(
    ("state_machine", "input_file", "fields", "expected"),
    [
        ("EtlPipelineStateMachine", "etl_pipeline.input.json", {"output_dir": "{tmp}"}, {"status": "LOADED"}),
        ("NightlyTrainingStateMachine", "nightly_training.input.json", {"report_dir": "{tmp}"}, {}),
        (
            "OrderFulfilmentStateMachine",
            "order_fulfilment.input.json",
            {"output_dir": "{tmp}"},
            {"status": "FULFILLED"},
        ),
    ],
)
def test_the_existing_examples_run_through_the_template(
    aws, capsys, tmp_path, state_machine, input_file, fields, expected
):
    event = json.loads((MACHINES / input_file).read_text())
    event.update({key: value.format(tmp=tmp_path) for key, value in fields.items()})
    code, out, _ = cli(
        capsys,
        "run",
        "--template",
        str(TEMPLATE),
        "--state-machine",
        state_machine,
        "--input",
        json.dumps(event),
        "--virtual-time",
        "--no-store",
    )
    assert code == 0
    output = json.loads(out)
    assert expected.items() <= output.items()


def test_every_state_machine_of_the_template_compiles_without_warnings():
    app = SamApp.load(TEMPLATE)
    assert {logical_id: app.compile(logical_id).warnings for logical_id in app.state_machines} == {
        logical_id: () for logical_id in app.state_machines
    }


def test_a_definition_file_picks_its_state_machine(aws, capsys, tmp_path):
    # `run FILE --template T INPUT`: the state machine whose DefinitionUri is FILE
    (tmp_path / "in.json").write_text(json.dumps({**PASSWORD, "ticket_id": "T-3001"}))
    code, out, _ = cli(
        capsys,
        "run",
        str(MACHINES / "support_ticket.asl.json"),
        str(tmp_path / "in.json"),
        "--template",
        str(TEMPLATE),
    )
    assert code == 0 and json.loads(out)["status"] == "RESOLVED"


# ---------------------------------------------------------------------------------------------
# The ticket import: a distributed Map reads a CSV from S3 and runs each row through the support
# workflow as a nested execution (states:startExecution.sync:2)

IMPORT_SEED = MACHINES / "ticket_import.seed.json"
CSV_ROWS = list(csv.DictReader((MACHINES / "data" / "tickets.csv").read_text(encoding="utf-8").splitlines()))
BUCKET = "ticketimportbucket"  # an AWS::S3::Bucket without BucketName: its logical id in lower case
SUPPORT_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:SupportTicketStateMachine"


def s3_json(aws, key: str):
    return json.loads(aws.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read())


@pytest.mark.parametrize("store", ["--no-store", "stored"])
def test_the_ticket_import_reads_a_csv_from_s3_and_runs_each_ticket_as_a_nested_execution(aws, capsys, store):
    # GIVEN the seed file, which puts statemachine/data/tickets.csv in the template's bucket
    # WHEN the import runs from the template against moto, in memory or through the store (the
    # template's other state machines reach the run as the children startExecution starts)
    code, out, err = cli(
        capsys,
        "run",
        "--template",
        str(TEMPLATE),
        "--state-machine",
        "TicketImportStateMachine",
        "--seed",
        str(IMPORT_SEED),
        "--aws",
        "moto",
        "--virtual-time",
        "--json",
        "--history",
        *(["--no-store"] if store == "--no-store" else []),
    )
    summary = json.loads(out)

    # THEN it succeeds, and says where the ResultWriter put the per-ticket results
    assert code == 0, summary
    assert "stepfn: note: seeded TicketImportBucket: 1 object(s)" in err
    output = summary["output"]
    assert output["source"] == {"bucket": BUCKET, "key": "incoming/tickets.csv"}
    map_run = output["map_run_arn"]
    assert map_run.startswith(
        "arn:aws:states:us-east-1:123456789012:mapRun:stepfn-local-TicketImport/ImportTickets:"
    )
    types = [e["type"] for e in summary["history"]]
    assert "MapRunStarted" in types and "MapRunSucceeded" in types

    # the ItemReader read every row of the CSV: one child workflow execution per row, in the
    # ResultWriter's files (the rejected ticket was caught in its item, so all succeeded)
    manifest = s3_json(aws, output["results"]["Key"])
    assert manifest["MapRunArn"] == map_run and manifest["ResultFiles"]["FAILED"] == []
    items = [entry for file in manifest["ResultFiles"]["SUCCEEDED"] for entry in s3_json(aws, file["Key"])]
    assert [json.loads(item["Input"])["ticket_id"] for item in items] == [r["ticket_id"] for r in CSV_ROWS]
    results = {r["ticket_id"]: r for r in (json.loads(item["Output"]) for item in items)}

    # each row's nested support-ticket execution returned its output parsed (.sync:2): the
    # ResultSelector picked "$.Output.status" out of it and kept the whole object
    expected = {"T-5001": "ASSIGNED", "T-5002": "RESOLVED", "T-5003": "ASSIGNED", "T-5004": "ASSIGNED"}
    for ticket_id, status in expected.items():
        result = results[ticket_id]
        assert result["status"] == status
        assert result["ticket"]["ticket_id"] == ticket_id and result["ticket"]["status"] == status
        assert result["execution_arn"].startswith(SUPPORT_ARN.replace(":stateMachine:", ":execution:") + ":")
    assert results["T-5001"]["ticket"]["priority"] == results["T-5004"]["ticket"]["priority"] == "urgent"
    assert results["T-5002"]["ticket"]["assignee"] == "auto-reply"
    assert results["T-5003"]["ticket"]["assignee"] in ("agent-ana", "agent-bo")  # the billing rota
    # the row without subject or body: the child failed (InvalidTicket), the .sync:2 task failed
    # with States.TaskFailed and the child's description as its cause, and the Catch kept it
    assert results["T-5005"] == {
        "ticket_id": "T-5005",
        "status": "REJECTED",
        "error": "InvalidTicket",
        "execution_arn": results["T-5005"]["execution_arn"],
    }

    # the children's DynamoDB items are there, as their outputs say
    for ticket_id in expected:
        item = ticket_item(aws, ticket_id)
        ticket = results[ticket_id]["ticket"]
        assert item["status"] == {"S": ticket["status"]}
        assert item["assignee"] == {"S": ticket["assignee"]}
        assert item["notification_id"] == {"S": ticket["notification_id"]}
    assert ticket_item(aws, "T-5005") is None

    # the two urgent tickets reached the SQS queue; every recorded ticket's customer was told
    escalated = [json.loads(body)["ticket_id"] for body in messages(aws, "UrgentTicketsQueue.fifo")]
    assert sorted(escalated) == ["T-5001", "T-5004"]
    told = [json.loads(body)["ticket_id"] for body in messages(aws, "CustomerEmailQueue")]
    assert sorted(told) == sorted(expected)

    if store == "stored":  # the children are in the store too, under the template's ARN
        code, out, _ = cli(capsys, "executions", "--machine", SUPPORT_ARN, "--json")
        assert code == 0
        children = {e["executionArn"]: e["status"] for e in json.loads(out)["executions"]}
        assert children == {
            r["execution_arn"]: "FAILED" if r["status"] == "REJECTED" else "SUCCEEDED"
            for r in results.values()
        }


MOCK_CONFIG = {
    "StateMachines": {
        "SupportTicketStateMachine": {
            "TestCases": {"ThrottledTwice": {"ClassifyTicket": "ClassifyThrottled"}}
        }
    },
    "MockedResponses": {
        "ClassifyThrottled": {
            "0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded."}},
            "2": {
                "Return": {
                    "StatusCode": 200,
                    "Payload": {
                        "category": "technical",
                        "priority": "urgent",
                        "team": "incident-response",
                        "sla_hours": 1,
                        "auto_reply": None,
                    },
                }
            },
        }
    },
}


def test_a_throttled_classify_lambda_is_retried_after_1_s_and_2_s_of_virtual_time(aws, capsys, tmp_path):
    # GIVEN the support workflow's ClassifyTicket Retry: Lambda.TooManyRequestsException,
    # IntervalSeconds 1, BackoffRate 2, MaxAttempts 3 (no jitter), so two throttles wait 1 s + 2 s
    definition = json.loads((MACHINES / "support_ticket.asl.json").read_text())
    [retrier] = [
        r
        for r in definition["States"]["ClassifyTicket"]["Retry"]
        if "Lambda.TooManyRequestsException" in r["ErrorEquals"]
    ]
    assert (retrier["IntervalSeconds"], retrier["BackoffRate"], retrier["MaxAttempts"]) == (1, 2, 3)
    assert "JitterStrategy" not in retrier
    # and a MockConfigFile whose test case throttles ClassifyTicket twice, then answers
    mock_config = tmp_path / "MockConfigFile.json"
    mock_config.write_text(json.dumps(MOCK_CONFIG))

    # WHEN the workflow runs from the template with that test case (the other tasks are real:
    # DynamoDB, SQS, SNS in moto and the AssignAgent function)
    code, summary, _ = run_support(
        capsys,
        "--mock-config",
        str(mock_config),
        "--test-case",
        "ThrottledTwice",
        "--virtual-time",
        ticket={**PASSWORD, "ticket_id": "T-4001"},  # urgent only because the mock says so
    )

    # THEN it succeeds with the mocked classification
    assert code == 0, summary
    assert summary["output"]["priority"] == "urgent" and summary["output"]["status"] == "ASSIGNED"
    history = summary["history"]
    at = {e["id"]: datetime.fromisoformat(e["timestamp"]) for e in history}
    entered = next(e["id"] for e in history if e["type"] == "TaskStateEntered")  # the first: Classify
    exited = next(e["id"] for e in history if e["type"] == "TaskStateExited")
    assert history[entered - 1]["stateEnteredEventDetails"]["name"] == "ClassifyTicket"
    assert history[exited - 1]["stateExitedEventDetails"]["name"] == "ClassifyTicket"
    classify = [e for e in history if entered < e["id"] < exited]

    # three calls, the first two throttled ...
    scheduled = [at[e["id"]] for e in classify if e["type"] == "TaskScheduled"]
    failed = [e for e in classify if e["type"] == "TaskFailed"]
    assert len(scheduled) == 3
    assert [e["taskFailedEventDetails"]["error"] for e in failed] == ["Lambda.TooManyRequestsException"] * 2
    assert [at[e["id"]] for e in failed] == scheduled[:2]  # a mock answers at once
    # ... retried 1 s and then 2 s later: 3 s of virtual time in ClassifyTicket, and in the run
    assert [scheduled[1] - scheduled[0], scheduled[2] - scheduled[1]] == [
        timedelta(seconds=1),
        timedelta(seconds=2),
    ]
    assert at[exited] - at[entered] == timedelta(seconds=3)
    assert at[history[-1]["id"]] - at[history[0]["id"]] == timedelta(seconds=3)

    # and the rest of the workflow ran for real: the ticket is in DynamoDB, escalated on SQS
    assert ticket_item(aws, "T-4001")["priority"] == {"S": "urgent"}
    assert [json.loads(b)["ticket_id"] for b in messages(aws, "UrgentTicketsQueue.fifo")] == ["T-4001"]


# ---------------------------------------------------------------------------------------------
# Template errors: what and where, exit 2, never a traceback


def copy_app(tmp_path: Path) -> Path:
    """A copy of the example app, to break."""
    for name in ("statemachine", "functions"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(TEMPLATE, tmp_path / "template.yaml")
    return tmp_path / "template.yaml"


def run_broken(capsys, template: Path, *extra: str) -> tuple[int, str]:
    code, out, err = cli(
        capsys, "run", "--template", str(template), "--state-machine", "SupportTicketStateMachine", *extra
    )
    assert out == ""
    return code, err


def test_several_state_machines_need_state_machine(aws, capsys):
    code, _, err = cli(capsys, "run", "--template", str(TEMPLATE))
    assert code == 2
    assert err.strip() == (
        f"stepfn: {TEMPLATE}: the template has 5 state machines; pick one with --state-machine: "
        "SupportTicketStateMachine, TicketImportStateMachine, EtlPipelineStateMachine, "
        "NightlyTrainingStateMachine, OrderFulfilmentStateMachine"
    )


def test_a_missing_handler_module_names_the_function(aws, capsys, tmp_path):
    template = copy_app(tmp_path)
    text = template.read_text().replace("Handler: support.assign_agent", "Handler: tickets.assign_agent")
    template.write_text(text)
    code, err = run_broken(capsys, template)
    assert code == 2
    line = text.splitlines().index("      Handler: tickets.assign_agent") + 1
    assert err.strip() == (
        f"stepfn: {template}:{line}: /Resources/AssignAgentFunction/Properties/Handler: AssignAgentFunction: "
        f"Handler 'tickets.assign_agent' needs tickets.py in its CodeUri directory {tmp_path / 'functions'}, "
        "and there is none"
    )


def test_an_unknown_substitution_is_named(aws, capsys, tmp_path):
    template = copy_app(tmp_path)
    definition = tmp_path / "statemachine" / "support_ticket.asl.json"
    definition.write_text(definition.read_text().replace("${TicketsTableName}", "${TicketTableName}"))
    code, err = run_broken(capsys, template)
    assert code == 2
    assert "/Resources/SupportTicketStateMachine/Properties/DefinitionSubstitutions: " in err
    assert (
        "support_ticket.asl.json uses ${TicketTableName}, which DefinitionSubstitutions does not define"
        in err
    )


def test_a_substitution_of_an_unknown_resource_is_named(aws, capsys, tmp_path):
    template = copy_app(tmp_path)
    template.write_text(template.read_text().replace("!Ref TicketsTable\n", "!Ref TicketTable\n", 1))
    code, err = run_broken(capsys, template)
    assert code == 2
    assert (
        "/Resources/SupportTicketStateMachine/Properties/DefinitionSubstitutions/TicketsTableName/Ref: "
        "no resource 'TicketTable' in the template"
    ) in err


def test_bad_yaml_names_its_line(aws, capsys, tmp_path):
    template = copy_app(tmp_path)
    lines = template.read_text().splitlines()
    index = lines.index("  TicketsTable:")
    lines[index + 1] = "     Type: AWS::Serverless::SimpleTable"  # one space too many
    template.write_text("\n".join(lines) + "\n")
    code, err = run_broken(capsys, template)
    assert code == 2
    # PyYAML notices at the next line, where the indentation no longer fits
    assert err.strip() == (
        f"stepfn: {template}:{index + 3}: not valid YAML: while parsing a block mapping "
        "expected <block end>, but found '<block mapping start>' (column 5)"
    )


def test_template_flags_need_a_template(capsys):
    code, _, err = cli(capsys, "run", "--seed", "seed.json")
    assert code == 2 and err.strip() == "stepfn: --seed needs --template"
    code, _, err = cli(capsys, "run")
    assert code == 2 and err.strip() == "stepfn: run needs a definition FILE, or --template TEMPLATE"
