"""Chord progressions: bars of chords with their onsets, as parsed from text or read from a file."""

from __future__ import annotations

from dataclasses import dataclass

from jazzgui.music.chords import Chord


@dataclass(frozen=True)
class ChordSpan:
    """A chord sounding from `start_beat` for `duration` beats (absolute beats from the start)."""

    start_beat: float
    duration: float
    chord: Chord

    @property
    def end_beat(self) -> float:
        return self.start_beat + self.duration


@dataclass(frozen=True)
class Progression:
    """Bars of (offset-in-bar, chord) pairs; each bar's first chord sits at offset 0."""

    bars: tuple[tuple[tuple[float, Chord], ...], ...]
    beats_per_bar: int = 4
    text: str = ""

    def __len__(self) -> int:
        return len(self.bars)

    @property
    def length_beats(self) -> float:
        return float(len(self.bars) * self.beats_per_bar)

    def bar_spans(self, bar_index: int) -> list[ChordSpan]:
        """The chords of one bar (bar_index wraps around) as spans in absolute beats."""
        bar = self.bars[bar_index % len(self.bars)]
        start = bar_index * self.beats_per_bar
        spans = []
        for i, (offset, chord) in enumerate(bar):
            end = bar[i + 1][0] if i + 1 < len(bar) else self.beats_per_bar
            spans.append(ChordSpan(start + offset, end - offset, chord))
        return spans

    def spans(self) -> list[ChordSpan]:
        return [span for i in range(len(self.bars)) for span in self.bar_spans(i)]

    def chord_at(self, beat: float) -> Chord:
        """The chord sounding at an absolute beat (the progression repeats past its end)."""
        bar_index = int(beat // self.beats_per_bar)
        offset = beat - bar_index * self.beats_per_bar
        current = self.bars[bar_index % len(self.bars)][0][1]
        for bar_offset, chord in self.bars[bar_index % len(self.bars)]:
            if bar_offset <= offset + 1e-9:
                current = chord
        return current

    def repeated(self, times: int) -> Progression:
        """This progression played `times` times in a row (choruses)."""
        return Progression(self.bars * times, self.beats_per_bar, self.text)

    def to_text(self) -> str:
        """Bars as text, `|` between bars, which parse_progression reads back."""
        return " | ".join(" ".join(c.name for _, c in bar) for bar in self.bars) + " |"
