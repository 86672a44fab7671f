"""A state's data-flow steps (InputPath → Parameters → result → ResultSelector → ResultPath →
OutputPath), recomputed for the console with the service's TestState.

The history keeps a state's input (``...StateEntered``), what its task was sent and gave back, and
its output (``...StateExited``), not the steps in between. ``data_flow`` replays the state once
through ``service.test_state`` (the engine's own single-state run, DEBUG inspection) on the
recorded input, with the recorded task result (or error) as the mock, so no task runs again. The
Context object (``$$``) and variables of the real run are not replayed: steps that read them can
differ from what the run saw, and the answer says so. Map and Parallel states are not replayed.
"""

from __future__ import annotations

import json
from typing import Any

from ..service.errors import ApiError

# TestState's inspection members, in the order the data flows, with their labels
STEPS = (
    ("input", "State input"),
    ("afterInputPath", "After InputPath"),
    ("afterArguments", "After Arguments"),
    ("afterParameters", "After Parameters"),
    ("afterItemsPath", "After ItemsPath"),
    ("result", "Task result"),
    ("afterResultSelector", "After ResultSelector"),
    ("afterResultPath", "After ResultPath"),
)
NOTE = (
    "Recomputed with TestState from the state's recorded input and task result; values read "
    "from $$ (the Context object) or from variables can differ from the run's."
)
_REPLAYED = ("Task", "Pass", "Choice", "Wait", "Succeed", "Fail")


def unavailable(reason: str) -> dict[str, Any]:
    return {"available": False, "reason": reason, "steps": []}


def data_flow(
    service: Any,
    *,
    definition: str | None,
    state_name: str,
    state_type: str,
    entered: dict[str, Any] | None,
    task: dict[str, Any] | None,
) -> dict[str, Any]:
    """``{"available", "steps": [{"key", "label", "value" (JSON text)}], "status", "output",
    "error", "cause", "note"}``, or ``{"available": False, "reason"}``."""
    test_state = getattr(service, "test_state", None)
    if test_state is None or definition is None:
        return unavailable("This server cannot replay states.")
    if state_type not in _REPLAYED:
        return unavailable(f"{state_type} states are not replayed: see their iterations or branches.")
    if entered is None or "input" not in (entered.get("details") or {}):
        return unavailable("The state has not been entered (or its input was not recorded).")
    request: dict[str, Any] = {
        "definition": definition,
        "stateName": state_name,
        "input": json.dumps(entered["details"]["input"], ensure_ascii=False),
        "inspectionLevel": "DEBUG",
    }
    if state_type == "Task":
        result = (task or {}).get("result")
        if result is None:
            return unavailable("The task has no result yet.")
        if result.get("ok"):
            request["mock"] = {"result": result["output"]}
        else:
            request["mock"] = {"errorOutput": {"error": result.get("error"), "cause": result.get("cause")}}
    try:
        answer = test_state(request)
    except ApiError as err:
        return unavailable(f"TestState could not replay it: {err.code}: {err.message}")
    except Exception as err:  # the replay is a convenience: never let it break the page
        return unavailable(f"TestState could not replay it: {type(err).__name__}")
    inspection = answer.get("inspectionData") or {}
    steps = [
        {"key": key, "label": label, "value": inspection[key]} for key, label in STEPS if key in inspection
    ]
    if "output" in answer:
        steps.append({"key": "output", "label": "State output (after OutputPath)", "value": answer["output"]})
    return {
        "available": True,
        "steps": steps,
        "status": answer.get("status"),
        "error": answer.get("error"),
        "cause": answer.get("cause"),
        "nextState": answer.get("nextState"),
        "note": NOTE,
    }
