"""A vocabulary's values split into their parts (type, duration, interval window) for the
factorized output of the network: each value is one (type, duration, interval) triple."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from jazzgui.music.grammar import KINDS, parse_token


@dataclass(frozen=True)
class ValueParts:
    """The part lists of a vocabulary and, per value, the index of each of its parts.

    `intervals` holds None first (rests and a bar's first note carry no window), then the
    window centres in rising order; `durations` the lengths in beats in rising order.
    """

    durations: tuple[Fraction, ...]
    intervals: tuple[int | None, ...]
    kind_of: np.ndarray  # (V,) index into KINDS
    duration_of: np.ndarray  # (V,) index into durations
    interval_of: np.ndarray  # (V,) index into intervals

    @property
    def sizes(self) -> tuple[int, int, int]:
        """(types, durations, intervals): the widths of the three output heads."""
        return len(KINDS), len(self.durations), len(self.intervals)

    @property
    def input_width(self) -> int:
        """Width of a value fed to the network as three one-hot parts side by side."""
        return sum(self.sizes)


@functools.lru_cache(maxsize=16)
def _parts(tokens: tuple[str, ...]) -> ValueParts:
    parsed = [parse_token(t) for t in tokens]
    durations = tuple(sorted({p.duration for p in parsed}))
    windows = sorted({p.interval for p in parsed if p.interval is not None})
    intervals: tuple[int | None, ...] = (None, *windows)
    duration_index = {d: i for i, d in enumerate(durations)}
    interval_index = {v: i for i, v in enumerate(intervals)}
    arrays = (
        np.array([KINDS.index(p.kind) for p in parsed], dtype=np.int32),
        np.array([duration_index[p.duration] for p in parsed], dtype=np.int32),
        np.array([interval_index[p.interval] for p in parsed], dtype=np.int32),
    )
    for array in arrays:
        array.setflags(write=False)
    return ValueParts(durations, intervals, *arrays)


def value_parts(tokens: Sequence[str]) -> ValueParts:
    """The parts of every value of a vocabulary (computed once per vocabulary)."""
    return _parts(tuple(tokens))
