"""The player against a recording port and a clock the test controls."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest
from playback_fakes import FakeClock, RecordingPort, unmatched_notes

from jazzgui.errors import PortError
from jazzgui.music.events import BASS_CHANNEL, COMP_CHANNEL, SOLO_CHANNEL, NoteEvent, Take
from jazzgui.playback.player import START_DELAY_S, Player
from jazzgui.playback.tracker import ALL_NOTES_OFF, ALL_SOUND_OFF


def make_player(clock: FakeClock, port: RecordingPort | None = None, **callbacks) -> Player:
    return Player(port or RecordingPort(clock=clock), clock=clock, wait=clock.wait, **callbacks)


def note_times(port: RecordingPort, kind: str) -> list[tuple[float, int, int]]:
    return [(t, m.channel, m.note) for t, m in port.notes() if m.type == kind]


def test_notes_are_sent_at_their_beat_times(fake_clock):
    port = RecordingPort(clock=fake_clock)
    player = make_player(fake_clock, port)
    origin = fake_clock() + START_DELAY_S
    events = [NoteEvent(0, 1, 60), NoteEvent(1, 0.5, 62), NoteEvent(2.5, 1.5, 64)]
    player.play(events, tempo_bpm=120, swing=0.5, humanize=0)
    assert player.wait(5)
    ons = note_times(port, "note_on")
    offs = note_times(port, "note_off")
    assert [round(t - origin, 9) for t, _, _ in ons] == [0.0, 0.5, 1.25]
    assert [round(t - origin, 9) for t, _, _ in offs] == [0.5, 0.75, 2.0]
    player.close()


def test_swing_delays_offbeat_eighths_only(fake_clock):
    port = RecordingPort(clock=fake_clock)
    player = make_player(fake_clock, port)
    origin = fake_clock() + START_DELAY_S
    events = [NoteEvent(0, 0.5, 60), NoteEvent(0.5, 0.5, 62), NoteEvent(1, 0.5, 64)]
    player.play(events, tempo_bpm=60, swing=0.6, humanize=0)
    assert player.wait(5)
    ons = [round(t - origin, 9) for t, _, _ in note_times(port, "note_on")]
    assert ons == [0.0, 0.6, 1.0]
    player.close()


def test_take_sends_programs_then_notes_and_ends_with_all_off(fake_clock):
    port = RecordingPort(clock=fake_clock)
    finished = threading.Event()
    player = make_player(fake_clock, port, on_finished=finished.set)
    take = Take(
        events=[
            NoteEvent(0, 1, 70, channel=SOLO_CHANNEL),
            NoteEvent(0, 4, 55, channel=COMP_CHANNEL),
            NoteEvent(0, 1, 36, channel=BASS_CHANNEL),
        ],
        progression_text="C7 |",
        tempo_bpm=200,
        solo_program=66,
    )
    player.play(take, humanize=0)
    assert player.wait(5)
    assert finished.wait(5)
    messages = port.messages
    programs = {m.channel: m.program for m in messages if m.type == "program_change"}
    assert programs == {SOLO_CHANNEL: 66, COMP_CHANNEL: 0, BASS_CHANNEL: 32}
    assert unmatched_notes(messages) == []
    tail = [(m.channel, m.control) for m in messages if m.type == "control_change"]
    for channel in (SOLO_CHANNEL, COMP_CHANNEL, BASS_CHANNEL):
        assert (channel, ALL_NOTES_OFF) in tail and (channel, ALL_SOUND_OFF) in tail
    player.close()


def test_note_off_comes_before_note_on_at_the_same_instant(fake_clock):
    port = RecordingPort(clock=fake_clock)
    player = make_player(fake_clock, port)
    player.play([NoteEvent(0, 1, 60), NoteEvent(1, 1, 60)], tempo_bpm=120, humanize=0)
    assert player.wait(5)
    kinds = [m.type for _, m in port.notes()]
    assert kinds == ["note_on", "note_off", "note_on", "note_off"]
    player.close()


def test_restruck_pitch_is_ended_first_and_old_note_off_does_not_cut_it(fake_clock):
    port = RecordingPort(clock=fake_clock)
    player = make_player(fake_clock, port)
    origin = fake_clock() + START_DELAY_S
    # The second note starts while the first still sounds; the first ends inside the second.
    player.play([NoteEvent(0, 2, 60), NoteEvent(1, 3, 60)], tempo_bpm=60, humanize=0)
    assert player.wait(5)
    sent = [(round(t - origin, 9), m.type) for t, m in port.notes()]
    assert sent == [(0.0, "note_on"), (1.0, "note_off"), (1.0, "note_on"), (4.0, "note_off")]
    player.close()


def test_humanising_is_seeded_small_and_keeps_velocity_in_range(fake_clock):
    events = [NoteEvent(i * 0.5, 0.5, 60 + i % 12, velocity=120) for i in range(64)]

    def run(seed: int) -> tuple[list[float], list[int]]:
        clock = FakeClock()
        port = RecordingPort(clock=clock)
        player = make_player(clock, port)
        origin = clock() + START_DELAY_S
        player.play(events, tempo_bpm=120, humanize=1.0, seed=seed)
        assert player.wait(5)
        player.close()
        ons = [(t, m) for t, m in port.notes() if m.type == "note_on"]
        offsets = [t - origin - i * 0.25 for i, (t, _) in enumerate(ons)]
        return offsets, [m.velocity for _, m in ons]

    offsets, velocities = run(7)
    assert run(7) == (offsets, velocities)
    assert run(8) != (offsets, velocities)
    assert max(abs(o) for o in offsets) <= 0.011
    assert np.std(offsets) > 0.001
    assert all(1 <= v <= 127 for v in velocities) and len(set(velocities)) > 3


def test_callbacks_report_notes_and_position(fake_clock):
    seen: list[tuple[int, bool]] = []
    positions: list[float] = []
    player = make_player(
        fake_clock,
        on_note=lambda ev, on: seen.append((ev.pitch, on)),
        on_position=positions.append,
    )
    player.play([NoteEvent(0, 1, 60), NoteEvent(1, 1, 64)], tempo_bpm=120, humanize=0)
    assert player.wait(5)
    player.close()
    assert seen == [(60, True), (60, False), (64, True), (64, False)]
    assert positions[0] == 0.0 and positions[-1] == 2.0
    assert positions == sorted(positions)


def test_set_port_silences_the_old_port_and_continues_on_the_new(fake_clock):
    old = RecordingPort(clock=fake_clock)
    new = RecordingPort(clock=fake_clock)

    def switch_when_late(event: threading.Event, timeout: float) -> bool:
        if fake_clock() > 1001.0 and player.port is old:
            player.set_port(new)
        return fake_clock.wait(event, timeout)

    player = Player(old, clock=fake_clock, wait=switch_when_late)
    events = [NoteEvent(b, 1.5, 60 + b, channel=b % 2) for b in range(8)]
    player.play(events, tempo_bpm=120, humanize=0)
    assert player.wait(5)
    player.close()
    assert unmatched_notes(old.messages) == []
    assert unmatched_notes(new.messages) == []
    assert any(m.type == "program_change" for m in new.messages)
    assert any(m.type == "note_on" for m in new.messages)
    controls = {(m.channel, m.control) for m in old.messages if m.type == "control_change"}
    assert {(0, ALL_NOTES_OFF), (0, ALL_SOUND_OFF), (1, ALL_NOTES_OFF)} <= controls


def test_a_failing_port_becomes_a_port_error_and_the_player_stops(fake_clock):
    errors: list[BaseException] = []
    port = RecordingPort(clock=fake_clock, fail_after=6)
    player = make_player(fake_clock, port, on_error=errors.append)
    player.play([NoteEvent(i, 1, 60 + i) for i in range(8)], tempo_bpm=120, humanize=0)
    assert player.wait(5)
    player.close()
    assert len(errors) == 1 and isinstance(errors[0], PortError)
    assert "recording" in str(errors[0])
    assert not player.is_playing


def test_stop_and_panic_send_note_offs_then_all_off(fake_clock):
    port = RecordingPort(clock=fake_clock)
    player = make_player(fake_clock, port)
    # An endless stream keeps the player busy until the test stops it.
    held = ([NoteEvent(4 * i, 8, 60, channel=COMP_CHANNEL)] for i in itertools.count())
    player.stream(held, tempo_bpm=120, swing=0.5, humanize=0)
    deadline = threading.Event()
    while not any(m.type == "note_on" for m in port.messages):
        deadline.wait(0.001)
    player.panic()
    player.close()
    messages = port.messages
    assert unmatched_notes(messages) == []
    last_off = max(i for i, m in enumerate(messages) if m.type == "note_off")
    controls = [m for m in messages[last_off + 1 :] if m.type == "control_change"]
    assert {(m.channel, m.control) for m in controls} >= {
        (ch, cc) for ch in range(16) for cc in (ALL_NOTES_OFF, ALL_SOUND_OFF)
    }


def _busy_take(rng: np.random.Generator) -> list[NoteEvent]:
    """Overlapping notes on three channels with re-struck pitches (a hard case)."""
    events = []
    for channel in (SOLO_CHANNEL, COMP_CHANNEL, BASS_CHANNEL):
        starts = np.sort(rng.uniform(0, 16, 24))
        for start in starts:
            events.append(
                NoteEvent(
                    float(start),
                    float(rng.uniform(0.1, 3.0)),
                    int(rng.integers(58, 64)),
                    channel=channel,
                )
            )
    return events


def _offs_sent_by_stop(sent) -> int:
    """Note-offs sent at the instant of the first All Notes Off (the ones stop sent)."""
    stop_time = next(
        t for t, m in sent if m.type == "control_change" and m.control == ALL_NOTES_OFF
    )
    return sum(1 for t, m in sent if m.type == "note_off" and t == stop_time)


def test_stop_at_a_thousand_random_moments_leaves_no_note_hanging():
    rng = np.random.default_rng(1)
    clock = FakeClock()
    stop_at = [0.0]

    def wait_and_maybe_stop(event: threading.Event, timeout: float) -> bool:
        if clock() + timeout >= stop_at[0] and player.is_playing:
            clock.advance(max(0.0, stop_at[0] - clock()))
            player.stop()
            return True
        return clock.wait(event, timeout)

    port = RecordingPort(clock=clock)
    player = Player(port, clock=clock, wait=wait_and_maybe_stop)
    stopped_with_sound = 0
    for _ in range(1000):
        before = len(port.sent)
        stop_at[0] = clock() + START_DELAY_S + float(rng.uniform(0.0, 5.0))
        player.play(
            _busy_take(rng), tempo_bpm=200, swing=0.6, humanize=1.0, seed=int(rng.integers(1 << 30))
        )
        assert player.wait(5)
        run = port.messages[before:]
        assert unmatched_notes(run) == []
        stopped_with_sound += _offs_sent_by_stop(port.sent[before:]) > 0
    player.close()
    assert unmatched_notes(port.messages) == []
    # Most stops must have hit sounding notes, or the test would prove nothing.
    assert stopped_with_sound > 700


def test_stop_from_another_thread_while_playing_in_real_time():
    rng = np.random.default_rng(2)
    port = RecordingPort()
    player = Player(port)
    pause = threading.Event()
    for _ in range(40):
        player.play(_busy_take(rng), tempo_bpm=1500, swing=0.6, seed=int(rng.integers(100)))
        pause.wait(float(rng.uniform(0.0, 0.08)))
        player.stop()
        assert not player.is_playing
    player.close()
    assert unmatched_notes(port.messages) == []
    assert sum(1 for m in port.messages if m.type == "note_on") > 0


def test_play_on_a_dead_port_raises_port_error_and_does_not_play(fake_clock):
    player = make_player(fake_clock, RecordingPort(clock=fake_clock, fail_after=0))
    with pytest.raises(PortError, match="cannot be used"):
        player.play([NoteEvent(0, 1, 60)], tempo_bpm=120)
    assert not player.is_playing
    with pytest.raises(ValueError, match="swing"):
        player.play([NoteEvent(0, 1, 60)], tempo_bpm=120, swing=0.9)
    player.close()
