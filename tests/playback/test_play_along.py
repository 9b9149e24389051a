"""The play-along session on a real Player, a recording port and a clock the test controls.

The answerer here is a fake (quarter notes on every beat of the bars asked for) so the tests
check the session's logic: whose bars are whose, what the answer is primed with, cut-ins,
the recording and the MIDI clock. tests/model/test_trading.py checks the real answerer.
"""

from __future__ import annotations

import math
import threading

import mido
import pytest
from playback_fakes import FakeClock, RecordingPort, unmatched_notes

from jazzgui.music.events import COMP_CHANNEL, SOLO_CHANNEL, YOU_CHANNEL, NoteEvent
from jazzgui.music.progression import parse_progression
from jazzgui.playback.clock import PULSES_PER_QUARTER, MidiClock
from jazzgui.playback.play_along import ANSWER, CALL, YOU, PlayAlong, PlayAlongSettings
from jazzgui.playback.player import Player
from jazzgui.playback.timing import beat_to_seconds, seconds_to_beat

TEMPO = 240.0
BEAT_S = 60.0 / TEMPO


class QuarterNotes:
    """A fake answerer: a quarter note on every beat of the answer bars; records each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[NoteEvent], range, range]] = []
        self.called = threading.Event()

    def __call__(self, phrase, phrase_bars, answer_bars):
        self.calls.append((list(phrase), phrase_bars, answer_bars))
        self.called.set()
        for bar in answer_bars:
            yield [NoteEvent(bar * 4 + beat, 1.0, 70 + beat) for beat in range(4)]


def poll(event: threading.Event, timeout: float) -> bool:
    """The session's wait in these tests: real time passes, fake time is the player's to move
    (one thread moving time keeps the order of events the same on a busy machine)."""
    return event.wait(0.001)


def make_session(
    clock: FakeClock, answerer, with_clock: bool = False, **settings
) -> tuple[PlayAlong, RecordingPort]:
    port = RecordingPort(clock=clock)
    player = Player(port, clock=clock, wait=clock.wait, realtime=False)
    changes = parse_progression("Dm7 | G7 | Cmaj7 | A7").repeated(2)
    midi_clock = MidiClock(player.send, clock=clock, wait=clock.wait, realtime=False)
    options = {"bars": 2, "tempo_bpm": TEMPO, "swing": 0.5, "humanize": 0.0, **settings}
    session = PlayAlong(
        player, changes, answerer, PlayAlongSettings(**options), clock=clock, wait=poll,
        midi_clock=midi_clock if with_clock else None, realtime=False,
    )  # fmt: skip
    return session, port


def wait_for_origin(session: PlayAlong) -> float:
    pause = threading.Event()
    for _ in range(2000):
        if session.beat_zero_time is not None and session._origin is not None:
            return session.beat_zero_time
        pause.wait(0.001)
    raise AssertionError("the session never started")


def play(session: PlayAlong, zero: float, notes: list[tuple[float, float, int]]) -> None:
    """The person's notes (start beat, length, pitch) as messages with their clock times."""
    for start, length, pitch in notes:
        on = mido.Message("note_on", note=pitch, velocity=80)
        session.person_message(on, zero + start * BEAT_S)
        off = mido.Message("note_off", note=pitch)
        session.person_message(off, zero + (start + length) * BEAT_S)


def beats_of(port: RecordingPort, zero: float, channel: int) -> list[float]:
    return [
        round((t - zero) / BEAT_S, 6)
        for t, m in port.notes()
        if m.type == "note_on" and m.channel == channel
    ]


