"""Musical measures of generated solos against a corpus: chord tones, distributions, copies.

Definitions (the numbers `jazzgui evaluate` and `bench/quality.py` print):

- **Strong beats.** In 4/4, beats 1 and 3; in any other meter, every beat's downbeat (we have
  no reliable accent pattern for 3/4 or 5/4 swing, so every beat counts). A note is on a strong
  beat when its onset lies within 1/24 beat of one. Its pitch is classified with
  `Chord.classify` against the chord sounding at the onset (`Progression.chord_at`); the measure
  is the share of those notes that are chord tones ("C"). The onsets of an unquantized line
  are first put on the grid that fits it (`music.snapping`), so a played note near a beat
  counts; how many notes were counted is printed beside the share.
- **Distributions** are histograms (not kernel density estimates): the pitch class relative to
  the chord root per quality family (major, minor, dominant, half-diminished, diminished; 12
  bins each), the melodic interval between consecutive notes in semitones clipped to +-12 (25
  bins), and the note duration on the 1/12-beat grid (1/12 to 4 beats, 48 bins, longer notes in
  the last bin). Two histograms are compared by their overlapping area (OA, the sum of the
  bin-wise minimum of the two normalised histograms: 1 identical, 0 disjoint; Yang & Lerch 2018
  take the OA of kernel density estimates, we take it of the histograms themselves) and by the
  Jensen-Shannon distance in base 2 (the square root of the divergence: 0 identical, 1 disjoint).
  The pitch-class figure is the mean over families weighted by the take's notes in each family
  (a family the corpus never plays over cannot be compared and is left out).
- **Longest same-pitch run**: the most notes in a row with the same pitch (rests between them
  do not break the run).
- **Longest verbatim copy**: the longest run of consecutive value tokens of the take, across bar
  boundaries, that also occurs consecutively in one corpus file. Takes are re-tokenized from
  their notes with the same grammar as the corpus, so both sides are comparable.
- **Polyphony**: the most solo notes sounding at once (a solo line must give 1).
- **Variety**: how many of N takes have distinct solo note sequences (onset, duration, pitch).

For a set of takes (`summarize`) the distributions pool the notes of every take before the
comparison; the other figures are per-take means, with the worst take's copy, same-pitch run
and polyphony beside them.

The corpus's own figures compare the first half of each file's bars with the second half, so
the OA/JSD and copy lengths show how alike two parts of the same corpus are (a baseline, not
a target: the halves are smaller samples than ten pooled takes).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from jazzgui.music.corpus import Corpus
from jazzgui.music.events import SOLO_CHANNEL, MelodyNote, Take
from jazzgui.music.grammar import GRID, tokenize, tokenize_bars
from jazzgui.music.leadsheet import LeadSheet
from jazzgui.music.measures import (
    FAMILIES,
    NgramIndex,
    pitch_class_counts,
    strong_positions,
)
from jazzgui.music.progression import Progression, parse_progression
from jazzgui.music.snapping import GRIDS, choose_grid, nearest_grid_point

INTERVAL_CLIP = 12
DURATION_BINS = 4 * GRID
_ONSET_TOLERANCE = 1.0 / 24.0
_EPS = 1e-6


# --- histograms and their comparison -------------------------------------------------------


def overlapping_area(p: np.ndarray, q: np.ndarray) -> float:
    """Overlapping area of two histograms after normalising each: 1 identical, 0 disjoint."""
    p, q = _normalised(p), _normalised(q)
    if p is None or q is None:
        return math.nan
    return float(np.minimum(p, q).sum())


def js_distance(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon distance (base 2, the square root of the divergence): 0 same, 1 disjoint."""
    p, q = _normalised(p), _normalised(q)
    if p is None or q is None:
        return math.nan
    m = 0.5 * (p + q)
    divergence = 0.5 * _kl(p, m) + 0.5 * _kl(q, m)
    return float(math.sqrt(min(1.0, max(0.0, divergence))))


def _normalised(h: np.ndarray) -> np.ndarray | None:
    h = np.asarray(h, dtype=float).ravel()
    total = h.sum()
    return h / total if total > 0 else None


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    mask = p > 0
    return float(np.sum(p[mask] * np.log2(p[mask] / q[mask])))


# --- a solo line, from a take or a lead sheet ----------------------------------------------


