"""The band: voice-led piano comping in a jazz rhythm and a walking bass, from the changes."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator

import numpy as np

from jazzgui.music.chords import Chord
from jazzgui.music.events import BASS_CHANNEL, COMP_CHANNEL, NoteEvent
from jazzgui.music.progression import Progression

COMP_LOW, COMP_HIGH = 48, 74  # C3 .. D5: the voicing's lowest note stays in 48..62
BASS_LOW, BASS_HIGH = 28, 55  # E1 .. G3
COMP_VELOCITY = 62
BASS_VELOCITY = 84

# Comping rhythms for a bar with one chord, as (onset, length) in beats of 4/4.
# A hit at 3.5 that runs over the bar line anticipates the next bar's chord.
_PATTERNS_4: tuple[tuple[tuple[float, float], ...], ...] = (
    ((0.0, 1.0), (1.5, 1.0)),  # Charleston
    ((0.0, 1.0), (1.5, 0.5), (3.5, 1.0)),  # Charleston with an anticipation
    ((1.0, 0.6), (3.0, 0.6)),  # on 2 and 4
    ((0.5, 0.5), (2.0, 1.5)),  # reverse Charleston
    ((1.5, 1.0), (3.5, 1.0)),  # pushes on the and of 2 and 4
    ((0.0, 2.5),),  # one long chord
    ((0.0, 0.5), (2.5, 1.0)),
)
# One-chord bars in other meters, keyed by the meter: waltz, 5/4 as 3+2, 6/8 on its pulses.
_PATTERNS_OTHER: dict[str, tuple[tuple[tuple[float, float], ...], ...]] = {
    "3/4": (
        ((0.0, 1.0), (2.0, 0.8)),
        ((0.0, 0.5), (1.5, 1.0)),
        ((1.0, 0.6), (2.0, 0.6)),
        ((0.0, 2.0),),
    ),
    "5/4": (
        ((0.0, 1.5), (3.0, 1.5)),
        ((0.0, 1.0), (2.5, 0.5), (3.0, 1.5)),
        ((1.0, 0.6), (3.5, 1.0)),
    ),
    "6/8": (
        ((0.0, 1.4), (1.5, 1.4)),
        ((0.0, 0.9), (2.0, 0.9)),
        ((0.5, 0.9), (1.5, 1.4)),
    ),
}


def _voicing_pcs(chord: Chord) -> tuple[int, ...]:
    """Rootless voicing pitch classes: third, fifth (or a color tone), seventh, extension."""
    tones = chord.chord_tone_list
    offsets = [(pc - chord.root) % 12 for pc in tones]
    upper = [pc for pc, off in zip(tones, offsets) if off != 0]
    if len(upper) < 3:  # triads: add the ninth (major) or root colour so four voices remain
        ninth = (chord.root + 2) % 12
        if ninth in chord.scale:
            upper.append(ninth)
        else:
            upper.append(chord.root)
    if len(upper) < 4:
        ninth = (chord.root + 2) % 12
        if ninth in chord.scale and ninth not in upper and (chord.root + 1) % 12 not in upper:
            upper.append(ninth)
        elif chord.root not in upper:
            upper.append(chord.root)
    return tuple(dict.fromkeys(upper))[:4]


def _placements(pcs: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Every close-position and drop-2 voicing of the pitch classes in the piano register."""
    found: set[tuple[int, ...]] = set()
    n = len(pcs)
    for rotation in range(n):
        order = pcs[rotation:] + pcs[:rotation]
        for bottom in range(COMP_LOW, COMP_LOW + 15):
            if bottom % 12 != order[0]:
                continue
            close = [bottom]
            for pc in order[1:]:
                close.append(close[-1] + ((pc - close[-1]) % 12 or 12))
            candidates = [tuple(close)]
            if n >= 4:
                drop2 = sorted([close[-2] - 12, *close[:-2], close[-1]])
                candidates.append(tuple(drop2))
            for voicing in candidates:
                if voicing[0] >= COMP_LOW and voicing[-1] <= COMP_HIGH:
                    found.add(voicing)
    return sorted(found)


def _lead_cost(previous: tuple[int, ...] | None, voicing: tuple[int, ...]) -> float:
    centre = abs(sum(voicing) / len(voicing) - 60.0) * 0.35
    if previous is None:
        return centre
    moves = sum(min(abs(v - p) for p in previous) for v in voicing)
    return moves + centre


@functools.lru_cache(maxsize=64)
def _voicings(progression: Progression) -> tuple[tuple[int, ...], ...]:
    """One voice-led voicing per chord span, chained through the progression (and round)."""
    chords = [span.chord for span in progression.spans()]
    result: list[tuple[int, ...]] = []
    previous: tuple[int, ...] | None = None
    # Two passes so the first chord is voice-led from the last one, as when the form repeats.
    for chord in itertools.chain(chords, chords):
        options = _placements(_voicing_pcs(chord))
        previous = min(options, key=lambda v: _lead_cost(previous, v))
        result.append(previous)
    return tuple(result[len(chords) :])


@functools.lru_cache(maxsize=64)
def _bass_roots(progression: Progression) -> tuple[int, ...]:
    """The bass note on each chord's first beat: its root (or slash bass), near the last."""
    chords = [span.chord for span in progression.spans()]
    roots: list[int] = []
    previous = 36
    for chord in itertools.chain(chords, chords):
        pc = chord.bass if chord.bass is not None else chord.root
        options = [p for p in range(BASS_LOW, BASS_HIGH - 6) if p % 12 == pc]
        previous = min(options, key=lambda p: abs(p - previous) + 0.3 * abs(p - 38))
        roots.append(previous)
    return tuple(roots[len(chords) :])


