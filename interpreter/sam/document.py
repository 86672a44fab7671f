"""Read ``template.yaml``: CloudFormation YAML (or JSON) to plain data, with line numbers.

Library choice: PyYAML's ``SafeLoader`` with one multi-constructor for CloudFormation's
short-form tags (``!Ref x`` -> ``{"Ref": "x"}``, ``!GetAtt a.b`` -> ``{"Fn::GetAtt": ["a", "b"]}``,
``!Sub``, ``!Join``, ``!If`` ... -> ``{"Fn::Name": value}``). That is exactly what AWS's own
tools do (aws-cli's and SAM CLI's ``yamlhelper``, cfn-flip's loader), on the YAML library
everybody already has. The alternatives were weighed: cfn-lint's decoder also keeps line marks,
but importing it pulls in sympy and networkx (0.4 s, tens of MB that would also ship in the
Lambda package of stepfn's serverless mode); cfn-flip has had no release since 2021. The
SAM-to-CloudFormation step itself is AWS's translator (``translate.py``), not ours.

On top of the plain load: duplicate mapping keys are an error (CloudFormation rejects them,
PyYAML would silently keep the last), YAML timestamps stay strings (``AWSTemplateFormatVersion:
2010-09-09`` unquoted), and ``lines`` maps each JSON Pointer to the line its value starts on, so
later errors can say ``template.yaml:42: /Resources/Fn/Properties/Handler: ...``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import TemplateError

# Tags whose long form is not "Fn::" + name.
_SPECIAL = {"Ref": "Ref", "Condition": "Condition"}


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader + CloudFormation tags, duplicate-key errors, timestamps kept as text."""


def _construct_tag(loader: _CfnLoader, tag_suffix: str, node: yaml.Node) -> Any:
    name = _SPECIAL.get(tag_suffix, f"Fn::{tag_suffix}")
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if tag_suffix == "GetAtt" and isinstance(value, str):
            # "Resource.Attr.With.Dots": the first dot splits (as CloudFormation does).
            resource, _, attribute = value.partition(".")
            value = [resource, attribute]
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


def _construct_mapping(loader: _CfnLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
        if key in result:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)  # type: ignore[no-untyped-call]
    return result


def _construct_timestamp(loader: _CfnLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_CfnLoader.add_multi_constructor("!", _construct_tag)
_CfnLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_CfnLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


@dataclass(frozen=True, slots=True)
class TemplateDocument:
    """A parsed template: its data, where it came from, and the line of each JSON Pointer."""

    data: dict[str, Any]
    path: Path
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return str(self.path)

    @property
    def base_dir(self) -> Path:
        return self.path.resolve().parent

    def line_of(self, pointer: str) -> int | None:
        """The line of ``pointer``, or of its nearest ancestor the file has a line for."""
        while True:
            if pointer in self.lines:
                return self.lines[pointer]
            if not pointer:
                return None
            pointer = pointer.rpartition("/")[0]

    def error(self, message: str, where: str = "") -> TemplateError:
        """An error at ``where`` (a JSON Pointer; "" for the template as a whole: no line)."""
        line = self.line_of(where) if where else None
        return TemplateError(message, source=self.source, where=where, line=line)


def load_document(path: str | Path) -> TemplateDocument:
    """Read and parse a template file; any problem is a ``TemplateError`` with its line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise TemplateError(f"cannot read the template: {err.strerror}", source=str(path)) from None
    except UnicodeDecodeError:
        raise TemplateError("the template is not UTF-8 text", source=str(path)) from None
    return parse_document(text, path)


def parse_document(text: str, path: str | Path = "template.yaml") -> TemplateDocument:
    path = Path(path)
    source = str(path)
    lines: dict[str, int]
    if text.lstrip().startswith("{"):
        data, lines = _parse_json(text, source), {}
    else:
        data, lines = _parse_yaml(text, source)
    if not isinstance(data, dict):
        raise TemplateError("a template is a mapping with a Resources section", source=source, line=1)
    if not isinstance(data.get("Resources"), dict) or not data["Resources"]:
        line = lines.get("/Resources", 1)
        raise TemplateError("the template has no Resources", source=source, where="/Resources", line=line)
    return TemplateDocument(data, path, lines)


def _parse_json(text: str, source: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                raise TemplateError(f"duplicate key {key!r}", source=source)
            result[key] = value
        return result

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as err:
        raise TemplateError(
            f"not valid JSON: {err.msg} (column {err.colno})", source=source, line=err.lineno
        ) from None


def _parse_yaml(text: str, source: str) -> tuple[Any, dict[str, int]]:
    try:
        loader = _CfnLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None  # type: ignore[no-untyped-call]
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        raise TemplateError(f"not valid YAML: {_yaml_problem(err)}", source=source, line=_line(err)) from None
    except yaml.YAMLError as err:
        raise TemplateError(f"not valid YAML: {err}", source=source) from None
    return data, _lines(node)


def _line(err: yaml.MarkedYAMLError) -> int | None:
    mark = err.problem_mark or err.context_mark
    return mark.line + 1 if mark is not None else None


def _yaml_problem(err: yaml.MarkedYAMLError) -> str:
    """PyYAML's context and problem, with the problem's column (its line leads the message)."""
    what = " ".join(part for part in (err.context, err.problem) if part)
    mark = err.problem_mark or err.context_mark
    return f"{what} (column {mark.column + 1})" if mark is not None else what


def _lines(root: yaml.Node | None) -> dict[str, int]:
    """JSON Pointer -> 1-based line of every mapping value and sequence item."""
    lines: dict[str, int] = {}
    stack: list[tuple[yaml.Node, str]] = [(root, "")] if root is not None else []
    while stack:
        node, pointer = stack.pop()
        lines.setdefault(pointer, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = str(key_node.value).replace("~", "~0").replace("/", "~1")
                child = f"{pointer}/{key}"
                lines[child] = key_node.start_mark.line + 1
                stack.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, f"{pointer}/{i}") for i, item in enumerate(node.value))
    return lines
