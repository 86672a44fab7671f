"""A SAM application, loaded for a local run: its state machines, functions and resources.

``SamApp.load("template.yaml")`` parses and translates the template (no AWS call).
``prepare(...)`` then makes one state machine runnable: its definition with every
``DefinitionSubstitutions`` value resolved to a local name/ARN/URL, the template's Python
functions as local handlers, and (for moto) the template's tables, queues, topics, buckets and
buses created and seeded. The result, a ``LocalRun``, is what ``interpreter.run`` / the CLI need.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interpreter.adapters.lambda_local import HandlerRegistry
from interpreter.errors import DefinitionError, Problem
from interpreter.model import StateMachine

from . import functions as fn
from .document import TemplateDocument, load_document
from .errors import TemplateError
from .intrinsics import Resolver, references
from .provision import Created, create_resources
from .resources import Target
from .seed import apply_seed
from .translate import CfnTemplate, to_cloudformation

STATE_MACHINE = "AWS::StepFunctions::StateMachine"
_PLACEHOLDER = re.compile(r"\$\{([^{}\s]+)\}")


@dataclass(frozen=True, slots=True)
class StateMachineInfo:
    logical_id: str
    name: str
    arn: str
    execution_type: str  # STANDARD | EXPRESS


@dataclass(frozen=True, slots=True)
class Definition:
    """A state machine's definition before compiling: where it is, and its substitutions."""

    document: dict[str, Any]
    substitutions: dict[str, str]
    source: str  # the file it came from: the DefinitionUri file, or the template (inline)
    pointer: str = ""  # where an inline definition sits in the template
    path: Path | None = None  # the DefinitionUri file


@dataclass
class LocalRun:
    """One state machine of a template, ready to run locally."""

    app: SamApp
    state_machine: StateMachineInfo
    machine: StateMachine
    handlers: HandlerRegistry
    substitutions: dict[str, str]
    definition_source: str
    created: list[Created] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    machines: dict[str, StateMachine] = field(default_factory=dict)  # every state machine, by ARN


