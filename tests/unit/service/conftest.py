"""Fixtures: a Step Functions API facade over ``MemoryStore`` with a fixed virtual clock."""

from __future__ import annotations

import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.stores.memory import MemoryStore

from .helpers import START, Service


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def api(store: MemoryStore, clock: VirtualClock) -> Service:
    return Service(store, clock)
