"""Reading in linear time gives what the plain per-bar definition gives: every bar's segments,
melody chords and symbol chords, checked against brute-force oracles on random solos."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from jazzgui.music import chord_inference, grammar
from jazzgui.music.chords import parse_chord
from jazzgui.music.events import MelodyNote

BEATS = 4

# Random monophonic-or-not melodies: (start in twelfths, length in twelfths, pitch or rest).
NOTES = st.lists(
    st.tuples(
        st.integers(0, 12 * BEATS * 6),
        st.integers(1, 12 * BEATS * 3),
        st.one_of(st.none(), st.integers(40, 90)),
    ),
    max_size=40,
)


def _melody(raw):
    return [MelodyNote(start / 12, length / 12, pitch) for start, length, pitch in raw]


def _oracle_bar(timeline, bar, bar_steps):
    """The definition: scan the whole timeline for the parts inside one bar."""
    bar_start, bar_end = bar * bar_steps, (bar + 1) * bar_steps
    out, cursor = [], bar_start
    for seg in timeline:
        start, end = max(seg.start, bar_start), min(seg.start + seg.duration, bar_end)
        if end <= start:
            continue
        if start > cursor:
            out.append((cursor - bar_start, start - cursor, None))
        out.append((start - bar_start, end - start, seg.pitch))
        cursor = end
    if cursor < bar_end:
        out.append((cursor - bar_start, bar_end - cursor, None))
    return out


@settings(max_examples=150, deadline=None)
@given(raw=NOTES, bars=st.integers(1, 8))
def test_bar_segments_scan_once_and_match_the_definition(raw, bars):
    bar_steps = BEATS * grammar.GRID
    timeline = grammar._monophonic_timeline(_melody(raw), bars * bar_steps)
    scan = 0
    for bar in range(bars):
        segments, next_scan = grammar._bar_segments(timeline, bar, bar_steps, scan)
        assert next_scan >= scan  # the scan only moves forward: linear over the whole file
        assert [(s.start, s.duration, s.pitch) for s in segments] == _oracle_bar(
            timeline, bar, bar_steps
        )
        assert sum(s.duration for s in segments) == bar_steps
        scan = next_scan


@settings(max_examples=100, deadline=None)
@given(raw=NOTES, bars=st.integers(1, 8))
def test_melody_chords_match_the_per_bar_definition(raw, bars):
    melody = _melody(raw)
    rows = []
    for bar in range(bars):
        start, end = bar * BEATS, (bar + 1) * BEATS
        profile = np.zeros(12)
        for note in melody:
            overlap = min(note.end_beat, end) - max(note.start_beat, start)
            if note.pitch is not None and overlap > 0:
                on_beat = abs(note.start_beat - round(note.start_beat)) < 1e-6
                weight = chord_inference.DOWNBEAT_WEIGHT if on_beat else 1.0
                profile[note.pitch % 12] += overlap * weight
        qualities = chord_inference.MELODY_QUALITIES
        rows.append([(0.0, chord_inference.match_chord(profile, qualities=qualities))])
    expected = chord_inference._progression(rows, BEATS)
    assert chord_inference.chords_from_melody(melody, bars, BEATS) == expected


@settings(max_examples=100, deadline=None)
@given(
    beats=st.lists(st.integers(-12, 12 * BEATS * 5).map(lambda t: t / 12), max_size=12),
    bars=st.integers(1, 6),
)
def test_symbol_chords_match_the_per_bar_definition(beats, bars):
    names = ["Dm7", "G7", "Cmaj7", "F7", "Bb7"]
    symbols = [(beat, parse_chord(names[i % len(names)])) for i, beat in enumerate(beats)]
    ordered = sorted(symbols, key=lambda s: s[0])
    before = [chord for beat, chord in ordered if beat < 1e-6]
    rows = []
    for bar in range(bars):
        row = [(0.0, before[-1])] if bar == 0 and before else []
        for beat, chord in ordered:
            offset = beat - bar * BEATS
            if (bar > 0 or offset >= 1e-6) and -1e-6 <= offset < BEATS - 1e-6:
                row.append((max(0.0, round(offset * 12) / 12), chord))
        if not row or row[0][0] > 0:
            row.insert(0, (0.0, None))
        rows.append(row)
    expected = chord_inference._progression(rows, BEATS) if symbols else None
    assert chord_inference.chords_from_symbols(symbols, bars, BEATS) == expected
