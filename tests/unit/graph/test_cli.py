"""stepfn graph FILE: the formats, --output, and the errors stepfn validate gives."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from interpreter.cli import main

from .helpers import EXAMPLES, ROOT, SUBSTITUTIONS

ETL = ROOT / "statemachine" / "etl_pipeline.asl.json"


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_mermaid_on_stdout_by_default(capsys):
    code, out, err = run_cli(capsys, "graph", ETL, "--sub-file", SUBSTITUTIONS)
    assert code == 0 and err == ""
    assert out.startswith("flowchart TD\n") and 's_Extract("Extract")' in out


def test_svg_and_dot_formats(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "graph", EXAMPLES[0], "--format", "svg")
    assert code == 0
    ET.fromstring(out)
    code, out, _ = run_cli(capsys, "graph", EXAMPLES[0], "--format", "dot")
    assert code == 0 and out.startswith("digraph ")


def test_output_file_and_format_from_its_suffix(capsys, tmp_path):
    target = tmp_path / "etl.svg"
    code, out, _ = run_cli(capsys, "graph", ETL, "--output", target)
    assert code == 0 and out == ""
    assert ET.fromstring(target.read_text(encoding="utf-8")).tag.endswith("svg")
    code, _, _ = run_cli(capsys, "graph", ETL, "-o", tmp_path / "etl.dot")
    assert (tmp_path / "etl.dot").read_text(encoding="utf-8").startswith('digraph "etl_pipeline"')
    code, _, _ = run_cli(capsys, "graph", ETL, "-o", tmp_path / "etl.md", "--format", "mermaid")
    assert (tmp_path / "etl.md").read_text(encoding="utf-8").startswith("flowchart TD")


def test_substitutions_reach_the_definition(capsys):
    code, out, _ = run_cli(
        capsys,
        "graph",
        ETL,
        "--format",
        "dot",
        "--sub",
        "EtlExtractFunctionArn=arn:aws:lambda:eu-west-1:1:function:X",
    )
    assert code == 0 and "lambda:X" in out


def test_a_bad_definition_gives_validate_s_messages_and_exit_2(capsys, tmp_path):
    bad = tmp_path / "bad.asl.json"
    bad.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}))
    code, out, err = run_cli(capsys, "graph", bad)
    assert code == 2 and out == ""
    vcode, vout, _ = run_cli(capsys, "validate", bad)
    assert vcode == 1
    assert err.splitlines() == vout.splitlines()  # the same lines, on stderr
    assert "MISSING_TRANSITION_TARGET" in err


def test_missing_file_and_unwritable_output(capsys, tmp_path):
    code, _, err = run_cli(capsys, "graph", tmp_path / "nope.asl.json")
    assert code == 2 and "cannot read" in err
    code, _, err = run_cli(capsys, "graph", ETL, "-o", tmp_path / "no" / "such" / "dir.svg")
    assert code == 2 and "--output" in err and "cannot write" in err
    code, _, err = run_cli(capsys, "graph", ETL, "--sub-file", tmp_path / "missing.json")
    assert code == 2 and err.startswith("stepfn: ")
