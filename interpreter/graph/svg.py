"""A self-contained SVG of a state machine graph, from ``layout()``; no external tools or assets.

Nodes are coloured by state type, or by what happened in an execution when a status map
``{node_id: "succeeded" | "failed" | "caught" | "retried" | "running" | "not_reached"}`` is
given. Every text from the definition is escaped (``xml.sax.saxutils``), characters XML cannot
carry are replaced, and long names are cut with an ellipsis (the full text is in a ``<title>``,
shown on hover). Elements carry ``data-id`` (nodes, clusters) and ``data-from``/``data-to``
(edges) and classes (``node type-task status-failed``, ``edge edge-catch``) for the console.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from .layout import CHAR_W, HEADER_H, NODE_PAD, label_box, layout, text_width
from .model import END, START, Graph
from .style import DASHED_EDGES, EDGE_COLOURS, colours, printable

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

_CSS = """
.node text { font-size: 12px; fill: #0f172a; }
.node text.sub { font-size: 10px; fill: #475569; }
.marker text { font-size: 11px; fill: #ffffff; font-weight: 600; }
.cluster text { font-size: 11px; fill: #475569; }
.compound text.title { font-size: 12px; font-weight: 600; fill: #0f172a; }
.edge path { fill: none; stroke-width: 1.4; }
.edge text { font-size: 10px; fill: #334155; }
.status-not_reached { opacity: 0.55; }
.status-running rect { stroke-dasharray: 5 3; }
"""


def render_svg(
    graph: Graph,
    *,
    status: Mapping[str, str] | None = None,
    laid_out: dict[str, Any] | None = None,
    title: str | None = None,
) -> str:
    """The SVG document (text) of ``graph``; ``laid_out`` reuses a ``layout(graph)`` result."""
    status = status or {}
    lay = laid_out if laid_out is not None else layout(graph)
    width, height = lay["width"], lay["height"]
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family={quoteattr(FONT)}>',
    ]
    if title:
        out.append(f"<title>{_text(title)}</title>")
    out.append(f"<style>{_CSS}</style>")
    out.append(_defs())
    out.append(f'<rect class="background" x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>')

    boxes: list[tuple[int, str]] = []  # compound nodes and clusters, outermost first
    for node in lay["nodes"]:
        if node["compound"]:
            boxes.append((_depth(node["id"]), _compound(node, status.get(node["id"]))))
    for cluster in lay["clusters"]:
        boxes.append((_depth(cluster["id"]), _cluster(cluster)))
    boxes.sort(key=lambda b: b[0])
    out.extend(svg for _, svg in boxes)

    out.append('<g class="edges">')
    labels = []
    for edge in lay["edges"]:
        svg, label = _edge(edge)
        out.append(svg)
        if label:
            labels.append(label)
    out.append("</g>")

    out.append('<g class="nodes">')
    for node in lay["nodes"]:
        if not node["compound"]:
            out.append(_node(node, status.get(node["id"])))
    out.append("</g>")
    out.append('<g class="edge-labels">')
    out.extend(labels)
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _text(value: Any) -> str:
    return escape(printable(str(value)))


def _attr(value: Any) -> str:
    return quoteattr(printable(str(value)))


def _depth(item_id: str) -> int:
    return item_id.count("/")


def _cls(value: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in value.lower())


def _defs() -> str:
    parts = ["<defs>"]
    for kind, colour in EDGE_COLOURS.items():
        parts.append(
            f'<marker id="arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
            f'fill="{colour}"/></marker>'
        )
    parts.append("</defs>")
    return "".join(parts)


def _fit(text: str, width: float, char_w: float = CHAR_W) -> str:
    """``text`` cut so that it fits in ``width`` px."""
    if text_width(text) * char_w / CHAR_W <= width:
        return text
    keep = len(text)
    while keep > 1 and text_width(text[:keep] + "\u2026") * char_w / CHAR_W > width:
        keep -= 1
    return text[:keep] + "\u2026"


def _status_class(state: str | None) -> str:
    return f" status-{_cls(state)}" if state else ""


def _node(node: dict[str, Any], state: str | None) -> str:
    x, y, w, h = node["x"], node["y"], node["w"], node["h"]
    fill, stroke = colours(node["type"], state)
    ntype = node["type"]
    if ntype in (START, END):
        cls = f"marker marker-{ntype}{_status_class(state)}"
        radius = h / 2
        label = (
            f'<text x="{x + w / 2}" y="{y + h / 2 + 4}" text-anchor="middle">{_text(node["label"])}</text>'
        )
        return (
            f'<g class="{cls}" data-id={_attr(node["id"])}>'
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{radius}" fill="{fill}" stroke="{stroke}"/>'
            f"{label if node['label'] else ''}</g>"
        )
    cls = f"node type-{_cls(ntype)}{_status_class(state)}"
    sub = f"{ntype} \u00b7 {node['detail']}" if node.get("detail") else ntype
    tooltip = node["label"] + (f" ({sub})" if sub else "") + (f": {state}" if state else "")
    shape = (
        # a Choice is a box with cut corners, the others rounded boxes
        f'<path d="M {x + 8} {y} H {x + w - 8} L {x + w} {y + h / 2} L {x + w - 8} {y + h} '
        f'H {x + 8} L {x} {y + h / 2} Z" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
        if ntype == "Choice"
        else f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="{fill}" stroke="{stroke}" '
        f'stroke-width="{2.2 if state else 1.5}"/>'
    )
    room = w - 2 * NODE_PAD
    return (
        f'<g class="{cls}" data-id={_attr(node["id"])}><title>{_text(tooltip)}</title>{shape}'
        f'<text x="{x + w / 2}" y="{y + 17}" text-anchor="middle">{_text(_fit(node["label"], room))}</text>'
        f'<text class="sub" x="{x + w / 2}" y="{y + 32}" text-anchor="middle">'
        f"{_text(_fit(sub, room, CHAR_W * 10 / 12))}</text></g>"
    )


def _compound(node: dict[str, Any], state: str | None) -> str:
    x, y, w, h = node["x"], node["y"], node["w"], node["h"]
    fill, stroke = colours(node["type"], state)
    cls = f"node compound type-{_cls(node['type'])}{_status_class(state)}"
    kind = node["type"] + (f" \u00b7 {node['detail']}" if node.get("detail") else "")
    room = w - 2 * NODE_PAD
    name = _fit(node["label"], room - text_width(kind) * 10 / 12 - NODE_PAD)
    return (
        f'<g class="{cls}" data-id={_attr(node["id"])}>'
        f"<title>{_text(node['label'] + ' (' + kind + ')' + (': ' + state if state else ''))}</title>"
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="{fill}" stroke="{stroke}" '
        f'stroke-width="{2.2 if state else 1.5}"/>'
        f'<line x1="{x}" y1="{y + HEADER_H}" x2="{x + w}" y2="{y + HEADER_H}" stroke="{stroke}" '
        f'stroke-opacity="0.4"/>'
        f'<text class="title" x="{x + NODE_PAD}" y="{y + 19}">{_text(name)}</text>'
        f'<text class="sub" x="{x + w - NODE_PAD}" y="{y + 19}" text-anchor="end">{_text(kind)}</text></g>'
    )


def _cluster(cluster: dict[str, Any]) -> str:
    x, y, w, h = cluster["x"], cluster["y"], cluster["w"], cluster["h"]
    return (
        f'<g class="cluster cluster-{_cls(cluster["kind"])}" data-id={_attr(cluster["id"])}>'
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="#ffffff" fill-opacity="0.7" '
        f'stroke="#94a3b8" stroke-dasharray="4 3"/>'
        f'<text x="{x + 8}" y="{y + 14}">{_text(_fit(cluster["label"], w - 16))}</text></g>'
    )


def _edge(edge: dict[str, Any]) -> tuple[str, str | None]:
    kind = edge["kind"]
    colour = EDGE_COLOURS.get(kind, "#475569")
    pts = edge["points"]
    d = "M " + " L ".join(f"{x} {y}" for x, y in pts)
    dash = ' stroke-dasharray="5 4"' if kind in DASHED_EDGES else ""
    title = edge["label"] or kind
    svg = (
        f'<g class="edge edge-{_cls(kind)}" data-from={_attr(edge["from"])} data-to={_attr(edge["to"])}>'
        f"<title>{_text(kind + ': ' + title if edge['label'] else title)}</title>"
        f'<path d="{d}" stroke="{colour}"{dash} marker-end="url(#arrow-{_cls(kind)})"/></g>'
    )
    box = label_box(edge)
    if box is None:
        return svg, None
    left, top, tw, th = (round(v, 1) for v in box)
    lx, ly = edge["label_pos"]
    label = (
        f'<g class="edge-label edge-{_cls(kind)}"><title>{_text(edge["label"])}</title>'
        f'<rect x="{left}" y="{top}" width="{tw}" height="{th}" rx="3" fill="#ffffff" fill-opacity="0.9"/>'
        f'<text x="{lx}" y="{round(ly + 3.5, 1)}" text-anchor="{edge.get("label_anchor", "middle")}" '
        f'font-size="10" fill="{colour}">{_text(edge["label_text"])}</text></g>'
    )
    return svg, label
