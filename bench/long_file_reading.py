"""Reading time of long solo files against their length: ours (linear) vs the former algorithm.

Writes MIDI files of N notes (eighth notes, 4/4) to a temporary folder and times reading each
one into a corpus (lead sheet + value tokens), once with the code as it is and once with the
former per-bar scans put back in place (`_bar_segments` rescanning the whole timeline for every
bar, chords from the melody and from symbols rescanning every note for every bar). Both give
the same tokens; the former is skipped past --max-old notes because it grows with the square.
Run: python bench/long_file_reading.py [--notes 2500 5000 10000 20000] [--max-old 10000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

import mido
import numpy as np

from jazzgui.music import chord_inference, grammar
from jazzgui.music.corpus import build_corpus


def _write_solo(path: Path, notes: int) -> None:
    midi = mido.MidiFile(type=1, ticks_per_beat=480)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    track.append(mido.MetaMessage("time_signature", numerator=4, denominator=4))
    scale = (60, 62, 64, 65, 67, 69, 71, 72)
    for i in range(notes):
        pitch = scale[i % 8] + (i // 8) % 5
        track.append(mido.Message("note_on", note=pitch, velocity=80, time=0))
        track.append(mido.Message("note_off", note=pitch, velocity=0, time=240))
    midi.save(path)


def _former_tokenize_bar_tokens(melody, progression, beats_per_bar):
    """The former tokenizer: every bar scans the whole timeline (in Fractions)."""
    timeline = [
        (Fraction(seg.start, grammar.GRID), Fraction(seg.duration, grammar.GRID), seg.pitch)
        for seg in grammar._monophonic_timeline(
            melody, len(progression) * beats_per_bar * grammar.GRID
        )
    ]
    result, previous = [], None
    for bar_index in range(len(progression)):
        bar_start = Fraction(bar_index * beats_per_bar)
        bar_end, cursor, segments = bar_start + beats_per_bar, bar_start, []
        for seg_start, seg_length, pitch in timeline:
            start, end = max(seg_start, bar_start), min(seg_start + seg_length, bar_end)
            if end <= start:
                continue
            if start > cursor:
                segments.append((cursor - bar_start, start - cursor, None))
            segments.append((start - bar_start, end - start, pitch))
            cursor = end
        if cursor < bar_end:
            segments.append((cursor - bar_start, bar_end - cursor, None))
        bar, first_note = [], True
        for start, length, pitch in segments:
            if pitch is None:
                bar.append((grammar.ValueToken("R", length), None))
                continue
            kind = progression.chord_at(bar_index * beats_per_bar + float(start)).classify(pitch)
            window = None
            if not first_note and previous is not None:
                interval = pitch - previous
                window = (interval + grammar.WINDOW_SLACK, interval - grammar.WINDOW_SLACK)
            bar.append((grammar.ValueToken(kind, length, window), pitch))
            previous, first_note = pitch, False
        result.append(bar)
    return result


def _former_chords_from_melody(melody, n_bars, beats_per_bar):
    """The former melody chords: every bar scans every note."""
    bars = []
    for bar in range(n_bars):
        start, end = bar * beats_per_bar, (bar + 1) * beats_per_bar
        profile = np.zeros(12)
        for note in melody:
            if note.pitch is None:
                continue
            overlap = min(note.end_beat, end) - max(note.start_beat, start)
            if overlap > 0:
                on_beat = abs(note.start_beat - round(note.start_beat)) < 1e-6
                weight = chord_inference.DOWNBEAT_WEIGHT if on_beat else 1.0
                profile[note.pitch % 12] += overlap * weight
        qualities = chord_inference.MELODY_QUALITIES
        bars.append([(0.0, chord_inference.match_chord(profile, qualities=qualities))])
    return chord_inference._progression(bars, beats_per_bar)


@contextmanager
def _former_algorithm():
    saved = (grammar.tokenize_bar_tokens, chord_inference.chords_from_melody)
    grammar.tokenize_bar_tokens = _former_tokenize_bar_tokens
    chord_inference.chords_from_melody = _former_chords_from_melody
    try:
        yield
    finally:
        grammar.tokenize_bar_tokens, chord_inference.chords_from_melody = saved


def _read(path: Path) -> tuple[float, list[list[str]]]:
    started = time.perf_counter()
    corpus = build_corpus([path])
    entry = corpus.entries[0]
    if not entry.ok:
        raise SystemExit(f"{path}: {entry.error}")
    return time.perf_counter() - started, entry.bars


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[2500, 5000, 10000, 20000])
    parser.add_argument("--max-old", type=int, default=10000, help="largest file for the former")
    args = parser.parse_args()
    print(f"{'notes':>7} {'bars':>6} {'ours s':>8} {'former s':>9} {'same tokens':>12}")
    with tempfile.TemporaryDirectory() as folder:
        for notes in args.notes:
            path = Path(folder) / f"solo_{notes}.mid"
            _write_solo(path, notes)
            ours, tokens = _read(path)
            former, same = "skipped", ""
            if notes <= args.max_old:
                with _former_algorithm():
                    seconds, former_tokens = _read(path)
                former, same = f"{seconds:.2f}", str(former_tokens == tokens)
            print(f"{notes:>7} {notes // 8:>6} {ours:>8.2f} {former:>9} {same:>12}")


if __name__ == "__main__":
    main()
