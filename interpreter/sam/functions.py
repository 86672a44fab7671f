"""``AWS::Serverless::Function`` (after the SAM transform, ``AWS::Lambda::Function``) to a local
Python handler.

The function's code directory is its ``CodeUri`` (a local path, relative to the template, as
``sam build`` reads it; Globals apply) and ``Handler`` is ``module.function`` as the Lambda
Python runtime reads it: split at the last dot, ``/`` in the module part meaning a package
(``src/app.handler`` is ``src.app``). Modules are imported the way ``--handler NAME=module:function``
imports them (``HandlerRegistry.from_specs``, the code directory first on ``sys.path``), so a
module shared by several functions is imported once, as ``functions/`` modules are in the tests.
``InlineCode`` runs as a module of its own.

The function's ``Environment.Variables`` (resolved: ``!Ref Table`` is the local table name) are
set in ``os.environ`` before any module is imported, as Lambda sets them before the cold start,
with ``AWS_REGION``/``AWS_DEFAULT_REGION`` (the run's region, where the template's resources are)
and, for moto, its fake credentials (Lambda sets the role's). All functions share this process and
its one environment: the functions the state machine uses are applied last (their values win), and
a variable two of them set differently is reported.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interpreter.adapters.lambda_local import Handler, HandlerRegistry, HandlerSpecError

from .errors import TemplateError
from .intrinsics import Resolver


@dataclass(frozen=True, slots=True)
class LocalFunction:
    """One Lambda function of the template, as a local run sees it."""

    logical_id: str
    name: str
    arn: str
    handler: str | None = None  # "module.function"
    code_dir: Path | None = None
    inline_code: str | None = None
    runtime: str | None = None
    environment: dict[str, str] = field(default_factory=dict)
    problem: str | None = None  # why it cannot run here; None when it can

    @property
    def where(self) -> str:
        return f"/Resources/{self.logical_id}"


def local_functions(resolver: Resolver) -> dict[str, LocalFunction]:
    """Every ``AWS::Lambda::Function`` of the template, by logical id."""
    result = {}
    for logical_id, resource in resolver.cfn.resources.items():
        if resource.get("Type") == "AWS::Lambda::Function" and resolver.resource(logical_id) is not None:
            result[logical_id] = _describe(resolver, logical_id)
    return result


def _describe(resolver: Resolver, logical_id: str) -> LocalFunction:
    where = f"/Resources/{logical_id}"
    values = resolver.attributes(logical_id, where)
    base = {"logical_id": logical_id, "name": values["Name"], "arn": values["Arn"]}
    if resolver.property(logical_id, "PackageType") == "Image":
        return LocalFunction(**base, problem="it is a container image function (PackageType: Image)")
    runtime = resolver.property(logical_id, "Runtime")
    if not (isinstance(runtime, str) and runtime.startswith("python")):
        return LocalFunction(
            **base, runtime=runtime, problem=f"its Runtime is {runtime}; stepfn runs Python functions only"
        )
    handler = resolver.property(logical_id, "Handler")
    if not isinstance(handler, str) or "." not in handler:
        return LocalFunction(**base, problem=f"its Handler {handler!r} is not 'module.function'")
    environment_property = resolver.property(logical_id, "Environment")
    variables = environment_property.get("Variables") if isinstance(environment_property, dict) else None
    if not isinstance(variables, dict):
        variables = {}
    environment = {
        str(k): resolver.resolve_text(v, f"{where}/Properties/Environment/Variables/{k}")
        for k, v in variables.items()
    }
    code = resolver.property(logical_id, "Code")
    code = code if isinstance(code, dict) else {}
    described = LocalFunction(**base, handler=handler, runtime=runtime, environment=environment)
    if isinstance(code.get("ZipFile"), str):
        return _replace(described, inline_code=code["ZipFile"])
    path = resolver.cfn.local_path(code)
    if path is None:
        location = code.get("S3Bucket") and f"s3://{code.get('S3Bucket')}/{code.get('S3Key')}"
        return _replace(described, problem=f"its code is not a local directory (CodeUri {location or code})")
    code_dir = (resolver.doc.base_dir / path).resolve()
    if not code_dir.is_dir():
        kind = "a file, not a directory" if code_dir.exists() else "missing"
        return _replace(described, problem=f"its CodeUri {path} is {kind} ({code_dir})")
    return _replace(described, code_dir=code_dir)


def _replace(function: LocalFunction, **changes: Any) -> LocalFunction:
    fields = {name: getattr(function, name) for name in LocalFunction.__dataclass_fields__}
    return LocalFunction(**{**fields, **changes})


def apply_environment(
    functions: list[LocalFunction],
    region: str,
    credentials: dict[str, str] | None = None,
    *,
    needed: set[str] | frozenset[str] | None = None,
) -> list[str]:
    """Set the functions' variables (and ``credentials``) in ``os.environ``; returns notes about
    variables two functions set differently.

    ``needed`` (logical ids: the functions the state machine refers to) are applied last, so their
    values win over the template's other functions' (the stepfn engine's functions set
    ``POWERTOOLS_SERVICE_NAME`` too), and only a variable two of them set differently is reported:
    that is the clash a run can trip over. Without ``needed``, every function counts."""
    notes: list[str] = []
    owner: dict[str, str] = {}
    wanted = {f.logical_id for f in functions} if needed is None else set(needed)
    os.environ.update(credentials or {})
    for function in sorted(functions, key=lambda f: f.logical_id in wanted):  # stable: template order
        for key, value in function.environment.items():
            clash = key in owner and os.environ.get(key) != value
            if clash and function.logical_id in wanted and owner[key] in wanted:
                notes.append(
                    f"{function.logical_id} and {owner[key]} set {key} differently; the functions share "
                    f"one process here, so {function.logical_id}'s value is used"
                )
            owner[key] = function.logical_id
            os.environ[key] = value
    os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = region
    return notes


def load_handler(function: LocalFunction) -> Handler:
    """Import the function's handler; a ``TemplateError`` says why it cannot be."""
    if function.problem is not None:
        raise TemplateError(
            f"{function.logical_id} cannot run locally: {function.problem}", where=function.where
        )
    assert function.handler is not None
    module_name, _, attribute = function.handler.rpartition(".")
    module_name = module_name.replace("/", ".")
    if function.inline_code is not None:
        return _inline_handler(function, attribute)
    assert function.code_dir is not None
    relative = Path(*module_name.split("."))
    candidates = [
        function.code_dir / relative.with_suffix(".py"),
        function.code_dir / relative / "__init__.py",
    ]
    file = next((c for c in candidates if c.is_file()), None)
    if file is None:
        raise TemplateError(
            f"{function.logical_id}: Handler {function.handler!r} needs {relative}.py in its CodeUri "
            f"directory {function.code_dir}, and there is none",
            where=f"{function.where}/Properties/Handler",
        )
    handler = _import(function, module_name, attribute, file)
    if handler is None:
        raise TemplateError(
            f"{function.logical_id}: Handler {function.handler!r}: module {module_name} ({file}) has no "
            f"function {attribute!r}",
            where=f"{function.where}/Properties/Handler",
        )
    return handler


