"""Where the starter model ships: package data, so `jazzgui generate` works out of the box."""

from __future__ import annotations

from pathlib import Path

STARTER_NAME = "starter.jazzmodel"


def starter_model_path() -> Path:
    """The starter model inside the installed package (it may be missing in a source tree)."""
    return Path(__file__).resolve().parent.parent / "assets" / STARTER_NAME
