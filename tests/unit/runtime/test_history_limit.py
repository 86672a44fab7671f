"""AWS's quota of 25,000 history events per execution.

Source: a real AWS history ends with event 25000, previousEventId 24999, ExecutionFailed with
States.Runtime, "The execution reached the maximum number of history events (25000)." (see
tests/unit/service/test_history.py). A loop that never waits must end there too, not hang.
"""

from __future__ import annotations

from interpreter import run

LOOP = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "A"}],
            "Default": "C",
        },
        "C": {"Type": "Succeed"},
    },
}


def test_an_endless_inline_loop_fails_at_the_history_limit() -> None:
    result = run(LOOP, {"x": 1})
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"
    assert result.cause == "The execution reached the maximum number of history events (25000)."
    last = result.history[-1]
    assert (last["id"], last["previousEventId"], last["type"]) == (25000, 24999, "ExecutionFailed")
    assert len(result.history) == 25000
