"""Unquantized performances snapped to the rhythmic grid that fits each file.

A played solo lands anywhere between the 1/12-beat grid points, so reading it on that grid
gives a new value for almost every note (327 values for the reference file's guitar part).
A file whose onsets already sit on the 1/12 grid is left alone; any other is snapped to
sixteenths, eighth-note triplets or both side by side (never merged: a triplet stays a
triplet), whichever fits its onsets, with note lengths snapped to whole steps of that grid.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from jazzgui.music.events import MelodyNote
from jazzgui.music.grammar import GRID, quantize

log = logging.getLogger(__name__)

# Places in a beat (twelfths) of each grid, coarsest first.
GRIDS: dict[str, tuple[int, ...]] = {
    "sixteenths": (0, 3, 6, 9),
    "triplets": (0, 4, 8),
    "sixteenths+triplets": (0, 3, 4, 6, 8, 9),
}
# A file is quantized already when this share of its onsets lies within 1/48 beat of the grid.
QUANTIZED_SHARE = 0.9
# A pure grid is chosen over the mixed one when its mean onset error is at most this much larger.
PURE_GRID_SLACK = 1.25
# A gap shorter than this (beats) before the next note is legato, not a rest.
LEGATO_GAP = Fraction(1, 4)


@dataclass(frozen=True)
class SnapReport:
    """How a file was read: the grid, its notes, and how many kept their 1/12-grid reading."""

    grid: str
    notes: int
    kept: int

    @property
    def kept_share(self) -> float:
        return self.kept / self.notes if self.notes else 1.0


def _offgrid(beat: float) -> float:
    steps = beat * GRID
    return abs(steps - round(steps)) / GRID


def nearest_grid_point(beat: float, places: tuple[int, ...]) -> Fraction:
    """The point of a grid (places in a beat, twelfths) nearest to a time in beats."""
    whole = int(beat // 1)
    points = [Fraction(whole) + Fraction(p, GRID) for p in places] + [Fraction(whole + 1)]
    return min(points, key=lambda point: abs(float(point) - beat))


def _lengths(places: tuple[int, ...]) -> list[Fraction]:
    """Note lengths allowed on a grid: whole steps of its sixteenth and/or triplet."""
    steps = {Fraction(3, GRID) if 3 in places else None, Fraction(4, GRID) if 4 in places else None}
    values = {step * k for step in steps if step is not None for k in range(1, 49)}
    return sorted(v for v in values if v <= 16)


def choose_grid(onsets: Sequence[float]) -> str:
    """The grid name that fits these onsets ("1/12" when they are quantized already)."""
    if not onsets:
        return "1/12"
    on_grid = sum(_offgrid(b) <= 1 / 48 for b in onsets) / len(onsets)
    if on_grid >= QUANTIZED_SHARE:
        return "1/12"
    errors = {
        name: sum(abs(float(nearest_grid_point(b, places)) - b) for b in onsets) / len(onsets)
        for name, places in GRIDS.items()
    }
    mixed = errors["sixteenths+triplets"]
    pure = min(("sixteenths", "triplets"), key=errors.__getitem__)
    return pure if errors[pure] <= PURE_GRID_SLACK * mixed else "sixteenths+triplets"


def snap_melody(melody: Sequence[MelodyNote]) -> tuple[list[MelodyNote], SnapReport]:
    """The melody on the grid that fits it, and the report; rests are dropped (the grammar
    reads every gap as a rest)."""
    notes = sorted((n for n in melody if n.pitch is not None), key=lambda n: n.start_beat)
    grid = choose_grid([n.start_beat for n in notes])
    if grid == "1/12":
        return list(melody), SnapReport(grid, len(notes), len(notes))
    places = GRIDS[grid]
    lengths = _lengths(places)
    starts = [nearest_grid_point(n.start_beat, places) for n in notes]
    snapped: list[MelodyNote] = []
    kept = 0
    for i, note in enumerate(notes):
        length = min(lengths, key=lambda v: abs(float(v) - note.duration_beats))
        following = next((s for s in starts[i + 1 :] if s > starts[i]), None)
        if following is not None and following - (starts[i] + length) < LEGATO_GAP:
            # Legato, or an overlap in the playing: the note ends where the next one starts.
            length = following - starts[i]
        snapped.append(MelodyNote(float(starts[i]), float(length), note.pitch))
        exact = quantize(note.start_beat) == starts[i]
        kept += exact and quantize(note.end_beat) - quantize(note.start_beat) == length
    return snapped, SnapReport(grid, len(notes), kept)
