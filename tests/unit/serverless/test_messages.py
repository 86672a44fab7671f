"""Work message bodies: what the dispatcher writes, the worker parses back, and what it refuses."""

import json

import pytest

from interpreter.runtime.effects import Heartbeat, StopExecution, TaskDone, TaskSubmitted, TimerFired
from interpreter.serverless.messages import (
    MalformedWork,
    MessageWork,
    TaskWork,
    Timeout,
    TimerWork,
    encode,
    parse,
)

ARN = "arn:aws:states:us-east-1:123456789012:execution:M:run-1"


@pytest.mark.parametrize(
    "work",
    [
        TaskWork(arn=ARN, token="task-1"),
        TaskWork(
            arn=ARN,
            token="task-3",
            state="Charge",
            attempt=2,
            timeout=Timeout(token="task_timeout-4", due_ms=5),
        ),
        TimerWork(arn=ARN, token="wait-2", due_ms=1_704_067_200_000),
        MessageWork(arn=ARN, message=TaskDone(token="t", ok=True, output={"a": [1, 2.5, "é"]})),
        MessageWork(arn=ARN, message=TaskDone(token="t", ok=False, error="E", cause="C"), due_ms=7),
        MessageWork(arn=ARN, message=TaskSubmitted(token="t", ok=True, submitted={"x": 1}, pending=True)),
        MessageWork(arn=ARN, message=TimerFired(token="wait-9")),
        MessageWork(arn=ARN, message=Heartbeat(token=f"{ARN}#callback-1")),
        MessageWork(arn=ARN, message=StopExecution(error="E", cause=None)),
    ],
)
def test_every_work_message_round_trips(work):
    body = encode(work)
    assert json.loads(body)["v"] == 1
    assert parse(body) == work


def test_express_execution_arns_are_accepted():
    arn = "arn:aws:states:us-east-1:123456789012:express:M:run:1f0c"
    assert parse(encode(TaskWork(arn=arn, token="task-1"))).arn == arn


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("not json", "not JSON"),
        ("[1]", "must be a JSON object"),
        ('{"v":2,"kind":"task"}', "/v: unsupported"),
        ('{"v":1,"kind":"job"}', "/kind:"),
        (json.dumps({"v": 1, "kind": "task", "arn": ARN}), "/token: missing"),
        (json.dumps({"v": 1, "kind": "task", "arn": ARN, "token": "t", "extra": 1}), "/extra: not a field"),
        (
            json.dumps({"v": 1, "kind": "task", "arn": "arn:aws:states:x", "token": "t"}),
            "/arn: not an execution",
        ),
        (json.dumps({"v": 1, "kind": "task", "arn": ARN, "token": ""}), "/token: must be a non-empty"),
        (json.dumps({"v": 1, "kind": "task", "arn": ARN, "token": "t", "attempt": "1"}), "/attempt"),
        (
            json.dumps({"v": 1, "kind": "task", "arn": ARN, "token": "t", "timeout": {"token": "x"}}),
            "/timeout",
        ),
        (json.dumps({"v": 1, "kind": "timer", "arn": ARN, "token": "t", "due": -1}), "/due"),
        (json.dumps({"v": 1, "kind": "timer", "arn": ARN, "token": "t", "due": True}), "/due"),
        (json.dumps({"v": 1, "kind": "message", "arn": ARN, "message": {"type": "Nope"}}), "/message/type"),
        (
            json.dumps(
                {"v": 1, "kind": "message", "arn": ARN, "message": {"type": "TaskDone", "token": "t"}}
            ),
            "/message/ok",
        ),
        (json.dumps({"v": 1, "kind": "message", "arn": ARN, "message": []}), "/message: must be"),
    ],
)
def test_malformed_bodies_say_what_is_wrong(body, problem):
    with pytest.raises(MalformedWork, match=problem.replace("[", r"\[")):
        parse(body)
