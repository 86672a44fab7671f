"""layout(): JSON coordinates in which nothing overlaps and everything is on the canvas."""

from __future__ import annotations

import json

import pytest

from interpreter.graph.layout import label_box, layout

from .helpers import EXAMPLES, chain, example, graph_of, tricky, wide_parallel


def _ancestors(graph):
    """node id → the ids of the compound nodes around it."""
    owner = {c.id: c.state for c in graph.clusters}
    node_cluster = {n.id: n.cluster for n in graph.nodes}
    out = {}
    for n in graph.nodes:
        found, cluster = set(), n.cluster
        while cluster is not None:
            found.add(owner[cluster])
            cluster = node_cluster[owner[cluster]]
        out[n.id] = found
    return out


def _inside(inner, outer, slack=0.01):
    return (
        inner["x"] >= outer["x"] - slack
        and inner["y"] >= outer["y"] - slack
        and inner["x"] + inner["w"] <= outer["x"] + outer["w"] + slack
        and inner["y"] + inner["h"] <= outer["y"] + outer["h"] + slack
    )


def _overlap(a, b):
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


def check_layout(graph):
    laid = layout(graph)
    canvas = {"x": 0, "y": 0, "w": laid["width"], "h": laid["height"]}
    nodes = {n["id"]: n for n in laid["nodes"]}
    assert [n["id"] for n in laid["nodes"]] == [n.id for n in graph.nodes]
    assert [(e["from"], e["to"], e["kind"]) for e in laid["edges"]] == [
        (e.source, e.target, e.kind) for e in graph.edges
    ]
    # everything on the canvas
    for item in laid["nodes"] + laid["clusters"]:
        assert item["w"] > 0 and item["h"] > 0
        assert _inside(item, canvas), item["id"]
    for e in laid["edges"]:
        assert len(e["points"]) >= 2
        for x, y in e["points"]:
            assert 0 <= x <= laid["width"] and 0 <= y <= laid["height"]
    # no two nodes overlap, unless one is the Parallel / Map box around the other
    ancestors = _ancestors(graph)
    items = list(nodes.values())
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if a["id"] in ancestors[b["id"]] or b["id"] in ancestors[a["id"]]:
                assert _inside(b, a) or _inside(a, b)
            else:
                assert not _overlap(a, b), (a["id"], b["id"])
    # clusters sit in their state's box and hold their nodes
    clusters = {c["id"]: c for c in laid["clusters"]}
    for c in laid["clusters"]:
        assert _inside(c, nodes[c["state"]])
    for n in laid["nodes"]:
        if n["cluster"] is not None:
            assert _inside(n, clusters[n["cluster"]]), n["id"]
    # edges start at their source and end at their target (on the box's border)
    for e in laid["edges"]:
        (x0, y0), (x1, y1) = e["points"][0], e["points"][-1]
        src, dst = nodes[e["from"]], nodes[e["to"]]
        assert _inside({"x": x0, "y": y0, "w": 0, "h": 0}, src, slack=0.2)
        assert _inside({"x": x1, "y": y1, "w": 0, "h": 0}, dst, slack=0.2)
    # plain JSON
    assert json.loads(json.dumps(laid)) == laid
    return laid


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_lay_out_cleanly(path):
    check_layout(example(path))


def test_tricky_names_lay_out_cleanly():
    check_layout(graph_of(tricky()))


def test_layout_is_deterministic():
    graph = example(EXAMPLES[0])
    assert json.dumps(layout(graph)) == json.dumps(layout(graph))


def test_flow_goes_down_and_loops_are_back_edges():
    # GIVEN a polling loop: Check -> Wait -> Check
    graph = graph_of(
        {
            "StartAt": "Check",
            "States": {
                "Check": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.done", "BooleanEquals": True, "Next": "Done"}],
                    "Default": "Wait",
                },
                "Wait": {"Type": "Wait", "Seconds": 5, "Next": "Check"},
                "Done": {"Type": "Succeed"},
            },
        }
    )
    laid = check_layout(graph)
    nodes = {n["id"]: n for n in laid["nodes"]}
    assert nodes["~start"]["y"] < nodes["Check"]["y"] < nodes["Wait"]["y"]
    assert nodes["~end"]["y"] > max(n["y"] for n in laid["nodes"] if n["id"] != "~end")
    back = [e for e in laid["edges"] if e["back"]]
    assert [(e["from"], e["to"]) for e in back] == [("Wait", "Check")]
    # drawn upwards: from the top of Wait to the bottom of Check
    assert back[0]["points"][0][1] == nodes["Wait"]["y"]
    assert back[0]["points"][-1][1] == nodes["Check"]["y"] + nodes["Check"]["h"]


def test_labels_have_positions_and_do_not_cover_each_other():
    laid = check_layout(example(EXAMPLES[0]))
    boxes = [label_box(e) for e in laid["edges"] if e["label"]]
    assert all(b is not None for b in boxes)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _overlap(dict(zip("xywh", a, strict=True)), dict(zip("xywh", b, strict=True)))
    retry = next(e for e in laid["edges"] if e["kind"] == "retry")
    assert retry["label_text"] == "\u00d73" and retry["label_anchor"] == "start"
    assert retry["points"][0][0] == retry["points"][-1][0]  # a loop on the node's right side


def test_a_500_state_chain_is_one_column():
    laid = check_layout(graph_of(chain(500)))
    xs = {round(n["x"] + n["w"] / 2, 1) for n in laid["nodes"]}
    assert len(xs) == 1


def test_catches_into_one_handler_share_one_trunk():
    # GIVEN 60 Tasks, each catching into one handler
    laid = check_layout(graph_of(chain(60, catch=True)))
    catches = [e for e in laid["edges"] if e["kind"] == "catch"]
    # THEN the long ones run down one shared line: the canvas stays narrow
    assert laid["width"] < 600
    bottoms = {tuple(e["points"][-1]) for e in catches[:-1]}
    assert len(bottoms) == 1  # one arrow into the handler


def test_a_100_branch_parallel_lays_out():
    laid = check_layout(graph_of(wide_parallel(100)))
    assert len(laid["clusters"]) == 100
    tops = {c["y"] for c in laid["clusters"]}
    assert len(tops) == 1  # side by side
