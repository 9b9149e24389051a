"""Test setup: Qt offscreen, settings in a temporary folder, paths to the reference data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parents[1]
REFERENCE_MIDI = REPO.parent / "shared" / "seed-data" / "original_metheny.mid"


@pytest.fixture
def reference_midi() -> Path:
    """The reference exercise's training file, read from ../shared (never copied here)."""
    if not REFERENCE_MIDI.exists():
        pytest.fail(f"{REFERENCE_MIDI} is missing: the repository must sit beside ../shared")
    return REFERENCE_MIDI


@pytest.fixture(autouse=True)
def _settings_in_tmp(tmp_path, monkeypatch):
    """Keep QSettings, user data and the corpus cache of every test in a temporary folder."""
    monkeypatch.setenv("JAZZGUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("JAZZGUI_CACHE_DIR", str(tmp_path / "cache"))
