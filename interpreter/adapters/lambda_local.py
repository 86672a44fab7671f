"""Lambda tasks run as local Python handlers, reported exactly as Step Functions reports them.

Three layers:

* ``HandlerRegistry``: function identifiers (name, ARN with or without qualifier, SAM
  ``${Placeholder}`` or its name) -> Python callables; ``from_specs`` loads the CLI's
  ``--handler NAME=module:function``.
* ``invoke_local``: what the AWS Python runtime (awslambdaric ``bootstrap.py``) does with one
  invocation: call ``handler(event, context)``, marshal the return value to JSON, or build the
  runtime's error object (``errorMessage``/``errorType``/``requestId``/``stackTrace``) from the
  real traceback. The result is a ``LambdaResult``: the response body plus Lambda's
  ``X-Amz-Function-Error``.
* ``LocalLambdaRunner``: maps a ``LambdaResult`` to a ``TaskOutcome`` the way Step Functions does
  for the legacy ``arn:aws:lambda:...:function:NAME`` resource (output = the returned value;
  cause = the runtime's error JSON verbatim, ``{"errorMessage": "...", ...}``) and for
  ``arn:aws:states:::lambda:invoke`` (output = the Invoke response wrapper with ``Payload``,
  ``SdkHttpMetadata``, ...; cause = the error JSON re-serialised compactly). Sources: recorded AWS
  runs (conformance ``cases/lambda``), LocalStack's AWS-validated snapshots.

Randomness (request ids) and time (``now_ms``, ``clock_ms``) come from the caller.
"""

from __future__ import annotations

import base64
import copy
import decimal
import hashlib
import importlib
import json
import re
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path
from typing import Any

from interpreter.adapters.log_capture import capture_logs
from interpreter.adapters.task_outcome import TaskOutcome
from interpreter.runtime.resources import LAMBDA_LEGACY, UNKNOWN, Resource

Handler = Callable[[Any, Any], Any]

LATEST = "$LATEST"
UNHANDLED = "Unhandled"  # Lambda's X-Amz-Function-Error for any failed invocation
LAMBDA_UNKNOWN = "Lambda.Unknown"  # AWS: "Unhandled errors in Lambda are reported as Lambda.Unknown"

# Lambda's FunctionName forms: name, name:qualifier, partial ARN (ACCOUNT:function:NAME), full ARN.
_FUNCTION_REF = re.compile(
    r"(?:arn:(?P<partition>aws[a-zA-Z-]*)?:lambda:)?(?:(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?(?:function:)?(?P<name>[a-zA-Z0-9_.-]+)"
    r"(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?"
)
_PLACEHOLDER = re.compile(r"\$\{(?P<name>[^}]+)\}")


# ---------------------------------------------------------------------------------------------
# Function identifiers and the handler registry


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """A parsed Lambda ``FunctionName`` (fields absent from the text are None)."""

    name: str
    qualifier: str | None = None
    region: str | None = None
    account: str | None = None
    partition: str | None = None

    def arn(self, *, region: str, account: str, partition: str = "aws", qualified: bool = False) -> str:
        """The function ARN, filling what the reference leaves out from the defaults given."""
        arn = (
            f"arn:{self.partition or partition}:lambda:{self.region or region}:"
            f"{self.account or account}:function:{self.name}"
        )
        return f"{arn}:{self.qualifier}" if qualified and self.qualifier else arn


def parse_function_ref(text: str) -> FunctionRef | None:
    """Parse a Lambda function name / partial ARN / ARN; None when it is none of these."""
    m = _FUNCTION_REF.fullmatch(text)
    if m is None:
        return None
    return FunctionRef(m["name"], m["qualifier"], m["region"], m["account"], m["partition"])


def _placeholder_name(text: str) -> str | None:
    m = _PLACEHOLDER.fullmatch(text)
    return m["name"] if m else None


