"""Mocked service integrations in the MockConfigFile format AWS documented for Step Functions Local.

A mock configuration names, per state machine and test case, the Task states whose calls are
mocked and the mocked response each one uses; a mocked response says what each invocation of the
state returns (``Return``: the integration's response, any JSON value) or raises (``Throw``:
``Error`` and ``Cause``)::

    {"StateMachines": {"Checkout": {"TestCases": {"Busy": {"Charge": "ChargeBusyTwice"}}}},
     "MockedResponses": {"ChargeBusyTwice": {
         "0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded."}},
         "2": {"Return": {"StatusCode": 200, "Payload": {"charged": true}}}}}}

How a run uses it, as Step Functions Local does (sources: the AWS Step Functions developer guide,
"Using mocked service integrations for testing in Step Functions Local" and "Configuration file
for mocked service integrations"; LocalStack ``services/stepfunctions/mocking``; floci issues
#2523 and #3254, checked against ``amazon/aws-stepfunctions-local`` 2.0.0):

* A run picks one test case of one state machine (Step Functions Local: the ``#TestCase`` suffix
  of the state machine ARN given to StartExecution; here ``test_case="Case"`` or
  ``"StateMachine#Case"``).
* Invocation numbers count the calls of one state in one execution, from 0: every call counts,
  retries included, and so do later entries of the state (a loop, each Map iteration, each
  Parallel branch naming it). ``"1-2"`` is an inclusive range.
* A state the test case does not name calls its real integration (here: the next task runner).
* An invocation no entry covers (past the last one, a gap, an empty mocked response) fails the
  state with ``States.Runtime``, which no Retry or Catch handles: the execution fails.
* A mocked activity state fails the execution with ``States.Runtime`` and Step Functions Local's
  cause.

Loading checks the whole file and reports every problem with its JSON Pointer
(``/MockedResponses/Busy/0-1/Throw/Cause: must be a string``); a ``MockConfigError`` is an
``InputError``, so the CLI prints it and exits 2.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..adapters.task_outcome import TaskOutcome
from ..errors import InputError, Problem

MOCK_CONFIG_ENV = "SFN_MOCK_CONFIG"  # Step Functions Local's (and LocalStack's) variable
DEFAULT_MOCK_CONFIG_FILE = "MockConfigFile.json"  # what Step Functions Local reads by default

RUNTIME = "States.Runtime"
ACTIVITY_CAUSE = (  # Step Functions Local's cause (aws-samples/aws-stepfunctions-examples#69)
    "Activity state cannot be mocked. "
    "Please remove mocks mapped for all activity state in the mock config file."
)
_KEY = re.compile(r"(\d+)(?:-(\d+))?")
_CODE = "MOCK_CONFIG"


class MockConfigError(InputError):
    """A mock configuration that cannot be used; ``problems`` says what and where."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{source}: {p}" for p in self.problems))


def pointer(*parts: str) -> str:
    """A JSON Pointer (RFC 6901) to ``parts``."""
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


# ------------------------------------------------------------------ the model
@dataclass(frozen=True, slots=True, kw_only=True)
class MockedInvocations:
    """One entry of a mocked response: invocations ``first``..``last`` return or throw this."""

    key: str
    first: int
    last: int
    returns: bool
    value: Any = None
    error: str | None = None
    cause: str | None = None

    def outcome(self) -> TaskOutcome:
        if self.returns:
            return TaskOutcome.success(copy.deepcopy(self.value))
        return TaskOutcome.failure(self.error or "", self.cause)


@dataclass(frozen=True, slots=True, kw_only=True)
class MockedResponse:
    name: str
    entries: tuple[MockedInvocations, ...]  # sorted by ``first``; ranges do not overlap

    def for_invocation(self, n: int) -> MockedInvocations | None:
        return next((e for e in self.entries if e.first <= n <= e.last), None)

    def covered(self) -> str:
        return ", ".join(e.key for e in self.entries) or "none"


@dataclass(frozen=True, slots=True, kw_only=True)
class MockTestCase:
    """The test case a run uses: state name -> its mocked response."""

    machine: str
    name: str
    states: Mapping[str, MockedResponse]

    def where(self, state: str | None = None) -> str:
        parts = ["StateMachines", self.machine, "TestCases", self.name]
        return pointer(*parts, *([state] if state is not None else []))


