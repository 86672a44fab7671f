"""The one error a template problem raises: which file, where in it, and what is wrong."""

from __future__ import annotations

from interpreter.errors import InputError


class TemplateError(InputError):
    """A template (or seed file) stepfn cannot map to a local run.

    ``where`` is a JSON Pointer into the document (``/Resources/Fn/Properties/Handler``); ``line``
    the 1-based line it starts on, when known. ``str()`` reads
    ``template.yaml:42: /Resources/Fn/Properties/Handler: what is wrong``. An ``InputError``, so
    the CLI prints it after ``stepfn:`` and exits 2.
    """

    def __init__(self, message: str, *, source: str = "", where: str = "", line: int | None = None) -> None:
        self.message, self.source, self.where, self.line = message, source, where, line
        super().__init__(self._text())

    def located(self, source: str, line: int | None) -> TemplateError:
        """This error with its file (and line, unless it has one) filled in."""
        return TemplateError(
            self.message, source=self.source or source, where=self.where, line=self.line or line
        )

    def _text(self) -> str:
        prefix = self.source
        if self.source and self.line:
            prefix = f"{self.source}:{self.line}"
        parts = [p for p in (prefix, self.where) if p]
        return ": ".join([*parts, self.message])

    def __str__(self) -> str:
        return self._text()
