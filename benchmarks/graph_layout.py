"""Time the workflow graph layout (``interpreter.graph``) on large generated definitions.

    .venv/bin/python benchmarks/graph_layout.py              # warm median of 5 runs each
    .venv/bin/python benchmarks/graph_layout.py --repeat 9 --json figures.json

Workloads: a 500-state chain of Pass states; 500 Tasks in a row that each retry and catch into
one handler (500 long Catch edges: the bundled-trunk case); a Parallel of 100 two-state branches;
a Choice with 200 rules; and a Map of 20-state processors inside a Parallel of 10 branches
(nesting). For each: the definition is loaded and its graph built once (untimed), one warm-up,
then ``--repeat`` timed runs of ``layout(graph)`` and, separately, of ``render_svg`` on that
layout; medians are reported. The target (issue 7: "fast for 500 states") is a layout under 1 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from interpreter.graph import build_graph, layout, render_svg
from interpreter.loading import load_definition

TARGET_SECONDS = 1.0


def chain(n: int, *, catch: bool = False) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(n):
        step: dict[str, Any] = {"Next": f"S{i + 1}"} if i < n - 1 else {"End": True}
        if catch:
            step.update(
                Type="Task",
                Resource="arn:aws:states:::lambda:invoke",
                Parameters={"FunctionName": "f"},
                Retry=[{"ErrorEquals": ["Flaky"], "MaxAttempts": 2}],
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


def choice_fan(n: int) -> dict[str, Any]:
    states: dict[str, Any] = {
        "Pick": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "NumericEquals": i, "Next": f"T{i}"} for i in range(n)],
            "Default": "Done",
        }
    }
    for i in range(n):
        states[f"T{i}"] = {"Type": "Pass", "Next": "Done"}
    states["Done"] = {"Type": "Succeed"}
    return {"StartAt": "Pick", "States": states}


def nested(branches: int, depth: int) -> dict[str, Any]:
    def processor(b: int) -> dict[str, Any]:
        inner = chain(depth)
        return {"StartAt": f"M{b}S0", "States": {f"M{b}{k}": v for k, v in _renamed(inner, f"M{b}").items()}}

    return {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {
                        "StartAt": f"Map{b}",
                        "States": {f"Map{b}": {"Type": "Map", "ItemProcessor": processor(b), "End": True}},
                    }
                    for b in range(branches)
                ],
            }
        },
    }


def _renamed(definition: dict[str, Any], prefix: str) -> dict[str, Any]:
    out = {}
    for name, state in definition["States"].items():
        state = dict(state)
        if "Next" in state:
            state["Next"] = prefix + state["Next"]
        out[name] = state
    return out


WORKLOADS = {
    "chain_500": lambda: chain(500),
    "catch_500": lambda: chain(500, catch=True),
    "parallel_100": lambda: wide_parallel(100),
    "choice_200": lambda: choice_fan(200),
    "map_in_parallel_10x20": lambda: nested(10, 20),
}


def _median(fn: Any, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workload", action="append", choices=sorted(WORKLOADS))
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    figures = []
    print(f"{'workload':<24}{'nodes':>7}{'edges':>7}{'layout ms':>12}{'svg ms':>9}  canvas")
    for name in args.workload or WORKLOADS:
        graph = build_graph(load_definition(WORKLOADS[name]()))
        laid = layout(graph)
        t_layout = _median(lambda g=graph: layout(g), max(1, args.repeat))
        t_svg = _median(lambda g=graph, lay=laid: render_svg(g, laid_out=lay), max(1, args.repeat))
        ok = "ok" if t_layout < TARGET_SECONDS else f"SLOWER than {TARGET_SECONDS} s"
        print(
            f"{name:<24}{len(graph.nodes):>7}{len(graph.edges):>7}"
            f"{t_layout * 1000:>12.1f}{t_svg * 1000:>9.1f}"
            f"  {laid['width']:.0f} x {laid['height']:.0f}  {ok}"
        )
        figures.append(
            {
                "workload": name,
                "nodes": len(graph.nodes),
                "edges": len(graph.edges),
                "layout_seconds": t_layout,
                "svg_seconds": t_svg,
                "width": laid["width"],
                "height": laid["height"],
            }
        )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if all(f["layout_seconds"] < TARGET_SECONDS for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
