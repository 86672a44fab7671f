"""SAM to CloudFormation with AWS's own translator (``aws-sam-translator``).

The ``AWS::Serverless-2016-10-31`` transform that CloudFormation runs on ``sam deploy`` is the
``aws-sam-translator`` package; running it here means Globals, ``AWS::Serverless::SimpleTable``
defaults (``id``/String key, on-demand billing), ``FunctionName``, ``InlineCode``, policy
templates ... mean locally exactly what they mean on AWS, and SAM's own validation messages
("Resource with id [Fn] is invalid. ...") come for free. stepfn then maps plain CloudFormation
resource types only.

The translator wants S3 locations for code and definitions (``sam build``/``sam package``
upload them); as ``sam validate`` does, local ``CodeUri``/``DefinitionUri``/``ContentUri`` paths
are swapped for placeholder S3 URIs first and mapped back afterwards (``local_uris``).
``AWS::Serverless::Application`` (nested apps, fetched from the Serverless Application
Repository) is left out: it needs the network and has no local equivalent.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from typing import Any

from .document import TemplateDocument
from .errors import TemplateError

SERVERLESS_TRANSFORM = "AWS::Serverless-2016-10-31"
LOCAL_BUCKET = "stepfn-local-artifacts"

# (SAM resource type, property holding a local path).
_LOCAL_URI_PROPERTIES = (
    ("AWS::Serverless::Function", "CodeUri"),
    ("AWS::Serverless::StateMachine", "DefinitionUri"),
    ("AWS::Serverless::Api", "DefinitionUri"),
    ("AWS::Serverless::HttpApi", "DefinitionUri"),
    ("AWS::Serverless::LayerVersion", "ContentUri"),
)
_GLOBAL_URI_PROPERTIES = (("Function", "CodeUri"), ("Api", "DefinitionUri"), ("HttpApi", "DefinitionUri"))
_LEFT_OUT = {
    "AWS::Serverless::Application": "a nested application (from the Serverless Application Repository)"
}


@dataclass(frozen=True, slots=True)
class CfnTemplate:
    """The template as CloudFormation sees it after the SAM transform."""

    resources: dict[str, dict[str, Any]]
    parameters: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    mappings: dict[str, Any] = field(default_factory=dict)
    local_uris: dict[str, str] = field(default_factory=dict)  # placeholder S3 key -> local path
    left_out: dict[str, str] = field(default_factory=dict)  # logical id -> why

    def local_path(self, location: Any) -> str | None:
        """The local path behind a placeholder ``{Bucket, Key}``/``{S3Bucket, S3Key}``, else None."""
        if not isinstance(location, dict):
            return None
        bucket = location.get("Bucket", location.get("S3Bucket"))
        key = location.get("Key", location.get("S3Key"))
        if bucket == LOCAL_BUCKET and isinstance(key, str):
            return self.local_uris.get(key)
        return None


def uses_serverless_transform(data: dict[str, Any]) -> bool:
    transform = data.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    return SERVERLESS_TRANSFORM in names


def to_cloudformation(doc: TemplateDocument, *, region: str, parameters: dict[str, Any]) -> CfnTemplate:
    """Run the SAM transform (when the template asks for it) over a copy of ``doc``."""
    data = copy.deepcopy(doc.data)
    left_out: dict[str, str] = {}
    for logical_id, resource in list(data["Resources"].items()):
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            raise doc.error("a resource needs a Type", f"/Resources/{logical_id}")
        if resource["Type"] in _LEFT_OUT:
            left_out[logical_id] = _LEFT_OUT[resource["Type"]]
            del data["Resources"][logical_id]
    local_uris = _swap_local_uris(data)
    if uses_serverless_transform(data):
        data = _translate(doc, data, region, parameters)
    return CfnTemplate(
        resources=data["Resources"],
        parameters=data.get("Parameters") or {},
        conditions=data.get("Conditions") or {},
        mappings=data.get("Mappings") or {},
        local_uris=local_uris,
        left_out=left_out,
    )


def _swap_local_uris(data: dict[str, Any]) -> dict[str, str]:
    local: dict[str, str] = {}

    def swap(properties: Any, name: str) -> None:
        if not isinstance(properties, dict):
            return
        value = properties.get(name)
        if isinstance(value, str) and not value.startswith("s3://"):
            key = str(len(local))
            local[key] = value
            properties[name] = f"s3://{LOCAL_BUCKET}/{key}"

    for resource in data["Resources"].values():
        for resource_type, name in _LOCAL_URI_PROPERTIES:
            if resource.get("Type") == resource_type:
                swap(resource.get("Properties"), name)
    globals_ = data.get("Globals")
    if isinstance(globals_, dict):
        for section, name in _GLOBAL_URI_PROPERTIES:
            swap(globals_.get(section), name)
    return local


def _translate(
    doc: TemplateDocument, data: dict[str, Any], region: str, parameters: dict[str, Any]
) -> dict[str, Any]:
    import boto3
    from samtranslator.metrics.metrics import Metrics
    from samtranslator.public.exceptions import InvalidDocumentException
    from samtranslator.public.parser import Parser
    from samtranslator.public.translator import Translator

    logging.getLogger("samtranslator").setLevel(logging.ERROR)
    metrics = Metrics()
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=region), metrics=metrics)
    try:
        # No managed-policy lookups (they call IAM): policy names are kept as they are.
        return translator.translate(data, parameter_values=dict(parameters), get_managed_policy_map=dict)
    except InvalidDocumentException as err:
        raise _document_error(doc, err) from None
    except Exception as err:  # the translator's other failures (e.g. a malformed property)
        raise doc.error(f"the SAM transform failed: {type(err).__name__}: {err}") from None
    finally:
        metrics.metrics_cache.clear()


def _document_error(doc: TemplateDocument, err: Any) -> TemplateError:
    """SAM's errors, each with the line of the resource it names (a private attribute of SAM's
    exceptions: read with a fallback)."""
    located = []
    for cause in err.causes:
        logical_id = getattr(cause, "_logical_id", None)
        line = doc.line_of(f"/Resources/{logical_id}") if isinstance(logical_id, str) else None
        located.append((cause.message, line))
    if len(located) == 1:
        return TemplateError(located[0][0], source=doc.source, line=located[0][1])
    lines = [
        f"{doc.source}:{line}: {message}" if line else f"{doc.source}: {message}" for message, line in located
    ]
    return TemplateError("the SAM transform found problems:\n  " + "\n  ".join(lines))
