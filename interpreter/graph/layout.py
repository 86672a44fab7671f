"""A layered (Sugiyama-style) layout of a ``Graph``, in pure Python, returning plain JSON.

``layout(graph)`` gives coordinates the SVG renderer and the web console both draw from::

    {"width": W, "height": H,
     "nodes": [{"id", "label", "type", "name", "cluster", "start", "end", "compound", "detail",
                "x", "y", "w", "h"}, ...],          # x, y: the top-left corner
     "clusters": [{"id", "label", "kind", "state", "parent", "x", "y", "w", "h"}, ...],
     "edges": [{"from", "to", "kind", "label", "index", "back",
                "points": [[x, y], ...], "label_text": str | None, "label_pos": [x, y] | None,
                "label_anchor": "middle" | "start"}, ...]}

``label_text`` is the label as drawn: cut to ``LABEL_MAX`` characters; for a Retry loop, a
multiplication sign and its MaxAttempts. ``label_pos`` is its center (``label_anchor``
"middle") or its left end ("start"). Edges also carry ``errors`` and ``max_attempts`` (Catch,
Retry), and the nodes the graph's ``pointer`` (JSON Pointer of the state in the definition).

Each scope (the top level, a Parallel branch, a Map processor) is laid out on its own, innermost
first, so a Parallel or Map node is a box as big as its clusters side by side, placed in its
parent scope like any other node. Within a scope:

1. cycles are broken by a depth-first search from the start marker (edges to a state on the
   search stack are back edges, laid out reversed; Retry self-loops are left out);
2. layers by longest path from the start (the end marker goes below everything);
3. edges spanning several layers get a dummy node per layer crossed;
4. nodes are ordered in each layer by barycenter sweeps (down and up), keeping the order with the
   fewest crossings;
5. x positions: each node pulled towards the mean x of its neighbours in the layer above, then
   below, the order and minimum gaps kept by an isotonic (pool adjacent violators) fit;
6. edges are polylines through their dummies, leaving the bottom of the source and entering the
   top of the target (back edges the other way round), their ends spread along the side, long
   edges straightened where the gaps allow; Retry loops are drawn on the right of their node;
   labels sit in the gap below their source, moved up or down a line when they would overlap.

Deterministic (definition order breaks every tie) and linear-ish: a 500-state chain or a
100-branch Parallel lays out in a few tens of milliseconds.
"""

from __future__ import annotations

import heapq
import itertools
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from .model import END, START, Edge, Graph, Node

# Geometry, in SVG user units (px at 100 %).
CHAR_W = 7.0  # average width of a character of the 12 px label font
WIDE_CHAR_W = 12.0  # East Asian wide / full-width characters
NODE_H = 42.0  # a state: name, and the type on a second line
NODE_PAD = 14.0  # horizontal padding inside a node
NODE_MIN_W = 96.0
NODE_MAX_W = 240.0  # longer names are cut with an ellipsis when drawn
TOP_MARKER = (56.0, 26.0)  # the top-level Start / End pills
INNER_MARKER = (14.0, 14.0)  # the start / end dots of a branch or processor
H_GAP = 30.0  # between neighbours in a layer
DUMMY_W = 6.0
DUMMY_GAP = 10.0
V_GAP = 50.0  # between layers
MARGIN = 20.0
HEADER_H = 30.0  # the title bar of a Parallel / Map box
BOX_PAD = 12.0  # around the clusters inside a Parallel / Map box
CLUSTER_TITLE_H = 20.0
CLUSTER_PAD = 12.0
LOOP_STEP = 10.0  # Retry loops: distance between nested loops
LOOP_LABEL_W = 44.0  # room kept on the right of a node with Retry loops for their label
LABEL_MAX = 28  # characters of an edge label drawn ("label_text"); the whole one is "label"
LABEL_H = 14.0
SWEEPS = 6  # barycenter sweep pairs (down + up)
POSITION_ROUNDS = 4


