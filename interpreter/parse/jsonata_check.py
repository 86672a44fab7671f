"""What AWS refuses in a JSONata expression that parses: references it does not offer.

AWS evaluates JSONata with no context item (the state input is ``$states.input``) and refuses at
CreateStateMachine / ValidateStateMachineDefinition, with code UNSUPPORTED_JSONATA_EXPRESSION at
the string holding the expression (e.g. ``/States/E/Output/v``):

* a top-level path or ``$``: "Reference to 'phone' at the top level is not supported.",
  "Reference to '$' at the top level is not supported."; ``$$``: "Reference to '$$' is not
  supported." (AWS guide, "Transforming data with JSONata": "You cannot use $ or $$ at the top
  level", "You cannot use unqualified field names at top level");
* ``$states.errorOutput`` outside a Catch's ``Output`` and ``Assign``: "Field
  '$states.errorOutput' does not exist." (AWS guide, "Passing data between states with
  variables": it "can be used in the Catch field's Assign or Output", and misuse "will be caught
  at creation, update, or validation of the state machine").

The messages and locations are AWS's as measured with validate-state-machine-definition by the
Floci emulator (floci-io/floci#2670, #2745; its ValidateStateMachineDefinition integration tests).
Expressions that do not parse are left to the builder (INVALID_JSONATA_EXPRESSION).
"""

from __future__ import annotations

from interpreter.errors import Problem

from . import codes
from .variables_check import analyse, evaluated_strings, is_jsonata
from .walk import JSONATA, StateRef

ERROR_OUTPUT_MISSING = "Field '$states.errorOutput' does not exist."


def jsonata_problems(states: list[StateRef]) -> list[Problem]:
    problems: list[Problem] = []
    for ref in states:
        if ref.query_language != JSONATA:
            continue
        for pointer, _, text in evaluated_strings(ref.body, ref.pointer):
            if not is_jsonata(text):
                continue
            analysis = analyse(text)
            if analysis is None:
                continue
            for message in analysis.unsupported:
                problems.append(Problem(pointer, message, codes.UNSUPPORTED_JSONATA_EXPRESSION))
            if analysis.reads_error_output and not _in_catcher_output(pointer, ref.pointer):
                problems.append(Problem(pointer, ERROR_OUTPUT_MISSING, codes.UNSUPPORTED_JSONATA_EXPRESSION))
    return problems


def _in_catcher_output(pointer: str, state_pointer: str) -> bool:
    """Whether ``pointer`` is inside ``Catch/<n>/Output`` or ``Catch/<n>/Assign`` of the state."""
    tokens = pointer[len(state_pointer) :].split("/")[1:]
    return len(tokens) >= 3 and tokens[0] == "Catch" and tokens[2] in ("Output", "Assign")
