"""What a local Lambda handler writes is captured per invocation, with levels and timestamps.

GIVEN handlers that print, write to stderr, log with ``logging`` and with Powertools' Logger
WHEN the local Lambda runner invokes them (several at once on threads, some raising)
THEN each outcome carries exactly its own invocation's lines, in order, at the right levels,
and what the handler wrote still reaches the terminal (echo) unless told otherwise.
"""

from __future__ import annotations

import base64
import json
import logging
import sys
import threading
import uuid

import pytest

from interpreter.adapters import log_capture
from interpreter.adapters.lambda_local import HandlerRegistry, LocalLambdaRunner
from interpreter.adapters.log_capture import capture_logs
from interpreter.runtime.resources import parse_resource

LEGACY = parse_resource("arn:aws:lambda:us-east-1:123456789012:function:fn")
INVOKE = parse_resource("arn:aws:states:::lambda:invoke")
NOW_MS = 1_714_564_800_000


def run(handler, payload=None, *, clock_ms=None, **kwargs):
    runner = LocalLambdaRunner(HandlerRegistry({"fn": handler}), clock_ms=clock_ms, **kwargs)
    return runner.run(LEGACY, payload if payload is not None else {}, request_id="rid", now_ms=NOW_MS)


def simplified(lines):
    return [(line["level"], line["message"]) for line in lines]


def test_print_and_stderr_lines_are_captured_in_order_with_levels_and_timestamps() -> None:
    def handler(event, context):
        print("first", event["n"])
        print("oops", file=sys.stderr)
        sys.stdout.write("two lines\nin one write\n")
        sys.stdout.write("no newline at the end")
        return {"ok": True}

    outcome = run(handler, {"n": 1})
    assert outcome.ok and outcome.output == {"ok": True}
    assert simplified(outcome.logs) == [
        ("INFO", "first 1"),
        ("ERROR", "oops"),
        ("INFO", "two lines"),
        ("INFO", "in one write"),
        ("INFO", "no newline at the end"),
    ]
    assert {line["timestamp"] for line in outcome.logs} == {NOW_MS}  # no clock given: the task's start


def test_timestamps_come_from_the_engine_clock() -> None:
    ticks = iter(range(NOW_MS, NOW_MS + 100))

    def handler(event, context):
        print("a")
        print("b")
        return None

    outcome = run(handler, clock_ms=lambda: next(ticks))
    assert [line["timestamp"] for line in outcome.logs] == [NOW_MS, NOW_MS + 1]


def test_logging_records_keep_their_level_and_logger_and_are_not_captured_twice() -> None:
    name = f"app.{uuid.uuid4().hex[:8]}"

    def handler(event, context):
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.debug("debugging %s", 1)
        logger.warning("careful")
        try:
            raise ValueError("inner")
        except ValueError:
            logger.exception("caught it")
        return 1

    outcome = run(handler)
    assert [line["level"] for line in outcome.logs] == ["DEBUG", "WARNING", "ERROR"]
    assert outcome.logs[0]["message"] == "debugging 1"
    assert outcome.logs[0]["fields"] == {"logger": name}
    assert outcome.logs[2]["message"].startswith("caught it\nTraceback (most recent call last):")
    assert "ValueError: inner" in outcome.logs[2]["message"]


def test_a_logging_handler_that_writes_to_stderr_gives_one_line_at_the_records_level() -> None:
    name = f"streamed.{uuid.uuid4().hex[:8]}"
    logger = logging.getLogger(name)
    handler_stream = logging.StreamHandler(sys.stderr)  # made before any capture, on the real stream
    handler_stream.setFormatter(logging.Formatter("%(levelname)s:%(name)s:%(message)s"))
    logger.addHandler(handler_stream)
    logger.propagate = False
    try:

        def handler(event, context):
            logger.info("through a stream handler")
            logger.error("and an error")
            return 1

        logger.setLevel(logging.INFO)
        outcome = run(handler)
    finally:
        logger.removeHandler(handler_stream)
    assert simplified(outcome.logs) == [
        ("INFO", f"INFO:{name}:through a stream handler"),
        ("ERROR", f"ERROR:{name}:and an error"),
    ]


def test_powertools_logger_json_lines_are_captured_with_their_fields() -> None:
    from aws_lambda_powertools import Logger

    service = f"pay{uuid.uuid4().hex[:8]}"
    made_at_import = Logger(service=service)  # as a handler module does at import time

    def handler(event, context):
        made_at_import.info("charged", extra={"amount": 12})
        made_at_import.warning({"structured": True})
        inside = Logger(service=f"{service}-inner")
        inside.error("from a logger made during the call")
        return {}

    outcome = run(handler)
    assert [line["level"] for line in outcome.logs] == ["INFO", "WARNING", "ERROR"]
    charged = outcome.logs[0]
    assert charged["message"] == "charged"
    assert charged["fields"]["service"] == service and charged["fields"]["amount"] == 12
    assert charged["fields"]["location"].startswith("handler:")
    assert json.loads(outcome.logs[1]["message"]) == {"structured": True}
    assert outcome.logs[2]["message"] == "from a logger made during the call"


