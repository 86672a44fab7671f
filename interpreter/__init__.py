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
) -> ExecutionResult:
    """Run one execution to its end, in this process.

    ``handlers`` maps Lambda functions (name, ARN or ``${Placeholder}``) to Python callables
    ``handler(event, context)``, or is a ``HandlerRegistry``. Time is virtual unless
    ``virtual_time=False`` (or a ``clock`` is given): Waits and retry delays take no real time.
    ``execution_type="EXPRESS"`` runs without the Standard quota of 25,000 history events.
    """
    from .adapters.local_runner import LocalTaskRunner

    machine = (
        definition if isinstance(definition, StateMachine) else load_definition(definition, substitutions)
    )
    if clock is None:
        clock = VirtualClock() if virtual_time else SystemClock()
    if runner is None:
        runner = LocalTaskRunner.from_handlers(handlers, clock=clock)
    engine = Engine(runner=runner, clock=clock)
    return engine.run(
        machine,
        {} if input is None else input,
        name=name,
        machine_name=machine_name,
        seed=seed,
        execution_type=execution_type,
    )
