"""Meters a take can be in: parsing "3/4" or "6/8", bar length in beats, pulse and feel."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from jazzgui.errors import JazzGUIError

# The meters offered in the window and the command line; others with whole-beat bars work too.
COMMON_METERS = ("4/4", "3/4", "5/4", "6/8", "2/4", "7/4", "12/8")
_METER_RE = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*$")
# A meter marker at the head of typed changes: "(3/4) Dm7 | G7 |".
MARKER_RE = re.compile(r"\(\s*(\d{1,2}\s*/\s*\d{1,2})\s*\)")


@dataclass(frozen=True)
class Meter:
    """A time signature. Beats are quarter notes, as everywhere in JazzGUI (6/8 = 3 beats)."""

    numerator: int = 4
    denominator: int = 4

    @property
    def text(self) -> str:
        return f"{self.numerator}/{self.denominator}"

    @property
    def beats_per_bar(self) -> int:
        """Quarter-note beats in a bar (whole beats: 6/8 -> 3, 12/8 -> 6)."""
        return self.numerator * 4 // self.denominator

    @property
    def compound(self) -> bool:
        """6/8, 9/8, 12/8: the pulse is a dotted quarter and eighths are played straight."""
        return self.denominator == 8 and self.numerator % 3 == 0

    @property
    def pulse(self) -> float:
        """Beats between the felt pulses: 1 (a quarter), or 1.5 (a dotted quarter)."""
        return 1.5 if self.compound else 1.0

    def __str__(self) -> str:
        return self.text


FOUR_FOUR = Meter(4, 4)


def parse_meter(text: str | Meter | None, what: str = "meter") -> Meter:
    """A Meter from text such as "3/4" or "6/8" (None or "" is 4/4); JazzGUIError if unusable.

    Accepted: denominators 4 and 8, bars of whole quarter beats from 1 to 12 beats (so 5/8 or
    7/8 are refused: their bars end between beats, which the value grammar cannot hold).
    """
    if isinstance(text, Meter):
        return text
    if text is None or not str(text).strip():
        return FOUR_FOUR
    match = _METER_RE.match(str(text))
    if not match:
        raise JazzGUIError(f"The {what} {text!r} is not a time signature. {METER_ADVICE}")
    meter = Meter(int(match.group(1)), int(match.group(2)))
    problem = meter_problem(meter)
    if problem:
        raise JazzGUIError(f"The {what} {problem}. {METER_ADVICE}")
    return meter


METER_ADVICE = f"Write a meter such as {', '.join(COMMON_METERS[:4])}"


def meter_problem(meter: Meter) -> str | None:
    """What makes a meter unusable, in words starting with the meter, or None."""
    if meter.denominator not in (4, 8):
        return (
            f"{meter.text} counts in 1/{meter.denominator} notes; JazzGUI plays meters in "
            "quarters or eighths"
        )
    quarters = meter.numerator * 4 / meter.denominator
    if meter.numerator < 1 or quarters != int(quarters) or not 1 <= quarters <= 12:
        return (
            f"{meter.text} gives bars of {quarters:g} quarter notes; JazzGUI needs bars of "
            "1 to 12 whole quarter notes"
        )
    return None


def meter_for_beats(beats_per_bar: int, denominator: int = 4) -> Meter:
    """The meter of bars of `beats_per_bar` quarter beats counted in `denominator` notes."""
    return Meter(beats_per_bar * denominator // 4, denominator)


class MeterMap:
    """The meter of each bar, where each bar starts and how long it is (in beats).

    Bars may differ in meter, so a bar starts at the running sum of the bar lengths before it,
    never at index * beats_per_bar. Past the last bar the bars come round again (a second
    chorus); before bar 0 the last bars do (a primer sounds over the end of the changes).
    """

    def __init__(self, meters: Sequence[Meter]) -> None:
        if not meters:
            raise ValueError("a meter map needs the meter of at least one bar")
        self.meters = tuple(meters)
        self._starts = tuple(accumulate((m.beats_per_bar for m in self.meters), initial=0))
        self.length = float(self._starts[-1])  # the beats of one pass through the bars

    @classmethod
    def uniform(cls, meter: Meter, bars: int) -> MeterMap:
        return cls((meter,) * max(bars, 1))

    def __len__(self) -> int:
        return len(self.meters)

    @property
    def mixed(self) -> bool:
        """Whether the bars are in more than one meter."""
        return len(set(self.meters)) > 1

    def meter(self, index: int) -> Meter:
        return self.meters[index % len(self.meters)]

    def beats(self, index: int) -> int:
        """The length of bar `index` in beats."""
        return self.meter(index).beats_per_bar

    def start(self, index: int) -> float:
        """The beat bar `index` starts on."""
        passes, index = divmod(index, len(self.meters))
        return passes * self.length + self._starts[index]

    def index_at(self, beat: float) -> int:
        """The bar sounding at `beat` (beats a hair before a bar line count as on it)."""
        passes, within = divmod(beat + 1e-9, self.length)
        return int(passes) * len(self.meters) + bisect_right(self._starts, within) - 1

    def changes(self) -> list[tuple[int, Meter]]:
        """(bar index, meter) at bar 0 and wherever the meter changes."""
        return [(i, m) for i, m in enumerate(self.meters) if i == 0 or m != self.meters[i - 1]]
