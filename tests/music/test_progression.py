"""Chord progression text: bars, chord splits, repeats, errors that point at the symbol, forms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jazzgui.errors import ChordSymbolError, JazzGUIError
from jazzgui.music.chords import NOTE_NAMES, QUALITIES, Chord
from jazzgui.music.progression import FORMS, form_progression, parse_progression


def _layout(progression):
    return [[(offset, chord.name) for offset, chord in bar] for bar in progression.bars]


def test_bars_split_by_bar_lines():
    progression = parse_progression("Dm7 G7 | Cmaj7 | Cmaj7 |")
    assert _layout(progression) == [
        [(0.0, "Dm7"), (2.0, "G7")],
        [(0.0, "Cmaj7")],
        [(0.0, "Cmaj7")],
    ]
    assert progression.beats_per_bar == 4
    assert progression.text == "Dm7 G7 | Cmaj7 | Cmaj7 |"


@pytest.mark.parametrize(
    ("bar", "offsets"),
    [
        ("C", [0.0]),
        ("C F", [0.0, 2.0]),
        ("C F G", [0.0, 2.0, 3.0]),
        ("C F G A", [0.0, 1.0, 2.0, 3.0]),
    ],
)
def test_chords_split_a_bar_as_charts_do(bar, offsets):
    progression = parse_progression(bar)
    assert [offset for offset, _ in progression.bars[0]] == offsets


@pytest.mark.parametrize(
    ("beats", "bar", "offsets"),
    [(3, "C F", [0.0, 2.0]), (3, "C F G", [0.0, 1.0, 2.0]), (5, "C F", [0.0, 3.0])],
)
def test_other_meters_give_the_extra_beat_to_the_first_chord(beats, bar, offsets):
    progression = parse_progression(bar, beats_per_bar=beats)
    assert [offset for offset, _ in progression.bars[0]] == offsets
    spans = progression.bar_spans(0)
    assert sum(span.duration for span in spans) == beats


def test_percent_repeats_the_previous_bar():
    progression = parse_progression("Dm7 G7 | % | Cmaj7 | % |")
    assert _layout(progression)[1] == _layout(progression)[0]
    assert _layout(progression)[3] == [(0.0, "Cmaj7")]


def test_slash_and_dash_hold_the_previous_chord_for_a_slot():
    progression = parse_progression("C / / G7 | / Dm7 | Fmaj7 - Bb7 - |")
    assert _layout(progression) == [
        [(0.0, "C"), (3.0, "G7")],
        [(0.0, "G7"), (2.0, "Dm7")],
        [(0.0, "Fmaj7"), (2.0, "Bb7")],
    ]


def test_double_bars_and_outer_bar_lines_are_not_bars():
    assert len(parse_progression("| C || F | G7 ||")) == 3


def test_line_ends_are_bar_lines_too():
    chart = "| Dm7 G7 | Cmaj7 |\n| Fm7 Bb7 | Ebmaj7 |\nAbmaj7\nDm7b5 G7\n"
    assert [[c.name for _, c in bar] for bar in parse_progression(chart).bars] == [
        ["Dm7", "G7"], ["Cmaj7"], ["Fm7", "Bb7"], ["Ebmaj7"], ["Abmaj7"], ["Dm7b5", "G7"],
    ]  # fmt: skip
    with pytest.raises(ChordSymbolError) as caught:
        parse_progression("C | F |\nG7 | Cx |")
    assert caught.value.position == 13


def test_usual_jazz_symbols_and_slash_chords():
    text = "Cmaj7 C6 Dm7 Dm6 | G7 G9 G13 G7b9 | G7#9 G7#11 G7alt Bm7b5 | Bdim7 Csus4 C/E F#m7b5 |"
    progression = parse_progression(text)
    names = [chord.name for bar in progression.bars for _, chord in bar]
    assert names == [
        "Cmaj7", "C6", "Dm7", "Dm6", "G7", "G9", "G13", "G7b9",
        "G7#9", "G7#11", "G7alt", "Bm7b5", "Bdim7", "Csus4", "C/E", "Gbm7b5",
    ]  # fmt: skip
    assert progression.bars[3][2][1] == Chord(0, "maj", 4, "C/E")


def test_round_trip_through_text():
    progression = parse_progression("Dm7 G7 | C/E / A7 / | % | Fm6 |")
    again = parse_progression(progression.to_text())
    assert _layout(again) == _layout(progression)


@pytest.mark.parametrize(
    ("text", "symbol", "position"),
    [
        ("Dm7 G7 | Cxx7 |", "Cxx7", 9),
        ("Dm7 | H7 |", "H7", 6),
        ("Dm7 G7 | C/Q |", "C/Q", 9),
        ("C D E F G |", "G", 8),
        ("% | C |", "%", 0),
        ("C | % F |", "%", 4),
        ("/ C |", "/", 0),
        ("C |  | F |", "|", 5),
    ],
)
def test_errors_point_at_the_symbol(text, symbol, position):
    with pytest.raises(ChordSymbolError) as caught:
        parse_progression(text)
    assert caught.value.symbol == symbol
    assert caught.value.position == position
    assert text[position:].startswith(symbol)
    assert f"character {position + 1}" in str(caught.value)


@pytest.mark.parametrize("text", ["", "   ", "| |", "||"])
def test_empty_progression_is_an_error(text):
    with pytest.raises(ChordSymbolError, match="no chords"):
        parse_progression(text)


def test_built_in_forms_are_all_there_and_parse():
    required = {
        "blues-f", "blues-bb", "minor-blues", "rhythm-changes",
        "ii-v-i-all-keys", "autumn-style", "modal-vamp", "ballad",
    }  # fmt: skip
    assert required <= set(FORMS)
    lengths = {name: len(form_progression(name)) for name in FORMS}
    assert lengths["blues-f"] == lengths["blues-bb"] == lengths["minor-blues"] == 12
    assert lengths["rhythm-changes"] == 32
    assert lengths["autumn-style"] == 32


def test_blues_forms_start_on_their_tonic_dominant():
    assert form_progression("blues-f").bars[0][0][1].name == "F7"
    assert form_progression("blues-bb").bars[0][0][1].name == "Bb7"
    assert form_progression("minor-blues").bars[0][0][1].quality == "m7"


def test_ii_v_i_visits_all_twelve_keys():
    progression = form_progression("ii-v-i-all-keys")
    tonics = [c.root for bar in progression.bars for _, c in bar if c.quality == "maj7"]
    assert set(tonics) == set(range(12))
    # Every major tonic is reached from its own ii and V.
    flat = [c for bar in progression.bars for _, c in bar]
    for i, chord in enumerate(flat):
        if chord.quality == "maj7" and flat[i - 1].quality == "7":
            assert flat[i - 1].root == (chord.root + 7) % 12
            assert flat[i - 2].root == (chord.root + 2) % 12
            assert flat[i - 2].quality == "m7"


def test_autumn_style_resolves_to_g_minor():
    progression = form_progression("autumn-style")
    chords = [c for bar in progression.bars for _, c in bar]
    assert chords[-1].root == 7 and chords[-1].quality.startswith("m")
    assert any(c.root == 10 and c.quality == "maj7" for c in chords)  # the relative major


def test_unknown_form_lists_the_names():
    with pytest.raises(JazzGUIError) as caught:
        form_progression("giant-steps-ish")
    for name in FORMS:
        assert name in str(caught.value)
    assert len(form_progression("  Blues-F ")) == 12


_symbols = st.builds(
    lambda root, quality: NOTE_NAMES[root] + ("" if quality == "maj" else quality),
    st.integers(0, 11),
    st.sampled_from(sorted(QUALITIES)),
)


@given(st.lists(st.lists(_symbols, min_size=1, max_size=4), min_size=1, max_size=12))
def test_any_chart_parses_and_every_bar_fills_its_beats(bars):
    text = " | ".join(" ".join(bar) for bar in bars) + " |"
    progression = parse_progression(text)
    assert len(progression) == len(bars)
    for index in range(len(progression)):
        spans = progression.bar_spans(index)
        assert spans[0].start_beat == index * 4
        assert sum(span.duration for span in spans) == 4
    assert _layout(parse_progression(progression.to_text())) == _layout(progression)
