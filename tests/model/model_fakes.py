"""Small models with random weights and tiny corpora (no TensorFlow needed), for the model tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from jazzgui.model.config import ModelConfig
from jazzgui.model.modelfile import JazzModel, weight_shapes
from jazzgui.music.corpus import Corpus, CorpusEntry, Vocabulary

TOKENS = [
    "C,1",
    "C,1/2",
    "C,1/2,<+5,-1>",
    "S,1/2,<+1,-5>",
    "S,1/4,<-1,-7>",
    "A,1/4,<+2,-4>",
    "C,1/3,<+3,-3>",
    "X,1/6,<+4,-2>",
    "R,1/2",
    "R,1",
    "C,3/2",
]


def random_model(
    tokens: list[str] | None = None, config: ModelConfig | None = None, seed: int = 0
) -> JazzModel:
    """A model of the right shapes with random weights (scaled so outputs are not flat)."""
    tokens = sorted(tokens or TOKENS)
    config = config or ModelConfig(n_a=16, tx=8)
    rng = np.random.default_rng(seed)
    weights = {
        name: (rng.standard_normal(shape) * 0.5).astype(np.float32)
        for name, shape in weight_shapes(tokens, config).items()
    }
    primers = [tokens[:2], tokens[-1:]]
    corpus = [list(range(len(tokens))), [0] * 4]
    return JazzModel(tokens, config, weights, {"epochs": 3, "loss": 1.0}, primers, corpus=corpus)


def tiny_corpus(bars: int = 24, seed: int = 0) -> Corpus:
    """A corpus of two 'files' of 4/4 bars whose tokens follow a learnable pattern."""
    rng = np.random.default_rng(seed)
    patterns = [
        ["C,1/2", "S,1/2,<+1,-5>", "C,1", "R,1", "C,1/2,<+5,-1>", "S,1/2,<+1,-5>"],
        ["C,1", "A,1/4,<+2,-4>", "S,1/4,<-1,-7>", "C,1/2,<+5,-1>", "R,1/2", "C,3/2"],
    ]
    entries = []
    for index in range(2):
        token_bars = [list(patterns[int(rng.integers(2))]) for _ in range(bars)]
        entries.append(CorpusEntry(Path(f"tiny{index}.mid"), None, token_bars, None))
    vocabulary = Vocabulary.from_bars(bar for e in entries for bar in e.bars)
    return Corpus(entries, vocabulary)