def _strip_arn_suffix(name: str) -> str:
    # SAM: ${HelloFunctionArn} / ${HelloFunction.Arn} usually name the function HelloFunction.
    for suffix in (".Arn", "Arn"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


class HandlerSpecError(ValueError):
    """A ``--handler NAME=module:function`` spec is malformed or cannot be loaded."""


class HandlerRegistry:
    """Function identifiers -> local Python handlers.

    A key may be a function name (``hello``), a name with qualifier (``hello:prod``), a full or
    partial ARN, or a SAM placeholder (``${HelloFunctionArn}``) or its bare name. ``resolve``
    tries the exact text, then the placeholder name (also without an ``Arn``/``.Arn`` suffix),
    then the function name with its qualifier, then the unqualified function name (a handler
    registered for a function serves all its versions and aliases).
    """

    def __init__(self, handlers: Mapping[str, Handler] | None = None) -> None:
        self._exact: dict[str, Handler] = {}
        self._by_alias: dict[str, Handler] = {}
        self._by_function: dict[tuple[str, str | None], Handler] = {}
        for key, handler in (handlers or {}).items():
            self.register(key, handler)

    def register(self, key: str, handler: Handler) -> None:
        if not callable(handler):
            raise TypeError(f"handler for {key!r} is not callable")
        self._exact[key] = handler
        alias = _placeholder_name(key)
        if alias is not None:
            self._by_alias.setdefault(alias, handler)
            self._by_alias.setdefault(_strip_arn_suffix(alias), handler)
            return
        self._by_alias.setdefault(key, handler)
        ref = parse_function_ref(key)
        if ref is not None:
            self._by_function[(ref.name, ref.qualifier)] = handler

    def resolve(self, function_ref: str, qualifier: str | None = None) -> Handler | None:
        """The handler for ``function_ref`` (with an optional separate ``Qualifier``), or None."""
        if qualifier is None and function_ref in self._exact:
            return self._exact[function_ref]
        alias = _placeholder_name(function_ref)
        if alias is not None:
            return self._by_alias.get(alias) or self._by_alias.get(_strip_arn_suffix(alias))
        if qualifier is None and function_ref in self._by_alias:
            return self._by_alias[function_ref]
        ref = parse_function_ref(function_ref)
        if ref is None:
            return None
        wanted = ref.qualifier or qualifier
        if wanted is not None and (ref.name, wanted) in self._by_function:
            return self._by_function[(ref.name, wanted)]
        return self._by_function.get((ref.name, None))

    def __contains__(self, function_ref: object) -> bool:
        return isinstance(function_ref, str) and self.resolve(function_ref) is not None

    def __len__(self) -> int:
        return len(self._exact)

    def keys(self) -> list[str]:
        return list(self._exact)

    @classmethod
    def from_specs(cls, specs: Iterable[str], *, search_path: Sequence[str | Path] = ()) -> HandlerRegistry:
        """Load ``NAME=module:function`` specs, importing modules from ``search_path`` first."""
        registry = cls()
        for spec in specs:
            key, handler = _load_spec(spec, search_path)
            registry.register(key, handler)
        return registry


def _load_spec(spec: str, search_path: Sequence[str | Path]) -> tuple[str, Handler]:
    key, eq, target = spec.partition("=")
    module_name, colon, function_name = target.partition(":")
    key, module_name, function_name = key.strip(), module_name.strip(), function_name.strip()
    if not (eq and colon and key and module_name and function_name):
        raise HandlerSpecError(f"--handler {spec}: expected NAME=module:function")
    # Like the Lambda runtime: "dir/mod" means "dir.mod"; tolerate a ".py" suffix.
    module_name = module_name.removesuffix(".py").replace("/", ".")
    for entry in reversed([str(Path(p)) for p in search_path]):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    importlib.invalidate_caches()
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise HandlerSpecError(f"--handler {spec}: module '{module_name}' not found") from None
        raise HandlerSpecError(f"--handler {spec}: importing module '{module_name}' failed: {exc}") from exc
    except Exception as exc:  # the module itself failed while importing
        raise HandlerSpecError(
            f"--handler {spec}: importing module '{module_name}' failed: {type(exc).__name__}: {exc}"
        ) from exc
    handler = getattr(module, function_name, None)
    if handler is None or not callable(handler):
        raise HandlerSpecError(f"--handler {spec}: '{module_name}' has no function '{function_name}'")
    return key, handler


# ---------------------------------------------------------------------------------------------
# The Lambda context object (awslambdaric lambda_context.py)


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, identity: Mapping[str, Any] | None = None) -> None:
        identity = identity or {}
        self.cognito_identity_id = identity.get("cognitoIdentityId")
        self.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")


