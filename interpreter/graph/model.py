"""A plain graph of a state machine, for drawing: nodes, nested clusters, typed edges.

``build_graph(machine)`` turns a loaded ``StateMachine`` into a ``Graph`` that the renderers
(``mermaid``, ``dot``, ``svg``) and the web console draw. It is pure and deterministic: the same
definition gives the same graph, in definition order.

Ids are stable paths, the ``StateGraph.path`` of the state's scope followed by the state name:
``Extract`` at the top level, ``Par/0/Extract`` in the first branch of the Parallel ``Par``,
``M/Map/Extract`` in the processor of the Map ``M``. Name segments are escaped as JSON Pointer
tokens (``~`` → ``~0``, ``/`` → ``~1``), so any state name gives one unambiguous id. Clusters (a
Parallel branch, a Map processor) have the id of their scope (``Par/0``, ``M/Map``) and belong to
the node of their Parallel or Map state, which is drawn as a box around them. Every scope has a
start and an end marker, ``~start`` and ``~end`` after the scope's prefix (``~`` followed by a
letter never comes out of the escaping, so no state name can collide with a marker).

Edge kinds: ``start`` (marker → StartAt), ``next``, ``choice`` (labelled with a short form of the
rule, else ``rule N``), ``default``, ``catch`` (labelled with its ErrorEquals), ``retry`` (a
self-loop per retrier, labelled with its ErrorEquals and MaxAttempts) and ``end`` (a state that
ends its scope: ``End: true``, Succeed or Fail → the scope's end marker). Transitions never cross
scopes in ASL, so an edge joins two nodes of one scope.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..model import (
    JSONATA,
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    State,
    StateGraph,
    StateMachine,
    SucceedState,
)

START = "start"  # node type of a scope's start marker
END = "end"  # node type of a scope's end marker
MARKER_TYPES = (START, END)
EDGE_KINDS = ("start", "next", "choice", "default", "catch", "retry", "end")
RULE_LABEL_MAX = 40  # longer rule texts are drawn as "rule N"


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    id: str
    label: str
    type: str  # the state's Type ("Task", "Choice", ...), or START / END for the markers
    name: str | None = None  # the state name; None for markers
    cluster: str | None = None  # the innermost cluster holding the node; None at the top level
    start: bool = False  # the StartAt of its scope
    end: bool = False  # ends its scope (End: true, Succeed, Fail)
    compound: bool = False  # a Parallel or Map state: drawn as a box around its clusters
    pointer: str = ""  # JSON Pointer of the state in the definition
    detail: str | None = None  # a short second line: a Task's resource, a Map's mode

    @property
    def is_marker(self) -> bool:
        return self.type in MARKER_TYPES

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "type": self.type,
            "name": self.name,
            "cluster": self.cluster,
            "start": self.start,
            "end": self.end,
            "compound": self.compound,
            "pointer": self.pointer,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Cluster:
    id: str  # the scope's path, e.g. "Par/0" or "M/Map"
    label: str  # "Branch 1", "Item processor"
    kind: str  # "branch" | "processor"
    state: str  # id of the Parallel / Map node it belongs to
    parent: str | None  # the cluster holding that node; None at the top level
    index: int | None = None  # the branch index (Parallel), None for a Map processor

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "kind": self.kind,
            "state": self.state,
            "parent": self.parent,
            "index": self.index,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Edge:
    source: str
    target: str
    kind: str  # one of EDGE_KINDS
    label: str | None = None
    index: int | None = None  # the Choice rule, catcher or retrier index
    errors: tuple[str, ...] = ()  # a catcher's or retrier's ErrorEquals
    max_attempts: int | None = None  # a retrier's MaxAttempts (None: a JSONata expression)

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "to": self.target,
            "kind": self.kind,
            "label": self.label,
            "index": self.index,
            "errors": list(self.errors),
            "max_attempts": self.max_attempts,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Graph:
    nodes: tuple[Node, ...]
    clusters: tuple[Cluster, ...]
    edges: tuple[Edge, ...]
    start: str = "~start"  # id of the top-level start marker
    end: str = "~end"
    comment: str | None = None

    def index(self) -> GraphIndex:
        """Lookups the renderers share: nodes per cluster, clusters per compound state, cluster
        labels, and each node's retry self-loops."""
        nodes_in: dict[str | None, list[Node]] = {}
        for n in self.nodes:
            nodes_in.setdefault(n.cluster, []).append(n)
        clusters_of: dict[str, list[str]] = {}
        for c in self.clusters:
            clusters_of.setdefault(c.state, []).append(c.id)
        retries: dict[str, list[Edge]] = {}
        for e in self.edges:
            if e.kind == "retry":
                retries.setdefault(e.source, []).append(e)
        return GraphIndex(
            nodes_in=nodes_in,
            clusters_of=clusters_of,
            cluster_label={c.id: c.label for c in self.clusters},
            retries=retries,
        )

    def node_ids_by_name(self) -> dict[str, str]:
        """State name → node id (state names are unique across a state machine)."""
        return {n.name: n.id for n in self.nodes if n.name is not None}

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": [n.to_dict() for n in self.nodes],
            "clusters": [c.to_dict() for c in self.clusters],
            "edges": [e.to_dict() for e in self.edges],
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class GraphIndex:
    nodes_in: dict[str | None, list[Node]]  # cluster id (None: top level) → its nodes
    clusters_of: dict[str, list[str]]  # Parallel/Map node id → its cluster ids
    cluster_label: dict[str, str]
    retries: dict[str, list[Edge]]  # node id → its retry self-loops


