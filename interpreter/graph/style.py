"""Colours shared by the renderers: by state type, by execution status, by edge kind."""

from __future__ import annotations

import re

from .model import Edge

# (fill, stroke) by state type; the markers are dark pills / dots
TYPE_COLOURS: dict[str, tuple[str, str]] = {
    "Task": ("#dbeafe", "#2563eb"),
    "Pass": ("#f1f5f9", "#64748b"),
    "Choice": ("#fef3c7", "#d97706"),
    "Wait": ("#ede9fe", "#7c3aed"),
    "Succeed": ("#dcfce7", "#16a34a"),
    "Fail": ("#fee2e2", "#dc2626"),
    "Parallel": ("#f0fdfa", "#0f766e"),
    "Map": ("#ecfeff", "#0e7490"),
    "start": ("#334155", "#334155"),
    "end": ("#334155", "#334155"),
}
DEFAULT_COLOURS = ("#f8fafc", "#64748b")

# (fill, stroke) by what happened to the state in an execution (the console's status map)
STATUSES = ("succeeded", "failed", "caught", "retried", "running", "not_reached")
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "succeeded": ("#bbf7d0", "#15803d"),
    "failed": ("#fecaca", "#b91c1c"),
    "caught": ("#fed7aa", "#c2410c"),
    "retried": ("#fef08a", "#a16207"),
    "running": ("#bfdbfe", "#1d4ed8"),
    "not_reached": ("#f8fafc", "#cbd5e1"),
}

EDGE_COLOURS: dict[str, str] = {
    "start": "#475569",
    "next": "#475569",
    "choice": "#b45309",
    "default": "#b45309",
    "catch": "#dc2626",
    "retry": "#a16207",
    "end": "#475569",
}
DASHED_EDGES = frozenset({"default", "catch"})

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def colours(node_type: str, status: str | None = None) -> tuple[str, str]:
    """(fill, stroke) for a node: its status's colours when it has one, else its type's."""
    if status in STATUS_COLOURS:
        return STATUS_COLOURS[status]
    return TYPE_COLOURS.get(node_type, DEFAULT_COLOURS)


def printable(text: str) -> str:
    """``text`` with characters XML 1.0 (and most tools) cannot carry replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def edge_text(edge: Edge, keep: int = 2) -> str:
    """A compact label for text formats: a Catch or Retry with more than ``keep`` errors names
    the first ones and how many more (``A, B +2 more (max 3)``); other labels as they are."""
    if edge.kind not in ("catch", "retry") or len(edge.errors) <= keep:
        return edge.label or ""
    errors = ", ".join(edge.errors[:keep]) + f" +{len(edge.errors) - keep} more"
    if edge.kind == "retry":
        return f"{errors} (max {'?' if edge.max_attempts is None else edge.max_attempts})"
    return errors
