"""The state machine operations of the Step Functions API (a mixin of the API facade).

``MachineOperations`` expects ``self.store`` (an ``ExecutionStore``), ``self.region``,
``self.account`` and ``self.clock`` (``.now()`` → tz-aware UTC datetime). Each operation takes the
request dict with AWS member names (already checked against botocore's model by the transport) and
returns AWS's response dict, or raises ``ApiError`` with AWS's code and message. It also carries
the activity and tag operations (``ActivityOperations``, ``TagOperations``).

AWS behaviour pinned here (tests name their sources):

* CreateStateMachine is idempotent: the same name, definition (byte for byte), type, logging and
  tracing configuration return the existing machine (a different roleArn or tags are ignored);
  anything else is ``StateMachineAlreadyExists: State Machine Already Exists: '<arn>'``.
* DescribeStateMachine shows ``revisionId`` only once the machine has been updated; an update that
  changes nothing keeps the revision. Every revision stays readable from the store, so running
  executions keep their definition.
* DeleteStateMachine of an absent machine succeeds; ListStateMachines is ordered by name.
* Versions and aliases are not supported: ``publish: true`` is refused, and a version or alias ARN
  names no state machine (``StateMachineDoesNotExist``), as for an unpublished version on AWS.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from interpreter.adapters.clock import Clock
from interpreter.adapters.stores.base import (
    AlreadyExists,
    ExecutionStore,
    NotFound,
    StaleVersion,
    StateMachineItem,
)

from . import arns
from ._support import (
    check_tag_count,
    collect,
    logging_configuration,
    now_ms,
    paginate,
    tag_dict,
    tracing_configuration,
)
from .activities import ActivityOperations, check_encryption
from .definitions import check_definition, validation_result
from .errors import ApiError
from .tags import TagOperations

MACHINE_TYPES = ("STANDARD", "EXPRESS")
_UPDATE_ATTEMPTS = 8


class MachineOperations(ActivityOperations, TagOperations):
    store: ExecutionStore
    region: str
    account: str
    clock: Clock

    # ------------------------------------------------------------ create / describe
    def create_state_machine(self, request: dict[str, Any]) -> dict[str, Any]:
        check_publish(request)
        name = arns.check_name(request["name"])
        definition: str = request["definition"]
        role_arn = arns.parse_role_arn(request["roleArn"])
        machine_type = check_type(request.get("type"))
        logging = logging_configuration(request.get("loggingConfiguration"))
        tracing = tracing_configuration(request.get("tracingConfiguration"))
        check_encryption(request.get("encryptionConfiguration"))
        arn = arns.state_machine_arn(self.region, self.account, name)
        tags = tag_dict(request.get("tags"))
        check_tag_count(arn, tags)

        existing = self.store.get_state_machine(arn)
        if existing is not None:
            return _idempotent_create(existing, definition, machine_type, logging, tracing)
        check_definition(definition, machine_type)
        item = StateMachineItem(
            arn=arn,
            name=name,
            definition=definition,
            role_arn=role_arn,
            type=machine_type,
            creation_date=now_ms(self.clock),
            revision_id=new_revision_id(),
            logging_configuration=logging,
            tracing_configuration=tracing,
            tags=tags,
        )
        try:
            self.store.create_state_machine(item)
        except AlreadyExists:  # created concurrently
            existing = self.store.get_state_machine(arn)
            if existing is None:
                raise already_exists(arn) from None
            return _idempotent_create(existing, definition, machine_type, logging, tracing)
        return {"stateMachineArn": arn, "creationDate": item.creation_date}

    def describe_state_machine(self, request: dict[str, Any]) -> dict[str, Any]:
        return machine_description(self.require_state_machine(request["stateMachineArn"]))

    def require_state_machine(self, arn: str) -> StateMachineItem:
        """The current revision of the machine ``arn`` names, or ``InvalidArn`` /
        ``StateMachineDoesNotExist`` (also for version and alias ARNs: none are ever published)."""
        parsed = arns.parse_state_machine_arn(arn)
        item = None if parsed.qualified else self.store.get_state_machine(arn)
        if item is None:
            raise does_not_exist(arn)
        return item

    # ------------------------------------------------------------ update / delete
    def update_state_machine(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["stateMachineArn"]
        current = self.require_state_machine(arn)
        changes = {
            key: request[key]
            for key in ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration")
            if request.get(key) is not None
        }
        if not changes:
            raise ApiError(
                "MissingRequiredParameter",
                "Either the definition, the role ARN, the LoggingConfiguration, "
                "or the TracingConfiguration must be specified",
            )
        check_publish(request)
        check_encryption(request.get("encryptionConfiguration"))
        role_arn = arns.parse_role_arn(changes["roleArn"]) if "roleArn" in changes else None
        logging = tracing = None
        if "loggingConfiguration" in changes:
            logging = logging_configuration(changes["loggingConfiguration"])
        if "tracingConfiguration" in changes:
            tracing = tracing_configuration(changes["tracingConfiguration"])
        if "definition" in changes:
            check_definition(changes["definition"], current.type)

        for _ in range(_UPDATE_ATTEMPTS):
            updated = replace(
                current,
                definition=changes.get("definition", current.definition),
                role_arn=role_arn or current.role_arn,
                logging_configuration=logging or machine_logging(current),
                tracing_configuration=tracing or machine_tracing(current),
            )
            moment = now_ms(self.clock)
            if _same_revision(updated, current):
                return {"updateDate": moment, "revisionId": current.revision_id}
            updated = replace(updated, revision_id=new_revision_id(), update_date=moment)
            try:
                self.store.update_state_machine(updated, expected_revision=current.revision_id)
            except NotFound:
                raise does_not_exist(arn) from None
            except StaleVersion:  # updated concurrently: apply this update on top of that one
                current = self.require_state_machine(arn)
                continue
            return {"updateDate": moment, "revisionId": updated.revision_id}
        raise ApiError("ConflictException", f"State machine '{arn}' is being updated concurrently; try again")

    def delete_state_machine(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["stateMachineArn"]
        parsed = arns.parse_state_machine_arn(arn)
        if "/" in parsed.name:
            # AWS API reference: a qualified ARN naming a Distributed Map state fails with
            # ValidationException.
            message = f"A Distributed Map state ARN names no state machine to delete: '{arn}'"
            raise ApiError("ValidationException", message)
        if not parsed.qualified:
            self.store.delete_state_machine(arn)
        return {}

    # ------------------------------------------------------------ list / validate
    def list_state_machines(self, request: dict[str, Any]) -> dict[str, Any]:
        def fetch(token: str | None) -> tuple[list[StateMachineItem], str | None]:
            page = self.store.list_state_machines(limit=1000, next_token=token)
            return page.items, page.next_token

        items = sorted(collect(fetch), key=lambda item: item.name)
        chosen, token = paginate(items, lambda item: item.name, request)
        out: dict[str, Any] = {
            "stateMachines": [
                {
                    "stateMachineArn": item.arn,
                    "name": item.name,
                    "type": item.type,
                    "creationDate": item.creation_date,
                }
                for item in chosen
            ]
        }
        if token is not None:
            out["nextToken"] = token
        return out

    def validate_state_machine_definition(self, request: dict[str, Any]) -> dict[str, Any]:
        return validation_result(
            request["definition"],
            machine_type=check_type(request.get("type")),
            severity=request.get("severity") or "ERROR",
            max_results=request.get("maxResults") or 0,
        )


# ------------------------------------------------------------------ helpers


def machine_description(item: StateMachineItem) -> dict[str, Any]:
    """DescribeStateMachine's response for a stored revision."""
    out: dict[str, Any] = {
        "stateMachineArn": item.arn,
        "name": item.name,
        "status": item.status,
        "definition": item.definition,
        "roleArn": item.role_arn,
        "type": item.type,
        "creationDate": item.creation_date,
        "loggingConfiguration": machine_logging(item),
        "tracingConfiguration": machine_tracing(item),
    }
    if item.update_date is not None:
        out["revisionId"] = item.revision_id
    if item.description:
        out["description"] = item.description
    return out


