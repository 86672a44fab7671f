"""The CLI over the execution store: every ``stepfn run`` is recorded and can be inspected,
stopped, called back and resumed with the other commands.

GIVEN a SQLite store file (``--store``) WHEN workflows run through ``stepfn run`` THEN
``executions``/``describe``/``history`` read them back, a callback-waiting execution continues
after ``send-task-success``, ``stop`` aborts one, and bad references say what is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interpreter.cli import main

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}
CALLBACK = {
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "Ask", "Payload": {"token.$": "$$.Task.Token"}},
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}

HANDLER_MODULE = """
import json, pathlib
def ask(event, context):
    pathlib.Path(__file__).with_name("token.txt").write_text(event["token"])
    return {"asked": True}
"""


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def store(tmp_path: Path) -> str:
    return str(tmp_path / "s.db")


def test_runs_are_recorded_and_readable(capsys, tmp_path: Path, store: str) -> None:
    machine = tmp_path / "hello.asl.json"
    machine.write_text(json.dumps(PASS))
    assert cli(capsys, "run", str(machine), "--name", "first", "--store", store)[0] == 0
    assert cli(capsys, "run", str(machine), "--name", "second", "--store", store)[0] == 0

    code, out, _ = cli(capsys, "executions", "--store", store)
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("SUCCEEDED") for line in lines)
    assert lines[0].endswith(":execution:hello:second")  # newest first

    code, out, _ = cli(capsys, "describe", "first", "--store", store)
    described = json.loads(out)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"ok": True}

    code, out, _ = cli(capsys, "history", "first", "--json", "--store", store)
    events = json.loads(out)["events"]
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    code, out, _ = cli(capsys, "history", "first", "--store", store)
    assert "PassStateEntered" in out and "P" in out

    code, out, _ = cli(capsys, "executions", "--status", "FAILED", "--json", "--store", store)
    assert json.loads(out) == {"executions": []}


def test_a_run_name_is_unique_per_state_machine(capsys, tmp_path: Path, store: str) -> None:
    machine = tmp_path / "hello.asl.json"
    machine.write_text(json.dumps(PASS))
    cli(capsys, "run", str(machine), "--name", "once", "--store", store)
    code, _, err = cli(capsys, "run", str(machine), "--name", "once", "--store", store)
    assert code == 2
    assert ("--name once" in err and "already" in err) or "stored" in err


def test_callback_then_send_task_success_continues_the_execution(capsys, tmp_path: Path, store: str) -> None:
    machine = tmp_path / "ask.asl.json"
    machine.write_text(json.dumps(CALLBACK))
    (tmp_path / "askmod.py").write_text(HANDLER_MODULE)
    handler = ["--handler", "Ask=askmod:ask"]
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        code, out, err = cli(
            capsys, "run", str(machine), "--name", "c1", "--virtual-time", "--store", store, *handler
        )
        assert code == 1  # not SUCCEEDED: it waits
        assert "stays RUNNING" in err
        token = (tmp_path / "token.txt").read_text()
        code, out, _ = cli(capsys, "describe", "c1", "--store", store)
        assert json.loads(out)["status"] == "RUNNING"

        code, out, err = cli(
            capsys, "send-task-success", token, "--output", '{"answer": 42}', "--store", store, *handler
        )
        assert code == 0, err
        assert out.startswith("SUCCEEDED")
        code, out, _ = cli(capsys, "describe", "c1", "--store", store)
        assert json.loads(json.loads(out)["output"]) == {"answer": 42}
    finally:
        sys.path.remove(str(tmp_path))


def test_stop_aborts_a_waiting_execution(capsys, tmp_path: Path, store: str) -> None:
    machine = tmp_path / "ask.asl.json"
    machine.write_text(json.dumps(CALLBACK))
    (tmp_path / "askmod2.py").write_text(HANDLER_MODULE)
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        cli(
            capsys,
            "run",
            str(machine),
            "--name",
            "s1",
            "--virtual-time",
            "--store",
            store,
            "--handler",
            "Ask=askmod2:ask",
        )
    finally:
        sys.path.remove(str(tmp_path))
    code, out, _ = cli(capsys, "stop", "s1", "--error", "Ops.Stop", "--store", store)
    assert code == 0 and "stopDate" in json.loads(out)
    code, out, _ = cli(capsys, "describe", "s1", "--store", store)
    assert json.loads(out)["status"] == "ABORTED"


def test_unknown_execution_and_bad_token_say_what_is_wrong(capsys, store: str) -> None:
    code, _, err = cli(capsys, "describe", "nope", "--store", store)
    assert code == 2 and "no stored execution is named 'nope'" in err
    arn = "arn:aws:states:us-east-1:123456789012:execution:M:x"
    code, _, err = cli(capsys, "describe", arn, "--store", store)
    assert code == 2 and "ExecutionDoesNotExist" in err
    code, _, err = cli(capsys, "send-task-success", "garbage", "--store", store)
    assert code == 2 and "InvalidToken" in err


def test_a_store_that_is_not_a_database_is_refused(capsys, tmp_path: Path) -> None:
    bad = tmp_path / "notadb"
    bad.write_text("hello, I am not SQLite " * 100)
    code, _, err = cli(capsys, "executions", "--store", str(bad))
    assert code == 2 and "cannot open the store" in err
    assert bad.read_text().startswith("hello")  # untouched


FLAKY = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Prepare",
            "Next": "Charge",
        },
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Charge",
            "End": True,
        },
    },
}

FLAKY_MODULE = """
import pathlib
HERE = pathlib.Path(__file__).parent
def prepare(event, context):
    with open(HERE / "calls.txt", "a") as f:
        f.write("Prepare\\n")
    return {"prepared": True}
