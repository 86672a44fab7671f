"""CloudFormation intrinsic functions, resolved to the values of a local run.

``Ref`` (parameters, pseudo parameters, resources), ``Fn::GetAtt``, ``Fn::Sub`` (both forms,
``${!Literal}``), ``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::If`` with the template's
``Conditions`` (``Fn::Equals``/``And``/``Or``/``Not``, ``Condition``), ``Fn::FindInMap``,
``Fn::Base64``, ``Fn::GetAZs``, ``Fn::ToJsonString``, ``Fn::Length`` and ``AWS::NoValue``, as
the CloudFormation reference ("Intrinsic function reference", "Pseudo parameters reference")
describes them. Resource values come from ``resources.py``. ``Fn::ImportValue`` and the other
functions that need a deployed account are errors saying so, at the JSON Pointer they sit at.

Resolution is lazy: only what a run needs (the state machine's substitutions and definition,
the functions' environment, the properties of the resources created) is resolved, so a
template may hold things stepfn cannot map as long as the run does not touch them.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

from . import resources
from .document import TemplateDocument
from .errors import TemplateError
from .resources import Target
from .translate import CfnTemplate


class _NoValue:
    """``Ref: AWS::NoValue``: the property (or list item) is removed."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_UNSUPPORTED = {
    "Fn::ImportValue": "a value exported by another stack",
    "Fn::Cidr": "CIDR blocks of a deployed VPC",
    "Fn::Transform": "a macro run by CloudFormation",
    "Fn::ForEach": "an AWS::LanguageExtensions loop",
}


def intrinsic(value: Any) -> tuple[str, Any] | None:
    """``(function, argument)`` when ``value`` is a one-key intrinsic mapping, else None."""
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
            return key, value[key]
        if key == "Condition" and isinstance(value[key], str):
            return key, value[key]
    return None


def references(value: Any) -> Iterator[str]:
    """Every name a value refers to (``Ref``, ``Fn::GetAtt``, ``Fn::Sub`` variables)."""
    stack = [value]
    while stack:
        node = stack.pop()
        found = intrinsic(node)
        if found is not None:
            function, argument = found
            if function == "Ref" and isinstance(argument, str):
                yield argument
            elif function == "Fn::GetAtt":
                if isinstance(argument, list) and argument and isinstance(argument[0], str):
                    yield argument[0]
                elif isinstance(argument, str):
                    yield argument.partition(".")[0]
            elif function == "Fn::Sub":
                text = argument[0] if isinstance(argument, list) and argument else argument
                if isinstance(text, str):
                    for name in _SUB_VARIABLE.findall(text):
                        if not name.startswith("!"):
                            yield name.partition(".")[0].strip()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


