"""``stepfn``: run and validate ASL state machines from the command line.

    stepfn run FILE [INPUT_FILE | --input JSON | --input-file F] [--sub NAME=VALUE] [--sub-file F]
                    [--handler NAME=module:function] [--virtual-time] [--json [--history]] [--name NAME]
                    [--mock-config FILE --test-case [MACHINE#]NAME] [--aws moto|real]
    stepfn run --template template.yaml [--state-machine ID] [--seed F] [INPUT_FILE]   (docs/sam.md)
    stepfn validate FILE...
    stepfn schema
    stepfn graph FILE [--format mermaid|dot|svg] [--output F]          (docs/graph.md)
    stepfn executions | describe | history | stop | redrive | send-task-success | send-task-failure
           | resume | serve          (the execution store; see ``cli_store``)
    stepfn logs EXECUTION [--state S] [--level L] [--follow] [--json] | --file F   (``cli_logs``)

``run`` records every execution in the store (``--store``, default .stepfn/stepfn.db) unless
``--no-store``.

Exit codes: ``run``: 0 SUCCEEDED, 1 the execution did not succeed, 2 bad usage, input or
definition; ``validate``: 0 all valid, 1 any problem. Errors say what and where; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .cli_logs import add_logs_command, cell, cmd_logs, run_progress
from .cli_store import (
    add_store_commands,
    add_store_option,
    cmd_describe,
    cmd_executions,
    cmd_history,
    cmd_redrive,
    cmd_resume,
    cmd_send_task,
    cmd_serve,
    cmd_stop,
    definition_name,
    open_store,
    store_location,
)
from .errors import DefinitionError, InputError
from .graph.cli import add_graph_command, cmd_graph
from .sam.cli import add_template_options, check_template_args, prepare_template
from .service.errors import ApiError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="stepfn", description="Run Amazon States Language state machines locally."
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = sub.add_parser("run", help="run a state machine to its end and print its output")
    r.add_argument(
        "file", nargs="?", help="the state machine definition (.asl.json); optional with --template"
    )
    r.add_argument("input_path", nargs="?", metavar="INPUT_FILE", help="file holding the input as JSON")
    src = r.add_mutually_exclusive_group()
    src.add_argument("--input", help="execution input as JSON text (default {})")
    src.add_argument("--input-file", help="file holding the execution input as JSON")
    r.add_argument(
        "--sub",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a ${NAME} definition substitution (repeatable)",
    )
    r.add_argument(
        "--sub-file",
        action="append",
        default=[],
        metavar="FILE",
        help="a JSON object file of substitutions (repeatable)",
    )
    _add_runner_options(r)
    add_template_options(r)
    r.add_argument(
        "--mock-config",
        metavar="FILE",
        help="a MockConfigFile (Step Functions Local's format) whose --test-case mocks Task states "
        "(default: $SFN_MOCK_CONFIG, else ./MockConfigFile.json)",
    )
    r.add_argument("--test-case", metavar="[MACHINE#]NAME", help="the test case of the mock config to run")
    add_store_option(r)
    r.add_argument(
        "--no-store",
        action="store_true",
        help="keep the execution in memory only (nothing is written to the store)",
    )
    r.add_argument("--json", action="store_true", help='print {"status","output","error","cause"} as JSON')
    r.add_argument("--name", help="execution name (default: a UUID)")
    r.add_argument(
        "--history",
        action="store_true",
        help='also give the history: in the --json object as "history", else as JSON lines on stderr',
    )

    v = sub.add_parser("validate", help="check definitions and list every problem")
    v.add_argument("files", nargs="+")
    v.add_argument("--sub", action="append", default=[], metavar="NAME=VALUE")
    v.add_argument("--sub-file", action="append", default=[], metavar="FILE")

    sub.add_parser("schema", help="print the JSON Schema for *.asl.json files")
    add_graph_command(sub)
    add_store_commands(sub, _add_runner_options)
    add_logs_command(sub, add_store_option)
    return p


def _add_runner_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--handler",
        action="append",
        default=[],
        metavar="NAME=MODULE:FUNCTION",
        help="run Lambda function NAME (name, ARN or ${Placeholder}) as a local Python handler",
    )
    p.add_argument(
        "--virtual-time",
        action="store_true",
        help="skip ahead through Waits, retry delays and timeouts instead of sleeping",
    )
    p.add_argument(
        "--aws",
        choices=("moto", "real"),
        help="run AWS service tasks (DynamoDB, SQS, SNS, EventBridge, aws-sdk:*) through boto3: "
        "'moto' in-process, 'real' with the normal AWS credential chain (default: not at all)",
    )


def _read_input(args: argparse.Namespace) -> Any:
    if args.input_path:
        if args.input_file or args.input is not None:
            raise InputError("give the input once: INPUT_FILE, --input or --input-file")
        args.input_file = args.input_path
    if args.input_file:
        try:
            text = Path(args.input_file).read_text(encoding="utf-8")
        except OSError as err:
            raise InputError(f"--input-file {args.input_file}: cannot read: {err.strerror}") from None
        where = f"--input-file {args.input_file}"
    elif args.input is not None:
        text, where = args.input, "--input"
    else:
        return {}
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            f"{where}: not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None


def _substitutions(args: argparse.Namespace) -> dict[str, str]:
    from .parse import load_substitutions

    try:
        return load_substitutions(args.sub, args.sub_file)
    except (ValueError, OSError) as err:
        raise InputError(str(err)) from None


def _handlers(args: argparse.Namespace, definition_file: Path | None = None) -> Any:
    from .adapters.lambda_local import HandlerRegistry

    search = [Path.cwd(), Path.cwd() / "functions"]
    if definition_file is not None:
        search.append(definition_file.resolve().parent.parent / "functions")
    try:
        return HandlerRegistry.from_specs(args.handler, search_path=search)
    except (ValueError, ImportError) as err:
        raise InputError(str(err)) from None


def _cmd_run(args: argparse.Namespace) -> int:
    check_template_args(args)  # --template: FILE optional, --aws moto by default
    args.aws_handle = _open_aws(args)
    try:
        return _run_file(args)
    finally:
        if args.aws_handle is not None:
            args.aws_handle.close()


def _open_aws(args: argparse.Namespace) -> Any:
    """The ``--aws`` session (moto started in-process), or None."""
    if getattr(args, "aws", None) is None:
        return None
    from .adapters.aws import AwsUnavailable, aws_session

    try:
        return aws_session(args.aws)
    except AwsUnavailable as err:
        raise InputError(str(err)) from None


def _attach_aws(args: argparse.Namespace, runner: Any) -> Any:
    handle = getattr(args, "aws_handle", None)
    if handle is None and getattr(args, "aws", None) is not None:
        handle = args.aws_handle = _open_aws(args)  # kept open until the process ends
    return runner if handle is None else handle.attach(runner)


def _run_file(args: argparse.Namespace) -> int:
    from . import VirtualClock, run
    from .adapters.clock import SystemClock
    from .loading import load_definition

    machines: dict[str, Any] = {}  # what states:startExecution tasks start, by state machine ARN
    machine_arn: str | None = None
    if args.template:  # a SAM application's state machine (interpreter/sam)
        local = prepare_template(args, _substitutions(args), _handlers(args))
        machine, handlers, name = local.machine, local.handlers, local.state_machine.name
        machines = {arn: other for arn, other in local.machines.items() if other is not machine}
        machine_arn = local.state_machine.arn
    else:
        path = Path(args.file)
        machine = load_definition(path, _substitutions(args))
        handlers = _handlers(args, path)
        name = definition_name(path)
    input_value = _read_input(args)
    clock = VirtualClock(start=_now()) if args.virtual_time else SystemClock()
    if args.mock_config is not None and args.test_case is None:
        raise InputError("--mock-config needs --test-case NAME (the test case to run)")
    if args.no_store:
        result = run(
            machine,
            input_value,
            handlers=handlers,
            clock=clock,
            name=args.name,
            machine_name=name,
            mock_config=args.mock_config,
            test_case=args.test_case,
            aws=args.aws_handle,
            machines=machines,
        )
        summary, history = result.summary(), result.history
    else:
        summary, history = _run_stored(
            args, machine, input_value, handlers, clock, name, machines=machines, machine_arn=machine_arn
        )
    status = summary["status"]
    if args.json:
        if args.history:
            summary["history"] = history
        print(json.dumps(summary, indent=2, ensure_ascii=False, default=str))
        return 0 if status == "SUCCEEDED" else 1
    if args.history:
        for event in history:
            print(json.dumps(event, default=str), file=sys.stderr)
    if status == "SUCCEEDED":
        print(json.dumps(summary["output"], indent=2, ensure_ascii=False))
    else:
        print(f"{status}: {summary['error'] or ''}", file=sys.stderr)
        if summary["cause"]:
            print(summary["cause"], file=sys.stderr)
    return 0 if status == "SUCCEEDED" else 1


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _run_stored(
    args: argparse.Namespace,
    machine: Any,
    input_value: Any,
    handlers: Any,
    clock: Any,
    name: str,
    *,
    machines: dict[str, Any] | None = None,
    machine_arn: str | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run through the execution store, so ``stepfn history`` and friends can read it later.

    ``machines`` (a template's other state machines, by ARN) are stored too, so that a
    ``states:startExecution`` task finds its child by ARN; ``machine_arn`` (the template's ARN of
    the machine run) sets the region and account the machines are stored under."""
    from .adapters.local_runner import LocalTaskRunner
    from .durable.workflows import DEFAULT_ACCOUNT, DEFAULT_REGION, Workflows
    from .service import arns

    store = open_store(store_location(args))
    runner = _attach_aws(args, LocalTaskRunner.from_handlers(handlers, clock=clock))
    if args.test_case is not None:  # --mock-config: the test case's Task states are mocked
        from .testing.mock_config import add_mocks

        add_mocks(runner, args.mock_config, args.test_case, definition=machine, machine_name=name)
    where = arns.parse_state_machine_arn(machine_arn) if machine_arn else None
    workflows = Workflows(
        store,
        runner=runner,
        clock=clock,
        region=where.region if where else DEFAULT_REGION,
        account=where.account if where else DEFAULT_ACCOUNT,
    )
    for other_arn, other in (machines or {}).items():  # the children nested executions start
        other_name = arns.parse_state_machine_arn(other_arn).name
        stored = workflows.put_machine(other_name, json.dumps(other.definition, ensure_ascii=False))
        workflows.machines.put(stored.arn, stored.revision_id, other)
    text = json.dumps(machine.definition, ensure_ascii=False)
    try:
        machine_item = workflows.put_machine(name, text)
        started = workflows.start(
            machine_item, json.dumps(input_value, ensure_ascii=False), name=args.name, compiled=machine
        )
    except Exception as err:
        from .adapters.stores.base import AlreadyExists

        if isinstance(err, AlreadyExists):
            raise InputError(f"--name {args.name}: an execution of {name} with that name is stored") from None
        raise
    try:
        with run_progress(store, started.arn):  # on stderr, when it is a terminal
            item = workflows.run_to_end(started.arn)
    except RuntimeError as err:  # waits for a callback nothing in this run can send
        print(f"stepfn: {err}; the execution stays RUNNING in the store: {started.arn}", file=sys.stderr)
        item = store.get_execution(started.arn)
    finally:
        workflows.executor.close()
    summary = {
        "status": item.status,
        "output": json.loads(item.output) if item.output is not None else None,
        "error": item.error,
        "cause": item.cause,
    }
    return summary, workflows.history(item.arn)


