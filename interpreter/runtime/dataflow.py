"""JSONPath input and output processing (ASL spec "Input and Output Processing").

InputPath → Parameters → (work) → ResultSelector → ResultPath → OutputPath. A path field that is
absent means ``$`` (the value passes through); one set to null (``NULL``) means ``{}`` for
InputPath/OutputPath and "discard the result, keep the input" for ResultPath.
"""

from __future__ import annotations

from typing import Any

from ..model import NULL
from .variable_limits import check_assignment


def select(path: Any, data: Any, scope: Any) -> Any:
    """Apply an InputPath or OutputPath."""
    if path is None:
        return data
    if path is NULL:
        return {}
    return path.evaluate(data, scope)


def apply_result_path(result_path: Any, raw_input: Any, result: Any) -> Any:
    """Place ``result`` into the state's raw input as ResultPath says."""
    if result_path is None:
        return result
    if result_path is NULL:
        return raw_input
    return result_path.assign(raw_input, result)


def assign_jsonpath(template: Any, data: Any, scope: Any) -> Any:
    """Evaluate a JSONPath ``Assign`` payload template against ``data`` (None when absent).

    Raises ``EvaluationError(States.DataLimitExceeded)`` when the values break a variable size
    limit (``variable_limits``); ``scope`` is the assigning thread's ``ThreadScope``."""
    if template is None:
        return None
    assigned = template.evaluate(data, scope)
    thread = getattr(scope, "thread", None)
    if assigned and thread is not None:
        check_assignment(assigned, thread.variables, thread.state.name)
    return assigned


def shape_result(state: Any, raw_input: Any, result: Any, scope: Any) -> tuple[Any, Any]:
    """(output, assigned) of a state that produced ``result``: ResultSelector → ResultPath →
    OutputPath, and the JSONPath ``Assign`` (None when absent), whose ``$`` is the result after
    ResultSelector (AWS docs "Passing data between states with variables")."""
    selector = state.result_selector
    if selector is not None:
        result = selector.evaluate(result, scope)
    output = select(state.output_path, apply_result_path(state.result_path, raw_input, result), scope)
    return output, assign_jsonpath(state.assign, result, scope)
