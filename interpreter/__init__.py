"""stepfn: run Amazon States Language state machines as AWS Step Functions does.

Public API::

    from interpreter import load_definition, run
    result = run(definition, {"x": 1}, handlers={"MyFunction": my_handler})
    result.status, result.output, result.error, result.cause, result.history
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .adapters.clock import SystemClock, VirtualClock
from .engine import Engine, EngineError, ExecutionResult
from .errors import DefinitionError, EvaluationError, Failure, InputError, Problem, StatesErrorName
from .loading import load_definition
from .model import StateMachine

__all__ = [
    "DefinitionError",
    "Engine",
    "EngineError",
    "EvaluationError",
    "ExecutionResult",
    "Failure",
    "InputError",
    "Problem",
    "StateMachine",
    "StatesErrorName",
    "SystemClock",
    "VirtualClock",
    "load_definition",
    "run",
]


def run(
    definition: str | Path | dict[str, Any] | StateMachine,
    input: Any = None,
    *,
    handlers: Any = None,
    substitutions: dict[str, str] | None = None,
    virtual_time: bool = True,
    clock: Any = None,
    name: str | None = None,
    machine_name: str = "StateMachine",
    seed: int | None = None,
    runner: Any = None,
    execution_type: str = "STANDARD",
    mock_config: Any = None,
    test_case: str | None = None,
    machines: Any = None,
    aws: Any = None,
) -> ExecutionResult:
    """Run one execution to its end, in this process.

    ``handlers`` maps Lambda functions (name, ARN or ``${Placeholder}``) to Python callables
    ``handler(event, context)``, or is a ``HandlerRegistry``. Time is virtual unless
    ``virtual_time=False`` (or a ``clock`` is given): Waits and retry delays take no real time.
    ``execution_type="EXPRESS"`` runs without the Standard quota of 25,000 history events.
    ``test_case`` ("Case" or "StateMachine#Case") of ``mock_config`` (a MockConfigFile path, JSON
    text or dict; see docs/testing.md) mocks the Task states it names.
    ``machines`` maps state machine ARNs or names to definitions that ``states:startExecution``
    tasks start as nested executions, or is an ``adapters.nested.InProcessExecutions`` (whose
    ``executions`` keep the children's results); see docs/integrations.md.
    ``aws`` runs AWS service tasks (DynamoDB, SQS, SNS, EventBridge, ``aws-sdk:*``) through boto3:
    ``"moto"`` (in-process moto for this run), ``"real"`` (the boto3 credential chain) or a
    ``boto3.Session``; see docs/integrations.md.
    """
    from .adapters.local_runner import LocalTaskRunner

    machine = (
        definition if isinstance(definition, StateMachine) else load_definition(definition, substitutions)
    )
    if clock is None:
        clock = VirtualClock() if virtual_time else SystemClock()
    if runner is None:
        runner = LocalTaskRunner.from_handlers(handlers, clock=clock)
    if test_case is not None:
        from .testing.mock_config import add_mocks

        add_mocks(runner, mock_config, test_case, definition=machine, machine_name=machine_name)
    elif mock_config is not None:
        raise ValueError("mock_config= needs test_case= (the test case to run)")
    from .adapters.nested import InProcessExecutions, attach

    nested = machines if isinstance(machines, InProcessExecutions) else InProcessExecutions(machines)
    nested.runner = runner = attach(runner, nested)
    nested.clock = clock
    from .adapters.aws import open_aws

    aws_handle, owned = open_aws(aws)
    try:
        if aws_handle is not None:
            aws_handle.attach(runner)
        engine = Engine(runner=runner, clock=clock, mailbox=nested.mailbox)
        return engine.run(
            machine,
            {} if input is None else input,
            name=name,
            machine_name=machine_name,
            seed=seed,
            execution_type=execution_type,
        )
    finally:
        if owned and aws_handle is not None:
            aws_handle.close()
