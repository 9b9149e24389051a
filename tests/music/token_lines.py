"""Whole solos from bars of tokens, for tests: `unparse_bar` bar after bar with one generator.

The app improvises bar by bar (jazzgui.model.sampling) and never needs this loop; tests use it
to turn hand-written tokens into a solo over any changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from jazzgui.music.events import NoteEvent
from jazzgui.music.pitch_prior import PitchPrior
from jazzgui.music.progression import Progression
from jazzgui.music.unparse import unparse_bar


def unparse(
    bars: Sequence[Sequence[str]],
    progression: Progression,
    seed: int,
    low: int = 55,
    high: int = 84,
    prior: PitchPrior | None = None,
) -> list[NoteEvent]:
    """Bars of tokens as a solo over `progression` (repeated as needed); same seed, same notes.

    `prior` leans each pitch towards the pitch classes a soloist plays over the chord (see
    `unparse_bar`); None chooses by the tokens' windows alone.
    """
    rng = np.random.default_rng(seed)
    beats = progression.beats_per_bar
    events: list[NoteEvent] = []
    prev_pitch: int | None = None
    for index, tokens in enumerate(bars):
        bar_events, prev_pitch = unparse_bar(
            tokens,
            progression.bar_spans(index),
            index * beats,
            beats,
            prev_pitch,
            rng,
            low,
            high,
            prior,
        )
        events.extend(bar_events)
    return events
