"""Shared values for the service tests: a facade over the store, names, ARNs, definitions."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.service.machines import MachineOperations

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/StepFunctionsRole"
START = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
START_MS = datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=UTC)

# LocalStack's BASE_PASS_RESULT template, the definition in AWS's recorded snapshots.
PASS_DEFINITION = json.dumps(
    {
        "Comment": "BASE_PASS_RESULT",
        "StartAt": "State_1",
        "States": {"State_1": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}},
    }
)


def machine_arn(name: str) -> str:
    return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}"


def activity_arn(name: str) -> str:
    return f"arn:aws:states:{REGION}:{ACCOUNT}:activity:{name}"


class Service(MachineOperations):
    def __init__(self, store: MemoryStore, clock: VirtualClock) -> None:
        self.store = store
        self.region = REGION
        self.account = ACCOUNT
        self.clock = clock
