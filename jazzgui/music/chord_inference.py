"""Chords for a lead sheet: from chord symbols, inferred from the accompaniment, or from the melody.

Inference weighs the pitch classes that sound in a window by how long they sound, gives the
lowest notes extra say over the root, and matches the profile against chord templates built
from the jazz qualities in `jazzgui.music.chords.QUALITIES`, with a slight preference for
seventh chords (the jazz default). Every bar starts with a chord; identical neighbours in a
bar are merged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from jazzgui.music.chords import NOTE_NAMES, QUALITIES, Chord
from jazzgui.music.events import MelodyNote
from jazzgui.music.progression import Progression
from jazzgui.music.tracks import SourceNote

# Qualities an accompaniment is matched against. Extended chords (9, 13, altered) only win
# when their extra tones clearly sound, since cosine similarity penalises unused template tones.
ACCOMPANIMENT_QUALITIES: tuple[str, ...] = (
    "maj7", "6", "7", "m7", "m6", "m7b5", "dim7", "mmaj7", "7sus4", "7#5",
    "maj", "m", "aug", "sus4", "maj9", "m9", "9", "9sus4", "13", "7b9", "7#9", "7#11",
)  # fmt: skip
# A melody states few tones a bar, so only plain triads and seventh chords are guessed from it;
# on a tie the earlier quality wins (D F A C is Dm7 rather than F6).
MELODY_QUALITIES: tuple[str, ...] = ("maj7", "m7", "7", "m7b5", "6", "m6", "dim7", "maj", "m")
SEVENTH_QUALITIES = frozenset({"maj7", "7", "m7", "m6", "6", "m7b5", "dim7", "mmaj7", "7sus4"})

SEVENTH_BONUS = 0.04  # prefer a seventh chord over a triad that fits about as well
BASS_ROOT_BONUS = 0.12  # the lowest sounding note is usually the root in jazz comping
BASS_WEIGHT = 0.5  # extra profile weight for the bass note, relative to the window length
DOWNBEAT_WEIGHT = 1.5  # a melody note on a beat says more about the chord than one between

# Krumhansl-Kessler key profiles (probe-tone ratings, C major and C minor).
_MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


class _Templates:
    """Unit-length chord templates for every root of some qualities, scored all at once."""

    def __init__(self, qualities: Sequence[str]) -> None:
        self.chords = [(root, quality) for quality in qualities for root in range(12)]
        self.vectors = np.zeros((len(self.chords), 12))
        for row, (root, quality) in enumerate(self.chords):
            for offset in QUALITIES[quality][0]:
                self.vectors[row, (root + offset) % 12] = 1.0
        self.vectors /= np.linalg.norm(self.vectors, axis=1, keepdims=True)
        self.roots = np.array([root for root, _ in self.chords])
        self.prior = np.array(
            [SEVENTH_BONUS if quality in SEVENTH_QUALITIES else 0.0 for _, quality in self.chords]
        )

    def scores(self, unit_profile: np.ndarray, bass: int | None) -> np.ndarray:
        scores = self.vectors @ unit_profile + self.prior
        if bass is not None:
            scores = scores + BASS_ROOT_BONUS * (self.roots == bass)
        # Rounded, so that equal fits tie exactly and the earlier template wins (stable).
        return np.round(scores, 9)


_ACCOMPANIMENT_TEMPLATES = _Templates(ACCOMPANIMENT_QUALITIES)
_MELODY_TEMPLATES = _Templates(MELODY_QUALITIES)


def pitch_class_profile(notes: Iterable[SourceNote], start: float, end: float) -> np.ndarray:
    """How long each pitch class sounds within [start, end) (beats)."""
    profile = np.zeros(12)
    for note in notes:
        overlap = min(note.end, end) - max(note.start, start)
        if overlap > 0:
            profile[note.pitch % 12] += overlap
    return profile


def match_chord(
    profile: np.ndarray,
    bass: int | None = None,
    qualities: Sequence[str] = ACCOMPANIMENT_QUALITIES,
) -> Chord | None:
    """The chord whose template best fits a pitch-class profile (None for an empty profile)."""
    total = float(np.linalg.norm(profile))
    if total <= 0:
        return None
    if tuple(qualities) == ACCOMPANIMENT_QUALITIES:
        templates = _ACCOMPANIMENT_TEMPLATES
    elif tuple(qualities) == MELODY_QUALITIES:
        templates = _MELODY_TEMPLATES
    else:
        templates = _Templates(qualities)
    scores = templates.scores(profile / total, bass)
    root, quality = templates.chords[int(np.argmax(scores))]  # argmax: the first of equals
    return Chord(root=root, quality=quality)


def chord_from_pitch_classes(pitch_classes: Iterable[int], root: int | None = None) -> Chord:
    """The chord on `root` (any root if None) that best names a set of pitch classes."""
    profile = np.zeros(12)
    for pc in pitch_classes:
        profile[pc % 12] = 1.0
    if root is None:
        chord = match_chord(profile)
        return chord if chord is not None else Chord(root=0, quality="maj")
    unit = profile / max(float(np.linalg.norm(profile)), 1e-12)
    scores = _ACCOMPANIMENT_TEMPLATES.scores(unit, None)
    scores[_ACCOMPANIMENT_TEMPLATES.roots != root % 12] = -np.inf
    best = _ACCOMPANIMENT_TEMPLATES.chords[int(np.argmax(scores))]
    return Chord(root=root % 12, quality=best[1])


def bar_windows(beats_per_bar: int) -> tuple[tuple[float, float], ...]:
    """The windows (offsets in a bar) a chord is inferred for: half bars, as jazz charts split."""
    if beats_per_bar % 2 == 0:
        half = beats_per_bar / 2
        return ((0.0, half), (half, float(beats_per_bar)))
    if beats_per_bar >= 5:
        first = math.ceil(beats_per_bar / 2)
        return ((0.0, float(first)), (float(first), float(beats_per_bar)))
    return ((0.0, float(beats_per_bar)),)


def _progression(
    bars: list[list[tuple[float, Chord | None]]], beats_per_bar: int
) -> Progression | None:
    """Fill empty windows from their neighbours, merge repeats inside a bar, start every bar."""
    flat = [chord for bar in bars for _, chord in bar]
    known = [chord for chord in flat if chord is not None]
    if not known:
        return None
    # Before the first chord heard, use that chord; after it, the last one heard holds.
    current: Chord = known[0]
    result = []
    for bar in bars:
        merged: list[tuple[float, Chord]] = []
        for offset, chord in bar:
            if chord is not None:
                current = chord
            if merged and abs(merged[-1][0] - offset) < 1e-9 and len(merged) > 1:
                merged.pop()  # two symbols at one place: the later one counts
            if merged and merged[-1][1] == current:
                continue
            merged.append((0.0 if not merged else offset, current))
        result.append(tuple(merged))
    return Progression(bars=tuple(result), beats_per_bar=beats_per_bar)


def _window_edges(n_bars: int, beats_per_bar: int) -> np.ndarray:
    offsets = [lo for lo, _ in bar_windows(beats_per_bar)]
    edges = [bar * beats_per_bar + lo for bar in range(n_bars) for lo in offsets]
    return np.array([*edges, n_bars * beats_per_bar], dtype=float)


def chords_from_accompaniment(
    notes: Sequence[SourceNote], n_bars: int, beats_per_bar: int
) -> Progression | None:
    """Chords inferred per half bar from accompaniment notes (beats from the sheet's start).

    Each note adds to the windows it overlaps with array slices, so the work grows with the
    notes plus the windows, even when notes hang on for the whole piece (a lost note-off).
    """
    if not notes:
        return None
    edges = _window_edges(n_bars, beats_per_bar)
    n_windows = len(edges) - 1
    spans = []
    lowest = np.full(n_windows, 128)
    for note in notes:
        first = max(0, int(np.searchsorted(edges, note.start, side="right")) - 1)
        last = min(n_windows, int(np.searchsorted(edges, note.end, side="left")))
        if last <= first:
            continue
        overlap = np.minimum(note.end, edges[first + 1 : last + 1]) - np.maximum(
            note.start, edges[first:last]
        )
        spans.append((first, last, note.pitch, overlap))
        np.minimum(lowest[first:last], note.pitch, out=lowest[first:last])
    profiles = np.zeros((n_windows, 12))
    bass_weights = np.zeros((n_windows, 12))
    for first, last, pitch, overlap in spans:
        profiles[first:last, pitch % 12] += np.maximum(overlap, 0.0)
        # Notes within a major third of the lowest are the bass line (walking bass, fifths).
        in_bass = pitch <= lowest[first:last] + 4
        bass_weights[first:last, pitch % 12] += np.where(in_bass, np.maximum(overlap, 0.0), 0.0)

    offsets = [lo for lo, _ in bar_windows(beats_per_bar)]
    bars: list[list[tuple[float, Chord | None]]] = []
    for window in range(n_windows):
        if window % len(offsets) == 0:
            bars.append([])
        profile = profiles[window]
        bass = int(np.argmax(bass_weights[window])) if bass_weights[window].any() else None
        if bass is not None:
            profile = profile.copy()
            profile[bass] += BASS_WEIGHT * (edges[window + 1] - edges[window])
        bars[-1].append((offsets[window % len(offsets)], match_chord(profile, bass)))
    return _progression(bars, beats_per_bar)


def chords_from_melody(
    melody: Sequence[MelodyNote], n_bars: int, beats_per_bar: int
) -> Progression | None:
    """One chord a bar guessed from the melody's own notes (when a file has nothing else).

    Each note adds to the bars it overlaps, so the work grows with notes plus bars.
    """
    profiles = np.zeros((n_bars, 12))
    for note in melody:
        if note.pitch is None:
            continue
        on_beat = abs(note.start_beat - round(note.start_beat)) < 1e-6
        weight = DOWNBEAT_WEIGHT if on_beat else 1.0
        first = max(0, math.floor(note.start_beat / beats_per_bar))
        last = min(n_bars - 1, math.ceil(note.end_beat / beats_per_bar))
        for bar in range(first, last + 1):
            start, end = bar * beats_per_bar, (bar + 1) * beats_per_bar
            overlap = min(note.end_beat, end) - max(note.start_beat, start)
            if overlap > 0:
                profiles[bar, note.pitch % 12] += overlap * weight
    bars: list[list[tuple[float, Chord | None]]] = [
        [(0.0, match_chord(profile, qualities=MELODY_QUALITIES))] for profile in profiles
    ]
    return _progression(bars, beats_per_bar)


def chords_from_symbols(
    symbols: Sequence[tuple[float, Chord]], n_bars: int, beats_per_bar: int
) -> Progression | None:
    """Chord symbols (beats from the sheet's start; earlier ones carry in) laid out in bars."""
    if not symbols:
        return None
    ordered = sorted(symbols, key=lambda s: s[0])
    before = [chord for beat, chord in ordered if beat < 1e-6]
    in_bar: list[list[tuple[float, Chord | None]]] = [[] for _ in range(n_bars)]
    for beat, chord in ordered:
        bar = math.floor((beat + 1e-6) / beats_per_bar)
        offset = beat - bar * beats_per_bar
        if 0 <= bar < n_bars and (bar > 0 or offset >= 1e-6):
            in_bar[bar].append((max(0.0, round(offset * 12) / 12), chord))
    bars: list[list[tuple[float, Chord | None]]] = []
    for bar, row in enumerate(in_bar):
        if bar == 0 and before:
            row.insert(0, (0.0, before[-1]))
        if not row or row[0][0] > 0:
            row.insert(0, (0.0, None))
        bars.append(row)
    return _progression(bars, beats_per_bar)


def estimate_key(profile: np.ndarray) -> str | None:
    """The major or minor key whose Krumhansl-Kessler profile best correlates with `profile`."""
    if float(np.sum(profile)) <= 0 or float(np.std(profile)) == 0:
        return None
    best: tuple[float, str] | None = None
    for tonic in range(12):
        for mode, reference in (("major", _MAJOR_PROFILE), ("minor", _MINOR_PROFILE)):
            rotated = np.roll(reference, tonic)
            r = float(np.corrcoef(profile, rotated)[0, 1])
            if best is None or r > best[0] + 1e-12:
                best = (r, f"{NOTE_NAMES[tonic]} {mode}")
    assert best is not None
    return best[1]
