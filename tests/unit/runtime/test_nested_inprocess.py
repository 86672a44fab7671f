"""``states:startExecution[.sync|.sync:2|.waitForTaskToken]`` in an in-process run
(``interpreter.run(..., machines=...)``, ``adapters.nested.InProcessExecutions``).

Each child runs to its end inside the runner on a clock of its own; its outcome reaches the parent
at the (virtual) time the child ended. The AWS shapes are the durable engine's
(``tests/unit/durable/test_nested.py`` and ``adapters/nested.py`` name the sources: LocalStack's
AWS-recorded ``test_sfn_task_service`` and ``test_base_callbacks`` snapshots, a real AWS
``States.TaskFailed`` cause, LocalStack's ``StateTaskServiceSfn``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from interpreter import run
from interpreter.adapters.nested import InProcessExecutions

CHILD = "arn:aws:states:us-east-1:123456789012:stateMachine:Child"
SLOW = {
    "StartAt": "W",
    "States": {
        "W": {"Type": "Wait", "Seconds": 10, "Next": "P"},
        "P": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True},
    },
}
FAILING = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "it broke"}}}


def answering(action: str, parameters: dict[str, Any]) -> dict[str, Any]:
    state = {"Type": "Task", "Resource": f"arn:aws:states:::aws-sdk:sfn:{action}", "End": True}
    return {"StartAt": "Answer", "States": {"Answer": {**state, "Parameters": parameters}}}


def parent(resource: str, parameters: dict[str, Any], **task: Any) -> dict[str, Any]:
    state = {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True, **task}
    states = {"Start": state}
    if "Catch" in task:
        states["Caught"] = {"Type": "Pass", "End": True}
    return {"StartAt": "Start", "States": states}


def types(result: Any) -> list[str]:
    return [e["type"] for e in result.history]


def details(result: Any, type_: str) -> dict[str, Any]:
    event = next(e for e in result.history if e["type"] == type_)
    return next(v for k, v in event.items() if k.endswith("EventDetails"))


def test_request_response_returns_the_start_response_and_the_child_ran() -> None:
    children = InProcessExecutions({"Child": SLOW})
    definition = parent(
        "arn:aws:states:::states:startExecution",
        {"StateMachineArn": CHILD, "Input": None, "Name": "TestStartTarget"},
    )
    result = run(definition, {}, machines=children)
    assert result.status == "SUCCEEDED"
    assert list(result.output) == ["ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"]
    arn = "arn:aws:states:us-east-1:123456789012:execution:Child:TestStartTarget"
    assert result.output["ExecutionArn"] == arn
    assert result.output["StartDate"] == int(result.start_date.timestamp() * 1000)
    assert "TaskSubmitted" not in types(result)
    child = children.executions[arn]
    assert (child.status, child.output) == ("SUCCEEDED", {"Arg1": "argument1"})
    assert child.record.input == {}  # "Input": null → {}
    # the parent did not wait for the child (request-response)
    assert result.stop_date == result.start_date


@pytest.mark.parametrize(
    ("suffix", "output"), [(".sync", '{"Arg1":"argument1"}'), (".sync:2", {"Arg1": "argument1"})]
)
def test_sync_waits_for_the_child_and_returns_its_description(suffix: str, output: Any) -> None:
    definition = parent(
        f"arn:aws:states:::states:startExecution{suffix}", {"StateMachineArn": CHILD, "Input": {"n": 1}}
    )
    result = run(definition, {}, machines={"Child": SLOW})
    assert result.status == "SUCCEEDED", result.cause
    assert types(result)[2:7] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
    ]
    described = result.output
    assert described["Output"] == output
    assert described["Input"] == ('{"n":1}' if suffix == ".sync" else {"n": 1})
    assert described["Status"] == "SUCCEEDED"
    assert described["RedriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    submitted = json.loads(details(result, "TaskSubmitted")["output"])
    assert submitted["ExecutionArn"] == described["ExecutionArn"]
    assert details(result, "TaskScheduled")["resource"] == f"startExecution{suffix}"
    # the child's 10 s Wait took 10 virtual seconds of the parent's time, between the two events
    stamps = {e["type"]: e["timestamp"] for e in result.history}
    assert (stamps["TaskSucceeded"] - stamps["TaskSubmitted"]).total_seconds() == 10
    assert described["StopDate"] - described["StartDate"] == 10_000


def test_a_failed_child_is_caught_as_states_task_failed() -> None:
    definition = parent(
        "arn:aws:states:::states:startExecution.sync",
        {"StateMachineArn": CHILD},
        Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}],
    )
    result = run(definition, {}, machines={"Child": FAILING})
    assert result.status == "SUCCEEDED"
    assert result.output["Error"] == "States.TaskFailed"
    cause = json.loads(result.output["Cause"])
    assert (cause["Error"], cause["Cause"], cause["Status"]) == ("Boom", "it broke", "FAILED")
    assert "Output" not in cause and cause["Input"] == "{}"


def test_the_task_timeout_races_the_childs_duration() -> None:
    definition = parent(
        "arn:aws:states:::states:startExecution.sync:2", {"StateMachineArn": CHILD}, TimeoutSeconds=3
    )
    result = run(definition, {}, machines={"Child": SLOW})
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert (result.stop_date - result.start_date).total_seconds() == 3


def test_wait_for_task_token_child_answers_the_parent() -> None:
    child = answering("sendTaskSuccess", {"TaskToken.$": "$.token", "Output": '{"approved": true}'})
    definition = parent(
        "arn:aws:states:::states:startExecution.waitForTaskToken",
        {"StateMachineArn": CHILD, "Input": {"token.$": "$$.Task.Token"}},
    )
    result = run(definition, {}, machines={"Child": child})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == {"approved": True}
    assert types(result)[4:6] == ["TaskSubmitted", "TaskSucceeded"]


def test_wait_for_task_token_child_reports_a_failure() -> None:
    child = answering("sendTaskFailure", {"TaskToken.$": "$.token", "Error": "Denied", "Cause": "no"})
    definition = parent(
        "arn:aws:states:::states:startExecution.waitForTaskToken",
        {"StateMachineArn": CHILD, "Input": {"token.$": "$$.Task.Token"}},
    )
    result = run(definition, {}, machines={"Child": child})
    assert (result.status, result.error, result.cause) == ("FAILED", "Denied", "no")


def test_an_unknown_machine_is_state_machine_does_not_exist() -> None:
    definition = parent("arn:aws:states:::states:startExecution.sync:2", {"StateMachineArn": CHILD})
    result = run(definition, {})
    assert result.error == "StepFunctions.StateMachineDoesNotExistException"
    assert result.cause.startswith(f"State Machine Does Not Exist: '{CHILD}' (Service: AWSStepFunctions;")


def test_a_name_used_twice_is_execution_already_exists() -> None:
    start = {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution"}
    definition = {
        "StartAt": "One",
        "States": {
            "One": {
                **start,
                "Parameters": {"StateMachineArn": CHILD, "Name": "same"},
                "ResultPath": None,
                "Next": "Two",
            },
            "Two": {**start, "Parameters": {"StateMachineArn": CHILD, "Name": "same"}, "End": True},
        },
    }
    result = run(definition, {}, machines={CHILD: SLOW})
    assert result.error == "StepFunctions.ExecutionAlreadyExistsException"


def test_children_nest() -> None:
    grandchild = "arn:aws:states:us-east-1:123456789012:stateMachine:Grandchild"
    middle = parent("arn:aws:states:::states:startExecution.sync:2", {"StateMachineArn": grandchild})
    middle["States"]["Start"]["OutputPath"] = "$.Output"
    definition = parent("arn:aws:states:::states:startExecution.sync:2", {"StateMachineArn": CHILD})
    definition["States"]["Start"]["OutputPath"] = "$.Output"
    result = run(definition, {}, machines={"Child": middle, "Grandchild": SLOW})
    assert result.output == {"Arg1": "argument1"}


def test_a_real_clock_run_works_too() -> None:
    quick = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 42, "End": True}}}
    definition = parent("arn:aws:states:::states:startExecution.sync:2", {"StateMachineArn": CHILD})
    result = run(definition, {}, machines={"Child": quick}, virtual_time=False)
    assert result.output["Output"] == 42


# ------------------------------------------------------------------ the core's side of a .sync job
def _sync_task() -> tuple[Any, Any, Any]:
    from interpreter import Engine, VirtualClock, load_definition
    from interpreter.runtime import core

    definition = parent("arn:aws:states:::states:startExecution.sync:2", {"StateMachineArn": CHILD})
    machine = load_definition(definition)
    record = Engine(clock=VirtualClock()).new_record("M", {}, name="n", seed=1)
    (task,) = core.start(machine, record, record.start_time)
    return machine, record, task


def test_the_job_token_is_not_a_task_token() -> None:
    _, record, task = _sync_task()
    assert task.task_token.startswith(f"{record.arn}#sync-")  # SendTask* refuses it (not callback-)
    assert "Token" not in json.dumps(task.payload)


def test_a_completion_that_overtakes_its_submission_still_records_task_submitted_first() -> None:
    from interpreter.runtime import core
    from interpreter.runtime.effects import TaskSubmitted

    machine, record, task = _sync_task()
    start = {"ExecutionArn": "arn:child", "StartDate": 0}
    done = TaskSubmitted(token=task.task_token, ok=True, output={"Status": "SUCCEEDED"}, submitted=start)
    core.handle(machine, record, done, record.start_time)
    late = TaskSubmitted(token=task.token, ok=True, submitted=start, pending=True)
    core.handle(machine, record, late, record.start_time)  # stale: ignored
    assert [e.type for e in record.events][-4:] == [
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    assert record.output == {"Status": "SUCCEEDED"}


def test_a_plain_outcome_of_a_sync_task_ends_it_without_a_submission() -> None:
    # what a mocked .sync task answers (the mock is the job's outcome)
    from interpreter.runtime import core
    from interpreter.runtime.effects import TaskDone

    machine, record, task = _sync_task()
    core.handle(machine, record, TaskDone(token=task.token, ok=True, output={"m": 1}), record.start_time)
    assert record.status == "SUCCEEDED" and record.output == {"m": 1}
    assert "TaskSubmitted" not in [e.type for e in record.events]
