"""What happened to each state of an execution, derived from its history events (pure, linear).

``derive_status(graph, events, running=...)`` reads history events in id order and answers, for
every node of the drawn graph (``interpreter.graph.model``), its status and counts::

    {"Charge": NodeStatus(status="failed", visits=1, attempts=3, retries=2,
                          error="RuntimeError", cause="...", entered_event=5, ...), ...}

Statuses (the colours of the console's graph): ``succeeded``; ``retried`` (succeeded after a
Retry); ``caught`` (failed, and a Catch took the error); ``failed`` (failed and the error left
the state: its execution, branch or iteration failed); ``running`` (entered, not left, and the
execution is running); ``aborted`` (cut short: another branch failed, the execution was
stopped); ``not_reached``. A state that runs many times (in a Map's iterations, in a loop) gets
one status by precedence: running, failed, aborted, caught, retried, succeeded; the counts of each
are in ``NodeStatus.counts``.

How events are tied to states. Every event names the event it follows (``previousEventId``);
within one thread of the execution (a branch, an iteration) the events chain. A *visit* of a state
starts at its ``...StateEntered`` and ends at its ``...StateExited`` (or when it fails for good).
Events in between belong to the visit they follow: task events (``LambdaFunctionFailed`` ...) to
the visit of their Task, ``ParallelState*`` and ``MapState*``/``MapIteration*`` events to the
nearest Parallel or Map visit up the chain. An attempt starts at ``TaskScheduled``,
``LambdaFunctionScheduled``, ``ActivityScheduled``, ``ParallelStateStarted`` or
``MapStateStarted``; a second attempt means a Retry. A failure followed by the state's
``...StateExited`` was caught; a failure that ends its branch, iteration or execution failed the
state. A redrive (``ExecutionRedriven``) re-enters states without re-entering their Parallel or
Map: a visit's parent is found by the graph (the compound state holding the node), reopening the
last visit of that state; failures from before the redrive stop counting (``before_redrive``).

Every event is handled once and each visit is closed once, so the whole is linear in the number
of events. ``StatusTracker`` keeps the derivation open: ``feed`` more events as they are written
(the console does, while an execution runs) and take a ``snapshot`` at any point.

Events are taken in the store's shape (``{"id", "previousEventId", "type", "details"}``) or in
GetExecutionHistory's (details under ``...EventDetails``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..graph.model import Graph

SUCCEEDED = "succeeded"
RETRIED = "retried"
CAUGHT = "caught"
FAILED = "failed"
RUNNING = "running"
ABORTED = "aborted"
NOT_REACHED = "not_reached"
STATUSES = (SUCCEEDED, RETRIED, CAUGHT, FAILED, RUNNING, ABORTED, NOT_REACHED)
# one status for a state visited several times: the first of these that any visit has
PRECEDENCE = (RUNNING, FAILED, ABORTED, CAUGHT, RETRIED, SUCCEEDED)

ATTEMPT_STARTS = frozenset(
    {
        "TaskScheduled",
        "LambdaFunctionScheduled",
        "ActivityScheduled",
        "ParallelStateStarted",
        "MapStateStarted",
    }
)
# failures of the state's own work (a Catch or Retry may still take them)
OWN_FAILURES = frozenset(
    {
        "TaskFailed",
        "TaskTimedOut",
        "TaskStartFailed",
        "TaskSubmitFailed",
        "LambdaFunctionFailed",
        "LambdaFunctionTimedOut",
        "LambdaFunctionStartFailed",
        "LambdaFunctionScheduleFailed",
        "ActivityFailed",
        "ActivityTimedOut",
        "ActivityScheduleFailed",
        "ParallelStateFailed",
        "MapStateFailed",
        "MapRunFailed",
    }
)
_COMPOUND_ENDS = frozenset(
    {"ParallelStateSucceeded", "ParallelStateFailed", "MapStateSucceeded", "MapStateFailed", "MapRunFailed"}
)
_EXECUTION_ENDS = {
    "ExecutionSucceeded": SUCCEEDED,
    "ExecutionFailed": FAILED,
    "ExecutionTimedOut": FAILED,
    "ExecutionAborted": ABORTED,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeStatus:
    """What happened to one node (state or marker) of the graph in an execution."""

    status: str
    visits: int = 0  # times entered (since the last redrive for failed/aborted ones: see counts)
    attempts: int = 0  # attempts started (a Task's scheduled calls, a Map's or Parallel's runs)
    retries: int = 0  # attempts beyond the first of each visit
    counts: Mapping[str, int] = field(default_factory=dict)  # visits by outcome (running included)
    before_redrive: int = 0  # failed or aborted visits from before the last redrive
    error: str | None = None  # the last error seen (caught, retried or not)
    cause: str | None = None
    entered_event: int | None = None  # the visit shown: the last failed one, else the last one
    exited_event: int | None = None
    failed_event: int | None = None  # the event of that visit's error

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "visits": self.visits,
            "attempts": self.attempts,
            "retries": self.retries,
            "counts": dict(self.counts),
            "beforeRedrive": self.before_redrive,
            "error": self.error,
            "cause": self.cause,
            "enteredEvent": self.entered_event,
            "exitedEvent": self.exited_event,
            "failedEvent": self.failed_event,
        }


class _Visit:
    """One visit of a state (or the execution itself, the root: ``node`` None)."""

    __slots__ = (
        "attempts",
        "children",
        "entered",
        "error",
        "exited",
        "failed_event",
        "failure",
        "gen",
        "node",
        "outcome",
        "parent",
    )

    def __init__(self, node: str | None, parent: _Visit | None, entered: int | None) -> None:
        self.node = node
        self.parent = parent
        self.entered = entered
        self.exited: int | None = None
        self.attempts = 0
        self.failure: tuple[str | None, str | None] | None = None  # pending: not retried yet
        self.error: tuple[str | None, str | None] | None = None  # the last error, kept
        self.failed_event: int | None = None
        self.outcome: str | None = None  # None while open
        self.gen = 0  # the redrive generation it was closed in
        self.children: dict[_Visit, None] = {}  # open child visits, in entry order


def _details(event: Mapping[str, Any]) -> dict[str, Any]:
    details = event.get("details")
    if isinstance(details, dict):
        return details
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _known(error: tuple[str | None, str | None] | None) -> bool:
    return error is not None and error != (None, None)


class StatusTracker:
    """Derives node statuses from history events fed in id order (see the module docstring)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.by_name = graph.node_ids_by_name()
        self.node_type = {n.id: n.type for n in graph.nodes}
        clusters = {c.id: c.state for c in graph.clusters}
        # node -> the Parallel / Map node holding it (None at the top level)
        self.holder: dict[str, str | None] = {
            n.id: (clusters.get(n.cluster) if n.cluster is not None else None) for n in graph.nodes
        }
        self.root = _Visit(None, None, 0)
        self.visits: list[_Visit] = []
        self.latest: dict[str, _Visit] = {}  # node -> its last visit
        self._carry: dict[int, _Visit] = {0: self.root}  # event id -> the visit its successors follow
        self._event_visits: dict[int, _Visit] = {}  # event id -> the visit it belongs to
        self.last_id = 0
        self.generation = 0  # redrives seen
        self.started = False
        self.outcome: str | None = None  # the execution's end (None while running)
        self.end_error: tuple[str | None, str | None] | None = None

    # ------------------------------------------------------------ feeding
    def feed(self, events: Iterable[Mapping[str, Any]]) -> StatusTracker:
        """Take more events (in id order; events already seen are skipped)."""
        for event in events:
            event_id = int(event["id"])
            if event_id <= self.last_id:
                continue
            self.last_id = event_id
            self._event(event_id, int(event.get("previousEventId") or 0), str(event["type"]), _details(event))
        return self

    def _event(self, event_id: int, previous: int, kind: str, details: dict[str, Any]) -> None:
        follows = self._carry.get(previous, self.root)
        name = _str(details.get("name"))
        if kind.endswith("StateEntered"):
            visit = self._enter(event_id, self.by_name.get(name) if name else None, follows, kind)
            self._carry[event_id] = visit
        elif kind.endswith("StateExited"):
            node = self.by_name.get(name) if name else None
            visit = self._find(node, follows) if node else follows
            self._close_below(follows, visit, ABORTED, None)
            self._exit(visit, event_id)
            self._carry[event_id] = visit.parent or self.root
        elif kind.startswith("Execution"):
            visit = self.root
            self._execution(event_id, kind, details, follows)
            self._carry[event_id] = self.root
        elif kind.startswith(("ParallelState", "MapState", "MapRun", "MapIteration")):
            visit = self._compound_event(event_id, kind, name, details, follows)
            self._carry[event_id] = visit
        else:  # Task / LambdaFunction / Activity events, and any others: the visit they follow
            visit = follows
            self._work(visit, event_id, kind, details)
            self._carry[event_id] = visit
        self._event_visits[event_id] = visit

    def _enter(self, event_id: int, node: str | None, follows: _Visit, kind: str) -> _Visit:
        parent = self._parent_for(node, follows) if node is not None else follows
        visit = _Visit(node, parent, event_id)
        parent.children[visit] = None
        self.visits.append(visit)
        if node is not None:
            self.latest[node] = visit
        if kind == "FailStateEntered":
            visit.failure = (None, None)  # a Fail state fails; its error comes with the failure event
            visit.failed_event = event_id
        return visit

    def _parent_for(self, node: str, follows: _Visit) -> _Visit:
        """The visit of the compound state holding ``node`` (the root at the top level): up the
        chain of ``follows``, else (after a redrive) that state's last visit, reopened."""
        holder = self.holder.get(node)
        if holder is None:
            return self.root
        visit: _Visit | None = follows
        while visit is not None:
            if visit.node == holder:
                return visit
            visit = visit.parent
        return self._reopen(holder)

    def _reopen(self, node: str) -> _Visit:
        """The last visit of ``node``, open again (a redrive continues it); one stood in when the
        history never entered it."""
        visit = self.latest.get(node)
        if visit is None:
            holder = self.holder.get(node)
            parent = self._reopen(holder) if holder is not None else self.root
            visit = _Visit(node, parent, None)
            parent.children[visit] = None
            self.visits.append(visit)
            self.latest[node] = visit
            return visit
        self._reopen_visit(visit)
        return visit

    def _reopen_visit(self, visit: _Visit) -> None:
        if visit.outcome is None or visit is self.root:
            return
        visit.outcome = None
        visit.failure = None
        parent = visit.parent or self.root
        self._reopen_visit(parent)
        parent.children[visit] = None

    def _find(self, node: str, follows: _Visit) -> _Visit:
        """The open visit of ``node`` up the chain from ``follows``, else its last visit."""
        visit: _Visit | None = follows
        while visit is not None:
            if visit.node == node:
                return visit
            visit = visit.parent
        return self._reopen(node)

    def _nearest(self, node_type: str, follows: _Visit) -> _Visit | None:
        visit: _Visit | None = follows
        while visit is not None and visit.node is not None:
            if self.node_type.get(visit.node) == node_type:
                return visit
            visit = visit.parent
        return None

    # ------------------------------------------------------------ closing
    def _close(self, visit: _Visit, outcome: str, error: tuple[str | None, str | None] | None) -> None:
        """Close ``visit`` with ``outcome`` (what is still open inside it: failed when it has a
        pending failure, else aborted). ``error``: the failure event's, for a visit failing
        without one of its own (a Fail state, a state whose input or output handling failed)."""
        if visit.outcome is not None or visit is self.root:
            return
        for child in list(visit.children):
            self._close(child, FAILED if child.failure is not None else ABORTED, None)
        if outcome == FAILED and _known(error) and not _known(visit.failure):
            visit.failure = error
        if _known(visit.failure):
            visit.error = visit.failure
        visit.outcome = outcome
        visit.gen = self.generation
        parent = visit.parent
        if parent is not None:
            parent.children.pop(visit, None)

    def _close_below(
        self, follows: _Visit, until: _Visit, outcome: str, error: tuple[str | None, str | None] | None
    ) -> None:
        """Close the open visits on the chain from ``follows`` up to ``until`` (not included): the
        ones the event that ends ``until``'s branch, iteration or state came through."""
        visit: _Visit | None = follows
        while visit is not None and visit is not until and visit is not self.root:
            if visit.outcome is None:
                self._close(visit, FAILED if visit.failure is not None else outcome, error)
            visit = visit.parent

    def _exit(self, visit: _Visit, event_id: int) -> None:
        visit.exited = event_id
        if visit.failure is not None:
            outcome = CAUGHT
        elif visit.attempts > 1:
            outcome = RETRIED
        else:
            outcome = SUCCEEDED
        self._close(visit, outcome, None)

    # ------------------------------------------------------------ kinds of events
    def _work(self, visit: _Visit, event_id: int, kind: str, details: dict[str, Any]) -> None:
        if kind in ATTEMPT_STARTS:
            visit.attempts += 1
            visit.failure = None  # a new attempt: the last failure was retried
        elif kind in OWN_FAILURES:
            visit.failure = visit.error = (_str(details.get("error")), _str(details.get("cause")))
            visit.failed_event = event_id

    def _compound_event(
        self, event_id: int, kind: str, name: str | None, details: dict[str, Any], follows: _Visit
    ) -> _Visit:
        node = self.by_name.get(name) if name else None
        if node is not None:
            visit = self._find(node, follows)
        else:
            found = self._nearest("Parallel" if kind.startswith("Parallel") else "Map", follows)
            if found is None:
                return follows
            visit = found
        if kind.startswith("MapIteration"):
            if kind == "MapIterationFailed":
                error = (_str(details.get("error")), _str(details.get("cause")))
                self._close_below(follows, visit, FAILED, error)
            elif kind in ("MapIterationAborted", "MapIterationSucceeded"):
                self._close_below(follows, visit, ABORTED, None)
            return visit
        if kind in ATTEMPT_STARTS:
            self._work(visit, event_id, kind, details)
        elif kind in _COMPOUND_ENDS:
            failed = kind in OWN_FAILURES
            child_error = self._chain_error(follows, visit)
            self._close_below(follows, visit, FAILED if failed else ABORTED, None)
            if failed:
                error = (_str(details.get("error")), _str(details.get("cause")))
                if error == (None, None) and child_error is not None:
                    error = child_error
                visit.failure = visit.error = error
                visit.failed_event = event_id
            for child in list(visit.children):
                self._close(child, FAILED if child.failure is not None else ABORTED, None)
        elif kind.endswith("Aborted"):
            self._close_below(follows, visit, ABORTED, None)
            self._close(visit, ABORTED, None)
        return visit

    def _chain_error(self, follows: _Visit, until: _Visit) -> tuple[str | None, str | None] | None:
        visit: _Visit | None = follows
        while visit is not None and visit is not until:
            if _known(visit.error):
                return visit.error
            visit = visit.parent
        return None

    def _execution(self, event_id: int, kind: str, details: dict[str, Any], follows: _Visit) -> None:
        if kind == "ExecutionStarted":
            self.started = True
            return
        if kind == "ExecutionRedriven":
            self.generation += 1
            self.outcome = None
            self.end_error = None
            return
        outcome = _EXECUTION_ENDS.get(kind)
        if outcome is None:
            return
        error = (_str(details.get("error")), _str(details.get("cause")))
        if kind == "ExecutionTimedOut" and error[0] is None:
            error = ("States.Timeout", error[1])
        self.outcome = outcome
        self.end_error = error if outcome != SUCCEEDED else None
        if outcome == FAILED:
            # the state the failure came from takes its error (a Catch's ResultPath can fail after
            # the task's own error, say); the states it came through failed; whatever else was
            # open was cut short
            if follows.outcome is None and follows is not self.root and _known(error):
                follows.failure = error
            self._close_below(follows, self.root, FAILED, error)
            rest = FAILED if kind == "ExecutionTimedOut" else ABORTED
            for child in list(self.root.children):
                self._close(child, rest, error if rest == FAILED else None)
        else:
            for child in list(self.root.children):
                self._close(child, FAILED if child.failure is not None else outcome, None)

    # ------------------------------------------------------------ reading
    def snapshot(self, *, running: bool) -> dict[str, NodeStatus]:
        """Every node's status now; ``running``: whether the execution is still running (open
        visits are ``running`` then, ``aborted`` otherwise)."""
        acc: dict[str, _Acc] = {}
        for visit in self.visits:
            if visit.node is None:
                continue
            entry = acc.get(visit.node)
            if entry is None:
                entry = acc[visit.node] = _Acc()
            entry.add(visit, self.generation, running)
        out: dict[str, NodeStatus] = {}
        for node in self.graph.nodes:
            if node.is_marker:
                status = self._marker(node.id, node.type, node.cluster, acc)
                if status is not None:
                    out[node.id] = NodeStatus(status=status)
                continue
            entry = acc.get(node.id)
            out[node.id] = entry.result() if entry is not None else NodeStatus(status=NOT_REACHED)
        return out

    def _marker(self, node_id: str, node_type: str, cluster: str | None, acc: dict[str, _Acc]) -> str | None:
        if cluster is not None:
            return None
        if node_type == "start":
            return SUCCEEDED if self.started else NOT_REACHED
        return self.outcome if self.outcome is not None else NOT_REACHED

    def node_of_event(self, event_id: int) -> str | None:
        """The node an event belongs to (None: the execution's own events, unknown events)."""
        visit = self._event_visits.get(event_id)
        return visit.node if visit is not None else None

    def same_visit(self, event_id: int, entered_event: int) -> bool:
        """Whether the event belongs to the visit that began at ``entered_event``."""
        visit = self._event_visits.get(event_id)
        return visit is not None and visit is self._event_visits.get(entered_event)


