"""How well a model predicts music: its mean negative log-likelihood per value (nats).

Both kinds are scored the same way, with numpy: from a zero state, every value of every file
in turn, each one's probability taken from the network's distribution over the model's
vocabulary (values the vocabulary lacks count as the nearest value it has), with the chords
and beats of the file for the new kind. No rule takes part.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from jazzgui.model.modelfile import JazzModel
from jazzgui.model.stepper import make_stepper
from jazzgui.music.conditioning import onset_features, token_onsets
from jazzgui.music.corpus import CorpusEntry, Vocabulary


def _log_probabilities(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max()
    return shifted - np.log(np.exp(shifted).sum())


def entry_nll(model: JazzModel, entry: CorpusEntry, vocabulary: Vocabulary) -> tuple[float, int]:
    """(summed negative log-likelihood, values) of one file's values under the model."""
    tokens = [token for bar in entry.bars for token in bar]
    if not tokens:
        return 0.0, 0
    ids = [vocabulary.nearest(token) for token in tokens]
    conditioned = model.config.conditioned and entry.sheet is not None
    if model.config.conditioned and entry.sheet is None:
        raise ValueError(f"{entry.path}: the new kind needs the file's chords to be scored")
    progression = entry.sheet.progression if conditioned else None
    onsets = token_onsets(entry.bars, progression.beats_per_bar) if conditioned else None

    def features(position: int) -> np.ndarray | None:
        return None if onsets is None else onset_features(progression, int(onsets[position]))

    stepper = make_stepper(model)
    logits = stepper.step(None, features(0))
    total = 0.0
    for position, index in enumerate(ids):
        total -= float(_log_probabilities(logits)[index])
        if position + 1 < len(ids):
            logits = stepper.step(index, features(position + 1))
    return total, len(ids)


def nll_per_value(model: JazzModel, entries: Sequence[CorpusEntry]) -> float:
    """Mean negative log-likelihood per value (nats) over the files' values."""
    vocabulary = Vocabulary.from_list(model.vocabulary)
    total = count = 0
    for entry in entries:
        nll, values = entry_nll(model, entry, vocabulary)
        total += nll
        count += values
    return total / count if count else float("nan")


def windows_nll(
    model: JazzModel,
    x: np.ndarray,
    y: np.ndarray,
    features: np.ndarray | None = None,
    batch: int = 512,
) -> np.ndarray:
    """The training loss of each window, in float32 without TensorFlow: the summed negative
    log-likelihood of its targets y (m, Tx), given its token ids x (m, Tx) and for the new kind
    the features of each target's onset (m, Tx, width), from a zero state with the true earlier
    tokens (and parts) given, as the network is trained. The reference kind's probabilities
    are floored at 1e-7 as its training loss floors them."""
    floor = None if model.config.conditioned else float(np.log(1e-7))
    stepper = make_stepper(model, np.float32)
    losses = np.zeros(len(x), dtype=np.float64)
    for start in range(0, len(x), batch):
        rows = slice(start, start + batch)
        stepper.reset()
        for t in range(x.shape[1]):
            h = stepper.advance(x[rows, t], None if features is None else features[rows, t])
            log_p = stepper.target_log_p(h, y[rows, t])
            if floor is not None:
                log_p = np.maximum(log_p, floor)
            losses[rows] -= log_p
    return losses