@dataclass(frozen=True)
class SoloLine:
    """A solo to measure: its pitched notes in onset order, its changes and its value tokens."""

    notes: tuple[MelodyNote, ...]
    progression: Progression
    bar_tokens: tuple[tuple[str, ...], ...]
    beats_per_bar: int = 4

    @property
    def tokens(self) -> tuple[str, ...]:
        """The value tokens across bar boundaries."""
        return tuple(t for bar in self.bar_tokens for t in bar)


def line_from_take(take: Take, progression: Progression | None = None) -> SoloLine:
    """The solo of a take (notes on SOLO_CHANNEL), re-tokenized over the take's changes."""
    if progression is None:
        progression = parse_progression(take.progression_text, take.beats_per_bar)
    progression.require_one_meter(
        "measuring a take", "Measure takes whose changes keep one meter (no markers after bar 1)"
    )
    bpb = progression.beats_per_bar
    solo = take.part(SOLO_CHANNEL)
    notes = tuple(MelodyNote(e.start_beat, e.duration_beats, e.pitch) for e in solo)
    bars = take.bars or max(1, math.ceil(max((n.end_beat for n in notes), default=0.0) / bpb))
    covering = Progression(
        tuple(progression.bars[i % len(progression)] for i in range(bars)), bpb, progression.text
    )
    # The grammar cuts overlapping notes and turns gaps into rests, as it does for the corpus.
    tokens = tuple(tuple(bar) for bar in tokenize_bars(notes, covering, bpb))
    return SoloLine(notes, covering, tokens, bpb)


def line_from_sheet(
    sheet: LeadSheet, bars_tokens: Sequence[Sequence[str]] | None = None
) -> SoloLine:
    """A corpus lead sheet as a solo line; `bars_tokens` are its tokens if already computed."""
    if bars_tokens is None:
        bars_tokens = tokenize(sheet)
    notes = tuple(n for n in sheet.melody if n.pitch is not None)
    tokens = tuple(tuple(bar) for bar in bars_tokens)
    return SoloLine(notes, sheet.progression, tokens, sheet.beats_per_bar)


# --- the measures of one line ----------------------------------------------------------------


def strong_beat_counts(line: SoloLine) -> tuple[int, int]:
    """(chord tones, notes) among the notes whose onset, put first on the grid that fits the
    line (music.snapping: a played note lands near its beat, rarely on it), is on a strong
    beat."""
    positions = strong_positions(line.beats_per_bar)
    places = GRIDS.get(choose_grid([n.start_beat for n in line.notes]), tuple(range(GRID)))
    chord_tones = total = 0
    for note in line.notes:
        onset = float(nearest_grid_point(note.start_beat, places))
        offset = onset % line.beats_per_bar
        near = min(min(abs(offset - p), abs(offset - p - line.beats_per_bar)) for p in positions)
        if near > _ONSET_TOLERANCE:
            continue
        snapped = round(onset)
        total += 1
        if line.progression.chord_at(snapped).classify(note.pitch) == "C":
            chord_tones += 1
    return chord_tones, total


def pitch_class_histogram(line: SoloLine) -> np.ndarray:
    """Counts (5 families x 12) of each note's pitch class relative to the sounding chord's root."""
    return pitch_class_counts(line.notes, line.progression)


def interval_histogram(line: SoloLine) -> np.ndarray:
    """Counts of melodic intervals between consecutive notes, semitones -12..+12 (25 bins)."""
    hist = np.zeros(2 * INTERVAL_CLIP + 1, dtype=float)
    pitches = [n.pitch for n in line.notes]
    for a, b in itertools.pairwise(pitches):
        hist[int(np.clip(b - a, -INTERVAL_CLIP, INTERVAL_CLIP)) + INTERVAL_CLIP] += 1
    return hist


def duration_histogram(line: SoloLine) -> np.ndarray:
    """Counts of note durations on the 1/12-beat grid: bin i holds (i+1)/12 beats (48 bins)."""
    hist = np.zeros(DURATION_BINS, dtype=float)
    for note in line.notes:
        steps = int(np.clip(round(note.duration_beats * GRID), 1, DURATION_BINS))
        hist[steps - 1] += 1
    return hist


def longest_same_pitch_run(line: SoloLine) -> int:
    """The most consecutive notes with one pitch (0 without notes)."""
    best = run = 0
    previous = None
    for note in line.notes:
        run = run + 1 if note.pitch == previous else 1
        previous = note.pitch
        best = max(best, run)
    return best