class Resolver:
    """Resolves values of ``cfn`` (the translated template of ``doc``) for ``target``."""

    def __init__(
        self,
        doc: TemplateDocument,
        cfn: CfnTemplate,
        target: Target,
        parameter_values: dict[str, Any] | None = None,
    ) -> None:
        self.doc, self.cfn, self.target = doc, cfn, target
        self.parameter_values = dict(parameter_values or {})
        self._conditions: dict[str, bool] = {}
        self._resolving: set[str] = set()
        self._attributes: dict[str, dict[str, Any]] = {}

    # -- resources -------------------------------------------------------------------------

    def resource(self, logical_id: str) -> dict[str, Any] | None:
        """The resource, or None when the template has none by that id (or its Condition is false)."""
        resource = self.cfn.resources.get(logical_id)
        if resource is None:
            return None
        condition = resource.get("Condition")
        if isinstance(condition, str) and not self.condition(condition, f"/Resources/{logical_id}/Condition"):
            return None
        return resource

    def resource_type(self, logical_id: str) -> str | None:
        resource = self.resource(logical_id)
        return resource.get("Type") if resource is not None else None

    def property(self, logical_id: str, name: str) -> Any:
        """A property of a resource, resolved (None when absent)."""
        resource = self.resource(logical_id) or {}
        properties = resource.get("Properties") or {}
        if name not in properties:
            return None
        value = self.resolve(properties[name], f"/Resources/{logical_id}/Properties/{name}")
        return None if value is NO_VALUE else value

    def properties(self, logical_id: str) -> dict[str, Any]:
        resource = self.resource(logical_id) or {}
        value = self.resolve(resource.get("Properties") or {}, f"/Resources/{logical_id}/Properties")
        return value if isinstance(value, dict) else {}

    def attributes(self, logical_id: str, where: str) -> dict[str, Any]:
        """What ``Ref``/``Fn::GetAtt`` give for a resource (``"Ref"`` for ``Ref``)."""
        if logical_id in self._attributes:
            return self._attributes[logical_id]
        resource_type = self.resource_type(logical_id)
        if resource_type is None:
            raise self._error(
                f"no resource {logical_id!r} in the template{self._left_out(logical_id)}", where
            )
        if resource_type not in resources.KINDS:
            raise self._error(
                f"{logical_id} is a {resource_type}, which stepfn does not run locally, "
                "so it has no local name or ARN",
                where,
            )
        if logical_id in self._resolving:
            raise self._error(f"{logical_id}'s name refers to itself", where)
        self._resolving.add(logical_id)
        try:
            values = resources.attributes(self, logical_id, resource_type)
        except TemplateError as err:
            if err.source:
                raise
            raise self._error(err.message, f"/Resources/{logical_id}") from None
        finally:
            self._resolving.discard(logical_id)
        self._attributes[logical_id] = values
        return values

    def _left_out(self, logical_id: str) -> str:
        why = self.cfn.left_out.get(logical_id)
        if why:
            return f" that stepfn can map ({logical_id} is {why})"
        if logical_id in self.cfn.resources:
            return f" (its Condition {self.cfn.resources[logical_id].get('Condition')} is false)"
        return ""

    # -- values ----------------------------------------------------------------------------

    def resolve(self, value: Any, where: str) -> Any:
        """``value`` with every intrinsic function replaced by its local value."""
        found = intrinsic(value)
        if found is not None:
            return self._call(found[0], found[1], where)
        if isinstance(value, dict):
            result = {}
            for key, item in value.items():
                resolved = self.resolve(item, f"{where}/{key}")
                if resolved is not NO_VALUE:
                    result[key] = resolved
            return result
        if isinstance(value, list):
            items = (self.resolve(item, f"{where}/{i}") for i, item in enumerate(value))
            return [item for item in items if item is not NO_VALUE]
        return value

    def resolve_text(self, value: Any, where: str) -> str:
        """A value that must end up a string (numbers and booleans as CloudFormation writes them)."""
        resolved = self.resolve(value, where)
        if isinstance(resolved, bool):
            return "true" if resolved else "false"
        if isinstance(resolved, str | int | float):
            return str(resolved)
        raise self._error(f"expected a string, got {json.dumps(resolved, default=str)}", where)

    def ref(self, name: str, where: str) -> Any:
        pseudo = self._pseudo(name)
        if pseudo is not None:
            return pseudo
        if name in self.cfn.parameters:
            return self._parameter(name, where)
        return self.attributes(name, where)["Ref"]

    def get_att(self, logical_id: str, attribute: str, where: str) -> Any:
        values = self.attributes(logical_id, where)
        if attribute not in values or attribute == "Ref":
            known = ", ".join(sorted(k for k in values if k != "Ref"))
            resource_type = self.resource_type(logical_id)
            raise self._error(
                f"{logical_id} ({resource_type}) has no attribute {attribute!r} stepfn can give "
                f"(known: {known})",
                where,
            )
        return values[attribute]

    def condition(self, name: str, where: str) -> bool:
        if name in self._conditions:
            return self._conditions[name]
        if name not in self.cfn.conditions:
            raise self._error(f"no condition {name!r} in the template's Conditions", where)
        if name in self._resolving:
            raise self._error(f"condition {name} refers to itself", where)
        self._resolving.add(name)
        try:
            value = self._truth(self.cfn.conditions[name], f"/Conditions/{name}")
        finally:
            self._resolving.discard(name)
        self._conditions[name] = value
        return value

    def _truth(self, value: Any, where: str) -> bool:
        resolved = self.resolve(value, where)
        if isinstance(resolved, bool):
            return resolved
        if resolved in ("true", "false"):
            return resolved == "true"
        raise self._error(f"a condition must be true or false, got {resolved!r}", where)

    def _pseudo(self, name: str) -> Any:
        t = self.target
        return {
            "AWS::Region": t.region,
            "AWS::AccountId": t.account,
            "AWS::Partition": t.partition,
            "AWS::StackName": t.stack_name,
            "AWS::StackId": t.stack_id,
            "AWS::URLSuffix": t.url_suffix,
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }.get(name)

    def _parameter(self, name: str, where: str) -> Any:
        declaration = self.cfn.parameters[name] or {}
        if name in self.parameter_values:
            value = self.parameter_values[name]
        elif "Default" in declaration:
            value = declaration["Default"]
        else:
            raise self._error(
                f"parameter {name} has no Default: give its value (--parameter {name}=VALUE)", where
            )
        kind = str(declaration.get("Type", "String"))
        if kind.startswith("AWS::SSM::Parameter::Value"):
            raise self._error(
                f"parameter {name} is read from SSM ({kind}), which a local run cannot do", where
            )
        if kind == "CommaDelimitedList" or kind.startswith("List<"):
            return value if isinstance(value, list) else [v.strip() for v in str(value).split(",")]
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value

    # -- functions -------------------------------------------------------------------------

    def _call(self, function: str, argument: Any, where: str) -> Any:
        at = f"{where}/{function}"
        if function == "Ref":
            if not isinstance(argument, str):
                raise self._error("Ref takes a name", at)
            return self.ref(argument, at)
        if function == "Condition":
            return self.condition(str(argument), at)
        if function == "Fn::GetAtt":
            if isinstance(argument, str):
                argument = list(argument.partition(".")[::2])
            if not (isinstance(argument, list) and len(argument) == 2):
                raise self._error("Fn::GetAtt takes [LogicalId, Attribute]", at)
            logical_id = self.resolve(argument[0], f"{at}/0")
            attribute = self.resolve(argument[1], f"{at}/1")
            return self.get_att(str(logical_id), str(attribute), at)
        if function == "Fn::Sub":
            return self._sub(argument, at)
        if function == "Fn::If":
            if not (isinstance(argument, list) and len(argument) == 3 and isinstance(argument[0], str)):
                raise self._error("Fn::If takes [Condition, ValueIfTrue, ValueIfFalse]", at)
            chosen = 1 if self.condition(argument[0], f"{at}/0") else 2
            return self.resolve(argument[chosen], f"{at}/{chosen}")
        if function in _UNSUPPORTED:
            raise self._error(f"{function} ({_UNSUPPORTED[function]}) has no local value", at)
        handler = getattr(self, "_fn_" + function.removeprefix("Fn::").lower(), None)
        if handler is None:
            raise self._error(f"unknown intrinsic function {function}", at)
        return handler(self.resolve(argument, at), at)

    def _sub(self, argument: Any, where: str) -> str:
        variables: dict[str, Any] = {}
        if isinstance(argument, list):
            if len(argument) != 2 or not isinstance(argument[1], dict):
                raise self._error("Fn::Sub takes a string or [string, {Name: value}]", where)
            text = argument[0]
            variables = {k: self.resolve(v, f"{where}/1/{k}") for k, v in argument[1].items()}
        else:
            text = argument
        if not isinstance(text, str):
            raise self._error("Fn::Sub takes a string", where)

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            name = name.strip()
            if name in variables:
                value = variables[name]
            elif "." in name and self._pseudo(name) is None:
                logical_id, _, attribute = name.partition(".")
                value = self.get_att(logical_id, attribute, where)
            else:
                value = self.ref(name, where)
            if isinstance(value, list):
                raise self._error(f"${{{name}}} is a list; Fn::Sub needs a string", where)
            return "true" if value is True else "false" if value is False else str(value)

        return _SUB_VARIABLE.sub(replace, text)

    def _fn_join(self, argument: Any, where: str) -> str:
        if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], list)):
            raise self._error("Fn::Join takes [delimiter, [values]]", where)
        return str(argument[0]).join(str(item) for item in argument[1])

    def _fn_select(self, argument: Any, where: str) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], list)):
            raise self._error("Fn::Select takes [index, [values]]", where)
        try:
            return argument[1][int(argument[0])]
        except (ValueError, IndexError):
            raise self._error(
                f"Fn::Select: no item {argument[0]!r} in a list of {len(argument[1])}", where
            ) from None

    def _fn_split(self, argument: Any, where: str) -> list[str]:
        if not (isinstance(argument, list) and len(argument) == 2):
            raise self._error("Fn::Split takes [delimiter, string]", where)
        return str(argument[1]).split(str(argument[0]))

    def _fn_findinmap(self, argument: Any, where: str) -> Any:
        if not (isinstance(argument, list) and len(argument) in (3, 4)):
            raise self._error("Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]", where)
        try:
            return self.cfn.mappings[argument[0]][argument[1]][argument[2]]
        except (KeyError, TypeError):
            if len(argument) == 4 and isinstance(argument[3], dict) and "DefaultValue" in argument[3]:
                return argument[3]["DefaultValue"]
            path = "/".join(str(a) for a in argument[:3])
            raise self._error(f"Fn::FindInMap: no {path} in the template's Mappings", where) from None

    def _fn_base64(self, argument: Any, where: str) -> str:
        return base64.b64encode(str(argument).encode("utf-8")).decode("ascii")

    def _fn_getazs(self, argument: Any, where: str) -> list[str]:
        region = argument or self.target.region
        return [f"{region}{zone}" for zone in "abc"]

    def _fn_tojsonstring(self, argument: Any, where: str) -> str:
        return json.dumps(argument, separators=(",", ":"))

    def _fn_length(self, argument: Any, where: str) -> int:
        if not isinstance(argument, list):
            raise self._error("Fn::Length takes a list", where)
        return len(argument)

    def _fn_equals(self, argument: Any, where: str) -> bool:
        if not (isinstance(argument, list) and len(argument) == 2):
            raise self._error("Fn::Equals takes [value, value]", where)
        return str(argument[0]) == str(argument[1])

    def _fn_and(self, argument: Any, where: str) -> bool:
        return all(self._as_bool(item, where) for item in _as_list(argument))

    def _fn_or(self, argument: Any, where: str) -> bool:
        return any(self._as_bool(item, where) for item in _as_list(argument))

    def _fn_not(self, argument: Any, where: str) -> bool:
        items = _as_list(argument)
        if len(items) != 1:
            raise self._error("Fn::Not takes [condition]", where)
        return not self._as_bool(items[0], where)

    def _as_bool(self, value: Any, where: str) -> bool:
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return bool(value == "true")
        raise self._error(f"expected a condition, got {value!r}", where)

    def _error(self, message: str, where: str) -> TemplateError:
        return self.doc.error(message, where)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