def test_json_and_runtime_prefixed_lines_printed_by_hand_name_their_level() -> None:
    def handler(event, context):
        print(json.dumps({"level": "warning", "message": "json by hand", "k": 1}))
        print("[DEBUG]\tprefixed like the Lambda runtime's logger")
        print("{not json}")
        return 1

    outcome = run(handler)
    assert simplified(outcome.logs) == [
        ("WARNING", "json by hand"),
        ("DEBUG", "[DEBUG]\tprefixed like the Lambda runtime's logger"),
        ("INFO", "{not json}"),
    ]
    assert outcome.logs[0]["fields"] == {"level": "warning", "k": 1}


def test_a_handler_that_raises_keeps_its_lines_and_gets_the_runtimes_error_line() -> None:
    def handler(event, context):
        print("about to fail")
        raise KeyError("missing")

    outcome = run(handler)
    assert not outcome.ok and outcome.error == "KeyError"
    assert outcome.logs[0]["message"] == "about to fail"
    error = outcome.logs[1]
    assert error["level"] == "ERROR" and error["fields"] == {"errorType": "KeyError"}
    assert error["message"].startswith("[ERROR] KeyError: 'missing'\nTraceback (most recent call last):\n")
    assert 'raise KeyError("missing")' in error["message"]


def test_concurrent_invocations_never_mix_their_lines() -> None:
    workers, lines_each = 8, 50
    barrier = threading.Barrier(workers)

    def handler(event, context):
        barrier.wait()
        for i in range(lines_each):
            print(f"{event['who']} line {i}")
            logging.getLogger("shared").warning("%s warn %s", event["who"], i)
            if i % 10 == 0:
                print(f"{event['who']} err {i}", file=sys.stderr)
        return event["who"]

    runner = LocalLambdaRunner(HandlerRegistry({"fn": handler}), echo_logs=False)
    outcomes: dict[str, object] = {}

    def invoke(who: str) -> None:
        outcomes[who] = runner.run(LEGACY, {"who": who}, request_id=who, now_ms=NOW_MS)

    threads = [threading.Thread(target=invoke, args=(f"w{n}",)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for who, outcome in outcomes.items():
        messages = [line["message"] for line in outcome.logs]  # type: ignore[attr-defined]
        assert all(message.startswith(f"{who} ") for message in messages), messages[:5]
        assert [m for m in messages if " line " in m] == [f"{who} line {i}" for i in range(lines_each)]
        assert len(messages) == lines_each * 2 + 5


def test_other_threads_and_code_outside_an_invocation_are_not_captured(capsys) -> None:
    seen = threading.Event()

    def handler(event, context):
        worker = threading.Thread(target=lambda: (print("from a thread of the handler"), seen.set()))
        worker.start()
        worker.join()
        print("from the handler")
        return 1

    outcome = run(handler)
    print("after the invocation")
    assert simplified(outcome.logs) == [("INFO", "from the handler")]
    out = capsys.readouterr().out
    assert "from a thread of the handler" in out and "after the invocation" in out and seen.is_set()


def test_echo_writes_through_to_the_real_streams_and_can_be_turned_off(capsys) -> None:
    def handler(event, context):
        print("visible?")
        print("on stderr?", file=sys.stderr)
        return 1

    run(handler)
    captured = capsys.readouterr()
    assert "visible?" in captured.out and "on stderr?" in captured.err
    outcome = run(handler, echo_logs=False)
    captured = capsys.readouterr()
    assert "visible?" not in captured.out and "on stderr?" not in captured.err
    assert simplified(outcome.logs) == [("INFO", "visible?"), ("ERROR", "on stderr?")]


def test_lambda_invoke_log_type_tail_carries_what_the_handler_wrote() -> None:
    def handler(event, context):
        print("hello from the tail")
        return 1

    runner = LocalLambdaRunner(HandlerRegistry({"fn": handler}), echo_logs=False)
    outcome = runner.run(INVOKE, {"FunctionName": "fn", "LogType": "Tail"}, request_id="rid", now_ms=NOW_MS)
    tail = base64.b64decode(outcome.output["LogResult"]).decode().splitlines()
    assert tail[:3] == ["START RequestId: rid Version: $LATEST", "hello from the tail", "END RequestId: rid"]
    assert [line["message"] for line in outcome.logs] == ["hello from the tail"]


def test_huge_output_is_capped_per_invocation_and_per_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_capture, "MAX_LINES", 5)
    monkeypatch.setattr(log_capture, "MAX_MESSAGE", 10)

    def handler(event, context):
        for i in range(8):
            print(f"line {i} " + "x" * 20)
        return 1

    outcome = run(handler, echo_logs=False)
    assert len(outcome.logs) == 6
    assert outcome.logs[0]["message"] == "line 0 xxx [truncated]"
    assert outcome.logs[-1]["level"] == "WARNING"
    assert outcome.logs[-1]["message"].startswith("stepfn: 3 more lines of this invocation were not kept")


def test_streams_replaced_after_installation_are_routed_again() -> None:
    import io

    with capture_logs(echo=False) as first:
        print("one")
    original = sys.stdout
    sys.stdout = replacement = io.StringIO()  # someone (a test runner) swaps stdout meanwhile
    try:
        with capture_logs(echo=True) as second:
            print("two")
        print("outside")
    finally:
        sys.stdout = original
    assert [line["message"] for line in first.lines] == ["one"]
    assert [line["message"] for line in second.lines] == ["two"]
    assert replacement.getvalue() == "two\noutside\n"
