"""The raw score the file readers extract (tracks, bar grid, tempos, keys, chord symbols, in
beats from the file's start, before any bar or track is chosen), and what both readers share:
the checks on a file's bytes and the bar grid built from time signatures."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jazzgui.errors import ChordSymbolError, InputFileError
from jazzgui.music.chords import Chord, is_no_chord, parse_chord
from jazzgui.music.tracks import SourceTrack

MAX_FILE_BYTES = 16 * 1024 * 1024  # solo files are kilobytes; anything this big is not one
EPS = 1e-6


@dataclass(frozen=True)
class Segment:
    """A run of bars of one length: `count` bars (None = to the end) from `first_bar`."""

    start: float
    first_bar: int
    length: float  # quarter notes a bar
    numerator: int
    denominator: int
    count: int | None = None


class BarGrid:
    """Bar numbers as the file counts them, and where each bar starts (in beats)."""

    def __init__(self, segments: Sequence[Segment]) -> None:
        self.segments = list(segments)
        self._starts = [s.start for s in self.segments]
        self._firsts = [s.first_bar for s in self.segments]

    @property
    def first_bar(self) -> int:
        return self.segments[0].first_bar

    def _by_bar(self, bar: int) -> Segment:
        return self.segments[max(0, bisect_right(self._firsts, bar) - 1)]

    def bar_start(self, bar: int) -> float:
        segment = self._by_bar(bar)
        return segment.start + (bar - segment.first_bar) * segment.length

    def bar_length(self, bar: int) -> float:
        return self._by_bar(bar).length

    def bar_at(self, beat: float) -> int:
        segment = self.segments[max(0, bisect_right(self._starts, beat + EPS) - 1)]
        within = math.floor((beat - segment.start) / segment.length + EPS)
        if segment.count is not None:
            within = min(within, segment.count - 1)
        return segment.first_bar + max(0, within)

    def meters(self, first: int, last: int) -> Counter[tuple[int, int]]:
        """How many of the bars first..last are in each meter (numerator, denominator)."""
        counts: Counter[tuple[int, int]] = Counter()
        for i, segment in enumerate(self.segments):
            seg_last = (
                segment.first_bar + segment.count - 1
                if segment.count is not None
                else (self.segments[i + 1].first_bar - 1 if i + 1 < len(self.segments) else last)
            )
            overlap = min(last, seg_last) - max(first, segment.first_bar) + 1
            if overlap > 0:
                counts[(segment.numerator, segment.denominator)] += overlap
        return counts


@dataclass
class Score:
    """What the readers extract from a file, in beats from its start, before any selection."""

    path: Path
    kind: str  # "MIDI" or "MusicXML"
    tracks: list[SourceTrack]
    grid: BarGrid
    tempos: list[tuple[float, float]] = field(default_factory=list)
    keys: list[tuple[float, str]] = field(default_factory=list)
    symbols: list[tuple[float, Chord]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    damaged: str = ""  # what damage was found (a cut-off file whose complete tracks were read)


def read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputFileError(path, "the file does not exist", "Check the name and folder")
    if path.is_dir():
        raise InputFileError(path, "this is a folder, not a file", "Choose a .mid or .xml file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputFileError(
                path,
                f"the file is {size // (1024 * 1024)} MiB, far too big for a solo",
                "Use a MIDI or MusicXML file of the solo itself",
            )
        data = path.read_bytes()
    except OSError as error:
        raise InputFileError(
            path, f"it cannot be read ({error.strerror or error})", "Check the file's permissions"
        ) from error
    if not data.strip():
        raise InputFileError(path, "the file is empty", "Export the solo again from its source")
    return data


def valid_meter(numerator: int, denominator: int) -> bool:
    if not 1 <= numerator <= 64 or denominator not in (1, 2, 4, 8, 16, 32, 64):
        return False
    return 0.25 <= numerator * 4 / denominator <= 32


def grid_from_meters(meters: Sequence[tuple[float, int, int]]) -> BarGrid:
    """Bars from time-signature changes (beat, numerator, denominator); bar 1 starts at beat 0.

    A change in the middle of a bar starts a new bar there, as sequencers do.
    """
    segments = [Segment(0.0, 1, 4.0, 4, 4)]
    for beat, numerator, denominator in sorted(meters, key=lambda m: m[0]):
        current = segments[-1]
        length = numerator * 4 / denominator
        if beat <= current.start + EPS:
            segments[-1] = Segment(current.start, current.first_bar, length, numerator, denominator)
            continue
        elapsed = (beat - current.start) / current.length
        whole = math.floor(elapsed + EPS)
        bars_done = whole if abs(elapsed - whole) < EPS else whole + 1
        segments[-1] = Segment(
            current.start,
            current.first_bar,
            current.length,
            current.numerator,
            current.denominator,
            bars_done,
        )
        segments.append(
            Segment(beat, current.first_bar + bars_done, length, numerator, denominator)
        )
    return BarGrid(segments)


def parse_chord_text(text: str) -> Chord | None:
    cleaned = text.strip()
    # N.C. in a file: the chord before carries on for the grammar, as in typed changes.
    if not cleaned or not cleaned[0].isupper() or " " in cleaned or is_no_chord(cleaned):
        return None
    try:
        return parse_chord(cleaned)
    except ChordSymbolError:
        return None


def printable(text: str) -> str:
    """A name from a file as it can be printed: control characters (terminal escapes, bells,
    bytes that were never text) become '?', surrounding blanks are dropped."""
    return "".join(c if c.isprintable() else "?" for c in text.strip())
