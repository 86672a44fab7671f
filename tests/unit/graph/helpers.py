"""Definitions the graph tests draw: the shipped examples and some awkward ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from interpreter.graph.model import Graph, build_graph
from interpreter.loading import load_definition

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "statemachine").glob("*.asl.json"))
SUBSTITUTIONS = ROOT / "statemachine" / "local-substitutions.json"

XSS = "<script>alert('x')</script>"
TRICKY_NAMES = [
    'Say "hi"',
    XSS,
    "Ünïcödé 状态 ✓",
    " with  spaces ",
    "a/b~c & d;%%|`#",
    "end",
    "graph",
    "~start",
]


def example(path: Path) -> Graph:
    """An example as the Makefile runs it: its ${...} placeholders from local-substitutions.json."""
    subs = json.loads(SUBSTITUTIONS.read_text(encoding="utf-8"))
    return build_graph(load_definition(path, subs))


def graph_of(definition: dict[str, Any]) -> Graph:
    return build_graph(load_definition(definition))


def tricky() -> dict[str, Any]:
    """Every awkward name in one machine: a chain of Pass states, a Choice, a Task with Retry and
    Catch, a Parallel holding a Map."""
    names = list(TRICKY_NAMES)
    states: dict[str, Any] = {}
    for i, name in enumerate(names):
        states[name] = {"Type": "Pass", "Next": names[i + 1] if i + 1 < len(names) else "Pick <b>"}
    states["Pick <b>"] = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.v", "StringEquals": 'x"<y>&', "Next": "Call & <i>"}],
        "Default": "Fail </svg>",
    }
    states["Call & <i>"] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "f"},
        "Retry": [{"ErrorEquals": ["Err<1>"], "MaxAttempts": 2}],
        "Catch": [{"ErrorEquals": ['Boom"'], "Next": "Fail </svg>"}],
        "Next": "Par ]] }}",
    }
    states["Par ]] }}"] = {
        "Type": "Parallel",
        "Next": "Done",
        "Branches": [
            {
                "StartAt": "Map --> x",
                "States": {
                    "Map --> x": {
                        "Type": "Map",
                        "ItemProcessor": {
                            "StartAt": "Inner 'q'",
                            "States": {"Inner 'q'": {"Type": "Pass", "End": True}},
                        },
                        "End": True,
                    }
                },
            },
            {"StartAt": "B2 & co", "States": {"B2 & co": {"Type": "Succeed"}}},
        ],
    }
    states["Fail </svg>"] = {"Type": "Fail", "Error": "E"}
    states["Done"] = {"Type": "Succeed"}
    return {"StartAt": names[0], "States": states}


def chain(n: int, *, catch: bool = False) -> dict[str, Any]:
    """``n`` states in a row; with ``catch``, Tasks that retry and catch into one handler."""
    states: dict[str, Any] = {}
    for i in range(n):
        step: dict[str, Any] = {"Next": f"S{i + 1}"} if i < n - 1 else {"End": True}
        if catch:
            step.update(
                Type="Task",
                Resource="arn:aws:states:::lambda:invoke",
                Parameters={"FunctionName": "f"},
                Retry=[{"ErrorEquals": ["Flaky"]}],
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handler"}],
            )
        else:
            step["Type"] = "Pass"
        states[f"S{i}"] = step
    if catch:
        states["Handler"] = {"Type": "Fail"}
    return {"StartAt": "S0", "States": states}


def wide_parallel(n: int) -> dict[str, Any]:
    branches = [
        {
            "StartAt": f"B{i}",
            "States": {f"B{i}": {"Type": "Pass", "Next": f"C{i}"}, f"C{i}": {"Type": "Pass", "End": True}},
        }
        for i in range(n)
    ]
    return {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": branches, "End": True}}}
