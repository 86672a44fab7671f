"""A Mermaid ``flowchart TD`` of a state machine graph, for Markdown docs and reviews.

Parallel and Map states are subgraphs holding a subgraph per branch / the item processor; edges
into and out of them join the subgraph. Mermaid ids are made from the node ids (``s_`` and
letters, digits, underscores; a numeric suffix when two names sanitize alike), so no state name
can form Mermaid syntax or a keyword (``end``, ``graph``, ...). Labels are always quoted, and every
character that Mermaid or the HTML it renders could read as syntax (quotes, ``<``, ``&``, ``#``,
``|``, ``;``, ``%``, backticks, backslashes, control characters) is written as a Mermaid entity
code (``#60;``), which Mermaid renders as that character, as text. Other unicode stays as it is.

The start and end markers of a branch are left out (the branch's subgraph is enough), and so are
their edges; several Retry loops of one state are drawn as one (Mermaid draws one self-loop per
pair of nodes). A Parallel or Map state's retriers are in its title: Mermaid draws a self-loop on a
subgraph as a stray line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .model import END, START, Graph
from .style import DASHED_EDGES, EDGE_COLOURS, STATUS_COLOURS, TYPE_COLOURS, edge_text, printable

_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:_-+/()[]{}$@=!?'*^~")
_SHAPES = {  # (open, close) around the quoted label
    "Choice": ("{{", "}}"),
    "Succeed": ("([", "])"),
    "Fail": ("([", "])"),
    "Wait": ("[/", "/]"),
    START: ("((", "))"),
    END: ("((", "))"),
}
_INDENT = "    "


def mermaid_label(text: str) -> str:
    """``text`` as a quoted Mermaid label: ``"a #quot;b#quot;"``."""
    out = []
    for ch in printable(text):
        if ch in _SAFE or (ord(ch) > 127 and ch.isprintable()):
            out.append(ch)
        else:
            out.append(f"#{ord(ch)};")
    return '"' + "".join(out) + '"'


def mermaid_ids(graph: Graph) -> dict[str, str]:
    """Node and cluster id → Mermaid id: ``s_`` + the id sanitized, unique."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for item_id in [n.id for n in graph.nodes] + [c.id for c in graph.clusters]:
        base = "s_" + re.sub(r"[^A-Za-z0-9_]", "_", item_id)
        mid, k = base, 1
        while mid in used:
            k += 1
            mid = f"{base}_{k}"
        used.add(mid)
        ids[item_id] = mid
    return ids


def render_mermaid(graph: Graph, *, status: Mapping[str, str] | None = None) -> str:
    """The Mermaid text of ``graph``; ``status`` colours nodes by what happened (see ``svg``)."""
    status = status or {}
    ids = mermaid_ids(graph)
    index = graph.index()
    nodes_in, clusters_of = index.nodes_in, index.clusters_of
    cluster_label, retries = index.cluster_label, index.retries
    shown = {n.id for n in graph.nodes if not (n.is_marker and n.cluster is not None)}

    lines = ["flowchart TD"]
    if graph.comment:
        lines.append(f"    %% {' '.join(printable(graph.comment).split())[:200]}")
    classes: dict[str, list[str]] = {}
    styles: list[str] = []

    def scope(cluster: str | None, depth: int) -> None:
        pad = _INDENT * depth
        for n in nodes_in.get(cluster, []):
            if n.id not in shown:
                continue
            if n.compound and n.id in clusters_of:
                title = f"{n.label} ({n.type})"
                if n.id in retries:
                    title += " \u00b7 retry " + "; ".join(edge_text(e) for e in retries[n.id])
                lines.append(f"{pad}subgraph {ids[n.id]}[{mermaid_label(title)}]")
                lines.append(f"{pad}{_INDENT}direction TB")
                for cid in clusters_of[n.id]:
                    lines.append(f"{pad}{_INDENT}subgraph {ids[cid]}[{mermaid_label(cluster_label[cid])}]")
                    lines.append(f"{pad}{_INDENT * 2}direction TB")
                    scope(cid, depth + 2)
                    lines.append(f"{pad}{_INDENT}end")
                lines.append(f"{pad}end")
                fill, stroke = STATUS_COLOURS.get(
                    status.get(n.id, ""), TYPE_COLOURS.get(n.type, ("#fff", "#333"))
                )
                styles.append(f"style {ids[n.id]} fill:{fill},stroke:{stroke}")
                continue
            opening, closing = _SHAPES.get(n.type, ("(", ")"))
            lines.append(f"{pad}{ids[n.id]}{opening}{mermaid_label(n.label or ' ')}{closing}")
            key = f"st_{status[n.id]}" if status.get(n.id) in STATUS_COLOURS else _class_name(n.type)
            classes.setdefault(key, []).append(ids[n.id])

    scope(None, 1)

    link_styles: dict[str, list[int]] = {}
    count = 0
    seen_loops: set[str] = set()
    for e in graph.edges:
        if e.source not in shown or e.target not in shown:
            continue
        if e.kind == "retry":
            node_compound = e.source in clusters_of
            if node_compound or e.source in seen_loops:
                continue
            seen_loops.add(e.source)
            text = "retry " + "; ".join(edge_text(r) for r in retries[e.source])
        elif e.kind == "catch":
            text = f"catch {edge_text(e)}"
        else:
            text = e.label or ""
        arrow = "-.->" if e.kind in DASHED_EDGES or e.kind == "retry" else "-->"
        label = f"|{mermaid_label(text)}|" if text else ""
        lines.append(f"{_INDENT}{ids[e.source]} {arrow}{label} {ids[e.target]}")
        if e.kind in ("catch", "retry", "choice", "default"):
            link_styles.setdefault(e.kind, []).append(count)
        count += 1

    for key in list(TYPE_COLOURS) + [f"st_{s}" for s in STATUS_COLOURS]:
        members = classes.get(key if key.startswith("st_") else _class_name(key))
        if not members:
            continue
        fill, stroke = STATUS_COLOURS[key[3:]] if key.startswith("st_") else TYPE_COLOURS[key]
        text = ",color:#ffffff" if key in (START, END) else ""
        name = key if key.startswith("st_") else _class_name(key)
        lines.append(f"{_INDENT}classDef {name} fill:{fill},stroke:{stroke}{text}")
        lines.append(f"{_INDENT}class {','.join(members)} {name}")
    lines.extend(_INDENT + s for s in styles)
    for kind, indexes in link_styles.items():
        lines.append(f"{_INDENT}linkStyle {','.join(map(str, indexes))} stroke:{EDGE_COLOURS[kind]}")
    return "\n".join(lines) + "\n"


def _class_name(node_type: str) -> str:
    return "ty_" + node_type.lower()
