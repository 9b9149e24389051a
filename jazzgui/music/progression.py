"""Chord progressions: bars of chords with their onsets, as parsed from text or read from a file."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from jazzgui.errors import ChordSymbolError, JazzGUIError
from jazzgui.music.chords import NOTE_NAMES, Chord, parse_chord
from jazzgui.music.meter import (
    MARKER_RE,
    Meter,
    MeterMap,
    meter_for_beats,
    meter_problem,
    parse_meter,
)


@dataclass(frozen=True)
class ChordSpan:
    """A chord sounding from `start_beat` for `duration` beats (absolute beats from the start)."""

    start_beat: float
    duration: float
    chord: Chord

    @property
    def end_beat(self) -> float:
        return self.start_beat + self.duration


def chord_in_spans(spans: Sequence[ChordSpan], beat: float) -> Chord:
    """The chord sounding at an absolute beat among a bar's spans (the last one past them)."""
    if not spans:
        raise ValueError("a bar needs at least one chord span")
    current = spans[0].chord
    for span in spans:
        if span.start_beat <= beat + 1e-9:
            current = span.chord
    return current


@dataclass(frozen=True)
class Progression:
    """Bars of (offset-in-bar, chord) pairs; each bar's first chord sits at offset 0.

    Every bar is in the progression's meter unless `meters` gives the meter of each bar (typed
    changes with ``(3/4)`` markers between bars); then `beats_per_bar` and `denominator` are
    the first bar's, and bar starts come from `meter_map` (the running sum of bar lengths).
    """

    bars: tuple[tuple[tuple[float, Chord], ...], ...]
    beats_per_bar: int = 4
    text: str = ""
    denominator: int = 4  # the meter's note value: 8 makes 3 beats 6/8 rather than 3/4
    meters: tuple[Meter, ...] = ()  # each bar's meter when they differ; () = all in `meter`

    def __post_init__(self) -> None:
        if not self.meters:
            return
        if len(self.meters) != len(self.bars):
            raise ValueError(f"{len(self.meters)} meters for {len(self.bars)} bars")
        first = self.meters[0]
        object.__setattr__(self, "beats_per_bar", first.beats_per_bar)
        object.__setattr__(self, "denominator", first.denominator)
        if all(meter == first for meter in self.meters):
            object.__setattr__(self, "meters", ())  # one meter after all: stored as such

    @property
    def meter(self) -> Meter:
        """The meter of the first bar (of every bar unless `mixed`)."""
        return meter_for_beats(self.beats_per_bar, self.denominator)

    @property
    def mixed(self) -> bool:
        """Whether the bars change meter."""
        return bool(self.meters)

    @property
    def meter_summary(self) -> str:
        """The meter in words: "3/4", or "4/4 changing to 3/4" for changes that change it."""
        if not self.mixed:
            return self.meter.text
        names = dict.fromkeys(m.text for _, m in self.meter_map.changes())
        return " changing to ".join([next(iter(names)), ", ".join(list(names)[1:])])

    @functools.cached_property
    def meter_map(self) -> MeterMap:
        """Each bar's meter, start and length in beats."""
        return MeterMap(self.meters or (self.meter,) * max(len(self.bars), 1))

    def __len__(self) -> int:
        return len(self.bars)

    @property
    def length_beats(self) -> float:
        return self.meter_map.length if self.bars else 0.0

    def bar_spans(self, bar_index: int) -> list[ChordSpan]:
        """The chords of one bar (bar_index wraps around) as spans in absolute beats."""
        bar = self.bars[bar_index % len(self.bars)]
        start, beats = self.meter_map.start(bar_index), self.meter_map.beats(bar_index)
        spans = []
        for i, (offset, chord) in enumerate(bar):
            end = bar[i + 1][0] if i + 1 < len(bar) else beats
            spans.append(ChordSpan(start + offset, end - offset, chord))
        return spans

    def spans(self) -> list[ChordSpan]:
        return [span for i in range(len(self.bars)) for span in self.bar_spans(i)]

    def chord_at(self, beat: float) -> Chord:
        """The chord sounding at an absolute beat (the progression repeats past its end)."""
        return chord_in_spans(self.bar_spans(self.meter_map.index_at(beat)), beat)

    def repeated(self, times: int) -> Progression:
        """This progression played `times` times in a row (choruses)."""
        return replace(self, bars=self.bars * times, meters=self.meters * times)

    def head(self, bars: int) -> Progression:
        """The first `bars` bars, each in its meter (a take stopped early)."""
        return replace(self, bars=self.bars[:bars], text="", meters=self.meters[:bars])

    def single_bar(self, index: int) -> Progression:
        """Bar `index` (wrapping around) alone, in its meter."""
        meter = self.meter_map.meter(index)
        return Progression(
            (self.bars[index % len(self.bars)],), meter.beats_per_bar, "", meter.denominator
        )

    def require_one_meter(self, action: str, advice: str = "") -> None:
        """MixedMeterError if the bars change meter: `action` ("playing along"...) cannot."""
        if self.mixed:
            changes = ", ".join(f"{m.text} from bar {i + 1}" for i, m in self.meter_map.changes())
            advice = advice or (
                "Remove the meter markers after the first bar (the first one, or the meter "
                "control, sets the meter of every bar) and try again"
            )
            raise MixedMeterError(
                f"The changes change meter ({changes}); {action} needs one meter for the whole "
                f"progression. {advice}"
            )

    def to_text(self) -> str:
        """Bars as text, `|` between bars, which parse_progression reads back (with a meter
        marker such as ``(3/4)`` in front unless the meter is 4/4, and one before every bar
        where the meter changes)."""
        if not self.mixed:
            meter = self.meter
            bars = " | ".join(_bar_text(bar, meter) for bar in self.bars) + " |"
            return bars if meter == Meter() else f"({meter.text}) {bars}"
        changes = dict(self.meter_map.changes())
        texts = []
        for index, bar in enumerate(self.bars):
            meter = self.meter_map.meter(index)
            marker = f"({meter.text}) " if index in changes else ""
            texts.append(marker + _bar_text(bar, meter))
        return " | ".join(texts) + " |"


