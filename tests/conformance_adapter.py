"""Adapter for ../shared/conformance/runner.py: run a recorded case on stepfn, in-process.

    PYTHONPATH=. python3 ../shared/conformance/runner.py ../shared/conformance/cases \
        --group self_contained --group lambda --check-history --python tests.conformance_adapter:run

``lambdas`` describes the case's Lambda functions by behaviour (``identity``, ``constant``,
``raises``); each becomes a local Python handler registered under its name and ARN.
"""

from __future__ import annotations

from typing import Any

from interpreter import run as run_execution


def _make_handler(spec: dict[str, Any]) -> Any:
    behavior = spec.get("behavior")
    if behavior == "identity":
        return lambda event, context: event
    if behavior == "constant":
        constant = spec.get("constant")
        return lambda event, context: constant
    if behavior == "raises":
        error_class = type(spec.get("error_type") or "Exception", (Exception,), {})
        message = spec.get("error_message", "")

        def handler(event: Any, context: Any) -> Any:
            raise error_class(message)

        return handler
    raise ValueError(f"unknown lambda behaviour {behavior!r}")


def handlers_for(lambdas: dict[str, Any] | None) -> dict[str, Any]:
    handlers: dict[str, Any] = {}
    for name, spec in (lambdas or {}).items():
        handler = _make_handler(spec)
        handlers[name] = handler
        if spec.get("arn"):
            handlers[spec["arn"]] = handler
    return handlers


def run(definition: dict[str, Any], input: Any, *, lambdas: dict[str, Any] | None = None) -> dict[str, Any]:
    result = run_execution(definition, input, handlers=handlers_for(lambdas), virtual_time=True)
    out = result.summary()
    out["history"] = result.history
    return out


def run_durable(
    definition: dict[str, Any], input: Any, *, lambdas: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The same case through the durable executor: every step is committed to a store and the
    execution is reloaded from its snapshot before the next one (``cache=False``)."""
    import json

    from interpreter.adapters.clock import VirtualClock
    from interpreter.adapters.local_runner import LocalTaskRunner
    from interpreter.adapters.stores.memory import MemoryStore
    from interpreter.durable.workflows import Workflows

    clock = VirtualClock()
    runner = LocalTaskRunner.from_handlers(handlers_for(lambdas), clock=clock)
    workflows = Workflows(MemoryStore(), runner=runner, clock=clock, cache=False)
    machine = workflows.put_machine("StateMachine", json.dumps(definition))
    started = workflows.start(machine, json.dumps(input))
    item = workflows.run_to_end(started.arn)
    return {
        "status": item.status,
        "output": json.loads(item.output) if item.output is not None else None,
        "error": item.error,
        "cause": item.cause,
        "history": workflows.history(item.arn),
    }


def main(argv: list[str] | None = None) -> int:
    """Command adapter: ``python -m tests.conformance_adapter DEFINITION INPUT`` (runner --cmd)."""
    import json
    import os
    import sys

    args = sys.argv[1:] if argv is None else argv
    with open(args[0], encoding="utf-8") as f:
        definition = json.load(f)
    with open(args[1], encoding="utf-8") as f:
        input_value = json.load(f)
    lambdas = None
    if os.environ.get("ASL_CONFORMANCE_LAMBDAS"):
        with open(os.environ["ASL_CONFORMANCE_LAMBDAS"], encoding="utf-8") as f:
            lambdas = json.load(f)
    out = run(definition, input_value, lambdas=lambdas)
    print(json.dumps(out, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
