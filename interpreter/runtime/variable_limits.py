"""Size limits on workflow variables, checked when a state's ``Assign`` is evaluated.

AWS docs, "Passing data between states with variables", section "Limits": "The maximum size of a
single variable is 256Kib, for both Standard and Express workflows. The maximum combined size for
all variables in a single Assign field is also 256Kib. ... The total size of all stored variables
cannot exceed 10MiB per execution." Sizes are counted as for payloads: the value as compact UTF-8
JSON text (``jsontext.payload_size``).

What AWS answers when a limit is exceeded is not in the docs nor in any recorded run we have; the
state fails with ``States.DataLimitExceeded`` (the error AWS uses for every other size limit, which
``States.ALL`` does not catch) and a cause worded like AWS's payload one ("The state/task 'X'
returned a result with a size exceeding the maximum number of bytes service limit."). The total is
counted over the variables the assigning thread can see (its own and its outer scopes'), the
values it would hold after the assignment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import EvaluationError, StatesErrorName
from .jsontext import payload_size

VARIABLE_LIMIT = 256 * 1024  # bytes, one variable
ASSIGN_LIMIT = 256 * 1024  # bytes, all the variables of one Assign field
TOTAL_LIMIT = 10 * 1024 * 1024  # bytes, all the variables of an execution
DATA_LIMIT_EXCEEDED = StatesErrorName.DATA_LIMIT_EXCEEDED.value
_SMALL_INT = 10**30


def _bound(value: Any) -> int | None:
    """A cheap upper bound of ``payload_size(value)``, or None when only measuring will tell."""
    kind = type(value)
    if kind is str:
        return 6 * len(value) + 2  # every character escaped as \\uXXXX, plus the quotes
    if value is None or kind is bool or kind is float or (kind is int and -_SMALL_INT < value < _SMALL_INT):
        return 32
    return None


def check_assignment(assigned: Mapping[str, Any], current: Mapping[str, Any] | None, state_name: str) -> None:
    """Raise ``EvaluationError(States.DataLimitExceeded)`` when ``assigned`` (one Assign field's
    values) breaks a limit, given the ``current`` variables the thread can see."""
    if not assigned:
        return
    bound = 0
    for value in assigned.values():
        size = _bound(value)
        if size is None:
            bound = ASSIGN_LIMIT + 1  # measure
            break
        bound += size
    if bound > ASSIGN_LIMIT:
        sizes = {name: payload_size(value) for name, value in assigned.items()}
        for name, size in sizes.items():
            if size > VARIABLE_LIMIT:
                raise _exceeded(
                    f"The state/task '{state_name}' assigned the variable '{name}' a value with a size "
                    f"exceeding the maximum number of bytes service limit ({size} bytes; a variable "
                    f"holds at most {VARIABLE_LIMIT})."
                )
        combined = sum(sizes.values())
        if combined > ASSIGN_LIMIT:
            raise _exceeded(
                f"The state/task '{state_name}' assigned variables with a combined size exceeding the "
                f"maximum number of bytes service limit ({combined} bytes; one Assign holds at most "
                f"{ASSIGN_LIMIT})."
            )
    held = len(current) if current else 0
    # Every variable holds at most VARIABLE_LIMIT bytes: 40 of them cannot exceed the total.
    if (held + len(assigned)) * VARIABLE_LIMIT > TOTAL_LIMIT:
        merged = {**current, **assigned} if current else dict(assigned)
        total = sum(payload_size(value) for value in merged.values())
        if total > TOTAL_LIMIT:
            raise _exceeded(
                f"The state/task '{state_name}' assigned variables that make the execution's variables "
                f"exceed the maximum number of bytes service limit ({total} bytes; all variables hold "
                f"at most {TOTAL_LIMIT})."
            )


def _exceeded(cause: str) -> EvaluationError:
    return EvaluationError(DATA_LIMIT_EXCEEDED, cause, bare=True)