def layout(graph: Graph) -> dict[str, Any]:
    """Coordinates for every node, cluster and edge of ``graph`` (see the module docstring)."""
    return _Layouter(graph).run()


def text_width(text: str) -> float:
    """Estimated width of ``text`` in the 12 px label font."""
    return sum(WIDE_CHAR_W if unicodedata.east_asian_width(c) in "WF" else CHAR_W for c in text)


def node_size(node: Node) -> tuple[float, float]:
    """The size of a leaf node (markers and states that hold no clusters)."""
    if node.is_marker:
        return TOP_MARKER if node.cluster is None else INNER_MARKER
    second = f"{node.type} · {node.detail}" if node.detail else node.type
    text = max(text_width(node.label), text_width(second) * 10 / 12)
    return min(NODE_MAX_W, max(NODE_MIN_W, text + 2 * NODE_PAD)), NODE_H


def _r(v: float) -> float:
    return round(v, 1)


@dataclass(slots=True)
class _Item:
    """A node or dummy in one scope's layering."""

    key: int
    w: float
    h: float
    node: Node | None = None  # None for a dummy
    right: float = 0.0  # room kept on the right (Retry loops)
    layer: int = 0
    pos: int = 0
    x: float = 0.0  # center
    y: float = 0.0  # top
    up: list[int] = field(default_factory=list)
    down: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _Placed:
    """A scope laid out in local coordinates."""

    width: float
    height: float
    nodes: list[dict[str, Any]]
    clusters: list[dict[str, Any]]
    edges: list[dict[str, Any]]


def _shift(placed: _Placed, dx: float, dy: float) -> None:
    for n in placed.nodes:
        n["x"] += dx
        n["y"] += dy
    for c in placed.clusters:
        c["x"] += dx
        c["y"] += dy
    for e in placed.edges:
        e["points"] = [[x + dx, y + dy] for x, y in e["points"]]
        if e["label_pos"] is not None:
            e["label_pos"] = [e["label_pos"][0] + dx, e["label_pos"][1] + dy]


