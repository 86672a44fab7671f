"""build_graph: every state a node, every transition an edge, nested scopes as clusters."""

from __future__ import annotations

import json

import pytest

from interpreter.graph.model import EDGE_KINDS, build_graph, escape_segment
from interpreter.loading import load_definition

from .helpers import EXAMPLES, TRICKY_NAMES, XSS, example, graph_of, tricky


def _walk(definition, prefix=""):
    """(id, state) of every state in a raw definition, with the ids build_graph gives them."""
    for name, state in definition["States"].items():
        node_id = f"{prefix}/{escape_segment(name)}" if prefix else escape_segment(name)
        yield node_id, state
        for i, branch in enumerate(state.get("Branches", ())):
            yield from _walk(branch, f"{node_id}/{i}")
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor:
            yield from _walk(processor, f"{node_id}/Map")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_state_is_a_node_and_every_transition_an_edge(path):
    # GIVEN an example definition, loaded with the Makefile's substitutions
    graph = example(path)
    raw = json.loads(path.read_text(encoding="utf-8"))
    nodes = {n.id: n for n in graph.nodes}
    edges = {(e.source, e.target, e.kind, e.index) for e in graph.edges}
    # THEN ids are unique, every edge joins two nodes of one scope
    assert len(nodes) == len(graph.nodes)
    for e in graph.edges:
        assert e.kind in EDGE_KINDS
        assert nodes[e.source].cluster == nodes[e.target].cluster
    # AND every state, Next, Choice rule, Default, Catch and Retry is there
    for node_id, state in _walk(raw):
        node = nodes[node_id]
        assert node.type == state["Type"]
        scope = node_id.rsplit("/", 1)[0] + "/" if "/" in node_id else ""
        if "Next" in state:
            assert (node_id, scope + escape_segment(state["Next"]), "next", None) in edges
        for i, rule in enumerate(state.get("Choices", ())):
            assert (node_id, scope + escape_segment(rule["Next"]), "choice", i) in edges
        if "Default" in state:
            assert (node_id, scope + escape_segment(state["Default"]), "default", None) in edges
        for i, catcher in enumerate(state.get("Catch", ())):
            assert (node_id, scope + escape_segment(catcher["Next"]), "catch", i) in edges
        for i, _ in enumerate(state.get("Retry", ())):
            assert (node_id, node_id, "retry", i) in edges
        terminal = state.get("End") or state["Type"] in ("Succeed", "Fail")
        assert node.end == bool(terminal)
        assert ((node_id, scope + "~end", "end", None) in edges) == bool(terminal)
        assert node.compound == (state["Type"] in ("Parallel", "Map"))
    # AND each Parallel branch and Map processor is a cluster of its state
    clusters = {c.id: c for c in graph.clusters}
    for node in graph.nodes:
        if node.cluster is not None:
            assert node.cluster in clusters
    for c in graph.clusters:
        assert nodes[c.state].compound
        assert nodes[c.state].cluster == c.parent
    # AND the graph is plain JSON
    assert json.loads(json.dumps(graph.to_dict())) == graph.to_dict()


def test_markers_and_start_flags():
    graph = graph_of(
        {"StartAt": "B", "States": {"A": {"Type": "Pass", "End": True}, "B": {"Type": "Pass", "Next": "A"}}}
    )
    assert [n.id for n in graph.nodes] == ["~start", "A", "B", "~end"]
    assert [(n.label, n.type) for n in graph.nodes if n.is_marker] == [("Start", "start"), ("End", "end")]
    assert [n.id for n in graph.nodes if n.start] == ["B"]
    assert [(e.source, e.target, e.kind) for e in graph.edges] == [
        ("~start", "B", "start"),
        ("A", "~end", "end"),
        ("B", "A", "next"),
    ]


def test_tricky_names_keep_their_text_and_get_distinct_ids():
    graph = graph_of(tricky())
    by_name = graph.node_ids_by_name()
    for name in TRICKY_NAMES:
        node = next(n for n in graph.nodes if n.name == name)
        assert node.label == name
    assert by_name[XSS] == "<script>alert('x')<~1script>"  # "/" escaped as in a JSON Pointer
    assert by_name["a/b~c & d;%%|`#"] == "a~1b~0c & d;%%|`#"
    assert by_name["~start"] == "~0start"  # a state named like a marker cannot be one
    assert len({n.id for n in graph.nodes}) == len(graph.nodes)


