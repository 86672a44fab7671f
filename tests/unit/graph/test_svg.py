"""render_svg: a well-formed, self-contained SVG in which names stay text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from interpreter.graph.layout import layout
from interpreter.graph.model import Graph, Node
from interpreter.graph.svg import render_svg

from .helpers import EXAMPLES, TRICKY_NAMES, XSS, example, graph_of, tricky

SVG = "{http://www.w3.org/2000/svg}"


def parse(text):
    return ET.fromstring(text)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_render_well_formed_svg(path):
    graph = example(path)
    root = parse(render_svg(graph, title=path.name))
    assert root.tag == f"{SVG}svg"
    ids = [g.get("data-id") for g in root.iter(f"{SVG}g") if "node" in (g.get("class") or "").split()]
    assert sorted(ids) == sorted(n.id for n in graph.nodes if not n.is_marker)
    # nothing fetched from elsewhere
    text = render_svg(graph)
    assert "href" not in text and "@import" not in text and "<script" not in text


def test_tricky_names_stay_text():
    graph = graph_of(tricky())
    text = render_svg(graph)
    root = parse(text)
    assert "<script" not in text and "</svg>" not in text[:-8]
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
    titles = " ".join(t.text or "" for t in root.iter(f"{SVG}title"))
    for name in TRICKY_NAMES:
        assert name in titles  # the full names, as text, in the tooltips
    data_ids = {g.get("data-id") for g in root.iter(f"{SVG}g") if g.get("data-id")}
    assert "<script>alert('x')<~1script>" in data_ids
    assert XSS in {t.text for t in root.iter(f"{SVG}text")}


def test_nodes_are_inside_the_canvas():
    graph = graph_of(tricky())
    root = parse(render_svg(graph))
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    for g in root.iter(f"{SVG}g"):
        if "node" not in (g.get("class") or "").split():
            continue
        rect = g.find(f"{SVG}rect")
        shape = rect if rect is not None else g.find(f"{SVG}path")
        assert shape is not None
        if shape.tag == f"{SVG}rect":
            x, y = float(shape.get("x")), float(shape.get("y"))
            assert x >= 0 and x + float(shape.get("width")) <= width
            assert y >= 0 and y + float(shape.get("height")) <= height


def test_status_colours_nodes():
    graph = example(EXAMPLES[0])
    status = {"Extract": "retried", "Transform": "failed", "NotifyFailure": "caught", "Load": "not_reached"}
    root = parse(render_svg(graph, status=status))
    classes = {g.get("data-id"): g.get("class") for g in root.iter(f"{SVG}g") if g.get("data-id")}
    assert "status-failed" in classes["Transform"].split()
    assert "status-retried" in classes["Extract"].split()
    assert "status-not_reached" in classes["Load"].split()
    assert "type-task" in classes["Load"].split()
    assert not any(c.startswith("status-") for c in classes["Summarise"].split())
    # an unknown status is only a class: no markup from it
    text = render_svg(graph, status={"Load": '"><script>'})
    parse(text)
    assert "<script" not in text


def test_a_laid_out_graph_is_reused_and_characters_xml_cannot_carry_are_replaced():
    graph = Graph(
        nodes=(Node(id="a\x01", label="bad \x01 \ud800 char", type="Pass"),),
        clusters=(),
        edges=(),
    )
    laid = layout(graph)
    text = render_svg(graph, laid_out=laid)
    root = parse(text)
    assert "\ufffd" in "".join(t.text or "" for t in root.iter(f"{SVG}text"))
