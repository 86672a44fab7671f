"""The typed, immutable model of a state machine: one dataclass per state type.

Everything a run needs is compiled here once (paths, payload templates, intrinsics, JSONata
expressions); the runtime never re-parses strings. ``NULL`` marks a path field explicitly set to
JSON ``null`` (InputPath/OutputPath/ResultPath: null), as opposed to the field being absent
(``None``, meaning the default ``$``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from .graph import StateGraph


class _Null:
    """Marks a path field set to JSON null (distinct from an absent field)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NULL"


NULL: Final = _Null()

JSONPATH: Final = "JSONPath"
JSONATA: Final = "JSONata"


@dataclass(frozen=True, slots=True, kw_only=True)
class Retrier:
    error_equals: tuple[str, ...]
    interval_seconds: Any = 1  # int, or a compiled JSONata expression
    max_attempts: Any = 3
    backoff_rate: float = 2.0
    max_delay_seconds: int | None = None
    jitter_strategy: str = "NONE"


@dataclass(frozen=True, slots=True, kw_only=True)
class Catcher:
    error_equals: tuple[str, ...]
    next: str
    result_path: Any = None  # ReferencePath | None ($) | NULL
    output: Any = None  # JSONata template or None
    assign: Any = None  # variables template or None


@dataclass(frozen=True, slots=True, kw_only=True)
class State:
    """Fields every state type has."""

    name: str
    pointer: str  # JSON Pointer of the state in the definition, for messages
    query_language: str = JSONPATH
    next: str | None = None
    end: bool = False
    comment: str | None = None
    input_path: Any = None  # Path | None ($) | NULL
    output_path: Any = None  # Path | None ($) | NULL
    assign: Any = None  # variables template (Assign) or None
    output: Any = None  # JSONata Output template or None

    type_name = "State"  # overridden per subclass (class attribute, not a field)


@dataclass(frozen=True, slots=True, kw_only=True)
class PassState(State):
    parameters: Any = None  # Template | None
    result: Any = None  # the literal Result
    has_result: bool = False
    result_size: int = 0  # bytes of Result as JSON, checked against the payload limit
    result_path: Any = None

    type_name = "Pass"


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskState(State):
    resource: str = ""
    resource_info: Any = None  # runtime.resources.Resource
    parameters: Any = None  # Template | None (JSONPath Parameters or JSONata Arguments)
    result_selector: Any = None
    result_path: Any = None
    timeout_seconds: Any = None  # int | Path (TimeoutSecondsPath) | JSONata expr
    heartbeat_seconds: Any = None
    credentials: Any = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()

    type_name = "Task"


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoiceRule:
    """One Choice rule. ``test(data, scope) -> bool`` is compiled from the rule tree."""

    test: Any
    condition: Any = None  # JSONata Condition: bool literal or template
    next: str | None = None  # only on top-level rules
    output: Any = None  # JSONata rule Output
    assign: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoiceState(State):
    choices: tuple[ChoiceRule, ...] = ()
    default: str | None = None

    type_name = "Choice"


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitState(State):
    seconds: Any = None  # int | JSONata expr
    seconds_path: Any = None  # Path
    timestamp: Any = None  # str | JSONata expr
    timestamp_path: Any = None  # Path

    type_name = "Wait"


@dataclass(frozen=True, slots=True, kw_only=True)
class SucceedState(State):
    type_name = "Succeed"


@dataclass(frozen=True, slots=True, kw_only=True)
class FailState(State):
    error: Any = None  # str | JSONata expr
    cause: Any = None
    error_path: Any = None  # Path | intrinsic
    cause_path: Any = None

    type_name = "Fail"


@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelState(State):
    branches: tuple[StateGraph, ...] = ()
    parameters: Any = None  # Parameters (JSONPath) / Arguments (JSONata)
    result_selector: Any = None
    result_path: Any = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()

    type_name = "Parallel"


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemBatcher:
    max_items_per_batch: Any = None
    max_items_per_batch_path: Any = None
    max_input_bytes_per_batch: Any = None
    max_input_bytes_per_batch_path: Any = None
    batch_input: Any = None  # Template


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemReader:
    """A Distributed Map's ItemReader: where its items come from (S3) and how to read them."""

    resource: str  # arn:aws:states:::s3:getObject | s3:listObjectsV2
    parameters: Any = None  # Template (Parameters) / JSONata template (Arguments)
    input_type: str | None = None  # ReaderConfig.InputType: CSV | JSON | JSONL | MANIFEST | PARQUET
    csv_header_location: str = "FIRST_ROW"
    csv_headers: tuple[str, ...] | None = None
    csv_delimiter: str = "COMMA"
    items_pointer: str | None = None  # JSON Pointer into a JSON document (InputType JSON)
    manifest_type: str | None = None
    max_items: Any = None  # int | JSONata expression
    max_items_path: Any = None  # Path


@dataclass(frozen=True, slots=True, kw_only=True)
class ResultWriter:
    """A Distributed Map's ResultWriter: S3 destination and/or WriterConfig."""

    resource: str | None = None  # arn:aws:states:::s3:putObject
    parameters: Any = None  # Template (Parameters) / JSONata template (Arguments)
    output_type: str | None = None  # WriterConfig.OutputType: JSON | JSONL
    transformation: str | None = None  # WriterConfig.Transformation: NONE | COMPACT | FLATTEN


@dataclass(frozen=True, slots=True, kw_only=True)
class MapState(State):
    processor: StateGraph | None = None
    distributed: bool = False
    execution_type: str = "STANDARD"
    items_path: Any = None  # Path | None ($)
    items: Any = None  # JSONata Items / JSONPath literal array
    item_selector: Any = None  # Template (ItemSelector, or legacy Parameters)
    max_concurrency: Any = 0  # int | JSONata expr
    max_concurrency_path: Any = None
    tolerated_failure_count: Any = None
    tolerated_failure_count_path: Any = None
    tolerated_failure_percentage: Any = None
    tolerated_failure_percentage_path: Any = None
    item_batcher: ItemBatcher | None = None
    item_reader: ItemReader | None = None
    result_writer: ResultWriter | None = None
    label: str | None = None
    result_selector: Any = None
    result_path: Any = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()

    type_name = "Map"


STATE_TYPES: Final = {
    cls.type_name: cls
    for cls in (
        PassState,
        TaskState,
        ChoiceState,
        WaitState,
        SucceedState,
        FailState,
        ParallelState,
        MapState,
    )
}

__all__ = [
    "JSONATA",
    "JSONPATH",
    "NULL",
    "STATE_TYPES",
    "Catcher",
    "ChoiceRule",
    "ChoiceState",
    "FailState",
    "ItemBatcher",
    "ItemReader",
    "MapState",
    "ParallelState",
    "PassState",
    "ResultWriter",
    "Retrier",
    "State",
    "SucceedState",
    "TaskState",
    "WaitState",
]
