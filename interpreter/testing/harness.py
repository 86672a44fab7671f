"""What the ``stepfn`` pytest fixture hands a test: run a definition (with mocks, on the virtual
clock) and assert on the result and its history.

    def test_charge_retries(stepfn):
        result = stepfn.run("checkout.asl.json", {"amount": 42},
                            mock_config="MockConfigFile.json", test_case="Busy")
        assert result.status == "SUCCEEDED"
        assert len(result.events("TaskFailed", state="Charge")) == 2
        assert result.retries("Charge") == 2
        assert result.elapsed == 6  # seconds of virtual time: back-offs of 2 s + 4 s
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine import ExecutionResult
from .mock_config import MockCall, MockRunner

_SCHEDULED = ("TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled")


@dataclass(frozen=True, slots=True)
class RunResult:
    """One finished execution: ``status``, ``output``, ``error``, ``cause``, ``history`` (the
    GetExecutionHistory events, oldest first) and helpers for assertions."""

    execution: ExecutionResult
    mock_calls: tuple[MockCall, ...] = ()  # what the mocks answered, in call order
    _history: list[dict[str, Any]] = field(default_factory=list, repr=False)
    _owner: dict[int, str | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        history = self.execution.history
        self._history.extend(history)
        for event in history:  # the state whose entry the previousEventId chain reaches first
            entered = event.get("stateEnteredEventDetails")
            if entered is not None:
                self._owner[event["id"]] = entered["name"]
            else:
                self._owner[event["id"]] = self._owner.get(event.get("previousEventId", 0))

    # the execution
    @property
    def status(self) -> str:
        return self.execution.status

    @property
    def output(self) -> Any:
        return self.execution.output

    @property
    def error(self) -> str | None:
        return self.execution.error

    @property
    def cause(self) -> str | None:
        return self.execution.cause

    @property
    def history(self) -> list[dict[str, Any]]:
        return self._history

    @property
    def elapsed(self) -> float:
        """Seconds from start to stop (virtual time unless the run used the real clock)."""
        stop = self.execution.stop_date or self.execution.start_date
        return (stop - self.execution.start_date).total_seconds()

    # the history
    def events(self, type: str | None = None, *, state: str | None = None) -> list[dict[str, Any]]:
        """The events of ``type`` (all when None), of state ``state`` only if given: an event
        belongs to the state whose ``*StateEntered`` its ``previousEventId`` chain reaches first,
        which is exact for state and task events (``TaskFailed``, ``LambdaFunctionScheduled``)."""
        return [
            e
            for e in self._history
            if (type is None or e["type"] == type) and (state is None or self._owner[e["id"]] == state)
        ]

    @property
    def states(self) -> list[str]:
        """The names of the states entered, in order (a state entered twice is there twice)."""
        entered = (e for e in self._history if e["type"].endswith("StateEntered"))
        return [e["stateEnteredEventDetails"]["name"] for e in entered]

    def state_output(self, name: str) -> Any:
        """The output of state ``name`` the last time it exited (parsed JSON)."""
        outputs = [
            e["stateExitedEventDetails"]
            for e in self._history
            if e["type"].endswith("StateExited") and e["stateExitedEventDetails"]["name"] == name
        ]
        if not outputs:
            entered = ", ".join(self.states) or "none"
            raise KeyError(f"state {name!r} never exited (states entered: {entered})")
        return json.loads(outputs[-1]["output"])

    def retries(self, name: str) -> int:
        """How many times Task state ``name`` was retried: its calls minus its entries."""
        entered = self.events(state=name)
        entered = [e for e in entered if e["type"].endswith("StateEntered")]
        if entered and entered[0]["type"] != "TaskStateEntered":
            kind = entered[0]["type"].removesuffix("StateEntered")
            raise ValueError(f"retries() counts the retries of Task states; {name!r} is a {kind} state")
        calls = sum(1 for e in self._history if e["type"] in _SCHEDULED and self._owner[e["id"]] == name)
        return max(0, calls - len(entered))

    def __repr__(self) -> str:
        return f"RunResult(status={self.status!r}, error={self.error!r}, elapsed={self.elapsed})"


class Harness:
    """Runs definitions for a test. ``mock_config`` set here is the default of every ``run``."""

    def __init__(self, *, mock_config: Any = None, handlers: Any = None) -> None:
        self.mock_config = mock_config
        self.handlers = handlers

    def __repr__(self) -> str:
        return f"Harness(mock_config={self.mock_config!r})"

    def run(
        self,
        definition: Any,
        input: Any = None,
        *,
        mock_config: Any = None,
        test_case: str | None = None,
        handlers: Any = None,
        substitutions: dict[str, str] | None = None,
        machine_name: str | None = None,
        name: str | None = None,
        seed: int | None = None,
        runner: Any = None,
        clock: Any = None,
        execution_type: str = "STANDARD",
    ) -> RunResult:
        """Run ``definition`` (a path, JSON text, dict or ``StateMachine``) to its end on the
        virtual clock. With ``test_case``, the Task states that test case of ``mock_config`` (a
        path, JSON text or dict; default: this harness's, then ``$SFN_MOCK_CONFIG``, then
        ``./MockConfigFile.json``) names answer from their mocked responses; every other Task runs
        its local handler (``handlers``) or the ``runner``'s integration."""
        from .. import run
        from ..adapters.clock import VirtualClock
        from ..adapters.local_runner import LocalTaskRunner
        from ..cli_store import definition_name
        from ..errors import DefinitionError
        from ..loading import load_definition
        from ..model import StateMachine
        from .mock_config import MockConfigError, add_mocks

        __tracebackhide__ = True  # pytest: a bad definition or mock config fails the test's line
        if machine_name is None and isinstance(definition, Path):
            machine_name = definition_name(definition)
        clock = clock or VirtualClock()
        if runner is None:
            handlers = handlers if handlers is not None else self.handlers
            runner = LocalTaskRunner.from_handlers(handlers, clock=clock)
        mocks: MockRunner | None = None
        try:
            if not isinstance(definition, StateMachine):
                definition = load_definition(definition, substitutions)
            if test_case is not None:
                config = mock_config if mock_config is not None else self.mock_config
                mocks = add_mocks(runner, config, test_case, definition=definition, machine_name=machine_name)
            elif mock_config is not None:
                raise ValueError("mock_config= needs test_case= (the test case to run)")
        except (DefinitionError, MockConfigError, ValueError) as err:
            raise err.with_traceback(None) from None
        result = run(
            definition,
            input,
            runner=runner,
            clock=clock,
            name=name,
            machine_name=machine_name or "StateMachine",
            seed=seed,
            execution_type=execution_type,
        )
        return RunResult(result, tuple(mocks.calls) if mocks else ())
