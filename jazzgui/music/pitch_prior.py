"""A learned pitch-class prior: how often a soloist plays each pitch class over each chord family.

The table is P(pitch class relative to the chord root | quality family), counted over a
corpus's melody notes exactly as the quality measure counts them
(`jazzgui.music.measures.pitch_class_counts`), with add-one (Laplace) smoothing so no
pitch class is impossible. Unparsing multiplies its choice among the pitches of a token's type
by it, so a line leans towards what the soloist plays over that kind of chord (3rds and 7ths
over dominants rather than roots, for example).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from jazzgui.music.chords import Chord
from jazzgui.music.leadsheet import LeadSheet
from jazzgui.music.measures import FAMILIES, pitch_class_counts, quality_family

# family -> 12 weights, index = pitch class above the chord root. A family left out (or an
# empty mapping) means no preference over that family's chords.
PitchPrior = Mapping[str, Sequence[float]]


def pitch_class_prior(sheets: Iterable[LeadSheet]) -> dict[str, list[float]]:
    """P(pitch class relative to the root | quality family) over the sheets' melody notes.

    Every family in `FAMILIES` gets 12 probabilities summing to 1: (count + 1) / (notes + 12),
    so a family the sheets never play over comes out uniform.
    """
    counts = np.zeros((len(FAMILIES), 12))
    for sheet in sheets:
        counts += pitch_class_counts(sheet.melody, sheet.progression)
    smoothed = counts + 1.0
    return {family: [float(p) for p in row / row.sum()] for family, row in zip(FAMILIES, smoothed)}


def prior_problems(prior: object) -> list[str]:
    """What makes `prior` unusable as a PitchPrior (empty when nothing does)."""
    if not isinstance(prior, Mapping):
        return ["the pitch-class prior is not a mapping of chord families to 12 weights"]
    problems = []
    for family, weights in prior.items():
        if family not in FAMILIES:
            problems.append(
                f"the pitch-class prior names an unknown chord family {family!r} "
                f"(known: {', '.join(FAMILIES)})"
            )
            continue
        if not _is_number_list(weights) or len(weights) != 12:
            problems.append(f"the pitch-class prior of {family} is not a list of 12 numbers")
            continue
        if not all(math.isfinite(w) for w in weights):
            problems.append(f"the pitch-class prior of {family} holds NaN or infinite values")
        elif any(w < 0 for w in weights):
            problems.append(f"the pitch-class prior of {family} holds negative weights")
        elif sum(weights) <= 0:
            problems.append(f"the pitch-class prior of {family} is all zeros")
    return problems


def _is_number_list(value: object) -> bool:
    # JSON's true/false would pass as numbers: a weight is a plain int or float.
    return isinstance(value, (list, tuple)) and all(
        isinstance(w, (int, float, np.integer, np.floating)) and not isinstance(w, bool)
        for w in value
    )


def pitch_weights(prior: PitchPrior, chord: Chord) -> np.ndarray | None:
    """The prior over `chord` by absolute pitch class (index 0 = C), or None without one."""
    weights = prior.get(quality_family(chord))
    if weights is None:
        return None
    # Entry i of the family's row is the pitch class i semitones above the root.
    return np.roll(np.asarray(weights, dtype=float), chord.root)
