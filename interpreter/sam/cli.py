"""``stepfn run --template template.yaml``: the CLI side of running a SAM application locally.

``add_template_options`` adds ``--template``, ``--state-machine``, ``--seed`` and ``--parameter``
to ``stepfn run``; ``check_template_args`` settles the arguments before the AWS session opens
(``--template`` implies ``--aws moto`` unless ``--aws real`` is given; with a template the
definition FILE is optional, and a lone positional that is not an ``.asl.json`` is the input);
``prepare_template`` turns them into what ``stepfn run`` runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from interpreter.errors import DefinitionError, InputError

_DEFINITION_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml")


def add_template_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("SAM application (see docs/sam.md)")
    group.add_argument(
        "--template",
        metavar="TEMPLATE",
        help="run a state machine of this SAM template: substitutions, functions and resources "
        "come from it (implies --aws moto unless --aws real)",
    )
    group.add_argument(
        "--state-machine", metavar="LOGICAL_ID", help="which of the template's state machines to run"
    )
    group.add_argument("--seed", metavar="FILE", help="a seed file: items, objects and messages to put first")
    group.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a template parameter's value (repeatable)",
    )


def check_template_args(args: argparse.Namespace) -> None:
    """Settle ``run``'s arguments for a template run (or refuse template flags without one)."""
    template = getattr(args, "template", None)
    if not template:
        for flag, value in (("--state-machine", args.state_machine), ("--seed", args.seed)):
            if value:
                raise InputError(f"{flag} needs --template")
        if args.parameter:
            raise InputError("--parameter needs --template")
        if not args.file:
            raise InputError("run needs a definition FILE, or --template TEMPLATE")
        return
    if getattr(args, "aws", None) is None:
        args.aws = "moto"
    if args.file and not args.input_path and not args.file.endswith(_DEFINITION_SUFFIXES):
        args.file, args.input_path = None, args.file  # `run --template t.yaml input.json`


def parameters(args: argparse.Namespace) -> dict[str, str]:
    values = {}
    for pair in args.parameter:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InputError(f"--parameter {pair}: expected NAME=VALUE")
        values[name] = value
    return values


def prepare_template(args: argparse.Namespace, substitutions: dict[str, str], handlers: Any) -> Any:
    """The ``LocalRun`` (``sam.app``) ``stepfn run --template`` runs: its compiled machine,
    handler registry, state machine name and ARN, and every state machine of the template by ARN
    (``machines``, what its ``states:startExecution`` tasks start).

    Resources are created (and seeded) through the run's AWS session when it is moto's; with
    ``--aws real`` they are expected to exist. Notes (skipped resources, seeding) go to stderr.
    """
    from .app import prepare

    try:
        local = prepare(
            args.template,
            aws=getattr(args, "aws_handle", None),
            state_machine=args.state_machine,
            definition_file=args.file,
            seed=args.seed,
            parameters=parameters(args),
            substitutions=substitutions,
            handlers=handlers,
        )
    except DefinitionError as err:
        args.file = getattr(err, "source", None) or args.template  # where main() says the problems are
        raise
    args.file = local.definition_source
    for note in local.notes:
        print(f"stepfn: note: {note}", file=sys.stderr)
    return local