class Client:
    __slots__ = ("app_package_name", "app_title", "app_version_code", "app_version_name", "installation_id")

    def __init__(self, client: Mapping[str, Any]) -> None:
        for name in self.__slots__:
            setattr(self, name, client.get(name))


class ClientContext:
    __slots__ = ("client", "custom", "env")

    def __init__(self, context: Mapping[str, Any]) -> None:
        client = context.get("client")
        self.client = Client(client) if isinstance(client, Mapping) else client
        self.custom = context.get("custom")
        self.env = context.get("env")


class LambdaContext:
    """The ``context`` a Python handler receives, as the AWS Python runtime builds it.

    ``memory_limit_in_mb`` is a string, as on AWS (read from an environment variable there).
    ``get_remaining_time_in_millis`` uses the ``deadline_ms`` and ``clock_ms`` (epoch ms) given;
    without a deadline it reports ``_NO_DEADLINE_MS``.
    """

    _NO_DEADLINE_MS = 900_000

    def __init__(
        self,
        *,
        aws_request_id: str,
        function_name: str,
        invoked_function_arn: str,
        function_version: str = LATEST,
        memory_limit_in_mb: int | str = 128,
        log_group_name: str | None = None,
        log_stream_name: str | None = None,
        deadline_ms: int | None = None,
        clock_ms: Callable[[], int] | None = None,
        client_context: Mapping[str, Any] | None = None,
        identity: Mapping[str, Any] | None = None,
        tenant_id: str | None = None,
    ) -> None:
        self.aws_request_id = aws_request_id
        self.function_name = function_name
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn
        self.memory_limit_in_mb = str(memory_limit_in_mb)
        self.log_group_name = log_group_name or f"/aws/lambda/{function_name}"
        self.log_stream_name = log_stream_name or (
            f"1970/01/01/[{function_version}]{aws_request_id.replace('-', '')}"
        )
        self.client_context = ClientContext(client_context) if client_context is not None else None
        self.identity = CognitoIdentity(identity)
        self.tenant_id = tenant_id
        self._deadline_ms = deadline_ms
        self._clock_ms = clock_ms

    def get_remaining_time_in_millis(self) -> int:
        if self._deadline_ms is None or self._clock_ms is None:
            return self._NO_DEADLINE_MS
        return max(self._deadline_ms - int(self._clock_ms()), 0)

    def log(self, msg: Any) -> None:
        sys.stdout.write(str(msg))

    def __repr__(self) -> str:
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},client_context={self.client_context},"
            f"identity={self.identity},tenant_id={self.tenant_id}])"
        )


# ---------------------------------------------------------------------------------------------
# One invocation, as the AWS Python runtime performs it


@dataclass(frozen=True, slots=True)
class LambdaResult:
    """A Lambda Invoke response: the body, and ``X-Amz-Function-Error`` when the function failed."""

    body: bytes
    function_error: str | None = None
    content_type: str = "application/json"

    @property
    def ok(self) -> bool:
        return self.function_error is None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def value(self) -> Any:
        """The body as Step Functions reads it: parsed JSON, else the text itself."""
        try:
            return json.loads(self.text)
        except ValueError:
            return self.text