def test_choice_catch_and_retry_edges_are_labelled():
    graph = graph_of(
        {
            "StartAt": "Pick",
            "States": {
                "Pick": {
                    "Type": "Choice",
                    "Choices": [
                        {"Variable": "$.n", "NumericGreaterThanEquals": 10, "Next": "Work"},
                        {"Not": {"Variable": "$.s", "StringMatches": "a*"}, "Next": "Work"},
                        {
                            "Or": [
                                {"Variable": "$.a", "IsPresent": False},
                                {
                                    "And": [
                                        {"Variable": "$.b", "IsNull": True},
                                        {"Variable": "$.c", "BooleanEquals": True},
                                    ]
                                },
                            ],
                            "Next": "Done",
                        },
                        {"Variable": "$.t", "TimestampLessThanPath": "$.limit", "Next": "Done"},
                    ],
                    "Default": "Done",
                },
                "Work": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Worker",
                    "Retry": [
                        {"ErrorEquals": ["Throttled", "Busy"], "MaxAttempts": 5},
                        {"ErrorEquals": ["States.ALL"]},
                    ],
                    "Catch": [
                        {"ErrorEquals": ["Bad.Input"], "Next": "Done"},
                        {"ErrorEquals": ["States.TaskFailed", "States.Timeout"], "Next": "Done"},
                    ],
                    "Next": "Done",
                },
                "Done": {"Type": "Succeed"},
            },
        }
    )
    labels = [(e.kind, e.label) for e in graph.edges if e.source in ("Pick", "Work") and e.kind != "next"]
    assert labels == [
        ("choice", "$.n >= 10"),
        ("choice", 'not ($.s matches "a*")'),
        ("choice", "rule 3"),  # "$.a is absent or ($.b is null and $.c == true)": too long
        ("choice", "$.t < $.limit"),
        ("default", "Default"),
        ("catch", "Bad.Input"),
        ("catch", "States.TaskFailed, States.Timeout"),
        ("retry", "Throttled, Busy (max 5)"),
        ("retry", "States.ALL (max 3)"),
    ]
    retry = [e for e in graph.edges if e.kind == "retry"]
    assert retry[0].source == retry[0].target == "Work"
    assert (retry[0].errors, retry[0].max_attempts) == (("Throttled", "Busy"), 5)
    assert next(n for n in graph.nodes if n.id == "Work").detail == "lambda:Worker"


def test_jsonata_conditions_are_shown_when_short():
    graph = graph_of(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Pick",
            "States": {
                "Pick": {
                    "Type": "Choice",
                    "Choices": [
                        {"Condition": "{% $states.input.n > 1 %}", "Next": "Done"},
                        {
                            "Condition": "{% " + " and ".join(["$states.input.flag"] * 4) + " %}",
                            "Next": "Done",
                        },
                        {"Condition": True, "Next": "Done"},
                    ],
                    "Default": "Done",
                },
                "Done": {"Type": "Succeed"},
            },
        }
    )
    assert [e.label for e in graph.edges if e.kind == "choice"] == ["$states.input.n > 1", "rule 2", "true"]


def test_parallel_in_map_nests_clusters_with_path_ids():
    graph = graph_of(
        {
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "INLINE"},
                        "StartAt": "Both",
                        "States": {
                            "Both": {
                                "Type": "Parallel",
                                "Branches": [
                                    {"StartAt": "L", "States": {"L": {"Type": "Pass", "End": True}}},
                                    {"StartAt": "R", "States": {"R": {"Type": "Pass", "End": True}}},
                                ],
                                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
                                "End": True,
                            }
                        },
                    },
                    "End": True,
                }
            },
        }
    )
    clusters = {c.id: c for c in graph.clusters}
    assert list(clusters) == ["Each/Map", "Each/Map/Both/0", "Each/Map/Both/1"]
    assert clusters["Each/Map"].kind == "processor" and clusters["Each/Map"].parent is None
    assert clusters["Each/Map/Both/1"].state == "Each/Map/Both"
    assert clusters["Each/Map/Both/1"].parent == "Each/Map"
    assert clusters["Each/Map/Both/1"].label == "Branch 2"
    nodes = {n.id: n for n in graph.nodes}
    assert nodes["Each/Map/Both/0/L"].cluster == "Each/Map/Both/0"
    assert nodes["Each/Map/Both"].cluster == "Each/Map" and nodes["Each/Map/Both"].compound
    assert nodes["Each"].detail == "Inline"
    assert ("Each/Map/Both", "Each/Map/Both", "retry") in {(e.source, e.target, e.kind) for e in graph.edges}
    # the ids are the runtime's StateGraph.path
    machine = load_definition(
        {"StartAt": "Each", "States": {"Each": graph_def_map_inner()}},
    )
    inner = machine.find_graph(("Each", "Map"))
    assert inner.path == ("Each", "Map")


def graph_def_map_inner():
    return {
        "Type": "Map",
        "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": True}}},
        "End": True,
    }


def test_build_graph_is_deterministic():
    definition = tricky()
    first = build_graph(load_definition(definition)).to_dict()
    second = build_graph(load_definition(json.loads(json.dumps(definition)))).to_dict()
    assert first == second
