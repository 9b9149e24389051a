"""Streaming bars from a generator: look-ahead, late bars become rests, generator errors."""

from __future__ import annotations

import threading

from playback_fakes import FakeClock, RecordingPort, unmatched_notes

from jazzgui.music.events import NoteEvent
from jazzgui.playback.player import START_DELAY_S, Player

TEMPO = 120.0  # 2 s a bar
BAR_S = 2.0


def bar_events(index: int) -> list[NoteEvent]:
    """Four quarter notes whose pitch tells the bar (bar i plays 40 + i)."""
    return [NoteEvent(index * 4 + beat, 1.0, 40 + index) for beat in range(4)]


def make(clock: FakeClock, **callbacks) -> tuple[Player, RecordingPort]:
    port = RecordingPort(clock=clock)
    return Player(port, clock=clock, wait=clock.wait, **callbacks), port


def test_stream_plays_every_bar_on_time():
    clock = FakeClock(real_scale=0.05)
    player, port = make(clock)
    pulled_at: list[float] = []

    def bars():
        for i in range(6):
            pulled_at.append(clock())
            yield bar_events(i)

    origin = clock() + START_DELAY_S
    player.stream(bars(), tempo_bpm=TEMPO, swing=0.5, humanize=0)
    assert player.wait(10)
    player.close()
    ons = [(t, m.note) for t, m in port.notes() if m.type == "note_on"]
    assert [n for _, n in ons] == [40 + i for i in range(6) for _ in range(4)]
    assert [round(t - origin, 6) for t, _ in ons] == [0.5 * k for k in range(24)]
    # Bars are pulled ahead of time, never at the moment they must sound.
    for i, moment in enumerate(pulled_at):
        assert moment <= origin + i * BAR_S - BAR_S + 1e-9 or i < 2
    assert unmatched_notes(port.messages) == []


def test_a_late_bar_is_a_rest_and_later_bars_keep_time():
    clock = FakeClock(real_scale=0.05)
    positions: list[float] = []
    player, port = make(clock, on_position=positions.append)
    origin = clock() + START_DELAY_S
    idle = threading.Event()

    def bars():
        for i in range(8):
            if i == 3:
                # The generator stalls until a beat into bar 3: bar 3 comes too late.
                while clock() < origin + 3 * BAR_S + 0.5:
                    idle.wait(0.001)
            yield bar_events(i)

    player.stream(bars(), tempo_bpm=TEMPO, swing=0.5, humanize=0)
    assert player.wait(10)
    late = player.late_bars
    player.close()
    ons = [(t, m.note) for t, m in port.notes() if m.type == "note_on"]
    played_bars = sorted({n - 40 for _, n in ons})
    assert 3 not in played_bars and {0, 1, 2, 4, 5, 6, 7} <= set(played_bars)
    assert late >= 1
    # No bunching: every note that plays, plays at its own time.
    for t, note in ons:
        bar = note - 40
        assert min(abs(t - (origin + bar * BAR_S + 0.5 * k)) for k in range(4)) < 1e-6
    # The position kept moving through the rest.
    assert any(12.0 <= p < 16.0 for p in positions)
    assert unmatched_notes(port.messages) == []


def test_generator_error_silences_and_reports():
    clock = FakeClock(real_scale=0.05)
    errors: list[BaseException] = []
    player, port = make(clock, on_error=errors.append)

    def bars():
        yield [NoteEvent(0, 12, 50)]  # a long note still sounds when the generator fails
        yield bar_events(1)
        while clock() < 1000 + START_DELAY_S + 3.0:
            threading.Event().wait(0.001)
        raise RuntimeError("model exploded")

    player.stream(bars(), tempo_bpm=TEMPO, swing=0.5, humanize=0)
    assert player.wait(10)
    player.close()
    assert len(errors) == 1 and "model exploded" in str(errors[0])
    assert unmatched_notes(port.messages) == []
    offs = [m.note for _, m in port.notes() if m.type == "note_off"]
    assert 50 in offs


def test_append_bar_extends_a_playing_take_and_rejects_a_late_one(fake_clock):
    port = RecordingPort(clock=fake_clock)
    appended: list[bool] = []

    def append_during_first_bar(event: threading.Event, timeout: float) -> bool:
        if not appended and fake_clock() > 1000.5:
            appended.append(player.append_bar(bar_events(1), bar_index=1))
            appended.append(player.append_bar(bar_events(0), bar_index=0))
        return fake_clock.wait(event, timeout)

    player = Player(port, clock=fake_clock, wait=append_during_first_bar)
    player.play([bar_events(0)], tempo_bpm=TEMPO, swing=0.5, humanize=0)
    assert player.wait(5)
    player.close()
    assert appended == [True, False]
    notes = [m.note for _, m in port.notes() if m.type == "note_on"]
    assert notes == [40] * 4 + [41] * 4