class SamApp:
    """A parsed and translated template, with a resolver for a run's region and account."""

    def __init__(self, doc: TemplateDocument, cfn: CfnTemplate, resolver: Resolver) -> None:
        self.doc, self.cfn, self.resolver = doc, cfn, resolver

    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        target: Target | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> SamApp:
        target = target or Target()
        doc = load_document(path)
        cfn = to_cloudformation(doc, region=target.region, parameters=parameters or {})
        return cls(doc, cfn, Resolver(doc, cfn, target, parameters))

    @property
    def target(self) -> Target:
        return self.resolver.target

    # -- state machines --------------------------------------------------------------------

    @property
    def state_machines(self) -> dict[str, StateMachineInfo]:
        result = {}
        for logical_id, resource in self.cfn.resources.items():
            if resource.get("Type") == STATE_MACHINE and self.resolver.resource(logical_id) is not None:
                values = self.resolver.attributes(logical_id, f"/Resources/{logical_id}")
                kind = self.resolver.property(logical_id, "StateMachineType") or "STANDARD"
                result[logical_id] = StateMachineInfo(logical_id, values["Name"], values["Arn"], str(kind))
        return result

    def select(self, wanted: str | None = None, *, definition_file: str | Path | None = None) -> str:
        """The logical id of the state machine to run: ``wanted`` (a logical id or name), the one
        whose ``DefinitionUri`` is ``definition_file``, or the template's only one."""
        machines = self.state_machines
        listing = ", ".join(machines) or "none"
        if wanted is not None:
            for info in machines.values():
                if wanted in (info.logical_id, info.name):
                    return info.logical_id
            raise self.doc.error(
                f"no state machine {wanted!r} in the template (its state machines: {listing})"
            )
        if definition_file is not None:
            target = Path(definition_file).resolve()
            for logical_id in machines:
                if self.definition_path(logical_id) == target:
                    return logical_id
            raise self.doc.error(
                f"no state machine of the template has DefinitionUri {definition_file} "
                f"(its state machines: {listing})"
            )
        if len(machines) == 1:
            return next(iter(machines))
        if not machines:
            raise self.doc.error("the template has no state machine (AWS::Serverless::StateMachine)")
        raise self.doc.error(
            f"the template has {len(machines)} state machines; pick one with --state-machine: {listing}"
        )

    def definition_path(self, logical_id: str) -> Path | None:
        """The local file of a state machine's ``DefinitionUri``, or None."""
        resource = self.cfn.resources.get(logical_id) or {}
        local = self.cfn.local_path((resource.get("Properties") or {}).get("DefinitionS3Location"))
        return (self.doc.base_dir / local).resolve() if local is not None else None

    def definition(self, logical_id: str, extra_substitutions: dict[str, str] | None = None) -> Definition:
        """The definition document and its resolved substitutions (``extra`` ones win)."""
        where = f"/Resources/{logical_id}/Properties"
        properties = (self.cfn.resources[logical_id].get("Properties")) or {}
        raw_subs = properties.get("DefinitionSubstitutions") or {}
        if not isinstance(raw_subs, dict):
            raise self.doc.error(
                "DefinitionSubstitutions must be a mapping", f"{where}/DefinitionSubstitutions"
            )
        substitutions = {
            str(key): self.resolver.resolve_text(value, f"{where}/DefinitionSubstitutions/{key}")
            for key, value in raw_subs.items()
        }
        substitutions.update(extra_substitutions or {})
        document, text, source, pointer = self._definition_document(logical_id, where)
        path = self.definition_path(logical_id)
        missing = sorted({name for name in _PLACEHOLDER.findall(text) if name not in substitutions})
        if missing:
            names = ", ".join("${" + name + "}" for name in missing)
            raise self.doc.error(
                f"{source} uses {names}, which DefinitionSubstitutions does not define "
                "(add it there, or give it with --sub NAME=VALUE)",
                f"{where}/DefinitionSubstitutions",
            )
        return Definition(document, substitutions, source, pointer, path)

    def _definition_document(self, logical_id: str, where: str) -> tuple[dict[str, Any], str, str, str]:
        properties = self.cfn.resources[logical_id].get("Properties") or {}
        path = self.definition_path(logical_id)
        if path is not None:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as err:
                raise self.doc.error(
                    f"DefinitionUri {path}: cannot read: {err.strerror}", f"{where}/DefinitionUri"
                ) from None
            source = _display(path)
            try:
                document = json.loads(text)
            except json.JSONDecodeError as err:
                raise TemplateError(
                    f"not valid JSON: {err.msg} (column {err.colno})", source=source, line=err.lineno
                ) from None
            return document, text, source, ""
        original = (self.doc.data["Resources"].get(logical_id) or {}).get("Properties") or {}
        if "DefinitionUri" in original or "DefinitionS3Location" in properties:
            raise self.doc.error(
                "the definition is in S3; stepfn needs a local file (DefinitionUri: statemachine/x.asl.json)",
                f"{where}/DefinitionUri",
            )
        if isinstance(original.get("Definition"), dict):  # SAM: the template's own inline definition
            pointer = f"{where}/Definition"
            document = self.resolver.resolve(original["Definition"], pointer)
        elif isinstance(properties.get("Definition"), dict):
            pointer = f"{where}/Definition"
            document = self.resolver.resolve(properties["Definition"], pointer)
        elif "DefinitionString" in properties:
            pointer = f"{where}/DefinitionString"
            text = self.resolver.resolve_text(properties["DefinitionString"], pointer)
            try:
                document = json.loads(text)
            except json.JSONDecodeError as err:
                raise self.doc.error(f"DefinitionString is not valid JSON: {err.msg}", pointer) from None
        else:
            raise self.doc.error("the state machine has no Definition or DefinitionUri", where)
        return document, json.dumps(document), self.doc.source, pointer

    def compile(self, logical_id: str, extra_substitutions: dict[str, str] | None = None) -> StateMachine:
        """The state machine, validated and compiled (``DefinitionError`` lists its problems)."""
        return self.compile_definition(self.definition(logical_id, extra_substitutions))

    def compile_definition(self, definition: Definition) -> StateMachine:
        from interpreter.loading import load_definition

        source: Path | dict[str, Any] = definition.path or definition.document
        try:
            return load_definition(source, definition.substitutions, name=definition.source)
        except DefinitionError as err:
            if not definition.pointer:
                err.source = definition.source  # type: ignore[attr-defined]  # read by the CLI
                raise
            problems = [
                Problem(definition.pointer + p.pointer, p.message, p.code, p.severity) for p in err.problems
            ]
            raise DefinitionError(problems) from None

    # -- functions -------------------------------------------------------------------------

    def functions(self) -> dict[str, fn.LocalFunction]:
        return fn.local_functions(self.resolver)

    def needed_functions(self, logical_id: str, definition: Definition) -> set[str]:
        """The functions a state machine refers to: through its substitutions or inline
        definition (``!GetAtt Fn.Arn``), or by name or ARN in the definition."""
        properties = self.cfn.resources[logical_id].get("Properties") or {}
        original = (self.doc.data["Resources"].get(logical_id) or {}).get("Properties") or {}
        named = set(references(properties.get("DefinitionSubstitutions"))) | set(
            references(original.get("Definition"))
        )
        text = json.dumps(definition.document)
        text = _PLACEHOLDER.sub(lambda m: definition.substitutions.get(m.group(1), m.group(0)), text)
        needed = set()
        for function_id, function in self.functions().items():
            if function_id in named or f":function:{function.name}" in text or f'"{function.name}"' in text:
                needed.add(function_id)
        return needed

    def handlers(
        self, needed: set[str] | frozenset[str] = frozenset(), *, credentials: dict[str, str] | None = None
    ) -> tuple[HandlerRegistry, list[str]]:
        """Every function as a local handler. The ``needed`` ones are imported now, and one that
        cannot be is an error; the others are imported when first invoked (a state machine may
        name them at run time), failing then as Lambda does (``Runtime.ImportModuleError``).
        ``credentials`` (``AWS_ACCESS_KEY_ID`` ...) go into the environment, as Lambda puts the
        role's there (moto's fake ones for ``--aws moto``)."""
        functions = self.functions()
        runnable = [f for f in functions.values() if f.problem is None]
        notes = fn.apply_environment(runnable, self.target.region, credentials, needed=needed)
        registry = HandlerRegistry()
        for logical_id, function in functions.items():
            if logical_id in needed:
                try:
                    handler = fn.load_handler(function)
                except TemplateError as err:
                    raise err.located(self.doc.source, self.doc.line_of(err.where)) from None
            elif function.problem is not None:
                notes.append(f"{logical_id} cannot run locally: {function.problem}")
                handler = fn.unavailable_handler(function, function.problem)
            else:
                handler = fn.lazy_handler(function)
            registry.register(function.name, handler)  # its ARN resolves to the name too
        return registry, notes

    # -- resources -------------------------------------------------------------------------

    def create_resources(self, session: Any) -> tuple[list[Created], list[str]]:
        return create_resources(session, self.resolver)

    def seed(self, session: Any, path: str | Path) -> list[str]:
        return apply_seed(session, self.resolver, path)


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def target_for(session: Any, *, account: str | None = None, stack_name: str = "stepfn-local") -> Target:
    """The region and account a boto3 session works in (STS says which account)."""
    region = getattr(session, "region_name", None) or "us-east-1"
    if account is None:
        try:
            account = str(session.client("sts").get_caller_identity()["Account"])
        except Exception as err:
            raise TemplateError(
                f"cannot tell which AWS account to use: {type(err).__name__}: {err}"
            ) from None
    partition = (
        "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"
    )
    return Target(region=region, account=account, partition=partition, stack_name=stack_name)


