"""TestState: run one state once and show what it did (a mixin of the API facade).

``TestStateOperations`` expects ``self.workflows`` (its executor's ``runner`` runs unmocked
tasks), ``self.region``, ``self.account`` and ``self.clock``. The state runs through the engine's
own runtime (``runtime.single_state``); this module checks the request as AWS does and renders
AWS's response.

AWS behaviour pinned here (recorded TestState responses in LocalStack's AWS-validated snapshots,
``tests/aws/services/stepfunctions/v2/test_state/*.snapshot.json``; tests name each source):

* ``definition`` is one state (tested under the name ``StateName``, which ``$$.State.Name``
  shows) or, with ``stateName``, a whole state machine in which that state (also one inside a Map
  or Parallel) is tested; a name not in it is ``ValidationException: State not found in
  definition``. Problems are ``InvalidDefinition`` in CreateStateMachine's format.
* ``status`` is SUCCEEDED (``nextState`` when the state has a Next/Choice target), FAILED,
  CAUGHT_ERROR (``error``, ``cause``, the catcher's Next and the catcher's output) or RETRIABLE
  (``error``, ``cause``; no output). ``stateConfiguration.retrierRetryCount`` says how many retries
  the matching Retry has made already.
* ``inspectionData`` (DEBUG and TRACE; none at INFO) holds JSON text of each data-flow step the
  state has (``runtime.single_state``), ``variables`` when any, and ``errorDetails``
  (``catchIndex``, ``retryIndex``, ``retryBackoffIntervalSeconds``).
* A mock replaces the task (``result`` or ``errorOutput``); Map and Parallel run only with one
  (without: ``InvalidDefinition: TestState API does not support Map or Parallel states. ...``);
  Pass, Fail and Succeed refuse one; a Task without a mock needs a ``roleArn``.
"""

from __future__ import annotations

import json
import random
import uuid
from typing import Any

from interpreter.adapters.clock import Clock
from interpreter.durable.workflows import Workflows
from interpreter.errors import DefinitionError, Problem
from interpreter.loading import load_definition
from interpreter.parse import codes, parse_json_text
from interpreter.parse.build import build_state_machine
from interpreter.runtime.effects import RunTask, TaskDone
from interpreter.runtime.jsontext import dumps_compact
from interpreter.runtime.record import ExecutionRecord
from interpreter.runtime.single_state import Mocked, Perform, StateRun, run_state

from . import arns
from .definitions import definition_problems, invalid_definition
from .errors import ApiError
from .executions import check_execution_input
from .jsontext import JsonTextError, parse_json

STATE_NAME = "StateName"  # the name AWS gives a state tested on its own
INSPECTION_LEVELS = ("INFO", "DEBUG", "TRACE")
_JSON_MEMBERS = (
    "input",
    "afterArguments",
    "afterInputPath",
    "afterParameters",
    "afterItemsPath",
    "result",
    "afterResultSelector",
    "afterResultPath",
    "variables",
)
_NO_MOCK_TYPES = ("Pass", "Fail", "Succeed", "Choice", "Wait")
_COMPOSITE_WITHOUT_MOCK = (
    "TestState API does not support Map or Parallel states. "
    "Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]"
)


