"""Wiring for the Lambda functions: settings from environment variables, built once per container.

Environment (``Settings.from_env``):

* ``STEPFN_TABLE``: the DynamoDB table (required).
* ``STEPFN_QUEUE_URL``: the SQS work queue's URL (required).
* ``STEPFN_REGION``: region for ARNs and clients (default ``AWS_REGION``, else ``us-east-1``).
* ``STEPFN_ACCOUNT``: the account id in ARNs (default: the one in the queue URL).
* ``STEPFN_QUEUE_ARN``: the work queue's ARN (default: derived from the URL; schedules target it).
* ``STEPFN_SCHEDULER_ROLE_ARN``: when set, timers beyond 15 minutes become EventBridge Scheduler
  one-time schedules (Scheduler assumes the role to ``sqs:SendMessage``); unset, they are chained
  delayed messages.
* ``STEPFN_SCHEDULER_GROUP``: the schedule group (default ``default``).
* ``STEPFN_WORKER_THREADS``: records of one batch processed concurrently (default 4).
* ``STEPFN_STALE_AFTER_SECONDS``: the lease a commit takes; the sweeper re-sends the work of an
  execution not advanced for this long (default 1800).

Logging is Powertools' (``POWERTOOLS_SERVICE_NAME``, ``POWERTOOLS_LOG_LEVEL``), tracing too
(``POWERTOOLS_TRACE_DISABLED``).

``api()``, ``worker()`` and ``sweeper()`` return one cached ``Runtime`` per function kind
(store, dispatcher, service, worker): built at the first invocation of a container (its cold
start), reused after. Tests ``configure(...)`` what the environment cannot give (a boto3 session
on moto, a task runner of in-process handlers, a virtual clock) and ``reset()`` between tests.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import boto3

from ..adapters.clock import Clock, SystemClock
from ..adapters.stores.dynamodb import DynamoDbStore
from .api import ServerlessService
from .dispatcher import EventBridgeTimers, SqsDispatcher
from .worker import Worker

DEFAULT_REGION = "us-east-1"


class ConfigError(RuntimeError):
    """The function's environment lacks or mis-states a setting."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    table: str
    queue_url: str
    region: str = DEFAULT_REGION
    account: str = "123456789012"
    queue_arn: str | None = None
    scheduler_role_arn: str | None = None
    scheduler_group: str = "default"
    worker_threads: int = 4
    stale_after_seconds: float = 1800.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        missing = [name for name in ("STEPFN_TABLE", "STEPFN_QUEUE_URL") if not env.get(name)]
        if missing:
            raise ConfigError(f"environment variable {missing[0]} is not set (the function's configuration)")
        queue_url = env["STEPFN_QUEUE_URL"]
        region = env.get("STEPFN_REGION") or env.get("AWS_REGION") or DEFAULT_REGION
        url_account, url_name = _queue_parts(queue_url)
        account = env.get("STEPFN_ACCOUNT") or url_account or "123456789012"
        queue_arn = env.get("STEPFN_QUEUE_ARN") or (
            f"arn:aws:sqs:{region}:{account}:{url_name}" if url_name else None
        )
        return cls(
            table=env["STEPFN_TABLE"],
            queue_url=queue_url,
            region=region,
            account=account,
            queue_arn=queue_arn,
            scheduler_role_arn=env.get("STEPFN_SCHEDULER_ROLE_ARN") or None,
            scheduler_group=env.get("STEPFN_SCHEDULER_GROUP") or "default",
            worker_threads=_number(env, "STEPFN_WORKER_THREADS", 4, int),
            stale_after_seconds=_number(env, "STEPFN_STALE_AFTER_SECONDS", 1800.0, float),
        )


def _queue_parts(url: str) -> tuple[str | None, str | None]:
    """(account, name) of ``https://sqs.<region>.amazonaws.com/<account>/<name>``."""
    parts = [p for p in url.split("/") if p]
    if len(parts) >= 2 and parts[-2].isdigit():
        return parts[-2], parts[-1]
    return None, parts[-1] if parts else None