class _Layouter:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.scope_nodes: dict[str | None, list[Node]] = {}
        for n in graph.nodes:
            self.scope_nodes.setdefault(n.cluster, []).append(n)
        self.node_scope = {n.id: n.cluster for n in graph.nodes}
        self.scope_edges: dict[str | None, list[Edge]] = {}
        for e in graph.edges:
            self.scope_edges.setdefault(self.node_scope.get(e.source), []).append(e)
        self.children: dict[str, list[Any]] = {}
        for c in graph.clusters:
            self.children.setdefault(c.state, []).append(c)

    def run(self) -> dict[str, Any]:
        placed = self.scope(None)
        _shift(placed, MARGIN, MARGIN)
        for n in placed.nodes:
            for k in ("x", "y", "w", "h"):
                n[k] = _r(n[k])
        for c in placed.clusters:
            for k in ("x", "y", "w", "h"):
                c[k] = _r(c[k])
        for e in placed.edges:
            e["points"] = [[_r(x), _r(y)] for x, y in e["points"]]
            if e["label_pos"] is not None:
                e["label_pos"] = [_r(v) for v in e["label_pos"]]
        order = {n.id: i for i, n in enumerate(self.graph.nodes)}
        placed.nodes.sort(key=lambda n: order[n["id"]])
        corder = {c.id: i for i, c in enumerate(self.graph.clusters)}
        placed.clusters.sort(key=lambda c: corder[c["id"]])
        eorder = {id(e): i for i, e in enumerate(self.graph.edges)}
        keyed = sorted((eorder[e.pop("_edge")], i, e) for i, e in enumerate(placed.edges))
        placed.edges = [e for _, _, e in keyed]
        return {
            "width": _r(placed.width + 2 * MARGIN),
            "height": _r(placed.height + 2 * MARGIN),
            "nodes": placed.nodes,
            "clusters": placed.clusters,
            "edges": placed.edges,
        }

    # ------------------------------------------------------------------ compound nodes
    def compound(self, node: Node) -> tuple[float, float, list[_Placed], list[dict[str, Any]]]:
        """Lay out the clusters of a Parallel / Map node side by side: its size, and the pieces
        (in coordinates relative to the node's top-left corner)."""
        inner: list[_Placed] = []
        boxes: list[dict[str, Any]] = []
        sizes = []
        for cluster in self.children[node.id]:
            placed = self.scope(cluster.id)
            w = max(placed.width + 2 * CLUSTER_PAD, text_width(cluster.label) + 2 * CLUSTER_PAD)
            sizes.append((cluster, placed, w))
        inner_h = max((p.height for _, p, _ in sizes), default=0.0)
        box_h = CLUSTER_TITLE_H + inner_h + CLUSTER_PAD
        total_w = sum(w for _, _, w in sizes) + H_GAP / 2 * max(0, len(sizes) - 1)
        header_w = text_width(node.label) + text_width(node.type) + 4 * NODE_PAD
        width = max(total_w + 2 * BOX_PAD, header_w, NODE_MIN_W)
        x = (width - total_w) / 2
        for cluster, placed, w in sizes:
            # the scope centered in its cluster box, the box's title above
            _shift(placed, x + (w - placed.width) / 2, HEADER_H + CLUSTER_TITLE_H)
            boxes.append({**cluster.to_dict(), "x": x, "y": HEADER_H, "w": w, "h": box_h})
            inner.append(placed)
            x += w + H_GAP / 2
        height = HEADER_H + (box_h + BOX_PAD if sizes else 0.0)
        return width, height, inner, boxes

    # ------------------------------------------------------------------ one scope
    def scope(self, scope_id: str | None) -> _Placed:
        nodes = self.scope_nodes.get(scope_id, [])
        edges = self.scope_edges.get(scope_id, [])
        items: list[_Item] = []
        index: dict[str, int] = {}
        pieces: dict[int, tuple[list[_Placed], list[dict[str, Any]]]] = {}
        loops: dict[str, list[Edge]] = {}
        for e in edges:
            if e.source == e.target:
                loops.setdefault(e.source, []).append(e)
        for n in nodes:
            key = len(items)
            if n.compound and n.id in self.children:
                w, h, inner, boxes = self.compound(n)
                pieces[key] = (inner, boxes)
            else:
                w, h = node_size(n)
            k = len(loops.get(n.id, ()))
            right = (LOOP_STEP * (k + 1) + LOOP_LABEL_W) if k else 0.0
            items.append(_Item(key=key, w=w, h=h, node=n, right=right))
            index[n.id] = key
        flow = [e for e in edges if e.source != e.target and e.source in index and e.target in index]

        back = self.back_edges(nodes, flow, index)
        self.assign_layers(items, flow, back, index)
        chains, bundles = self.add_dummies(items, flow, back, index)
        layers = self.order(items, chains)
        self.place_x(items, layers)
        self.straighten(items, layers, chains)
        heights = self.place_y(items, layers)

        placed_nodes: list[dict[str, Any]] = []
        placed_clusters: list[dict[str, Any]] = []
        placed_edges: list[dict[str, Any]] = []
        for it in items:
            if it.node is None:
                continue
            left = it.x - it.w / 2
            placed_nodes.append(
                {**it.node.to_dict(), "x": left, "y": it.y, "w": it.w, "h": it.h},
            )
            if it.key in pieces:
                inner, boxes = pieces[it.key]
                for p in inner:
                    _shift(p, left, it.y)
                    placed_nodes.extend(p.nodes)
                    placed_clusters.extend(p.clusters)
                    placed_edges.extend(p.edges)
                for b in boxes:
                    b["x"] += left
                    b["y"] += it.y
                    placed_clusters.append(b)
        routed = self.route(items, flow, back, chains, bundles, index, heights)
        routed += self.route_loops(items, loops, index)
        _spread_labels(routed)
        placed_edges.extend(routed)
        width = max((it.x + it.w / 2 + it.right for it in items), default=0.0)
        height = sum(heights) + V_GAP * max(0, len(heights) - 1)
        return _Placed(width, height, placed_nodes, placed_clusters, placed_edges)

    # 1. cycles
    @staticmethod
    def back_edges(nodes: list[Node], flow: list[Edge], index: dict[str, int]) -> set[int]:
        """Indexes into ``flow`` of the edges that close a cycle (depth-first from the start)."""
        out: dict[int, list[tuple[int, int]]] = {}
        for i, e in enumerate(flow):
            out.setdefault(index[e.source], []).append((i, index[e.target]))
        state = [0] * len(nodes)  # 0 new, 1 on the stack, 2 done
        back: set[int] = set()
        roots = [index[n.id] for n in nodes if n.type == START] + list(range(len(nodes)))
        for root in roots:
            if state[root]:
                continue
            state[root] = 1
            stack = [(root, iter(out.get(root, ())))]
            while stack:
                v, it = stack[-1]
                for ei, w in it:
                    if state[w] == 1:
                        back.add(ei)
                    elif state[w] == 0:
                        state[w] = 1
                        stack.append((w, iter(out.get(w, ()))))
                        break
                else:
                    state[v] = 2
                    stack.pop()
        return back

    # 2. layers
    @staticmethod
    def assign_layers(items: list[_Item], flow: list[Edge], back: set[int], index: dict[str, int]) -> None:
        n = len(items)
        succ: list[list[int]] = [[] for _ in range(n)]
        indeg = [0] * n
        for i, e in enumerate(flow):
            a, b = index[e.source], index[e.target]
            if i in back:
                a, b = b, a
            succ[a].append(b)
            indeg[b] += 1
        ready = [k for k in range(n) if indeg[k] == 0]
        heapq.heapify(ready)
        layer = [0] * n
        while ready:
            v = heapq.heappop(ready)
            for w in succ[v]:
                layer[w] = max(layer[w], layer[v] + 1)
                indeg[w] -= 1
                if indeg[w] == 0:
                    heapq.heappush(ready, w)
        for it in items:
            it.layer = layer[it.key]
        ends = [it for it in items if it.node is not None and it.node.type == END]
        others = [it.layer for it in items if it.node is None or it.node.type != END]
        bottom = max(others, default=-1) + 1
        for it in ends:
            it.layer = max(it.layer, bottom)

    # 3. dummies
    @staticmethod
    def add_dummies(
        items: list[_Item], flow: list[Edge], back: set[int], index: dict[str, int]
    ) -> tuple[list[list[int]], list[int | None]]:
        """For each flow edge, the chain of items it passes through, top to bottom, and its
        bundle. Long forward edges of one kind into one node (every Catch into one handler, the
        terminal states into the end marker) share their dummies: one trunk, each edge joining it
        below its source. Fewer dummies, and a graph that reads "all of these go there"."""
        ends = []
        groups: dict[tuple[int, str], list[int]] = {}
        for i, e in enumerate(flow):
            a, b = index[e.source], index[e.target]
            if i in back:
                a, b = b, a
            ends.append((a, b))
            if i not in back and items[b].layer - items[a].layer > 1:
                groups.setdefault((b, e.kind), []).append(i)
        bundle_of: dict[int, int] = {}
        trunks: dict[int, dict[int, int]] = {}
        for members in groups.values():
            if len(members) < 2:
                continue
            b = ends[members[0]][1]
            top = min(items[ends[i][0]].layer for i in members) + 1
            trunk: dict[int, int] = {}
            for layer in range(top, items[b].layer):
                d = _Item(key=len(items), w=DUMMY_W, h=0.0, layer=layer)
                items.append(d)
                trunk[layer] = d.key
            trunks[members[0]] = trunk
            for i in members:
                bundle_of[i] = members[0]
        chains: list[list[int]] = []
        links: dict[tuple[int, int], None] = {}  # unique (upper, lower) pairs, in order
        for i, (a, b) in enumerate(ends):
            chain = [a]
            shared = trunks.get(bundle_of[i]) if i in bundle_of else None
            for layer in range(items[a].layer + 1, items[b].layer):
                if shared is not None:
                    chain.append(shared[layer])
                    continue
                d = _Item(key=len(items), w=DUMMY_W, h=0.0, layer=layer)
                items.append(d)
                chain.append(d.key)
            chain.append(b)
            for u, v in itertools.pairwise(chain):
                links[(u, v)] = None
            chains.append(chain)
        for u, v in links:
            items[u].down.append(v)
            items[v].up.append(u)
        return chains, [bundle_of.get(i) for i in range(len(ends))]

    # 4. ordering
    def order(self, items: list[_Item], chains: list[list[int]]) -> list[list[int]]:
        depth = max((it.layer for it in items), default=-1) + 1
        layers: list[list[int]] = [[] for _ in range(depth)]
        # initial order: depth-first discovery along the downward edges, in definition order
        seen = [False] * len(items)
        for root in range(len(items)):
            if seen[root] or items[root].up:
                continue
            stack = [root]
            while stack:
                v = stack.pop()
                if seen[v]:
                    continue
                seen[v] = True
                layers[items[v].layer].append(v)
                stack.extend(reversed(items[v].down))
        for v in range(len(items)):  # anything left (only reachable through a cycle of dummies: none)
            if not seen[v]:
                layers[items[v].layer].append(v)
        self.number(items, layers)
        best = [list(layer) for layer in layers]
        best_crossings = self.crossings(items, layers)
        sweeps = SWEEPS if len(items) < 3000 else 2
        for _ in range(sweeps):
            if best_crossings == 0:
                break
            for rng, attr in ((range(1, depth), "up"), (range(depth - 2, -1, -1), "down")):
                for li in rng:
                    layer = layers[li]
                    bary = []
                    for v in layer:
                        nbrs = getattr(items[v], attr)
                        b = sum(items[u].pos for u in nbrs) / len(nbrs) if nbrs else float(items[v].pos)
                        bary.append((b, items[v].pos, v))
                    bary.sort()
                    layers[li] = [v for _, _, v in bary]
                    for p, v in enumerate(layers[li]):
                        items[v].pos = p
                c = self.crossings(items, layers)
                if c < best_crossings:
                    best_crossings, best = c, [list(layer) for layer in layers]
        self.number(items, best)
        return best

    @staticmethod
    def number(items: list[_Item], layers: list[list[int]]) -> None:
        for layer in layers:
            for p, v in enumerate(layer):
                items[v].pos = p

    @staticmethod
    def crossings(items: list[_Item], layers: list[list[int]]) -> int:
        total = 0
        for layer in layers[:-1]:
            pairs = sorted((items[u].pos, items[v].pos) for u in layer for v in items[u].down)
            if len(pairs) < 2:
                continue
            size = max(p for _, p in pairs) + 1
            tree = [0] * (size + 1)  # Fenwick tree over lower positions: count inversions
            for seen, (_, p) in enumerate(pairs):
                i, le = p + 1, 0
                while i > 0:
                    le += tree[i]
                    i -= i & -i
                total += seen - le  # the earlier edges ending right of this one cross it
                i = p + 1
                while i <= size:
                    tree[i] += 1
                    i += i & -i
        return total

    # 5. x positions
    def place_x(self, items: list[_Item], layers: list[list[int]]) -> None:
        for layer in layers:
            x = 0.0
            prev: _Item | None = None
            for v in layer:
                it = items[v]
                x = it.w / 2 if prev is None else x + self.gap(prev, it)
                it.x = x
                prev = it
        for _ in range(POSITION_ROUNDS):
            for attr, rng in (("up", range(1, len(layers))), ("down", range(len(layers) - 2, -1, -1))):
                for li in rng:
                    self.fit(items, layers[li], attr)
        for li in range(len(layers)):  # a last, balanced pass: both neighbours count
            self.fit(items, layers[li], "both")
        left = min((items[v].x - items[v].w / 2 for layer in layers for v in layer), default=0.0)
        for it in items:
            it.x -= left

    def straighten(self, items: list[_Item], layers: list[list[int]], chains: list[list[int]]) -> None:
        """Give the dummies of a long edge one x where their neighbours leave room: a straight
        vertical run instead of a zigzag. Longest edges first."""
        done: set[int] = set()
        for chain in sorted((c for c in chains if len(c) > 2), key=lambda c: (-len(c), c[0])):
            dummies = [d for d in chain[1:-1] if d not in done]  # a bundle's trunk: once
            if not dummies:
                continue
            done.update(dummies)
            xs = sorted(items[d].x for d in dummies)
            for want in (xs[len(xs) // 2], items[chain[-1]].x, items[chain[0]].x):
                if all(self.room(items, layers, d, want) for d in dummies):
                    for d in dummies:
                        items[d].x = want
                    break

    def room(self, items: list[_Item], layers: list[list[int]], d: int, x: float) -> bool:
        it = items[d]
        layer = layers[it.layer]
        if it.pos > 0 and x - items[layer[it.pos - 1]].x < self.gap(items[layer[it.pos - 1]], it):
            return False
        return not (
            it.pos + 1 < len(layer)
            and items[layer[it.pos + 1]].x - x < self.gap(it, items[layer[it.pos + 1]])
        )

    @staticmethod
    def gap(a: _Item, b: _Item) -> float:
        """Minimum distance between the centers of neighbours ``a`` (left) and ``b``."""
        space = DUMMY_GAP if a.node is None or b.node is None else H_GAP
        return a.w / 2 + a.right + space + b.w / 2

    def fit(self, items: list[_Item], layer: list[int], attr: str) -> None:
        """Move the layer's items towards their neighbours' weighted mean x, keeping order and gaps:
        an isotonic regression (pool adjacent violators) on x minus the cumulative gaps."""
        if not layer:
            return
        targets: list[float] = []
        weights: list[float] = []
        offset = 0.0
        offsets: list[float] = []
        for i, v in enumerate(layer):
            it = items[v]
            if i:
                offset += self.gap(items[layer[i - 1]], it)
            offsets.append(offset)
            nbrs = it.up + it.down if attr == "both" else getattr(it, attr)
            if nbrs:
                # weights as in dot (Gansner et al.): long edges (dummy to dummy) pull hardest,
                # so they run straight
                ws = [_pull(items, it, items[u]) for u in nbrs]
                weight = sum(ws)
            if nbrs and weight > 0:
                want = sum(w * items[u].x for w, u in zip(ws, nbrs, strict=True)) / weight
            else:
                want, weight = it.x, 0.5
            targets.append(want - offset)
            weights.append(weight)
        blocks: list[list[float]] = []  # [value, weight, count]
        for t, w in zip(targets, weights, strict=True):
            blocks.append([t, w, 1])
            while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
                v2, w2, c2 = blocks.pop()
                v1, w1, c1 = blocks[-1]
                blocks[-1] = [(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, c1 + c2]
        i = 0
        for value, _, count in blocks:
            for _ in range(int(count)):
                items[layer[i]].x = value + offsets[i]
                i += 1

    # y positions
    @staticmethod
    def place_y(items: list[_Item], layers: list[list[int]]) -> list[float]:
        heights = [max((items[v].h for v in layer), default=0.0) for layer in layers]
        top = 0.0
        tops = []
        for h in heights:
            tops.append(top)
            top += h + V_GAP
        for layer, t, h in zip(layers, tops, heights, strict=True):
            for v in layer:
                items[v].y = t + (h - items[v].h) / 2
        return heights

    # 6. edges
    def route(
        self,
        items: list[_Item],
        flow: list[Edge],
        back: set[int],
        chains: list[list[int]],
        bundles: list[int | None],
        index: dict[str, int],
        heights: list[float],
    ) -> list[dict[str, Any]]:
        tops = []
        top = 0.0
        for h in heights:
            tops.append(top)
            top += h + V_GAP

        def band(layer: int) -> tuple[float, float]:
            return tops[layer], tops[layer] + heights[layer]

        # ports: the ends on each node's bottom and top, spread in the order of where they go;
        # the edges of a bundle share theirs on the target
        def group(ci: int, side: str) -> tuple[str, int]:
            bundle = bundles[ci]
            return ("bundle", bundle) if side == "top" and bundle is not None else ("edge", ci)

        ends: dict[tuple[int, str], dict[tuple[str, int], float]] = {}
        for ci, chain in enumerate(chains):
            ends.setdefault((chain[0], "bottom"), {})[group(ci, "bottom")] = items[chain[1]].x
            ends.setdefault((chain[-1], "top"), {})[group(ci, "top")] = items[chain[-2]].x
        port: dict[tuple[int, str, tuple[str, int]], float] = {}
        for (v, side), found in ends.items():
            ordered = sorted(found.items(), key=lambda kv: (kv[1], kv[0]))
            it = items[v]
            span = it.w * 0.6 if it.node is not None and not it.node.is_marker else 0.0
            for k, (g, _) in enumerate(ordered):
                port[(v, side, g)] = it.x - span / 2 + span * (k + 1) / (len(ordered) + 1)

        out = []
        for ci, (e, chain) in enumerate(zip(flow, chains, strict=True)):
            a, b = items[chain[0]], items[chain[-1]]
            pts: list[list[float]] = []
            x0 = port[(chain[0], "bottom", group(ci, "bottom"))]
            pts.append([x0, a.y + a.h])
            band_bottom = band(a.layer)[1]
            if band_bottom > a.y + a.h + 0.5:
                pts.append([x0, band_bottom])
            for d in chain[1:-1]:
                t, bt = band(items[d].layer)
                pts.append([items[d].x, t])
                pts.append([items[d].x, bt])
            x1 = port[(chain[-1], "top", group(ci, "top"))]
            band_top = band(b.layer)[0]
            if band_top < b.y - 0.5:
                pts.append([x1, band_top])
            pts.append([x1, b.y])
            pts = _simplify(pts)
            is_back = ci in back
            if is_back:
                pts.reverse()
            # the label sits in the first gap between layers the edge crosses, next to its source
            label_pos: list[float] | None = None
            if e.label:
                src = items[index[e.source]]
                gap_y = band(src.layer)[0] - V_GAP / 2 if is_back else band(src.layer)[1] + V_GAP / 2
                label_pos = _point_at_y(pts, gap_y)
            out.append(
                {
                    **e.to_dict(),
                    "_edge": id(e),
                    "back": is_back,
                    "points": pts,
                    "label_text": _label_text(e),
                    "label_pos": label_pos,
                    "label_anchor": "middle",
                }
            )
        return out

    @staticmethod
    def route_loops(
        items: list[_Item], loops: dict[str, list[Edge]], index: dict[str, int]
    ) -> list[dict[str, Any]]:
        out = []
        for node_id, edges in loops.items():
            it = items[index[node_id]]
            right = it.x + it.w / 2
            cy = it.y + (min(it.h, HEADER_H) / 2 if it.node is not None and it.node.compound else it.h / 2)
            for k, e in enumerate(edges):
                reach = right + LOOP_STEP * (k + 1)
                dy = 7.0 + 3.0 * k
                pts = [[right, cy - dy], [reach, cy - dy], [reach, cy + dy], [right, cy + dy]]
                out.append(
                    {
                        **e.to_dict(),
                        "_edge": id(e),
                        "back": False,
                        "points": pts,
                        "label_text": _label_text(e),
                        "label_pos": [right + LOOP_STEP * len(edges) + 4.0, cy + LABEL_H * k],
                        "label_anchor": "start",
                    }
                )
        return out


def _pull(items: list[_Item], a: _Item, b: _Item) -> float:
    """How hard the edge between neighbours ``a`` and ``b`` pulls them into line: as in dot
    (Gansner et al.), long edges (dummy to dummy) pull hardest so that they run straight; an edge
    joining a bundle's trunk that already runs through that dummy does not pull at all (else the
    trunk and the states beside it drag each other sideways, layer after layer)."""
    if a.node is None and b.node is None:
        return 8.0
    if a.node is not None and b.node is not None:
        return 1.0
    real, dummy = (a, b) if b.node is None else (b, a)
    side = dummy.up if real.key in dummy.up else dummy.down
    if any(items[k].node is None for k in side):
        return 0.0
    return 2.0


def _point_at_y(pts: list[list[float]], y: float) -> list[float]:
    """Where the polyline first crosses height ``y`` (its middle point when it does not)."""
    for (x1, y1), (x2, y2) in itertools.pairwise(pts):
        if min(y1, y2) <= y <= max(y1, y2) and y1 != y2:
            t = (y - y1) / (y2 - y1)
            return [x1 + (x2 - x1) * t, y]
    mid = pts[len(pts) // 2]
    return [mid[0], mid[1]]


def _label_text(edge: Edge) -> str | None:
    """The label as drawn: for a Retry loop (little room there) a multiplication sign and its
    MaxAttempts, else the label cut to LABEL_MAX characters."""
    if not edge.label:
        return None
    if edge.kind == "retry":
        attempts = edge.label.rsplit("(max ", 1)[-1].rstrip(")") if "(max " in edge.label else "?"
        return f"\u00d7{attempts}"
    text = edge.label
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "\u2026"


def label_box(edge: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """The box (left, top, width, height) an edge's drawn label takes, or None."""
    if not edge.get("label_text") or edge.get("label_pos") is None:
        return None
    w = text_width(edge["label_text"]) * 10 / 12 + 6
    x, y = edge["label_pos"]
    left = x - w / 2 if edge.get("label_anchor") == "middle" else x - 3
    return left, y - LABEL_H / 2, w, LABEL_H


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    dx = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    dy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


def _spread_labels(edges: list[dict[str, Any]]) -> None:
    """Move a label a line up or down its edge when it would cover one placed before it."""
    grid: dict[int, list[tuple[float, float, float, float]]] = {}  # placed boxes by row

    def cost(box: tuple[float, float, float, float]) -> float:
        row = int(box[1] // 50)
        return sum(_overlap(box, p) for r in (row - 1, row, row + 1) for p in grid.get(r, ()))

    for e in edges:
        box = label_box(e)
        if box is None:
            continue
        if e["label_anchor"] == "middle":
            x0, y0 = e["label_pos"]
            best, best_cost = e["label_pos"], float("inf")
            for dy in (0.0, -LABEL_H, LABEL_H, 2 * LABEL_H):
                e["label_pos"] = _point_at_y(e["points"], y0 + dy) if dy else [x0, y0]
                cand = label_box(e)
                assert cand is not None
                c = cost(cand) + abs(dy) / 100
                if c < best_cost:
                    best, best_cost = e["label_pos"], c
                if c < 1:
                    break
            e["label_pos"] = best
            box = label_box(e)
            assert box is not None
        grid.setdefault(int(box[1] // 50), []).append(box)


def _simplify(pts: list[list[float]]) -> list[list[float]]:
    """The polyline without repeated points and points in the middle of a straight run."""
    out: list[list[float]] = []
    for p in pts:
        if out and abs(p[0] - out[-1][0]) < 0.05 and abs(p[1] - out[-1][1]) < 0.05:
            continue
        if len(out) >= 2:
            (x1, y1), (x2, y2) = out[-2], out[-1]
            if abs((x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1)) < 0.05:
                out[-1] = p
                continue
        out.append(p)
    return out