def _json_default(value: Any) -> Any:
    # The runtime's encoder writes Decimals as numbers (boto3's DynamoDB values).
    if isinstance(value, decimal.Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# awslambdaric's marshaller: default separators (", " and ": "); python3.12 sets ensure_ascii=False.
_runtime_json = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=_json_default).encode
# How Step Functions re-serialises JSON (compact, non-ASCII kept).
_compact_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def _error_body(message: str, error_type: str, stack_trace: list[str], request_id: str) -> bytes:
    error = {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack_trace,
    }
    return _runtime_json(error).encode("utf-8")


def _handler_frames(tb: Any) -> list[tuple[str, int, str, str | None]]:
    # Like bootstrap.py: drop the leading frames of the runtime itself (here: this module).
    frames = [(f.filename, f.lineno or 0, f.name, f.line) for f in traceback.extract_tb(tb)]
    for i, frame in enumerate(frames):
        if frame[0] != __file__:
            return frames[i:]
    return frames


def invoke_local(handler: Handler, payload: Any, *, context: LambdaContext) -> LambdaResult:
    """Call ``handler(event, context)`` with a deep copy of ``payload``, as Lambda's runtime does.

    A raised exception gives the runtime's error object with ``errorType`` = the class name and
    ``stackTrace`` = ``traceback.format_list`` of the handler's frames; an unserialisable return
    value gives ``Runtime.MarshalError`` ("Unable to marshal response: ..."); ``bytes`` are
    returned as they are.
    """
    request_id = context.aws_request_id
    try:
        response = handler(copy.deepcopy(payload), context)
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
        message = f"RequestId: {request_id} Error: Runtime exited with error: exit status {status}"
        return LambdaResult(_error_body(message, "Runtime.ExitError", [], request_id), UNHANDLED)
    except Exception as exc:
        stack = traceback.format_list(_handler_frames(exc.__traceback__))
        return LambdaResult(_error_body(str(exc), type(exc).__name__, stack, request_id), UNHANDLED)
    if isinstance(response, bytes | bytearray):
        return LambdaResult(bytes(response), None, "application/unknown")
    try:
        return LambdaResult(_runtime_json(response).encode("utf-8"))
    except (TypeError, ValueError) as exc:
        message = f"Unable to marshal response: {exc}"
        return LambdaResult(_error_body(message, "Runtime.MarshalError", [], request_id), UNHANDLED)


# ---------------------------------------------------------------------------------------------
# Step Functions' view of a Lambda invocation


def error_name(result: LambdaResult) -> str:
    """The ASL error of a failed invocation: the runtime's ``errorType``, else ``Lambda.Unknown``."""
    value = result.value()
    error_type = value.get("errorType") if isinstance(value, dict) else None
    return error_type if isinstance(error_type, str) and error_type else LAMBDA_UNKNOWN


def legacy_outcome(result: LambdaResult) -> TaskOutcome:
    """``arn:aws:lambda:...:function:NAME``: the returned value, or the error JSON verbatim."""
    if result.ok:
        return TaskOutcome.success(result.value())
    return TaskOutcome.failure(error_name(result), result.text)


def service_error_cause(result: LambdaResult) -> str:
    """``lambda:invoke`` cause: the error JSON re-serialised compactly (``{"errorMessage":"..."``)."""
    value = result.value()
    return value if isinstance(value, str) else _compact_json(value)


def lambda_client_error(code: str, message: str, status: int, request_id: str) -> TaskOutcome:
    """A Lambda API error as Step Functions reports it (Java SDK exception text)."""
    cause = (
        f"{message} (Service: AWSLambda; Status Code: {status}; Error Code: {code}; "
        f"Request ID: {request_id}; Proxy: null)"
    )
    return TaskOutcome.failure(f"Lambda.{code}", cause)


def function_not_found(arn: str, request_id: str) -> TaskOutcome:
    """AWS (recorded 2025-11): ``Function not found: arn:...:function:NAME:$LATEST (Service: ...)``."""
    return lambda_client_error("ResourceNotFoundException", f"Function not found: {arn}", 404, request_id)


def http_date(now_ms: int) -> str:
    return formatdate(now_ms / 1000, usegmt=True)


