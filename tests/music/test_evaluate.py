"""Musical measures on hand-made solos whose answers are known."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from jazzgui.music.chords import parse_chord
from jazzgui.music.evaluate import (
    FAMILIES,
    CorpusProfile,
    SoloLine,
    duration_histogram,
    format_table,
    interval_histogram,
    js_distance,
    line_from_sheet,
    line_from_take,
    longest_same_pitch_run,
    measure_line,
    measure_take,
    overlapping_area,
    pitch_class_histogram,
    polyphony,
    strong_beat_counts,
    summarize,
    variety,
)
from jazzgui.music.events import COMP_CHANNEL, SOLO_CHANNEL, MelodyNote, NoteEvent, Take
from jazzgui.music.grammar import tokenize
from jazzgui.music.leadsheet import LeadSheet
from jazzgui.music.progression import Progression, parse_progression


def progression_of(*bars: str, beats_per_bar: int = 4) -> Progression:
    """One chord a bar, from symbols."""
    return Progression(
        tuple(((0.0, parse_chord(symbol)),) for symbol in bars), beats_per_bar, " | ".join(bars)
    )


def line_of(
    notes: list[tuple[float, float, int]],
    progression: Progression,
    bar_tokens: tuple[tuple[str, ...], ...] = (),
) -> SoloLine:
    return SoloLine(
        tuple(MelodyNote(s, d, p) for s, d, p in notes),
        progression,
        bar_tokens,
        progression.beats_per_bar,
    )


# --- comparing histograms --------------------------------------------------------------------


def test_identical_histograms_overlap_fully_at_zero_distance():
    h = np.array([3.0, 1.0, 0.0, 6.0])
    assert overlapping_area(h, h) == pytest.approx(1.0)
    assert js_distance(h, h) == pytest.approx(0.0)


def test_scale_does_not_matter_only_shape():
    h = np.array([3.0, 1.0, 0.0, 6.0])
    assert overlapping_area(h, 10 * h) == pytest.approx(1.0)
    assert js_distance(h, 10 * h) == pytest.approx(0.0, abs=1e-7)


def test_disjoint_histograms_have_no_overlap_and_distance_one():
    p = np.array([1.0, 0.0])
    q = np.array([0.0, 5.0])
    assert overlapping_area(p, q) == pytest.approx(0.0)
    assert js_distance(p, q) == pytest.approx(1.0)


def test_half_overlap_known_values():
    p = np.array([1.0, 1.0, 0.0])
    q = np.array([0.0, 1.0, 1.0])
    assert overlapping_area(p, q) == pytest.approx(0.5)
    # JS divergence of these is 0.5 bit, so the distance is sqrt(0.5).
    assert js_distance(p, q) == pytest.approx(math.sqrt(0.5))


def test_empty_histogram_cannot_be_compared():
    assert math.isnan(overlapping_area(np.zeros(3), np.ones(3)))
    assert math.isnan(js_distance(np.ones(3), np.zeros(3)))


# --- one line --------------------------------------------------------------------------------


def test_chord_tones_on_strong_beats_counts_only_notes_starting_there():
    prog = progression_of("C7", "F7")
    line = line_of(
        [
            (0.0, 1.0, 60),  # beat 1 over C7: C, a chord tone
            (1.0, 1.0, 62),  # beat 2: not strong
            (2.0, 0.5, 62),  # beat 3 over C7: D, not a chord tone
            (2.5, 1.5, 64),  # off-beat
            (4.0, 1.0, 63),  # bar 2 beat 1 over F7: Eb, a chord tone
            (6.0, 2.0, 69),  # bar 2 beat 3 over F7: A, a chord tone
        ],
        prog,
    )
    assert strong_beat_counts(line) == (3, 4)


def test_chord_under_a_strong_beat_is_the_one_sounding_there():
    two_chords = Progression((((0.0, parse_chord("Dm7")), (2.0, parse_chord("G7"))),), 4, "Dm7 G7")
    # B is a chord tone of G7 (beat 3) but not of Dm7.
    assert strong_beat_counts(line_of([(2.0, 1.0, 71)], two_chords)) == (1, 1)
    assert strong_beat_counts(line_of([(0.0, 1.0, 71)], two_chords)) == (0, 1)


def test_three_four_counts_every_beat():
    prog = progression_of("C", beats_per_bar=3)
    line = line_of([(0.0, 1.0, 60), (1.0, 1.0, 62), (2.0, 1.0, 64)], prog)
    assert strong_beat_counts(line) == (2, 3)


def test_pitch_class_is_relative_to_the_root_per_family():
    prog = progression_of("Eb7", "Am7b5")
    line = line_of([(0.0, 1.0, 67), (4.0, 1.0, 60)], prog)  # G over Eb7, C over Am7b5
    hist = pitch_class_histogram(line)
    assert hist.sum() == 2
    assert hist[FAMILIES.index("dominant"), 4] == 1  # G is the major third of Eb
    assert hist[FAMILIES.index("half-dim"), 3] == 1  # C is the minor third of A


def test_intervals_are_clipped_to_an_octave():
    prog = progression_of("C")
    line = line_of([(0, 1, 60), (1, 1, 62), (2, 1, 62), (3, 1, 40)], prog)
    hist = interval_histogram(line)
    assert hist.shape == (25,)
    assert hist[12 + 2] == 1  # up a whole tone
    assert hist[12] == 1  # repeated pitch
    assert hist[0] == 1  # down 22 semitones, clipped to -12
    assert hist.sum() == 3


def test_durations_on_the_twelfth_grid():
    prog = progression_of("C", "C")
    line = line_of([(0, 1 / 3, 60), (1 / 3, 1 / 3, 62), (1, 0.5, 64), (2, 6.0, 65)], prog)
    hist = duration_histogram(line)
    assert hist[3] == 2  # triplet eighths: 4/12 beat
    assert hist[5] == 1  # eighth: 6/12
    assert hist[-1] == 1  # longer than 4 beats lands in the last bin


def test_longest_same_pitch_run():
    prog = progression_of("C", "C")
    pitches = [60, 62, 62, 62, 64, 62, 62]
    line = line_of([(i * 0.5, 0.5, p) for i, p in enumerate(pitches)], prog)
    assert longest_same_pitch_run(line) == 3
    assert longest_same_pitch_run(line_of([], prog)) == 0


def test_two_overlapping_notes_give_polyphony_two():
    notes = [MelodyNote(0.0, 2.0, 60), MelodyNote(1.0, 1.0, 64)]
    assert polyphony(notes) == 2


def test_touching_notes_are_one_voice():
    notes = [MelodyNote(0.0, 1.0, 60), MelodyNote(1.0, 1.0, 64), MelodyNote(2.0, 0.5, 65)]
    assert polyphony(notes) == 1
    assert polyphony([]) == 0


def test_chord_of_three_gives_three():
    notes = [MelodyNote(0.0, 1.0, p) for p in (60, 64, 67)] + [MelodyNote(0.5, 1.0, 70)]
    assert polyphony(notes) == 4


def take_of(notes: list[tuple[float, float, int]], text: str = "C7 | F7 |") -> Take:
    events = [NoteEvent(s, d, p, channel=SOLO_CHANNEL) for s, d, p in notes]
    events.append(NoteEvent(0.0, 4.0, 48, channel=COMP_CHANNEL))  # band notes are ignored
    return Take(events=events, progression_text=text, bars=2)


def test_variety_counts_distinct_solo_note_sequences():
    a = take_of([(0, 1, 60), (1, 1, 62)])
    b = take_of([(0, 1, 60), (1, 1, 62)])
    c = take_of([(0, 1, 60), (1, 1, 63)])
    assert variety([a, b, c]) == (2, 3)
    assert variety([a]) == (1, 1)


def test_profile_measures_a_line_against_itself():
    prog = progression_of("C7", "F7", "C7", "F7")
    notes = [(i * 0.5, 0.5, 60 + (i * 5) % 12) for i in range(32)]
    bar_tokens = tuple(tuple(f"C,1/2,<+{b},{i}>" for i in range(8)) for b in range(4))
    line = line_of(notes, prog, bar_tokens)
    profile = CorpusProfile.from_lines([line])
    measures = measure_line(line, profile)
    assert measures.notes == 32
    assert measures.pitch_oa == pytest.approx(1.0)
    assert measures.interval_jsd == pytest.approx(0.0, abs=1e-7)
    assert measures.duration_oa == pytest.approx(1.0)
    assert measures.copy == 32  # the whole line is in the corpus
    assert measures.polyphony == 1
    own = profile.own
    assert own.takes == 1
    assert own.copy_max == 0  # the second half shares no tokens with the first
    assert own.polyphony == 1
    assert own.distinct is None
    rows = dict(measures.as_rows())
    assert rows["longest verbatim copy (tokens)"] == "32"
    table = format_table({"corpus": own, "again": own})
    assert "distinct takes" in table
    assert table.splitlines()[0].split() == ["measure", "corpus", "again"]


# --- real takes, re-tokenized with the grammar ------------------------------------------------

ARPEGGIO = [0, 4, 7, 10, 12, 10, 7, 4]


def sheet_of(notes: list[tuple[float, float, int]], text: str) -> LeadSheet:
    progression = parse_progression(text)
    return LeadSheet(
        path=Path("corpus.mid"),
        melody=[MelodyNote(s, d, p) for s, d, p in notes],
        progression=progression,
    )


def test_take_tokens_match_the_corpus_tokens_of_the_same_notes():
    notes = [(i * 0.5, 0.5, 60 + ARPEGGIO[i % 8]) for i in range(16)]
    sheet = sheet_of(notes, "C7 | F7 |")
    line = line_from_sheet(sheet)
    assert line.bar_tokens == tuple(tuple(bar) for bar in tokenize(sheet))
    take = take_of(notes, "C7 | F7 |")
    assert line_from_take(take).bar_tokens == line.bar_tokens


def test_take_copying_nine_corpus_tokens_gives_nine():
    # Corpus: two bars of eighth-note arpeggios over C7 then F7 (16 tokens).
    corpus_notes = [(i * 0.5, 0.5, 60 + ARPEGGIO[i % 8]) for i in range(16)]
    profile = CorpusProfile.from_sheets([sheet_of(corpus_notes, "C7 | F7 |")])
    # The take plays bar 1 and the first note of bar 2 as the corpus does (9 tokens), then a
    # rest the corpus never has.
    take = take_of(corpus_notes[:9], "C7 | F7 |")
    assert measure_take(take, profile).copy == 9


def test_measures_of_a_take_against_a_corpus():
    corpus_notes = [(i * 0.5, 0.5, 60 + ARPEGGIO[i % 8]) for i in range(16)]
    profile = CorpusProfile.from_sheets([sheet_of(corpus_notes, "C7 | F7 |")])
    # Four repeated Ds, and a second voice entering over the last one.
    take = take_of([(0, 1, 62), (1, 1, 62), (2, 1, 62), (3, 1, 62), (3.5, 1, 72)], "C7 | F7 |")
    m = measure_take(take, profile)
    assert m.notes == 5
    assert m.polyphony == 2
    assert m.same_pitch_run == 4
    assert m.strong_beat_chord_tones == 0.0  # D on beats 1 and 3 of C7
    # Repeats and a minor seventh up: intervals the arpeggios never use.
    assert m.interval_oa == 0.0
    assert m.interval_jsd == pytest.approx(1.0)
    assert m.duration_oa == 0.0  # quarter notes against eighths


def test_summary_means_worst_cases_and_variety():
    corpus_notes = [(i * 0.5, 0.5, 60 + ARPEGGIO[i % 8]) for i in range(32)]
    profile = CorpusProfile.from_sheets([sheet_of(corpus_notes, "C7 | F7 | C7 | F7 |")])
    copy = take_of(corpus_notes[:16], "C7 | F7 |")
    other = take_of([(i, 1, 65 + i) for i in range(8)], "C7 | F7 |")
    summary = summarize([copy, copy, other], profile)
    assert summary.takes == 3
    assert summary.distinct == 2
    assert summary.copy_max == 16
    assert summary.polyphony == 1
    assert summary.notes == pytest.approx((16 + 16 + 8) / 3)
    assert len(summary.per_take) == 3
    rows = dict(summary.as_rows())
    assert rows["distinct takes"] == "2 of 3"
    # The corpus's second half repeats its first half exactly.
    assert profile.own.copy_max == 16
    assert profile.own.interval_oa == pytest.approx(1.0)


def test_a_take_longer_than_its_changes_wraps_around_them():
    notes = [(i * 1.0, 1.0, 65) for i in range(12)]
    take = Take(events=[NoteEvent(s, d, p) for s, d, p in notes], progression_text="F7 |", bars=3)
    line = line_from_take(take)
    assert len(line.progression) == 3
    assert len(line.bar_tokens) == 3
