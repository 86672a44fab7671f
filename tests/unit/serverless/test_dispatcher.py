"""SqsDispatcher against moto's SQS: delays, batching, what is not sent, schedules for long timers."""

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from interpreter.adapters.clock import VirtualClock
from interpreter.runtime.effects import RunTask, StartTimer
from interpreter.runtime.resources import parse_resource as classify
from interpreter.serverless.dispatcher import EventBridgeTimers, SqsDispatcher, delay_seconds, epoch_ms
from interpreter.serverless.messages import TaskDone, parse

ARN = "arn:aws:states:us-east-1:123456789012:execution:M:run-1"
NOW = datetime(2024, 1, 1, tzinfo=UTC)
LAMBDA = classify("arn:aws:lambda:us-east-1:123456789012:function:F")


def run_task(n: int, **extra) -> RunTask:
    return RunTask(token=f"task-{n}", resource=LAMBDA, payload={}, state_name="S", attempt=0, **extra)


@pytest.mark.parametrize(
    ("due_in", "delay"), [(-5, 0), (0, 0), (0.001, 1), (2, 2), (2.5, 3), (900, 900), (901, 900), (86400, 900)]
)
def test_delay_is_the_rounded_up_remaining_time_at_most_900_seconds(due_in, delay):
    assert delay_seconds(epoch_ms(NOW + timedelta(seconds=due_in)), NOW) == delay


@pytest.fixture
def sqs():
    with mock_aws():
        client = boto3.client("sqs", region_name="us-east-1")
        url = client.create_queue(QueueName="work")["QueueUrl"]
        calls = []
        client.meta.events.register("before-call.sqs", lambda model, **_: calls.append(model.name))
        yield client, url, calls


def received(client, url):
    messages = []
    while batch := client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        messages += batch
        for m in batch:
            client.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return [parse(m["Body"]) for m in messages]


def test_a_fan_out_is_sent_ten_messages_per_call(sqs):
    client, url, calls = sqs
    dispatcher = SqsDispatcher(client, url, clock=VirtualClock(NOW))
    dispatcher.dispatch(ARN, [run_task(n) for n in range(25)])
    assert calls == ["SendMessageBatch"] * 3
    assert dispatcher.sent == 25
    assert sorted(w.token for w in received(client, url)) == sorted(f"task-{n}" for n in range(25))


def test_a_task_timeout_travels_in_its_task_message_and_other_timers_are_their_own(sqs):
    client, url, _ = sqs
    dispatcher = SqsDispatcher(client, url, clock=VirtualClock(NOW))
    timeout = StartTimer(token="task_timeout-2", due=NOW + timedelta(seconds=30))
    wait = StartTimer(token="wait-3", due=NOW)
    dispatcher.dispatch(ARN, [run_task(1, timeout_seconds=30), timeout, wait])
    works = received(client, url)
    assert len(works) == 2
    task = next(w for w in works if getattr(w, "timeout", None) is not None)
    assert task.timeout.token == "task_timeout-2" and task.timeout.due_ms == epoch_ms(timeout.due)
    assert any(getattr(w, "due_ms", None) == epoch_ms(NOW) for w in works)


def test_callback_tasks_keep_their_timers_as_messages(sqs):
    client, url, _ = sqs
    dispatcher = SqsDispatcher(client, url, clock=VirtualClock(NOW))
    beat = StartTimer(token="task_heartbeat-2", due=NOW)
    dispatcher.dispatch(ARN, [run_task(1, task_token=f"{ARN}#callback-1"), beat])
    assert len(received(client, url)) == 2


def test_activity_tasks_waiting_for_workers_are_not_sent(sqs):
    client, url, calls = sqs
    dispatcher = SqsDispatcher(client, url, clock=VirtualClock(NOW))
    activity = classify("arn:aws:states:us-east-1:123456789012:activity:A")
    queued = RunTask(
        token="t", resource=activity, payload={}, state_name="S", attempt=0, task_token=f"{ARN}#callback-1"
    )
    dispatcher.dispatch(ARN, [queued])
    assert calls == [] and dispatcher.sent == 0


def test_post_sends_a_message_work_due_later(sqs):
    client, url, _ = sqs
    clock = VirtualClock(NOW)
    dispatcher = SqsDispatcher(client, url, clock=clock)
    dispatcher.post(ARN, TaskDone(token="t", ok=True, output=1), at=NOW + timedelta(seconds=5))
    dispatcher.post(ARN, TaskDone(token="u", ok=True, output=2), at=NOW)
    attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesDelayed"] == "1"


def test_timers_beyond_15_minutes_become_one_time_schedules_once():
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="work")["QueueUrl"]
        scheduler = boto3.client("scheduler", region_name="us-east-1")
        timers = EventBridgeTimers(
            scheduler,
            queue_arn="arn:aws:sqs:us-east-1:123456789012:work",
            role_arn="arn:aws:iam::123456789012:role/r",
        )
        dispatcher = SqsDispatcher(sqs, url, clock=VirtualClock(NOW), scheduler=timers)
        far = StartTimer(token="wait-1", due=NOW + timedelta(hours=2, milliseconds=1))
        near = StartTimer(token="wait-2", due=NOW + timedelta(minutes=10))
        dispatcher.dispatch(ARN, [far, near])
        dispatcher.dispatch(ARN, [far])  # a duplicate dispatch: the schedule exists already
        [summary] = scheduler.list_schedules()["Schedules"]
        schedule = scheduler.get_schedule(Name=summary["Name"])
        assert schedule["ScheduleExpression"] == "at(2024-01-01T02:00:01)"  # rounded up: never early
        assert parse(schedule["Target"]["Input"]).token == "wait-1"
        assert json.loads(schedule["Target"]["Input"])["due"] == epoch_ms(far.due)
        assert dispatcher.sent == 1 and dispatcher.scheduled == 2
