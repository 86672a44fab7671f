"""``stepfn graph FILE [--format mermaid|dot|svg] [--output F] [--sub NAME=VALUE] [--sub-file F]``.

Draws a definition: Mermaid (the default) for Markdown, Graphviz DOT, or a self-contained SVG.
Without ``--format``, an ``--output`` name ending in ``.svg``, ``.dot``/``.gv`` or
``.mmd``/``.mermaid`` picks the format. A file that cannot be read or a definition that does not
validate gives the same messages as ``stepfn validate`` (on stderr, exit status 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import InputError

FORMATS = ("mermaid", "dot", "svg")
_SUFFIXES = {".svg": "svg", ".dot": "dot", ".gv": "dot", ".mmd": "mermaid", ".mermaid": "mermaid"}


def add_graph_command(sub: Any) -> None:
    """Add ``graph`` to the ``stepfn`` sub-command parsers."""
    g = sub.add_parser("graph", help="draw a state machine as Mermaid, Graphviz DOT or SVG")
    g.add_argument("file", help="the state machine definition (.asl.json)")
    g.add_argument(
        "--format",
        choices=FORMATS,
        help="mermaid (default), dot or svg; without it, --output's suffix (.mmd, .dot, .svg) decides",
    )
    g.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")
    g.add_argument("--sub", action="append", default=[], metavar="NAME=VALUE")
    g.add_argument("--sub-file", action="append", default=[], metavar="FILE")


def render(machine: Any, fmt: str, *, name: str = "stepfn") -> str:
    """``machine`` (a loaded ``StateMachine``) drawn in ``fmt``."""
    from .dot import render_dot
    from .mermaid import render_mermaid
    from .model import build_graph
    from .svg import render_svg

    graph = build_graph(machine)
    if fmt == "dot":
        return render_dot(graph, name=name)
    if fmt == "svg":
        return render_svg(graph, title=name)
    return render_mermaid(graph)


def cmd_graph(args: argparse.Namespace) -> int:
    from ..loading import load_definition
    from ..parse import load_substitutions

    try:
        subs = load_substitutions(args.sub, args.sub_file)
    except (ValueError, OSError) as err:
        raise InputError(str(err)) from None
    fmt = args.format
    if fmt is None:
        fmt = _SUFFIXES.get(Path(args.output).suffix.lower(), "mermaid") if args.output else "mermaid"
    machine = load_definition(Path(args.file), subs)  # DefinitionError: reported by cli.main, exit 2
    text = render(machine, fmt, name=_name(args.file))
    if args.output is None:
        try:
            sys.stdout.write(text)
        except UnicodeEncodeError:  # a terminal that is not UTF-8: the bytes as they are
            sys.stdout.flush()
            sys.stdout.buffer.write(text.encode("utf-8"))
        return 0
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as err:
        raise InputError(f"--output {args.output}: cannot write: {err.strerror}") from None
    return 0


def _name(file: str) -> str:
    name = Path(file).name
    for suffix in (".asl.json", ".json", ".asl.yaml", ".yaml"):
        if name.endswith(suffix):
            return name[: -len(suffix)] or name
    return name