def _import(function: LocalFunction, module_name: str, attribute: str, file: Path) -> Handler | None:
    loaded = sys.modules.get(module_name)
    if loaded is not None and _file_of(loaded) != file.resolve():
        # Another directory's module of the same name is imported already (two functions with an
        # app.py each): load this one under a name of its own.
        return _import_file(function, module_name, attribute, file)
    try:
        registry = HandlerRegistry.from_specs(
            [f"{function.name}={module_name}:{attribute}"], search_path=[function.code_dir or file.parent]
        )
    except HandlerSpecError as err:
        if "has no function" in str(err):
            return None
        detail = str(err).split(": ", 1)[-1]
        raise TemplateError(
            f"{function.logical_id}: Handler {function.handler!r}: {detail}",
            where=f"{function.where}/Properties/Handler",
        ) from None
    if _file_of(sys.modules[module_name]) != file.resolve():
        return _import_file(function, module_name, attribute, file)
    return registry.resolve(function.name)


def _import_file(function: LocalFunction, module_name: str, attribute: str, file: Path) -> Handler | None:
    unique = f"_stepfn_sam_{function.logical_id}.{module_name}"
    spec = importlib.util.spec_from_file_location(unique, file)
    if spec is None or spec.loader is None:
        raise TemplateError(f"{function.logical_id}: cannot import {file}", where=function.where)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(function.code_dir))
    try:
        spec.loader.exec_module(module)
    except Exception as err:
        raise TemplateError(
            f"{function.logical_id}: importing {file} failed: {type(err).__name__}: {err}",
            where=function.where,
        ) from None
    handler = getattr(module, attribute, None)
    return handler if callable(handler) else None


def _file_of(module: types.ModuleType) -> Path | None:
    file = getattr(module, "__file__", None)
    return Path(file).resolve() if file else None


def _inline_handler(function: LocalFunction, attribute: str) -> Handler:
    module = types.ModuleType(f"_stepfn_sam_inline_{function.logical_id}")
    try:
        code = compile(function.inline_code or "", f"<{function.logical_id} InlineCode>", "exec")
        exec(code, module.__dict__)
    except Exception as err:
        raise TemplateError(
            f"{function.logical_id}: its InlineCode failed: {type(err).__name__}: {err}",
            where=f"{function.where}/Properties/Code",
        ) from None
    handler = module.__dict__.get(attribute)
    if not callable(handler):
        raise TemplateError(
            f"{function.logical_id}: its InlineCode has no function {attribute!r}",
            where=f"{function.where}/Properties/Handler",
        )
    return handler  # type: ignore[no-any-return]


def _runtime_error(error_type: str) -> type[Exception]:
    # Lambda's own errorType names contain a dot; the local runner reports type(exc).__name__.
    return type(error_type, (Exception,), {})


ImportModuleError = _runtime_error("Runtime.ImportModuleError")


def lazy_handler(function: LocalFunction) -> Callable[[Any, Any], Any]:
    """A handler that imports the function's module at its first invocation (a failure to
    import is ``Runtime.ImportModuleError``, as on Lambda)."""
    lock = threading.Lock()
    loaded: list[Handler] = []

    def handler(event: Any, context: Any) -> Any:
        with lock:
            if not loaded:
                try:
                    loaded.append(load_handler(function))
                except TemplateError as err:
                    raise ImportModuleError(
                        f"Unable to import module for {function.logical_id}: {err.message}"
                    ) from None
        return loaded[0](event, context)

    return handler


def unavailable_handler(function: LocalFunction, reason: str) -> Callable[[Any, Any], Any]:
    """A stand-in for a function that could not be loaded: invoking it fails as Lambda does
    when the module cannot be imported (``Runtime.ImportModuleError``)."""

    def handler(event: Any, context: Any) -> Any:
        raise ImportModuleError(f"Unable to import module for {function.logical_id}: {reason}")

    return handler