class TestStateOperations:
    __test__ = False  # not a pytest test class

    workflows: Workflows
    region: str
    account: str
    clock: Clock

    def test_state(self, request: dict[str, Any]) -> dict[str, Any]:
        level = request.get("inspectionLevel") or "INFO"
        if level not in INSPECTION_LEVELS:
            constraint = "Member must satisfy enum value set: [INFO, DEBUG, TRACE]"
            raise arns.validation_error(level, "inspectionLevel", constraint)
        state = state_under_test(request["definition"], request.get("stateName"))
        mock = request.get("mock")
        outcome = check_mock(request, state)
        role_arn = request.get("roleArn")
        if role_arn is not None:
            arns.parse_role_arn(role_arn)
        elif state.type_name == "Task" and mock is None:
            # AWS (recorded): test_base_lambda_service_task_state_no_role_arn_validation.
            raise ApiError("ValidationException", "RoleArn must be specified when testing a Task state")
        if request.get("context") is not None:
            if mock is None:
                raise ApiError("ValidationException", "The context field may only be given with a mock")
            raise ApiError("ValidationException", "stepfn does not support the TestState context field yet")
        input_text = request.get("input")
        raw_input = json.loads(check_execution_input("{}" if input_text is None else input_text))
        variables = _variables(request.get("variables"))
        configuration = request.get("stateConfiguration") or {}

        run = run_state(
            state,
            self._record(raw_input, role_arn),
            variables=variables,
            perform=self._performer(outcome),
            mocked=_mocked(outcome, configuration),
            retrier_retry_count=int(configuration.get("retrierRetryCount") or 0),
        )
        return render(run, level)

    def _record(self, raw_input: Any, role_arn: str | None) -> ExecutionRecord:
        """A one-state EXPRESS execution (AWS's ``$$.Execution.Id`` is an ``express:`` ARN)."""
        machine = f"TestState-{uuid.uuid4().hex[:12]}"
        name = str(uuid.uuid4())
        prefix = f"arn:{arns.partition_for(self.region)}:states:{self.region}:{self.account}"
        record = ExecutionRecord(
            arn=f"{prefix}:express:{machine}:{name}",
            name=name,
            machine_arn=f"{prefix}:stateMachine:{machine}",
            machine_name=machine,
            input=raw_input,
            start_time=self.clock.now(),
            role_arn="",
            seed=random.SystemRandom().getrandbits(48),
        )
        record.role_arn = role_arn  # type: ignore[assignment]  # null in $$ without one (recorded)
        return record

    def _performer(self, outcome: TaskDone | None) -> Perform:
        """How the tested Task's work is done: the mock, or the service's task runner."""

        def mocked(task: RunTask) -> tuple[TaskDone, float]:
            assert outcome is not None
            return TaskDone(
                token=task.token,
                ok=outcome.ok,
                output=outcome.output,
                error=outcome.error,
                cause=outcome.cause,
            ), 0.0

        def real(task: RunTask) -> tuple[TaskDone, float]:
            runner = self.workflows.executor.runner
            if runner is None:
                cause = f"No task runner for {task.resource.raw}"
                return TaskDone(token=task.token, ok=False, error="States.Runtime", cause=cause), 0.0
            try:
                result = runner.run(task, request_id=str(uuid.uuid4()), now=self.clock.now())
            except Exception as exc:  # a runner bug is the task's failure, as in the executor
                return TaskDone(token=task.token, ok=False, error=type(exc).__name__, cause=str(exc)), 0.0
            message = TaskDone(
                token=task.token, ok=result.ok, output=result.output, error=result.error, cause=result.cause
            )
            return message, float(result.elapsed)

        return real if outcome is None else mocked


# ------------------------------------------------------------------ the state


def state_under_test(definition: str, state_name: str | None) -> Any:
    """The compiled state the request tests, or AWS's error for the definition / stateName."""
    if state_name is not None:
        problems = definition_problems(definition)
        if any(problem.severity == codes.ERROR for problem in problems):
            raise invalid_definition(problems)
        found = _find_state(load_definition(definition).graph, state_name)
        if found is None:
            # AWS (recorded): test_base_state_name_validation_failures[dne].
            raise ApiError("ValidationException", "State not found in definition")
        return found
    try:
        doc = parse_json_text(definition, source="definition")
    except DefinitionError as err:
        raise invalid_definition(list(err.problems)) from None
    if not isinstance(doc, dict):
        raise invalid_definition([Problem("", "Definition must be a valid JSON object")])
    machine = {"StartAt": STATE_NAME, "States": {STATE_NAME: doc, **_stand_ins(doc)}}
    # a lone state need not end a workflow: MISSING_END_STATE is no problem here
    problems = [p for p in definition_problems(json.dumps(machine)) if p.code != codes.MISSING_END_STATE]
    if any(problem.severity == codes.ERROR for problem in problems):
        raise invalid_definition(_relocated(problems))
    try:
        return build_state_machine(machine).states[STATE_NAME]
    except DefinitionError as err:
        raise invalid_definition(_relocated(list(err.problems))) from None


def _relocated(problems: list[Problem]) -> list[Problem]:
    """Problems of a lone state located in the state itself (``/Type``, not ``/States/.../Type``)."""
    prefix = f"/States/{STATE_NAME}"
    return [
        Problem(p.pointer[len(prefix) :], p.message, p.code, p.severity)
        if p.pointer.startswith(prefix)
        else p
        for p in problems
    ]


def _stand_ins(doc: dict[str, Any]) -> dict[str, Any]:
    """A Succeed state for every state a lone state's transitions name, so that they resolve."""
    names = [doc.get("Next"), doc.get("Default")]
    for member in ("Choices", "Catch"):
        rules = doc.get(member)
        if isinstance(rules, list):
            names += [rule.get("Next") for rule in rules if isinstance(rule, dict)]
    return {name: {"Type": "Succeed"} for name in names if isinstance(name, str) and name != STATE_NAME}


