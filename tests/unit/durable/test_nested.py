"""``states:startExecution[.sync|.sync:2|.waitForTaskToken]`` as nested executions in the durable
engine (``durable.nested``): children are stored executions; no thread waits for one.

Sources for AWS's behaviour (``adapters/nested.py`` cites them in full):

* LocalStack's AWS-validated ``test_sfn_task_service.snapshot.json`` (request-response: output
  ``ExecutionArn``/``SdkHttpMetadata``/``SdkResponseMetadata``/``StartDate``; TaskScheduled with
  resourceType ``states``, resource ``startExecution``; ``"Input": null`` starts the child with
  ``{}``).
* LocalStack's AWS-recorded ``mocking/test_base_callbacks.snapshot.json``,
  ``test_sfn_start_execution_sync[SFN_SYNC]`` / ``[SFN_SYNC2]`` (recorded 24-04-2025): the event
  sequence with TaskSubmitted (the start response) and TaskSucceeded (DescribeExecution in
  PascalCase, sorted keys, ``Input``/``Output`` as text for ``.sync``, as JSON for ``.sync:2``,
  ``RedriveStatus`` NOT_REDRIVABLE with its reason).
* A real AWS ``States.TaskFailed`` cause of a failed ``.sync`` child (a public monitoring project's
  test fixture): the child's description as compact JSON with ``Cause`` and ``Error``, no
  ``Output``, ``StartDate``/``StopDate`` in epoch milliseconds.
* LocalStack ``StateTaskServiceSfn._from_error``: ``StepFunctions.<Code>Exception`` and the
  ``(Service: AWSStepFunctions; Status Code: 400; Error Code: ...; Request ID: ...; Proxy: null)``
  cause.
* Floci's ``AslExecutorNestedSyncTimeoutTest`` (given there as measured on AWS): a parent that
  stops waiting (stopped, task timed out) stops its ``.sync`` child with cause ``The Task state in
  AWS Step Functions execution [<parent>] which was managing this resource was aborted``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.durable.workflows import Workflows

START = datetime(2026, 1, 1, tzinfo=UTC)
START_MS = 1767225600000
PASS_RESULT = {
    "StartAt": "P",
    "States": {"P": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}},
}
SLOW = {
    "StartAt": "W",
    "States": {
        "W": {"Type": "Wait", "Seconds": 10, "Next": "P"},
        "P": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True},
    },
}
FAILING = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "it broke"}}}
ANSWERING = {  # answers the .waitForTaskToken parent whose token it was given
    "StartAt": "Answer",
    "States": {
        "Answer": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
            "Parameters": {"TaskToken.$": "$.token", "Output.$": "States.JsonToString($.answer)"},
            "End": True,
        }
    },
}
CHILD = "arn:aws:states:us-east-1:123456789012:stateMachine:Child"
DESCRIBED_KEYS = [
    "ExecutionArn",
    "Input",
    "InputDetails",
    "Name",
    "Output",
    "OutputDetails",
    "RedriveCount",
    "RedriveStatus",
    "RedriveStatusReason",
    "StartDate",
    "StateMachineArn",
    "Status",
    "StopDate",
]


def workflows(store: MemoryStore | None = None, clock: VirtualClock | None = None) -> Workflows:
    clock = clock or VirtualClock(start=START)
    runner = LocalTaskRunner.from_handlers({}, clock=clock)
    return Workflows(store or MemoryStore(), runner=runner, clock=clock)


def parent(resource: str, parameters: dict[str, Any], **task: Any) -> dict[str, Any]:
    state = {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True, **task}
    states = {"Start": state}
    if "Catch" in task:
        states["Caught"] = {"Type": "Pass", "End": True}
    return {"StartAt": "Start", "States": states}


def execute(
    wf: Workflows, definition: dict[str, Any], child: dict[str, Any] | None = None, input: Any = None
):
    if child is not None:
        wf.put_machine("Child", json.dumps(child))
    machine = wf.put_machine("Parent", json.dumps(definition))
    started = wf.start(machine, json.dumps({} if input is None else input), name="p-1")
    item = wf.run_to_end(started.arn)
    return item, wf.history(item.arn)


def details(event: dict[str, Any]) -> dict[str, Any]:
    return next(v for k, v in event.items() if k.endswith("EventDetails"))


def of_type(history: list[dict[str, Any]], type_: str) -> dict[str, Any]:
    return details(next(e for e in history if e["type"] == type_))


def types(history: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in history]


# ------------------------------------------------------------------ request-response
def test_request_response_returns_the_start_response_and_the_child_runs() -> None:
    wf = workflows()
    definition = parent(
        "arn:aws:states:::states:startExecution",
        {"StateMachineArn": CHILD, "Input": None, "Name": "TestStartTarget"},
    )
    item, history = execute(wf, definition, PASS_RESULT)
    assert item.status == "SUCCEEDED"
    output = json.loads(item.output or "null")
    assert list(output) == ["ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"]
    child_arn = "arn:aws:states:us-east-1:123456789012:execution:Child:TestStartTarget"
    assert output["ExecutionArn"] == child_arn
    assert output["StartDate"] == START_MS  # epoch milliseconds
    assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert (
        output["SdkResponseMetadata"]["RequestId"]
        == output["SdkHttpMetadata"]["HttpHeaders"]["x-amzn-RequestId"]
    )
    assert types(history) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = of_type(history, "TaskScheduled")
    assert (scheduled["resourceType"], scheduled["resource"]) == ("states", "startExecution")
    wf.executor.run_until(lambda: wf.executor.is_finished(child_arn))
    child = wf.store.get_execution(child_arn)
    assert child is not None and child.status == "SUCCEEDED"
    assert child.input == "{}"  # "Input": null → {} (recorded)
    assert json.loads(child.output or "null") == {"Arg1": "argument1"}


def test_input_text_is_the_childs_input_as_given_and_objects_go_as_json() -> None:
    wf = workflows()
    wf.put_machine("Child", json.dumps(PASS_RESULT))
    for name, given, expected in [("a", '{"k": [1, 2]}', '{"k": [1, 2]}'), ("b", {"k": "é"}, '{"k":"é"}')]:
        definition = parent(
            "arn:aws:states:::states:startExecution", {"StateMachineArn": CHILD, "Input": given, "Name": name}
        )
        machine = wf.put_machine("Parent", json.dumps(definition))
        wf.run_to_end(wf.start(machine, "{}").arn)
        child = wf.store.get_execution(f"arn:aws:states:us-east-1:123456789012:execution:Child:{name}")
        assert child is not None and child.input == expected


# ------------------------------------------------------------------ .sync / .sync:2
@pytest.mark.parametrize("suffix", [".sync", ".sync:2"])
def test_sync_records_the_submission_and_returns_the_childs_description(suffix: str) -> None:
    wf = workflows()
    definition = parent(
        f"arn:aws:states:::states:startExecution{suffix}",
        {"StateMachineArn": CHILD, "Input": None, "Name": "TestStartTarget"},
    )
    item, history = execute(wf, definition, SLOW)
    assert item.status == "SUCCEEDED", item.cause
    assert types(history) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    resource = f"startExecution{suffix}"
    for event in history[2:6]:
        assert (details(event)["resourceType"], details(event)["resource"]) == ("states", resource)
    submitted = json.loads(of_type(history, "TaskSubmitted")["output"])
    assert list(submitted) == ["ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"]
    described = json.loads(of_type(history, "TaskSucceeded")["output"])
    assert list(described) == DESCRIBED_KEYS
    assert described["ExecutionArn"] == submitted["ExecutionArn"]
    assert described["Name"] == "TestStartTarget"
    assert described["StateMachineArn"] == CHILD
    assert described["Status"] == "SUCCEEDED"
    assert described["InputDetails"] == described["OutputDetails"] == {"Included": True}
    assert (described["RedriveCount"], described["RedriveStatus"]) == (0, "NOT_REDRIVABLE")
    assert described["RedriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    assert (described["StartDate"], described["StopDate"]) == (START_MS, START_MS + 10_000)
    # TaskSubmitted when the child started, TaskSucceeded when it ended (10 virtual seconds later)
    stamps = {e["type"]: e["timestamp"] for e in history}
    assert (stamps["TaskSucceeded"] - stamps["TaskSubmitted"]).total_seconds() == 10


def test_sync_gives_the_output_as_text() -> None:
    wf = workflows()
    definition = parent("arn:aws:states:::states:startExecution.sync", {"StateMachineArn": CHILD})
    item, _ = execute(wf, definition, PASS_RESULT)
    described = json.loads(item.output or "null")
    assert described["Output"] == '{"Arg1":"argument1"}'
    assert described["Input"] == "{}"


def test_sync2_gives_the_output_as_json() -> None:
    wf = workflows()
    definition = parent(
        "arn:aws:states:::states:startExecution.sync:2",
        {"StateMachineArn": CHILD, "Input": {"order.$": "$.order"}},
        ResultSelector={"result.$": "$.Output"},
    )
    item, _ = execute(wf, definition, PASS_RESULT, input={"order": 7})
    assert json.loads(item.output or "null") == {"result": {"Arg1": "argument1"}}


def test_a_child_that_fails_fails_the_task_and_a_catch_takes_it() -> None:
    wf = workflows()
    definition = parent(
        "arn:aws:states:::states:startExecution.sync:2",
        {"StateMachineArn": CHILD, "Name": "kid"},
        Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}],
    )
    item, history = execute(wf, definition, FAILING)
    assert item.status == "SUCCEEDED"
    caught = json.loads(item.output or "null")
    assert caught["Error"] == "States.TaskFailed"
    cause = json.loads(caught["Cause"])
    assert list(cause) == [
        "Cause",
        "Error",
        "ExecutionArn",
        "Input",
        "InputDetails",
        "Name",
        "RedriveCount",
        "RedriveStatus",
        "StartDate",
        "StateMachineArn",
        "Status",
        "StopDate",
    ]
    assert (cause["Error"], cause["Cause"], cause["Status"]) == ("Boom", "it broke", "FAILED")
    assert cause["RedriveStatus"] == "REDRIVABLE"
    assert cause["Input"] == {}  # .sync:2: parsed
    assert caught["Cause"] == json.dumps(cause, separators=(",", ":"))  # compact, as AWS writes it
    failed = of_type(history, "TaskFailed")
    assert (failed["resourceType"], failed["resource"], failed["error"]) == (
        "states",
        "startExecution.sync:2",
        "States.TaskFailed",
    )


def test_unknown_child_machine_fails_with_aws_error() -> None:
    wf = workflows()
    missing = "arn:aws:states:us-east-1:123456789012:stateMachine:Nowhere"
    definition = parent("arn:aws:states:::states:startExecution.sync", {"StateMachineArn": missing})
    item, history = execute(wf, definition)
    assert item.status == "FAILED"
    assert item.error == "StepFunctions.StateMachineDoesNotExistException"
    assert (item.cause or "").startswith(
        f"State Machine Does Not Exist: '{missing}' (Service: AWSStepFunctions; Status Code: 400; "
        "Error Code: StateMachineDoesNotExist; Request ID: "
    )
    assert (item.cause or "").endswith("; Proxy: null)")
    assert "TaskSubmitted" not in types(history)


@pytest.mark.parametrize(
    ("parameters", "error"),
    [
        ({"StateMachineArn": CHILD, "Input": "not json"}, "StepFunctions.InvalidExecutionInputException"),
        ({"StateMachineArn": CHILD, "Name": "bad name"}, "StepFunctions.InvalidNameException"),
        ({"StateMachineArn": "not-an-arn"}, "StepFunctions.InvalidArnException"),
    ],
)
def test_start_execution_refusals_are_task_failures(parameters: dict[str, Any], error: str) -> None:
    item, _ = execute(workflows(), parent("arn:aws:states:::states:startExecution", parameters), PASS_RESULT)
    assert (item.status, item.error) == ("FAILED", error)


def test_a_taken_name_is_execution_already_exists() -> None:
    wf = workflows()
    parameters = {"StateMachineArn": CHILD, "Name": "once"}
    item, _ = execute(wf, parent("arn:aws:states:::states:startExecution.sync", parameters), PASS_RESULT)
    assert item.status == "SUCCEEDED"
    machine = wf.put_machine(
        "Parent", json.dumps(parent("arn:aws:states:::states:startExecution", parameters))
    )
    again = wf.run_to_end(wf.start(machine, "{}").arn)
    assert again.error == "StepFunctions.ExecutionAlreadyExistsException"


# ------------------------------------------------------------------ .waitForTaskToken
def test_wait_for_task_token_child_answers_through_aws_sdk_sfn() -> None:
    wf = workflows()
    definition = parent(
        "arn:aws:states:::states:startExecution.waitForTaskToken",
        {"StateMachineArn": CHILD, "Input": {"token.$": "$$.Task.Token", "answer": {"approved": True}}},
    )
    item, history = execute(wf, definition, ANSWERING)
    assert item.status == "SUCCEEDED", item.cause
    assert json.loads(item.output or "null") == {"approved": True}
    assert types(history)[4:6] == ["TaskSubmitted", "TaskSucceeded"]
    submitted = json.loads(of_type(history, "TaskSubmitted")["output"])
    assert submitted["ExecutionArn"].startswith("arn:aws:states:us-east-1:123456789012:execution:Child:")
    resource = of_type(history, "TaskScheduled")["resource"]
    assert resource == "startExecution.waitForTaskToken"


def test_wait_for_task_token_answered_through_the_api() -> None:
    wf = workflows()
    wf.put_machine("Child", json.dumps(SLOW))
    definition = parent(
        "arn:aws:states:::states:startExecution.waitForTaskToken",
        {"StateMachineArn": CHILD, "Input": {"token.$": "$$.Task.Token"}, "Name": "kid"},
    )
    machine = wf.put_machine("Parent", json.dumps(definition))
    started = wf.start(machine, "{}")
    child_arn = "arn:aws:states:us-east-1:123456789012:execution:Child:kid"
    wf.executor.run_until(lambda: wf.executor.is_finished(child_arn))
    child = wf.store.get_execution(child_arn)
    assert child is not None
    token = json.loads(child.input)["token"]
    from interpreter.durable.workflows import parse_task_token
    from interpreter.runtime.effects import TaskDone

    target = parse_task_token(token)
    assert target is not None and target.execution_arn == started.arn
    wf.complete_task(target, TaskDone(token=token, ok=True, output={"by": "api"}))
    item = wf.run_to_end(started.arn)
    assert json.loads(item.output or "null") == {"by": "api"}


# ------------------------------------------------------------------ stopping
def test_stopping_the_parent_stops_its_sync_child() -> None:
    wf = workflows()
    wf.put_machine("Child", json.dumps(SLOW))
    definition = parent(
        "arn:aws:states:::states:startExecution.sync:2", {"StateMachineArn": CHILD, "Name": "kid"}
    )
    machine = wf.put_machine("Parent", json.dumps(definition))
    started = wf.start(machine, "{}")
    child_arn = "arn:aws:states:us-east-1:123456789012:execution:Child:kid"
    assert wf.store.get_execution(child_arn).status == "RUNNING"  # type: ignore[union-attr]
    wf.stop(started.arn, error="Ops", cause="enough")
    wf.executor.run_until(lambda: wf.executor.is_finished(child_arn))
    child = wf.store.get_execution(child_arn)
    assert child is not None and child.status == "ABORTED"
    assert child.error is None
    assert child.cause == (
        f"The Task state in AWS Step Functions execution [{started.arn}] which was managing this resource "
        "was aborted"
    )
    assert wf.store.get_execution(started.arn).status == "ABORTED"  # type: ignore[union-attr]


def test_a_task_timeout_stops_the_child_and_fails_with_states_timeout() -> None:
    wf = workflows()
    definition = parent(
        "arn:aws:states:::states:startExecution.sync",
        {"StateMachineArn": CHILD, "Name": "kid"},
        TimeoutSeconds=3,
    )
    item, history = execute(wf, definition, SLOW)
    assert (item.status, item.error) == ("FAILED", "States.Timeout")
    assert "TaskTimedOut" in types(history)
    child_arn = "arn:aws:states:us-east-1:123456789012:execution:Child:kid"
    wf.executor.run_until(lambda: wf.executor.is_finished(child_arn))
    assert wf.store.get_execution(child_arn).status == "ABORTED"  # type: ignore[union-attr]


def test_request_response_children_are_not_stopped_with_the_parent() -> None:
    wf = workflows()
    wf.put_machine("Child", json.dumps(SLOW))
    definition = {
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution",
                "Parameters": {"StateMachineArn": CHILD, "Name": "kid"},
                "Next": "Hold",
            },
            "Hold": {"Type": "Wait", "Seconds": 100, "End": True},
        },
    }
    machine = wf.put_machine("Parent", json.dumps(definition))
    started = wf.start(machine, "{}")
    wf.stop(started.arn)
    child_arn = "arn:aws:states:us-east-1:123456789012:execution:Child:kid"
    wf.executor.run_until(lambda: wf.executor.is_finished(child_arn))
    assert wf.store.get_execution(child_arn).status == "SUCCEEDED"  # type: ignore[union-attr]


# ------------------------------------------------------------------ crash and resume
SYNC2_PARENT = parent(
    "arn:aws:states:::states:startExecution.sync:2", {"StateMachineArn": CHILD, "Name": "kid"}
)
PARENT_ARN = "arn:aws:states:us-east-1:123456789012:execution:Parent:p-1"
KID_ARN = "arn:aws:states:us-east-1:123456789012:execution:Child:kid"


def test_a_new_worker_resumes_a_parent_waiting_on_its_child() -> None:
    # GIVEN a worker that started the parent, which started its child (waiting 10 s), then died
    store = MemoryStore()
    first = workflows(store)
    first.put_machine("Child", json.dumps(SLOW))
    first.start(first.put_machine("Parent", json.dumps(SYNC2_PARENT)), "{}", name="p-1")
    assert store.get_execution(KID_ARN).status == "RUNNING"  # type: ignore[union-attr]
    # WHEN a new worker on the same store resumes
    worker = workflows(store)
    assert sorted(worker.executor.resume(takeover=True)) == sorted([PARENT_ARN, KID_ARN])
    item = worker.run_to_end(PARENT_ARN)
    # THEN both ran on and the parent got its child's parsed output
    assert item.status == "SUCCEEDED", item.cause
    assert json.loads(item.output or "null")["Output"] == {"Arg1": "argument1"}
    assert types(worker.history(PARENT_ARN)).count("TaskSubmitted") == 1


def test_a_child_that_ended_while_nobody_told_the_parent_is_found_on_resume() -> None:
    # GIVEN the child ended and its outcome was queued for the parent, then the worker died
    store = MemoryStore()
    first = workflows(store)
    first.put_machine("Child", json.dumps(SLOW))
    first.start(first.put_machine("Parent", json.dumps(SYNC2_PARENT)), "{}", name="p-1")
    first.executor.run_until(lambda: first.executor.is_finished(KID_ARN))
    assert store.get_execution(PARENT_ARN).status == "RUNNING"  # type: ignore[union-attr]
    # WHEN a new worker resumes the parent (the child has nothing left to run)
    worker = workflows(store)
    assert worker.executor.resume(takeover=True) == [PARENT_ARN]
    item = worker.run_to_end(PARENT_ARN)
    # THEN the parent completes with the child's outcome
    assert item.status == "SUCCEEDED", item.cause
    assert json.loads(item.output or "null")["Status"] == "SUCCEEDED"


class _Death(BaseException):
    """The process dies (not an exception a task runner turns into a task failure)."""


class _DyingStore:
    """``inner``, dying at write number ``at`` (before it lands, or just after)."""

    _WRITES = frozenset({"create_state_machine", "update_state_machine", "create_execution", "commit"})

    def __init__(self, inner: MemoryStore, at: int, *, after: bool) -> None:
        self.inner, self.at, self.after, self.count = inner, at, after, 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if name not in self._WRITES:
            return attr

        def write(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            if self.count == self.at and not self.after:
                raise _Death
            result = attr(*args, **kwargs)
            if self.count == self.at and self.after:
                raise _Death
            return result

        return write


def _clean_run() -> tuple[list[str], int]:
    store = MemoryStore()
    wf = workflows(store)
    item, history = execute(wf, SYNC2_PARENT, SLOW)
    assert item.status == "SUCCEEDED"
    return _comparable(history), store.writes


def _comparable(history: list[dict[str, Any]]) -> list[str]:
    return [json.dumps({k: v for k, v in e.items() if k != "timestamp"}, sort_keys=True) for e in history]


@pytest.mark.parametrize("after", [False, True], ids=["before-write", "after-write"])
def test_a_crash_at_any_write_resumes_parent_and_child_to_the_same_history(after: bool) -> None:
    clean, writes = _clean_run()
    for at in range(1, writes + 1):
        inner = MemoryStore()
        with pytest.raises(_Death):
            dying = workflows(_DyingStore(inner, at, after=after))  # type: ignore[arg-type]
            execute(dying, SYNC2_PARENT, SLOW)
        worker = workflows(inner)
        worker.put_machine("Child", json.dumps(SLOW))
        if inner.get_execution(PARENT_ARN) is None:  # died before the parent was stored: start it again
            worker.start(worker.put_machine("Parent", json.dumps(SYNC2_PARENT)), "{}", name="p-1")
        else:
            worker.executor.resume(takeover=True)
        item = worker.run_to_end(PARENT_ARN)
        assert item.status == "SUCCEEDED", (at, after, item.error, item.cause)
        assert _comparable(worker.history(PARENT_ARN)) == clean, f"crash at write {at}"
        kid = inner.get_execution(KID_ARN)
        assert kid is not None and kid.status == "SUCCEEDED"


def test_a_cancelled_parallel_branch_stops_its_sync_child() -> None:
    wf = workflows()
    wf.put_machine("Child", json.dumps(SLOW))
    nested = parent("arn:aws:states:::states:startExecution.sync", {"StateMachineArn": CHILD, "Name": "kid"})
    failing = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Sibling"}}}
    pause = {
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 1, "Next": "Then"}, **failing["States"]},
    }
    pause["States"]["Then"] = pause["States"].pop("F")
    definition = {
        "StartAt": "Both",
        "States": {"Both": {"Type": "Parallel", "Branches": [nested, pause], "End": True}},
    }
    item, _ = execute(wf, definition)
    assert (item.status, item.error) == ("FAILED", "Sibling")
    child_arn = "arn:aws:states:us-east-1:123456789012:execution:Child:kid"
    wf.executor.run_until(lambda: wf.executor.is_finished(child_arn))
    child = wf.store.get_execution(child_arn)
    assert child is not None and child.status == "ABORTED"
