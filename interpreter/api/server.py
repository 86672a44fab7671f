"""The Step Functions API over HTTP (``stepfn serve``): Werkzeug's threaded WSGI server.

Each request runs on its own thread, so a long poll (``GetActivityTask`` waits up to 60 s) does
not hold up other calls. The web console (``interpreter.console``) answers ``GET /`` from
browsers and everything under ``/console``; other clients get a one-line note on ``GET /``;
everything else goes to :func:`interpreter.api.dispatch.handle`.

    with ApiServer(service, port=0) as server:      # port 0: any free port
        boto3.client("stepfunctions", endpoint_url=server.url, ...)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from .dispatch import handle
from .protocol import MAX_REQUEST_BYTES, HttpResponse, new_request_id, render_error, request_too_large

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8083
POLL_INTERVAL = 0.1  # seconds; how soon stop() takes effect
HOME_NOTE = b"stepfn Step Functions API (AWS JSON 1.0: POST / with X-Amz-Target: AWSStepFunctions.<Op>)\n"


class _RequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, logging each request to this module's logger at DEBUG."""

    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "stepfn"

    def log(self, type: str, message: str, *args: Any) -> None:
        level = logging.ERROR if type == "error" else logging.DEBUG
        logger.log(level, "%s %s", self.address_string(), message % args if args else message)


class ApiServer:
    """The API on ``http://host:port``; ``start()`` serves from a background thread."""

    def __init__(
        self,
        service: object,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        max_request_bytes: int = MAX_REQUEST_BYTES,
    ) -> None:
        self.service = service
        self.host = host
        self._port = port
        self.max_request_bytes = max_request_bytes
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.bound = threading.Event()
        """Set once the socket is bound and accepting (``port`` and ``url`` are final then)."""
        self.console: Any = None  # the web console's WSGI app, made on its first request

    @property
    def port(self) -> int:
        """The port served on (the one picked when constructed with 0, once bound)."""
        return self._server.server_port if self._server is not None else self._port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        """Bind and serve from a daemon thread; returns once the socket accepts connections."""
        server = self._bind()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name="stepfn-api",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port (requests in flight finish on their threads)."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server, self._thread = None, None
        self.bound.clear()
        server.shutdown()  # returns once the serving loop has ended
        if thread is not None:
            thread.join()
        server.server_close()

    def serve_forever(self) -> None:
        """Serve from the calling thread until Ctrl-C or :meth:`stop` (for ``stepfn serve``)."""
        server = self._bind()
        logger.info("stepfn Step Functions API on %s", self.url)
        try:
            server.serve_forever(poll_interval=POLL_INTERVAL)  # returns on KeyboardInterrupt, socket closed
        finally:
            if self._server is server:
                self._server = None
                self.bound.clear()

    def __enter__(self) -> ApiServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _bind(self) -> BaseWSGIServer:
        if self._server is not None:
            raise RuntimeError("the API server is already bound")
        self._server = make_server(
            self.host, self._port, self.wsgi_app, threaded=True, request_handler=_RequestHandler
        )
        self.bound.set()
        return self._server

    def wsgi_app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """The WSGI application: the API on ``POST``, the console (or a short note) on ``GET /``."""
        request = Request(environ)
        request.max_content_length = self.max_request_bytes
        if _console_request(request):
            return self._console()(environ, start_response)  # type: ignore[no-any-return]
        if request.method in ("GET", "HEAD") and request.path == "/":
            response = Response(HOME_NOTE, mimetype="text/plain")
        else:
            response = _to_werkzeug(self._respond(request))
        return response(environ, start_response)  # type: ignore[no-any-return]

    def _respond(self, request: Request) -> HttpResponse:
        try:
            body = request.get_data(cache=False)
        except RequestEntityTooLarge:
            error = request_too_large(self.max_request_bytes)
            return render_error(error, request_id=new_request_id())
        return handle(self.service, request.method, dict(request.headers.items()), body)

    def _console(self) -> Any:
        if self.console is None:
            from ..console import ConsoleApp  # imported on first use: the API does not need it

            self.console = ConsoleApp(self.service, allowed_hosts=[self.host])
        return self.console


def _console_request(request: Request) -> bool:
    if request.path != "/" and not request.path.startswith("/console"):
        return False
    from ..console import is_console_request

    return is_console_request(request.method, request.path, request.headers.get("Accept", ""))


def _to_werkzeug(response: HttpResponse) -> Response:
    return Response(response.body, status=response.status, headers=list(response.headers))