def _runner_factory(args: argparse.Namespace) -> Any:
    from .adapters.local_runner import LocalTaskRunner

    handlers = _handlers(args)
    return lambda clock: _attach_aws(args, LocalTaskRunner.from_handlers(handlers, clock=clock))


def _cmd_validate(args: argparse.Namespace) -> int:
    from .loading import load_definition

    subs = _substitutions(args)
    failed = 0
    for file in args.files:
        try:
            machine = load_definition(Path(file), subs)
        except DefinitionError as err:
            failed += 1
            for problem in err.problems:
                print(f"{file}: {cell(problem)} [{problem.code}]")
        else:
            # warnings do not make a file invalid: printed, exit status unchanged
            for problem in machine.warnings:
                print(f"{file}: warning: {cell(problem)} [{problem.code}]")
            print(f"{file}: valid")
    return 1 if failed else 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from .parse import schema_text

    print(schema_text())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands: dict[str, Any] = {
        "run": _cmd_run,
        "validate": _cmd_validate,
        "schema": _cmd_schema,
        "graph": cmd_graph,
        "executions": cmd_executions,
        "describe": cmd_describe,
        "history": cmd_history,
        "logs": cmd_logs,
        "stop": cmd_stop,
        "send-task-success": lambda a: cmd_send_task(a, _runner_factory(a)),
        "send-task-failure": lambda a: cmd_send_task(a, _runner_factory(a)),
        "resume": lambda a: cmd_resume(a, _runner_factory(a)),
        "redrive": lambda a: cmd_redrive(a, _runner_factory(a)),
        "serve": lambda a: cmd_serve(a, _runner_factory(a)),
    }
    command = commands[args.command]
    try:
        return command(args)
    except ApiError as err:
        print(f"stepfn: {err.code}: {err.message}", file=sys.stderr)
        return 2
    except DefinitionError as err:
        file = getattr(args, "file", None)
        for problem in err.problems:
            prefix = f"{file}: " if file and not str(problem).startswith(str(file)) else ""
            print(f"{prefix}{cell(problem)} [{problem.code}]", file=sys.stderr)
        return 1 if args.command == "validate" else 2
    except InputError as err:
        print(f"stepfn: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