class _Acc:
    """Adds up a node's visits (failed or aborted ones from before the last redrive apart)."""

    __slots__ = (
        "attempts",
        "counts",
        "error",
        "old",
        "old_shown",
        "retries",
        "shown",
        "shown_failed",
        "visits",
    )

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.old: dict[str, int] = {}  # outcomes from before the last redrive
        self.visits = 0
        self.attempts = 0
        self.retries = 0
        self.error: tuple[str | None, str | None] | None = None
        self.shown: _Visit | None = None
        self.shown_failed: _Visit | None = None
        self.old_shown: _Visit | None = None

    def add(self, visit: _Visit, generation: int, running: bool) -> None:
        outcome = visit.outcome
        if outcome is None:
            outcome = RUNNING if running else ABORTED
        elif outcome in (FAILED, ABORTED) and visit.gen < generation:
            self.old[outcome] = self.old.get(outcome, 0) + 1
            self.old_shown = visit
            return
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        self.visits += 1
        self.attempts += visit.attempts
        self.retries += max(0, visit.attempts - 1)
        if visit.error is not None:
            self.error = visit.error
        self.shown = visit
        if outcome == FAILED:
            self.shown_failed = visit

    def result(self) -> NodeStatus:
        shown = self.shown_failed or self.shown
        status = next((s for s in PRECEDENCE if self.counts.get(s)), None)
        if status is None:  # only visits from before a redrive that has not come back to it (yet)
            status = next((s for s in PRECEDENCE if self.old.get(s)), NOT_REACHED)
            shown = self.old_shown
            self.error = shown.error if shown is not None else None
        error, cause = self.error or (None, None)
        return NodeStatus(
            status=status,
            visits=self.visits,
            attempts=self.attempts,
            retries=self.retries,
            counts=self.counts,
            before_redrive=sum(self.old.values()),
            error=error,
            cause=cause,
            entered_event=shown.entered if shown else None,
            exited_event=shown.exited if shown else None,
            failed_event=shown.failed_event if shown else None,
        )


def derive_status(
    graph: Graph, events: Iterable[Mapping[str, Any]], *, running: bool
) -> dict[str, NodeStatus]:
    """Every node's status after ``events`` (see the module docstring)."""
    return StatusTracker(graph).feed(events).snapshot(running=running)


def status_map(statuses: Mapping[str, NodeStatus]) -> dict[str, str]:
    """``{node id: status}``, what ``graph.svg.render_svg(status=...)`` takes."""
    return {node: entry.status for node, entry in statuses.items()}