def test_trading_answers_in_the_answer_bars_primed_with_the_phrase():
    clock = FakeClock(real_scale=0.01)
    answerer = QuarterNotes()
    session, port = make_session(clock, answerer)
    bars: list[tuple[int, str]] = []
    session.on_bar = lambda bar, role: bars.append((bar, role))
    notes: list[tuple[NoteEvent, bool]] = []
    session.on_note = lambda note, on: notes.append((note, on))
    session.start()
    zero = wait_for_origin(session)
    phrase = [(b * 0.5, 0.4, 60 + b) for b in range(14)]  # bars 1-2, up to beat 7
    play(session, zero, phrase)
    play(session, zero, [(16 + b * 0.5, 0.4, 62) for b in range(6)])  # bars 5-6
    assert session.wait(20)
    session.player.close()

    first, second = answerer.calls
    assert (first[1], first[2]) == (range(0, 2), range(2, 4))
    assert (second[1], second[2]) == (range(4, 6), range(6, 8))
    # The answer is asked for a beat before its bar line: the phrase holds what came before.
    assert [n.pitch for n in first[0]] == [60 + b for b in range(14)]
    assert {n.channel for n in first[0]} == {YOU_CHANNEL}

    solo = beats_of(port, zero, SOLO_CHANNEL)
    assert solo == [float(b) for b in [*range(8, 16), *range(24, 32)]]
    assert len(beats_of(port, zero, YOU_CHANNEL)) == 20  # passed through
    assert unmatched_notes(port.messages) == []
    assert [role for bar, role in bars if bar in (0, 2, 4, 6)] == [YOU, ANSWER, YOU, ANSWER]
    # The window's piano roll hears the person's key presses and releases as they come.
    assert [on for _, on in notes[:4]] == [True, False, True, False]
    released = notes[1][0]
    assert (released.start_beat, released.pitch, released.channel) == (0.0, 60, YOU_CHANNEL)
    assert released.duration_beats == pytest.approx(0.4)

    take = session.take()
    you, answer = take.part(YOU_CHANNEL), take.part(SOLO_CHANNEL)
    assert len(you) == 20 and all(n.start_beat < 8 or 16 <= n.start_beat < 24 for n in you)
    assert [n.start_beat for n in you[:3]] == pytest.approx([0.0, 0.5, 1.0])
    assert len(answer) == 16 and all(8 <= n.start_beat < 16 or n.start_beat >= 24 for n in answer)
    assert take.part(COMP_CHANNEL) and take.bars == 8


def test_midi_clock_runs_24_to_the_beat_from_start_to_stop(fake_clock):
    port = RecordingPort(clock=fake_clock)
    midi_clock = MidiClock(port.send, clock=fake_clock, wait=fake_clock.wait, realtime=False)
    zero = fake_clock() + 0.5
    midi_clock.start(zero, TEMPO, beats=8)
    midi_clock._thread.join(5)
    timed = [(t, m.type) for t, m in port.sent]
    assert timed[0] == (zero, "start") and timed[-1] == (pytest.approx(zero + 8 * BEAT_S), "stop")
    pulses = [t for t, kind in timed if kind == "clock"]
    assert len(pulses) == 8 * PULSES_PER_QUARTER
    interval = BEAT_S / PULSES_PER_QUARTER
    assert [round((t - zero) / interval, 6) for t in pulses] == list(range(len(pulses)))
    midi_clock.stop()
    assert [m.type for m in port.messages].count("stop") == 1


def test_the_session_starts_and_stops_the_clock_with_the_band():
    clock = FakeClock(real_scale=0.01)
    session, port = make_session(clock, QuarterNotes(), with_clock=True)
    session.start()
    wait_for_origin(session)
    assert session.wait(20)
    session.player.close()
    kinds = [m.type for m in port.messages]
    assert kinds.count("start") == 1 and kinds.count("stop") == 1
    assert kinds.index("start") < kinds.index("clock") < kinds.index("stop")
    # Every pulse of the 8 bars is sent, even those fake time (moved by the player, in its
    # own steps) made late; then Stop.
    assert kinds.count("clock") == 8 * 4 * PULSES_PER_QUARTER


