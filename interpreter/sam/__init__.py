"""Run a SAM application's state machine locally, from its ``template.yaml``.

    from interpreter import run
    from interpreter.adapters.aws import aws_session
    from interpreter.sam import prepare

    with aws_session("moto") as aws:  # resources created in moto, functions as local handlers
        local = prepare("template.yaml", aws=aws, state_machine="SupportTicketStateMachine")
        result = run(local.machine, {...}, handlers=local.handlers, aws=aws,
                     machine_name=local.state_machine.name)

Modules: ``document`` (YAML with CloudFormation tags, line numbers), ``translate`` (AWS's SAM
translator), ``intrinsics`` (Ref/GetAtt/Sub/... to local values), ``resources`` (local names,
ARNs and URLs per resource type), ``functions`` (CodeUri + Handler to local handlers),
``provision`` (tables, queues, topics, buckets, buses created through boto3), ``seed`` (the seed
file), ``app`` (all of it for one state machine), ``cli`` (``stepfn run --template``). See
docs/sam.md.
"""

from typing import Any

__all__ = ["LocalRun", "SamApp", "StateMachineInfo", "Target", "TemplateError", "prepare", "target_for"]


def __getattr__(name: str) -> Any:
    # Lazy: ``stepfn run`` imports ``interpreter.sam.cli`` on every run; YAML and the SAM
    # translator load only when a template is used.
    if name == "TemplateError":
        from .errors import TemplateError

        return TemplateError
    if name == "Target":
        from .resources import Target

        return Target
    if name in __all__:
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