def trace_id(request_id: str, now_ms: int) -> str:
    """An X-Ray trace header derived from the request id (no randomness of our own)."""
    hex_id = hashlib.sha256(request_id.encode("utf-8")).hexdigest()
    return f"root=1-{now_ms // 1000:08x}-{hex_id[:24]};parent={hex_id[16:32]};sampled=0"


def invoke_response(
    result: LambdaResult,
    *,
    request_id: str,
    now_ms: int,
    executed_version: str = LATEST,
    status_code: int = 200,
    log_result: str | None = None,
) -> dict[str, Any]:
    """The ``lambda:invoke`` task output: Lambda's Invoke response as Step Functions renders it.

    Keys, header names and both header orders as in recorded AWS runs (``AllHttpHeaders`` in the
    SDK's order with list values, ``HttpHeaders`` sorted case-insensitively).
    """
    synchronous = status_code == 200
    headers: dict[str, str] = {}
    if log_result is not None:
        headers["X-Amz-Log-Result"] = log_result
    if synchronous:
        headers["X-Amz-Executed-Version"] = executed_version
    headers["x-amzn-Remapped-Content-Length"] = "0"
    headers["Connection"] = "keep-alive"
    headers["x-amzn-RequestId"] = request_id
    headers["Content-Length"] = str(len(result.body))
    headers["Date"] = http_date(now_ms)
    headers["X-Amzn-Trace-Id"] = trace_id(request_id, now_ms)
    if synchronous:
        headers["Content-Type"] = result.content_type
    output: dict[str, Any] = {}
    if synchronous:
        output["ExecutedVersion"] = executed_version
    if log_result is not None:
        output["LogResult"] = log_result
    output["Payload"] = result.value() if result.body else ""
    output["SdkHttpMetadata"] = {
        "AllHttpHeaders": {name: [value] for name, value in headers.items()},
        "HttpHeaders": dict(sorted(headers.items(), key=lambda item: item[0].lower())),
        "HttpStatusCode": status_code,
    }
    output["SdkResponseMetadata"] = {"RequestId": request_id}
    output["StatusCode"] = status_code
    return output


def _request_payload(payload: Any) -> tuple[bool, Any]:
    """The event ``lambda:invoke`` sends for ``Payload``: (ok, event) or (False, Lambda's message).

    Absent or null -> ``{}`` (recorded: ``Payload: null`` gives ``{}``); a string is sent as the
    raw request body (recorded: ``"0"`` -> 0, ``"\\"HelloWorld\\""`` -> "HelloWorld"), so text that
    is not JSON is rejected by Lambda; any other value is sent as its JSON.
    """
    if payload is None:
        return True, {}
    if not isinstance(payload, str):
        return True, payload
    try:
        return True, json.loads(payload)
    except ValueError:
        return False, _unparsable_payload_message(payload)


def _unparsable_payload_message(text: str) -> str:
    # Lambda's (Jackson's) message, best effort: only the token/column shape is reproduced.
    m = re.match(r"[^\s\[\]{}:,\"]+", text)
    prefix = "Could not parse request body into json: Could not parse payload into json: "
    expecting = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
    if m is not None:
        column = m.end() + (2 if m.end() < len(text) else 1)
        detail = f"Unrecognized token '{m.group()}': was expecting {expecting}"
    else:
        column = 1
        char = text[:1] or " "
        detail = f"Unexpected character ('{char}' (code {ord(char)})): expected a valid value {expecting}"
    return f'{prefix}{detail}\n at [Source: (byte[])"{text}"; line: 1, column: {column}]'


def _decode_client_context(text: Any) -> Mapping[str, Any] | None:
    decoded = json.loads(base64.b64decode(str(text), validate=True))
    if not isinstance(decoded, dict):
        raise ValueError("not an object")
    return decoded


# ---------------------------------------------------------------------------------------------
# The runner


