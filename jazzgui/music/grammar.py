"""The value grammar: melody elements as chord-relative tokens such as ``C,1/2,<+5,-1>``."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from jazzgui.errors import JazzGUIError
from jazzgui.music.events import MelodyNote
from jazzgui.music.leadsheet import LeadSheet
from jazzgui.music.progression import Progression

log = logging.getLogger(__name__)

# Durations are quantised to twelfths of a beat: the least grid that holds both triplets
# (1/3, 1/6) and sixteenths (1/4) exactly.
GRID = 12
KINDS = ("C", "S", "A", "X", "R")
# The window is the real interval from the previous note widened by a minor third each way.
WINDOW_SLACK = 3

_TOKEN_RE = re.compile(
    r"^(?P<kind>[CSAXR]),(?P<dur>\d+(?:/\d+)?)(?:,<(?P<upper>[+-]\d+),(?P<lower>[+-]\d+)>)?$"
)


class TokenError(JazzGUIError, ValueError):
    """A token text that is not a value token of this grammar."""


@dataclass(frozen=True)
class ValueToken:
    """One melody element: its type, its length in beats and, for most notes, a pitch window.

    `window` is (upper, lower) in semitones from the previous pitch; None for rests and for
    the first note of a bar.
    """

    kind: str
    duration: Fraction
    window: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise TokenError(f"token type {self.kind!r} is not one of {' '.join(KINDS)}")
        if self.duration <= 0 or (self.duration * GRID).denominator != 1:
            raise TokenError(
                f"duration {self.duration} is not a positive multiple of 1/{GRID} beat"
            )
        if self.window is not None:
            if self.kind == "R":
                raise TokenError("a rest has no pitch window")
            upper, lower = self.window
            if upper - lower != 2 * WINDOW_SLACK:
                raise TokenError(f"window <{upper:+d},{lower:+d}> is not {2 * WINDOW_SLACK} wide")

    @property
    def is_rest(self) -> bool:
        return self.kind == "R"

    @property
    def interval(self) -> int | None:
        """The interval from the previous pitch this token was read with (window centre)."""
        return None if self.window is None else self.window[0] - WINDOW_SLACK

    @property
    def text(self) -> str:
        base = f"{self.kind},{self.duration}"
        if self.window is None:
            return base
        return f"{base},<{self.window[0]:+d},{self.window[1]:+d}>"

    def __str__(self) -> str:
        return self.text


@functools.lru_cache(maxsize=4096)
def parse_token(text: str) -> ValueToken:
    """The ValueToken a token text stands for; TokenError if it is not one (cached: tokens
    are immutable and a model's vocabulary is small)."""
    match = _TOKEN_RE.match(text.strip())
    if not match:
        raise TokenError(f"{text!r} is not a value token (expected TYPE,DUR or TYPE,DUR,<+U,-L>)")
    try:
        duration = Fraction(match.group("dur"))
    except ZeroDivisionError as exc:
        raise TokenError(f"{text!r} has a zero denominator") from exc
    window = None
    if match.group("upper") is not None:
        window = (int(match.group("upper")), int(match.group("lower")))
    return ValueToken(match.group("kind"), duration, window)


def token_duration(text: str) -> Fraction:
    """The length in beats of a token text."""
    return parse_token(text).duration


def quantize(beats: float) -> Fraction:
    """A time in beats on the 1/12-beat grid (nearest point)."""
    return Fraction(round(beats * GRID), GRID)


@dataclass(frozen=True)
class _Segment:
    # In grid steps (1/GRID beat), integers so that long files are not slowed by fractions:
    # absolute in the timeline, from the bar start in a bar.
    start: int
    duration: int
    pitch: int | None


def _steps(beats: float) -> int:
    """A time in beats as whole grid steps (nearest point), as quantize() rounds it."""
    return round(beats * GRID)


def _monophonic_timeline(melody: Sequence[MelodyNote], total: int) -> list[_Segment]:
    """Quantised notes in [0, total) grid steps, without zero-length notes or overlaps.

    Rests are not taken from the input: every gap between notes is a rest, so rests of
    merged voices cannot produce junk tokens. Of notes struck together the highest is kept;
    a note still sounding when the next starts ends there.
    """
    pitched = [
        (max(_steps(n.start_beat), 0), min(_steps(n.end_beat), total), n.pitch)
        for n in melody
        if n.pitch is not None
    ]
    # Of notes struck together (a chord in the source) the top one is the melody.
    pitched.sort(key=lambda note: (note[0], -note[2], -note[1]))
    notes: list[_Segment] = []
    for start, end, pitch in pitched:
        if end <= start:
            continue  # shorter than half a grid step, or outside the bars
        if notes and notes[-1].start == start:
            continue  # a lower (or shorter) note of the same onset
        if notes and notes[-1].start + notes[-1].duration > start:
            # Overlap (chords or legato in the source): the earlier note ends where this starts.
            last = notes.pop()
            if start > last.start:
                notes.append(_Segment(last.start, start - last.start, last.pitch))
        notes.append(_Segment(start, end - start, pitch))
    return notes


def _bar_segments(
    timeline: list[_Segment], bar_index: int, bar_steps: int, first: int = 0
) -> tuple[list[_Segment], int]:
    """One bar's notes cut at its bar lines, gaps filled by single rests (steps from the bar).

    The timeline is sorted and without overlaps, so the scan starts at `first` (the first
    segment that may reach into this bar) and stops at the bar's end; it returns the segments
    and where the next bar's scan starts, which makes reading every bar linear in the notes.
    """
    bar_start = bar_index * bar_steps
    bar_end = bar_start + bar_steps
    segments: list[_Segment] = []
    cursor = bar_start
    index = first
    while index < len(timeline) and timeline[index].start < bar_end:
        seg = timeline[index]
        start, end = max(seg.start, bar_start), min(seg.start + seg.duration, bar_end)
        if end > start:
            if start > cursor:
                segments.append(_Segment(cursor - bar_start, start - cursor, None))
            segments.append(_Segment(start - bar_start, end - start, seg.pitch))
            cursor = end
        if seg.start + seg.duration > bar_end:
            break  # it goes on into the next bar: that bar's scan starts with it
        index += 1
    if cursor < bar_end:
        segments.append(_Segment(cursor - bar_start, bar_end - cursor, None))
    return segments, index


def tokenize_bar_tokens(
    melody: Sequence[MelodyNote], progression: Progression, beats_per_bar: int
) -> list[list[tuple[ValueToken, int | None]]]:
    """Each bar's ValueTokens with the pitch each was read from (None for rests)."""
    if beats_per_bar < 1:
        raise ValueError(f"beats_per_bar must be at least 1, not {beats_per_bar}")
    if progression.mixed:
        raise ValueError("tokenizing needs one meter; the progression changes meter")
    if progression.beats_per_bar != beats_per_bar:
        # Chords are looked up by the progression's bars: the two meters must agree.
        raise ValueError(
            f"the progression has {progression.beats_per_bar} beats a bar, "
            f"the melody {beats_per_bar}"
        )
    bars = len(progression)
    bar_steps = beats_per_bar * GRID
    timeline = _monophonic_timeline(melody, bars * bar_steps)
    result: list[list[tuple[ValueToken, int | None]]] = []
    previous: int | None = None
    scan = 0
    for bar_index in range(bars):
        bar: list[tuple[ValueToken, int | None]] = []
        first_note = True
        segments, scan = _bar_segments(timeline, bar_index, bar_steps, scan)
        for seg in segments:
            if seg.pitch is None:
                bar.append((ValueToken("R", Fraction(seg.duration, GRID)), None))
                continue
            onset = bar_index * beats_per_bar + seg.start / GRID
            kind = progression.chord_at(onset).classify(seg.pitch)
            window = None
            if not first_note and previous is not None:
                interval = seg.pitch - previous
                window = (interval + WINDOW_SLACK, interval - WINDOW_SLACK)
            bar.append((ValueToken(kind, Fraction(seg.duration, GRID), window), seg.pitch))
            previous, first_note = seg.pitch, False
        result.append(bar)
    return result


def tokenize_bars(
    melody: Sequence[MelodyNote], progression: Progression, beats_per_bar: int
) -> list[list[str]]:
    """Token texts of every bar of the progression; each bar's durations sum to its beats.

    A note is classified against the chord sounding at its onset; notes crossing a bar line
    are cut there; a bar is one rest token only when it holds no note at all.
    """
    return [
        [token.text for token, _ in bar]
        for bar in tokenize_bar_tokens(melody, progression, beats_per_bar)
    ]


def tokenize(sheet: LeadSheet) -> list[list[str]]:
    """Token texts of every bar of a lead sheet."""
    return tokenize_bars(sheet.melody, sheet.progression, sheet.beats_per_bar)
