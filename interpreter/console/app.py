"""The web console as a WSGI application: pages, static assets and a small JSON API.

    GET  /  /console/  /console/executions       executions (filters: status, machine, q; token)
    GET  /console/execution?arn=                 one execution: graph, state, logs, events
    GET  /console/state-machines                 state machines
    GET  /console/state-machine?arn=             one state machine: graph, executions, start
    GET  /console/static/<file>                  the console's CSS, JS and icon (served from here)
    GET  /console/api/executions                 ?status=&machine=&q=&limit=&token=
    GET  /console/api/execution                  ?arn=[&full=1]   describe + node statuses + callbacks
    GET  /console/api/execution/events           ?arn=&after=&limit=
    GET  /console/api/execution/state            ?arn=&node=      one state: I/O, task, data flow
    GET  /console/api/execution/logs             ?arn=&state=&after=&limit=&level=
    GET  /console/api/state-machines
    GET  /console/api/state-machine              ?arn=
    POST /console/api/actions/<action>           start, stop, redrive, send-task-success, -failure

Errors of the JSON API are ``{"error": {"code", "message"}}`` with AWS's code and message (HTTP
400, 404 for what does not exist). Every response carries a strict Content-Security-Policy
(``default-src 'self'``, no inline script or style) and ``X-Content-Type-Options: nosniff``.
Actions change things, so they take only a JSON body (a cross-site form cannot send one without
a CORS preflight, which is never granted) and refuse a request whose ``Origin`` or
``Sec-Fetch-Site`` says it comes from another site. Requests naming a host other than a loopback
or IP address (or one of ``allowed_hosts``) are refused, against DNS rebinding.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Iterable
from importlib import resources
from typing import Any

from werkzeug.exceptions import HTTPException, NotFound, RequestEntityTooLarge
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from ..service.errors import ApiError
from . import pages
from .actions import run_action
from .data import PAGE, ConsoleData
from .graphs import status_css, svg
from .status import status_map

logger = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml", ".png": "image/png"}
MAX_ACTION_BYTES = 1024 * 1024  # as the API: AWS's request-size quota
NOT_FOUND_CODES = ("ExecutionDoesNotExist", "StateMachineDoesNotExist", "ResourceNotFound")

_ROUTES = Map(
    [
        Rule("/", endpoint="executions_page"),
        Rule("/console", endpoint="executions_page", strict_slashes=False),
        Rule("/console/executions", endpoint="executions_page"),
        Rule("/console/execution", endpoint="execution_page"),
        Rule("/console/state-machines", endpoint="machines_page"),
        Rule("/console/state-machine", endpoint="machine_page"),
        Rule("/console/static/<name>", endpoint="static"),
        Rule("/console/api/executions", endpoint="api_executions"),
        Rule("/console/api/execution", endpoint="api_execution"),
        Rule("/console/api/execution/events", endpoint="api_events"),
        Rule("/console/api/execution/state", endpoint="api_state"),
        Rule("/console/api/execution/logs", endpoint="api_logs"),
        Rule("/console/api/state-machines", endpoint="api_machines"),
        Rule("/console/api/state-machine", endpoint="api_machine"),
        Rule("/console/api/actions/<action>", endpoint="api_action", methods=["POST"]),
    ],
    strict_slashes=False,
)


def is_console_request(method: str, path: str, accept: str = "") -> bool:
    """Whether a request is the console's: anything under ``/console``, and ``GET /`` from a
    browser (one that accepts HTML; other clients keep the API's one-line note)."""
    if path == "/console" or path.startswith("/console/"):
        return True
    return path == "/" and method in ("GET", "HEAD") and "text/html" in accept


class ConsoleApp:
    """The console over a ``StepFunctionsService`` (any object with ``store`` and the API's
    methods)."""

    def __init__(self, service: Any, *, allowed_hosts: Iterable[str] = ()) -> None:
        self.service = service
        self.data = ConsoleData(service)
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)
        self._graph_css = status_css()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self.respond(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response(environ, start_response)  # type: ignore[no-any-return]

    def respond(self, request: Request) -> Response:
        api = request.path.startswith("/console/api/")
        if not self._host_allowed(request.host):
            return _problem(api, "Forbidden", f"This console does not answer for host '{request.host}'", 403)
        adapter = _ROUTES.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except HTTPException as err:
            code = err.code or 404
            return _problem(
                api, "NotFound" if code == 404 else "MethodNotAllowed", err.description or "", code
            )
        try:
            return getattr(self, endpoint)(request, **args)  # type: ignore[no-any-return]
        except HTTPException as err:
            return _problem(api, "NotFound", err.description or "", err.code or 404)
        except ApiError as err:
            status = 404 if err.code in NOT_FOUND_CODES else err.status
            return _problem(api, err.code, err.message, status)
        except Exception:
            logger.exception("console: %s %s failed", request.method, request.path)
            return _problem(
                api, "InternalFailure", "The console failed to answer (see the server's log)", 500
            )

    def _host_allowed(self, host: str) -> bool:
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        name = name.strip("[]").lower()
        if name in self.allowed_hosts or name == "localhost" or name.endswith(".localhost"):
            return True
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True

    # ------------------------------------------------------------ pages
    def executions_page(self, request: Request) -> Response:
        args = request.args
        status = args.get("status") or None
        machine = args.get("machine") or None
        query = args.get("q") or None
        token = args.get("token") or None
        listing = self.data.list_executions(status=status, machine=machine, query=query, token=token)
        text = pages.executions_page(
            listing, self.data.machines(), status=status, machine=machine, query=query, token=token
        )
        return _html(text)

    def execution_page(self, request: Request) -> Response:
        arn = request.args.get("arn", "")
        item = self.data.require(arn)
        graph, _, result = self.data.statuses(item)
        detail = {
            "execution": self.data.describe(item, full=False),
            "stateMachine": {
                "stateMachineArn": item.machine_arn,
                "name": item.machine_arn.rsplit(":", 1)[-1],
            },
        }
        drawing = svg(graph, status_map(result), title=item.name)
        output = item.output if item.status == "SUCCEEDED" else None
        return _html(pages.execution_page(detail, drawing, input_text=item.input, output_text=output))

    def machines_page(self, request: Request) -> Response:
        return _html(pages.machines_page(self.data.machines()))

    def machine_page(self, request: Request) -> Response:
        arn = request.args.get("arn", "")
        token = request.args.get("token") or None
        described = self.data.machine(arn)["stateMachine"]
        _, graph = self.data.machine_graph(arn)
        listing = self.data.list_executions(machine=arn, token=token, limit=PAGE)
        return _html(pages.machine_page(described, svg(graph, title=described["name"]), listing, token=token))

    def static(self, request: Request, name: str) -> Response:
        if name == "graph.css":
            return Response(self._graph_css, mimetype="text/css")
        suffix = name[name.rfind(".") :] if "." in name else ""
        if suffix not in STATIC_TYPES or "/" in name or name.startswith("."):
            raise NotFound()
        resource = resources.files(__package__).joinpath("static", name)
        if not resource.is_file():
            raise NotFound()
        response = Response(resource.read_bytes(), mimetype=STATIC_TYPES[suffix])
        response.headers["Cache-Control"] = "no-cache"
        return response

    # ------------------------------------------------------------ JSON API
    def api_executions(self, request: Request) -> Response:
        args = request.args
        return _json(
            self.data.list_executions(
                status=args.get("status") or None,
                machine=args.get("machine") or None,
                query=args.get("q") or None,
                limit=_int(args.get("limit"), PAGE),
                token=args.get("token") or None,
            )
        )

    def api_execution(self, request: Request) -> Response:
        return _json(self.data.execution(request.args.get("arn", ""), full=request.args.get("full") == "1"))

    def api_events(self, request: Request) -> Response:
        args = request.args
        return _json(
            self.data.events(
                args.get("arn", ""), after=_int(args.get("after"), 0), limit=_int(args.get("limit"), 100)
            )
        )

    def api_state(self, request: Request) -> Response:
        return _json(self.data.state(request.args.get("arn", ""), request.args.get("node", "")))

    def api_logs(self, request: Request) -> Response:
        args = request.args
        return _json(
            self.data.logs(
                args.get("arn", ""),
                state=args.get("state") or None,
                after=_int(args.get("after"), 0),
                limit=_int(args.get("limit"), 200),
                level=args.get("level") or None,
            )
        )

    def api_machines(self, request: Request) -> Response:
        return _json({"stateMachines": self.data.machines()})

    def api_machine(self, request: Request) -> Response:
        arn = request.args.get("arn", "")
        out = self.data.machine(arn)
        _, graph = self.data.machine_graph(arn)
        out["graph"] = graph.layout
        out["executions"] = self.data.list_executions(
            machine=arn, limit=_int(request.args.get("limit"), PAGE)
        )
        return _json(out)

    def api_action(self, request: Request, action: str) -> Response:
        refusal = _cross_site(request)
        if refusal is not None:
            return _problem(True, "Forbidden", refusal, 403)
        if request.mimetype != "application/json":
            return _problem(True, "UnsupportedMediaType", "Send the action as application/json", 415)
        request.max_content_length = MAX_ACTION_BYTES
        try:
            body = json.loads(request.get_data(cache=False) or b"null")
        except RequestEntityTooLarge:
            return _problem(True, "RequestEntityTooLargeException", "The request is too large", 413)
        except ValueError:
            raise ApiError("SerializationException", "The request body is not JSON") from None
        return _json(run_action(self.service, action, body))


# ---------------------------------------------------------------- helpers


def _cross_site(request: Request) -> str | None:
    """Why an action request looks cross-site (None: it does not)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return f"Cross-site requests are refused (Sec-Fetch-Site: {site})"
    origin = request.headers.get("Origin")
    if origin is not None and origin.rstrip("/") != request.host_url.rstrip("/"):
        return "Cross-origin requests are refused"
    return None


def _int(value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ApiError("ValidationException", f"Not a number: '{value}'") from None


def _html(text: str, status: int = 200) -> Response:
    return Response(text, status=status, mimetype="text/html")


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return Response(body, status=status, mimetype="application/json")


def _problem(api: bool, code: str, message: str, status: int) -> Response:
    if api:
        return _json({"error": {"code": code, "message": message}}, status)
    return _html(pages.error_page(code, message), status)
