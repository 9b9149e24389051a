"""Chord inference: templates of jazz qualities, half-bar windows, symbols, melody, key."""

from __future__ import annotations

import numpy as np
import pytest

from jazzgui.music.chord_inference import (
    bar_windows,
    chord_from_pitch_classes,
    chords_from_accompaniment,
    chords_from_melody,
    chords_from_symbols,
    estimate_key,
    match_chord,
    pitch_class_profile,
)
from jazzgui.music.chords import parse_chord
from jazzgui.music.events import MelodyNote
from jazzgui.music.tracks import SourceNote


def _held(start, length, *pitches):
    return [SourceNote(start, length, p) for p in pitches]


def _names(progression):
    return [[(offset, chord.name) for offset, chord in bar] for bar in progression.bars]


@pytest.mark.parametrize(
    ("pitches", "expected"),
    [
        ((48, 52, 55, 59), "Cmaj7"),
        ((50, 53, 57, 60), "Dm7"),
        ((43, 53, 59, 62), "G7"),
        ((47, 50, 53, 57), "Bm7b5"),
        ((48, 51, 54, 57), "Cdim7"),
        ((48, 52, 55, 57), "C6"),
        ((48, 52, 58), "C7"),  # a shell voicing: root, third, seventh
        ((41, 55, 56, 60, 63), "Fm9"),
    ],
)
def test_voicings_name_their_chord(pitches, expected):
    notes = _held(0, 2, *pitches)
    profile = pitch_class_profile(notes, 0, 2)
    assert match_chord(profile, bass=min(pitches) % 12).name == expected


def test_seventh_chords_are_preferred_to_near_triads():
    # C E G with B for half the window: Cmaj7; with a B just passing through: C.
    notes = _held(0, 2, 48, 52, 55)
    seventh = [*notes, SourceNote(1.0, 1.0, 59)]
    assert match_chord(pitch_class_profile(seventh, 0, 2), bass=0).name == "Cmaj7"
    passing = [*notes, SourceNote(1.75, 0.25, 59)]
    assert match_chord(pitch_class_profile(passing, 0, 2), bass=0).name == "C"


def test_the_bass_decides_between_relative_chords():
    # A C E G is both Am7 and C6: the bass says which.
    upper = _held(0, 2, 57, 60, 64, 67)
    assert match_chord(pitch_class_profile(upper, 0, 2), bass=9).name == "Am7"
    assert match_chord(pitch_class_profile(upper, 0, 2), bass=0).name == "C6"


def test_empty_profile_has_no_chord():
    assert match_chord(np.zeros(12)) is None


def test_profile_weights_by_time_sounding_in_the_window():
    profile = pitch_class_profile([SourceNote(-1, 2, 60), SourceNote(1.5, 4, 62)], 0, 2)
    assert profile[0] == pytest.approx(1.0) and profile[2] == pytest.approx(0.5)


def test_chord_from_pitch_classes_with_and_without_a_root():
    assert chord_from_pitch_classes([7, 11, 2, 5]).name == "G7"
    assert chord_from_pitch_classes([9, 0, 4, 7], root=0).name == "C6"


@pytest.mark.parametrize(
    ("beats", "windows"),
    [(4, ((0, 2), (2, 4))), (3, ((0, 3),)), (5, ((0, 3), (3, 5))), (2, ((0, 1), (1, 2)))],
)
def test_bar_windows_split_bars_as_charts_do(beats, windows):
    assert bar_windows(beats) == windows


def test_accompaniment_half_bars_merged_and_every_bar_starts_with_a_chord():
    notes = (
        _held(0, 2, 50, 53, 57, 60)  # Dm7
        + _held(2, 2, 43, 53, 59, 62)  # G7
        + _held(4, 4, 48, 52, 55, 59)  # Cmaj7 for the whole bar
        + _held(8, 4, 48, 52, 55, 59)  # and again: still written at bar 3's start
    )
    progression = chords_from_accompaniment(notes, 4, 4)
    assert _names(progression) == [
        [(0.0, "Dm7"), (2.0, "G7")],
        [(0.0, "Cmaj7")],
        [(0.0, "Cmaj7")],
        [(0.0, "Cmaj7")],  # silent bar: the last chord holds
    ]


def test_accompaniment_starting_late_fills_back():
    notes = _held(6, 2, 43, 53, 59, 62)
    assert _names(chords_from_accompaniment(notes, 2, 4)) == [[(0.0, "G7")], [(0.0, "G7")]]
    assert chords_from_accompaniment([], 2, 4) is None


def test_chords_from_melody_one_a_bar():
    melody = [
        MelodyNote(0, 1, 62), MelodyNote(1, 1, 65), MelodyNote(2, 1, 69), MelodyNote(3, 1, 72),
        MelodyNote(4, 4, None),
        MelodyNote(8, 1, 60), MelodyNote(9, 1, 64), MelodyNote(10, 2, 67),
    ]  # fmt: skip
    assert _names(chords_from_melody(melody, 3, 4)) == [
        [(0.0, "Dm7")],
        [(0.0, "Dm7")],
        [(0.0, "C")],
    ]
    assert chords_from_melody([MelodyNote(0, 4, None)], 1, 4) is None


def test_symbols_laid_out_in_bars():
    dm7, g7, c = parse_chord("Dm7"), parse_chord("G7"), parse_chord("Cmaj7")
    symbols = [(-4.0, dm7), (2.0, g7), (4.0, c), (5.0, c), (9.02, dm7)]
    assert _names(chords_from_symbols(symbols, 3, 4)) == [
        [(0.0, "Dm7"), (2.0, "G7")],
        [(0.0, "Cmaj7")],
        [(0.0, "Cmaj7"), (1.0, "Dm7")],  # snapped to the 1/12-beat grid
    ]
    assert chords_from_symbols([], 3, 4) is None


def test_two_symbols_at_one_place_the_later_counts():
    dm7, g7 = parse_chord("Dm7"), parse_chord("G7")
    assert _names(chords_from_symbols([(0.0, dm7), (2.0, dm7), (2.0, g7)], 1, 4)) == [
        [(0.0, "Dm7"), (2.0, "G7")]
    ]


def test_estimate_key_major_and_minor():
    c_major = np.zeros(12)
    for pc, weight in zip((0, 2, 4, 5, 7, 9, 11), (4, 1, 2, 1, 3, 1, 1)):
        c_major[pc] = weight
    assert estimate_key(c_major) == "C major"
    a_minor = np.zeros(12)
    for pc, weight in zip((9, 11, 0, 2, 4, 5, 8), (4, 1, 3, 1, 3, 1, 1)):
        a_minor[pc] = weight
    assert estimate_key(a_minor) == "A minor"
    assert estimate_key(np.zeros(12)) is None