def prepare(
    template: str | Path,
    *,
    aws: Any = None,
    state_machine: str | None = None,
    definition_file: str | Path | None = None,
    create: bool | None = None,
    seed: str | Path | None = None,
    parameters: dict[str, Any] | None = None,
    substitutions: dict[str, str] | None = None,
    handlers: HandlerRegistry | dict[str, Any] | None = None,
    target: Target | None = None,
) -> LocalRun:
    """Make one state machine of ``template`` runnable locally.

    ``aws`` is where the run's AWS calls go: an ``AwsHandle`` (``adapters.aws.aws_session``) or a
    boto3 ``Session``. With moto's handle (or ``create=True``) the template's resources are
    created through it and moto's credentials go into the functions' environment (Lambda puts
    the role's there); with real AWS nothing is created. Then ``seed`` (a seed file) is
    applied. Without ``aws`` nothing is created and names use ``target`` (default us-east-1 /
    123456789012). ``substitutions`` and ``handlers`` (``--sub``/``--handler``) win over the
    template's. ``LocalRun.machines`` holds every state machine of the template by ARN, for
    ``run(..., machines=local.machines)`` (nested ``states:startExecution`` tasks).
    """
    session = getattr(aws, "session", aws)
    if create is None:
        create = getattr(aws, "mode", None) == "moto"
    if target is None:
        target = target_for(session) if session is not None else Target()
    app = SamApp.load(template, target=target, parameters=parameters)
    logical_id = app.select(state_machine, definition_file=definition_file)
    info = app.state_machines[logical_id]
    definition = app.definition(logical_id, substitutions)
    machine = app.compile_definition(definition)
    skipped_machines: list[str] = []
    machines = {info.arn: machine}
    for other_id, other in app.state_machines.items():  # for states:startExecution tasks
        if other_id != logical_id:
            try:
                machines[other.arn] = app.compile(other_id, substitutions)
            except (TemplateError, DefinitionError) as err:
                first = str(err).splitlines()[0]
                skipped_machines.append(f"{other_id} cannot be started as a nested execution: {first}")
    credentials = _credentials(session) if create else None
    registry, notes = app.handlers(app.needed_functions(logical_id, definition), credentials=credentials)
    notes.extend(skipped_machines)
    extra = handlers if isinstance(handlers, HandlerRegistry) else HandlerRegistry(handlers or {})
    for key in extra.keys():  # noqa: SIM118  (a HandlerRegistry, not a dict)
        handler = extra.resolve(key)
        if handler is not None:
            registry.register(key, handler)
    created: list[Created] = []
    if session is not None and create:
        created, skipped = app.create_resources(session)
        notes.extend(skipped)
    if seed is not None:
        if session is None:
            raise TemplateError(
                "a seed file needs an AWS session (--aws moto or --aws real)", source=str(seed)
            )
        notes.extend(app.seed(session, seed))
    return LocalRun(
        app=app,
        state_machine=info,
        machine=machine,
        handlers=registry,
        substitutions=definition.substitutions,
        definition_source=definition.source,
        created=created,
        notes=notes,
        machines=machines,
    )


def _credentials(session: Any) -> dict[str, str] | None:
    """The session's credentials as Lambda's environment variables."""
    credentials = session.get_credentials() if session is not None else None
    if credentials is None:
        return None
    frozen = credentials.get_frozen_credentials()
    values = {"AWS_ACCESS_KEY_ID": frozen.access_key, "AWS_SECRET_ACCESS_KEY": frozen.secret_key}
    if frozen.token:
        values["AWS_SESSION_TOKEN"] = frozen.token
    return values
