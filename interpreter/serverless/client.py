"""A boto3 Step Functions client for a deployed stack's HTTP API endpoint.

``boto3.client("stepfunctions", endpoint_url=<stack URL>)`` sends AWS JSON 1.0 requests the API
function answers, but signs them (SigV4) for the service ``states``. API Gateway's IAM
authorization checks signatures made for ``execute-api``; ``stack_client`` re-targets the signature
(a ``before-sign`` hook), so the caller's IAM identity needs ``execute-api:Invoke`` on the API.
"""

from __future__ import annotations

from typing import Any

import boto3

SIGNING_NAME = "execute-api"


def sign_for_api_gateway(client: Any) -> Any:
    """Make ``client`` (any boto3 client) sign its requests for ``execute-api``; returns it."""

    def resign(request: Any, **_: Any) -> None:
        request.context.setdefault("signing", {})["signing_name"] = SIGNING_NAME

    service_id = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"before-sign.{service_id}", resign)
    return client


def stack_client(
    endpoint_url: str, *, session: boto3.Session | None = None, region: str | None = None
) -> Any:
    """``stepfunctions`` client talking to the stack's API (``StepfnApiUrl`` output)."""
    session = session or boto3.Session()
    client = session.client("stepfunctions", endpoint_url=endpoint_url, region_name=region)
    return sign_for_api_gateway(client)
