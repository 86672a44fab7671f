"""The CLI's store side: which store a command uses, and the commands that read and change it.

    stepfn executions [--machine NAME|ARN] [--status STATUS] [--since 2h] [--name-contains TEXT]
    stepfn describe EXECUTION           (an execution ARN, or a name when it is unique)
    stepfn history EXECUTION [--json] [--reverse]     (a table; ``cli_logs``)
    stepfn stop EXECUTION [--error E] [--cause C]
    stepfn redrive EXECUTION [--client-token T] [--handler ...] [--virtual-time]
    stepfn send-task-success TOKEN [--output JSON]
    stepfn send-task-failure TOKEN [--error E] [--cause C]
    stepfn resume [--takeover] [--handler ...] [--virtual-time]
    stepfn serve [--host H] [--port P] [--handler ...]

Every command takes ``--store``: a SQLite file (default ``.stepfn/stepfn.db``, or the
``STEPFN_STORE`` environment variable), ``memory``, or ``dynamodb:TABLE``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .cli_logs import api_history, filter_executions, print_executions, print_history
from .errors import InputError
from .service.errors import ApiError

DEFAULT_STORE = ".stepfn/stepfn.db"


def store_location(args: argparse.Namespace) -> str:
    return getattr(args, "store", None) or os.environ.get("STEPFN_STORE") or DEFAULT_STORE


def open_store(location: str) -> Any:
    """The store named by ``location``; ``InputError`` when it cannot be opened."""
    if location == "memory":
        from .adapters.stores.memory import MemoryStore

        return MemoryStore()
    if location.startswith("dynamodb:"):
        from .adapters.stores.dynamodb import DynamoDbStore

        table = location.split(":", 1)[1]
        if not table:
            raise InputError("--store dynamodb:TABLE needs a table name")
        return DynamoDbStore(table, create=True)
    from .adapters.stores.sqlite import SqliteStore

    try:
        return SqliteStore(location)
    except Exception as err:  # sqlite3.Error, OSError: a bad path or a file that isn't a database
        raise InputError(f"--store {location}: cannot open the store: {err}") from None


def add_store_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--store",
        metavar="LOCATION",
        help=f"execution store: a SQLite file (default {DEFAULT_STORE}, or $STEPFN_STORE), "
        "'memory', or 'dynamodb:TABLE'",
    )


def add_store_commands(sub: Any, add_runner_options: Any) -> None:
    e = sub.add_parser("executions", help="list stored executions, newest first")
    e.add_argument("--machine", help="only executions of this state machine (name or ARN)")
    e.add_argument("--status", choices=["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"])
    e.add_argument("--json", action="store_true", help="print ListExecutions' response as JSON")
    e.add_argument("--since", metavar="WHEN", help="only executions started since: 30m, 2h, 1d, a date")
    e.add_argument("--name-contains", metavar="TEXT", help="only executions whose name contains TEXT")
    add_store_option(e)

    d = sub.add_parser("describe", help="show one execution (DescribeExecution)")
    d.add_argument("execution", help="execution ARN, or its name")
    add_store_option(d)

    h = sub.add_parser("history", help="show an execution's history events")
    h.add_argument("execution", help="execution ARN, or its name")
    h.add_argument("--json", action="store_true", help="print GetExecutionHistory's events as JSON")
    h.add_argument("--reverse", action="store_true", help="newest event first")
    add_store_option(h)

    s = sub.add_parser("stop", help="stop a running execution (StopExecution: ABORTED)")
    s.add_argument("execution", help="execution ARN, or its name")
    s.add_argument("--error")
    s.add_argument("--cause")
    add_store_option(s)

    rd = sub.add_parser(
        "redrive",
        help="restart a FAILED/TIMED_OUT/ABORTED execution from where it stopped (RedriveExecution)",
    )
    rd.add_argument("execution", help="execution ARN, or its name")
    rd.add_argument("--client-token", help="idempotency token (a repeat within 15 minutes changes nothing)")
    add_runner_options(rd)
    add_store_option(rd)

    ok = sub.add_parser("send-task-success", help="complete a .waitForTaskToken task")
    ok.add_argument("token")
    ok.add_argument("--output", default="{}", help="the task's output as JSON text (default {})")
    add_runner_options(ok)
    add_store_option(ok)

    bad = sub.add_parser("send-task-failure", help="fail a .waitForTaskToken task")
    bad.add_argument("token")
    bad.add_argument("--error")
    bad.add_argument("--cause")
    add_runner_options(bad)
    add_store_option(bad)

    r = sub.add_parser("resume", help="continue every unfinished execution in the store")
    r.add_argument("--takeover", action="store_true", help="also adopt executions another worker holds")
    add_runner_options(r)
    add_store_option(r)

    sv = sub.add_parser("serve", help="serve the Step Functions API over HTTP")
    sv.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sv.add_argument("--port", type=int, default=8083, help="port (default 8083)")
    add_runner_options(sv)
    add_store_option(sv)


# ------------------------------------------------------------------------------ the service
def make_service(args: argparse.Namespace, runner_factory: Any = None) -> Any:
    from .adapters.clock import SystemClock, VirtualClock
    from .service.stepfunctions import StepFunctionsService

    virtual = getattr(args, "virtual_time", False)
    clock = VirtualClock(start=datetime.now(UTC)) if virtual else SystemClock()
    runner = runner_factory(clock) if runner_factory is not None else None
    return StepFunctionsService(open_store(store_location(args)), runner=runner, clock=clock)


def resolve_execution(service: Any, ref: str) -> str:
    """An execution ARN from an ARN or a unique execution name."""
    if ref.startswith("arn:"):
        return ref
    matches, token = [], None
    while True:
        page = service.store.list_executions(limit=1000, next_token=token)
        matches += [item.arn for item in page.items if item.name == ref]
        token = page.next_token
        if token is None:
            break
    if not matches:
        raise InputError(f"no stored execution is named {ref!r} (give its ARN, see `stepfn executions`)")
    if len(matches) > 1:
        raise InputError(f"{len(matches)} executions are named {ref!r}; give the ARN: " + ", ".join(matches))
    return matches[0]


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def cmd_executions(args: argparse.Namespace) -> int:
    service = make_service(args)
    machines = []
    if args.machine:
        ref = args.machine
        machines = [ref if ref.startswith("arn:") else service.workflows.machine_arn(ref)]
    else:
        token = None
        while True:
            listing: dict[str, Any] = {"maxResults": 1000}
            if token:
                listing["nextToken"] = token
            page = service.list_state_machines(listing)
            machines += [m["stateMachineArn"] for m in page["stateMachines"]]
            token = page.get("nextToken")
            if not token:
                break
    rows = []
    for arn in machines:
        request: dict[str, Any] = {"stateMachineArn": arn, "maxResults": 1000}
        if args.status:
            request["statusFilter"] = args.status
        rows += service.list_executions(request)["executions"]
    rows.sort(key=lambda e: e["startDate"], reverse=True)
    rows = filter_executions(rows, args)
    if args.json:
        _print_json({"executions": rows})
        return 0
    print_executions(rows)
    if not rows:
        print("no executions stored", file=sys.stderr)
    return 0


def cmd_describe(args: argparse.Namespace) -> int:
    service = make_service(args)
    _print_json(service.describe_execution({"executionArn": resolve_execution(service, args.execution)}))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    service = make_service(args)
    arn = resolve_execution(service, args.execution)
    if not args.json:  # a table, printed page by page
        print_history(api_history(service, arn), reverse=args.reverse)
        return 0
    events, token = [], None
    while True:
        request: dict[str, Any] = {"executionArn": arn, "maxResults": 1000, "reverseOrder": args.reverse}
        if token:
            request["nextToken"] = token
        page = service.get_execution_history(request)
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            break
    _print_json({"events": events})
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    service = make_service(args)
    request: dict[str, Any] = {"executionArn": resolve_execution(service, args.execution)}
    if args.error is not None:
        request["error"] = args.error
    if args.cause is not None:
        request["cause"] = args.cause
    _print_json(service.stop_execution(request))
    return 0


def cmd_redrive(args: argparse.Namespace, runner_factory: Any) -> int:
    """Redrive, then run the execution until it ends or waits for callbacks (as ``resume``)."""
    service = make_service(args, runner_factory)
    arn = resolve_execution(service, args.execution)
    request: dict[str, Any] = {"executionArn": arn}
    if args.client_token is not None:
        request["clientToken"] = args.client_token
    _print_json(service.redrive_execution(request))
    return _drive(service, [arn])


def cmd_send_task(args: argparse.Namespace, runner_factory: Any) -> int:
    from .durable.workflows import parse_task_token

    service = make_service(args, runner_factory)
    target = parse_task_token(args.token)
    if args.command == "send-task-success":
        service.send_task_success({"taskToken": args.token, "output": args.output})
    else:
        request: dict[str, Any] = {"taskToken": args.token}
        if args.error is not None:
            request["error"] = args.error
        if args.cause is not None:
            request["cause"] = args.cause
        service.send_task_failure(request)
    # the callback is committed; run what it unblocked until the execution waits again or ends
    return _drive(service, [target.execution_arn] if target is not None else [])


def cmd_resume(args: argparse.Namespace, runner_factory: Any) -> int:
    service = make_service(args, runner_factory)
    adopted = service.workflows.executor.resume(takeover=args.takeover)
    print(f"resumed {len(adopted)} execution(s)", file=sys.stderr)
    return _drive(service, adopted)


def _drive(service: Any, arns: list[str]) -> int:
    executor = service.workflows.executor
    try:
        executor.run_until(lambda: all(executor.is_finished(a) or executor.only_callbacks(a) for a in arns))
    except RuntimeError as err:  # virtual time with nothing left but callbacks
        print(f"stepfn: {err}", file=sys.stderr)
    for arn in arns:
        item = service.store.get_execution(arn)
        if item is not None:
            print(f"{item.status:<10} {arn}")
    executor.close()
    return 0


def cmd_serve(args: argparse.Namespace, runner_factory: Any) -> int:
    from .adapters.clock import SystemClock
    from .serve import LocalStepFunctions

    clock = SystemClock()
    runner = runner_factory(clock) if runner_factory is not None else None
    sfn = LocalStepFunctions(
        open_store(store_location(args)), runner=runner, clock=clock, host=args.host, port=args.port
    )
    print(f"stepfn: Step Functions API on {sfn.url} (store {store_location(args)})", file=sys.stderr)
    print(f"stepfn: web console: open {sfn.url}/ in a browser (docs/console.md)", file=sys.stderr)
    sfn.serve_forever()
    return 0


def api_error_message(err: ApiError) -> str:
    return f"{err.code}: {err.message}"


def definition_name(path: Path) -> str:
    return path.name.split(".")[0] or "StateMachine"
