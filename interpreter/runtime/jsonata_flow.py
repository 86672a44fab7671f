"""JSONata data flow and workflow variables (``Assign``) for the state runtime.

AWS docs "Transforming data with JSONata in Step Functions": a JSONata state sees ``$states``
= ``{"input", "context", "result"?, "errorOutput"?}``; ``Arguments`` builds the task/branch input;
``Output`` (default: the result for Task/Parallel/Map, the input otherwise) and ``Assign`` are
evaluated with the same ``$states`` and the variables from *before* the state ("Passing data
between states with variables": all assignments of a state see the old values; new values are
visible from the next state on).

Variables are copy-on-write: a thread's ``variables`` dict is never mutated, an assignment
replaces it with a new dict. A Parallel branch / Map iteration starts with its parent's dict, so
it reads outer variables and its own assignments never leak out.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..errors import EvaluationError, StatesErrorName
from .context import build_context
from .variable_limits import check_assignment

if TYPE_CHECKING:
    from .core import Step
    from .record import Thread

EMPTY: Any = MappingProxyType({})
QUERY_EVALUATION_ERROR = StatesErrorName.QUERY_EVALUATION_ERROR.value


def states_of(step: Step, th: Thread, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """``$states`` for a state's expressions: the raw state input and the context object."""
    return {"input": th.input, "context": build_context(step, th, extra)}


def evaluate(step: Step, th: Thread, template: Any, states: Any) -> Any:
    """Evaluate a compiled JSONata template (or return a literal as it is)."""
    if not hasattr(template, "evaluate"):
        return template
    return template.evaluate(states, th.variables or EMPTY, step.rng())


def leave(
    step: Step, th: Thread, output_tpl: Any, assign_tpl: Any, states: Any, default: Any
) -> tuple[Any, Any]:
    """(output, assignments) of a JSONata state; both see the variables from before the state.

    Raises ``EvaluationError``: States.QueryEvaluationError from an expression, or
    States.DataLimitExceeded when the assignments break a variable size limit."""
    variables = th.variables or EMPTY
    rng = step.rng() if output_tpl is not None or assign_tpl is not None else None
    output = default if output_tpl is None else output_tpl.evaluate(states, variables, rng)
    assigned = None if assign_tpl is None else assign_tpl.evaluate(states, variables, rng)
    if assigned:
        check_assignment(assigned, th.variables, th.state.name)
    return output, assigned


def commit(th: Thread, assigned: Any, details: dict[str, Any]) -> dict[str, Any]:
    """Make ``assigned`` visible from the next state on; note it in the StateExited details."""
    if assigned:
        current = th.variables
        th.variables = {**current, **assigned} if current else dict(assigned)
        details["assignedVariables"] = assigned
    elif assigned is not None:
        details["assignedVariables"] = {}
    return details


def exit_event(step: Step, th: Thread, st: Any, output: Any, assigned: Any) -> None:
    details: dict[str, Any] = {"name": st.name, "output": output}
    if assigned is not None:
        commit(th, assigned, details)
    step.emit(th, st.type_name + "StateExited", details)


def fail(step: Step, th: Thread, st: Any, err: EvaluationError, *, evaluation: bool = True) -> bool:
    """A JSONata state failed to evaluate: record EvaluationFailed, then Retry/Catch.

    Recorded AWS runs: an expression failure records ``EvaluationFailed`` whose previousEventId is
    that of the StateEntered event (test_undefined_reference_BASE_UNDEFINED_OUTPUT_MULTIPLE_STATES:
    entered #6 prev 5, EvaluationFailed prev 5); a Wait Timestamp that does not parse chains it to
    the StateEntered event itself (test_wait_timestamp_jsonata_INVALID_DATE).
    """
    failure = step.runtime_failure(th, st, err)
    record_evaluation_failed(step, th, st, failure, evaluation=evaluation)
    return step.fail_state(th, st, failure)


def record_evaluation_failed(
    step: Step, th: Thread, st: Any, failure: Any, *, evaluation: bool = True
) -> None:
    if failure.error != QUERY_EVALUATION_ERROR or th.quiet:
        return
    if evaluation and th.entered_id:
        record = step.record
        position = th.entered_id - 1 - record.event_offset
        entered = record.events[position] if 0 <= position < len(record.events) else None
        if entered is not None and entered.id == th.entered_id:
            th.last_id = entered.previous_event_id
        elif th.entered_prev is not None:  # the entered event was stored by an earlier commit
            th.last_id = th.entered_prev
    details: dict[str, Any] = {"error": failure.error}
    if failure.cause is not None:
        details["cause"] = failure.cause
    details["state"] = st.name
    step.emit(th, "EvaluationFailed", details)
