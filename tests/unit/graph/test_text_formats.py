"""render_mermaid and render_dot: structure and escaping."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from interpreter.graph.dot import dot_label, render_dot
from interpreter.graph.mermaid import mermaid_ids, mermaid_label, render_mermaid

from .helpers import EXAMPLES, ROOT, example, graph_of, tricky

SIMPLE = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Work"}],
            "Default": "Nope",
        },
        "Work": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "f"},
            "Retry": [{"ErrorEquals": ["A", "B", "C"], "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Nope"}],
            "End": True,
        },
        "Nope": {"Type": "Fail"},
    },
}

_QUOTED = re.compile(r'"[^"]*"')


def test_mermaid_golden():
    text = render_mermaid(graph_of(SIMPLE))
    assert text.splitlines()[:12] == [
        "flowchart TD",
        '    s__start(("Start"))',
        '    s_Check{{"Check"}}',
        '    s_Work("Work")',
        '    s_Nope(["Nope"])',
        '    s__end(("End"))',
        "    s__start --> s_Check",
        '    s_Check -->|"$.ok == true"| s_Work',
        '    s_Check -.->|"Default"| s_Nope',
        '    s_Work -.->|"catch States.ALL"| s_Nope',
        '    s_Work -.->|"retry A, B +1 more (max 2)"| s_Work',
        "    s_Work --> s__end",
    ]
    assert "    classDef ty_task fill:#dbeafe,stroke:#2563eb" in text
    assert "    class s_Work ty_task" in text
    assert "    linkStyle 3 stroke:#dc2626" in text


def test_mermaid_labels_and_ids_are_safe():
    assert mermaid_label('a "b" <i>&#;|`%\\') == '"a #34;b#34; #60;i#62;#38;#35;#59;#124;#96;#37;#92;"'
    assert mermaid_label("Ünïcödé 状态") == '"Ünïcödé 状态"'
    graph = graph_of(tricky())
    ids = mermaid_ids(graph)
    assert len(set(ids.values())) == len(ids)
    assert all(re.fullmatch(r"s_[A-Za-z0-9_]+", v) for v in ids.values())
    text = render_mermaid(graph)
    without_labels = _QUOTED.sub('""', text)
    # outside the quotes only ids and syntax (no name text); inside, no <, >, &, |, backtick
    assert without_labels.isascii()
    assert "<" not in without_labels.replace("<-", "") and "'" not in without_labels
    for label in _QUOTED.findall(text):
        assert not set(label[1:-1]) & set("<>&|`%\\")
    # a subgraph for the Parallel, each branch, the Map and its processor
    assert len(re.findall(r"^\s*subgraph ", text, re.M)) == 5
    assert text.count("subgraph") == len(re.findall(r"^\s*end$", text, re.M))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_mermaid_of_examples(path):
    graph = example(path)
    text = render_mermaid(graph)
    assert text.startswith("flowchart TD\n")
    states = [n for n in graph.nodes if not n.is_marker]
    for n in states:  # a Parallel / Map is a subgraph titled with its name and type
        assert mermaid_label(n.label if not n.compound else f"{n.label} ({n.type})") in text
    assert len(re.findall(r"^\s*subgraph ", text, re.M)) == len(graph.clusters) + sum(
        n.compound for n in states
    )


def test_dot_golden_and_escaping():
    text = render_dot(graph_of(SIMPLE), name='my "machine"')
    assert text.startswith('digraph "my \\"machine\\"" {\n')
    assert '"Work" -> "Nope" [color="#dc2626", style=dashed, label="catch States.ALL"' in text
    assert '"Work" -> "Work" [color="#a16207", label="A, B +1 more (max 2)"' in text
    assert dot_label('a "b" \\n & <i>') == '"a \\"b\\" \\\\n &amp; <i>"'
    assert text.count("{") == text.count("}")


def test_dot_clusters_and_compound_edges():
    text = render_dot(graph_of(tricky()))
    assert text.count("subgraph ") == 5
    assert '"cluster_Par ]] }}"' in text and '"cluster_Par ]] }}/0"' in text
    assert 'lhead="cluster_Par ]] }}"' in text  # the edge into the Parallel ends at its box
    assert 'ltail="cluster_Par ]] }}"' in text
    assert "<script>alert('x')<~1script>" in text  # quoted, as text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_graphviz_reads_the_dot(path):
    result = subprocess.run(["dot", "-Tsvg"], input=render_dot(example(path)), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr and "Error" not in result.stderr


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_draws_tricky_names_as_text():
    result = subprocess.run(
        ["dot", "-Tsvg"], input=render_dot(graph_of(tricky())), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "<script" not in result.stdout
    assert "&lt;script&gt;" in result.stdout


def test_the_etl_example_in_docs_graph_md_is_current():
    doc = (ROOT / "docs" / "graph.md").read_text(encoding="utf-8")
    block = doc.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block == render_mermaid(example(ROOT / "statemachine" / "etl_pipeline.asl.json"))