def test_call_and_response_answers_after_a_rest_and_a_cut_in_stops_it_cleanly():
    clock = FakeClock(real_scale=0.02)
    answerer = QuarterNotes()
    session, port = make_session(clock, answerer, mode=CALL, silence_beats=1.0)
    session.start()
    zero = wait_for_origin(session)
    play(session, zero, [(0.0, 1.0, 60), (1.0, 1.0, 62), (2.0, 1.0, 64), (3.0, 0.9, 65)])
    assert answerer.called.wait(10)
    phrase, phrase_bars, answer_bars = answerer.calls[0]
    assert [n.pitch for n in phrase] == [60, 62, 64, 65] and phrase_bars == range(0, 1)
    window = session._answer_window
    # A phrase of 4 beats, a beat of rest: 4 beats of answer from the next beat on.
    assert window is not None and window[0] >= 4.9 and window[1] - window[0] == 4
    assert answer_bars == range(int(window[0] // 4), math.ceil(window[1] / 4))
    # The person cuts in one beat into the answer.
    cut_time = zero + (window[0] + 1.0) * BEAT_S
    pause = threading.Event()
    while clock() < cut_time:
        pause.wait(0.001)
    session.person_message(mido.Message("note_on", note=67, velocity=80), clock())
    cut_beat = (clock() - zero) / BEAT_S
    session.person_message(mido.Message("note_off", note=67), clock() + 0.01)
    clock.advance(0.02)
    session.stop()
    session.player.close()

    solo = beats_of(port, zero, SOLO_CHANNEL)
    assert solo and all(beat <= cut_beat for beat in solo)
    assert unmatched_notes(port.messages) == []
    take = session.take()
    answer = take.part(SOLO_CHANNEL)
    assert answer and all(n.end_beat <= cut_beat + 1e-6 for n in answer)
    assert [n.pitch for n in take.part(YOU_CHANNEL)] == [60, 62, 64, 65, 67]


def test_stop_releases_held_notes_of_the_person_and_the_band():
    clock = FakeClock(real_scale=0.01)
    session, port = make_session(clock, QuarterNotes(), with_clock=True)
    session.start()
    zero = wait_for_origin(session)
    session.person_message(mido.Message("note_on", note=72, velocity=90), zero + 0.1)
    while clock() < zero + 2.5 * BEAT_S:
        threading.Event().wait(0.001)
    session.stop()
    session.player.close()
    assert unmatched_notes(port.messages) == []
    types = [m.type for m in port.messages]
    assert "stop" in types and types.index("stop") > types.index("start")
    # The held note is in the recording, ending where the session stopped.
    (held,) = session.take().part(YOU_CHANNEL)
    assert held.pitch == 72 and held.duration_beats > 2


def test_settings_are_checked_in_words():
    problems = PlayAlongSettings(mode="duet", bars=3, tempo_bpm=5, silence_beats=0).validate()
    assert any("mode must be one of trade, call" in p for p in problems)
    assert any("bars per turn must be 2, 4 or 8" in p for p in problems)
    assert any("tempo" in p for p in problems) and any("silence" in p for p in problems)
    with pytest.raises(ValueError, match="bars per turn"):
        make_session(FakeClock(), QuarterNotes(), bars=3)


def test_cut_ends_one_channel_and_the_band_plays_on(fake_clock):
    port = RecordingPort(clock=fake_clock)
    player = Player(port, clock=fake_clock, wait=poll, realtime=False)  # the test moves time
    solo = [NoteEvent(b, 2.0, 70 + b) for b in range(4)]
    band = [NoteEvent(b, 1.0, 48, channel=COMP_CHANNEL) for b in range(8)]
    player.play(solo + band, tempo_bpm=TEMPO, swing=0.5, humanize=0)
    zero = fake_clock() + 0.05
    fake_clock.advance(0.05 + 1.5 * BEAT_S)  # the first two solo notes sound
    pause = threading.Event()
    while len(beats_of(port, zero, COMP_CHANNEL)) < 2:
        pause.wait(0.001)
    ended = player.cut(SOLO_CHANNEL)
    assert [n.pitch for n in ended] == [70, 71]
    fake_clock.advance(10 * BEAT_S)
    assert player.wait(5)
    player.close()
    solo_ons = [m.note for m in port.messages if m.type == "note_on" and m.channel == SOLO_CHANNEL]
    assert solo_ons == [70, 71]  # the two still to come were dropped
    assert len(beats_of(port, zero, COMP_CHANNEL)) == 8
    assert unmatched_notes(port.messages) == []


def test_a_passed_through_note_is_released_by_stop(fake_clock):
    port = RecordingPort(clock=fake_clock)
    player = Player(port, clock=fake_clock, wait=fake_clock.wait, realtime=False)
    player.sound_now(YOU_CHANNEL, 60, 90)
    player.sound_now(YOU_CHANNEL, 60, 80)  # struck again: the first one ends first
    player.stop()
    player.close()
    sent = [(m.type, m.note) for m in port.messages if m.type in ("note_on", "note_off")]
    assert sent == [("note_on", 60), ("note_off", 60), ("note_on", 60), ("note_off", 60)]
    assert unmatched_notes(port.messages) == []


@pytest.mark.parametrize("swing", [0.5, 0.6, 2 / 3, 0.75])
def test_a_played_time_reads_back_as_the_straight_beat(swing):
    for beat in [0.0, 0.25, 0.5, 0.75, 1.5, 7.3333, 11.999]:
        heard = beat_to_seconds(beat, TEMPO, swing)
        assert seconds_to_beat(heard, TEMPO, swing) == pytest.approx(beat)


def test_count_in_clicks_a_bar_before_the_form_and_a_pickup_in_it_opens_the_take():
    clock = FakeClock(real_scale=0.01)
    answerer = QuarterNotes()
    session, port = make_session(clock, answerer, count_in=True)
    roles: list[tuple[int, str]] = []
    session.on_bar = lambda bar, role: roles.append((bar, role))
    session.start()
    zero = wait_for_origin(session)  # beat 1 of the form, a bar after the clicks
    play(session, zero, [(-1.0, 0.5, 59), (0.0, 1.0, 60)])  # a pickup in the count-in
    assert session.wait(20)
    session.player.close()
    clicks = [m.note for m in port.messages if m.type == "note_on" and m.channel == COMP_CHANNEL]
    assert clicks[:4] == [84, 77, 77, 77]
    assert roles[0] == (-1, "count-in") and roles[1] == (0, YOU)
    assert answerer.calls[0][2] == range(2, 4)
    assert beats_of(port, zero, SOLO_CHANNEL)[0] == 8.0
    # The pickup is kept: the take opens with the count-in bar, the band resting under it.
    take = session.take()
    you = take.part(YOU_CHANNEL)
    assert [(n.start_beat, n.pitch) for n in you] == [(3.0, 59), (4.0, 60)]
    assert take.bars == 9
    assert min(e.start_beat for e in take.events if e.channel != YOU_CHANNEL) >= 4.0
    changes = parse_progression(take.progression_text)
    assert changes.bars[0][0][1].no_chord and changes.bars[1][0][1].name == "Dm7"


def test_without_a_pickup_the_take_starts_on_the_first_bar_of_the_form():
    clock = FakeClock(real_scale=0.01)
    session, _port = make_session(clock, QuarterNotes(), count_in=True)
    session.start()
    zero = wait_for_origin(session)
    play(session, zero, [(0.0, 1.0, 60)])
    assert session.wait(20)
    session.player.close()
    take = session.take()
    assert take.bars == 8 and min(e.start_beat for e in take.events) == 0.0
    assert [n.pitch for n in take.part(YOU_CHANNEL)] == [60]
    assert parse_progression(take.progression_text).bars[0][0][1].name == "Dm7"
