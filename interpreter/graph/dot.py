"""A Graphviz DOT digraph of a state machine graph (``dot -Tsvg`` / ``-Tpng`` draws it).

Parallel and Map states are clusters (``cluster_<id>``) holding a cluster per branch / the item
processor. Graphviz edges join nodes, so such a state has two invisible anchors in its cluster:
its own id at the top (edges into the state end there, clipped at the cluster with ``lhead``) and
``<id>/~out`` at the bottom (edges out of it start there, ``ltail``); invisible edges keep the
branches between them. A cluster cannot have a self-loop, so its retriers are in its title.

Node ids are the graph's ids, quoted; labels are quoted with ``\\`` and ``"`` escaped, ``&``
written ``&amp;`` (Graphviz reads entities in labels) and characters XML cannot carry replaced,
so any state name is drawn as the text it is.
"""

from __future__ import annotations

from collections.abc import Mapping

from .model import END, START, Graph
from .style import DASHED_EDGES, EDGE_COLOURS, colours, edge_text, printable

FONT = "Helvetica"
_INDENT = "  "


def dot_id(value: str) -> str:
    """``value`` as a quoted DOT id."""
    return '"' + printable(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def dot_label(value: str) -> str:
    """``value`` as a quoted DOT label that Graphviz draws literally."""
    text = printable(value).replace("&", "&amp;")
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return '"' + text + '"'


def _attrs(**values: str) -> str:
    return "[" + ", ".join(f"{k}={v}" for k, v in values.items()) + "]"


def render_dot(graph: Graph, *, status: Mapping[str, str] | None = None, name: str = "stepfn") -> str:
    """The DOT text of ``graph``; ``status`` colours nodes by what happened (see ``svg``)."""
    status = status or {}
    index = graph.index()
    nodes_in, clusters_of = index.nodes_in, index.clusters_of
    cluster_label, retries = index.cluster_label, index.retries
    compound = {n.id for n in graph.nodes if n.compound and n.id in clusters_of}

    lines = [
        f"digraph {dot_id(name)} {{",
        f'{_INDENT}graph [rankdir=TB, compound=true, fontname="{FONT}", fontsize=11, '
        "nodesep=0.35, ranksep=0.45];",
        f'{_INDENT}node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize=11, '
        'margin="0.15,0.06"];',
        f'{_INDENT}edge [fontname="{FONT}", fontsize=9, arrowsize=0.7];',
    ]
    if graph.comment:
        lines.insert(1, f"{_INDENT}// {' '.join(printable(graph.comment).split())[:200]}")

    def scope(cluster: str | None, depth: int) -> None:
        pad = _INDENT * depth
        for n in nodes_in.get(cluster, []):
            fill, stroke = colours(n.type, status.get(n.id))
            if n.id in compound:
                title = f"{n.label} ({n.type})"
                if n.id in retries:
                    title += "\nretry " + "; ".join(edge_text(e) for e in retries[n.id])
                lines.append(f"{pad}subgraph {dot_id('cluster_' + n.id)} {{")
                lines.append(
                    f'{pad}{_INDENT}label={dot_label(title)}; labeljust="l"; style="rounded,filled"; '
                    f'fillcolor="{fill}"; color="{stroke}";'
                )
                anchor = _attrs(shape="point", style="invis", width="0", height="0", label='""')
                lines.append(f"{pad}{_INDENT}{dot_id(n.id)} {anchor};")
                lines.append(f"{pad}{_INDENT}{dot_id(n.id + '/~out')} {anchor};")
                for cid in clusters_of[n.id]:
                    lines.append(f"{pad}{_INDENT}subgraph {dot_id('cluster_' + cid)} {{")
                    lines.append(
                        f'{pad}{_INDENT * 2}label={dot_label(cluster_label[cid])}; labeljust="l"; '
                        f'style="dashed,filled"; fillcolor="#ffffff"; color="#94a3b8";'
                    )
                    scope(cid, depth + 2)
                    lines.append(f"{pad}{_INDENT}}}")
                    invisible = _attrs(style="invis")
                    lines.append(f"{pad}{_INDENT}{dot_id(n.id)} -> {dot_id(cid + '/~start')} {invisible};")
                    lines.append(
                        f"{pad}{_INDENT}{dot_id(cid + '/~end')} -> {dot_id(n.id + '/~out')} {invisible};"
                    )
                lines.append(f"{pad}}}")
                continue
            if n.type in (START, END) and n.cluster is not None:
                attrs = _attrs(shape="point", width="0.12", color=f'"{stroke}"', label='""')
            elif n.type in (START, END):
                attrs = _attrs(
                    label=dot_label(n.label),
                    shape="oval",
                    style='"filled"',
                    fillcolor=f'"{fill}"',
                    color=f'"{stroke}"',
                    fontcolor='"#ffffff"',
                )
            else:
                label = f"{n.label}\n{n.type}" + (f" \u00b7 {n.detail}" if n.detail else "")
                extra = {"shape": "hexagon"} if n.type == "Choice" else {}
                attrs = _attrs(label=dot_label(label), fillcolor=f'"{fill}"', color=f'"{stroke}"', **extra)
            lines.append(f"{pad}{dot_id(n.id)} {attrs};")

    scope(None, 1)

    for e in graph.edges:
        if e.kind == "retry" and e.source in compound:
            continue
        source, target = e.source, e.target
        attrs = {"color": f'"{EDGE_COLOURS.get(e.kind, "#475569")}"'}
        if e.kind in DASHED_EDGES:
            attrs["style"] = "dashed"
        if e.label:
            attrs["label"] = dot_label(edge_text(e) if e.kind != "catch" else f"catch {edge_text(e)}")
            attrs["fontcolor"] = attrs["color"]
        if source in compound:
            attrs["ltail"] = dot_id("cluster_" + source)
            source = source + "/~out"
        if target in compound:
            attrs["lhead"] = dot_id("cluster_" + target)
        lines.append(f"{_INDENT}{dot_id(source)} -> {dot_id(target)} {_attrs(**attrs)};")
    lines.append("}")
    return "\n".join(lines) + "\n"
