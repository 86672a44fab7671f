"""The CLI answers bad input with what and where, the right exit code, and never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from interpreter.cli import main

GOOD = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}


@pytest.fixture
def definition(tmp_path):
    def write(content, name="machine.asl.json"):
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
        return str(path)

    return write


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_run_prints_the_output(capsys, definition):
    code, out, _ = run_cli(capsys, "run", definition(GOOD))
    assert code == 0 and json.loads(out) == {"ok": True}


def test_run_json_with_history_and_positional_input(capsys, definition, tmp_path):
    (tmp_path / "in.json").write_text('{"a": 1}')
    d = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    code, out, _ = run_cli(capsys, "run", "--json", "--history", definition(d), str(tmp_path / "in.json"))
    result = json.loads(out)
    assert code == 0 and result["output"] == {"a": 1}
    assert result["history"][0]["type"] == "ExecutionStarted"


def test_malformed_json_names_line_and_column(capsys, definition):
    code, _, err = run_cli(capsys, "run", definition('{\n  "StartAt": "P",\n  "States": {,}\n}'))
    assert code == 2 and "machine.asl.json:3:" in err and "INVALID_JSON_DESCRIPTION" in err


def test_every_problem_is_listed_with_its_pointer(capsys, definition):
    bad = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Next": "Nowhere",
                "Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}],
                "Resourse": "typo",
            }
        },
    }
    code, out, _ = run_cli(capsys, "validate", definition(bad))
    assert code == 1
    assert "/States/A/Next" in out and "MISSING_TRANSITION_TARGET" in out
    assert "/States/A/Retry/0/BackoffRate" in out
    assert "Resourse" in out


def test_validate_reports_valid_files(capsys, definition):
    code, out, _ = run_cli(capsys, "validate", definition(GOOD))
    assert code == 0 and out.strip().endswith("valid")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--input", "{not json"], "--input: not valid JSON"),
        (["--input-file", "/no/such/file.json"], "--input-file /no/such/file.json: cannot read"),
        (["--handler", "nonsense"], "expected NAME=module:function"),
        (["--handler", "f=no_such_module_xyz:handler"], "no_such_module_xyz"),
        (["--sub", "novalue"], "expected Name=value"),
    ],
)
def test_bad_flags_exit_2_with_a_message(capsys, definition, extra, message):
    code, _, err = run_cli(capsys, "run", definition(GOOD), *extra)
    assert code == 2 and message in err


def test_missing_definition_file(capsys):
    code, _, err = run_cli(capsys, "run", "/no/such/machine.asl.json")
    assert code == 2 and "/no/such/machine.asl.json" in err


def test_failed_execution_exits_1_with_error_and_cause(capsys, definition):
    d = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "because"}}}
    code, out, err = run_cli(capsys, "run", definition(d))
    assert code == 1 and out == "" and "FAILED: Boom" in err and "because" in err


def test_schema_is_json(capsys):
    code, out, _ = run_cli(capsys, "schema")
    assert code == 0 and json.loads(out)["$schema"]


def test_console_entry_point_runs_in_a_subprocess(definition):
    proc = subprocess.run(
        [sys.executable, "-m", "interpreter.cli", "run", "--json", definition(GOOD)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and json.loads(proc.stdout)["status"] == "SUCCEEDED"


def test_problems_naming_a_state_with_control_characters_print_them_escaped(capsys, definition):
    """A state name carrying a terminal escape sequence must not reach the terminal raw."""
    bad = {"StartAt": "A\x1b[31m", "States": {"A\x1b[31m": {"Type": "Pass", "Next": "Nowhere"}}}
    code, out, _ = run_cli(capsys, "validate", definition(bad))
    assert code == 1
    assert "\x1b" not in out
    assert "\\x1b[31m" in out
