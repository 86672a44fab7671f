"""The execution operations of the Step Functions API (a mixin of the API facade).

``ExecutionOperations`` expects ``self.store``, ``self.workflows`` (a ``durable.Workflows`` over
the same store), ``self.region``, ``self.account`` and ``self.clock``. It carries StartExecution,
StartSyncExecution, DescribeExecution, ListExecutions, StopExecution and
DescribeStateMachineForExecution, plus GetExecutionHistory (``history.HistoryOperations``) and
SendTaskSuccess/Failure/Heartbeat (``callbacks.CallbackOperations``).

AWS behaviour pinned here (tests name their sources; most are LocalStack's AWS-validated
snapshots, ``test_sfn_api.snapshot.json``):

* StartExecution input defaults to ``{}``; any JSON value is accepted (``2``, ``"some text"``,
  ``null``); anything else is ``InvalidExecutionInput: Invalid State Machine Execution Input:
  '<Jackson's message>'`` (``jsontext``), the empty string ``... 'Invalid execution input.'``.
* StartExecution is idempotent for STANDARD machines: the same name and input while the execution
  is RUNNING return its ARN and original start date; otherwise ``ExecutionAlreadyExists:
  Execution Already Exists: '<arn>'``. EXPRESS executions get ``express:<machine>:<name>:<run id>``
  ARNs, so names are never taken.
* DescribeExecution: ``inputDetails``/``outputDetails`` ``{"included": true}``; ``output`` only
  once SUCCEEDED; ``error``/``cause`` when FAILED or ABORTED (absent for TIMED_OUT, whose
  ``States.Timeout`` lives only in the history); ``redriveCount`` and ``redriveStatus`` with
  ``redriveStatusReason`` when NOT_REDRIVABLE (``Execution is SUCCEEDED and cannot be redriven``).
* ListExecutions: newest first, ``redriveCount`` on every item, ``stopDate`` once ended.
* StopExecution of an execution that already ended succeeds and changes nothing; the response
  carries the execution's own stop date. (The API reference lists no error for this case; AWS's
  exact answer is not recorded anywhere we could find.)
"""

from __future__ import annotations

import json
import math
import uuid
from typing import Any

from interpreter.adapters.stores.base import (
    AlreadyExists,
    ExecutionItem,
    ExecutionStore,
    StateMachineItem,
    StoreError,
)
from interpreter.durable.redrive import redrive_status
from interpreter.durable.workflows import Workflows

from . import arns
from ._support import Clock, collect, invalid_token, now_ms, page_size, paginate
from .callbacks import CallbackOperations
from .errors import ApiError
from .execution_support import (
    CAUSE_MAX,
    ERROR_MAX,
    check_length,
    check_payload_size,
    omit_none,
    require_execution,
    type_not_supported,
)
from .history import HistoryOperations
from .jsontext import JsonTextError, parse_json
from .machines import machine_logging, machine_tracing

STATUSES = ("SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE", "ABORTED", "FAILED", "RUNNING")  # AWS's order
REDRIVE_FILTERS = ("REDRIVEN", "NOT_REDRIVEN")
SYNC_WAIT_SECONDS = 300.0  # Express workflows run for at most five minutes
_LIST_BATCH = 1000