class MixedMeterError(JazzGUIError):
    """Changes whose meter changes, given to something that plays one meter only."""


# Symbols that repeat: a whole bar (`%`) or the previous chord for one more slot (`/`, `-`).
_REPEAT_BAR = "%"
_REPEAT_SLOT = ("/", "-")
_TOKEN_RE = re.compile(r"\S+")


def _slot_lengths(count: int, beats_per_bar: int, pulse: float = 1.0) -> list[float]:
    """How a bar of `count` chord slots is divided, as jazz charts do.

    Equal shares where they divide evenly; otherwise the first chords take the extra beats
    (3 chords in 4/4 -> 2+1+1, 2 chords in 3/4 -> 2+1, 2 chords in 5/4 -> 3+2).
    """
    pulses = beats_per_bar / pulse
    if pulse != 1.0 and pulses == int(pulses) and int(pulses) % count == 0:
        return [beats_per_bar / count] * count  # 6/8: two chords a dotted quarter each
    base, extra = divmod(beats_per_bar, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def _bar_text(bar: tuple[tuple[float, Chord], ...], meter: Meter) -> str:
    """One bar as chart text: names alone where the usual split places them, otherwise the
    fewest slots that do, with `/` holding a chord (C for three beats, G7 for one: C / / G7)."""
    beats_per_bar, pulse = meter.beats_per_bar, meter.pulse
    offsets = [offset for offset, _ in bar]
    for count in range(len(bar), min(4, beats_per_bar) + 1):
        lengths = _slot_lengths(count, beats_per_bar, pulse)
        starts = [float(sum(lengths[:i])) for i in range(count)]
        if all(offset in starts for offset in offsets):
            names = dict((offset, chord.name) for offset, chord in bar)
            return " ".join(names.get(start, "/") for start in starts)
    # Offsets between beats (chords read from a file) have no chart spelling: name them.
    return " ".join(chord.name for _, chord in bar)


def parse_progression(
    text: str, beats_per_bar: int = 4, meter: Meter | str | None = None
) -> Progression:
    """Read chord changes such as ``Dm7 G7 | Cmaj7 | % |`` into a Progression.

    The meter is `meter` if given (``"3/4"``, ``"6/8"``...), else `beats_per_bar` quarter
    beats. A marker such as ``(3/4)`` before a bar's chords sets the meter from that bar until
    the next marker: ``(4/4) Dm7 G7 | Cmaj7 | (3/4) Dm7 | G7 | (4/4) C6 |``; one at the head
    of the text wins over both arguments.

    Bars are separated by ``|`` or line ends (outer ``|`` and ``||`` double bars are fine).
    A bar holds one chord, or up to one chord a beat, split as jazz charts do (2 -> halves,
    3 -> 2+1+1 in 4/4, 4 -> one a beat). ``%`` alone repeats the previous bar; ``/`` or ``-``
    in a chord's place holds the previous chord for that slot (``C / / G7``); ``N.C.`` is no
    chord: the band rests, the soloist keeps the chord before it (see Chord). A bad symbol
    raises ChordSymbolError whose ``position`` is the symbol's character offset in `text`.
    """
    if beats_per_bar < 1:
        raise ValueError(f"beats_per_bar must be at least 1, not {beats_per_bar}")
    current = parse_meter(meter) if meter is not None else meter_for_beats(beats_per_bar)
    markers = list(MARKER_RE.finditer(text))
    chart = _blank_markers(text, markers)
    if not re.search(r"[^\s|]", chart):
        raise ChordSymbolError("", -1, "the progression has no chords", text)
    # Segments between separators: a bar line, or a line end (a chart written line by line).
    segments: list[tuple[int, str, bool]] = []  # (start, text, between two bar lines)
    start, left = 0, ""
    for i, char in enumerate(chart + "\n"):
        if char in "|\n":
            segments.append((start, chart[start:i], left == "|" and char == "|"))
            start, left = i + 1, char

    bars: list[tuple[tuple[float, Chord], ...]] = []
    meters: list[Meter] = []
    for seg_start, segment, fenced in segments:
        words = [(seg_start + m.start(), m.group()) for m in _TOKEN_RE.finditer(segment)]
        if not words:
            # Nothing between a bar line and a line end or the text's end, or a `||` double
            # bar, is layout; blank space between two bar lines is a bar left empty.
            if fenced and segment:
                raise ChordSymbolError(
                    "|",
                    seg_start + len(segment),
                    "the bar before this bar line is empty; write % to repeat the previous bar",
                    text,
                )
            continue
        # Markers up to this bar's last word: the ones before its chords set its meter.
        while markers and markers[0].start() < words[-1][0]:
            current = _marker_meter(markers.pop(0), words[0][0], len(bars) + 1, text)
        bars.append(_parse_bar(words, bars, current, text))
        meters.append(current)
    if markers:
        raise ChordSymbolError(
            markers[0].group(),
            markers[0].start(),
            f"no bar follows this meter marker (after bar {len(bars)}); write it before the "
            "chords of the bar where the meter changes",
            text,
        )
    return Progression(
        _resolve_leading_no_chord(bars, text),
        meters[0].beats_per_bar,
        text,
        meters[0].denominator,
        tuple(meters),
    )


def _blank_markers(text: str, markers: list[re.Match[str]]) -> str:
    """`text` with its meter markers blanked (so character offsets in errors still point into
    the text as typed)."""
    for marker in markers:
        text = text[: marker.start()] + " " * len(marker.group()) + text[marker.end() :]
    return text


def _marker_meter(marker: re.Match[str], first_word: int, bar: int, text: str) -> Meter:
    """The meter a ``(3/4)`` marker sets from bar number `bar` on, whose first chord stands at
    character `first_word`; ChordSymbolError naming the bar if it is misplaced or unusable."""
    if marker.start() > first_word:
        raise ChordSymbolError(
            marker.group(),
            marker.start(),
            f"a meter marker stands at the start of a bar, before its chords (bar {bar} has a "
            "chord before it); move it before the bar's first chord",
            text,
        )
    numerator, _, denominator = marker.group(1).replace(" ", "").partition("/")
    meter = Meter(int(numerator), int(denominator))
    problem = meter_problem(meter)
    if problem:
        raise ChordSymbolError(marker.group(), marker.start(), f"bar {bar}: {problem}", text)
    return meter


def _last_chord(bars: list[tuple[tuple[float, Chord], ...]]) -> Chord | None:
    return bars[-1][-1][1] if bars else None


def _resolve_leading_no_chord(
    bars: list[tuple[tuple[float, Chord], ...]], text: str
) -> tuple[tuple[tuple[float, Chord], ...], ...]:
    """N.C. before the first chord is held over the first chord that comes (a pickup).

    Only bars before the first chord hold such placeholders: a later N.C. holds the chord
    sounding before it already.
    """
    if not bars[0][0][1].no_chord:
        return tuple(bars)
    first = next((c for bar in bars for _, c in bar if not c.no_chord), None)
    if first is None:
        match = re.search(r"\S+", text)
        raise ChordSymbolError(
            match.group() if match else text,
            match.start() if match else -1,
            "with only N.C. the band has nothing to play; write at least one chord",
            text,
        )
    held = first.held_as_no_chord()
    placeholder = Chord(0, "maj", None, held.symbol, no_chord=True)
    return tuple(
        tuple((offset, held if chord == placeholder else chord) for offset, chord in bar)
        for bar in bars
    )


def _parse_bar(
    words: list[tuple[int, str]],
    previous_bars: list[tuple[tuple[float, Chord], ...]],
    meter: Meter,
    text: str,
) -> tuple[tuple[float, Chord], ...]:
    """One bar's chords with their offsets, from its words and their character offsets."""
    beats_per_bar = meter.beats_per_bar
    if any(word == _REPEAT_BAR for _, word in words):
        if len(words) > 1:
            position = next(p for p, w in words if w == _REPEAT_BAR)
            raise ChordSymbolError(
                _REPEAT_BAR, position, "% repeats a whole bar and must stand alone in it", text
            )
        if not previous_bars:
            raise ChordSymbolError(
                _REPEAT_BAR, words[0][0], "the first bar has no previous bar to repeat", text
            )
        # Into a shorter bar, the chords that start past its end are left out.
        return tuple(c for c in previous_bars[-1] if c[0] < beats_per_bar)
    if len(words) > min(4, beats_per_bar):
        position, word = words[min(4, beats_per_bar)]
        raise ChordSymbolError(
            word,
            position,
            f"a bar of {beats_per_bar} beats holds at most {min(4, beats_per_bar)} chords",
            text,
        )
    chords: list[tuple[float, Chord]] = []
    offset = 0
    lengths = _slot_lengths(len(words), beats_per_bar, meter.pulse)
    for (position, word), length in zip(words, lengths):
        if word in _REPEAT_SLOT:
            if not chords and not previous_bars:
                raise ChordSymbolError(word, position, "there is no chord before it to hold", text)
            if not chords:
                # Holding over the bar line: the bar starts with the last chord sounding.
                chords.append((0.0, previous_bars[-1][-1][1]))
        else:
            chord = parse_chord(word, position)
            if chord.no_chord:
                held = chords[-1][1] if chords else _last_chord(previous_bars)
                chord = held.held_as_no_chord() if held is not None else chord
            if not chords or chords[-1][1] != chord:
                chords.append((float(offset), chord))
        offset += length
    return tuple(chords)


def _ii_v_i_all_keys() -> str:
    """ii-V-I in every key, moving around the cycle of fourths from C."""
    bars = []
    for step in range(12):
        tonic = (step * 5) % 12
        two, five = NOTE_NAMES[(tonic + 2) % 12], NOTE_NAMES[(tonic + 7) % 12]
        bars.append(f"{two}m7 {five}7 | {NOTE_NAMES[tonic]}maj7 | {NOTE_NAMES[tonic]}maj7 |")
    return " ".join(bars)


# Built-in forms: generic jazz harmony written as functions of a key, no melodies.
FORMS: dict[str, str] = {
    "blues-f": ("F7 | Bb7 | F7 | Cm7 F7 | Bb7 | Bdim7 | F7 | D7b9 | Gm7 | C7 | F7 D7b9 | Gm7 C7 |"),
    "blues-bb": (
        "Bb7 | Eb7 | Bb7 | Fm7 Bb7 | Eb7 | Edim7 | Bb7 | G7b9 | Cm7 | F7 | Bb7 G7b9 | Cm7 F7 |"
    ),
    "minor-blues": (
        "Cm7 | Fm7 | Cm7 | Cm7 | Fm7 | Fm7 | Cm7 | Cm7 | Ab7 | G7alt | Cm7 | Dm7b5 G7alt |"
    ),
    # Rhythm changes in Bb, AABA: I-vi-ii-V turnarounds, a dominant-cycle bridge.
    "rhythm-changes": (
        "Bb6 G7 | Cm7 F7 | Dm7 G7 | Cm7 F7 | Fm7 Bb7 | Ebmaj7 Edim7 | Dm7 G7 | Cm7 F7 | "
        "Bb6 G7 | Cm7 F7 | Dm7 G7 | Cm7 F7 | Fm7 Bb7 | Ebmaj7 Edim7 | Cm7 F7 | Bb6 |"
        "D7 | D7 | G7 | G7 | C7 | C7 | F7 | F7 | "
        "Bb6 G7 | Cm7 F7 | Dm7 G7 | Cm7 F7 | Fm7 Bb7 | Ebmaj7 Edim7 | Cm7 F7 | Bb6 |"
    ),
    "ii-v-i-all-keys": _ii_v_i_all_keys(),
    # A ii-V-I to the relative major (Bb), IV, then ii-V-i in G minor; the bridge swaps them.
    "autumn-style": (
        "Cm7 | F7 | Bbmaj7 | Ebmaj7 | Am7b5 | D7b9 | Gm6 | Gm6 | "
        "Cm7 | F7 | Bbmaj7 | Ebmaj7 | Am7b5 | D7b9 | Gm6 | Gm6 | "
        "Am7b5 | D7b9 | Gm6 | Gm6 | Cm7 | F7 | Bbmaj7 | Ebmaj7 | "
        "Am7b5 | D7b9 | Gm7 C7 | Fm7 Bb7 | Am7b5 D7b9 | Gm6 | Gm6 | Gm6 |"
    ),
    # Eight bars of D dorian, eight up a half step, eight back: the classic modal vamp.
    "modal-vamp": (
        "Dm7 | % | % | % | % | % | % | % | Ebm7 | % | % | % | % | % | % | % | "
        "Dm7 | % | % | % | % | % | % | % |"
    ),
    # A slow eight-bar ballad in Eb: I-vi-ii-V with secondary dominants and a IV-bVII turn.
    "ballad": (
        "Ebmaj7 Cm7 | Fm7 Bb7 | Gm7 C7b9 | Fm7 Bb7 | Ebmaj7 Eb7 | Abmaj7 Db7#11 | "
        "Gm7 C7b9 | Fm7 Bb7 |"
    ),
}


# How the forms are named to a person (the keys stay the command line's and the settings').
FORM_TITLES: dict[str, str] = {
    "blues-f": "Blues in F",
    "blues-bb": "Blues in Bb",
    "minor-blues": "Minor blues in C",
    "rhythm-changes": "Rhythm changes in Bb",
    "ii-v-i-all-keys": "ii-V-I in all keys",
    "autumn-style": "Autumn-style ii-V cycle in G minor",
    "modal-vamp": "Modal vamp in D dorian",
    "ballad": "Ballad in Eb",
}


def form_title(name: str) -> str:
    """The display name of a built-in form ("blues-f" -> "Blues in F")."""
    key = name.strip().lower()
    return FORM_TITLES.get(key) or key.replace("-", " ").capitalize()


def form_progression(name: str, meter: Meter | str | None = None) -> Progression:
    """The built-in form `name` (see FORMS) as a Progression, bar for bar in `meter` (4/4)."""
    key = name.strip().lower()
    if key not in FORMS:
        raise JazzGUIError(
            f"There is no built-in form called {name!r}. Choose one of: {', '.join(sorted(FORMS))}"
        )
    return parse_progression(FORMS[key], meter=meter)
