"""Stored state machines and their executions: the durable engine's front door.

``Workflows`` ties a store, the compiled-machine cache and an ``Executor`` together. The API
service (StartExecution, SendTaskSuccess ...), ``stepfn run`` and ``stepfn serve`` all go
through it, so a local run is stored and can be inspected (``stepfn history``) like any other.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..adapters.clock import Clock
from ..adapters.stores.base import ExecutionItem, ExecutionStore, StateMachineItem
from ..model import StateMachine
from ..runtime import snapshot
from ..runtime.effects import StopExecution, TaskDone
from ..runtime.history import Event
from .activities import ActivityQueue
from .executor import Executor
from .machines import MachineCache
from .nested import NestedExecutions
from .redrive import redrive

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"


@dataclass(frozen=True, slots=True)
class TokenTarget:
    """What a task token names: its execution and the core's token inside it."""

    execution_arn: str
    token: str


def parse_task_token(task_token: str) -> TokenTarget | None:
    """The execution a task token belongs to (tokens are ``<execution ARN>#callback-<n>``)."""
    arn, sep, token = task_token.rpartition("#")
    if not sep or not arn.startswith("arn:") or not token.startswith("callback-"):
        return None
    return TokenTarget(arn, token)


class Workflows:
    def __init__(
        self,
        store: ExecutionStore,
        *,
        runner: Any,
        clock: Clock,
        region: str = DEFAULT_REGION,
        account: str = DEFAULT_ACCOUNT,
        cache: bool = True,
        max_workers: int = 16,
        dispatch: Any = None,
    ) -> None:
        """``dispatch(arn, effects)``: where committed effects go instead of this process's pool
        and timers (the serverless worker's queue); see ``Executor``."""
        self.store = store
        self.clock = clock
        self.region = region
        self.account = account
        self.machines = MachineCache(store)
        # True when another thread runs the executor's loop (``stepfn serve``): callers then wait
        # for an execution to end instead of driving (and, with a virtual clock, moving) time
        self.background_loop = False
        # activity tasks wait here for GetActivityTask (durable.activities)
        self.activities = ActivityQueue(exists=lambda arn: store.get_activity(arn) is not None)
        # states:startExecution* tasks start executions in this store (durable.nested)
        self.nested = NestedExecutions(self)
        self.executor = Executor(
            store,
            resolve=self.machines,
            runner=self.nested.wire(runner),
            clock=clock,
            cache=cache,
            max_workers=max_workers,
            activities=self.activities,
            dispatch=dispatch,
        )
        self.executor.observers.append(self.nested.observe)

    # ------------------------------------------------------------------ state machines
    def machine_arn(self, name: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:stateMachine:{name}"

    def role_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:role/StepFunctionsRole"

    def put_machine(
        self, name: str, definition: str, *, role_arn: str | None = None, type: str = "STANDARD"
    ) -> StateMachineItem:
        """Store ``definition`` under ``name``: a new machine, a new revision when it changed, or
        the stored machine as it is when nothing changed (how ``stepfn run FILE`` records runs)."""
        arn = self.machine_arn(name)
        role_arn = role_arn or self.role_arn()
        current = self.store.get_state_machine(arn)
        now = self.clock.now()
        if current is None:
            item = StateMachineItem(
                arn=arn,
                name=name,
                definition=definition,
                role_arn=role_arn,
                type=type,
                creation_date=now,
                revision_id=str(uuid.uuid4()),
            )
            self.store.create_state_machine(item)
            return item
        if current.definition == definition and current.role_arn == role_arn and current.type == type:
            return current
        updated = StateMachineItem(
            arn=arn,
            name=name,
            definition=definition,
            role_arn=role_arn,
            type=type,
            creation_date=current.creation_date,
            update_date=now,
            revision_id=str(uuid.uuid4()),
            description=current.description,
            logging_configuration=current.logging_configuration,
            tracing_configuration=current.tracing_configuration,
            tags=current.tags,
        )
        self.store.update_state_machine(updated, expected_revision=current.revision_id)
        return updated

    # ------------------------------------------------------------------ executions
    def execution_arn(self, machine: StateMachineItem, name: str) -> str:
        kind = "express" if machine.type == "EXPRESS" else "execution"
        return f"arn:aws:states:{self.region}:{self.account}:{kind}:{machine.name}:{name}"

    def start(
        self,
        machine_item: StateMachineItem,
        input_text: str,
        *,
        name: str | None = None,
        compiled: StateMachine | None = None,
        seed: int | None = None,
        start_date: datetime | None = None,
        arn: str | None = None,
        state: dict[str, Any] | None = None,
    ) -> ExecutionItem:
        """Create and start an execution of the machine's current revision. The store's
        ``AlreadyExists`` propagates when the name is taken. ``arn`` overrides the execution ARN
        (an Express run's carries a run id); ``state`` seeds the stored engine state (a nested
        execution's link to its parent)."""
        name = name or str(uuid.uuid4())
        machine = compiled or self.machines(machine_item.arn, machine_item.revision_id)
        if compiled is not None:
            self.machines.put(machine_item.arn, machine_item.revision_id, compiled)
        item = ExecutionItem(
            arn=arn or self.execution_arn(machine_item, name),
            name=name,
            machine_arn=machine_item.arn,
            revision_id=machine_item.revision_id,
            type=machine_item.type,
            status="RUNNING",
            input=input_text,
            start_date=start_date or self.clock.now(),
            state=state,
        )
        if seed is None:
            seed = random.SystemRandom().getrandbits(48)
        return self.executor.start(
            item, machine, json.loads(input_text), role_arn=machine_item.role_arn, seed=seed
        )

    def run_to_end(self, arn: str) -> ExecutionItem:
        """Drive the executor until the execution ends (``stepfn run``)."""
        self.executor.run_until(lambda: self.executor.is_finished(arn))
        item = self.store.get_execution(arn)
        assert item is not None
        return item

    def stop(self, arn: str, *, error: str | None = None, cause: str | None = None) -> ExecutionItem | None:
        return self.executor.deliver(arn, [StopExecution(error=error, cause=cause)])

    def complete_task(self, target: TokenTarget, message: TaskDone) -> ExecutionItem | None:
        return self.executor.deliver(target.execution_arn, [message])

    def redrive(self, arn: str, *, client_token: str | None = None) -> tuple[ExecutionItem, bool]:
        """RedriveExecution (``durable.redrive``): the execution as stored afterwards, and False when
        ``client_token`` repeated an earlier redrive. ``KeyError`` when there is no such execution,
        ``durable.redrive.NotRedrivable`` (with AWS's reason) when it cannot be redriven."""
        return redrive(self.executor, arn, client_token=client_token)

    # ------------------------------------------------------------------ history
    def history(
        self, arn: str, *, include_execution_data: bool = True, reverse: bool = False
    ) -> list[dict[str, Any]]:
        events = self.store.get_events(arn, reverse=reverse)
        return [snapshot.event_from_data(e).to_api(include_execution_data) for e in events]

    def events(self, arn: str) -> list[Event]:
        return [snapshot.event_from_data(e) for e in self.store.get_events(arn)]
