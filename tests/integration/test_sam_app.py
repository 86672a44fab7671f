"""The example SAM application (template.yaml + statemachine/ + functions/) run locally against
moto, end to end: ``stepfn run --template template.yaml --state-machine ... --aws moto`` in this
process, inside one moto context, so the test reads back what the run wrote (DynamoDB items,
SQS messages, the SNS notification delivered to its subscribed queue)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
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
from interpreter.sam import prepare

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
        f"stepfn: {TEMPLATE}: the template has 4 state machines; pick one with --state-machine: "
        "SupportTicketStateMachine, EtlPipelineStateMachine, NightlyTrainingStateMachine, "
        "OrderFulfilmentStateMachine"
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
