"""``validate(doc)``: every problem in a parsed definition, sorted by JSON Pointer.

Order of checks: the document must be an object; its nesting must be reasonable (deep JSON would
exhaust the validators); then the JSON Schema (``asl.schema.json``), the graph (names, StartAt,
transitions, reachability, terminal states), the per-state field rules, path syntax, what AWS
refuses in JSONata expressions (``jsonata_check``) and the variable scope rule
(``variables_check``). Each problem carries AWS's diagnostic code (see
``codes``); warnings have severity ``WARNING``.
"""

from __future__ import annotations

from typing import Any

from interpreter.errors import Problem

from . import codes
from .fields import field_problems
from .graph_check import graph_problems
from .jsonata_check import jsonata_problems
from .paths_check import path_problems
from .schema_check import schema_problems
from .variables_check import scope_problems
from .walk import json_depth_exceeds, root_query_language, walk

# Deepest JSON nesting accepted. Real definitions stay far below (a state nested in 10 Maps is ~45
# levels); the bound keeps every check well inside Python's recursion limit.
MAX_JSON_DEPTH = 150


def validate(doc: Any, *, state_machine_type: str = "STANDARD") -> list[Problem]:
    """All problems (errors and warnings) in a parsed definition, sorted by pointer.

    ``state_machine_type`` is ``"STANDARD"`` or ``"EXPRESS"`` (Express workflows reject
    ``.sync`` and ``.waitForTaskToken`` integrations).
    """
    if not isinstance(doc, dict):
        # AWS (recorded): "Definition must be a valid JSON object", SCHEMA_VALIDATION_FAILED.
        return [Problem("", "Definition must be a valid JSON object", codes.SCHEMA_VALIDATION_FAILED)]
    too_deep = json_depth_exceeds(doc, MAX_JSON_DEPTH)
    if too_deep is not None:
        return [
            Problem(
                too_deep,
                f"the definition is nested more than {MAX_JSON_DEPTH} levels deep",
                codes.TOO_DEEPLY_NESTED,
            )
        ]
    try:
        problems = schema_problems(doc)
        scopes, states = walk(doc)
        problems += graph_problems(scopes, states)
        problems += field_problems(root_query_language(doc), states, state_machine_type=state_machine_type)
        problems += path_problems(states)
        problems += jsonata_problems(states)
        problems += scope_problems(states)
    except RecursionError:
        return [Problem("", "the definition is nested too deeply", codes.TOO_DEEPLY_NESTED)]
    return sorted(_unique(problems), key=sort_key)


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.severity == codes.ERROR]


def sort_key(problem: Problem) -> tuple[tuple[tuple[int, int, str], ...], int]:
    """Document-like order: by pointer, numeric tokens compared as numbers, errors first."""
    tokens = tuple(
        (0, int(token), "") if token.isdigit() else (1, 0, token) for token in problem.pointer.split("/")[1:]
    )
    return tokens, 0 if problem.severity == codes.ERROR else 1


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    unique: list[Problem] = []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            unique.append(problem)
    return unique
