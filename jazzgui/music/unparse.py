"""Value tokens back into notes over any chord progression: onsets, bars, pitches, repeats."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction

import numpy as np

from jazzgui.music.chords import Chord
from jazzgui.music.events import NoteEvent
from jazzgui.music.grammar import ValueToken, parse_token
from jazzgui.music.pitch_prior import PitchPrior, pitch_weights
from jazzgui.music.progression import ChordSpan, chord_in_spans

# Without a window (a bar's first note) the pitch stays this close to the previous one, so a
# line does not leap at every bar line.
FREE_REACH = 7
# Types to fall back on, in order, when a chord has no pitch of the wanted type at all
# (a dim7 chord with its whole-half scale leaves no "X" pitch class, for example).
_FALLBACK = {"C": "CSAX", "S": "SCAX", "A": "AXSC", "X": "XASC"}
_BASE_VELOCITY = 84


def accent_velocity(offset_in_bar: float, beats_per_bar: int) -> int:
    """A little accent on strong beats: the downbeat most, the mid-bar beat less, beats a bit."""
    if abs(offset_in_bar) < 1e-9:
        return _BASE_VELOCITY + 12
    if beats_per_bar % 2 == 0 and abs(offset_in_bar - beats_per_bar / 2) < 1e-9:
        return _BASE_VELOCITY + 7
    if abs(offset_in_bar - round(offset_in_bar)) < 1e-9:
        return _BASE_VELOCITY + 3
    return _BASE_VELOCITY


@functools.lru_cache(maxsize=2048)
def _typed_pitches(chord: Chord, kind: str, low: int, high: int) -> tuple[tuple[int, ...], ...]:
    """Pitches in [low, high] of the wanted type, then of each fallback type the chord has
    (cached: a live answer must be ready within a beat, and chords repeat)."""
    options = []
    for fallback in _FALLBACK[kind]:
        pitches = tuple(p for p in range(low, high + 1) if chord.classify(p) == fallback)
        if pitches:
            options.append(pitches)
    return tuple(options)


# How far (semitones, one standard deviation) a chosen pitch tends to stray from the interval
# the token was read with: the window's centre. Near it the melody keeps its original contour
# (steps stay steps, leaps stay leaps); the spread keeps takes varied.
CONTOUR_SPREAD = 1.5


def _choose(
    pitches: Sequence[int],
    rng: np.random.Generator,
    target: float | None,
    leaning: np.ndarray | None = None,
) -> int:
    """One of `pitches`, drawn with a preference for those near `target` (uniform if None),
    times `leaning`, the soloist's weight of each absolute pitch class over the chord."""
    if len(pitches) == 1 or (target is None and leaning is None):
        return pitches[int(rng.integers(len(pitches)))]
    weights = np.ones(len(pitches))
    if target is not None:
        distance = (np.asarray(pitches, dtype=float) - target) / CONTOUR_SPREAD
        weights = np.exp(-0.5 * distance * distance)
    if leaning is not None:
        leaned = weights * leaning[np.asarray(pitches) % 12]
        if leaned.sum() > 0:  # else the prior rules out every candidate: the contour decides
            weights = leaned
    return pitches[int(rng.choice(len(pitches), p=weights / weights.sum()))]


