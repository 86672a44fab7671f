"""Where AWS calls go: ``aws_session("moto")`` (in-process moto) or ``aws_session("real")``.

``AwsHandle`` owns what it started: ``close()`` (or leaving its ``with`` block) stops moto, whose
resources then disappear. moto runs with a private boto3 Session holding fake credentials and
``core.mock_credentials`` off, so the process environment is never changed; inside an active
``mock_aws()`` of the caller (tests) the mock nests and the caller's resources stay visible.
``attach(runner)`` wires the service integrations into a ``LocalTaskRunner``; with real AWS a
Lambda function that has no local handler is invoked on AWS.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Literal

import boto3

from .lambda_remote import LambdaFallback
from .map_io import MapIORunner
from .runner import AwsServiceRunner

Mode = Literal["moto", "real", "session"]
MODES = ("moto", "real")
_FAKE = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "aws_session_token": "testing"}


class AwsUnavailable(RuntimeError):
    """The requested AWS mode cannot start (moto is not installed)."""


class AwsHandle:
    """A boto3 session for service tasks, and whatever has to stop when the run ends."""

    def __init__(self, session: boto3.Session, mode: Mode, *, stop: Any = None, region: str | None = None):
        self.session = session
        self.mode = mode
        self.region = region or session.region_name or "us-east-1"
        self._stop = stop

    def runner(self, **options: Any) -> AwsServiceRunner:
        return AwsServiceRunner(self.session, region=self.region, **options)

    def attach(self, runner: Any) -> Any:
        """Add the service integrations to a ``LocalTaskRunner`` (after the local Lambda handlers;
        with real AWS, Lambda functions without a local handler run on AWS)."""
        if not callable(getattr(runner, "add", None)):
            raise TypeError("aws= needs the runner to be a LocalTaskRunner (runner.add)")
        aws = self.runner()
        runner.add(aws)
        runner.add(MapIORunner(self.session, region=self.region))  # Distributed Map ItemReader/ResultWriter
        if self.mode == "real" and not isinstance(runner.lambdas, LambdaFallback):
            runner.lambdas = LambdaFallback(runner.lambdas, aws.clients, aws.region)
        return runner

    def close(self) -> None:
        stop, self._stop = self._stop, None
        if stop is not None:
            stop()

    def __enter__(self) -> AwsHandle:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def aws_session(mode: str, *, region: str = "us-east-1") -> AwsHandle:
    """``"moto"``: start moto in this process (``close()`` stops it); ``"real"``: the normal boto3
    credential chain and the profile's region (``region`` when the profile names none)."""
    if mode == "moto":
        try:
            from moto import mock_aws
        except ImportError:  # pragma: no cover - moto is a dev dependency
            raise AwsUnavailable("--aws moto needs moto: pip install 'moto[all]'") from None
        mock = mock_aws(config={"core": {"mock_credentials": False}})  # type: ignore[typeddict-unknown-key]
        mock.start()
        session = boto3.Session(region_name=region, **_FAKE)
        return AwsHandle(session, "moto", stop=mock.stop, region=region)
    if mode == "real":
        session = boto3.Session()
        return AwsHandle(session, "real", region=session.region_name or region)
    raise ValueError(f"unknown AWS mode {mode!r}: expected 'moto' or 'real'")


def open_aws(aws: Any, *, region: str = "us-east-1") -> tuple[AwsHandle | None, bool]:
    """``aws`` as given to ``interpreter.run``: None, ``"moto"``, ``"real"``, a boto3 Session or an
    ``AwsHandle``. Returns the handle and whether the caller owns it (must close it)."""
    if aws is None:
        return None, False
    if isinstance(aws, AwsHandle):
        return aws, False
    if isinstance(aws, str):
        return aws_session(aws, region=region), True
    if isinstance(aws, boto3.Session):
        return AwsHandle(aws, "session", region=aws.region_name or region), False
    raise TypeError(f"aws= expects 'moto', 'real' or a boto3.Session, got {type(aws).__name__}")
