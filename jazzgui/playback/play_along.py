"""Playing along: the band plays the changes, a person plays, JazzGUI answers, all recorded.

Two ways to play. Trading: the person plays N bars, JazzGUI the next N, and so on; each
answer is asked for `lead_beats` before its first bar line, so it is scheduled before its
downbeat. Call-and-response: when the person has stopped for `silence_beats`, JazzGUI answers
with a phrase of about the same length from the next beat; a note from the person cuts the
answer short with no note left hanging.

No Qt and no model here: the answer comes from a plain callable (`Answerer`), the window and
the command line get plain callbacks (on_bar, on_state, on_error) and the result is a Take
with the person on "You", the answers on "Solo" and the band.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

import mido
from numpy.random import default_rng

from jazzgui.music import defaults
from jazzgui.music.accompaniment import band_for_bar
from jazzgui.music.events import (
    COMP_CHANNEL,
    SOLO_CHANNEL,
    YOU_CHANNEL,
    YOU_PROGRAM,
    NoteEvent,
    Provenance,
    Take,
)
from jazzgui.music.progression import Progression
from jazzgui.playback.clock import MidiClock
from jazzgui.playback.player import (
    DEFAULT_PROGRAMS,
    Player,
    Waiter,
    raise_thread_priority,
)
from jazzgui.playback.timing import beat_to_seconds, check_swing, seconds_to_beat

log = logging.getLogger(__name__)

TRADE, CALL = "trade", "call"
MODES = (TRADE, CALL)
TRADE_BARS = (2, 4, 8)
# Roles a bar can have, as on_bar and on_state report them.
COUNT_IN, YOU, ANSWER, DONE = "count-in", "you", "answer", "done"
COUNT_IN_PITCHES = (84, 77)  # the count-in's click on beat 1, and on the other beats
# Call-and-response: the answer starts on the first beat at least this far ahead.
ANSWER_MARGIN_S = 0.05

# (the person's phrase in beats of the changes, the bars it covers, the bars to answer in)
# -> the answer's notes bar by bar (absolute beats of the changes), each bar as it is ready.
Answerer = Callable[[Sequence[NoteEvent], range, range], Iterable[Sequence[NoteEvent]]]


@dataclass(frozen=True)
class PlayAlongSettings:
    """How to play along; validate() lists what is wrong in words."""

    mode: str = TRADE
    bars: int = 4  # bars per turn when trading
    tempo_bpm: float = 160.0
    swing: float = defaults.SWING
    count_in: bool = False
    pass_through: bool = True  # the person hears their own notes on YOU_CHANNEL
    lead_beats: float = 1.0  # trading: the answer is asked for this long before its bar line
    silence_beats: float = 1.0  # call-and-response: the pause that makes JazzGUI answer
    humanize: float = 1.0
    band_seed: int = 0
    comp: bool = True
    bass: bool = True

    def validate(self) -> list[str]:
        problems = []
        if self.mode not in MODES:
            problems.append(f"mode must be one of {', '.join(MODES)} (got {self.mode!r})")
        if self.bars not in TRADE_BARS:
            problems.append(f"bars per turn must be 2, 4 or 8 (got {self.bars})")
        if not 20 <= self.tempo_bpm <= 400:
            problems.append(f"tempo must be 20 to 400 BPM (got {self.tempo_bpm:g})")
        try:
            check_swing(self.swing)
        except ValueError as error:
            problems.append(str(error))
        if not 0 < self.lead_beats <= 2:
            problems.append(f"lead must be above 0 and at most 2 beats (got {self.lead_beats:g})")
        if not 0.25 <= self.silence_beats <= 8:
            problems.append(f"silence must be 0.25 to 8 beats (got {self.silence_beats:g})")
        return problems


def _clip(events: Iterable[NoteEvent], start: float, end: float) -> list[NoteEvent]:
    """The notes starting in [start, end), cut at `end`."""
    return [
        replace(e, duration_beats=min(e.end_beat, end) - e.start_beat)
        for e in events
        if start <= e.start_beat < end
    ]


def _with_pickup_bar(changes: Progression) -> Progression:
    """The changes after a bar of N.C. (the band rests; the first chord's scale holds)."""
    first = next(chord for bar in changes.bars for _, chord in bar if not chord.no_chord)
    return replace(changes, bars=(((0.0, first.held_as_no_chord()),), *changes.bars), text="")


class PlayAlong:
    """One play-along session on a Player: start(), feed the person's messages to
    person_message(), wait() or stop(), then take()."""

    def __init__(
        self,
        player: Player,
        changes: Progression,
        answer: Answerer,
        settings: PlayAlongSettings | None = None,
        clock: Callable[[], float] = time.monotonic,
        wait: Waiter | None = None,
        midi_clock: MidiClock | None = None,
        provenance: Provenance | None = None,
        realtime: bool = True,
    ) -> None:
        self._realtime = realtime
        self.settings = settings or PlayAlongSettings()
        problems = self.settings.validate()
        if problems:
            raise ValueError("Cannot play along: " + "; ".join(problems))
        if not len(changes):
            raise ValueError("Cannot play along over no changes: give at least one bar")
        changes.require_one_meter("playing along (trading or call-and-response)")
        self.player, self.changes, self._answerer = player, changes, answer
        self._clock = clock
        self._wait = wait or (lambda event, timeout: event.wait(timeout))
        self.midi_clock = midi_clock
        self.provenance = provenance or Provenance()
        # The person's notes as they are played: (note at its beat, True) on a key press,
        # (the whole note, False) on its release; for a piano roll.
        self.on_note: Callable[[NoteEvent, bool], None] | None = None
        self.on_bar: Callable[[int, str], None] | None = None
        self.on_state: Callable[[str], None] | None = None
        self.on_error: Callable[[BaseException], None] | None = None
        self.answer_latencies: list[float] = []  # seconds from asking to the first bar ready
        self._bpb = changes.beats_per_bar
        self._offset = float(self._bpb if self.settings.count_in else 0)
        self._end = float(len(changes) * self._bpb)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._done = threading.Event()
        self._origin: float | None = None
        self._band: list[NoteEvent] = []
        self._solo: list[NoteEvent] = []
        self._you: list[NoteEvent] = []
        self._held: dict[int, tuple[float, int]] = {}  # pitch -> (beat, velocity)
        self._last_off = 0.0
        self._answer_window: tuple[float, float] | None = None
        self._cut_at: float | None = None
        self._stopped_beat: float | None = None
        self._bar = -2
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- control

    def start(self) -> None:
        """The band starts (after the count-in if asked) and the session thread runs."""
        previous_position, previous_finished = self.player.on_position, self.player.on_finished

        def on_position(beat: float) -> None:
            self._on_position(beat)
            if previous_position is not None:
                previous_position(beat)

        def on_finished() -> None:
            self._on_finished()
            if previous_finished is not None:
                previous_finished()

        self.player.on_position, self.player.on_finished = on_position, on_finished
        programs = {**DEFAULT_PROGRAMS, YOU_CHANNEL: YOU_PROGRAM}
        self.player.stream(
            self._band_bars(), tempo_bpm=self.settings.tempo_bpm, swing=self.settings.swing,
            humanize=self.settings.humanize, seed=self.settings.band_seed, programs=programs,
            beats_per_bar=self._bpb,
        )  # fmt: skip
        self._thread = threading.Thread(target=self._run, name="jazzgui-play-along", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop everything now: answers, band, clock; every note is released."""
        if self._stopped_beat is None and self._origin is not None:
            self._stopped_beat = self._beat_at(self._clock())
        self._stopping.set()
        self._wake.set()
        self.player.stop()
        self._finish()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the last chorus has played or stop() (True), or the timeout (False)."""
        return self._done.wait(timeout)

    @property
    def beat_zero_time(self) -> float | None:
        """The clock time of beat 1 of the changes (after the count-in)."""
        if self._origin is None:
            return None
        return self._origin + beat_to_seconds(self._offset, self.settings.tempo_bpm)

    def person_message(self, message: mido.Message, when: float) -> None:
        """A note message from the person's input, with its clock time: heard, recorded, and
        in call-and-response a note-on cuts a playing answer short."""
        if message.type not in ("note_on", "note_off"):
            return
        velocity = message.velocity if message.type == "note_on" else 0
        if self.settings.pass_through and not self._done.is_set():
            self.player.sound_now(YOU_CHANNEL, message.note, velocity)
        if self._origin is None:
            return
        beat = self._beat_at(when)
        cut = False
        with self._lock:
            ended = self._close_note(message.note, beat, when)
            if velocity:
                self._held[message.note] = (beat, velocity)
                window = self._answer_window
                if self.settings.mode == CALL and window and self._cut_at is None:
                    cut = window[0] <= beat < window[1]
                    if cut:
                        self._cut_at = beat
                        self._solo = _clip(self._solo, 0.0, beat)
        if ended is not None:
            self._call(self.on_note, ended, False)
        if velocity:
            pressed = NoteEvent(beat, 0.0, message.note, velocity, YOU_CHANNEL)
            self._call(self.on_note, pressed, True)
        if cut:
            self.player.cut(SOLO_CHANNEL)
            self._call(self.on_state, YOU)
        self._wake.set()

    def take(self) -> Take:
        """The session so far as a take: "You", "Solo" and the band over the changes. Notes the
        person played in the count-in are kept as a pickup: the take then opens with that bar,
        the band resting (N.C.) under it."""
        with self._lock:
            end = self._end if self._stopped_beat is None else min(self._end, self._stopped_beat)
            held = [
                NoteEvent(start, max(end - start, 0.0), pitch, velocity, YOU_CHANNEL)
                for pitch, (start, velocity) in self._held.items()
            ]
            you = self._you + held
            pickup = self._offset if any(e.start_beat < 0 for e in you) else 0.0
            events = _clip(self._band + you + self._solo, -pickup, end)
        if pickup:
            events = [replace(e, start_beat=e.start_beat + pickup) for e in events]
        changes = _with_pickup_bar(self.changes) if pickup else self.changes
        extra = dict(self.provenance.extra)
        extra.update(play_along=self.settings.mode, trade_bars=str(self.settings.bars))
        return Take(
            events=sorted(e for e in events if e.duration_beats > 0),
            progression_text=changes.to_text(),
            tempo_bpm=self.settings.tempo_bpm,
            beats_per_bar=self._bpb,
            bars=len(changes),
            swing=self.settings.swing,
            provenance=replace(self.provenance, extra=extra),
        )

    def role_of_bar(self, bar: int) -> str:
        """Whose bar it is when trading: the person's turns first, then JazzGUI's."""
        if bar < 0:
            return COUNT_IN
        if bar * self._bpb >= self._end:
            return DONE
        if self.settings.mode == CALL:
            window = self._answer_window
            inside = window and window[0] <= bar * self._bpb < window[1] and self._cut_at is None
            return ANSWER if inside else YOU
        return YOU if (bar // self.settings.bars) % 2 == 0 else ANSWER

    # ----------------------------------------------------------------- the band and time

    def _band_bars(self) -> Iterator[list[NoteEvent]]:
        # Seeded as a generated take's band is, so the same seed gives the same band.
        rng = default_rng([self.settings.band_seed, 1])
        if self.settings.count_in:
            yield [
                NoteEvent(float(b), 0.1, COUNT_IN_PITCHES[b > 0], 100, COMP_CHANNEL)
                for b in range(self._bpb)
            ]
        for index in range(len(self.changes)):
            events = band_for_bar(
                self.changes, index, rng, comp=self.settings.comp, bass=self.settings.bass
            )
            with self._lock:
                self._band.extend(events)
            yield [replace(e, start_beat=e.start_beat + self._offset) for e in events]

    def _beat_at(self, when: float) -> float:
        """The beat of the changes (straight) heard at clock time `when`."""
        assert self._origin is not None
        seconds = when - self._origin
        return seconds_to_beat(seconds, self.settings.tempo_bpm, self.settings.swing) - self._offset

    def _time_of(self, beat: float) -> float:
        assert self._origin is not None
        return self._origin + beat_to_seconds(
            beat + self._offset, self.settings.tempo_bpm, self.settings.swing
        )

    def _on_position(self, timeline_beat: float) -> None:
        bar = math.floor((timeline_beat - self._offset) / self._bpb + 1e-9)
        if bar == self._bar:
            return
        previous = self.role_of_bar(self._bar) if self._bar > -2 else None
        self._bar = bar
        role = self.role_of_bar(bar)
        if role == DONE:
            return
        self._call(self.on_bar, bar, role)
        if role != previous:
            self._call(self.on_state, role)

    def _on_finished(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self.midi_clock is not None:
            self.midi_clock.finish(timeout=beat_to_seconds(1.0, self.settings.tempo_bpm))
        self._finish()

    def _finish(self) -> None:
        if self.midi_clock is not None:
            self.midi_clock.stop()
        if not self._done.is_set():
            self._done.set()
            self._call(self.on_state, DONE)

    # ----------------------------------------------------------------- the session thread

    def _run(self) -> None:
        if self._realtime:
            # An answer must be ready within a beat while the machine may be busy training.
            raise_thread_priority()
        try:
            while self.player.beat_zero_time is None:
                if self._stopping.wait(0.002):
                    return
            self._origin = self.player.beat_zero_time
            if self.midi_clock is not None:
                self.midi_clock.start(
                    self._origin, self.settings.tempo_bpm, beats=self._end + self._offset
                )
            if self.settings.mode == TRADE:
                self._trade()
            else:
                self._call_and_response()
        except Exception as error:  # a failing answer must not leave the band playing alone
            log.exception("Playing along failed")
            self.stop()
            self._call(self.on_error, error)

    def _sleep_until(self, moment: float) -> bool:
        """Wait until clock time `moment`; True if the session stopped meanwhile."""
        while not self._stopping.is_set():
            delay = moment - self._clock()
            if delay <= 0:
                return False
            self._wait(self._stopping, delay)
        return True

    def _trade(self) -> None:
        turn = self.settings.bars
        total = len(self.changes)
        for first in range(turn, total, 2 * turn):
            asked = first * self._bpb - self.settings.lead_beats
            if self._sleep_until(self._time_of(asked)):
                return
            phrase_bars = range(first - turn, first)
            phrase = self._phrase(phrase_bars[0] * self._bpb, asked)
            answer_bars = range(first, min(first + turn, total))
            self._answer(phrase, phrase_bars, answer_bars, first * self._bpb)

    def _call_and_response(self) -> None:
        since = 0.0  # the person's phrase counts the notes from this beat on
        silence_s = beat_to_seconds(self.settings.silence_beats, self.settings.tempo_bpm)
        margin = ANSWER_MARGIN_S * self.settings.tempo_bpm / 60.0
        while not self._stopping.is_set():
            with self._lock:
                played = [e for e in self._you if e.start_beat >= since]
                waiting = not played or bool(self._held)
                due = self._last_off + silence_s
            now = self._clock()
            if waiting or now < due:
                self._wake.clear()
                self._wait(self._wake, 0.5 if waiting else due - now)
                continue
            start = float(math.ceil(self._beat_at(now) + margin))
            first = min(e.start_beat for e in played)
            last = max(e.end_beat for e in played)
            end = min(start + max(1.0, round(last - first)), self._end)
            if start >= self._end:
                return
            phrase_bars = range(math.floor(first / self._bpb), math.ceil(last / self._bpb))
            answer_bars = range(math.floor(start / self._bpb), math.ceil(end / self._bpb))
            self._answer(played, phrase_bars, answer_bars, start, end)
            since = start

    def _phrase(self, start: float, until: float) -> list[NoteEvent]:
        """The person's notes from `start` until `until` (held notes end there)."""
        with self._lock:
            held = [
                NoteEvent(begun, until - begun, pitch, velocity, YOU_CHANNEL)
                for pitch, (begun, velocity) in self._held.items()
            ]
            return _clip(self._you + held, start, until)

    def _answer(
        self,
        phrase: Sequence[NoteEvent],
        phrase_bars: range,
        answer_bars: range,
        start: float,
        end: float | None = None,
    ) -> None:
        end = float(answer_bars.stop * self._bpb) if end is None else end
        with self._lock:
            self._answer_window, self._cut_at = (start, end), None
        asked = self._clock()
        bars = iter(self._answerer(phrase, phrase_bars, answer_bars))
        try:
            for number, events in enumerate(bars):
                if number == 0:
                    self.answer_latencies.append(self._clock() - asked)
                if self._stopping.is_set() or self._cut_at is not None:
                    return
                self._schedule(_clip(events, start, end))
        finally:
            close = getattr(bars, "close", None)
            if close is not None:
                close()

    def _schedule(self, events: list[NoteEvent]) -> None:
        if not events:
            return
        try:
            on_time = self.player.append_bar(
                [replace(e, start_beat=e.start_beat + self._offset) for e in events]
            )
        except RuntimeError:  # the player stopped meanwhile
            return
        if not on_time:
            log.warning("An answer bar came too late and was left out")
            return
        with self._lock:
            cut = self._cut_at
            if cut is None:
                self._solo.extend(events)
        if cut is not None:  # the person cut in while this bar was being scheduled
            self.player.cut(SOLO_CHANNEL)

    def _close_note(self, pitch: int, beat: float, when: float) -> NoteEvent | None:
        """End the person's note of `pitch` if it sounds: recorded, and returned."""
        held = self._held.pop(pitch, None)
        if held is None:
            return None
        start, velocity = held
        note = NoteEvent(start, max(beat - start, 0.01), pitch, velocity, YOU_CHANNEL)
        self._you.append(note)
        self._last_off = when
        return note

    @staticmethod
    def _call(callback: Callable[..., object] | None, *args: object) -> None:
        if callback is None:
            return
        try:
            callback(*args)
        except Exception:  # a broken callback must not stop the session
            log.exception("A play-along callback raised")
