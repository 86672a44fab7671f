"""One JSONata expression: recognised, parsed once, evaluated many times."""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from jsonata import Jsonata
from jsonata import jexception as _jexception

from interpreter.errors import ExprSyntaxError

from ._context import CONTEXT
from ._errors import JsonataError, from_library, render
from ._fastpath import Fallback, compile_fast
from ._functions import bindings
from ._references import reads_error_output, unsupported_references, variable_references
from ._runtime import run
from ._values import UNDEFINED, UnsupportedValue, to_json


def is_jsonata_string(value: Any) -> bool:
    """A string that is exactly ``{% ... %}``: starts with ``{%`` and ends with ``%}``.

    Nothing may surround the delimiters: AWS keeps ``" {% $states.input %} "`` as a literal string
    (recorded: conformance case test_base_cases_BASE_LITERALS, "constant_not_jsonata").
    """
    return isinstance(value, str) and len(value) >= 4 and value.startswith("{%") and value.endswith("%}")


def jsonata_source(value: str) -> str:
    """The expression inside ``{% %}`` as AWS quotes it in causes: delimiters and the whitespace next
    to them removed (``{% $doesNotExist %}`` is quoted as ``'$doesNotExist'``)."""
    return value[2:-2].strip()


class JsonataSyntaxError(ExprSyntaxError):
    """An expression that does not parse; ``code`` and ``position`` come from the JSONata parser."""

    def __init__(self, source: str, code: str | None, message: str, position: int | None) -> None:
        where = f" at position {position}" if position is not None and position >= 0 else ""
        label = f"{code}: {message}" if code else message
        super().__init__(f"Invalid JSONata expression '{source}': {label}{where}")
        self.source = source
        self.code = code
        self.detail = message
        self.position = position
        self.field: str | None = None  # set by templates: the field path of the expression
        self.tokens: tuple[str | int, ...] = ()  # set by templates: JSON Pointer tokens to it


class JsonataUnsupportedResult(Exception):
    """The expression returned something that is not JSON (a function, a regex)."""


def _parse(source: str) -> Any:
    if not source.strip():
        raise JsonataSyntaxError(source, "S0207", render("S0207", ()), len(source))
    try:
        parsed = Jsonata(source)
    except _jexception.JException as exc:
        code = str(exc.error)
        message = render(code, (exc.current, exc.expected, exc.extra))
        raise JsonataSyntaxError(source, code, message, exc.location) from None
    except Exception as exc:  # the library's parser crashing on odd input (e.g. a bad regex)
        raise JsonataSyntaxError(source, None, f"{type(exc).__name__}: {exc}", None) from None
    return parsed.ast


class JsonataExpression:
    """A compiled JSONata expression (the text inside ``{% %}``).

    ``evaluate(states, variables, rng)`` returns a JSON value, or ``UNDEFINED`` when the expression
    returns nothing. ``states`` is ``{"input", "context", "result"?, "errorOutput"?}``;
    ``variables`` maps workflow variable names to their JSON values (read, never written);
    ``rng`` is the execution's seeded generator (``$random()``, ``$uuid()``, ``$shuffle()``).
    ``now`` (aware ``datetime`` or epoch milliseconds) is what ``$now()``/``$millis()`` answer;
    without it they answer ``$states.context.State.EnteredTime`` (then ``Execution.StartTime``).

    Raises ``JsonataError`` (``.code``, ``.message``) when evaluation fails and
    ``JsonataUnsupportedResult`` when the result has no JSON form. Returned values may share
    structure with ``states`` and ``variables``: treat all of them as immutable.
    """

    __slots__ = ("_ast", "_fast", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._ast = _parse(source)
        self._fast = compile_fast(self._ast)

    def __repr__(self) -> str:
        return f"JsonataExpression({self.source!r})"

    @property
    def has_fast_path(self) -> bool:
        return self._fast is not None

    def unsupported_references(self) -> list[str]:
        """Load-time problems AWS reports as ``UNSUPPORTED_JSONATA_EXPRESSION``."""
        return unsupported_references(self._ast)

    def variable_references(self) -> list[str]:
        """The workflow variables it reads (``$name``; not ``$states``, built-in functions or
        names it binds itself), in order."""
        return variable_references(self._ast, builtin_function_names())

    def reads_error_output(self) -> bool:
        """Whether it reads ``$states.errorOutput`` (only available in a Catch's Output/Assign)."""
        return reads_error_output(self._ast)

    def evaluate(
        self,
        states: Mapping[str, Any],
        variables: Mapping[str, Any],
        rng: random.Random | None = None,
        *,
        now: datetime | int | None = None,
    ) -> Any:
        fast = self._fast
        if fast is not None:
            try:
                raw = fast(states, variables)
            except Fallback:
                raw = self._run(states, variables, rng, now)
        else:
            raw = self._run(states, variables, rng, now)
        if raw is None:
            return UNDEFINED
        try:
            return to_json(raw)
        except UnsupportedValue:
            raise JsonataUnsupportedResult(self.source) from None

    def evaluate_raw(
        self,
        states: Mapping[str, Any],
        variables: Mapping[str, Any],
        rng: random.Random | None = None,
        *,
        now: datetime | int | None = None,
    ) -> Any:
        """The library's own result, bypassing the fast path (tests compare the two)."""
        return self._run(states, variables, rng, now)

    def _run(self, states: Any, variables: Mapping[str, Any], rng: Any, now: Any) -> Any:
        CONTEXT.begin(states, rng, now)
        try:
            return run(self._ast, states, variables)
        except JsonataError:
            raise
        except Exception as exc:  # the library raises JException and, on its own bugs, anything
            raise from_library(exc) from None


@functools.cache
def builtin_function_names() -> frozenset[str]:
    """``$name``s that are functions in every evaluation: JSONata's and AWS's additions."""
    return frozenset(Jsonata.static_frame.bindings) | frozenset(bindings())


class JsonataAnalysis(NamedTuple):
    """What load-time checks need to know about one expression."""

    variables: tuple[str, ...]  # workflow variables read (see JsonataExpression.variable_references)
    unsupported: tuple[str, ...]  # AWS's UNSUPPORTED_JSONATA_EXPRESSION messages
    reads_error_output: bool  # reads $states.errorOutput


@functools.lru_cache(maxsize=4096)
def analyse_jsonata(source: str) -> JsonataAnalysis:
    """Analyse expression ``source`` (the text inside ``{% %}``) without compiling it for
    evaluation (load-time checks). Raises ``JsonataSyntaxError``."""
    ast = _parse(source.strip())
    return JsonataAnalysis(
        tuple(variable_references(ast, builtin_function_names())),
        tuple(unsupported_references(ast)),
        reads_error_output(ast),
    )


def compile_jsonata(text: str) -> JsonataExpression:
    """Compile the text inside ``{% %}``; raises ``ExprSyntaxError`` (a ``JsonataSyntaxError``)."""
    return JsonataExpression(text.strip())


__all__ = [
    "UNDEFINED",
    "JsonataError",
    "JsonataExpression",
    "JsonataSyntaxError",
    "JsonataUnsupportedResult",
    "analyse_jsonata",
    "compile_jsonata",
    "is_jsonata_string",
    "jsonata_source",
]