def charge(event, context):
    with open(HERE / "calls.txt", "a") as f:
        f.write("Charge\\n")
    if (HERE / "broken").exists():
        raise RuntimeError("card declined")
    return {"charged": True}
"""


def test_redrive_reruns_only_the_failed_state(capsys, tmp_path: Path, store: str) -> None:
    import sys

    machine = tmp_path / "pay.asl.json"
    machine.write_text(json.dumps(FLAKY))
    (tmp_path / "paymod.py").write_text(FLAKY_MODULE)
    (tmp_path / "broken").write_text("")
    handlers = ["--handler", "Prepare=paymod:prepare", "--handler", "Charge=paymod:charge"]
    sys.path.insert(0, str(tmp_path))
    try:
        code, _, err = cli(capsys, "run", str(machine), "--name", "p1", "--store", store, *handlers)
        assert code == 1 and "FAILED: RuntimeError" in err
        (tmp_path / "broken").unlink()
        code, out, err = cli(capsys, "redrive", "p1", "--store", store, *handlers)
        assert code == 0, err
        code, out, _ = cli(capsys, "describe", "p1", "--store", store)
        described = json.loads(out)
        assert described["status"] == "SUCCEEDED"
        assert described["redriveCount"] == 1
        assert (tmp_path / "calls.txt").read_text().split() == ["Prepare", "Charge", "Charge"]
        code, _, err = cli(capsys, "redrive", "p1", "--store", store, *handlers)
        assert code == 2 and "ExecutionNotRedrivable" in err
    finally:
        sys.path.remove(str(tmp_path))


def test_serve_says_where_the_api_and_the_web_console_are(capsys, monkeypatch, store: str) -> None:
    from interpreter.serve import LocalStepFunctions

    monkeypatch.setattr(LocalStepFunctions, "serve_forever", lambda self: None)  # no socket, no wait
    code, _, err = cli(capsys, "serve", "--port", "9123", "--store", store)
    assert code == 0
    assert err.splitlines() == [
        f"stepfn: Step Functions API on http://127.0.0.1:9123 (store {store})",
        "stepfn: web console: open http://127.0.0.1:9123/ in a browser (docs/console.md)",
    ]