class ExecutionOperations(HistoryOperations, CallbackOperations):
    store: ExecutionStore
    workflows: Workflows
    region: str
    account: str
    clock: Clock

    # ------------------------------------------------------------ start
    def start_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        machine, name, input_text = self._start_request(request)
        if machine.type == "EXPRESS":
            item = self._launch(machine, name, input_text)
            return {"executionArn": item.arn, "startDate": item.start_date}
        arn = self.workflows.execution_arn(machine, name)
        existing = self.store.get_execution(arn)
        if existing is None:
            try:
                item = self.workflows.start(machine, input_text, name=name)
                return {"executionArn": item.arn, "startDate": item.start_date}
            except AlreadyExists:  # started concurrently under the same name
                existing = self.store.get_execution(arn)
                if existing is None:
                    raise execution_already_exists(arn) from None
        if existing.status == "RUNNING" and _same_input(existing.input, input_text):
            return {"executionArn": existing.arn, "startDate": existing.start_date}
        raise execution_already_exists(arn)

    def start_sync_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        machine, name, input_text = self._start_request(request, sync=True)
        item = self._await_end(self._launch(machine, name, input_text))
        out = {
            "executionArn": item.arn,
            "stateMachineArn": item.machine_arn,
            "name": item.name,
            "startDate": item.start_date,
            "stopDate": item.stop_date,
            "status": item.status,
            "error": item.error if item.status in ("FAILED", "ABORTED") else None,
            "cause": item.cause if item.status in ("FAILED", "ABORTED") else None,
            "input": item.input,
            "inputDetails": {"included": True},
            "output": item.output if item.status == "SUCCEEDED" else None,
            "outputDetails": {"included": True},
            "billingDetails": billing_details(item),
        }
        return omit_none(out)

    def _await_end(self, item: ExecutionItem) -> ExecutionItem:
        """The execution once it ended (StartSyncExecution): this process runs it (a served virtual
        clock aside), so wait for it here; the serverless API polls the store instead."""
        if self.workflows.clock.virtual and not self.workflows.background_loop:
            return self.workflows.run_to_end(item.arn)
        self.workflows.executor.wait_finished(item.arn, SYNC_WAIT_SECONDS)
        return self.store.get_execution(item.arn) or item

    def _start_request(
        self, request: dict[str, Any], *, sync: bool = False
    ) -> tuple[StateMachineItem, str, str]:
        """The machine, execution name and input text of a StartExecution request, or AWS's error."""
        machine_arn = request["stateMachineArn"]
        parsed = arns.parse_state_machine_arn(machine_arn)
        if parsed.qualified:
            raise ApiError(
                "StateMachineDoesNotExist",
                f"State Machine Does Not Exist: '{machine_arn}' (stepfn does not publish versions or "
                f"aliases; start '{parsed.base_arn}' itself)",
            )
        machine = self.store.get_state_machine(machine_arn)
        if machine is None:
            raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{machine_arn}'")
        if sync and machine.type != "EXPRESS":
            raise type_not_supported()
        name = request.get("name")
        name = str(uuid.uuid4()) if name is None else arns.check_name(name)
        input_text = request.get("input")
        return machine, name, check_execution_input("{}" if input_text is None else input_text)

    def _launch(self, machine: StateMachineItem, name: str, input_text: str) -> ExecutionItem:
        """Start an EXPRESS execution under its AWS ARN (``express:<machine>:<name>:<run id>``)."""
        arn = arns.execution_arn(machine.arn, name, machine_type=machine.type, run_id=str(uuid.uuid4()))
        return self.workflows.start(machine, input_text, name=name, arn=arn, start_date=now_ms(self.clock))

    # ------------------------------------------------------------ describe / list
    def describe_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        item = require_execution(self.store, request["executionArn"])
        return self.execution_description(item)

    def execution_description(self, item: ExecutionItem) -> dict[str, Any]:
        failed = item.status in ("FAILED", "ABORTED")
        status, reason = self.redrive_status(item)
        out = {
            "executionArn": item.arn,
            "stateMachineArn": item.machine_arn,
            "name": item.name,
            "status": item.status,
            "startDate": item.start_date,
            "stopDate": item.stop_date,
            "input": item.input,
            "inputDetails": {"included": True},
            "output": item.output if item.status == "SUCCEEDED" else None,
            "outputDetails": {"included": True} if item.status == "SUCCEEDED" else None,
            "error": item.error if failed else None,
            "cause": item.cause if failed else None,
            "redriveCount": item.redrive_count,
            "redriveDate": item.redrive_date,
            "redriveStatus": status,
            "redriveStatusReason": reason,
        }
        return omit_none(out)

    def redrive_status(self, item: ExecutionItem) -> tuple[str, str | None]:
        """``(redriveStatus, redriveStatusReason)`` as DescribeExecution reports them (the rules
        RedriveExecution itself applies: ``durable.redrive.redrive_status``)."""
        exists = self.store.get_state_machine(item.machine_arn) is not None
        return redrive_status(item, now_ms(self.clock), machine_exists=exists)

    def list_executions(self, request: dict[str, Any]) -> dict[str, Any]:
        machine_arn = request.get("stateMachineArn")
        map_run_arn = request.get("mapRunArn")
        status = request.get("statusFilter")
        redrive = request.get("redriveFilter")
        limit = page_size(request.get("maxResults"))
        if status is not None and status not in STATUSES:
            raise arns.validation_error(
                status, "statusFilter", f"Member must satisfy enum value set: [{', '.join(STATUSES)}]"
            )
        if redrive is not None and redrive not in REDRIVE_FILTERS:
            raise arns.validation_error(
                redrive,
                "redriveFilter",
                f"Member must satisfy enum value set: [{', '.join(REDRIVE_FILTERS)}]",
            )
        if machine_arn is None:
            if map_run_arn is None:
                raise ApiError(
                    "ValidationException",
                    "1 validation error detected: Must provide a StateMachine ARN or MapRun ARN",
                )
            raise ApiError("ResourceNotFound", f"Resource not found: '{map_run_arn}'")  # no Map Runs here
        parsed = arns.parse_state_machine_arn(machine_arn)
        machine = None if parsed.qualified else self.store.get_state_machine(machine_arn)
        if machine is None:
            raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{machine_arn}'")
        if machine.type == "EXPRESS":
            raise type_not_supported()
        if redrive is None:
            try:
                page = self.store.list_executions(
                    machine_arn=machine_arn, status=status, limit=limit, next_token=request.get("nextToken")
                )
            except StoreError:
                raise invalid_token() from None
            items, token = page.items, page.next_token
        else:
            items, token = self._list_redrive_filtered(machine_arn, status, redrive, request)
        out: dict[str, Any] = {"executions": [execution_list_item(item) for item in items]}
        if token is not None:
            out["nextToken"] = token
        return out

    def _list_redrive_filtered(
        self, machine_arn: str, status: str | None, redrive: str, request: dict[str, Any]
    ) -> tuple[list[ExecutionItem], str | None]:
        """A page of the executions that were (not) redriven: the store cannot filter on that, so
        every execution of the machine is read and the page cut here."""

        def fetch(token: str | None) -> tuple[list[ExecutionItem], str | None]:
            page = self.store.list_executions(
                machine_arn=machine_arn, status=status, limit=_LIST_BATCH, next_token=token
            )
            return page.items, page.next_token

        wanted = redrive == "REDRIVEN"
        items = [item for item in collect(fetch) if (item.redrive_count > 0) == wanted]
        return paginate(items, _listing_key, request)

    # ------------------------------------------------------------ stop / machine
    def stop_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["executionArn"]
        error, cause = request.get("error"), request.get("cause")
        check_length(error, "error", ERROR_MAX)
        check_length(cause, "cause", CAUSE_MAX)
        item = require_execution(self.store, arn)
        if item.status == "RUNNING":
            item = self.workflows.stop(arn, error=error, cause=cause) or item
        return {"stopDate": item.stop_date or now_ms(self.clock)}

    def describe_state_machine_for_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        item = require_execution(self.store, request["executionArn"], express=True)
        machine = self.store.get_state_machine(item.machine_arn, item.revision_id)
        if machine is None:  # pragma: no cover - revisions stay readable after delete
            raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{item.machine_arn}'")
        out = {
            "stateMachineArn": machine.arn,
            "name": machine.name,
            "definition": machine.definition,
            "roleArn": machine.role_arn,
            "updateDate": machine.update_date or machine.creation_date,
            "loggingConfiguration": machine_logging(machine),
            "tracingConfiguration": machine_tracing(machine),
            "revisionId": machine.revision_id if machine.update_date is not None else None,
            "description": machine.description or None,
        }
        return omit_none(out)


