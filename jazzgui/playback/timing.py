"""Beats to seconds with swing, shared by the live player and the built-in synth."""

from __future__ import annotations

import math

from jazzgui.music.events import beats_to_seconds

STRAIGHT = 0.5
MIN_SWING = 0.5
MAX_SWING = 0.75


def check_swing(swing: float) -> float:
    """The swing ratio if it is usable (0.5 straight .. 0.75), else ValueError."""
    if not MIN_SWING <= swing <= MAX_SWING:
        raise ValueError(
            f"swing ratio {swing:g} is outside {MIN_SWING:g} (straight) .. {MAX_SWING:g}"
        )
    return swing


def swing_beat(beat: float, swing: float = STRAIGHT) -> float:
    """Where a straight beat position falls once off-beat eighths are delayed to `swing`.

    Inside each beat the first half is stretched to `swing` of the beat and the second half
    squeezed into the rest: the off-beat eighth (x.5) lands on x + swing, downbeats stay put,
    and positions in between move proportionally so the order of notes never changes.
    """
    if swing == STRAIGHT:
        return beat
    whole = math.floor(beat)
    frac = beat - whole
    if frac <= 0.5:
        return whole + frac * (swing / 0.5)
    return whole + swing + (frac - 0.5) * ((1.0 - swing) / 0.5)


def straight_beat(swung: float, swing: float = STRAIGHT) -> float:
    """The inverse of swing_beat: the straight position of a beat heard at `swung`."""
    if swing == STRAIGHT:
        return swung
    whole = math.floor(swung)
    frac = swung - whole
    if frac <= swing:
        return whole + frac * (0.5 / swing)
    return whole + 0.5 + (frac - swing) * (0.5 / (1.0 - swing))


def seconds_to_beat(seconds: float, tempo_bpm: float, swing: float = STRAIGHT) -> float:
    """The (straight) beat position heard `seconds` after the start: beat_to_seconds inverted."""
    return straight_beat(seconds * tempo_bpm / 60.0, swing)


def beat_to_seconds(beat: float, tempo_bpm: float, swing: float = STRAIGHT) -> float:
    """Seconds from the start of a take to a (straight) beat position, swing applied."""
    return beats_to_seconds(swing_beat(beat, swing), tempo_bpm)
