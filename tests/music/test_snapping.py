"""Unquantized performances on the grid that fits them; conditioning features of onsets."""

from __future__ import annotations

import numpy as np

from jazzgui.music.conditioning import FEATURE_SIZE, onset_features
from jazzgui.music.evaluate import SoloLine, strong_beat_counts
from jazzgui.music.events import MelodyNote
from jazzgui.music.grammar import tokenize_bars
from jazzgui.music.progression import parse_progression
from jazzgui.music.snapping import choose_grid, snap_melody

CHANGES = parse_progression("C7 | F7 | C7 | G7 |")


def _played(onsets_and_lengths, jitter: float, seed: int = 0) -> list[MelodyNote]:
    rng = np.random.default_rng(seed)
    return [
        MelodyNote(on + rng.uniform(-jitter, jitter), length * rng.uniform(0.7, 1.0), 60 + i % 5)
        for i, (on, length) in enumerate(onsets_and_lengths)
    ]


def test_a_quantized_line_is_left_alone():
    melody = [MelodyNote(i / 3, 1 / 3, 60 + i % 7) for i in range(36)]
    snapped, report = snap_melody(melody)
    assert report.grid == "1/12" and report.kept_share == 1.0
    assert snapped == melody


def test_played_triplets_and_sixteenths_keep_their_grids():
    triplets = [(i / 3, 1 / 3) for i in range(48)]
    sixteenths = [(i / 4, 1 / 4) for i in range(64)]
    assert choose_grid([n.start_beat for n in _played(triplets, 0.03)]) == "triplets"
    assert choose_grid([n.start_beat for n in _played(sixteenths, 0.03)]) == "sixteenths"
    snapped, report = snap_melody(_played(triplets, 0.03))
    assert report.grid == "triplets" and report.notes == 48
    assert [n.start_beat for n in snapped] == [i / 3 for i in range(48)]
    # Read on the grid, the played line has the values of the written one.
    written = tokenize_bars([MelodyNote(on, ln, 60) for on, ln in triplets], CHANGES, 4)
    read = tokenize_bars(snapped, CHANGES, 4)
    assert {t.split(",")[1] for bar in read for t in bar} == {
        t.split(",")[1] for bar in written for t in bar
    }


def test_the_strong_beat_measure_counts_played_notes_near_the_beat():
    notes = tuple(_played([(float(beat), 1.0) for beat in range(16)], 0.08, seed=3))
    line = SoloLine(notes, CHANGES, (), 4)
    chord_tones, counted = strong_beat_counts(line)
    assert counted == 8  # beats 1 and 3 of four bars, each a little early or late
    assert 0 <= chord_tones <= counted


def test_onset_features_say_chord_next_chord_place_and_change():
    changes = parse_progression("C7 | F7 G7 |")
    features = onset_features(changes, 0)
    assert features.shape == (FEATURE_SIZE,)
    assert set(np.flatnonzero(features[:12])) == {0, 4, 7, 10}  # C7 above its root
    assert set(np.flatnonzero(features[12:24])) == {5, 9, 0, 3}  # F7 above C
    assert features[24] == 1 and features[36] == 1 and features[-1] == 1
    middle = onset_features(changes, 4 * 12 + 2 * 12 + 4)  # bar 2, beat 3 and a triplet
    assert middle[24 + 4] == 1 and middle[36 + 2] == 1
    assert middle[-1] == 0  # G7 began on beat 3, before this onset
    assert onset_features(changes, 4 * 12 + 2 * 12)[-1] == 1  # G7 begins here
