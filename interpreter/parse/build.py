"""Build the immutable model from a validated definition, compiling every expression once.

The validator has already checked structure and semantics; what can still go wrong here is an
expression that does not compile. Those problems are collected (each with its JSON Pointer) and
raised together as one ``DefinitionError``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..errors import DefinitionError, ExprSyntaxError, Problem
from ..expr import compile_intrinsic, compile_path, compile_reference_path, compile_template
from ..expr.jsonata import JsonataSyntaxError, compile_jsonata_template, is_jsonata_string
from ..model import (
    JSONATA,
    JSONPATH,
    NULL,
    Catcher,
    ChoiceRule,
    ChoiceState,
    FailState,
    ItemBatcher,
    ItemReader,
    MapState,
    ParallelState,
    PassState,
    ResultWriter,
    Retrier,
    StateGraph,
    StateMachine,
    SucceedState,
    TaskState,
    WaitState,
)
from ..runtime.choice_rules import compile_rule
from ..runtime.jsontext import payload_size
from ..runtime.resources import parse_resource
from ..runtime.timestamps import parse_timestamp
from . import codes


def _esc(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


class _Builder:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def compile(self, pointer: str, fn: Callable[[Any], Any], value: Any) -> Any:
        try:
            return fn(value)
        except JsonataSyntaxError as err:
            # AWS: INVALID_JSONATA_EXPRESSION, the parser's message without its "S0xxx: " code, at
            # the string holding the expression (floci-io/floci#2745, measured with
            # validate-state-machine-definition: "Unexpected end of expression" at /States/Main/Output)
            where = pointer + "".join(f"/{_esc(str(token))}" for token in err.tokens)
            self.problems.append(Problem(where, err.detail, codes.INVALID_JSONATA_EXPRESSION))
            return None
        except ExprSyntaxError as err:
            # a template error names the exact key it is about
            where = getattr(err, "pointer", None) or pointer
            self.problems.append(Problem(where, getattr(err, "reason", None) or str(err)))
            return None

    # ---------------------------------------------------------------- paths
    def path(self, d: dict[str, Any], key: str, ptr: str) -> Any:
        """An InputPath/OutputPath-style field: absent → None ($), null → NULL."""
        if key not in d:
            return None
        value = d[key]
        if value is None:
            return NULL
        if value == "$":
            return None
        return self.compile(f"{ptr}/{key}", compile_path, value)

    def result_path(self, d: dict[str, Any], ptr: str) -> Any:
        if "ResultPath" not in d:
            return None
        value = d["ResultPath"]
        if value is None:
            return NULL
        if value == "$":
            return None
        return self.compile(f"{ptr}/ResultPath", compile_reference_path, value)

    def optional_path(self, d: dict[str, Any], key: str, ptr: str) -> Any:
        if key not in d:
            return None
        return self.compile(f"{ptr}/{key}", compile_path, d[key])

    def path_or_intrinsic(self, d: dict[str, Any], key: str, ptr: str) -> Any:
        if key not in d:
            return None
        text = d[key]
        if isinstance(text, str) and text.startswith("States."):
            return self.compile(f"{ptr}/{key}", lambda t: _FieldIntrinsic(compile_intrinsic(t)), text)
        return self.compile(f"{ptr}/{key}", compile_path, text)

    def template(self, d: dict[str, Any], key: str, ptr: str) -> Any:
        if key not in d:
            return None
        return self.compile(f"{ptr}/{key}", lambda v: compile_template(v, f"{ptr}/{key}"), d[key])

    # ---------------------------------------------------------------- JSONata
    def jsonata(self, d: dict[str, Any], key: str, ptr: str, field: str | None = None) -> Any:
        """A JSONata field (Arguments, Output, Items, ...) compiled as a template, or None."""
        if key not in d:
            return None
        return self.compile(f"{ptr}/{key}", lambda v: compile_jsonata_template(v, field or key), d[key])

    def jsonata_value(self, d: dict[str, Any], key: str, ptr: str, default: Any = None) -> Any:
        """A field that is a literal or a ``{% %}`` expression (Seconds, MaxConcurrency, ...)."""
        value = d.get(key, default)
        if is_jsonata_string(value):
            return self.jsonata(d, key, ptr)
        return value

    def assign(self, d: dict[str, Any], ptr: str, ql: str) -> Any:
        if "Assign" not in d:
            return None
        if ql == JSONATA:
            return self.jsonata(d, "Assign", ptr)
        return self.template(d, "Assign", ptr)

    # ---------------------------------------------------------------- graphs
    def graph(self, d: dict[str, Any], ptr: str, path: tuple[Any, ...], ql: str) -> StateGraph:
        ql = d.get("QueryLanguage", ql)
        states_ptr = f"{ptr}/States"
        states = {
            name: self.state(name, sd, f"{states_ptr}/{_esc(name)}", path, ql)
            for name, sd in d["States"].items()
        }
        return StateGraph(start_at=d["StartAt"], states=states, pointer=ptr, path=path, query_language=ql)

    def state(self, name: str, d: dict[str, Any], ptr: str, path: tuple[Any, ...], ql: str) -> Any:
        ql = d.get("QueryLanguage", ql)
        common: dict[str, Any] = {
            "name": name,
            "pointer": ptr,
            "query_language": ql,
            "next": d.get("Next"),
            "end": bool(d.get("End", False)),
            "comment": d.get("Comment"),
        }
        if ql == JSONPATH:
            common["input_path"] = self.path(d, "InputPath", ptr)
            common["output_path"] = self.path(d, "OutputPath", ptr)
        else:
            common["output"] = self.jsonata(d, "Output", ptr)
        common["assign"] = self.assign(d, ptr, ql)
        kind = d["Type"]
        build = getattr(self, "state_" + kind.lower())
        return build(d, ptr, path, ql, common)

    # ---------------------------------------------------------------- state types
    def state_pass(self, d, ptr, path, ql, common) -> PassState:
        has_result = "Result" in d
        return PassState(
            **common,
            parameters=self.template(d, "Parameters", ptr) if ql == JSONPATH else None,
            result=d.get("Result"),
            has_result=has_result,
            result_size=payload_size(d["Result"]) if has_result else 0,
            result_path=self.result_path(d, ptr),
        )

    def state_task(self, d, ptr, path, ql, common) -> TaskState:
        resource = d["Resource"]
        return TaskState(
            **common,
            resource=resource,
            resource_info=parse_resource(resource),
            parameters=self.template(d, "Parameters", ptr)
            if ql == JSONPATH
            else self.jsonata(d, "Arguments", ptr),
            result_selector=self.template(d, "ResultSelector", ptr),
            result_path=self.result_path(d, ptr),
            timeout_seconds=self.jsonata_value(d, "TimeoutSeconds", ptr)
            if "TimeoutSecondsPath" not in d
            else self.optional_path(d, "TimeoutSecondsPath", ptr),
            heartbeat_seconds=self.jsonata_value(d, "HeartbeatSeconds", ptr)
            if "HeartbeatSecondsPath" not in d
            else self.optional_path(d, "HeartbeatSecondsPath", ptr),
            credentials=d.get("Credentials"),
            retry=self.retriers(d, ptr),
            catch=self.catchers(d, ptr, ql),
        )

    def state_choice(self, d, ptr, path, ql, common) -> ChoiceState:
        rules = []
        for i, rule in enumerate(d.get("Choices", ())):
            rptr = f"{ptr}/Choices/{i}"
            if ql == JSONATA:
                rules.append(
                    ChoiceRule(
                        test=None,
                        condition=self.jsonata_value(rule, "Condition", rptr),
                        next=rule.get("Next"),
                        output=self.jsonata(rule, "Output", rptr),
                        assign=self.jsonata(rule, "Assign", rptr),
                    )
                )
                continue
            test = self.compile(rptr, lambda r: compile_rule(r, compile_path), rule)
            rules.append(
                ChoiceRule(test=test, next=rule.get("Next"), assign=self.template(rule, "Assign", rptr))
            )
        return ChoiceState(**common, choices=tuple(rules), default=d.get("Default"))

    def state_wait(self, d, ptr, path, ql, common) -> WaitState:
        timestamp = None
        if ql == JSONATA and is_jsonata_string(d.get("Timestamp")):
            timestamp = self.jsonata(d, "Timestamp", ptr)
        elif "Timestamp" in d:
            timestamp = parse_timestamp(d["Timestamp"]) if isinstance(d["Timestamp"], str) else None
            if timestamp is None:
                self.problems.append(
                    Problem(f"{ptr}/Timestamp", "must be an RFC 3339 date-time, e.g. 2024-01-31T12:00:00Z")
                )
        return WaitState(
            **common,
            seconds=self.jsonata_value(d, "Seconds", ptr),
            seconds_path=self.optional_path(d, "SecondsPath", ptr),
            timestamp=timestamp,
            timestamp_path=self.optional_path(d, "TimestampPath", ptr),
        )

    def state_succeed(self, d, ptr, path, ql, common) -> SucceedState:
        return SucceedState(**common)

    def state_fail(self, d, ptr, path, ql, common) -> FailState:
        return FailState(
            **common,
            error=self.jsonata_value(d, "Error", ptr),
            cause=self.jsonata_value(d, "Cause", ptr),
            error_path=self.path_or_intrinsic(d, "ErrorPath", ptr),
            cause_path=self.path_or_intrinsic(d, "CausePath", ptr),
        )

    def state_parallel(self, d, ptr, path, ql, common) -> ParallelState:
        name = common["name"]
        branches = tuple(
            self.graph(b, f"{ptr}/Branches/{i}", (*path, name, i), ql) for i, b in enumerate(d["Branches"])
        )
        return ParallelState(
            **common,
            branches=branches,
            parameters=self.template(d, "Parameters", ptr)
            if ql == JSONPATH
            else self.jsonata(d, "Arguments", ptr),
            result_selector=self.template(d, "ResultSelector", ptr),
            result_path=self.result_path(d, ptr),
            retry=self.retriers(d, ptr),
            catch=self.catchers(d, ptr, ql),
        )

    def state_map(self, d, ptr, path, ql, common) -> MapState:
        name = common["name"]
        key = "ItemProcessor" if "ItemProcessor" in d else "Iterator"
        proc = d[key]
        config = proc.get("ProcessorConfig") or {}
        distributed = config.get("Mode") == "DISTRIBUTED"
        selector_key = "ItemSelector" if "ItemSelector" in d else "Parameters"
        batcher = None
        if "ItemBatcher" in d:
            b = d["ItemBatcher"]
            bptr = f"{ptr}/ItemBatcher"
            batcher = ItemBatcher(
                max_items_per_batch=b.get("MaxItemsPerBatch"),
                max_items_per_batch_path=self.optional_path(b, "MaxItemsPerBatchPath", bptr),
                max_input_bytes_per_batch=b.get("MaxInputBytesPerBatch"),
                max_input_bytes_per_batch_path=self.optional_path(b, "MaxInputBytesPerBatchPath", bptr),
                batch_input=self.template(b, "BatchInput", bptr),
            )
        return MapState(
            **common,
            processor=self.graph(proc, f"{ptr}/{key}", (*path, name, "Map"), ql),
            distributed=distributed,
            execution_type=config.get("ExecutionType", "STANDARD"),
            items_path=self.path(d, "ItemsPath", ptr),
            items=self.jsonata(d, "Items", ptr) if ql == JSONATA else None,
            item_selector=self.template(d, selector_key, ptr)
            if ql == JSONPATH
            else self.jsonata(d, selector_key, ptr),
            max_concurrency=self.jsonata_value(d, "MaxConcurrency", ptr, 0),
            max_concurrency_path=self.optional_path(d, "MaxConcurrencyPath", ptr),
            tolerated_failure_count=self.jsonata_value(d, "ToleratedFailureCount", ptr),
            tolerated_failure_count_path=self.optional_path(d, "ToleratedFailureCountPath", ptr),
            tolerated_failure_percentage=self.jsonata_value(d, "ToleratedFailurePercentage", ptr),
            tolerated_failure_percentage_path=self.optional_path(d, "ToleratedFailurePercentagePath", ptr),
            item_batcher=batcher,
            item_reader=self.item_reader(d, ptr, ql),
            result_writer=self.result_writer(d, ptr, ql),
            label=d.get("Label"),
            result_selector=self.template(d, "ResultSelector", ptr),
            result_path=self.result_path(d, ptr),
            retry=self.retriers(d, ptr),
            catch=self.catchers(d, ptr, ql),
        )

    def item_reader(self, d: dict[str, Any], ptr: str, ql: str) -> ItemReader | None:
        reader = d.get("ItemReader")
        if not isinstance(reader, dict):
            return None
        rptr = f"{ptr}/ItemReader"
        config = reader.get("ReaderConfig") or {}
        cptr = f"{rptr}/ReaderConfig"
        headers = config.get("CSVHeaders")
        return ItemReader(
            resource=reader["Resource"],
            parameters=self.template(reader, "Parameters", rptr)
            if ql == JSONPATH
            else self.jsonata(reader, "Arguments", rptr),
            input_type=config.get("InputType"),
            csv_header_location=config.get("CSVHeaderLocation", "FIRST_ROW"),
            csv_headers=tuple(headers) if isinstance(headers, list) else None,
            csv_delimiter=config.get("CSVDelimiter", "COMMA"),
            items_pointer=config.get("ItemsPointer"),
            manifest_type=config.get("ManifestType"),
            max_items=self.jsonata_value(config, "MaxItems", cptr),
            max_items_path=self.optional_path(config, "MaxItemsPath", cptr),
        )

    def result_writer(self, d: dict[str, Any], ptr: str, ql: str) -> ResultWriter | None:
        writer = d.get("ResultWriter")
        if not isinstance(writer, dict):
            return None
        wptr = f"{ptr}/ResultWriter"
        config = writer.get("WriterConfig") or {}
        return ResultWriter(
            resource=writer.get("Resource"),
            parameters=self.template(writer, "Parameters", wptr)
            if ql == JSONPATH
            else self.jsonata(writer, "Arguments", wptr),
            output_type=config.get("OutputType"),
            transformation=config.get("Transformation"),
        )

    # ---------------------------------------------------------------- retry / catch
    def retriers(self, d: dict[str, Any], ptr: str) -> tuple[Retrier, ...]:
        out = []
        for r in d.get("Retry", ()):
            out.append(
                Retrier(
                    error_equals=tuple(r["ErrorEquals"]),
                    interval_seconds=r.get("IntervalSeconds", 1),
                    max_attempts=r.get("MaxAttempts", 3),
                    backoff_rate=float(r.get("BackoffRate", 2.0)),
                    max_delay_seconds=r.get("MaxDelaySeconds"),
                    jitter_strategy=r.get("JitterStrategy", "NONE"),
                )
            )
        return tuple(out)

    def catchers(self, d: dict[str, Any], ptr: str, ql: str) -> tuple[Catcher, ...]:
        out = []
        for i, c in enumerate(d.get("Catch", ())):
            cptr = f"{ptr}/Catch/{i}"
            jsonata = ql == JSONATA
            out.append(
                Catcher(
                    error_equals=tuple(c["ErrorEquals"]),
                    next=c["Next"],
                    result_path=None if jsonata else self.result_path(c, cptr),
                    output=self.jsonata(c, "Output", cptr) if jsonata else None,
                    assign=self.assign(c, cptr, ql),
                )
            )
        return tuple(out)


class _FieldIntrinsic:
    """An intrinsic call used where a path is expected (Fail ErrorPath/CausePath)."""

    __slots__ = ("intrinsic", "text")

    def __init__(self, intrinsic: Any) -> None:
        self.intrinsic = intrinsic
        self.text = getattr(intrinsic, "text", "")

    def evaluate(self, data: Any, scope: Any) -> Any:
        return self.intrinsic.evaluate(data, scope)

    def evaluate_field(self, data: Any, scope: Any, field: str) -> Any:
        return self.intrinsic.evaluate(data, scope)


def build_state_machine(doc: dict[str, Any], *, warnings: Iterable[Problem] = ()) -> StateMachine:
    """Compile a validated definition. Raises DefinitionError listing every expression problem.
    ``warnings`` (problems that do not stop loading) are kept on the machine."""
    b = _Builder()
    ql = doc.get("QueryLanguage", JSONPATH)
    graph = b.graph(doc, "", (), ql)
    if b.problems:
        raise DefinitionError(sorted(b.problems, key=lambda p: p.pointer))
    return StateMachine(
        graph=graph,
        definition=doc,
        comment=doc.get("Comment"),
        timeout_seconds=doc.get("TimeoutSeconds"),
        version=doc.get("Version"),
        query_language=ql,
        warnings=tuple(warnings),
    )


__all__ = ["JSONATA", "build_state_machine"]