def polyphony(notes: Iterable[MelodyNote]) -> int:
    """The most notes sounding at once (a note ending where another starts does not overlap)."""
    points = []
    for note in notes:
        points.append((note.start_beat, 1))
        points.append((note.end_beat - _EPS, -1))
    best = sounding = 0
    # At equal times an end sorts before a start (-1 < 1).
    for _, step in sorted(points):
        sounding += step
        best = max(best, sounding)
    return best


def _families_comparison(take_hist: np.ndarray, corpus_hist: np.ndarray) -> tuple[float, float]:
    """OA and JSD of pitch class per family, weighted by the take's notes in each family."""
    oa_sum = jsd_sum = weight = 0.0
    for f in range(len(FAMILIES)):
        n = take_hist[f].sum()
        if n == 0 or corpus_hist[f].sum() == 0:
            continue
        oa_sum += n * overlapping_area(take_hist[f], corpus_hist[f])
        jsd_sum += n * js_distance(take_hist[f], corpus_hist[f])
        weight += n
    if weight == 0:
        return math.nan, math.nan
    return float(oa_sum / weight), float(jsd_sum / weight)


# --- the corpus profile ----------------------------------------------------------------------


@dataclass
class _Histograms:
    pitch: np.ndarray
    interval: np.ndarray
    duration: np.ndarray

    @classmethod
    def of(cls, lines: Iterable[SoloLine]) -> _Histograms:
        pitch = np.zeros((len(FAMILIES), 12))
        interval = np.zeros(2 * INTERVAL_CLIP + 1)
        duration = np.zeros(DURATION_BINS)
        for line in lines:
            pitch += pitch_class_histogram(line)
            interval += interval_histogram(line)
            duration += duration_histogram(line)
        return cls(pitch, interval, duration)

    def compare(self, corpus: _Histograms) -> dict[str, float]:
        pitch_oa, pitch_jsd = _families_comparison(self.pitch, corpus.pitch)
        return {
            "pitch_oa": pitch_oa,
            "pitch_jsd": pitch_jsd,
            "interval_oa": overlapping_area(self.interval, corpus.interval),
            "interval_jsd": js_distance(self.interval, corpus.interval),
            "duration_oa": overlapping_area(self.duration, corpus.duration),
            "duration_jsd": js_distance(self.duration, corpus.duration),
        }


@dataclass
class CorpusProfile:
    """A corpus's distributions, n-gram index and own figures, computed once for many takes."""

    lines: list[SoloLine]
    histograms: _Histograms
    index: NgramIndex
    own: Summary

    @classmethod
    def from_lines(cls, lines: Sequence[SoloLine]) -> CorpusProfile:
        lines = list(lines)
        histograms = _Histograms.of(lines)
        index = NgramIndex(line.tokens for line in lines)
        return cls(lines, histograms, index, _own_summary(lines, histograms))

    @classmethod
    def from_sheets(
        cls,
        sheets: Sequence[LeadSheet],
        bars_tokens: Sequence[Sequence[Sequence[str]]] | None = None,
    ) -> CorpusProfile:
        """From lead sheets and, when already computed, each sheet's tokens bar by bar."""
        if bars_tokens is None:
            bars_tokens = [None] * len(sheets)
        return cls.from_lines([line_from_sheet(s, b) for s, b in zip(sheets, bars_tokens)])

    @classmethod
    def from_corpus(cls, corpus: Corpus) -> CorpusProfile:
        """From a built corpus: its files that loaded, with the tokens it already made."""
        entries = corpus.ok_entries
        return cls.from_sheets([e.sheet for e in entries], [e.bars for e in entries])

    @property
    def files(self) -> int:
        return len(self.lines)

    @property
    def notes(self) -> int:
        return sum(len(line.notes) for line in self.lines)


def _split_halves(line: SoloLine) -> tuple[SoloLine, SoloLine]:
    """A line's first half of bars and its second half, each counted from its own start."""
    half = len(line.progression) // 2
    cut = half * line.beats_per_bar
    first = SoloLine(
        tuple(n for n in line.notes if n.start_beat < cut - _EPS),
        Progression(line.progression.bars[:half], line.beats_per_bar),
        line.bar_tokens[:half],
        line.beats_per_bar,
    )
    second = SoloLine(
        tuple(
            MelodyNote(n.start_beat - cut, n.duration_beats, n.pitch)
            for n in line.notes
            if n.start_beat >= cut - _EPS
        ),
        Progression(line.progression.bars[half:], line.beats_per_bar),
        line.bar_tokens[half:],
        line.beats_per_bar,
    )
    return first, second


