"""SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat (a mixin of the API facade).

A task token (``$$.Task.Token`` of a ``.waitForTaskToken`` task, or the ``taskToken`` GetActivityTask
gives an activity worker) is ``<execution ARN>#callback-<n>``
(``durable.workflows.parse_task_token``); the core waits on the whole token. Whether it is still
awaited is read from the stored engine snapshot (``state["waiting"]``), without loading the state
machine; the outcome goes to the execution through the executor, under its lock, as ``TaskDone`` /
``Heartbeat`` carrying the token.

AWS behaviour pinned here (tests name the sources):

* A token that is not one of ours: ``InvalidToken: Invalid Token: 'Invalid token'``.
* A token whose task is closed — it timed out (``TimeoutSeconds`` or ``HeartbeatSeconds``), was
  already completed by an earlier SendTask* call, or its execution ended or was stopped:
  ``TaskTimedOut: Task Timed Out: 'Provided task does not exist anymore'``. The API reference
  defines TaskTimedOut as "the task token has either expired or the task associated with the token
  has already been closed"; real AWS answers exactly this text for a callback after the task timed
  out (andybalham, "blog-task-tokens-part-2", 2022), for a token used a second time
  (aws-samples/amazon-mwaa-examples#61, SendTaskFailure) and for a token of an ended execution.
* A token naming an execution that does not exist: ``TaskDoesNotExist`` (AWS's text for it is not
  recorded anywhere we could find; the message follows AWS's ``... Does Not Exist: '<x>'`` form).
* SendTaskSuccess ``output`` must be JSON: ``InvalidOutput`` with Jackson's message, in the form of
  StartExecution's recorded ``Invalid State Machine Execution Input: '<problem>'``.
"""

from __future__ import annotations

from typing import Any

from interpreter.adapters.stores.base import ExecutionStore
from interpreter.durable.workflows import TokenTarget, Workflows, parse_task_token
from interpreter.runtime.effects import Heartbeat, TaskDone

from . import arns
from ._support import invalid_token
from .errors import ApiError
from .execution_support import CAUSE_MAX, ERROR_MAX, check_length, check_payload_size
from .jsontext import JsonTextError, parse_json

_CALLBACK = "callback-"


class CallbackOperations:
    store: ExecutionStore
    workflows: Workflows

    def send_task_success(self, request: dict[str, Any]) -> dict[str, Any]:
        task_token = request["taskToken"]
        target = parse_callback_token(task_token)
        output = parse_output(request["output"])
        self._check_awaited(task_token, target)
        self.workflows.complete_task(target, TaskDone(token=task_token, ok=True, output=output))
        return {}

    def send_task_failure(self, request: dict[str, Any]) -> dict[str, Any]:
        error, cause = request.get("error"), request.get("cause")
        check_length(error, "error", ERROR_MAX)
        check_length(cause, "cause", CAUSE_MAX)
        task_token = request["taskToken"]
        target = self._awaited_task(task_token)
        message = TaskDone(token=task_token, ok=False, error=error, cause=cause)
        self.workflows.complete_task(target, message)
        return {}

    def send_task_heartbeat(self, request: dict[str, Any]) -> dict[str, Any]:
        task_token = request["taskToken"]
        target = self._awaited_task(task_token)
        self.workflows.executor.deliver(target.execution_arn, [Heartbeat(token=task_token)])
        return {}

    # ------------------------------------------------------------------ helpers
    def _awaited_task(self, task_token: str) -> TokenTarget:
        """The task ``task_token`` names if its execution still waits for it, else AWS's error."""
        target = parse_callback_token(task_token)
        self._check_awaited(task_token, target)
        return target

    def _check_awaited(self, task_token: str, target: TokenTarget) -> None:
        item = self.store.get_execution(target.execution_arn)
        if item is None:
            raise ApiError("TaskDoesNotExist", f"Task Does Not Exist: '{task_token}'")
        state = item.state or {}
        issued = state.get("nextToken")
        if isinstance(issued, int) and _token_number(target.token) > issued:
            raise invalid_token()  # never handed out: not a token of this execution
        if item.status != "RUNNING" or task_token not in (state.get("waiting") or {}):
            raise task_timed_out()


def parse_callback_token(task_token: str) -> TokenTarget:
    """The execution and core token of a callback task token, or ``InvalidToken``."""
    target = parse_task_token(task_token)
    if target is None or not target.token[len(_CALLBACK) :].isdigit():
        raise invalid_token()
    try:
        arns.parse_execution_arn(target.execution_arn)
    except ApiError:
        raise invalid_token() from None
    return target


def parse_output(text: str) -> Any:
    """SendTaskSuccess ``output``: at most 256 KiB, one JSON value, else AWS's error."""
    check_payload_size(text, "output")
    try:
        return parse_json(text)
    except JsonTextError as err:
        raise ApiError("InvalidOutput", f"Invalid Output: '{err}'") from None


def _token_number(token: str) -> int:
    return int(token[len(_CALLBACK) :])


def task_timed_out() -> ApiError:
    return ApiError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
