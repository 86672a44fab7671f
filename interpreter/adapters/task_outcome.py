"""What a task runner reports back: the task's output, or its error and cause.

Shared by the core and every runner (local Python handlers, Lambda, service integrations), so a
runner never raises for a task that failed the way AWS reports failures: a failure is a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..runtime.effects import TaskDone, TaskSubmitted


@dataclass(frozen=True, slots=True)
class TaskOutcome:
    """``ok`` with ``output`` (any JSON value), or not ``ok`` with ``error`` and ``cause``.

    ``elapsed`` is how long the task took in virtual time (mocked or simulated tasks): under the
    virtual clock the engine delivers the outcome that much later, so it races TimeoutSeconds and
    HeartbeatSeconds as a real slow task would. Real runs ignore it.

    ``submitted`` (not None) is the start response of a ``.sync`` job (a nested execution): the
    core records it as ``TaskSubmitted``. With ``pending`` the job's outcome comes later (to the
    task's ``task_token``); otherwise ``ok``/``output``/``error``/``cause`` are its outcome.

    ``logs`` are the lines the task's code wrote (``adapters.log_capture``: ``{"timestamp",
    "level", "message", "fields"?}``); the durable executor stores them with the execution.
    """

    ok: bool
    output: Any = None
    error: str | None = None
    cause: str | None = None
    elapsed: float = 0.0
    submitted: Any = None
    pending: bool = False
    logs: tuple[dict[str, Any], ...] = ()

    @classmethod
    def success(cls, output: Any) -> TaskOutcome:
        return cls(True, output)

    @classmethod
    def failure(cls, error: str, cause: str | None = None) -> TaskOutcome:
        return cls(False, None, error, cause)

    def message(self, token: str) -> TaskDone:
        """The core's input for this outcome of the RunTask whose token is ``token``."""
        if self.submitted is None:
            return TaskDone(token=token, ok=self.ok, output=self.output, error=self.error, cause=self.cause)
        return TaskSubmitted(
            token=token,
            ok=self.ok,
            output=self.output,
            error=self.error,
            cause=self.cause,
            submitted=self.submitted,
            pending=self.pending,
        )
