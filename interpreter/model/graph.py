"""A graph of states: the whole state machine, a Parallel branch or a Map processor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .states import JSONPATH, State


@dataclass(frozen=True, slots=True, kw_only=True)
class StateGraph:
    start_at: str
    states: dict[str, State]  # never mutated after build
    pointer: str = ""
    path: tuple[Any, ...] = ()  # where the graph sits, e.g. ("Par", 0) or ("Map",); () is the root
    query_language: str = JSONPATH

    @property
    def start_state(self) -> State:
        return self.states[self.start_at]


@dataclass(frozen=True, slots=True, kw_only=True)
class StateMachine:
    """A loaded, validated, compiled state machine."""

    graph: StateGraph
    definition: Any  # the definition as parsed JSON (after substitutions)
    comment: str | None = None
    timeout_seconds: int | None = None
    version: str | None = None
    query_language: str = JSONPATH
    # Problems that do not stop the machine from loading (``errors.Problem``, severity WARNING):
    # AWS's diagnostics (NO_DOLLAR, ...) and stepfn's UNASSIGNED_VARIABLE, sorted by pointer.
    warnings: tuple[Any, ...] = field(default=(), compare=False)

    @property
    def start_at(self) -> str:
        return self.graph.start_at

    @property
    def states(self) -> dict[str, State]:
        return self.graph.states

    def find_graph(self, path: tuple[Any, ...]) -> StateGraph:
        """The graph at ``path`` (see ``StateGraph.path``); used to resume stored executions."""
        graph = self.graph
        for i in range(0, len(path), 2):
            state = graph.states[path[i]]
            branch = path[i + 1]
            graph = state.processor if branch == "Map" else state.branches[branch]  # type: ignore[attr-defined]
        return graph
