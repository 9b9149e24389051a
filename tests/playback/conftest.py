"""Fixtures for playback tests."""

from __future__ import annotations

import pytest
from playback_fakes import FakeClock


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()