# ------------------------------------------------------------------ helpers


def check_execution_input(text: str) -> str:
    """``text`` if it is a valid execution input, else AWS's error."""
    check_payload_size(text, "input")
    if text == "":
        raise invalid_input("Invalid execution input.")
    try:
        text.encode("utf-8")
        parse_json(text)
    except UnicodeEncodeError:
        raise invalid_input("Invalid UTF-8 middle byte") from None
    except JsonTextError as err:
        raise invalid_input(str(err)) from None
    return text


def invalid_input(problem: str) -> ApiError:
    return ApiError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{problem}'")


def execution_already_exists(arn: str) -> ApiError:
    return ApiError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")


def _same_input(stored: str, given: str) -> bool:
    if stored == given:
        return True
    return _canonical(stored) == _canonical(given)


def _canonical(text: str) -> str:
    return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))


def execution_list_item(item: ExecutionItem) -> dict[str, Any]:
    """A ListExecutions entry (AWS, recorded: ``redriveCount`` always, ``stopDate`` once ended)."""
    out = {
        "executionArn": item.arn,
        "stateMachineArn": item.machine_arn,
        "name": item.name,
        "status": item.status,
        "startDate": item.start_date,
        "stopDate": item.stop_date,
        "redriveCount": item.redrive_count,
        "redriveDate": item.redrive_date,
    }
    return omit_none(out)


def _listing_key(item: ExecutionItem) -> str:
    """Ascending in ListExecutions order: newest start first, ties by ARN."""
    millis = int(item.start_date.timestamp() * 1000)
    return f"{10**15 - millis:016d}|{item.arn}"


def billing_details(item: ExecutionItem) -> dict[str, int]:
    """Express billing: duration rounded up to the next 100 ms, 64 MB (AWS, recorded in
    LocalStack's ``test_express_sync.snapshot.json``)."""
    stop = item.stop_date or item.start_date
    millis = max(0.0, (stop - item.start_date).total_seconds() * 1000)
    return {
        "billedMemoryUsedInMB": 64,
        "billedDurationInMilliseconds": max(100, math.ceil(millis / 100) * 100),
    }
