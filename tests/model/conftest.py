"""Fixtures: small models with random weights and tiny corpora (no TensorFlow needed)."""

from __future__ import annotations

import pytest
from model_fakes import random_model, tiny_corpus

from jazzgui.music.corpus import Corpus


@pytest.fixture
def make_model():
    """A factory of random-weight models: make_model(tokens=None, config=None, seed=0)."""
    return random_model


@pytest.fixture
def corpus() -> Corpus:
    return tiny_corpus()
