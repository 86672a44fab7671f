"""Load a definition from text, a file or a parsed document into a compiled ``StateMachine``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import DefinitionError, Problem
from .model import StateMachine
from .parse import apply_substitutions, codes, validate
from .parse.build import build_state_machine
from .parse.loader import load_definition_document
from .parse.validate import sort_key
from .parse.variables_check import unassigned_variable_warnings


def load_definition(
    source: str | Path | dict[str, Any],
    substitutions: dict[str, str] | None = None,
    *,
    name: str | None = None,
) -> StateMachine:
    """Parse, substitute, validate and compile. Raises ``DefinitionError`` with every problem.

    ``source`` is a parsed definition (dict), a ``Path`` to an ``.asl.json`` file, or the JSON
    text itself. Problems that do not stop loading (AWS's warnings such as NO_DOLLAR, and
    variables read but never assigned, UNASSIGNED_VARIABLE) are on the result's ``warnings``.
    """
    if isinstance(source, Path):
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as err:
            raise DefinitionError(
                [Problem("", f"{source}: cannot read: {err.strerror}", "INVALID_FILE")]
            ) from None
        doc, warnings = load_definition_document(text, substitutions, source=name or str(source))
    elif isinstance(source, str):
        doc, warnings = load_definition_document(source, substitutions, source=name or "<definition>")
    else:
        doc = json.loads(json.dumps(source))  # a private copy: the model keeps it
        if substitutions:
            doc = apply_substitutions(doc, substitutions)
        problems = validate(doc)
        errors = [p for p in problems if p.severity == codes.ERROR]
        if errors:
            raise DefinitionError(errors)
        warnings = [p for p in problems if p.severity != codes.ERROR]
    warnings = sorted([*warnings, *unassigned_variable_warnings(doc)], key=sort_key)
    return build_state_machine(doc, warnings=warnings)
