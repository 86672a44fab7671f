"""What the execution, history and callback operations share: lookups, limits and AWS's errors."""

from __future__ import annotations

from typing import Any

from interpreter.adapters.stores.base import ExecutionItem, ExecutionStore

from . import arns
from .errors import ApiError

PAYLOAD_MAX_BYTES = 262_144  # SensitiveData: execution input, task output (256 KiB, UTF-8 bytes)
ERROR_MAX = 256  # SensitiveError: StopExecution / SendTaskFailure ``error``
CAUSE_MAX = 32_768  # SensitiveCause: StopExecution / SendTaskFailure ``cause``


def execution_does_not_exist(arn: str) -> ApiError:
    """AWS, recorded (LocalStack ``test_sfn_api.snapshot.json``): ``Execution Does Not Exist: '<arn>'``."""
    return ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")


def type_not_supported() -> ApiError:
    """AWS, recorded (``test_start_sync_execution``): StartSyncExecution of a STANDARD machine."""
    return ApiError(
        "StateMachineTypeNotSupported", "This operation is not supported by this type of state machine"
    )


def require_execution(store: ExecutionStore, arn: str, *, express: bool = False) -> ExecutionItem:
    """The execution ``arn`` names, or ``InvalidArn`` / ``ExecutionDoesNotExist``."""
    arns.parse_execution_arn(arn, express=express)
    item = store.get_execution(arn)
    if item is None:
        raise execution_does_not_exist(arn)
    return item


def sensitive_violation(member: str, constraint: str) -> ApiError:
    """A model-constraint error on a sensitive member: AWS never echoes its value
    (``1 validation error detected: Value at 'input' failed to satisfy constraint: ...``)."""
    return ApiError(
        "ValidationException",
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: {constraint}",
    )


def check_length(value: str | None, member: str, high: int) -> None:
    """``error`` (≤ 256) and ``cause`` (≤ 32,768), as the API model bounds them."""
    if value is not None and len(value) > high:
        raise sensitive_violation(member, f"Member must have length less than or equal to {high}")


def check_payload_size(value: str, member: str) -> None:
    """Execution input / task output: at most 256 KiB in UTF-8 (same text as the transport's check)."""
    if len(value) * 4 > PAYLOAD_MAX_BYTES and len(value.encode("utf-8", "surrogatepass")) > PAYLOAD_MAX_BYTES:
        constraint = (
            f"Member must have size less than or equal to {PAYLOAD_MAX_BYTES} bytes in UTF-8 encoding"
        )
        raise sensitive_violation(member, constraint)


def omit_none(out: dict[str, Any]) -> dict[str, Any]:
    """AWS leaves absent members out of its responses rather than sending nulls."""
    return {key: value for key, value in out.items() if value is not None}