def _find_state(graph: Any, name: str) -> Any:
    """The state called ``name`` in ``graph`` or in a Map/Parallel inside it."""
    state = graph.states.get(name)
    if state is not None:
        return state
    for inner in graph.states.values():
        for sub in (getattr(inner, "processor", None), *getattr(inner, "branches", ())):
            found = _find_state(sub, name) if sub is not None else None
            if found is not None:
                return found
    return None


# ------------------------------------------------------------------ the mock


def check_mock(request: dict[str, Any], state: Any) -> TaskDone | None:
    """The mocked outcome (None: no mock), after AWS's checks of the mock against the state.

    Recorded AWS messages: LocalStack ``test_state_mock_validation.snapshot.json``."""
    mock = request.get("mock")
    kind = state.type_name
    if mock is None:
        if kind in ("Map", "Parallel"):
            raise ApiError("InvalidDefinition", _COMPOSITE_WITHOUT_MOCK)
        info = getattr(state, "resource_info", None)
        if (
            kind == "Task"
            and info is not None
            and (info.kind == "activity" or info.pattern not in (None, "request_response"))
        ):
            raise ApiError(
                "InvalidDefinition",
                "TestState API does not support Activity tasks or the .sync and .waitForTaskToken "
                "integration patterns without a mock",
            )
        return None
    if kind in _NO_MOCK_TYPES:
        raise ApiError(
            "ValidationException", f"State type '{kind}' is not supported when a mock is specified"
        )
    if request.get("revealSecrets"):
        raise ApiError(
            "ValidationException", "TestState does not support RevealSecrets when a mock is specified."
        )
    if ("result" in mock) == ("errorOutput" in mock):
        raise ApiError(
            "ValidationException",
            "A test mock should have only one of the following fields: [result, errorOutput].",
        )
    if "errorOutput" in mock:
        error_output = mock["errorOutput"] or {}
        return TaskDone(token="", ok=False, error=error_output.get("error"), cause=error_output.get("cause"))
    try:
        result = parse_json(mock["result"])
    except JsonTextError:
        # LocalStack's message (test_state_analyser.py); AWS's own text is not recorded.
        raise ApiError("ValidationException", "Mocked result must be valid JSON") from None
    if kind == "Map" and state.result_writer is not None and not isinstance(result, dict):
        raise ApiError("ValidationException", "Mocked result must be a JSON object.")
    if kind in ("Map", "Parallel") and (kind == "Parallel" or state.result_writer is None):
        if not isinstance(result, list):
            raise ApiError("ValidationException", "Mocked result must be an array.")
        if kind == "Parallel" and len(result) != len(state.branches):
            raise ApiError(
                "ValidationException",
                "Mocked result must contain the same number of items as number of Parallel branches.",
            )
    return TaskDone(token="", ok=True, output=result)


def _mocked(outcome: TaskDone | None, configuration: dict[str, Any]) -> Mocked | None:
    if outcome is None:
        return None
    return Mocked(
        ok=outcome.ok,
        output=outcome.output,
        error=outcome.error,
        cause=outcome.cause,
        failed_iterations=configuration.get("mapIterationFailureCount"),
    )


def _variables(text: str | None) -> dict[str, Any] | None:
    """The ``variables`` member: JSON text of an object (AWS's error text is not recorded)."""
    if text is None:
        return None
    try:
        value = parse_json(text)
    except JsonTextError as err:
        raise ApiError("ValidationException", f"Invalid variables: '{err}'") from None
    if not isinstance(value, dict):
        raise ApiError("ValidationException", "Invalid variables: 'variables must be a JSON object'")
    return value


# ------------------------------------------------------------------ the response


def render(run: StateRun, level: str) -> dict[str, Any]:
    """TestState's response: JSON text for output and the inspection data's payloads."""
    out: dict[str, Any] = {"status": run.status}
    if run.has_output:
        out["output"] = dumps_compact(run.output)
    if run.error is not None:
        out["error"] = run.error
    if run.cause is not None:
        out["cause"] = run.cause
    if run.next_state is not None:
        out["nextState"] = run.next_state
    if level != "INFO":
        out["inspectionData"] = {
            key: dumps_compact(value) if key in _JSON_MEMBERS else value
            for key, value in run.inspection.items()
        }
    return out


__all__ = ["TestStateOperations", "check_mock", "render", "state_under_test"]
