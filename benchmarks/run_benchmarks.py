"""Measure stepfn on the four standard workloads (../shared/bench/workflows), in-process.

    python benchmarks/run_benchmarks.py                 # all four, warm median of 5 runs
    python benchmarks/run_benchmarks.py --repeat 9 --workload loop
    python benchmarks/run_benchmarks.py --compare       # also the peer engine, and the ratios

Each workload runs the normal way (``interpreter.run``: virtual clock, history recorded) as an
Express execution (the loops record more than a Standard execution's 25,000 history events): the
definition is loaded once, one untimed warm-up run, then ``--repeat`` timed runs; only the run
is timed and the median is reported. Peak memory comes from one more, separate run under
``tracemalloc`` (which slows a run down, so it is never timed). Rates use the same units as
``../shared/bench/compare.py``: transitions/s for loop, parallel and io, items/s for map.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_BENCH = ROOT.parent / "shared" / "bench"
sys.path.insert(0, str(ROOT))

from interpreter import load_definition, run  # noqa: E402  (after the repo is on sys.path)


@dataclass(frozen=True)
class Workload:
    name: str
    definition: str
    input: str | None
    units: int  # transitions or items per execution (as compare.py counts them)
    unit: str
    target: float | None  # the rate stepfn aims for, None where there is none
    directory: Path | None = None  # where the files are, when not in the shared workload directory


WORKLOADS = (
    Workload("loop", "loop_10000.json", None, 20_002, "transitions/s", 100_000),
    Workload("map", "map.json", "map_input_10000.json", 10_000, "items/s", 100_000),
    Workload("parallel", "parallel.json", None, 1_012, "transitions/s", None),
    Workload("io", "io.json", "io_input.json", 1_002, "transitions/s", 50_000),
    # stepfn's own: Choice with a JSONata Condition + Pass with Assign, 10,000 iterations
    Workload(
        "jsonata_loop",
        "jsonata_loop.asl.json",
        None,
        20_002,
        "transitions/s",
        30_000,
        ROOT / "benchmarks" / "workflows",
    ),
)


@dataclass(frozen=True)
class Measurement:
    name: str
    rate: float
    unit: str
    median_seconds: float
    runs: int
    peak_memory_mb: float
    target: float | None

    @property
    def meets_target(self) -> bool | None:
        return None if self.target is None else self.rate >= self.target


def _run_once(machine: Any, event: Any) -> float:
    gc.collect()
    started = time.perf_counter()
    result = run(machine, event, virtual_time=True, seed=1, execution_type="EXPRESS")
    elapsed = time.perf_counter() - started
    if result.status != "SUCCEEDED":
        raise SystemExit(f"benchmark run failed: {result.status} {result.error}: {result.cause}")
    return elapsed


def _peak_memory_mb(machine: Any, event: Any) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        run(machine, event, virtual_time=True, seed=1, execution_type="EXPRESS")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6


def measure(workload: Workload, workflows: Path, repeat: int) -> Measurement:
    workflows = workload.directory or workflows
    machine = load_definition(json.loads((workflows / workload.definition).read_text()))
    event = json.loads((workflows / workload.input).read_text()) if workload.input else {}
    _run_once(machine, event)  # warm-up: imports, caches, first-use compilation
    times = [_run_once(machine, event) for _ in range(repeat)]
    median = statistics.median(times)
    return Measurement(
        name=workload.name,
        rate=workload.units / median,
        unit=workload.unit,
        median_seconds=median,
        runs=repeat,
        peak_memory_mb=_peak_memory_mb(machine, event),
        target=workload.target,
    )


def format_measurement(m: Measurement) -> str:
    target = ""
    if m.target is not None:
        target = f"  [target >= {m.target:,.0f}: {'met' if m.meets_target else 'NOT MET'}]"
    return (
        f"{m.name}: {m.rate:,.0f} {m.unit}{target}  "
        f"(median {m.median_seconds * 1000:.1f} ms of {m.runs} warm runs; "
        f"peak memory {m.peak_memory_mb:.1f} MB)"
    )


_PEER_LINE = re.compile(r"aws-local-stepfunctions (\w+): ([\d,.]+) ")


def run_peer(compare_script: Path) -> dict[str, float] | None:
    """The peer engine's rate per workload, from ``compare.py`` (None when it is not there)."""
    if not compare_script.exists():
        print(f"--compare: {compare_script} not found; skipping the peer comparison")
        return None
    print(f"\nrunning {compare_script} (installs the peer engine on first use) ...", flush=True)
    proc = subprocess.run(["python3", str(compare_script)], capture_output=True, text=True, timeout=1800)
    print(proc.stdout.rstrip())
    if proc.returncode != 0:
        print(f"compare.py exited with {proc.returncode}: {proc.stderr.strip()[-500:]}")
    rates = {}
    for line in proc.stdout.splitlines():
        m = _PEER_LINE.match(line)
        if m:
            rates[m.group(1)] = float(m.group(2).replace(",", ""))
    return rates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs per workload (default 5, at least 5)"
    )
    parser.add_argument(
        "--workload",
        action="append",
        choices=[w.name for w in WORKLOADS],
        help="run only this workload (repeatable; default all)",
    )
    parser.add_argument(
        "--workflows", type=Path, default=SHARED_BENCH / "workflows", help="directory of the workload files"
    )
    parser.add_argument(
        "--compare", action="store_true", help="also run ../shared/bench/compare.py; print ratios"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON to FILE")
    args = parser.parse_args(argv)
    if args.repeat < 5:
        parser.error("--repeat must be at least 5 (the figures are warm medians of >= 5 runs)")
    if not args.workflows.is_dir():
        print(f"workload directory {args.workflows} not found (use --workflows DIR)", file=sys.stderr)
        return 2

    selected = [w for w in WORKLOADS if not args.workload or w.name in args.workload]
    print(
        f"stepfn benchmarks: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}; in-process, virtual time, history recorded"
    )
    results = []
    for workload in selected:
        measurement = measure(workload, args.workflows, args.repeat)
        results.append(measurement)
        print(format_measurement(measurement), flush=True)
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS: {max_rss_mb:.0f} MB")

    ratios: dict[str, float] = {}
    if args.compare:
        peer = run_peer(SHARED_BENCH / "compare.py")
        if peer:
            print(
                "\nstepfn / aws-local-stepfunctions (same machine, same minute; > 1 means stepfn is faster):"
            )
            for m in results:
                if m.name in peer and peer[m.name] > 0:
                    ratios[m.name] = m.rate / peer[m.name]
                    print(
                        f"  {m.name}: {ratios[m.name]:.2f}x  ({m.rate:,.0f} vs {peer[m.name]:,.0f} {m.unit})"
                    )
                else:
                    print(f"  {m.name}: no peer figure")

    if args.json:
        doc = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "results": [asdict(m) | {"meets_target": m.meets_target} for m in results],
            "ratios": ratios,
        }
        args.json.write_text(json.dumps(doc, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
