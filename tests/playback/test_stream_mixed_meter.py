"""Streaming bars of differing meters: each bar is placed and pulled ahead by its cumulative
start (the MeterMap), not by index * beats_per_bar."""

from __future__ import annotations

from playback_fakes import FakeClock, RecordingPort, unmatched_notes

from jazzgui.music.events import NoteEvent
from jazzgui.music.meter import MeterMap, parse_meter
from jazzgui.playback.player import LOOKAHEAD_BARS, START_DELAY_S, Player

TEMPO = 120.0  # half a second a beat
BARS = MeterMap([parse_meter(m) for m in ("4/4", "3/4", "2/4", "2/4", "2/4", "5/4")])


def _bar(index: int) -> list[NoteEvent]:
    """A note on every beat of bar `index`, whose pitch tells the bar (40 + index)."""
    start = BARS.start(index)
    return [NoteEvent(start + beat, 1.0, 40 + index) for beat in range(BARS.beats(index))]


def test_bars_of_differing_meters_play_at_their_cumulative_starts():
    clock = FakeClock(real_scale=0.05)
    port = RecordingPort(clock=clock)
    player = Player(port, clock=clock, wait=clock.wait)
    pulled_at: list[float] = []

    def bars():
        for index in range(len(BARS)):
            pulled_at.append(clock())
            yield _bar(index)

    origin = clock() + START_DELAY_S
    player.stream(bars(), tempo_bpm=TEMPO, swing=0.5, humanize=0, beats_per_bar=BARS)
    assert player.wait(10)
    player.close()
    ons = [(t, m.note) for t, m in port.notes() if m.type == "note_on"]
    expected = [(e.start_beat, e.pitch) for i in range(len(BARS)) for e in _bar(i)]
    assert [(round((t - origin) / 0.5, 6), n) for t, n in ons] == expected
    # A bar is pulled once the position has reached the bar LOOKAHEAD_BARS before it, and a
    # bar ahead of time at the latest: by the bars' own starts (the 2/4 bars are short).
    for index, moment in enumerate(pulled_at[LOOKAHEAD_BARS:], start=LOOKAHEAD_BARS):
        assert origin + BARS.start(index - LOOKAHEAD_BARS) * 0.5 - 1e-6 <= moment
        assert moment <= origin + BARS.start(index - 1) * 0.5 + 1e-6
    assert unmatched_notes(port.messages) == []