def unparse_bar(
    tokens: Sequence[str],
    spans: Sequence[ChordSpan],
    bar_start: float,
    beats_per_bar: int,
    prev_pitch: int | None,
    rng: np.random.Generator,
    low: int = 55,
    high: int = 84,
    prior: PitchPrior | None = None,
) -> tuple[list[NoteEvent], int | None]:
    """One bar of tokens as solo notes over the chords in `spans`; returns them and the last pitch.

    Each note starts at its own onset (the running sum of the durations before it). Tokens
    past the bar's end are dropped and the last one cut at the bar line; a short bar ends in
    silence. A pitch has the token's type against the chord sounding at its onset and lies in
    its window around the previous pitch and in [low, high]; when nothing fits the window,
    the window widens a semitone at a time. A note never re-strikes the pitch that just ended
    (another fitting pitch is chosen, or else the previous note is held longer); a bar's
    first note never repeats the previous bar's last pitch. With a `prior` (chord family -> 12
    weights by pitch class above the root, see `jazzgui.music.pitch_prior`), the choice among
    the fitting pitches also leans towards the pitch classes it weighs most over the chord.
    """
    if high - low < 11:
        raise ValueError(f"the range {low}-{high} must span at least an octave")
    bar_length = Fraction(beats_per_bar)
    events: list[NoteEvent] = []
    onset = Fraction(0)
    last_end: Fraction | None = None  # end of the last note of this bar, to spot re-strikes
    for text in tokens:
        if onset >= bar_length:
            break
        token = parse_token(text)
        duration = min(token.duration, bar_length - onset)
        if not token.is_rest:
            start = bar_start + float(onset)
            chord = chord_in_spans(spans, start)
            typed = _typed_pitches(chord, token.kind, low, high)
            restrike = prev_pitch is not None and (last_end is None or last_end == onset)
            can_hold = bool(events) and last_end == onset
            leaning = None if prior is None else pitch_weights(prior, chord)
            pitch = _pick_pitch(
                token, typed, prev_pitch, restrike, can_hold, low, high, rng, leaning
            )
            if pitch is None:
                # Only the pitch just played fits: hold it instead of striking it again.
                held = events[-1]
                events[-1] = replace(held, duration_beats=held.duration_beats + float(duration))
            else:
                velocity = accent_velocity(float(onset), beats_per_bar)
                kind = chord.classify(pitch)
                events.append(NoteEvent(start, float(duration), pitch, velocity, kind=kind))
                prev_pitch = pitch
            last_end = onset + duration
        onset += duration
    return events, prev_pitch


def _pick_pitch(
    token: ValueToken,
    typed: Sequence[Sequence[int]],
    prev_pitch: int | None,
    restrike: bool,
    can_hold: bool,
    low: int,
    high: int,
    rng: np.random.Generator,
    leaning: np.ndarray | None = None,
) -> int | None:
    """A pitch for a note token, or None to hold the previous note instead.

    `typed` holds the pitches of the token's type, then of its fallback types. `restrike`
    says the note would start where the previous one ended (or is a bar's first note), so
    `prev_pitch` must not come again; `can_hold` says that previous note is in this bar and
    can be lengthened instead. Order of preference: the type inside the window; the previous
    note held when the window holds only it; the type in a window widened a semitone at a
    time; the previous note held; a fallback type. `leaning` weighs each absolute pitch class
    in every choice (None: no preference).
    """
    target: float | None = None
    if prev_pitch is None:
        centre = (low + high) // 2
        window = (centre - FREE_REACH, centre + FREE_REACH)
    elif token.window is None:
        window = (prev_pitch - FREE_REACH, prev_pitch + FREE_REACH)
    else:
        window = (prev_pitch + token.window[1], prev_pitch + token.window[0])
        target = (window[0] + window[1]) / 2
    banned = prev_pitch if restrike else None
    for level, pitches in enumerate(typed):
        fitting = [p for p in pitches if window[0] <= p <= window[1]]
        allowed = [p for p in fitting if p != banned]
        if allowed:
            return _choose(allowed, rng, target, leaning)
        if level == 0 and fitting and can_hold and token.window is not None:
            return None  # the window holds only the repeat: hold the previous note
        widen = 1
        while window[0] - widen >= low or window[1] + widen <= high:
            wider = [
                p for p in pitches if window[0] - widen <= p <= window[1] + widen and p != banned
            ]
            if wider:
                return _choose(wider, rng, target, leaning)
            widen += 1
        if can_hold:
            return None  # the range has no other pitch of this type: hold instead
    # Unreachable with an octave of range (a chord has several chord tones); kept total.
    return _choose(typed[0], rng, target, leaning)