@dataclass(frozen=True, slots=True, kw_only=True)
class MockConfig:
    source: str
    state_machines: Mapping[str, Mapping[str, Mapping[str, str]]]  # machine -> case -> state -> resp.
    responses: Mapping[str, MockedResponse]

    @classmethod
    def load(cls, source: Any) -> MockConfig:
        """From a file path, JSON text (a ``str`` starting with ``{``) or a parsed dict."""
        return load_mock_config(source)

    def test_case(self, test_case: str, machine_name: str | None = None) -> MockTestCase:
        """The test case ``test_case`` (``"Case"`` or ``"StateMachine#Case"``) of the state machine
        ``machine_name``; with one state machine in the file, that one whatever its name."""
        machine, _, case = test_case.rpartition("#")
        if machine:
            machine = machine.rpartition(":stateMachine:")[2] or machine  # a whole ARN#Case works too
        else:
            machine = machine_name or ""
        if machine not in self.state_machines:
            if len(self.state_machines) != 1 or "#" in test_case:
                known = ", ".join(sorted(self.state_machines)) or "none"
                message = (
                    f"no state machine named '{machine}' (the file has: {known}); "
                    "name it in the test case as 'StateMachineName#TestCase'"
                )
                raise MockConfigError(self.source, [Problem(pointer("StateMachines"), message, _CODE)])
            machine = next(iter(self.state_machines))
        cases = self.state_machines[machine]
        if case not in cases:
            known = ", ".join(sorted(cases)) or "none"
            where = pointer("StateMachines", machine, "TestCases")
            message = f"no test case named '{case}' (the state machine has: {known})"
            raise MockConfigError(self.source, [Problem(where, message, _CODE)])
        states: dict[str, MockedResponse] = {}
        problems = []
        for state, response in cases[case].items():
            if response in self.responses:
                states[state] = self.responses[response]
            else:
                where = pointer("StateMachines", machine, "TestCases", case, state)
                message = f"no mocked response named '{response}' in /MockedResponses"
                problems.append(Problem(where, message, _CODE))
        if problems:
            raise MockConfigError(self.source, problems)
        return MockTestCase(machine=machine, name=case, states=states)