def _own_summary(lines: list[SoloLine], histograms: _Histograms) -> Summary:
    halves = [_split_halves(line) for line in lines if len(line.progression) >= 2]
    firsts = [h[0] for h in halves]
    seconds = [h[1] for h in halves]
    first_index = NgramIndex(line.tokens for line in firsts)
    copies = [first_index.longest_match(line.tokens) for line in seconds]
    chord, strong = _sum_pairs(strong_beat_counts(line) for line in lines)
    runs = [longest_same_pitch_run(line) for line in lines]
    figures = (
        _Histograms.of(seconds).compare(_Histograms.of(firsts))
        if halves
        else dict.fromkeys(_DISTRIBUTION_FIELDS, math.nan)
    )
    return Summary(
        takes=len(lines),
        notes=float(np.mean([len(line.notes) for line in lines])) if lines else math.nan,
        strong_beat_chord_tones=chord / strong if strong else math.nan,
        **figures,
        same_pitch_run=float(np.mean(runs)) if runs else math.nan,
        same_pitch_run_max=max(runs, default=0),
        copy=float(np.mean(copies)) if copies else math.nan,
        copy_max=max(copies, default=0),
        polyphony=max((polyphony(line.notes) for line in lines), default=0),
        distinct=None,
        strong_beat_notes=strong,
    )


def _sum_pairs(pairs: Iterable[tuple[int, int]]) -> tuple[int, int]:
    a = b = 0
    for x, y in pairs:
        a += x
        b += y
    return a, b


# --- measuring takes -------------------------------------------------------------------------

_DISTRIBUTION_FIELDS = (
    "pitch_oa", "pitch_jsd", "interval_oa", "interval_jsd", "duration_oa", "duration_jsd",
)  # fmt: skip


_DISTRIBUTION_LABELS = (
    "pitch class | chord quality OA", "pitch class | chord quality JSD",
    "melodic intervals OA", "melodic intervals JSD", "note durations OA", "note durations JSD",
)  # fmt: skip


def _distribution_rows(figures: Measures | Summary) -> list[tuple[str, str]]:
    """The (label, value) rows of the six distribution comparisons."""
    return [
        (label, _fixed(getattr(figures, name)))
        for label, name in zip(_DISTRIBUTION_LABELS, _DISTRIBUTION_FIELDS)
    ]


@dataclass(frozen=True)
class Measures:
    """The measures of one take against a corpus."""

    notes: int
    strong_beat_chord_tones: float  # share 0..1 of strong-beat notes that are chord tones
    pitch_oa: float
    pitch_jsd: float
    interval_oa: float
    interval_jsd: float
    duration_oa: float
    duration_jsd: float
    same_pitch_run: int
    copy: int  # longest verbatim token copy from the corpus
    polyphony: int
    strong_beat_notes: int = 0  # notes on strong beats the chord-tone share counts

    def as_rows(self) -> list[tuple[str, str]]:
        """(measure, value) pairs for printing."""
        return [
            ("notes", str(self.notes)),
            ("chord tones on strong beats", _percent(self.strong_beat_chord_tones)),
            ("notes on strong beats", str(self.strong_beat_notes)),
            *_distribution_rows(self),
            ("longest same-pitch run", str(self.same_pitch_run)),
            ("longest verbatim copy (tokens)", str(self.copy)),
            ("notes sounding at once (max)", str(self.polyphony)),
        ]


def measure_line(line: SoloLine, profile: CorpusProfile) -> Measures:
    """Every measure of one solo line against the corpus."""
    chord, strong = strong_beat_counts(line)
    figures = _Histograms.of([line]).compare(profile.histograms)
    return Measures(
        notes=len(line.notes),
        strong_beat_chord_tones=chord / strong if strong else math.nan,
        **figures,
        same_pitch_run=longest_same_pitch_run(line),
        copy=profile.index.longest_match(line.tokens),
        polyphony=polyphony(line.notes),
        strong_beat_notes=strong,
    )


