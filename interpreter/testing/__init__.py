"""Testing state machines: mocked service integrations (the MockConfigFile format of Step
Functions Local) and a pytest fixture, ``stepfn`` (``interpreter.testing.pytest_plugin``).

    from interpreter.testing import Harness, RunResult, MockRunner, load_mock_config
"""

from __future__ import annotations

from .harness import Harness, RunResult
from .mock_config import (
    MockCall,
    MockConfig,
    MockConfigError,
    MockRunner,
    MockTestCase,
    add_mocks,
    load_mock_config,
)

__all__ = [
    "Harness",
    "MockCall",
    "MockConfig",
    "MockConfigError",
    "MockRunner",
    "MockTestCase",
    "RunResult",
    "add_mocks",
    "load_mock_config",
]
