"""Shared test set-up: every test gets its own execution store, so nothing writes to the
project's ``.stepfn/stepfn.db`` (the CLI's default store)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEPFN_STORE", str(tmp_path_factory.mktemp("store") / "stepfn.db"))