@functools.lru_cache(maxsize=64)
def _all_chords(progression: Progression) -> tuple[Chord, ...]:
    return tuple(span.chord for span in progression.spans())


def _span_index(progression: Progression, bar_index: int) -> int:
    bars = len(progression.bars)
    return sum(len(progression.bars[i]) for i in range(bar_index % bars))


def _comp_bar(
    progression: Progression, bar_index: int, rng: np.random.Generator
) -> list[NoteEvent]:
    spans = progression.bar_spans(bar_index)
    voicings = _voicings(progression)
    n_spans = len(voicings)
    first = _span_index(progression, bar_index)
    bar_start = progression.meter_map.start(bar_index)
    hits: list[tuple[float, float, int]] = []  # (absolute onset, length, span number)
    meter = progression.meter_map.meter(bar_index)  # bars may differ in meter
    if len(spans) == 1 and meter.text == "4/4":
        pattern = _PATTERNS_4[int(rng.integers(len(_PATTERNS_4)))]
        for onset, length in pattern:
            span_number = first + (1 if onset >= 3.5 else 0)
            hits.append((bar_start + onset, length, span_number))
    elif len(spans) == 1 and meter.text in _PATTERNS_OTHER:
        patterns = _PATTERNS_OTHER[meter.text]
        for onset, length in patterns[int(rng.integers(len(patterns)))]:
            hits.append((bar_start + onset, length, first))
    else:
        for k, span in enumerate(spans):
            onset = span.start_beat
            if k > 0 and rng.random() < 0.4:
                onset -= 0.5  # anticipate the chord change by an eighth
            hits.append((onset, min(span.end_beat - onset, 1.5), first + k))
    # N.C.: the band rests through it, neither anticipating it nor the chord after it.
    chords = _all_chords(progression)
    events = []
    for onset, length, span_number in hits:
        if chords[span_number % n_spans].no_chord or progression.chord_at(onset).no_chord:
            continue
        voicing = voicings[span_number % n_spans]
        accent = int(rng.integers(-6, 10))
        for pitch in voicing:
            events.append(
                NoteEvent(
                    float(onset),
                    float(length) * 0.95,
                    pitch,
                    velocity=int(np.clip(COMP_VELOCITY + accent, 30, 110)),
                    channel=COMP_CHANNEL,
                )
            )
    return events


def _approach(target: int, rng: np.random.Generator) -> int:
    """A note that leads into `target`: a half step below or above, or its dominant fifth."""
    choice = rng.random()
    if choice < 0.45:
        note = target - 1
    elif choice < 0.8:
        note = target + 1
    else:
        note = target + 7 if target + 7 <= BASS_HIGH else target - 5
    return int(np.clip(note, BASS_LOW, BASS_HIGH))


def _walk_toward(
    start: int, target: int, steps: int, chord: Chord, rng: np.random.Generator
) -> list[int]:
    """`steps` notes after `start`, moving toward `target` through chord and scale tones."""
    tones = sorted(chord.tones)
    scale = sorted(chord.scale)
    notes = []
    current = start
    for step in range(steps):
        remaining = steps - step + 1
        goal = current + (target - current) / remaining
        pool = tones if rng.random() < 0.65 else scale
        candidates = [
            p
            for p in range(BASS_LOW, BASS_HIGH + 1)
            if p % 12 in pool and p != current and abs(p - current) <= 7
        ]
        if not candidates:
            candidates = [current]
        current = min(candidates, key=lambda p: abs(p - goal) + 0.5 * rng.random())
        notes.append(current)
    return notes


def _bass_bar(
    progression: Progression, bar_index: int, rng: np.random.Generator
) -> list[NoteEvent]:
    spans = progression.bar_spans(bar_index)
    roots = _bass_roots(progression)
    n_spans = len(roots)
    first = _span_index(progression, bar_index)
    # A quarter, or in 6/8 a dotted quarter (this bar's meter: bars may differ).
    pulse = progression.meter_map.meter(bar_index).pulse
    events = []
    for k, span in enumerate(spans):
        if span.chord.no_chord:
            continue
        root = roots[(first + k) % n_spans]
        following = roots[(first + k + 1) % n_spans]
        steps = max(1, round(span.duration / pulse))
        line = [root]
        if steps >= 2:
            line += _walk_toward(root, following, steps - 2, span.chord, rng)
            line.append(_approach(following, rng))
        for i, pitch in enumerate(line):
            accent = 8 if i == 0 else int(rng.integers(-5, 4))
            events.append(
                NoteEvent(
                    float(span.start_beat + i * pulse),
                    0.92 * pulse,
                    int(pitch),
                    velocity=BASS_VELOCITY + accent,
                    channel=BASS_CHANNEL,
                )
            )
    return events


def band_for_bar(
    progression: Progression,
    bar_index: int,
    rng: np.random.Generator,
    comp: bool = True,
    bass: bool = True,
) -> list[NoteEvent]:
    """The band's notes for one bar (absolute beats; the progression wraps round)."""
    events: list[NoteEvent] = []
    if comp:
        events += _comp_bar(progression, bar_index, rng)
    if bass:
        events += _bass_bar(progression, bar_index, rng)
    return sorted(events)


def band_bars(
    progression: Progression, seed: int, comp: bool = True, bass: bool = True
) -> Iterator[list[NoteEvent]]:
    """The band bar by bar over the whole progression, as a take with this seed plays it."""
    rng = np.random.default_rng([seed, 1])  # its own stream, apart from the solo's
    for index in range(len(progression)):
        yield band_for_bar(progression, index, rng, comp=comp, bass=bass)