def escape_segment(name: str) -> str:
    """A state name as one id segment (JSON Pointer token escaping)."""
    return name.replace("~", "~0").replace("/", "~1")


def scope_prefix(path: tuple[Any, ...]) -> str:
    """The id prefix of a scope from its ``StateGraph.path``: ``("Par", 0)`` → ``"Par/0"``."""
    return "/".join(escape_segment(p) if isinstance(p, str) else str(p) for p in path)


def _join(prefix: str, segment: str) -> str:
    return f"{prefix}/{segment}" if prefix else segment


def build_graph(machine: StateMachine) -> Graph:
    """The drawable graph of ``machine`` (see the module docstring)."""
    builder = _Builder(machine.definition)
    builder.scope(machine.graph, cluster=None)
    return Graph(
        nodes=tuple(builder.nodes),
        clusters=tuple(builder.clusters),
        edges=tuple(builder.edges),
        comment=machine.comment,
    )


class _Builder:
    def __init__(self, definition: Any) -> None:
        self.definition = definition
        self.nodes: list[Node] = []
        self.clusters: list[Cluster] = []
        self.edges: list[Edge] = []

    def scope(self, graph: StateGraph, cluster: str | None) -> None:
        prefix = scope_prefix(graph.path)
        ids = {name: _join(prefix, escape_segment(name)) for name in graph.states}
        start, end = _join(prefix, "~start"), _join(prefix, "~end")
        top = cluster is None
        self.nodes.append(Node(id=start, label="Start" if top else "", type=START, cluster=cluster))
        self.edges.append(Edge(source=start, target=ids[graph.start_at], kind="start"))
        for name, state in graph.states.items():
            self.state(state, ids, end, cluster, start=name == graph.start_at)
        self.nodes.append(Node(id=end, label="End" if top else "", type=END, cluster=cluster))

    def state(self, state: State, ids: dict[str, str], end: str, cluster: str | None, *, start: bool) -> None:
        node_id = ids[state.name]
        terminal = state.end or isinstance(state, SucceedState | FailState)
        children: list[tuple[Cluster, StateGraph]] = []
        if isinstance(state, ParallelState):
            for i, branch in enumerate(state.branches):
                cid = scope_prefix(branch.path)
                children.append(
                    (
                        Cluster(
                            id=cid,
                            label=f"Branch {i + 1}",
                            kind="branch",
                            state=node_id,
                            parent=cluster,
                            index=i,
                        ),
                        branch,
                    )
                )
        elif isinstance(state, MapState) and state.processor is not None:
            cid = scope_prefix(state.processor.path)
            label = "Item processor" + (" (distributed)" if state.distributed else "")
            children.append(
                (
                    Cluster(id=cid, label=label, kind="processor", state=node_id, parent=cluster),
                    state.processor,
                )
            )
        self.nodes.append(
            Node(
                id=node_id,
                label=state.name,
                type=state.type_name,
                name=state.name,
                cluster=cluster,
                start=start,
                end=terminal,
                compound=bool(children),
                pointer=state.pointer,
                detail=_detail(state),
            )
        )
        for child, graph in children:
            self.clusters.append(child)
            self.scope(graph, cluster=child.id)
        self.transitions(state, node_id, ids, end, terminal)

    def transitions(self, state: State, node_id: str, ids: dict[str, str], end: str, terminal: bool) -> None:
        add = self.edges.append
        if isinstance(state, ChoiceState):
            raw_rules = _resolve(self.definition, state.pointer + "/Choices") or []
            for i, rule in enumerate(state.choices):
                if rule.next is None:
                    continue
                raw = raw_rules[i] if i < len(raw_rules) else None
                label = _rule_label(raw, state.query_language) or f"rule {i + 1}"
                add(Edge(source=node_id, target=ids[rule.next], kind="choice", label=label, index=i))
            if state.default is not None:
                add(Edge(source=node_id, target=ids[state.default], kind="default", label="Default"))
        elif state.next is not None:
            add(Edge(source=node_id, target=ids[state.next], kind="next"))
        for i, catcher in enumerate(getattr(state, "catch", ())):
            label = ", ".join(catcher.error_equals)
            add(
                Edge(
                    source=node_id,
                    target=ids[catcher.next],
                    kind="catch",
                    label=label,
                    index=i,
                    errors=catcher.error_equals,
                )
            )
        for i, retrier in enumerate(getattr(state, "retry", ())):
            attempts = retrier.max_attempts if isinstance(retrier.max_attempts, int) else None
            label = f"{', '.join(retrier.error_equals)} (max {'?' if attempts is None else attempts})"
            add(
                Edge(
                    source=node_id,
                    target=node_id,
                    kind="retry",
                    label=label,
                    index=i,
                    errors=retrier.error_equals,
                    max_attempts=attempts,
                )
            )
        if terminal:
            add(Edge(source=node_id, target=end, kind="end"))


