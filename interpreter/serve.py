"""``stepfn serve`` assembled: store + service + the executor's loop thread + the HTTP server.

    with LocalStepFunctions(store, runner=runner) as sfn:      # binds 127.0.0.1, a free port
        boto3.client("stepfunctions", endpoint_url=sfn.url, ...)

With a ``VirtualClock`` time stands still until the caller advances it and calls ``wake()``.
"""

from __future__ import annotations

import threading
from typing import Any

from .adapters.clock import Clock, SystemClock
from .api.server import ApiServer
from .service.stepfunctions import StepFunctionsService


class LocalStepFunctions:
    def __init__(
        self,
        store: Any,
        *,
        runner: Any = None,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.clock = clock or SystemClock()
        self.service = StepFunctionsService(store, runner=runner, clock=self.clock)
        self.executor = self.service.workflows.executor
        self.service.workflows.background_loop = True
        self.server = ApiServer(self.service, host=host, port=port)
        self._loop: threading.Thread | None = None
        self.resumed: list[str] = []

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> LocalStepFunctions:
        """Resume what the store holds unfinished, start the loop and the server (background)."""
        self._start_loop()
        self.server.start()
        return self

    def serve_forever(self) -> None:
        """Like ``start`` but serve in this thread until Ctrl-C (the CLI)."""
        self._start_loop()
        try:
            self.server.serve_forever()
        finally:
            self.stop()

    def _start_loop(self) -> None:
        self.resumed = self.executor.resume()
        self._loop = threading.Thread(
            target=self.executor.run_until,
            args=(lambda: False,),
            kwargs={"idle_timeout": 1.0, "jump": False},
            name="stepfn-executor",
            daemon=True,
        )
        self._loop.start()

    def wake(self) -> None:
        self.executor.wake()

    def stop(self) -> None:
        self.server.stop()
        self.service.close()
        if self._loop is not None:
            self._loop.join(timeout=5)

    def __enter__(self) -> LocalStepFunctions:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
