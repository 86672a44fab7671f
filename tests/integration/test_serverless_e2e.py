"""The serverless deployment end to end, in-process against moto (``tests/serverless_stack.py``).

The API function's handler gets API Gateway HTTP API events; the worker function's handler gets
SQS events built from the messages moto's work queue hands out, the way Lambda's event source
mapping does (records not listed in ``batchItemFailures`` are deleted). The virtual clock decides
when a delayed message is due: moto's SQS reads it, and the test moves it to the next visible
message. Nothing sleeps.
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import etl
import orders
import pytest
import training
from moto import mock_aws

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.durable import workflows as workflows_module
from interpreter.durable.workflows import Workflows
from interpreter.serverless import wiring
from tests.serverless_stack import ACCOUNT, REGION, FakeContext, ServerlessStack, virtual_sqs_time

ROOT = Path(__file__).resolve().parents[2]
MACHINES = ROOT / "statemachine"
SUBSTITUTIONS = json.loads((MACHINES / "local-substitutions.json").read_text())
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function"
SEED = 424242


@pytest.fixture
def clock(monkeypatch):
    clock = VirtualClock()
    virtual_sqs_time(monkeypatch, clock)
    return clock


@pytest.fixture
def aws():
    with mock_aws():
        yield


def make_stack(clock, handlers, **options) -> ServerlessStack:
    runner = LocalTaskRunner.from_handlers(handlers, clock=clock)
    return ServerlessStack(runner=runner, clock=clock, **options)


@pytest.fixture
def stack_for(clock, aws):
    made: list[ServerlessStack] = []

    def build(handlers, **options):
        stack = make_stack(clock, handlers, **options)
        made.append(stack)
        return stack

    yield build
    for stack in made:
        stack.close()


def task(name: str, *, next: str | None = None, **extra: Any) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Task", "Resource": f"{FN}:{name}", **extra}
    state.update({"Next": next} if next else {"End": True})
    return state


def types(history: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in history]


def seconds(history, first_type, second_type) -> float:
    first = next(e for e in history if e["type"] == first_type)
    second = next(e for e in history if e["type"] == second_type)
    return second["timestamp"] - first["timestamp"]


# --------------------------------------------------------------------------------- waits and timers


def test_a_wait_longer_than_15_minutes_is_a_chain_of_delayed_messages(stack_for, clock):
    # GIVEN a task, a one-hour Wait, a task
    stack = stack_for({"Add": lambda event, _: {"n": event["n"] + 1}})
    definition = {
        "StartAt": "A",
        "States": {
            "A": task("Add", next="Hold"),
            "Hold": {"Type": "Wait", "Seconds": 3600, "Next": "B"},
            "B": task("Add"),
        },
    }
    arn = stack.start(stack.create_machine("Waits", definition), {"n": 1})

    # WHEN the worker drains the queue
    stack.drain()

    # THEN the execution waited one hour (virtual), in 4 hops of at most 15 minutes
    assert stack.describe(arn)["status"] == "SUCCEEDED"
    assert json.loads(stack.describe(arn)["output"]) == {"n": 3}
    history = stack.history(arn)
    assert types(history) == [
        "ExecutionStarted",
        *["TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted"],
        *["LambdaFunctionSucceeded", "TaskStateExited"],
        "WaitStateEntered",
        "WaitStateExited",
        *["TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted"],
        *["LambdaFunctionSucceeded", "TaskStateExited"],
        "ExecutionSucceeded",
    ]
    assert 3600 <= seconds(history, "WaitStateEntered", "WaitStateExited") < 3601
    timer_messages = [b for batch in stack.batches for b in batch.bodies if '"kind":"timer"' in b]
    assert len(timer_messages) == 4  # 900 s + 900 s + 900 s + 900 s


def test_a_long_wait_can_be_an_eventbridge_one_time_schedule_targeting_the_queue(stack_for, clock):
    # GIVEN the Scheduler role configured: timers beyond 15 minutes become one-time schedules
    stack = stack_for(
        {"Add": lambda event, _: event}, scheduler_role_arn=f"arn:aws:iam::{ACCOUNT}:role/sched"
    )
    definition = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 7200, "End": True}}}
    arn = stack.start(stack.create_machine("Scheduled", definition), {})

    # THEN no message is queued, and the schedule fires at the due time with the timer's body
    assert stack.queued_bodies() == []
    scheduler = stack.session.client("scheduler")
    [summary] = scheduler.list_schedules()["Schedules"]
    schedule = scheduler.get_schedule(Name=summary["Name"])
    assert schedule["ScheduleExpression"] == "at(2024-01-01T02:00:00)"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["ActionAfterCompletion"] == "DELETE"
    assert schedule["Target"]["Arn"] == f"arn:aws:sqs:{REGION}:{ACCOUNT}:stepfn-work"
    body = json.loads(schedule["Target"]["Input"])
    assert body["kind"] == "timer" and body["arn"] == arn

    # WHEN EventBridge Scheduler delivers it (moto does not run schedules: the test does, on time)
    clock.advance(7200)
    stack.sqs.send_message(QueueUrl=stack.queue_url, MessageBody=schedule["Target"]["Input"])
    stack.drain()
    assert stack.describe(arn)["status"] == "SUCCEEDED"


def test_a_retry_waits_its_backoff_as_delayed_messages(stack_for, clock):
    # GIVEN a function that fails twice, retried after 2 s then 4 s
    calls = []

    def flaky(event, _):
        calls.append(clock.now())
        if len(calls) < 3:
            raise ConnectionError("not yet")
        return {"ok": len(calls)}

    stack = stack_for({"Flaky": flaky})
    retry = [{"ErrorEquals": ["ConnectionError"], "IntervalSeconds": 2, "BackoffRate": 2, "MaxAttempts": 3}]
    definition = {"StartAt": "T", "States": {"T": task("Flaky", Retry=retry)}}
    arn = stack.start(stack.create_machine("Retries", definition), {})

    stack.drain()

    assert json.loads(stack.describe(arn)["output"]) == {"ok": 3}
    assert [(b - a).total_seconds() for a, b in itertools.pairwise(calls)] == [2.0, 4.0]
    history = stack.history(arn)
    assert types(history).count("LambdaFunctionFailed") == 2
    # one worker invocation per task attempt and per timer, nothing more
    assert len(stack.batches) == 5


def test_a_task_timeout_travels_with_its_task_and_the_worker_enforces_it(stack_for, clock):
    # GIVEN tasks with TimeoutSeconds: one fast, one that runs past its timeout
    def slow(event, _):
        clock.advance(event["takes"])  # the call takes this long (virtual time)
        return event

    stack = stack_for({"Slow": slow})
    definition = {
        "StartAt": "Fast",
        "States": {
            "Fast": task("Slow", next="TooSlow", TimeoutSeconds=30, ResultPath=None),
            "TooSlow": task("Slow", TimeoutSeconds=30, Parameters={"takes": 45}),
        },
    }
    arn = stack.start(stack.create_machine("Timeouts", definition), {"takes": 1})
    stack.drain()

    # THEN the slow one timed out; no timer message was ever sent: each task was one message
    described = stack.describe(arn)
    assert described["status"] == "FAILED" and described["error"] == "States.Timeout"
    history = types(stack.history(arn))
    assert history.count("LambdaFunctionSucceeded") == 1 and history.count("LambdaFunctionTimedOut") == 1
    bodies = [body for batch in stack.batches for body in batch.bodies]
    assert len(bodies) == 2 and all('"kind":"task"' in b and '"timeout"' in b for b in bodies)


def test_a_task_picked_up_after_its_timeout_is_not_run(stack_for, clock):
    calls = []
    stack = stack_for({"Count": lambda event, _: calls.append(1) or event})
    definition = {"StartAt": "A", "States": {"A": task("Count", TimeoutSeconds=10)}}
    arn = stack.start(stack.create_machine("Backlog", definition), {})
    clock.advance(11)  # the message waited in a backlog longer than the task's timeout
    stack.drain()
    assert calls == []
    assert stack.describe(arn)["error"] == "States.Timeout"


# --------------------------------------------------------------------------------- callbacks


def test_a_wait_for_task_token_callback_goes_through_the_api_function(stack_for, clock):
    tokens: list[str] = []

    def request_approval(event, _):
        tokens.append(event["token"])
        return {"sent": True}

    stack = stack_for({"RequestApproval": request_approval})
    definition = {
        "StartAt": "Approve",
        "States": {
            "Approve": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {
                    "FunctionName": f"{FN}:RequestApproval",
                    "Payload": {"token.$": "$$.Task.Token"},
                },
                "HeartbeatSeconds": 600,
                "End": True,
            }
        },
    }
    arn = stack.start(stack.create_machine("Approval", definition), {})
    stack.drain(advance=False)  # the function was invoked; the execution waits for the callback
    assert stack.describe(arn)["status"] == "RUNNING"
    [token] = tokens

    # WHEN the approver heartbeats and then answers through the API function (SendTask*)
    clock.advance(300)
    assert stack.call("SendTaskHeartbeat", {"taskToken": token}) == {}
    clock.advance(500)  # 800 s after the start: alive thanks to the heartbeat
    stack.drain(advance=False)
    assert stack.describe(arn)["status"] == "RUNNING"
    assert stack.call("SendTaskSuccess", {"taskToken": token, "output": json.dumps({"approved": True})}) == {}
    stack.drain()  # the heartbeat timers still queued find nothing to time out

    # THEN the execution succeeded with the callback's output; a second answer is refused
    assert json.loads(stack.describe(arn)["output"]) == {"approved": True}
    status, body = stack.http("SendTaskSuccess", {"taskToken": token, "output": "{}"})
    assert status == 400 and body["__type"].endswith("TaskTimedOut")
    assert types(stack.history(arn))[-3:] == ["TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]


def test_a_callback_that_never_comes_times_out_through_its_heartbeat_timer(stack_for, clock):
    stack = stack_for({"Fire": lambda event, _: {}})
    definition = {
        "StartAt": "Approve",
        "States": {
            "Approve": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": f"{FN}:Fire", "Payload": {"token.$": "$$.Task.Token"}},
                "HeartbeatSeconds": 60,
                "End": True,
            }
        },
    }
    arn = stack.start(stack.create_machine("Forgotten", definition), {})
    stack.drain()
    described = stack.describe(arn)
    assert described["status"] == "FAILED" and described["error"] == "States.HeartbeatTimeout"


# --------------------------------------------------------------------------------- fan-out


def test_a_map_of_50_lambda_tasks_runs_10_at_a_time_across_worker_batches(stack_for, clock):
    stack = stack_for({"Square": lambda event, _: event["n"] * event["n"]})
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "MaxConcurrency": 10,
                "ItemsPath": "$.items",
                "ItemSelector": {"n.$": "$$.Map.Item.Value"},
                "ItemProcessor": {"StartAt": "Square", "States": {"Square": task("Square")}},
                "End": True,
            }
        },
    }
    arn = stack.start(stack.create_machine("FanOut", definition), {"items": list(range(50))})
    in_flight: list[int] = []

    def count_in_flight(_messages):
        item = wiring.worker().store.get_execution(arn) if wiring.runtimes().get("worker") else None
        item = item or wiring.api().store.get_execution(arn)
        pending = (item.state or {}).get("pending") or []
        in_flight.append(sum(1 for p in pending if p.get("kind") == "task"))

    stack.on_batch = count_in_flight
    stack.batch_size = 4  # smaller batches: the 10 concurrent tasks spread over several invocations
    stack.drain()

    assert json.loads(stack.describe(arn)["output"]) == [n * n for n in range(50)]
    assert max(in_flight) == 10  # MaxConcurrency tasks dispatched at once, never more
    task_records = sum(1 for batch in stack.batches for body in batch.bodies if '"kind":"task"' in body)
    assert task_records == 50
    assert len(stack.batches) >= 13  # spread over several worker invocations (4 records at most)
    assert max(len(batch.bodies) for batch in stack.batches) == 4


def test_the_worker_can_run_a_batch_concurrently(stack_for, clock):
    stack = stack_for({"Echo": lambda event, _: event}, worker_threads=8)
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "MaxConcurrency": 10,
                "ItemProcessor": {"StartAt": "Echo", "States": {"Echo": task("Echo")}},
                "End": True,
            }
        },
    }
    arn = stack.start(stack.create_machine("Threads", definition), list(range(30)))
    stack.drain()
    assert json.loads(stack.describe(arn)["output"]) == list(range(30))
    assert all(not (batch.response or {}).get("batchItemFailures") for batch in stack.batches)


# --------------------------------------------------------------------------------- duplicates, crashes


def two_tasks():
    return {"StartAt": "A", "States": {"A": task("Count", next="B"), "B": task("Count")}}


def test_a_duplicated_message_changes_nothing(stack_for, clock):
    calls = []
    stack = stack_for({"Count": lambda event, _: calls.append(1) or {"calls": len(calls)}})
    arn = stack.start(stack.create_machine("Dup", two_tasks()), {})
    [first] = stack.queued_bodies()
    # GIVEN the first task's message delivered twice at once (SQS at-least-once)
    stack.sqs.send_message(QueueUrl=stack.queue_url, MessageBody=first)
    stack.drain()
    history = stack.history(arn)
    writes = stack.writes
    assert len(calls) == 2  # A and B ran once each: the copy found A no longer pending

    # WHEN the same body arrives again, late, after the execution ended
    stack.sqs.send_message(QueueUrl=stack.queue_url, MessageBody=first)
    stack.drain()

    # THEN no task ran, no transition happened and nothing was written
    assert len(calls) == 2
    assert stack.history(arn) == history
    assert stack.writes == writes
    assert json.loads(stack.describe(arn)["output"]) == {"calls": 2}
    assert all(not (b.response or {}).get("batchItemFailures") for b in stack.batches)


def test_a_worker_crash_mid_batch_reports_only_the_failed_records_and_redelivery_finishes(
    stack_for, clock, monkeypatch
):
    calls = []
    stack = stack_for({"Count": lambda event, _: calls.append(event["id"]) or event})
    machine = stack.create_machine("Crash", {"StartAt": "A", "States": {"A": task("Count")}})
    arns = [stack.start(machine, {"id": i}) for i in range(3)]
    worker = wiring.worker().worker
    real = worker.perform
    crashes = {"left": 1}
    seen: list[str] = []

    def crash_after_first_record(work):
        seen.append(work.arn)
        if len(seen) == 2 and crashes["left"]:
            crashes["left"] -= 1
            raise RuntimeError("worker crashed")
        return real(work)

    monkeypatch.setattr(worker, "perform", crash_after_first_record)

    # WHEN the first batch (3 records) crashes on its second record
    messages = stack.receive()
    assert len(messages) == 3
    response = stack.invoke_worker(messages)

    # THEN only that record is reported; the others were acked
    assert response == {"batchItemFailures": [{"itemIdentifier": messages[1]["MessageId"]}]}
    # AND after the visibility timeout the message is delivered again and the execution finishes
    stack.drain()
    assert [stack.describe(arn)["status"] for arn in arns] == ["SUCCEEDED"] * 3
    assert sorted(calls) == [0, 1, 2]


def test_a_crash_after_the_commit_but_before_the_ack_does_not_double_a_transition(
    stack_for, clock, monkeypatch
):
    calls = []
    stack = stack_for({"Count": lambda event, _: calls.append(1) or {"calls": len(calls)}})
    arn = stack.start(stack.create_machine("LateCrash", two_tasks()), {})
    worker = wiring.worker().worker
    real = worker.perform
    crashed = []

    def commit_then_crash(work):
        outcome = real(work)
        if not crashed:
            crashed.append(work)
            raise RuntimeError("the function died before answering")
        return outcome

    monkeypatch.setattr(worker, "perform", commit_then_crash)
    stack.drain()

    # the first message was processed twice (redelivered after the crash), its task ran once
    assert json.loads(stack.describe(arn)["output"]) == {"calls": 2}
    history = stack.history(arn)
    assert types(history).count("LambdaFunctionScheduled") == 2
    assert types(history).count("TaskStateEntered") == 2


def test_a_task_whose_result_commit_failed_runs_again_on_redelivery(stack_for, clock, monkeypatch):
    calls = []
    stack = stack_for({"Count": lambda event, _: calls.append(1) or {"calls": len(calls)}})
    arn = stack.start(stack.create_machine("CommitFails", two_tasks()), {})
    executor = wiring.worker().executor
    store = executor.store
    real_commit = store.commit
    failures = []

    def failing_commit(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise ConnectionError("DynamoDB unavailable")
        return real_commit(*args, **kwargs)

    monkeypatch.setattr(store, "commit", failing_commit)
    stack.drain()

    # at least once: A ran twice (its result was never committed the first time), B once
    assert len(calls) == 3
    assert json.loads(stack.describe(arn)["output"]) == {"calls": 3}
    assert types(stack.history(arn)).count("LambdaFunctionScheduled") == 2


# --------------------------------------------------------------------------------- bad input


def test_a_poison_message_is_reported_logged_and_dead_lettered_without_harming_others(stack_for, clock):
    stack = stack_for({"Count": lambda event, _: event})
    arn = stack.start(
        stack.create_machine("Healthy", {"StartAt": "A", "States": {"A": task("Count")}}), {"x": 1}
    )
    poison = ["this is not json", json.dumps({"v": 1, "kind": "task", "arn": "arn:aws:states:x"})]
    unknown = json.dumps(
        {
            "v": 1,
            "kind": "task",
            "arn": f"arn:aws:states:{REGION}:{ACCOUNT}:execution:Healthy:nope",
            "token": "t",
        }
    )
    for body in [*poison, unknown]:
        stack.sqs.send_message(QueueUrl=stack.queue_url, MessageBody=body)

    stack.drain()

    # the healthy execution finished; the bad messages went to the DLQ after 3 receives
    assert stack.describe(arn)["status"] == "SUCCEEDED"
    assert sorted(stack.dead_letters()) == sorted([*poison, unknown])
    failures = [item for b in stack.batches for item in (b.response or {}).get("batchItemFailures", [])]
    assert len(failures) == 3 * 3  # each bad message failed on each of its 3 receives
    for batch in stack.batches:  # and only bad messages were ever reported
        reported = {item["itemIdentifier"] for item in (batch.response or {}).get("batchItemFailures", [])}
        bad = {
            mid
            for mid, body in zip(batch.message_ids, batch.bodies, strict=True)
            if body in [*poison, unknown]
        }
        assert reported == bad
    logs = stack.worker_logs()
    malformed = [entry for entry in logs if entry.get("message", "").startswith("malformed work message")]
    assert malformed and malformed[0]["body"] == "this is not json"
    assert "receive_count" in malformed[0] and "message_id" in malformed[0]
    assert any("/token: missing" in entry.get("problem", "") for entry in malformed)
    unknown_logged = [
        entry for entry in logs if entry.get("message") == "work message for an unknown execution"
    ]
    assert unknown_logged and unknown_logged[0]["execution_arn"].endswith(":nope")


def test_worker_logs_carry_the_execution_state_and_attempt(stack_for, clock):
    stack = stack_for({"Count": lambda event, _: event})
    arn = stack.start(stack.create_machine("Logged", {"StartAt": "A", "States": {"A": task("Count")}}), {})
    stack.drain()
    logs = stack.worker_logs()
    [ran] = [entry for entry in logs if entry.get("message") == "work ran"]
    assert ran["execution_arn"] == arn
    assert ran["state"] == "A" and ran["attempt"] == 0 and ran["kind"] == "task"
    assert ran["status"] == "SUCCEEDED"
    assert ran["function_name"] == "StepfnWorkerFunction"


# --------------------------------------------------------------------------------- more of the API


def test_start_sync_execution_of_an_express_machine_waits_for_the_workers(stack_for, clock):
    stack = stack_for({"Double": lambda event, _: {"n": event["n"] * 2}})
    machine = stack.create_machine(
        "Express", {"StartAt": "A", "States": {"A": task("Double")}}, type="EXPRESS"
    )
    wiring.api().service.poll = lambda: stack.drain(advance=False)  # the workers run meanwhile
    answer = stack.call("StartSyncExecution", {"stateMachineArn": machine, "input": json.dumps({"n": 21})})
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"n": 42}


def test_stop_execution_through_the_api_ends_a_waiting_execution(stack_for, clock):
    stack = stack_for({})
    definition = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 60, "End": True}}}
    arn = stack.start(stack.create_machine("Stoppable", definition), {})
    stack.call("StopExecution", {"executionArn": arn, "error": "Halt", "cause": "by test"})
    stack.drain()  # the timer message arrives for an execution that no longer waits
    assert stack.describe(arn)["status"] == "ABORTED"
    assert types(stack.history(arn))[-1] == "ExecutionAborted"


def test_nested_sync_executions_hear_of_their_children_through_the_queue(stack_for, clock):
    stack = stack_for({"Double": lambda event, _: {"n": event["n"] * 2}})
    child = stack.create_machine("Child", {"StartAt": "A", "States": {"A": task("Double")}})
    parent = {
        "StartAt": "Run",
        "States": {
            "Run": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": child, "Input.$": "$"},
                "OutputPath": "$.Output",
                "End": True,
            }
        },
    }
    arn = stack.start(stack.create_machine("Parent", parent), {"n": 4})
    stack.drain()
    assert stack.describe(arn)["status"] == "SUCCEEDED", stack.describe(arn)
    assert json.loads(stack.describe(arn)["output"]) == {"n": 8}


def test_the_sweeper_resends_the_work_of_an_execution_whose_dispatch_was_lost(stack_for, clock, monkeypatch):
    from interpreter.serverless.sweeper import sweep

    stack = stack_for({"Count": lambda event, _: {"ok": True}})
    arn = stack.start(stack.create_machine("Lost", two_tasks()), {})
    dispatcher = wiring.worker().dispatcher
    real_send = dispatcher.send
    lost = []

    def lose_once(works):
        if not lost:
            lost.append(works)
            raise ConnectionError("SQS unavailable")
        return real_send(works)

    monkeypatch.setattr(dispatcher, "send", lose_once)
    stack.drain()  # A's result was committed, B's message never sent: the execution stalls
    assert stack.describe(arn)["status"] == "RUNNING"

    sweeper = wiring.sweeper()
    assert sweep(sweeper.executor, now=clock.now()).redispatched == {}  # its lease still holds
    clock.advance(wiring.worker().settings.stale_after_seconds + 1)
    import stepfn_sweeper  # the scheduled function's handler

    report = stepfn_sweeper.handler(
        {"source": "aws.scheduler"}, FakeContext(function_name="StepfnSweeperFunction")
    )
    assert report["redispatched"] == {arn: 1} and report["failed"] == []
    stack.drain()
    assert stack.describe(arn)["status"] == "SUCCEEDED"
    assert types(stack.history(arn)).count("LambdaFunctionScheduled") == 2


# --------------------------------------------------------------------------------- cost figures


def per_task_figures(stack: ServerlessStack, arns: list[str], api_writes: int) -> dict[str, float]:
    histories = [stack.history(arn) for arn in arns]
    task_states = sum(types(h).count("TaskStateEntered") for h in histories)
    return {
        "task_states": task_states,
        "writes_per_task": (stack.writes - api_writes) / task_states,
        "invocations_per_task": len(stack.batches) / task_states,
        "messages_per_task": stack.messages_sent / task_states,
    }


def test_dynamodb_writes_and_worker_invocations_per_task_state(stack_for, clock, capsys):
    # GIVEN a chain of 10 Lambda tasks with inline states (Pass, Choice) between them
    states: dict[str, Any] = {}
    for i in range(10):
        states[f"T{i}"] = task("Echo", next=f"P{i}", TimeoutSeconds=60)
        states[f"P{i}"] = {"Type": "Pass", "Next": f"C{i}"}
        after = f"T{i + 1}" if i < 9 else "Done"
        rule = {"Variable": "$.go", "BooleanEquals": True, "Next": after}
        states[f"C{i}"] = {"Type": "Choice", "Choices": [rule]}
    states["Done"] = {"Type": "Succeed"}
    stack = stack_for({"Echo": lambda event, _: event})
    machine = stack.create_machine("Chain", {"StartAt": "T0", "States": states})
    before = stack.writes  # CreateStateMachine
    arns = [stack.start(machine, {"go": True}, name=f"run-{i}") for i in range(5)]
    stack.drain()
    figures = per_task_figures(stack, arns, before)
    with capsys.disabled():
        print(f"\nserverless per Task state: {figures}")
    # 1 commit per task + the start's create, amortized: ≤ 2 writes and ≤ 1 worker invocation
    assert figures["writes_per_task"] <= 1.1
    assert figures["invocations_per_task"] <= 1
    assert figures["messages_per_task"] == 1  # the TimeoutSeconds timers travel with their tasks
    assert all(stack.describe(arn)["status"] == "SUCCEEDED" for arn in arns)


def test_runs_of_inline_states_cost_no_writes(stack_for, clock):
    stack = stack_for({"Echo": lambda event, _: event})

    def machine(inline: int) -> dict[str, Any]:
        states: dict[str, Any] = {"T": task("Echo", next="P0")}
        for i in range(inline):
            states[f"P{i}"] = {"Type": "Pass", "Result": i, "ResultPath": "$.last", "Next": f"P{i + 1}"}
        states[f"P{inline}"] = {"Type": "Succeed"}
        return {"StartAt": "T", "States": states}

    counts = {}
    for inline in (1, 200):
        arn_machine = stack.create_machine(f"Inline{inline}", machine(inline))
        before = stack.writes
        arn = stack.start(arn_machine, {})
        stack.drain()
        assert stack.describe(arn)["status"] == "SUCCEEDED"
        counts[inline] = stack.writes - before
    assert counts[1] == counts[200] == 2  # the start and the task's commit, however many Pass states


# --------------------------------------------------------------------------------- the example workflows


class FixedSeed:
    def getrandbits(self, _bits: int) -> int:
        return SEED


def substituted(path: Path) -> str:
    text = path.read_text()
    for name, value in SUBSTITUTIONS.items():
        text = text.replace("${" + name + "}", value)
    return text


def local_history(name: str, definition: str, input_text: str, handlers) -> tuple[dict[str, Any], list]:
    clock = VirtualClock()
    runner = LocalTaskRunner.from_handlers(handlers, clock=clock)
    flows = Workflows(MemoryStore(), runner=runner, clock=clock, cache=False)
    machine = flows.put_machine(name, definition)
    started = flows.start(machine, input_text, name="run-1", seed=SEED)
    item = flows.run_to_end(started.arn)
    return {"status": item.status, "output": item.output, "error": item.error}, flows.history(item.arn)


def comparable(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in event.items() if k != "timestamp"} for event in history]


EXAMPLES = {
    "etl_pipeline": (
        {
            "EtlExtractFunction": etl.extract,
            "EtlTransformFunction": etl.transform,
            "EtlLoadFunction": etl.load,
            "EtlNotifyFunction": etl.notify_failure,
        },
        lambda out: {"output_dir": str(out)},
    ),
    "nightly_training": (
        {
            "TrainingPrepareFunction": training.prepare,
            "TrainingTrainFunction": training.train,
            "TrainingEvaluateFunction": training.evaluate,
            "TrainingPublishReportFunction": training.publish_report,
            "TrainingNotifyFunction": training.notify,
        },
        lambda out: {"report_dir": str(out)},
    ),
    "order_fulfilment": (
        {
            "OrderPriceLineFunction": orders.price_line,
            "OrderReserveStockFunction": orders.reserve_stock,
            "OrderReleaseStockFunction": orders.release_stock,
            "OrderChargePaymentFunction": orders.charge_payment,
            "OrderCreateShipmentFunction": orders.create_shipment,
            "OrderNotifyFunction": orders.notify_customer,
        },
        lambda out: {"output_dir": str(out), "review_threshold": 1000},  # also holds 900 s for review
    ),
}


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_example_workflows_have_the_local_engines_history_event_for_event(
    example, clock, aws, monkeypatch, tmp_path
):
    handlers, overrides = EXAMPLES[example]
    definition = substituted(MACHINES / f"{example}.asl.json")
    document = json.loads((MACHINES / f"{example}.input.json").read_text())
    document.update(overrides(tmp_path / "out"))
    if example == "nightly_training":
        document["models"][0]["simulate_interruptions"] = 1  # a Retry after 30 s
    input_text = json.dumps(document)

    local_end, local = local_history(example, definition, input_text, handlers)
    shutil.rmtree(tmp_path / "out", ignore_errors=True)  # the same files again: outputs compare equal

    monkeypatch.setattr(workflows_module.random, "SystemRandom", FixedSeed)
    stack = make_stack(clock, handlers)
    try:
        machine = stack.create_machine(example, definition)
        arn = stack.call(
            "StartExecution", {"stateMachineArn": machine, "input": input_text, "name": "run-1"}
        )["executionArn"]
        stack.drain()
        described = stack.describe(arn)
        remote = stack.history(arn)
    finally:
        stack.close()

    assert described["status"] == local_end["status"]
    assert described.get("output") == local_end["output"]
    assert len(remote) == len(local)
    assert comparable(remote) == comparable(local)
    if example == "order_fulfilment":
        assert "WaitStateEntered" in types(remote)
