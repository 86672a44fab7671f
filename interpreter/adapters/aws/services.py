"""boto3 clients for the runner, and the aws-sdk service/action lookup.

``Clients`` hands out one boto3 client per (service, region, role) and is safe to share between
the task threads (boto3 clients are thread-safe; creating them is not, hence the lock).

``resolve_sdk_service`` maps the ``<service>`` of ``arn:aws:states:::aws-sdk:<service>:<action>``
to a boto3 client name: the names Step Functions uses are the AWS SDK for Java v2 package names
(``naming.sdk_client_name(serviceId).lower()``); boto3 uses the same name, the same name with
hyphens (``acm-pca`` for ``acmpca``), or one listed in ``naming.SDK_SERVICE_ALIASES``.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.model import OperationModel, ServiceModel

from .naming import SDK_SERVICE_ALIASES, action_to_operation, sdk_client_name

_CONFIG = Config(user_agent_extra="stepfn")


@functools.cache
def _botocore() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.cache
def _available() -> frozenset[str]:
    return frozenset(_botocore().get_available_services())


@functools.cache
def service_model(boto_name: str) -> ServiceModel:
    return _botocore().get_service_model(boto_name)


@functools.cache
def resolve_sdk_service(name: str) -> str | None:
    """The boto3 client name for an aws-sdk service name (``sfn`` -> ``stepfunctions``), or None."""
    if not name or name != name.lower():
        return None
    candidates = [SDK_SERVICE_ALIASES.get(name), name]
    candidates += sorted(b for b in _available() if b.replace("-", "") == name)
    for boto_name in candidates:
        if boto_name is None or boto_name not in _available():
            continue
        if sdk_client_name(service_model(boto_name).service_id).lower() == name:
            return boto_name
    return None


def sdk_operation(boto_name: str, action: str) -> OperationModel | None:
    """The operation a camelCase aws-sdk action names (``getItem`` -> ``GetItem``), or None."""
    operation = action_to_operation(action)
    model = service_model(boto_name)
    if operation is None or operation not in model.operation_names:
        return None
    return model.operation_model(operation)


class Clients:
    """boto3 clients from one session, cached per (service, region, role ARN)."""

    def __init__(self, session: boto3.Session, *, endpoint_url: str | None = None) -> None:
        self.session = session
        self.endpoint_url = endpoint_url
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, str | None], Any] = {}
        self._sessions: dict[tuple[str, str], boto3.Session] = {}

    def get(self, service: str, region: str, role_arn: str | None = None) -> Any:
        key = (service, region, role_arn)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                session = self.session if role_arn is None else self._assumed(role_arn, region)
                client = session.client(
                    service, region_name=region, endpoint_url=self.endpoint_url, config=_CONFIG
                )
                self._clients[key] = client
            return client

    def _assumed(self, role_arn: str, region: str) -> boto3.Session:
        # Credentials.RoleArn: the task runs with the role's credentials (cross-account tasks).
        key = (role_arn, region)
        session = self._sessions.get(key)
        if session is None:
            sts = self.session.client("sts", region_name=region, endpoint_url=self.endpoint_url)
            creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="stepfn")["Credentials"]
            session = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
                region_name=region,
            )
            self._sessions[key] = session
        return session
