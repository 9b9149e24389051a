"""What the network sees besides each value: the chord at the value's onset, the next chord,
where the onset lies in the bar, and whether the chord changes there.

One function computes these features for training (from a lead sheet's tokens) and for
sampling (bar by bar as values are drawn), so both see exactly the same numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from jazzgui.music.chords import Chord
from jazzgui.music.grammar import GRID, token_duration
from jazzgui.music.progression import Progression

BEAT_SLOTS = 8  # beats of a bar told apart (a longer bar's later beats share the last slot)
# Chord tones above the root (12), the next chord's tones above this root (12), the onset's
# place in its beat on the 1/12 grid (12), its beat in the bar (8), a chord change here (1).
FEATURE_SIZE = 12 + 12 + GRID + BEAT_SLOTS + 1
_LOOKAHEAD_BARS = 2  # how far ahead the next chord is looked for


def _same(a: Chord, b: Chord) -> bool:
    return (a.root, a.quality, a.bass) == (b.root, b.quality, b.bass)


@functools.lru_cache(maxsize=4096)
def _chord_rows(chord: Chord, following: Chord) -> np.ndarray:
    """The two chord blocks: this chord's tones and the next chord's, both above this root."""
    row = np.zeros(24, dtype=np.float32)
    for pc in chord.tones:
        row[(pc - chord.root) % 12] = 1.0
    for pc in following.tones:
        row[12 + (pc - chord.root) % 12] = 1.0
    row.setflags(write=False)
    return row


def _next_chord(progression: Progression, twelfths: int, chord: Chord) -> Chord:
    """The first chord after the one sounding at this onset that differs from it (itself when
    the harmony stays for the next bars)."""
    bars = progression.meter_map
    bar = bars.index_at(twelfths / GRID)
    for index in range(bar, bar + _LOOKAHEAD_BARS + 1):
        for offset, candidate in progression.bars[index % len(progression.bars)]:
            start = round((bars.start(index) + offset) * GRID)
            if start > twelfths and not _same(candidate, chord):
                return candidate
    return chord


def onset_features(progression: Progression, twelfths: int) -> np.ndarray:
    """The features of an onset at `twelfths` (absolute, in twelfths of a beat; negative
    onsets lie in the bars before the start, which wrap around to the progression's end)."""
    beat = twelfths / GRID
    chord = progression.chord_at(beat)
    previous = progression.chord_at((twelfths - 1) / GRID)
    features = np.zeros(FEATURE_SIZE, dtype=np.float32)
    features[:24] = _chord_rows(chord, _next_chord(progression, twelfths, chord))
    # Where the onset lies in its bar: bars may differ in meter, so from that bar's start.
    bars = progression.meter_map
    in_bar = twelfths - round(bars.start(bars.index_at(beat)) * GRID)
    features[24 + in_bar % GRID] = 1.0
    features[24 + GRID + min(in_bar // GRID, BEAT_SLOTS - 1)] = 1.0
    features[-1] = float(twelfths == 0 or not _same(chord, previous))
    return features


def token_onsets(bars: Sequence[Sequence[str]], beats_per_bar: int) -> np.ndarray:
    """The absolute onset (twelfths) of every token of a file's bars, bar by bar."""
    onsets = []
    for index, bar in enumerate(bars):
        position = Fraction(index * beats_per_bar)
        for token in bar:
            onsets.append(int(position * GRID))
            position += token_duration(token)
    return np.asarray(onsets, dtype=np.int64)


def sequence_features(progression: Progression, bars: Sequence[Sequence[str]]) -> np.ndarray:
    """(tokens, FEATURE_SIZE): the features at the onset of each token of a file."""
    onsets = token_onsets(bars, progression.beats_per_bar)
    if not len(onsets):
        return np.zeros((0, FEATURE_SIZE), dtype=np.float32)
    return np.stack([onset_features(progression, int(t)) for t in onsets])
