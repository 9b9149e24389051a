"""The value grammar: token text, classification, quantisation, bar lines, rests, windows."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jazzgui.errors import JazzGUIError
from jazzgui.music.events import MelodyNote
from jazzgui.music.grammar import (
    GRID,
    TokenError,
    ValueToken,
    parse_token,
    token_duration,
    tokenize,
    tokenize_bar_tokens,
    tokenize_bars,
)
from jazzgui.music.leadsheet import LeadSheet
from jazzgui.music.progression import parse_progression

II_V_I = parse_progression("Dm7 G7 | Cmaj7 |")


def _bar_sums(bars):
    return [sum(token_duration(t) for t in bar) for bar in bars]


@pytest.mark.parametrize(
    ("text", "kind", "duration", "window"),
    [
        ("C,1/2,<+5,-1>", "C", Fraction(1, 2), (5, -1)),
        ("R,4", "R", Fraction(4), None),
        ("S,1/3", "S", Fraction(1, 3), None),
        ("X,3/2,<+0,-6>", "X", Fraction(3, 2), (0, -6)),
        ("A,1/12,<-4,-10>", "A", Fraction(1, 12), (-4, -10)),
    ],
)
def test_token_text_round_trip(text, kind, duration, window):
    token = parse_token(text)
    assert token == ValueToken(kind, duration, window)
    assert token.text == text == str(token)
    assert token_duration(text) == duration


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Q,1",
        "C",
        "C,0",
        "C,1/5",  # off the 1/12 grid
        "C,1/0",
        "C,-1",
        "R,1,<+3,-3>",  # rests have no window
        "C,1,<+5,-5>",  # a window is six semitones wide
        "C,1,<5,-1>",  # signs are written
        "C,1,<+5,-1",
        "C, 1",
    ],
)
def test_bad_tokens_are_typed_errors(text):
    with pytest.raises(TokenError) as caught:
        parse_token(text)
    assert isinstance(caught.value, JazzGUIError)
    assert isinstance(caught.value, ValueError)


def test_types_by_pitch_class_over_the_sounding_chord():
    # D over Dm7 (chord), E over Dm7 (dorian scale), B over G7 (chord), Eb over G7, C# over Cmaj7.
    melody = [
        MelodyNote(0, 1, 62),
        MelodyNote(1, 1, 76),
        MelodyNote(2, 1, 59),
        MelodyNote(3, 1, 63),
        MelodyNote(4, 1, 61),
        MelodyNote(5, 1, 90),
    ]
    bars = tokenize_bar_tokens(melody, II_V_I, 4)
    kinds = [token.kind for bar in bars for token, _ in bar if not token.is_rest]
    # Eb over G7 is a semitone below D (a chord tone): approach. C# over Cmaj7: approach too.
    # F# (90) over Cmaj7 is a semitone below G: approach as well.
    assert kinds == ["C", "S", "C", "A", "A", "A"]


def test_other_tones_are_neither_chord_scale_nor_approach():
    # Bb over a C triad: not in C E G, not in C ionian, and a whole step from A and B... -> X.
    bars = tokenize_bars([MelodyNote(0, 4, 70)], parse_progression("C |"), 4)
    assert bars == [["X,4"]]


def test_interval_window_on_every_note_but_a_bars_first():
    melody = [
        MelodyNote(0, 1, 60),
        MelodyNote(1, 1, 64),
        MelodyNote(2, 2, 62),
        MelodyNote(4, 4, 67),
    ]
    bars = tokenize_bars(melody, II_V_I, 4)
    assert bars == [["C,1", "S,1,<+7,+1>", "C,2,<+1,-5>"], ["C,4"]]


def test_window_reaches_back_over_rests():
    melody = [MelodyNote(0, 1, 62), MelodyNote(2, 1, 65)]
    assert tokenize_bars(melody, II_V_I, 4)[0] == ["C,1", "R,1", "C,1,<+6,+0>", "R,1"]


def test_notes_crossing_a_bar_line_are_cut_there():
    melody = [MelodyNote(3, 2, 67)]  # G from beat 3 to 5
    bars = tokenize_bars(melody, II_V_I, 4)
    assert bars == [["R,3", "C,1"], ["C,1", "R,3"]]


def test_bar_long_rest_only_for_a_silent_bar():
    melody = [MelodyNote(0, 4, 62), MelodyNote(4, 0.5, None), MelodyNote(4.5, 3.5, None)]
    assert tokenize_bars(melody, II_V_I, 4) == [["C,4"], ["R,4"]]


def test_rests_of_merged_voices_make_no_junk():
    # A rest overlapping a note (two voices merged) and split rests become one gap rest.
    melody = [
        MelodyNote(0, 4, None),
        MelodyNote(1, 1, 65),
        MelodyNote(2, 0.5, None),
        MelodyNote(2.5, 0.5, None),
    ]
    assert tokenize_bars(melody, II_V_I, 4)[0] == ["R,1", "C,1", "R,2"]


def test_triplets_and_sixteenths_survive_quantisation():
    third = 1 / 3
    melody = [MelodyNote(i * third, third, 60 + i) for i in range(3)]
    melody += [MelodyNote(1 + i * 0.25, 0.25, 67) for i in range(0, 4, 2)]
    bar = tokenize_bars(melody, II_V_I, 4)[0]
    durations = [token_duration(t) for t in bar]
    assert durations[:3] == [Fraction(1, 3)] * 3
    assert durations[3:6] == [Fraction(1, 4)] * 3
    assert sum(durations) == 4


def test_zero_length_and_tiny_notes_are_dropped_not_zero_tokens():
    melody = [MelodyNote(0, 0, 60), MelodyNote(1, 0.02, 62), MelodyNote(2, 1, 64)]
    bar = tokenize_bars(melody, II_V_I, 4)[0]
    assert bar == ["R,2", "S,1", "R,1"]


def test_overlapping_notes_become_a_monophonic_line():
    melody = [MelodyNote(0, 2, 62), MelodyNote(1, 2, 65)]
    assert tokenize_bars(melody, II_V_I, 4)[0] == ["C,1", "C,2,<+6,+0>", "R,1"]


def test_notes_outside_the_bars_are_ignored():
    melody = [MelodyNote(-1, 1.5, 62), MelodyNote(7.5, 2, 72)]
    bars = tokenize_bars(melody, II_V_I, 4)
    assert bars == [["C,1/2", "R,7/2"], ["R,7/2", "C,1/2"]]


def test_notes_struck_together_keep_the_top_one():
    melody = [MelodyNote(0, 2, 60), MelodyNote(0, 1, 65), MelodyNote(0, 1, 62)]
    assert tokenize_bars(melody, II_V_I, 4)[0] == ["C,1", "R,3"]


def test_classification_uses_the_chord_at_the_onset_not_the_bar_start():
    melody = [MelodyNote(1.5, 1, 71)]  # B starts over Dm7 (scale), sounds on into G7
    assert tokenize_bars(melody, II_V_I, 4)[0] == ["R,3/2", "S,1", "R,3/2"]


def test_tokenize_reads_a_lead_sheet():
    sheet = LeadSheet(
        path=Path("made.mid"),
        melody=[MelodyNote(0, 1, 62), MelodyNote(1, 3, 67)],
        progression=parse_progression("Dm7 G7 | Cmaj7 |", 4),
    )
    assert tokenize(sheet) == [["C,1", "S,3,<+8,+2>"], ["R,4"]]


def test_three_four_bars_sum_to_three():
    progression = parse_progression("Dm7 | G7 | Cmaj7 |", beats_per_bar=3)
    melody = [MelodyNote(0.5, 4, 62), MelodyNote(5, 3, 60)]
    bars = tokenize_bars(melody, progression, 3)
    assert _bar_sums(bars) == [3, 3, 3]


def test_meters_of_melody_and_changes_must_agree():
    with pytest.raises(ValueError, match="beats a bar"):
        tokenize_bars([MelodyNote(0, 1, 60)], II_V_I, 3)


# Property tests: any melody, any offsets, every bar sums exactly to its beats.
_notes = st.lists(
    st.builds(
        MelodyNote,
        st.floats(-2, 34, allow_nan=False),
        st.floats(0, 6, allow_nan=False),
        st.one_of(st.none(), st.integers(36, 96)),
    ),
    max_size=60,
)


@st.composite
def _lines(draw):
    """A monophonic line: notes and gaps one after another, on any (unquantised) times."""
    notes, now = [], draw(st.floats(0, 4))
    for gap, length, pitch in draw(
        st.lists(st.tuples(st.floats(0, 3), st.floats(0.01, 5), st.integers(40, 90)), max_size=40)
    ):
        notes.append(MelodyNote(now + gap, length, pitch))
        now += gap + length
    return notes


_CHART = "Dm7 G7 | Cmaj7 | F7 Bb7 Eb7 | Abmaj7 | Gm7b5 C7alt | Fm6 | C/E Edim7 | Bb13 |"


def _check_bars(bars, beats):
    for bar in bars:
        assert sum(token.duration for token, _ in bar) == beats
        for token, _ in bar:
            assert token.duration > 0
            assert (token.duration * GRID).denominator == 1
        kinds = [token.kind for token, _ in bar]
        assert "R,R" not in ",".join(kinds)  # adjacent rests are merged
        # The first note of a bar has no window; every later note has one.
        notes = [token for token, _ in bar if not token.is_rest]
        if notes:
            assert notes[0].window is None
            assert all(token.window is not None for token in notes[1:])


@settings(max_examples=150, deadline=None)
@given(_notes, st.sampled_from([3, 4, 5]))
def test_every_bar_sums_to_its_beats(melody, beats):
    progression = parse_progression(_CHART, beats_per_bar=beats)
    bars = tokenize_bar_tokens(melody, progression, beats)
    assert len(bars) == len(progression)
    _check_bars(bars, beats)


@settings(max_examples=150, deadline=None)
@given(_lines())
def test_a_bar_is_one_rest_only_when_nothing_sounds_in_it(melody):
    progression = parse_progression(_CHART)
    bars = tokenize_bar_tokens(melody, progression, 4)
    _check_bars(bars, 4)
    for index, bar in enumerate(bars):
        start, end = index * 4 * GRID, (index + 1) * 4 * GRID
        sounding = any(
            max(round(n.start_beat * GRID), start) < min(round(n.end_beat * GRID), end)
            for n in melody
        )
        assert ([token.kind for token, _ in bar] == ["R"]) == (not sounding)


@settings(max_examples=100, deadline=None)
@given(_notes)
def test_windows_hold_the_real_interval(melody):
    previous = None
    for bar in tokenize_bar_tokens(melody, parse_progression(_CHART), 4):
        for token, pitch in bar:
            if pitch is None:
                continue
            if token.window is not None:
                assert token.window[1] <= pitch - previous <= token.window[0]
                assert token.interval == pitch - previous
            previous = pitch
