"""Definition checks for the API: ``InvalidDefinition`` messages and ValidateStateMachineDefinition
diagnostics, both from the project's loader (``interpreter.parse``).

AWS formats, as recorded against real Step Functions:

* CreateStateMachine / UpdateStateMachine reject a definition with ``InvalidDefinition`` and the
  message ``Invalid State Machine Definition: '<CODE>: <message> at <location>, <CODE>: ...'``
  (every error, joined by ``", "``). Recorded: ``'SCHEMA_VALIDATION_FAILED: These fields are
  required: [States] at /'`` (LocalStack ``test_sfn_api.snapshot.json``,
  ``test_create_delete_invalid_sm``); ``'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at
  /States/pass1/Next, MISSING_TRANSITION_TARGET: State "pass2" is not reachable. at /States/pass2'``
  (AWS CLI output quoted in localstack/localstack#12487). A problem without a location reads
  ``at null`` (``'MISSING_END_STATE: Workflow has no terminal state at null'``, measured against
  AWS in floci-io/floci#2735).
* ValidateStateMachineDefinition answers ``{"result": "OK"|"FAIL", "diagnostics": [{"severity",
  "code", "message", "location"?}], "truncated": bool}``; ``location`` is absent when AWS has none:
  for ``Definition must be a valid JSON object`` (LocalStack ``test_sfn_api_validation.snapshot
  .json``, recorded 2025-10-19) and for ``MISSING_END_STATE`` (floci-io/floci#2786). The root is
  ``/`` (``These fields are required: [States, StartAt]`` at ``/``, same snapshot). Array members
  read ``/States/C/Choices[0]/Next`` and ``/States/T/Catch[0]/Next`` (floci-io/floci#2786), so the
  project's JSON Pointers ``.../Choices/0/...`` are rewritten for the ASL array fields.
"""

from __future__ import annotations

import re
from typing import Any

from interpreter.errors import DefinitionError, Problem
from interpreter.parse import codes, parse_json_text, validate
from interpreter.parse.build import build_state_machine

from .errors import ApiError

DIAGNOSTICS_MAX = 100

# ASL fields whose value is an array of objects; a numeric pointer token after one is an index.
_ARRAY_FIELDS = frozenset({"Choices", "Catch", "Retry", "Branches", "And", "Or", "ErrorEquals"})
_NOT_A_JSON_OBJECT = "Definition must be a valid JSON object"
_JSON_POSITION = re.compile(r"^definition:(\d+):(\d+): (.*)$", re.DOTALL)


def definition_problems(text: str, machine_type: str = "STANDARD") -> list[Problem]:
    """Every problem (errors and warnings) in a definition given as JSON text, in AWS's order."""
    if text == "":
        # AWS (recorded 2025-10-19): an empty definition is "Definition must be a valid JSON object".
        return [Problem("", _NOT_A_JSON_OBJECT, codes.SCHEMA_VALIDATION_FAILED)]
    try:
        doc = parse_json_text(text, source="definition")
    except DefinitionError as err:
        return list(err.problems)
    problems = validate(doc, state_machine_type=machine_type)
    if not any(problem.severity == codes.ERROR for problem in problems):
        try:
            build_state_machine(doc)
        except DefinitionError as err:
            problems = problems + list(err.problems)
    # Problems AWS reports without a location come after the located ones (floci-io/floci#2786:
    # a dangling Next, then MISSING_END_STATE).
    return sorted(problems, key=lambda problem: location(problem) is None)


def location(problem: Problem) -> str | None:
    """Where AWS reports ``problem``: a path like ``/States/A/Choices[0]/Next``, or None."""
    if problem.code == codes.MISSING_END_STATE or problem.code == codes.MISSING_DESCRIPTION:
        return None
    if problem.code == codes.INVALID_JSON_DESCRIPTION:
        match = _JSON_POSITION.match(problem.message)
        return f"line: {match.group(1)}, column: {match.group(2)}" if match else None
    if problem.message == _NOT_A_JSON_OBJECT:
        return None
    if not problem.pointer:
        return "/"
    out: list[str] = []
    for token in problem.pointer.split("/")[1:]:
        if token.isdigit() and out and out[-1] in _ARRAY_FIELDS:
            out[-1] += f"[{token}]"
        else:
            out.append(token)
    return "/" + "/".join(out)


def message(problem: Problem) -> str:
    """The diagnostic message (JSON syntax errors lose the project's ``source:line:col:`` prefix)."""
    if problem.code == codes.INVALID_JSON_DESCRIPTION:
        match = _JSON_POSITION.match(problem.message)
        if match:
            return f"{match.group(3)} at line {match.group(1)}, column {match.group(2)}"
    return problem.message


def invalid_definition(problems: list[Problem]) -> ApiError:
    """AWS's ``InvalidDefinition`` error listing every error in ``problems``."""
    errors = [problem for problem in problems if problem.severity == codes.ERROR]
    parts = [f"{problem.code}: {message(problem)} at {location(problem) or 'null'}" for problem in errors]
    return ApiError("InvalidDefinition", f"Invalid State Machine Definition: '{', '.join(parts)}'")


def check_definition(text: str, machine_type: str = "STANDARD") -> None:
    """Raise ``InvalidDefinition`` unless ``text`` is a valid definition for ``machine_type``."""
    problems = definition_problems(text, machine_type)
    if any(problem.severity == codes.ERROR for problem in problems):
        raise invalid_definition(problems)


def validation_result(
    text: str, *, machine_type: str = "STANDARD", severity: str = "ERROR", max_results: int = 0
) -> dict[str, Any]:
    """The ValidateStateMachineDefinition response for ``text``.

    ``severity`` ERROR (AWS's default) returns only errors; WARNING returns errors and warnings.
    ``max_results`` 0 means AWS's default and maximum, 100; ``truncated`` says whether diagnostics
    were left out. ``result`` is FAIL when there is any error, whatever was returned.
    """
    problems = definition_problems(text, machine_type)
    failed = any(problem.severity == codes.ERROR for problem in problems)
    if severity != codes.WARNING:
        problems = [problem for problem in problems if problem.severity == codes.ERROR]
    limit = max_results if 0 < max_results <= DIAGNOSTICS_MAX else DIAGNOSTICS_MAX
    return {
        "result": "FAIL" if failed else "OK",
        "diagnostics": [diagnostic(problem) for problem in problems[:limit]],
        "truncated": len(problems) > limit,
    }


def diagnostic(problem: Problem) -> dict[str, str]:
    """One ``ValidateStateMachineDefinitionDiagnostic``."""
    out = {"severity": problem.severity, "code": problem.code, "message": message(problem)}
    where = location(problem)
    if where is not None:
        out["location"] = where
    return out