class LocalLambdaRunner:
    """Runs Lambda tasks (legacy ARN, ``lambda:invoke[.waitForTaskToken]``, claimed unknown
    resources) with local handlers and reports ``TaskOutcome``s shaped as AWS reports them.

    For ``.waitForTaskToken`` the outcome is the invocation's: a failure fails the task, a success
    means the engine now waits for the token. ``InvocationType: Event`` runs the handler before
    reporting 202 (its failures are dropped, as Lambda's asynchronous invocations are).

    What a handler writes (stdout, stderr, logging, Powertools JSON lines) is captured per
    invocation (``adapters.log_capture``), with the runtime's ``[ERROR]`` line for an unhandled
    exception, and returned as the outcome's ``logs``; with ``echo_logs`` it still reaches the
    terminal too.
    """

    def __init__(
        self,
        registry: HandlerRegistry,
        *,
        region: str = "us-east-1",
        account: str = "123456789012",
        partition: str = "aws",
        memory_mb: int = 128,
        timeout_seconds: float = 3,
        clock_ms: Callable[[], int] | None = None,
        echo_logs: bool = True,
    ) -> None:
        self.registry = registry
        self.region, self.account, self.partition = region, account, partition
        self.memory_mb = memory_mb
        self.timeout_ms = int(timeout_seconds * 1000)
        self._clock_ms = clock_ms
        self.echo_logs = echo_logs

    def claims(self, resource: Resource) -> bool:
        """Lambda resources always; an unknown resource only when a handler is registered for it."""
        if resource.kind == UNKNOWN:
            return self.registry.resolve(resource.raw) is not None
        return resource.kind == LAMBDA_LEGACY or resource.is_lambda_invoke

    def run(self, resource: Resource, payload: Any, *, request_id: str, now_ms: int = 0) -> TaskOutcome:
        """Perform one task attempt. ``payload`` is the state's effective parameters/input."""
        if resource.is_lambda_invoke:
            return self._run_invoke(payload, request_id=request_id, now_ms=now_ms)
        if resource.kind not in (LAMBDA_LEGACY, UNKNOWN):
            raise ValueError(f"not a Lambda resource: {resource.raw}")
        handler = self.registry.resolve(resource.raw)
        ref = parse_function_ref(resource.raw) if resource.kind == LAMBDA_LEGACY else None
        if handler is None:
            return function_not_found(self._arn_for(ref, resource.raw, None), request_id)
        context = self._context(ref, resource.raw, None, request_id, now_ms, None)
        result, logs = self._invoke(handler, payload, context, now_ms)
        return _with_logs(legacy_outcome(result), logs)

    def _invoke(
        self, handler: Handler, event: Any, context: LambdaContext, now_ms: int
    ) -> tuple[LambdaResult, tuple[dict[str, Any], ...]]:
        """``invoke_local`` with what the handler writes captured (and the runtime's error line)."""
        with capture_logs(self._clock_ms or (lambda: now_ms), echo=self.echo_logs) as capture:
            result = invoke_local(handler, event, context=context)
        if not result.ok:
            error = result.value()
            if isinstance(error, dict):
                text = f"[ERROR] {error.get('errorType')}: {error.get('errorMessage')}"
                stack = error.get("stackTrace") or []
                if stack:
                    text += "\nTraceback (most recent call last):\n" + "".join(map(str, stack)).rstrip("\n")
                capture.add("ERROR", text, {"errorType": error.get("errorType")})
        return result, tuple(capture.lines)

    def _run_invoke(self, parameters: Any, *, request_id: str, now_ms: int) -> TaskOutcome:
        if not isinstance(parameters, dict) or not isinstance(parameters.get("FunctionName"), str):
            return TaskOutcome.failure(
                "States.Runtime", "lambda:invoke requires Parameters/Arguments with a string FunctionName"
            )
        function_name: str = parameters["FunctionName"]
        qualifier = parameters.get("Qualifier")
        qualifier = str(qualifier) if qualifier is not None else None
        ref = parse_function_ref(function_name)
        handler = self.registry.resolve(function_name, qualifier)
        if handler is None:
            return function_not_found(self._arn_for(ref, function_name, qualifier), request_id)
        ok, event = _request_payload(parameters.get("Payload"))
        if not ok:
            return lambda_client_error("InvalidRequestContentException", event, 400, request_id)
        client_context = None
        if parameters.get("ClientContext") is not None:
            try:
                client_context = _decode_client_context(parameters["ClientContext"])
            except ValueError:
                message = "Client context must be a valid Base64-encoded JSON object."
                return lambda_client_error("InvalidRequestContentException", message, 400, request_id)
        invocation_type = parameters.get("InvocationType", "RequestResponse")
        if invocation_type == "DryRun":
            return TaskOutcome.success(
                invoke_response(LambdaResult(b""), request_id=request_id, now_ms=now_ms, status_code=204)
            )
        context = self._context(ref, function_name, qualifier, request_id, now_ms, client_context)
        result, logs = self._invoke(handler, event, context, now_ms)
        if invocation_type == "Event":
            return _with_logs(
                TaskOutcome.success(
                    invoke_response(LambdaResult(b""), request_id=request_id, now_ms=now_ms, status_code=202)
                ),
                logs,
            )
        if not result.ok:
            return _with_logs(TaskOutcome.failure(error_name(result), service_error_cause(result)), logs)
        log_result = None
        if parameters.get("LogType") == "Tail":
            log_result = self._log_tail(request_id, context.function_version, logs)
        outcome = TaskOutcome.success(
            invoke_response(
                result,
                request_id=request_id,
                now_ms=now_ms,
                executed_version=context.function_version,
                log_result=log_result,
            )
        )
        return _with_logs(outcome, logs)

    def _arn_for(self, ref: FunctionRef | None, text: str, qualifier: str | None) -> str:
        # Lambda names the missing function with its qualifier, $LATEST by default.
        if ref is None:
            return text
        arn = ref.arn(region=self.region, account=self.account, partition=self.partition)
        return f"{arn}:{ref.qualifier or qualifier or LATEST}"

    def _context(
        self,
        ref: FunctionRef | None,
        text: str,
        qualifier: str | None,
        request_id: str,
        now_ms: int,
        client_context: Mapping[str, Any] | None,
    ) -> LambdaContext:
        if ref is None:
            alias = _placeholder_name(text)
            ref = FunctionRef(_strip_arn_suffix(alias) if alias else text)
        wanted = ref.qualifier or qualifier
        version = wanted if wanted and wanted.isdigit() else LATEST
        invoked = ref.arn(region=self.region, account=self.account, partition=self.partition)
        if wanted:
            invoked = f"{invoked}:{wanted}"
        day = datetime.fromtimestamp(now_ms / 1000, UTC).strftime("%Y/%m/%d")
        return LambdaContext(
            aws_request_id=request_id,
            function_name=ref.name,
            invoked_function_arn=invoked,
            function_version=version,
            memory_limit_in_mb=self.memory_mb,
            log_stream_name=f"{day}/[{version}]{request_id.replace('-', '')}",
            deadline_ms=now_ms + self.timeout_ms,
            clock_ms=self._clock_ms or (lambda: now_ms),
            client_context=client_context,
        )

    def _log_tail(self, request_id: str, version: str, logs: Sequence[dict[str, Any]] = ()) -> str:
        # LogType Tail: base64 of the log's last 4 KB: the platform's START/END/REPORT lines
        # around what the handler wrote.
        written = "".join(f"{line['message']}\n" for line in logs)
        lines = (
            f"START RequestId: {request_id} Version: {version}\n"
            f"{written}"
            f"END RequestId: {request_id}\n"
            f"REPORT RequestId: {request_id}\tDuration: 0.00 ms\tBilled Duration: 1 ms\t"
            f"Memory Size: {self.memory_mb} MB\tMax Memory Used: {self.memory_mb} MB\t\n"
        )
        return base64.b64encode(lines.encode("utf-8")[-4096:]).decode("ascii")


def _with_logs(outcome: TaskOutcome, logs: tuple[dict[str, Any], ...]) -> TaskOutcome:
    return replace(outcome, logs=logs) if logs else outcome
