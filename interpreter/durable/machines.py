"""Compiled state machines for stored executions, by (state machine ARN, revision id)."""

from __future__ import annotations

import threading

from ..adapters.stores.base import ExecutionStore
from ..loading import load_definition
from ..model import StateMachine


class MachineCache:
    """Loads a stored revision's definition once and keeps the compiled machine."""

    def __init__(self, store: ExecutionStore) -> None:
        self.store = store
        self._machines: dict[tuple[str, str], StateMachine] = {}
        self._lock = threading.Lock()

    def __call__(self, machine_arn: str, revision_id: str) -> StateMachine:
        key = (machine_arn, revision_id)
        machine = self._machines.get(key)
        if machine is None:
            item = self.store.get_state_machine(machine_arn, revision_id)
            if item is None:
                raise LookupError(f"state machine {machine_arn} revision {revision_id} is not stored")
            machine = load_definition(item.definition, name=item.name)
            with self._lock:
                self._machines[key] = machine
        return machine

    def put(self, machine_arn: str, revision_id: str, machine: StateMachine) -> None:
        """Seed the cache with a machine compiled from the stored definition text."""
        with self._lock:
            self._machines[(machine_arn, revision_id)] = machine
