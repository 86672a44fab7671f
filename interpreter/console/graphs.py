"""The console's graphs: one drawn graph per stored state machine revision, and its SVG.

``GraphCache(store)`` loads a revision's definition once (``durable.machines.MachineCache`` when
the service has one), builds its graph (``graph.model``) and lays it out (``graph.layout``);
``svg(entry, status)`` draws it with a status map (``graph.svg``), ready to be placed in a page:
the SVG's own ``<style>`` element is taken out (the console's Content-Security-Policy refuses
inline styles; ``static/console.css`` carries the same rules) and the status colours come from
classes (``status-failed``), so the page can recolour a node by changing its class.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..graph.layout import layout
from ..graph.model import Graph, build_graph
from ..graph.style import STATUS_COLOURS
from ..graph.svg import render_svg
from ..loading import load_definition
from ..model import StateMachine

CACHE_SIZE = 64
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S)

# colours of the statuses the graph module does not draw itself
EXTRA_STATUS_COLOURS = {"aborted": ("#e5e7eb", "#6b7280")}


@dataclass(frozen=True, slots=True)
class DrawnGraph:
    machine: StateMachine
    graph: Graph
    layout: dict[str, Any]
    names: dict[str, str]  # node id -> state name (states only)
    types: dict[str, str]  # node id -> state type


class GraphCache:
    """Drawn graphs by (state machine ARN, revision id), the last ``size`` kept."""

    def __init__(
        self,
        store: Any,
        machines: Callable[[str, str], StateMachine] | None = None,
        *,
        size: int = CACHE_SIZE,
    ) -> None:
        self.store = store
        self._machines = machines
        self._size = size
        self._entries: OrderedDict[tuple[str, str], DrawnGraph] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, machine_arn: str, revision_id: str) -> DrawnGraph:
        """The drawn graph of a stored revision; ``LookupError`` when it is not stored."""
        key = (machine_arn, revision_id)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry
        entry = self._draw(self._load(machine_arn, revision_id))
        with self._lock:
            self._entries[key] = entry
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return entry

    def _load(self, machine_arn: str, revision_id: str) -> StateMachine:
        if self._machines is not None:
            return self._machines(machine_arn, revision_id)
        item = self.store.get_state_machine(machine_arn, revision_id)
        if item is None:
            raise LookupError(f"state machine {machine_arn} revision {revision_id} is not stored")
        return load_definition(item.definition, name=item.name)

    @staticmethod
    def _draw(machine: StateMachine) -> DrawnGraph:
        graph = build_graph(machine)
        names = {n.id: n.name for n in graph.nodes if n.name is not None}
        types = {n.id: n.type for n in graph.nodes}
        return DrawnGraph(machine=machine, graph=graph, layout=layout(graph), names=names, types=types)


def svg(entry: DrawnGraph, status: Mapping[str, str] | None = None, *, title: str | None = None) -> str:
    """The graph as SVG markup for a page (no ``<style>`` element: see the module docstring).
    Every text in it is escaped by ``graph.svg``."""
    drawn = render_svg(entry.graph, status=status or {}, laid_out=entry.layout, title=title)
    return _STYLE.sub("", drawn, count=1)


def status_css() -> str:
    """CSS rules colouring nodes by their status class (they win over the SVG's fill attributes,
    so a page can recolour a node by changing its class)."""
    rules = []
    for status, (fill, stroke) in {**STATUS_COLOURS, **EXTRA_STATUS_COLOURS}.items():
        selector = ", ".join(
            f"svg .{kind}.status-{status} > {shape}"
            for kind in ("node", "marker")
            for shape in ("rect", "path")
        )
        rules.append(f"{selector} {{ fill: {fill}; stroke: {stroke}; }}")
    return "\n".join(rules) + "\n"
