"""The support-ticket workflow's functions on their own: the classifier's rules, and the
idempotent assignment against DynamoDB on moto."""

from __future__ import annotations

import importlib

import boto3
import pytest
from moto import mock_aws

from interpreter.adapters.lambda_local import LambdaContext


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        ddb = session.client("dynamodb")
        for table, key in (("TicketsTable", "ticket_id"), ("IdempotencyTable", "id")):
            ddb.create_table(
                TableName=table,
                KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        yield session


@pytest.fixture
def lambda_context():
    """The context Lambda's Python runtime gives (Idempotency reads the remaining time)."""
    arn = "arn:aws:lambda:us-east-1:123456789012:function:AssignAgentFunction"
    return LambdaContext(aws_request_id="r-1", function_name="AssignAgentFunction", invoked_function_arn=arn)


@pytest.fixture
def support(aws):
    # Imported inside moto, as the template run imports it: its clients are made at cold start.
    return importlib.import_module("support")


@pytest.mark.parametrize(
    ("subject", "body", "tier", "expected"),
    [
        (
            "Production API down for all users",
            "Every call returns 500 errors: an outage.",
            None,
            {"category": "technical", "priority": "urgent", "team": "incident-response", "sla_hours": 1},
        ),
        (
            "Password reset",
            "I forgot my password.",
            None,
            {"category": "account", "priority": "normal", "team": "accounts", "sla_hours": 48},
        ),
        (
            "Refund please",
            "I was charged twice for one invoice, refund ASAP",
            None,
            {"category": "billing", "priority": "high", "team": "billing", "sla_hours": 8},
        ),
        (
            "A question",
            "Do you have a roadmap?",
            "enterprise",
            {"category": "general", "priority": "high", "team": "support", "sla_hours": 8},
        ),
    ],
)
def test_classify_ticket(support, context, subject, body, tier, expected):
    event = {"ticket_id": "T-1", "subject": subject, "body": body, "customer": {"tier": tier}}
    result = support.classify_ticket(event, context)
    assert {key: result[key] for key in expected} == expected


def test_faq_tickets_get_a_canned_reply_unless_urgent(support, context):
    reply = support.classify_ticket({"ticket_id": "T-1", "subject": "password reset"}, context)["auto_reply"]
    assert "reset your password" in reply
    urgent = support.classify_ticket(
        {"ticket_id": "T-2", "subject": "security breach: password leaked, all users locked out"}, context
    )
    assert urgent["priority"] == "urgent" and urgent["auto_reply"] is None


@pytest.mark.parametrize(
    "event", [{"subject": "no id"}, {"ticket_id": "T-1"}, {"ticket_id": "", "body": "x"}]
)
def test_a_ticket_without_id_or_text_is_invalid(support, context, event):
    with pytest.raises(support.InvalidTicket):
        support.classify_ticket(event, context)


def test_assign_agent_is_idempotent(support, aws, lambda_context):
    ddb = aws.client("dynamodb")
    ddb.put_item(TableName="TicketsTable", Item={"ticket_id": {"S": "T-9"}, "status": {"S": "OPEN"}})
    event = {"ticket_id": "T-9", "team": "platform", "requested_at": "2024-05-01T10:00:00Z"}
    first = support.assign_agent(event, lambda_context)
    again = support.assign_agent({**event, "requested_at": "2024-05-01T11:00:00Z"}, lambda_context)
    assert again == first
    assert first["assignee"] in ("agent-eli", "agent-fay", "agent-gus")
    item = ddb.get_item(TableName="TicketsTable", Key={"ticket_id": {"S": "T-9"}})["Item"]
    assert item["assignments"] == {"N": "1"}  # the second call did not assign again
    assert item["assigned_at"] == {"S": "2024-05-01T10:00:00Z"}


def test_assigning_an_unknown_ticket_fails(support, lambda_context):
    with pytest.raises(support.TicketNotFound, match="ticket T-404 is not in TicketsTable"):
        support.assign_agent({"ticket_id": "T-404", "team": "billing"}, lambda_context)