def measure_take(
    take: Take, profile: CorpusProfile, progression: Progression | None = None
) -> Measures:
    """Every measure of one take (its solo channel) against the corpus."""
    return measure_line(line_from_take(take, progression), profile)


def take_signature(take: Take) -> tuple[tuple[int, int, int], ...]:
    """The solo note sequence on the 1/12-beat grid: equal signatures sound the same."""
    return tuple(
        (round(e.start_beat * GRID), round(e.duration_beats * GRID), e.pitch)
        for e in take.part(SOLO_CHANNEL)
    )


def variety(takes: Sequence[Take]) -> tuple[int, int]:
    """(distinct solo note sequences, takes)."""
    return len({take_signature(t) for t in takes}), len(takes)


@dataclass(frozen=True)
class Summary:
    """Measures of a set of takes: per-take means, worst cases, and pooled distributions.

    The distributions pool the notes of all takes before comparing with the corpus, so the
    sampling noise of one short take does not count as distance.
    """

    takes: int
    notes: float
    strong_beat_chord_tones: float
    pitch_oa: float
    pitch_jsd: float
    interval_oa: float
    interval_jsd: float
    duration_oa: float
    duration_jsd: float
    same_pitch_run: float
    same_pitch_run_max: int
    copy: float
    copy_max: int
    polyphony: int
    distinct: int | None
    per_take: tuple[Measures, ...] = field(default=(), compare=False)
    strong_beat_notes: int = 0  # notes on strong beats counted, over all takes

    def as_rows(self) -> list[tuple[str, str]]:
        """(measure, value) pairs for printing."""
        distinct = "-" if self.distinct is None else f"{self.distinct} of {self.takes}"
        return [
            ("takes (corpus: files)", str(self.takes)),
            ("notes per take (mean)", _fixed(self.notes, 1)),
            ("chord tones on strong beats", _percent(self.strong_beat_chord_tones)),
            ("notes on strong beats (counted)", str(self.strong_beat_notes)),
            *_distribution_rows(self),
            ("longest same-pitch run (mean)", _fixed(self.same_pitch_run, 1)),
            ("longest same-pitch run (max)", str(self.same_pitch_run_max)),
            ("longest verbatim copy, tokens (mean)", _fixed(self.copy, 1)),
            ("longest verbatim copy, tokens (max)", str(self.copy_max)),
            ("notes sounding at once (max)", str(self.polyphony)),
            ("distinct takes", distinct),
        ]


def summarize(
    takes: Sequence[Take], profile: CorpusProfile, progression: Progression | None = None
) -> Summary:
    """Measure every take and summarise: means, worst cases, pooled distributions, variety."""
    if not takes:
        raise ValueError("summarize needs at least one take")
    lines = [line_from_take(t, progression) for t in takes]
    per_take = tuple(measure_line(line, profile) for line in lines)
    pooled = _Histograms.of(lines).compare(profile.histograms)
    distinct, n = variety(takes)
    return Summary(
        takes=n,
        notes=_mean(m.notes for m in per_take),
        strong_beat_chord_tones=_mean(m.strong_beat_chord_tones for m in per_take),
        **pooled,
        same_pitch_run=_mean(m.same_pitch_run for m in per_take),
        same_pitch_run_max=max(m.same_pitch_run for m in per_take),
        copy=_mean(m.copy for m in per_take),
        copy_max=max(m.copy for m in per_take),
        polyphony=max(m.polyphony for m in per_take),
        distinct=distinct,
        per_take=per_take,
        strong_beat_notes=sum(m.strong_beat_notes for m in per_take),
    )


def format_table(columns: Mapping[str, Summary | Measures]) -> str:
    """A text table: one row per measure, one column per named summary (e.g. corpus, ours) or
    per named take's measures (all columns of one kind)."""
    names = list(columns)
    rows = [[label] for label, _ in next(iter(columns.values())).as_rows()]
    for name in names:
        for row, (_, value) in zip(rows, columns[name].as_rows()):
            row.append(value)
    header = ["measure", *names]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths))
        )
        for r in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _mean(values: Iterable[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return float(np.mean(finite)) if finite else math.nan


def _fixed(value: float, digits: int = 3) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _percent(value: float) -> str:
    return "-" if math.isnan(value) else f"{100 * value:.1f}%"
