"""pytest plugin (entry point ``pytest11: stepfn``): the ``stepfn`` fixture.

    def test_retry_path(stepfn):
        result = stepfn.run(Path("statemachine/checkout.asl.json"), {"amount": 42},
                            mock_config="MockConfigFile.json", test_case="Busy")
        assert result.status == "SUCCEEDED"
        assert result.retries("Charge") == 2 and result.elapsed == 6

``stepfn.run`` runs one execution to its end on the virtual clock (no test sleeps) and returns an
``interpreter.testing.harness.RunResult``. Set ``stepfn.mock_config`` (or ``$SFN_MOCK_CONFIG``) once
to give every run of a test the same file. Registered by the ``stepfn`` distribution; without it
installed, ``pytest -p interpreter.testing.pytest_plugin``. Importing this module is cheap: the
engine loads when a test asks for the fixture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .harness import Harness


@pytest.fixture
def stepfn() -> Harness:
    """Runs state machines for this test: ``stepfn.run(definition, input, mock_config=...,
    test_case=..., handlers=...)`` -> ``RunResult`` (status, output, error, cause, history,
    ``events()``, ``state_output()``, ``retries()``, ``elapsed``)."""
    from .harness import Harness

    return Harness()
