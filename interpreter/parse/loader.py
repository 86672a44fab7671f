"""Text to a validated definition: JSON parsing, ``${Name}`` substitutions, validation.

* ``parse_json_text``: JSON with AWS's INVALID_JSON_DESCRIPTION for syntax errors (with line and
  column) and rejection of duplicate keys (DUPLICATE_STATE_NAME inside a ``States`` object).
* ``apply_substitutions``: SAM/CloudFormation ``DefinitionSubstitutions``. CloudFormation replaces
  ``${Name}`` placeholders textually in the definition string; a placeholder without a value is
  left as it is (the validator then reports it only where it breaks the definition, for example an
  unsubstituted Task ``Resource`` is not an ARN).
* ``load_substitutions``: CLI ``--sub Name=value`` pairs and JSON files of ``{"Name": "value"}``.
* ``load_definition_text``: all of the above plus ``validate``; raises ``DefinitionError`` listing
  every ERROR problem (warnings: call ``validate`` on the returned document).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from os import PathLike
from pathlib import Path
from typing import Any, TypeVar

from interpreter.errors import DefinitionError, InputError, Problem

from . import codes
from .validate import sort_key, validate
from .walk import join

_PLACEHOLDER = re.compile(r"\$\{([^{}\s]+)\}")
_NAME = re.compile(r"^[A-Za-z0-9_.:-]+$")

T = TypeVar("T")


class _Object(dict[str, Any]):
    """A parsed JSON object that remembers the keys it saw more than once."""

    __slots__ = ("duplicates",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        self.duplicates: list[str] = []
        if len(self) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen and key not in self.duplicates:
                    self.duplicates.append(key)
                seen.add(key)


def parse_json_text(text: str, source: str = "<definition>") -> Any:
    """Parse JSON text; syntax errors and duplicate keys raise ``DefinitionError``."""
    doc, problems = _parse(text, source)
    if problems:
        raise DefinitionError(problems)
    return doc


def _parse(text: str, source: str) -> tuple[Any, list[Problem]]:
    """The parsed document (last duplicate wins) and the problems found while parsing."""
    if not isinstance(text, str) or not text:
        return None, [Problem("", "Received a null or empty workflow input", codes.MISSING_DESCRIPTION)]
    if not text.strip():
        # AWS (recorded): a blank definition is "Definition must be a valid JSON object".
        return None, [Problem("", "Definition must be a valid JSON object", codes.SCHEMA_VALIDATION_FAILED)]
    try:
        doc = json.loads(text.removeprefix("\ufeff"), object_pairs_hook=_Object, parse_constant=_no_constant)
    except json.JSONDecodeError as err:
        message = f"{source}:{err.lineno}:{err.colno}: {err.msg}"
        return None, [Problem("", message, codes.INVALID_JSON_DESCRIPTION)]
    except ValueError as err:  # NaN / Infinity: Python accepts them, JSON (and AWS) do not
        return None, [Problem("", f"{source}: {err}", codes.INVALID_JSON_DESCRIPTION)]
    except RecursionError:
        return None, [Problem("", f"{source}: the JSON is nested too deeply", codes.TOO_DEEPLY_NESTED)]
    problems = _duplicate_problems(doc)
    return _plain(doc), problems


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON value")


def _duplicate_problems(doc: Any) -> list[Problem]:
    problems: list[Problem] = []
    stack: list[tuple[Any, str, bool]] = [(doc, "", False)]
    while stack:
        node, pointer, is_states = stack.pop()
        if isinstance(node, _Object):
            for key in node.duplicates:
                where = join(pointer, key)
                if is_states:
                    problems.append(
                        Problem(where, f"Duplicate State name: {key}", codes.DUPLICATE_STATE_NAME)
                    )
                else:
                    problems.append(Problem(where, f'duplicate field "{key}"'))
            # the "States" of a state machine, a branch or a Map processor (objects with StartAt)
            scope = "StartAt" in node
            stack.extend(
                (child, join(pointer, key), scope and key == "States") for key, child in node.items()
            )
        elif isinstance(node, list):
            stack.extend((child, join(pointer, index), False) for index, child in enumerate(node))
    problems.reverse()
    return problems


def _plain(node: Any) -> Any:
    """Replace the ``_Object`` markers by plain dicts (iteratively)."""
    if not isinstance(node, dict | list):
        return node
    root: Any = dict(node) if isinstance(node, dict) else list(node)
    stack = [root]
    while stack:
        current = stack.pop()
        items = current.items() if isinstance(current, dict) else enumerate(current)
        for key, child in list(items):
            if isinstance(child, dict | list):
                copy = dict(child) if isinstance(child, dict) else list(child)
                current[key] = copy
                stack.append(copy)
    return root


def apply_substitutions(text_or_obj: T, subs: dict[str, str] | None) -> T:
    """Replace ``${Name}`` by ``subs["Name"]``: in text, or in every string (and key) of a document.

    Like CloudFormation's DefinitionSubstitutions: one pass, textual, unknown names left as-is.
    """
    if not subs:
        return text_or_obj

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(subs[name]) if name in subs else match.group(0)

    def substitute(value: Any) -> Any:
        if isinstance(value, str):
            return _PLACEHOLDER.sub(replace, value) if "${" in value else value
        return value

    if isinstance(text_or_obj, str):
        return substitute(text_or_obj)  # type: ignore[no-any-return]
    if not isinstance(text_or_obj, dict | list):
        return text_or_obj
    root: Any = _plain(text_or_obj)
    stack = [root]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            renamed = {substitute(key): value for key, value in current.items()}
            current.clear()
            current.update(renamed)
            items: Iterable[tuple[Any, Any]] = list(current.items())
        else:
            items = list(enumerate(current))
        for key, child in items:
            if isinstance(child, dict | list):
                stack.append(child)
            else:
                current[key] = substitute(child)
    return root  # type: ignore[no-any-return]


def load_substitutions(
    pairs: Iterable[str] = (), files: Iterable[str | PathLike[str]] = ()
) -> dict[str, str]:
    """Substitutions from JSON files (``{"Name": "value"}``) then ``Name=value`` pairs (which win).

    Values in files may be strings, numbers or booleans (written as JSON writes them). Bad input
    raises ``InputError`` naming the flag or file.
    """
    subs: dict[str, str] = {}
    for file in files:
        path = Path(file)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as err:
            raise InputError(f"{path}: cannot read substitutions: {err.strerror}") from None
        except json.JSONDecodeError as err:
            raise InputError(f"{path}:{err.lineno}:{err.colno}: {err.msg}") from None
        if not isinstance(data, dict):
            raise InputError(f'{path}: expected a JSON object of substitutions {{"Name": "value"}}')
        for name, value in data.items():
            if not _NAME.match(name):
                raise InputError(f"{path}: {name!r} is not a valid substitution name")
            if isinstance(value, bool):
                subs[name] = "true" if value else "false"
            elif isinstance(value, str | int | float):
                subs[name] = str(value)
            else:
                raise InputError(f"{path}: the value of {name!r} must be a string, number or boolean")
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InputError(f"--sub {pair}: expected Name=value")
        if not _NAME.match(name):
            raise InputError(f"--sub {pair}: {name!r} is not a valid substitution name")
        subs[name] = value
    return subs


def load_definition_text(
    text: str,
    subs: dict[str, str] | None = None,
    source: str = "<definition>",
    *,
    state_machine_type: str = "STANDARD",
) -> dict[str, Any]:
    """Substitute, parse and validate; raise ``DefinitionError`` with every ERROR problem."""
    doc, _ = load_definition_document(text, subs, source, state_machine_type=state_machine_type)
    return doc


def load_definition_document(
    text: str,
    subs: dict[str, str] | None = None,
    source: str = "<definition>",
    *,
    state_machine_type: str = "STANDARD",
) -> tuple[dict[str, Any], list[Problem]]:
    """Like ``load_definition_text``, and also return the warnings ``validate`` found."""
    if isinstance(text, str) and subs:
        text = apply_substitutions(text, subs)
    doc, problems = _parse(text, source)
    if doc is None and problems:
        raise DefinitionError(problems)
    problems += validate(doc, state_machine_type=state_machine_type)
    errors = [problem for problem in problems if problem.severity == codes.ERROR]
    if errors:
        raise DefinitionError(sorted(errors, key=sort_key))
    return doc, [problem for problem in problems if problem.severity != codes.ERROR]  # type: ignore[return-value]
