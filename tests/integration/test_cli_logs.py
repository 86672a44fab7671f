"""``stepfn logs``, the ``stepfn history`` table, ``executions`` filters, progress and colours.

GIVEN workflows run through ``stepfn run`` whose handlers print, log and fail
WHEN their logs and history are read back from the store (or from an exported file)
THEN the filters and ``--json`` give the right lines, ``--follow`` shows the lines of a running
execution as they are written, the table has the rows GetExecutionHistory has, and odd text
(quotes, HTML, unicode, terminal escapes) is printed as text.
"""

from __future__ import annotations

import io
import json
import sys
import threading
from pathlib import Path

import pytest

from interpreter.cli import _parser, main
from interpreter.cli_logs import Painter, ProgressCounter, cmd_logs, parse_since, run_progress, safe

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
ODD = 'Say "hi" <script>alert(1)</script> ünï 😀 \u202egnp.exe'
MACHINE = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            "Resource": FN + "charge",
            "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 2}],
            "Next": ODD,
        },
        ODD: {"Type": "Task", "Resource": FN + "odd", "End": True},
    },
}
HANDLERS = """
import logging, sys
calls = {"charge": 0}
class Flaky(Exception):
    pass
def charge(event, context):
    calls["charge"] += 1
    print(f"charging attempt {calls['charge']}")
    logging.getLogger("pay").warning("slow card")
    if calls["charge"] == 1:
        raise Flaky("try again")
    return {"paid": True}
def odd(event, context):
    print("\\x1b[31mred\\x1b[0m <b>bold</b> \\u202eevil")
    print("second line")
    return event
"""


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.fixture
def recorded(capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store holding run ``r1`` of MACHINE (virtual time); returns the store path."""
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    module = f"logs_handlers_{abs(hash(tmp_path)) % 10**8}"
    (tmp_path / f"{module}.py").write_text(HANDLERS)
    machine = tmp_path / "paid.asl.json"
    machine.write_text(json.dumps(MACHINE))
    store = str(tmp_path / "s.db")
    handlers = ["--handler", f"charge={module}:charge", "--handler", f"odd={module}:odd"]
    code, _, err = cli(
        capsys, "run", str(machine), "--name", "r1", "--virtual-time", "--store", store, *handlers
    )
    assert code == 0, err
    sys.modules.pop(module, None)
    return store


def test_logs_shows_task_lines_and_engine_events_by_state(capsys, recorded: str) -> None:
    code, out, _ = cli(capsys, "logs", "r1", "--store", recorded)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("-- ") and lines[0].endswith(" (UTC) --")
    text = "\n".join(lines)
    assert "INFO     [Charge] charging attempt 1" in text
    assert "WARNING  [Charge] slow card" in text
    assert "INFO     [Charge retry 1] charging attempt 2" in text
    assert "ERROR    [Charge] #5 LambdaFunctionFailed  Flaky: " in text
    assert "[ERROR] Flaky: try again" in text
    assert lines[-1].endswith("ExecutionSucceeded")


def test_logs_filters_by_level_state_and_source(capsys, recorded: str) -> None:
    _, out, _ = cli(capsys, "logs", "r1", "--level", "error", "--store", recorded)
    assert [line.split(None, 3)[1] for line in out.splitlines() if line[:1].isdigit()] == ["ERROR"] * 2
    assert "LambdaFunctionFailed" in out and "[ERROR] Flaky" in out and "charging" not in out

    _, out, _ = cli(capsys, "logs", "r1", "--state", "Charge", "--source", "task", "--store", recorded)
    messages = [line.split("] ", 1)[1] for line in out.splitlines() if "] " in line and line[:1].isdigit()]
    assert messages == [
        "charging attempt 1",
        "slow card",
        "[ERROR] Flaky: try again",
        "charging attempt 2",
        "slow card",
    ]

    _, out, _ = cli(capsys, "logs", "r1", "--source", "engine", "--level", "WARNING", "--store", recorded)
    assert "#5 LambdaFunctionFailed" in out and "slow card" not in out


def test_logs_json_prints_cloudwatch_engine_lines_and_task_records(capsys, recorded: str) -> None:
    _, out, _ = cli(capsys, "logs", "r1", "--json", "--store", recorded)
    lines = [json.loads(line) for line in out.splitlines()]
    engine = [line for line in lines if "event_timestamp" in line]
    tasks = [line for line in lines if line.get("source") == "task"]
    _, history, _ = cli(capsys, "history", "r1", "--json", "--store", recorded)
    events = json.loads(history)["events"]
    assert [(e["id"], e["type"]) for e in engine] == [(str(e["id"]), e["type"]) for e in events]
    assert all(
        e["execution_arn"].endswith(":execution:paid:r1") and e["redrive_count"] == "0" for e in engine
    )
    assert {t["state"] for t in tasks} == {"Charge", ODD}
    first = tasks[0]
    assert first["message"] == "charging attempt 1" and first["attempt"] == 0 and first["seq"] == 1
    assert first["execution_arn"] == engine[0]["execution_arn"] and isinstance(first["timestamp"], int)


def test_logs_reads_an_exported_file_like_the_store(capsys, recorded: str, tmp_path: Path) -> None:
    _, exported, _ = cli(capsys, "logs", "r1", "--json", "--store", recorded)
    path = tmp_path / "exported.jsonl"
    path.write_text(exported)
    _, from_store, _ = cli(capsys, "logs", "r1", "--store", recorded)
    code, from_file, _ = cli(capsys, "logs", "--file", str(path))
    assert code == 0 and from_file == from_store
    _, filtered, _ = cli(
        capsys, "logs", "r1", "--log-file", str(path), "--level", "ERROR", "--state", "Charge"
    )
    _, expected, _ = cli(capsys, "logs", "r1", "--level", "ERROR", "--state", "Charge", "--store", recorded)
    assert filtered == expected
    code, _, err = cli(capsys, "logs", "--file", str(tmp_path / "missing.jsonl"))
    assert code == 2 and "cannot read" in err


def test_odd_state_names_and_log_lines_print_as_text(capsys, recorded: str) -> None:
    _, out, _ = cli(capsys, "logs", "r1", "--store", recorded)
    assert "\x1b" not in out and "\u202e" not in out
    assert "\\x1b[31mred\\x1b[0m <b>bold</b> \\u202eevil" in out
    shown = ODD.replace("\u202e", "\\u202e")
    assert f"[{shown}] second line" in out
    _, table, _ = cli(capsys, "history", "r1", "--store", recorded)
    assert "\u202e" not in table and 'Say "hi" <script>alert(1)</s' in table


def test_history_table_rows_match_get_execution_history(capsys, recorded: str) -> None:
    _, out, _ = cli(capsys, "history", "r1", "--json", "--store", recorded)
    events = json.loads(out)["events"]
    _, table, _ = cli(capsys, "history", "r1", "--store", recorded)
    header, *rows = table.splitlines()
    assert header.split() == ["ID", "TIME", "+PREV", "ELAPSED", "EVENT", "STATE", "RETRY", "ERROR"]
    rows = [row for row in rows if not row.startswith("--")]
    event_at, state_at, retry_at, error_at = (
        header.index(name) for name in ("EVENT", "STATE", "RETRY", "ERROR")
    )
    assert [(int(row.split()[0]), row[event_at:state_at].strip()) for row in rows] == [
        (e["id"], e["type"]) for e in events
    ]
    failed = next(row for row in rows if "LambdaFunctionFailed" in row)
    assert "Charge" in failed and "Flaky: {" in failed
    retried = [row for row in rows if "LambdaFunctionScheduled" in row][1]
    assert retried.split()[2] == "1.000s" and retried[retry_at:error_at].strip() == "1"  # waited 1 s, retry 1

    _, reverse, _ = cli(capsys, "history", "r1", "--reverse", "--store", recorded)
    reverse_rows = [row for row in reverse.splitlines()[1:] if not row.startswith("--")]
    assert [int(row.split()[0]) for row in reverse_rows] == [e["id"] for e in events][::-1]


def test_unknown_executions_say_what_is_wrong(capsys, recorded: str) -> None:
    code, _, err = cli(capsys, "logs", "nope", "--store", recorded)
    assert code == 2 and "no stored execution is named 'nope'" in err
    code, _, err = cli(
        capsys, "logs", "arn:aws:states:us-east-1:123456789012:execution:M:x", "--store", recorded
    )
    assert code == 2 and "ExecutionDoesNotExist" in err
    code, _, err = cli(capsys, "logs", "--store", recorded)
    assert code == 2 and "give an EXECUTION" in err


def test_executions_filter_by_name_and_start(capsys, recorded: str) -> None:
    _, out, _ = cli(capsys, "executions", "--name-contains", "r1", "--store", recorded)
    assert len(out.splitlines()) == 1 and out.startswith("SUCCEEDED")
    _, out, err = cli(capsys, "executions", "--name-contains", "zzz", "--store", recorded)
    assert out == "" and "no executions" in err
    _, out, _ = cli(capsys, "executions", "--since", "1h", "--json", "--store", recorded)
    assert [e["name"] for e in json.loads(out)["executions"]] == ["r1"]
    _, out, _ = cli(capsys, "executions", "--since", "2999-01-01", "--json", "--store", recorded)
    assert json.loads(out) == {"executions": []}
    code, _, err = cli(capsys, "executions", "--since", "yesterday-ish", "--store", recorded)
    assert code == 2 and "--since yesterday-ish" in err


def test_parse_since_reads_durations_and_dates() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert parse_since("90m", now) == now - timedelta(minutes=90)
    assert parse_since("1d12h", now) == now - timedelta(hours=36)
    assert parse_since("2024-04-30", now) == datetime(2024, 4, 30, tzinfo=UTC)
    assert parse_since("2024-04-30T10:00:00+02:00", now) == datetime(2024, 4, 30, 8, tzinfo=UTC)


# ---------------------------------------------------------------------------- --follow
FOLLOW_HANDLERS = """
import threading
SECOND_RUNNING = threading.Event()
GO = threading.Event()
def first(event, context):
    print("first line")
    return event
def second(event, context):
    SECOND_RUNNING.set()
    print("second waits")
    assert GO.wait(30), "the test never said go"
    print("second done")
    return event
"""


class Collector:
    """A stream the follower writes to; ``wait_for`` blocks until some text has arrived."""

    def __init__(self) -> None:
        self.text = ""
        self.changed = threading.Condition()

    def write(self, text: str) -> int:
        with self.changed:
            self.text += text
            self.changed.notify_all()
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def wait_for(self, needle: str) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: needle in self.text, timeout=30)


class Ticks:
    """What the follower waits on between reads, instead of sleeping: a bump per change."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.count = 0
        self.seen = 0
        self.waits = 0

    def bump(self) -> None:
        with self.cond:
            self.count += 1
            self.cond.notify_all()

    def wait(self) -> None:
        with self.cond:
            self.waits += 1
            self.cond.wait_for(lambda: self.count > self.seen, timeout=30)
            self.seen = self.count


def test_follow_shows_the_lines_of_a_running_execution_as_they_are_written(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a real-clock run in a thread whose second task waits until the test says go
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    (tmp_path / "followmod.py").write_text(FOLLOW_HANDLERS)
    import followmod  # the same module object the run's --handler loads

    machine = tmp_path / "follow.asl.json"
    machine.write_text(
        json.dumps(
            {
                "StartAt": "First",
                "States": {
                    "First": {"Type": "Task", "Resource": FN + "first", "Next": "Second"},
                    "Second": {"Type": "Task", "Resource": FN + "second", "End": True},
                },
            }
        )
    )
    store = str(tmp_path / "follow.db")
    ticks = Ticks()
    codes: list[int] = []

    def run() -> None:
        argv = ["run", str(machine), "--name", "live", "--store", store]
        codes.append(
            main([*argv, "--handler", "first=followmod:first", "--handler", "second=followmod:second"])
        )
        ticks.bump()  # the execution has ended

    runner = threading.Thread(target=run)
    runner.start()
    try:
        assert followmod.SECOND_RUNNING.wait(30)
        # WHEN `stepfn logs --follow` starts while the second task is still running
        out = Collector()
        args = _parser().parse_args(["logs", "live", "--follow", "--store", store])
        follower = threading.Thread(target=cmd_logs, args=(args,), kwargs={"out": out, "wait": ticks.wait})
        follower.start()
        # THEN the lines already written show, and the follower keeps waiting for more
        assert out.wait_for("[First] first line")
        assert out.wait_for("LambdaFunctionStarted")
        assert "second done" not in out.text and "ExecutionSucceeded" not in out.text
        assert follower.is_alive()
        capsys.readouterr()
        assert main(["describe", "live", "--store", store]) == 0
        assert '"RUNNING"' in capsys.readouterr().out
    finally:
        followmod.GO.set()
    # WHEN the task goes on and the execution ends THEN the rest shows and the follower stops
    runner.join(30)
    follower.join(30)
    assert not follower.is_alive() and codes == [0]
    text = out.text
    assert text.index("first line") < text.index("second waits") < text.index("second done")
    assert text.rstrip().endswith("ExecutionSucceeded")
    assert text.count("second done") == 1 and text.count("first line") == 1
    assert ticks.waits >= 1
    sys.modules.pop("followmod", None)


# ---------------------------------------------------------------------------- progress and colours
def test_progress_counts_states_items_and_retries() -> None:
    from datetime import UTC, datetime

    counter = ProgressCounter()
    t = datetime(2024, 5, 1, tzinfo=UTC)
    events = [
        {"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": t},
        {
            "id": 2,
            "previousEventId": 0,
            "type": "TaskStateEntered",
            "timestamp": t,
            "stateEnteredEventDetails": {"name": "T"},
        },
        {"id": 3, "previousEventId": 2, "type": "TaskScheduled", "timestamp": t},
        {
            "id": 4,
            "previousEventId": 3,
            "type": "TaskFailed",
            "timestamp": t,
            "taskFailedEventDetails": {"error": "E"},
        },
        {"id": 5, "previousEventId": 4, "type": "TaskScheduled", "timestamp": t},
        {"id": 6, "previousEventId": 5, "type": "TaskSucceeded", "timestamp": t},
        {
            "id": 7,
            "previousEventId": 6,
            "type": "TaskStateExited",
            "timestamp": t,
            "stateExitedEventDetails": {"name": "T"},
        },
        {
            "id": 8,
            "previousEventId": 7,
            "type": "MapStateEntered",
            "timestamp": t,
            "stateEnteredEventDetails": {"name": "M"},
        },
        {
            "id": 9,
            "previousEventId": 8,
            "type": "MapStateStarted",
            "timestamp": t,
            "mapStateStartedEventDetails": {"length": 3},
        },
        {
            "id": 10,
            "previousEventId": 9,
            "type": "MapIterationSucceeded",
            "timestamp": t,
            "mapIterationSucceededEventDetails": {"name": "M", "index": 0},
        },
    ]
    for event in events:
        counter.add(event)
    assert (counter.states_done, counter.items_done, counter.items_total, counter.retries) == (1, 1, 3, 1)
    assert counter.text().startswith("running: 1 states done · Map items 1/3 · 1 retry · ")
    assert counter.text().endswith("in M")


def test_run_shows_no_progress_when_stderr_is_not_a_terminal(capsys, tmp_path: Path) -> None:
    machine = tmp_path / "p.asl.json"
    machine.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    code, out, err = cli(capsys, "run", str(machine), "--store", str(tmp_path / "s.db"))
    assert code == 0 and json.loads(out) == {} and err == ""
    with run_progress(None, "arn") as counter:  # stderr (captured here) is not a terminal
        assert counter is None


def test_run_progress_on_a_terminal_reads_the_store_and_clears_its_line(recorded: str) -> None:
    from interpreter.adapters.stores.sqlite import SqliteStore

    store = SqliteStore(recorded)
    arn = store.list_executions().items[0].arn
    screen = FakeTerminal()
    with run_progress(store, arn, file=screen, interval=3600) as counter:
        assert counter is not None
        counter.read(store, arn)
    store.close()
    assert counter.states_done == 2 and counter.retries == 1


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colours_only_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    screen = FakeTerminal()
    Painter(screen).line(("failed", "red"), (safe("\x1b[2J wiped?"), None))
    assert "\x1b[31m" in screen.getvalue() and "\\x1b[2J wiped?" in screen.getvalue()
    assert "\x1b[2J" not in screen.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    plain = FakeTerminal()
    Painter(plain).line(("failed", "red"))
    assert plain.getvalue() == "failed\n"
    piped = io.StringIO()
    monkeypatch.delenv("NO_COLOR")
    Painter(piped).line(("failed", "red"))
    assert piped.getvalue() == "failed\n"


def test_safe_escapes_control_and_bidi_characters_only() -> None:
    assert safe("a\x1b[31mb\x07c\u202ed\u2066e\x9bf") == "a\\x1b[31mb\\x07c\\u202ed\\u2066e\\x9bf"
    assert safe('ünï 😀 <b>"q"</b>\tand\nnewline') == 'ünï 😀 <b>"q"</b>\tand\nnewline'