def _number(env: Mapping[str, str], name: str, default: Any, kind: type) -> Any:
    text = env.get(name)
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise ConfigError(f"environment variable {name}={text!r} is not a number") from None
    if value <= 0:
        raise ConfigError(f"environment variable {name} must be positive, got {text}")
    return value


@dataclass(slots=True)
class Overrides:
    """What tests inject instead of what the environment builds."""

    session: Any = None  # boto3.Session for DynamoDB, SQS, Scheduler and service tasks
    runner: Any = None  # task runner (default: Lambda and service integrations through boto3)
    clock: Clock | None = None
    settings: Settings | None = None


@dataclass(slots=True)
class Runtime:
    settings: Settings
    store: DynamoDbStore
    dispatcher: SqsDispatcher
    service: ServerlessService
    worker: Worker
    clock: Clock
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def executor(self) -> Any:
        return self.service.workflows.executor


_overrides = Overrides()
_cache: dict[str, Runtime] = {}
_guard = threading.Lock()


def configure(**overrides: Any) -> None:
    """Set test overrides (``session``, ``runner``, ``clock``, ``settings``); drops built runtimes."""
    global _overrides
    with _guard:
        _overrides = Overrides(**overrides)
        _cache.clear()


def reset() -> None:
    configure()


def api() -> Runtime:
    return _runtime("api")


def worker() -> Runtime:
    return _runtime("worker")


def sweeper() -> Runtime:
    return _runtime("sweeper")


def runtimes() -> dict[str, Runtime]:
    """The runtimes built so far, by function kind (tests sum their store writes)."""
    with _guard:
        return dict(_cache)


def _runtime(kind: str) -> Runtime:
    with _guard:
        runtime = _cache.get(kind)
        if runtime is None:
            runtime = _cache[kind] = build(_overrides.settings or Settings.from_env(), _overrides)
        return runtime


def build(settings: Settings, overrides: Overrides | None = None) -> Runtime:
    """A runtime: the DynamoDB store, the SQS dispatcher, the API service and the worker."""
    overrides = overrides or Overrides()
    session = overrides.session or boto3.Session(region_name=settings.region)
    clock = overrides.clock or SystemClock()
    store = DynamoDbStore(settings.table, client=session.client("dynamodb", region_name=settings.region))
    scheduler = None
    if settings.scheduler_role_arn and settings.queue_arn:
        scheduler = EventBridgeTimers(
            session.client("scheduler", region_name=settings.region),
            queue_arn=settings.queue_arn,
            role_arn=settings.scheduler_role_arn,
            group=settings.scheduler_group,
        )
    sqs = session.client("sqs", region_name=settings.region)
    dispatcher = SqsDispatcher(sqs, settings.queue_url, clock=clock, scheduler=scheduler)
    runner = overrides.runner if overrides.runner is not None else aws_runner(session, settings.region)
    service = ServerlessService(
        store,
        runner=runner,
        clock=clock,
        region=settings.region,
        account=settings.account,
        dispatch=dispatcher,
    )
    executor = service.workflows.executor
    executor.poster = lambda arn, message, at: dispatcher.post(arn, message, at=at)
    executor.lease = timedelta(seconds=settings.stale_after_seconds)
    worker = Worker(executor, dispatcher, clock)
    return Runtime(settings, store, dispatcher, service, worker, clock)


def aws_runner(session: Any, region: str) -> Any:
    """Tasks on AWS: Lambda functions through ``lambda:Invoke``, the optimized service integrations
    and ``aws-sdk:*`` through boto3, Distributed Map item reading / result writing on S3. Nested
    executions (``states:startExecution*``) run in this deployment's store (``Workflows`` adds them)."""
    from ..adapters.aws.session import AwsHandle
    from ..adapters.local_runner import LocalTaskRunner

    runner = LocalTaskRunner.from_handlers({})
    return AwsHandle(session, "real", region=region).attach(runner)