def machine_logging(item: StateMachineItem) -> dict[str, Any]:
    if item.logging_configuration is None:
        return logging_configuration(None)
    return dict(item.logging_configuration)


def machine_tracing(item: StateMachineItem) -> dict[str, Any]:
    return tracing_configuration(item.tracing_configuration)


def new_revision_id() -> str:
    return str(uuid.uuid4())


def does_not_exist(arn: str) -> ApiError:
    return ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")


def already_exists(arn: str) -> ApiError:
    return ApiError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")


def check_type(machine_type: str | None) -> str:
    """The state machine type (STANDARD when absent); anything else is AWS's enum error."""
    if machine_type is None:
        return "STANDARD"
    if machine_type not in MACHINE_TYPES:
        constraint = "Member must satisfy enum value set: [STANDARD, EXPRESS]"
        raise arns.validation_error(machine_type, "type", constraint)
    return machine_type


def check_publish(request: dict[str, Any]) -> None:
    """Versions are not supported; AWS's own rule on versionDescription comes first."""
    if request.get("versionDescription") and not request.get("publish"):
        # AWS (recorded, LocalStack test_sfn_api_versioning.snapshot.json).
        raise ApiError("ValidationException", "Version description can only be set when publish is true")
    if request.get("publish"):
        raise ApiError(
            "ValidationException",
            "Publishing state machine versions (publish: true) is not supported by stepfn; leave publish out",
        )


def _idempotent_create(
    existing: StateMachineItem,
    definition: str,
    machine_type: str,
    logging: dict[str, Any],
    tracing: dict[str, Any],
) -> dict[str, Any]:
    same = (
        existing.definition == definition
        and existing.type == machine_type
        and machine_logging(existing) == logging
        and machine_tracing(existing) == tracing
    )
    if not same:
        raise already_exists(existing.arn)
    return {"stateMachineArn": existing.arn, "creationDate": existing.creation_date}


def _same_revision(a: StateMachineItem, b: StateMachineItem) -> bool:
    return (
        a.definition == b.definition
        and a.role_arn == b.role_arn
        and machine_logging(a) == machine_logging(b)
        and machine_tracing(a) == machine_tracing(b)
    )
