"""Task functions of the support-ticket workflow (``statemachine/support_ticket.asl.json``).

Two Lambda handlers; the workflow's other steps are Step Functions' own DynamoDB, SQS and SNS
integrations:

* ``classify_ticket``: reads a ticket's subject and body and decides its category (billing,
  account, technical, general), priority (urgent, high, normal), the team that owns it, its
  response-time target, and a canned reply when the ticket is one the FAQ answers (password
  resets, invoice copies). Pure: no AWS calls. ``InvalidTicket`` for a ticket without id or text.
* ``assign_agent``: picks the team's agent for the ticket and records the assignment on the ticket
  in the tickets table (``assignee``, ``assigned_at``, and ``assignments`` incremented). It is
  idempotent (Powertools Idempotency keyed on ``ticket_id``, records in the idempotency table): a
  retried or redriven task gets the first assignment back and the ticket is not assigned twice.

Configuration comes from the environment at cold start, as on Lambda (``template.yaml`` sets it):
``TICKETS_TABLE``, ``IDEMPOTENCY_TABLE``; ``AWS_REGION``. Logs are Powertools structured JSON
on stderr (``POWERTOOLS_SERVICE_NAME``, ``POWERTOOLS_LOG_LEVEL``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
from datetime import UTC, datetime
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent,
)


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to ``sys.stderr`` as it is at each record (test runners swap it), not as it was
    at import."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


# Structured JSON logs on stderr (stdout is where `stepfn run` prints the execution output).
logger = Logger(service="support-tickets", logger_handler=_Stderr(sys.stderr))

TICKETS_TABLE = os.environ.get("TICKETS_TABLE", "TicketsTable")
IDEMPOTENCY_TABLE = os.environ.get("IDEMPOTENCY_TABLE", "IdempotencyTable")
_REGION = os.environ.get("AWS_REGION", "us-east-1")

# Created at cold start and reused across invocations, as Powertools' docs do.
_session = boto3.session.Session(region_name=_REGION)
persistence = DynamoDBPersistenceLayer(table_name=IDEMPOTENCY_TABLE, boto3_session=_session)
# The same ticket assigned again within a day returns the first assignment.
idempotency = IdempotencyConfig(event_key_jmespath="ticket_id", expires_after_seconds=24 * 3600)


class InvalidTicket(Exception):
    """The ticket cannot be triaged (no id, no text): not retried."""


class TicketNotFound(Exception):
    """The ticket to assign is not in the tickets table."""


# category -> words that suggest it (matched on whole words, lower-cased)
CATEGORIES: dict[str, tuple[str, ...]] = {
    "billing": ("invoice", "refund", "charge", "charged", "payment", "billing", "receipt", "vat"),
    "account": ("password", "login", "log", "2fa", "locked", "username", "email", "sso"),
    "technical": ("error", "bug", "crash", "api", "timeout", "outage", "down", "500", "latency", "sync"),
}
URGENT_WORDS = ("outage", "down", "breach", "security", "production", "data loss", "all users")
HIGH_WORDS = ("urgent", "asap", "cannot", "can't", "blocked", "failing")
TEAMS = {"billing": "billing", "account": "accounts", "technical": "platform", "general": "support"}
SLA_HOURS = {"urgent": 1, "high": 8, "normal": 48}
AUTO_REPLIES = {
    ("account", "password"): "You can reset your password at https://example.com/reset; the link is "
    "valid for 30 minutes.",
    ("billing", "invoice"): "Copies of every invoice are under Billing > Invoices in your account.",
}
# team -> agents (id, display name), in rota order
ROSTER: dict[str, tuple[tuple[str, str], ...]] = {
    "billing": (("agent-ana", "Ana"), ("agent-bo", "Bo")),
    "accounts": (("agent-chen", "Chen"), ("agent-dee", "Dee")),
    "platform": (("agent-eli", "Eli"), ("agent-fay", "Fay"), ("agent-gus", "Gus")),
    "incident-response": (("agent-hana", "Hana"), ("agent-ivo", "Ivo")),
    "support": (("agent-jo", "Jo"),),
}


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", text.lower()))


@logger.inject_lambda_context
def classify_ticket(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Ticket -> ``{"category", "priority", "team", "sla_hours", "auto_reply", "matched"}``."""
    ticket_id = event.get("ticket_id")
    text = f"{event.get('subject') or ''}\n{event.get('body') or ''}".strip()
    if not isinstance(ticket_id, str) or not ticket_id or not text:
        raise InvalidTicket("a ticket needs a ticket_id and a subject or body")
    words, lowered = _words(text), text.lower()
    scores = {category: sum(word in words for word in hints) for category, hints in CATEGORIES.items()}
    category = max(scores, key=lambda c: scores[c]) if max(scores.values()) > 0 else "general"
    matched = sorted(word for word in CATEGORIES.get(category, ()) if word in words)
    if any(phrase in lowered for phrase in URGENT_WORDS) and category in ("technical", "account"):
        priority = "urgent"
    elif (
        any(phrase in lowered for phrase in HIGH_WORDS)
        or event.get("customer", {}).get("tier") == "enterprise"
    ):
        priority = "high"
    else:
        priority = "normal"
    team = "incident-response" if priority == "urgent" else TEAMS[category]
    auto_reply = None
    if priority != "urgent":
        auto_reply = next(
            (reply for (cat, word), reply in AUTO_REPLIES.items() if cat == category and word in words), None
        )
    result = {
        "category": category,
        "priority": priority,
        "team": team,
        "sla_hours": SLA_HOURS[priority],
        "auto_reply": auto_reply,
        "matched": matched,
    }
    logger.info("ticket classified", extra={"ticket_id": ticket_id, **result})
    return result


def _pick_agent(team: str, ticket_id: str) -> tuple[str, str]:
    agents = ROSTER.get(team) or ROSTER["support"]
    index = int(hashlib.sha256(ticket_id.encode("utf-8")).hexdigest(), 16) % len(agents)
    return agents[index]


@logger.inject_lambda_context
@idempotent(persistence_store=persistence, config=idempotency)
def assign_agent(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """``{"ticket_id", "team", "requested_at"?}`` -> the assignment, written to the ticket."""
    ticket_id, team = event["ticket_id"], event.get("team") or "support"
    agent_id, agent_name = _pick_agent(team, ticket_id)
    assigned_at = event.get("requested_at") or datetime.now(UTC).isoformat()
    client = _session.client("dynamodb")
    try:
        client.update_item(
            TableName=TICKETS_TABLE,
            Key={"ticket_id": {"S": ticket_id}},
            UpdateExpression="SET assignee = :agent, assigned_at = :at ADD assignments :one",
            ConditionExpression="attribute_exists(ticket_id)",
            ExpressionAttributeValues={
                ":agent": {"S": agent_id},
                ":at": {"S": assigned_at},
                ":one": {"N": "1"},
            },
        )
    except client.exceptions.ConditionalCheckFailedException:
        raise TicketNotFound(f"ticket {ticket_id} is not in {TICKETS_TABLE}") from None
    assignment = {
        "ticket_id": ticket_id,
        "team": team,
        "assignee": agent_id,
        "assignee_name": agent_name,
        "assigned_at": assigned_at,
    }
    logger.info("ticket assigned", extra=assignment)
    return assignment
