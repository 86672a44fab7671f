"""``StepFunctionsService``: every supported Step Functions API operation on one object.

The HTTP API (``stepfn serve``), the CLI's store commands and tests call the same methods:
``service.start_execution({"stateMachineArn": ..., "input": ...})`` takes AWS's request members
and returns AWS's response members, raising ``ApiError`` with AWS's code and message.
"""

from __future__ import annotations

from typing import Any

from ..adapters.clock import Clock
from ..adapters.stores.base import ExecutionStore
from ..durable.workflows import DEFAULT_ACCOUNT, DEFAULT_REGION, Workflows
from .activity_tasks import ActivityTaskOperations
from .executions import ExecutionOperations
from .machines import MachineOperations
from .redrive import RedriveOperations
from .test_state import TestStateOperations


class StepFunctionsService(
    MachineOperations, ExecutionOperations, RedriveOperations, TestStateOperations, ActivityTaskOperations
):
    def __init__(
        self,
        store: ExecutionStore,
        *,
        runner: Any,
        clock: Clock,
        region: str = DEFAULT_REGION,
        account: str = DEFAULT_ACCOUNT,
        max_workers: int = 16,
        dispatch: Any = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.region = region
        self.account = account
        self.workflows = Workflows(
            store,
            runner=runner,
            clock=clock,
            region=region,
            account=account,
            max_workers=max_workers,
            dispatch=dispatch,
        )

    def close(self) -> None:
        self.workflows.activities.close()  # release GetActivityTask long polls
        self.workflows.executor.close()
