"""Choice: pick the next state by the first rule that matches, else Default."""

from __future__ import annotations

from typing import Any

from ...errors import EvaluationError, Failure, StatesErrorName
from ...expr.jsonata import expect_type
from ...model import JSONATA
from ..context import ThreadScope
from ..core import Step
from ..dataflow import assign_jsonpath, select
from ..jsonata_flow import evaluate, exit_event, fail, leave, states_of
from ..record import Thread


def enter(step: Step, th: Thread, st: Any) -> bool:
    raw = th.input
    th.entered_id = step.emit(th, "ChoiceStateEntered", {"name": st.name, "input": raw})
    th.entered_time = step.now
    if st.query_language == JSONATA:
        return _enter_jsonata(step, th, st)
    scope = ThreadScope(step, th)
    try:
        data = select(st.input_path, raw, scope)
        target = st.default
        matched = None
        for rule in st.choices:
            if rule.test(data, scope):
                target = rule.next
                matched = rule
                break
        if target is None:
            # ASL spec: "The interpreter will throw a runtime States.NoChoiceMatched error if a
            # Choice State fails to match a Choice Rule and no Default transition was specified."
            return step.fail_state(th, st, Failure(StatesErrorName.NO_CHOICE_MATCHED.value, None))
        output = select(st.output_path, data, scope)
        assigned = assign_jsonpath(st.assign, data, scope)
        if matched is not None and matched.assign is not None:
            assigned = {**(assigned or {}), **assign_jsonpath(matched.assign, data, scope)}
    except EvaluationError as err:
        return step.fail_state(th, st, step.runtime_failure(th, st, err))
    exit_event(step, th, st, output, assigned)
    return step.goto(th, target, output)


def _enter_jsonata(step: Step, th: Thread, st: Any) -> bool:
    states = states_of(step, th)
    try:
        target = st.default
        matched = None
        for rule in st.choices:
            condition = rule.condition
            if condition is True or (
                condition is not None
                and condition is not False
                and expect_type(
                    evaluate(step, th, condition, states), "boolean", _source(condition), "Condition"
                )
            ):
                target, matched = rule.next, rule
                break
        if target is None:
            return step.fail_state(th, st, Failure(StatesErrorName.NO_CHOICE_MATCHED.value, None))
        output, assigned = leave(step, th, st.output, st.assign, states, th.input)
        if matched is not None and (matched.output is not None or matched.assign is not None):
            output, rule_assigned = leave(step, th, matched.output, matched.assign, states, output)
            if rule_assigned is not None:
                assigned = {**(assigned or {}), **rule_assigned}
    except EvaluationError as err:
        return fail(step, th, st, err)
    exit_event(step, th, st, output, assigned)
    return step.goto(th, target, output)


def _source(template: Any) -> str:
    expressions = getattr(template, "expressions", ())
    return expressions[0][1].source if expressions else ""
