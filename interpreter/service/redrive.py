"""RedriveExecution (a mixin of the API facade): restart a FAILED, TIMED_OUT or ABORTED Standard
execution from where it stopped (``durable.redrive`` does the work and holds AWS's rules).

``RedriveOperations`` expects ``self.store`` and ``self.workflows`` (a ``durable.Workflows`` over
the same store).

AWS behaviour (API reference, RedriveExecution; developer guide, "Restarting state machine
executions with redrive"):

* Request ``executionArn`` (required) and ``clientToken`` (1-64 printable ASCII characters; boto3
  fills one in); response ``{"redriveDate": ...}``.
* Errors: ``InvalidArn`` (not an execution ARN; an Express execution ARN is "Resource type not
  valid in this context: express", as for DescribeExecution), ``ExecutionDoesNotExist``,
  ``ExecutionNotRedrivable`` (message: the ``redriveStatusReason`` DescribeExecution reports, e.g.
  ``Execution is SUCCEEDED and cannot be redriven``), ``ValidationException``.
  ``ExecutionLimitExceeded`` (too many running executions) is never raised: stepfn sets no such
  limit.
* A ``clientToken`` that redrove the execution in the last 15 minutes (one of its last 10) answers
  with that redrive's date again and changes nothing.
"""

from __future__ import annotations

from typing import Any

from interpreter.adapters.stores.base import ExecutionStore
from interpreter.durable.redrive import NotRedrivable
from interpreter.durable.workflows import Workflows

from .arns import validation_error
from .errors import ApiError
from .execution_support import execution_does_not_exist, require_execution

CLIENT_TOKEN_MAX = 64


class RedriveOperations:
    store: ExecutionStore
    workflows: Workflows

    def redrive_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["executionArn"]
        token = request.get("clientToken")
        if token is not None:
            check_client_token(token)
        require_execution(self.store, arn)
        try:
            item, _ = self.workflows.redrive(arn, client_token=token)
        except KeyError:  # deleted meanwhile
            raise execution_does_not_exist(arn) from None
        except NotRedrivable as err:
            raise ApiError("ExecutionNotRedrivable", err.reason) from None
        return {"redriveDate": item.redrive_date}


def check_client_token(token: Any) -> None:
    """The model's ClientToken constraints: length 1-64, pattern ``[!-~]+``."""
    if not isinstance(token, str) or not 1 <= len(token) <= CLIENT_TOKEN_MAX:
        constraint = (
            "Member must have length greater than or equal to 1"
            if isinstance(token, str) and not token
            else f"Member must have length less than or equal to {CLIENT_TOKEN_MAX}"
        )
        raise validation_error(token, "clientToken", constraint)
    if any(not "!" <= ch <= "~" for ch in token):
        raise validation_error(token, "clientToken", "Member must satisfy regular expression pattern: [!-~]+")
