"""The band: rootless voice-led comping in a jazz rhythm and a walking bass."""

from __future__ import annotations

import itertools

import numpy as np

from jazzgui.music.accompaniment import (
    BASS_HIGH,
    BASS_LOW,
    COMP_HIGH,
    COMP_LOW,
    band_bars,
    band_for_bar,
)
from jazzgui.music.events import BASS_CHANNEL, COMP_CHANNEL
from jazzgui.music.progression import parse_progression

BLUES = parse_progression(
    "F7 | Bb7 | F7 | Cm7 F7 | Bb7 | Bdim7 | F7 | D7 | Gm7 | C7 | F7 D7 | Gm7 C7"
)
II_V_I = parse_progression("Dm7 | G7 | Cmaj7 | Cmaj7 | Ebm7 Ab7 | Dbmaj7 | Dm7b5 | G7alt")


def band(progression, seed, comp=True, bass=True):
    """The whole band of a take with this seed, bar after bar."""
    return [e for bar in band_bars(progression, seed, comp=comp, bass=bass) for e in bar]


def onsets_by_time(events):
    groups: dict[float, list[int]] = {}
    for e in events:
        groups.setdefault(e.start_beat, []).append(e.pitch)
    return {t: tuple(sorted(p)) for t, p in sorted(groups.items())}


def test_parts_use_their_channels_and_can_be_muted():
    both = band(BLUES, seed=3)
    assert {e.channel for e in both} == {COMP_CHANNEL, BASS_CHANNEL}
    comp_only = band(BLUES, seed=3, bass=False)
    bass_only = band(BLUES, seed=3, comp=False)
    assert {e.channel for e in comp_only} == {COMP_CHANNEL}
    assert {e.channel for e in bass_only} == {BASS_CHANNEL}
    assert band(BLUES, seed=3, comp=False, bass=False) == []


def test_band_is_seeded_and_band_for_bar_builds_it():
    assert band(BLUES, seed=5) == band(BLUES, seed=5)
    assert band(BLUES, seed=5) != band(BLUES, seed=6)
    rng = np.random.default_rng([5, 1])  # as a take with seed 5 seeds its band
    by_bar = [e for i in range(len(BLUES)) for e in band_for_bar(BLUES, i, rng)]
    assert sorted(by_bar) == sorted(band(BLUES, seed=5))


def test_walking_bass_plays_quarters_roots_on_the_changes_and_leads_into_them():
    for seed in range(5):
        line = sorted(band(BLUES, seed=seed, comp=False))
        assert [e.start_beat for e in line] == [float(b) for b in range(len(BLUES) * 4)]
        assert all(BASS_LOW <= e.pitch <= BASS_HIGH for e in line)
        spans = BLUES.spans()
        by_beat = {e.start_beat: e.pitch for e in line}
        for k, span in enumerate(spans):
            assert by_beat[span.start_beat] % 12 == span.chord.root
            if span.start_beat > 0:
                before = by_beat[span.start_beat - 1]
                step = abs(by_beat[span.start_beat] - before)
                assert step in (1, 5, 7), (k, span.chord.name, before)
        leaps = [abs(a.pitch - b.pitch) for a, b in itertools.pairwise(line)]
        assert np.mean(leaps) < 5


def test_comping_is_rootless_in_the_piano_register_and_fits_the_chords():
    events = band(II_V_I, seed=1, bass=False)
    for onset, voicing in onsets_by_time(events).items():
        assert COMP_LOW <= voicing[0] <= 62 and voicing[-1] <= COMP_HIGH
        assert len(voicing) >= 3
        # An anticipation plays the next chord half a beat early.
        chords = {II_V_I.chord_at(onset), II_V_I.chord_at(onset + 0.5)}
        assert any(all(p % 12 in c.tones | c.scale for p in voicing) for c in chords)
        # Rootless for the chord it was voiced for: at an anticipation the next chord's
        # voicing may also lie in the current chord's scale, root included.
        fitting = [
            chord
            for chord in chords
            if chord.quality in ("m7", "7", "maj7")
            and all(p % 12 in chord.tones | chord.scale for p in voicing)
        ]
        if fitting:
            assert any(chord.root not in {p % 12 for p in voicing} for chord in fitting)


def test_comping_is_voice_led():
    voicings = list(onsets_by_time(band(II_V_I, seed=2, bass=False)).values())
    changes = [(a, b) for a, b in itertools.pairwise(voicings) if a != b]
    movement = [
        sum(abs(x - y) for x, y in zip(a, b)) / len(a) for a, b in changes if len(a) == len(b)
    ]
    assert changes and np.mean(movement) <= 3.0


def test_comping_rhythm_varies_from_bar_to_bar():
    events = band(parse_progression("C7 | " * 16), seed=4, bass=False)
    rhythms = {
        tuple(
            sorted(
                {
                    round(e.start_beat - bar * 4, 2)
                    for e in events
                    if bar * 4 <= e.start_beat < bar * 4 + 4
                }
            )
        )
        for bar in range(16)
    }
    assert len(rhythms) >= 4
    offbeats = [e for e in events if (e.start_beat * 2) % 2 == 1]
    assert offbeats, "jazz comping syncopates"