# ------------------------------------------------------------------ loading
def load_mock_config(source: Any) -> MockConfig:
    """Load and check a mock configuration: a path, JSON text, a dict, or a ``MockConfig``."""
    if isinstance(source, MockConfig):
        return source
    if isinstance(source, Mapping | list):  # parsed JSON
        return _build("mock_config", source)
    if isinstance(source, str) and source.lstrip().startswith("{"):
        label, text = "mock_config", source
    elif isinstance(source, str | os.PathLike):
        label = os.fspath(source)
        try:
            text = Path(label).read_text(encoding="utf-8")
        except OSError as err:
            problem = Problem("", f"cannot read: {err.strerror or err}", _CODE)
            raise MockConfigError(label, [problem]) from None
    else:
        raise TypeError(f"mock_config must be a path, JSON text or a dict, not {type(source).__name__}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        message = f"not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        raise MockConfigError(label, [Problem("", message, _CODE)]) from None
    return _build(label, data)


def _build(label: str, data: Any) -> MockConfig:
    problems: list[Problem] = []

    def bad(where: str, message: str) -> None:
        problems.append(Problem(where, message, _CODE))

    def obj(value: Any, where: str, what: str) -> Mapping[str, Any]:
        if isinstance(value, Mapping):
            return value
        bad(where, f"{what} must be a JSON object")
        return {}

    def only(value: Mapping[str, Any], where: str, allowed: tuple[str, ...]) -> None:
        for key in value:
            if key not in allowed:
                bad(where + pointer(key), f"unknown field (expected {' or '.join(allowed)})")

    root = obj(data, "", "a mock configuration")
    only(root, "", ("StateMachines", "MockedResponses"))
    for key in ("StateMachines", "MockedResponses"):
        if isinstance(data, Mapping) and key not in root:
            bad(pointer(key), "missing (a mock configuration has StateMachines and MockedResponses)")
    machines: dict[str, dict[str, dict[str, str]]] = {}
    all_machines = obj(root.get("StateMachines", {}), "/StateMachines", "StateMachines")
    for machine, entry in all_machines.items():
        at = pointer("StateMachines", machine)
        entry = obj(entry, at, "a state machine's entry")
        only(entry, at, ("TestCases",))
        if entry and "TestCases" not in entry:
            bad(at + "/TestCases", "missing")
        cases = machines[machine] = {}
        for case, states in obj(entry.get("TestCases", {}), at + "/TestCases", "TestCases").items():
            where = pointer("StateMachines", machine, "TestCases", case)
            cases[case] = {}
            for state, response in obj(states, where, "a test case").items():
                if isinstance(response, str):
                    cases[case][state] = response
                else:
                    bad(where + pointer(state), "must be the name of a mocked response (a string)")
    responses: dict[str, MockedResponse] = {}
    all_responses = obj(root.get("MockedResponses", {}), "/MockedResponses", "MockedResponses")
    for name, entries in all_responses.items():
        at = pointer("MockedResponses", name)
        raw_entries = obj(entries, at, "a mocked response").items()
        parsed = [e for key, raw in raw_entries if (e := _entry(at, key, raw, bad))]
        parsed.sort(key=lambda e: e.first)
        kept: list[MockedInvocations] = []
        for entry in parsed:
            if kept and entry.first <= kept[-1].last:
                bad(at + pointer(entry.key), f"invocations {entry.key} overlap '{kept[-1].key}'")
            else:
                kept.append(entry)
        responses[name] = MockedResponse(name=name, entries=tuple(kept))
    if problems:
        problems.sort(key=lambda p: p.pointer)
        raise MockConfigError(label, problems)
    return MockConfig(source=label, state_machines=machines, responses=responses)


def _entry(at: str, key: str, raw: Any, bad: Any) -> MockedInvocations | None:
    where = at + pointer(key)
    match = _KEY.fullmatch(key)
    if match is None:
        bad(where, "an invocation number ('0') or an inclusive range ('1-2') was expected")
        return None
    first = int(match[1])
    last = int(match[2]) if match[2] is not None else first
    ok = True
    if last < first:
        bad(where, f"the range ends before it starts ({first} > {last})")
        ok = False
    if not isinstance(raw, Mapping):
        bad(where, "must be a JSON object with Return or Throw")
        return None
    fields = [f for f in ("Return", "Throw") if f in raw]
    for extra in raw:
        if extra not in ("Return", "Throw"):
            bad(where + pointer(extra), "unknown field (expected Return or Throw)")
            ok = False
    if len(fields) != 1:
        bad(where, "must contain exactly one of Return or Throw" + (", not both" if fields else ""))
        return None
    if fields == ["Return"]:
        if not ok:
            return None
        return MockedInvocations(key=key, first=first, last=last, returns=True, value=raw["Return"])
    throw = raw["Throw"]
    if not isinstance(throw, Mapping):
        bad(where + "/Throw", "must be a JSON object with Error and Cause")
        return None
    for extra in throw:
        if extra not in ("Error", "Cause"):
            bad(where + "/Throw" + pointer(extra), "unknown field (expected Error or Cause)")
            ok = False
    for field in ("Error", "Cause"):
        if field not in throw:
            bad(where + "/Throw/" + field, "missing (Throw has an Error and a Cause, both strings)")
            ok = False
        elif not isinstance(throw[field], str):
            bad(where + "/Throw/" + field, "must be a string")
            ok = False
    if not ok:
        return None
    return MockedInvocations(
        key=key, first=first, last=last, returns=False, error=throw["Error"], cause=throw["Cause"]
    )


def default_mock_config_path() -> str | None:
    """Where Step Functions Local looks when no file is given: ``$SFN_MOCK_CONFIG``, else
    ``MockConfigFile.json`` in the working directory (None when neither is there)."""
    env = os.environ.get(MOCK_CONFIG_ENV)
    if env:
        return env
    return DEFAULT_MOCK_CONFIG_FILE if Path(DEFAULT_MOCK_CONFIG_FILE).is_file() else None


# ------------------------------------------------------------------ the runner
@dataclass(frozen=True, slots=True, kw_only=True)
class MockCall:
    """One mocked call: the state, its invocation number and what the mock answered."""

    state: str
    invocation: int
    outcome: TaskOutcome


class MockRunner:
    """A claiming task runner (``LocalTaskRunner.add(runner, first=True)``) that answers the Task
    states of one test case from their mocked responses. One runner per execution: it counts the
    invocations of each state (thread-safe; under the real clock, concurrent Map iterations take
    invocation numbers in the order they call, as AWS warns)."""

    def __init__(self, config: Any, machine_name: str | None, test_case: str) -> None:
        self.config = load_mock_config(config)
        self.test_case = self.config.test_case(test_case, machine_name)
        self.calls: list[MockCall] = []
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def check(self, definition: Any) -> None:
        """Raise ``MockConfigError`` if the test case names a state the definition (a
        ``StateMachine`` or its JSON) does not have, or one that is not a Task state."""
        definition = getattr(definition, "definition", definition)
        types = dict(_state_types(definition))
        problems = []
        for state in self.test_case.states:
            kind = types.get(state)
            if kind is None:
                message = f"no state named '{state}' in the state machine definition"
            elif kind != "Task":
                message = f"'{state}' is a {kind} state: only Task states can be mocked"
            else:
                continue
            problems.append(Problem(self.test_case.where(state), message, _CODE))
        if problems:
            raise MockConfigError(self.config.source, problems)

    def claims(self, task: Any) -> bool:
        return task.state_name in self.test_case.states

    def run(self, task: Any, *, request_id: str, now: datetime) -> TaskOutcome:
        state = task.state_name
        response = self.test_case.states[state]
        if getattr(task.resource, "kind", None) == "activity":
            return TaskOutcome.failure(RUNTIME, ACTIVITY_CAUSE)
        with self._lock:
            n = self._counts.get(state, 0)
            self._counts[state] = n + 1
            entry = response.for_invocation(n)
            if entry is None:
                outcome = TaskOutcome.failure(
                    RUNTIME,
                    f"No mocked response for invocation {n} of state '{state}': mocked response "
                    f"'{response.name}' (test case '{self.test_case.name}') covers invocations "
                    f"{response.covered()}.",
                )
            else:
                outcome = entry.outcome()
                if getattr(task.resource, "pattern", None) == "wait_for_task_token":
                    outcome = _as_callback(outcome)
            self.calls.append(MockCall(state=state, invocation=n, outcome=outcome))
        return outcome


def _as_callback(outcome: TaskOutcome) -> TaskOutcome:
    """A mocked ``.waitForTaskToken`` task: the invocation goes through (``TaskSubmitted``, output
    ``{}``) and the mocked response is the callback's answer, as in Step Functions Local (which
    makes up the task token). An engine without submissions takes the mock as the invocation's."""
    if "submitted" not in getattr(TaskOutcome, "__dataclass_fields__", {}):
        return outcome
    changes: dict[str, Any] = {"submitted": {}}
    return dataclasses.replace(outcome, **changes)


def _state_types(definition: Any) -> Iterator[tuple[str, str]]:
    """(name, Type) of every state, nested ones included (Parallel branches, Map processors)."""
    if not isinstance(definition, Mapping):
        return
    states = definition.get("States")
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        yield name, str(state.get("Type"))
        for branch in state.get("Branches") or ():
            yield from _state_types(branch)
        for key in ("ItemProcessor", "Iterator"):
            yield from _state_types(state.get(key))


def add_mocks(
    runner: Any, mock_config: Any, test_case: str, *, definition: Any, machine_name: str | None
) -> MockRunner:
    """Put a ``MockRunner`` for ``test_case`` first in ``runner`` (a ``LocalTaskRunner``), after
    checking the test case against ``definition``. ``mock_config`` None: ``$SFN_MOCK_CONFIG``,
    else ``./MockConfigFile.json``, as Step Functions Local looks for it."""
    if mock_config is None:
        mock_config = default_mock_config_path()
        if mock_config is None:
            message = f"none given, no ${MOCK_CONFIG_ENV} and no ./{DEFAULT_MOCK_CONFIG_FILE}"
            raise MockConfigError("mock_config", [Problem("", message, _CODE)])
    mocks = MockRunner(mock_config, machine_name, test_case)
    mocks.check(definition)
    add = getattr(runner, "add", None)
    if add is None:
        raise TypeError(f"cannot add mocks to a {type(runner).__name__}: pass a LocalTaskRunner or no runner")
    add(mocks, first=True)
    return mocks
