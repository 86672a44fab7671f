"""Workflow graphs: a drawable model of a state machine, its layout, and renderers.

    graph = build_graph(machine)          # nodes, nested clusters, typed edges (model.py)
    layout(graph)                         # JSON-able coordinates (layout.py), for the console too
    render_mermaid(graph) / render_dot(graph) / render_svg(graph, status={node_id: "failed"})

See docs/graph.md; ``stepfn graph FILE`` is ``cli.py``.
"""

from .dot import render_dot
from .layout import layout
from .mermaid import render_mermaid
from .model import Cluster, Edge, Graph, Node, build_graph
from .style import STATUSES
from .svg import render_svg

__all__ = [
    "STATUSES",
    "Cluster",
    "Edge",
    "Graph",
    "Node",
    "build_graph",
    "layout",
    "render_dot",
    "render_mermaid",
    "render_svg",
]