def _detail(state: State) -> str | None:
    if isinstance(state, MapState):
        return "Distributed" if state.distributed else "Inline"
    resource = getattr(state, "resource", None)
    if not isinstance(resource, str) or not resource:
        return None
    if resource.startswith("arn:aws:states:::"):
        return resource[len("arn:aws:states:::") :]
    parts = resource.split(":")
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        return f"lambda:{parts[6]}"
    if len(parts) >= 7 and parts[2] == "states" and parts[5] == "activity":
        return f"activity:{parts[6]}"
    return resource


def _resolve(doc: Any, pointer: str) -> Any:
    """The value at a JSON Pointer in ``doc``, or None."""
    node = doc
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


# ------------------------------------------------------------------ Choice rule labels

_COMPARE = (
    ("GreaterThanEquals", ">="),
    ("LessThanEquals", "<="),
    ("GreaterThan", ">"),
    ("LessThan", "<"),
    ("Equals", "=="),
    ("Matches", "matches"),
)
_TESTS = {
    "IsNull": ("is null", "is not null"),
    "IsPresent": ("is present", "is absent"),
    "IsNumeric": ("is numeric", "is not numeric"),
    "IsString": ("is string", "is not string"),
    "IsBoolean": ("is boolean", "is not boolean"),
    "IsTimestamp": ("is timestamp", "is not timestamp"),
}


def _rule_label(raw: Any, query_language: str) -> str | None:
    """A short text of a Choice rule (``$.count == 0``), or None when there is none that fits."""
    if not isinstance(raw, dict):
        return None
    if query_language == JSONATA or "Condition" in raw:
        text = _condition_text(raw.get("Condition"))
    else:
        try:
            text = _rule_text(raw)
        except (TypeError, ValueError, KeyError):
            text = None
    if text is None or len(text) > RULE_LABEL_MAX:
        return None
    return text


def _condition_text(condition: Any) -> str | None:
    if isinstance(condition, bool):
        return "true" if condition else "false"
    if isinstance(condition, str):
        text = condition.strip()
        if text.startswith("{%") and text.endswith("%}"):
            text = text[2:-2].strip()
        return " ".join(text.split()) or None
    return None


def _rule_text(rule: dict[str, Any]) -> str | None:
    if "And" in rule or "Or" in rule:
        op = "And" if "And" in rule else "Or"
        parts = [_rule_text(r) for r in rule[op]]
        if any(p is None for p in parts):
            return None
        return f" {op.lower()} ".join(
            f"({p})" if _is_composite(r) else str(p) for p, r in zip(parts, rule[op], strict=True)
        )
    if "Not" in rule:
        inner = _rule_text(rule["Not"])
        return None if inner is None else f"not ({inner})"
    variable = rule.get("Variable")
    if not isinstance(variable, str):
        return None
    for key, value in rule.items():
        if key in _TESTS:
            yes, no = _TESTS[key]
            return f"{variable} {yes if value else no}"
        path = key.endswith("Path")
        base = key[:-4] if path else key
        for suffix, symbol in _COMPARE:
            if base.endswith(suffix) and base[: -len(suffix)] in (
                "String",
                "Numeric",
                "Boolean",
                "Timestamp",
            ):
                shown = value if path else json.dumps(value, ensure_ascii=False)
                return f"{variable} {symbol} {shown}"
    return None


def _is_composite(rule: Any) -> bool:
    return isinstance(rule, dict) and ("And" in rule or "Or" in rule)
