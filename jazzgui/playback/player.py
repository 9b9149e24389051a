"""The timed MIDI player: a plain thread (no Qt) that sends every note at its time.

Times come from a monotonic clock; the thread waits on a threading.Event with a timeout, so
stop, panic, a port change or close wake it at once. Every sounding note is tracked, and each
of those interruptions sends the note-offs on their own channels, then All Notes Off and All
Sound Off on every channel used. Callbacks run on the player (or feeder) thread; `ui/` turns
them into Qt signals.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import mido
import numpy as np

from jazzgui.errors import PortError
from jazzgui.music import defaults
from jazzgui.music.events import BASS_CHANNEL, COMP_CHANNEL, SOLO_CHANNEL, NoteEvent, Take
from jazzgui.music.meter import MeterMap, meter_for_beats
from jazzgui.playback.timing import STRAIGHT, beat_to_seconds, check_swing
from jazzgui.playback.tracker import MIDI_CHANNELS, NoteTracker

log = logging.getLogger(__name__)

DEFAULT_PROGRAMS: dict[int, int] = {
    SOLO_CHANNEL: defaults.SOLO_PROGRAM,
    COMP_CHANNEL: defaults.COMP_PROGRAM,
    BASS_CHANNEL: defaults.BASS_PROGRAM,
}
# Humanising at humanize=1.0: timing spread (s, one standard deviation) and velocity spread.
HUMANIZE_TIMING_S = 0.004
HUMANIZE_VELOCITY = 6.0
# Time between play() and the first beat, so the first notes are not already late.
START_DELAY_S = 0.05
# The hybrid wait sleeps on the event until this long before a deadline, then spins:
# Event.wait alone wakes up to a millisecond or more late on a busy machine.
SPIN_S = 0.002
POSITION_STEP_BEATS = 0.25
# Ahead of the playing position, the feeder keeps this many bars scheduled.
LOOKAHEAD_BARS = 2
# Realtime priority of the player thread where the OS allows it (low: audio servers use 70+).
REALTIME_PRIORITY = 10

_OFF, _TICK, _ON = 0, 1, 2  # at the same instant: note-offs first, note-ons last
_LIVE_OWNER = 0  # owner of notes sounded by sound_now (scheduled notes count from 1)

Waiter = Callable[[threading.Event, float], bool]


@dataclass(frozen=True)
class _Item:
    kind: int
    event: NoteEvent | None = None
    owner: int = 0
    velocity: int = 0
    beat: float = 0.0


@dataclass
class _Session:
    """One performance: its clock origin, tempo and swing, and whether bars still come."""

    number: int
    tempo_bpm: float
    swing: float
    humanize: float
    rng: np.random.Generator
    programs: dict[int, int]
    origin: float | None = None
    feeding: bool = False
    ticked_until: float = 0.0
    beat_now: float = 0.0

    def time_of(self, beat: float) -> float:
        assert self.origin is not None
        return self.origin + beat_to_seconds(beat, self.tempo_bpm, self.swing)


def hybrid_wait(event: threading.Event, timeout: float, clock: Callable[[], float]) -> bool:
    """Wait `timeout` seconds or until `event` is set (True): asleep on the event, then a short
    spin on `clock` for the last SPIN_S, since a sleeping thread wakes late by a millisecond."""
    deadline = clock() + timeout
    if timeout > SPIN_S and event.wait(timeout - SPIN_S):
        return True
    while clock() < deadline:
        if event.is_set():
            return True
    return event.is_set()


def _thread_name() -> str:
    return f"Thread {threading.current_thread().name!r}"


def raise_thread_priority() -> str:
    """Ask the OS to run the calling (player or audio) thread before ordinary work, if allowed.

    A busy machine (training on every core) otherwise keeps a woken player thread waiting for
    a CPU for tens of milliseconds. Realtime round-robin at a low priority where permitted
    (Linux with rtprio, e.g. the audio group), else a better nice value, else unchanged.
    """
    if hasattr(os, "sched_setscheduler"):
        try:
            os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(REALTIME_PRIORITY))
            log.info("%s runs with realtime priority %d", _thread_name(), REALTIME_PRIORITY)
            return "realtime"
        except (OSError, AttributeError):
            pass
    if hasattr(os, "setpriority"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), -10)
            log.info("%s runs at nice -10", _thread_name())
            return "nice"
        except (OSError, AttributeError):
            pass
    log.info("%s runs at normal priority (no permission to raise it)", _thread_name())
    return "normal"


def _events_of(bar: object) -> list[NoteEvent]:
    """A bar is a sequence of NoteEvents or anything with `.events` (a generated bar)."""
    events = getattr(bar, "events", bar)
    return list(events)  # type: ignore[call-overload]


class Player:
    """Plays takes and streams of bars to a mido output port on its own thread."""

    def __init__(
        self,
        port: mido.ports.BaseOutput,
        clock: Callable[[], float] = time.monotonic,
        on_note: Callable[[NoteEvent, bool], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_position: Callable[[float], None] | None = None,
        on_finished: Callable[[], None] | None = None,
        wait: Waiter | None = None,
        realtime: bool = True,
    ) -> None:
        self._port = port
        self._realtime = realtime
        # "realtime", "nice" or "normal": what the OS granted the player thread.
        self.thread_priority = "normal"
        self._clock = clock
        self._wait = wait or self._hybrid_wait
        self.on_note = on_note
        self.on_error = on_error
        self.on_position = on_position
        self.on_finished = on_finished
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._progress = threading.Condition(self._lock)
        self._done = threading.Event()
        self._done.set()
        self._queue: list[tuple[float, int, int, _Item]] = []
        self._order = itertools.count()
        self._owners = itertools.count(1)
        self._tracker = NoteTracker()
        self._session: _Session | None = None
        self._session_numbers = itertools.count(1)
        self._closed = False
        self._late_bars = 0
        self._thread = threading.Thread(target=self._run, name="jazzgui-player", daemon=True)
        self._thread.start()

    # ----------------------------------------------------------------- public control

    @property
    def is_playing(self) -> bool:
        return not self._done.is_set()

    @property
    def port(self) -> mido.ports.BaseOutput:
        return self._port

    @property
    def beat_zero_time(self) -> float | None:
        """The clock time of beat 0 of what plays now (None before a stream's first bar)."""
        with self._lock:
            return self._session.origin if self._session else None

    @property
    def late_bars(self) -> int:
        """Bars of the latest stream dropped (played as rests) because they came too late."""
        return self._late_bars

    def play(
        self,
        material: Take | Sequence[Sequence[NoteEvent]] | Sequence[NoteEvent],
        tempo_bpm: float | None = None,
        swing: float | None = None,
        humanize: float = 1.0,
        seed: int | None = None,
        programs: dict[int, int] | None = None,
    ) -> None:
        """Play a take, a list of bars or a list of events (absolute beats) from beat 0."""
        if isinstance(material, Take):
            events = list(material.events)
            tempo_bpm = tempo_bpm or material.tempo_bpm
            swing = material.swing if swing is None else swing
            programs = programs or {
                SOLO_CHANNEL: material.solo_program,
                COMP_CHANNEL: material.comp_program,
                BASS_CHANNEL: material.bass_program,
            }
        else:
            events = []
            for item in material:
                if isinstance(item, NoteEvent):
                    events.append(item)
                else:
                    events.extend(_events_of(item))
        with self._lock:
            session, silenced = self._start_session_locked(
                tempo_bpm, swing, humanize, seed, programs
            )
            session.origin = self._clock() + START_DELAY_S
            try:
                self._send_programs_locked(session)
            except PortError:
                silenced += self._end_session_locked()
                raise
            end = max((e.end_beat for e in events), default=0.0)
            self._schedule_locked(session, events)
            self._schedule_ticks_locked(session, end)
            self._wake.set()
        self._report_offs(silenced)

    def append_bar(self, events: Sequence[NoteEvent], bar_index: int | None = None) -> bool:
        """Add a bar (absolute beats) to what plays now; False if it came too late (a rest)."""
        with self._lock:
            session = self._session
            if session is None or session.origin is None:
                raise RuntimeError("append_bar needs a playing take or stream")
            return self._append_locked(session, list(events), bar_index, bars=None)

    def stream(
        self,
        bars: Iterable[object],
        tempo_bpm: float = defaults.TEMPO_BPM,
        swing: float = defaults.SWING,
        humanize: float = 1.0,
        seed: int | None = None,
        programs: dict[int, int] | None = None,
        beats_per_bar: int | MeterMap = 4,
    ) -> None:
        """Play bars as an iterator (a generator) yields them: bar i is the i-th item.

        A feeder thread pulls bars to stay LOOKAHEAD_BARS ahead of the playing position. The
        clock starts when the first bar arrives; a bar that arrives after its start time is
        dropped and played as a rest, so time moves on without stalling or bunching notes.
        `beats_per_bar` is the length of every bar, or a MeterMap when bars differ in meter.
        """
        iterator = iter(bars)
        if isinstance(beats_per_bar, MeterMap):
            grid = beats_per_bar  # bars of differing meters: each starts where the last ends
        else:
            grid = MeterMap.uniform(meter_for_beats(beats_per_bar), 1)
        with self._lock:
            session, silenced = self._start_session_locked(
                tempo_bpm, swing, humanize, seed, programs
            )
            session.feeding = True
        self._report_offs(silenced)
        feeder = threading.Thread(
            target=self._feed,
            args=(session, iterator, grid),
            name="jazzgui-feeder",
            daemon=True,
        )
        feeder.start()

    def stop(self) -> None:
        """Stop playing: note-offs for the sounding notes, then all-off on every channel used."""
        with self._lock:
            silenced = self._end_session_locked()
        self._report_offs(silenced)

    def panic(self) -> None:
        """Stop, then All Notes Off and All Sound Off on all 16 channels."""
        with self._lock:
            silenced = self._end_session_locked(channels=MIDI_CHANNELS)
        self._report_offs(silenced)

    def set_port(self, port: mido.ports.BaseOutput) -> None:
        """Switch output: silence the old port, then go on playing on the new one."""
        with self._lock:
            silenced = self._silence_locked()
            self._port = port
            if self._session is not None and self._session.origin is not None:
                self._send_programs_locked(self._session)
        self._report_offs(silenced)

    def send(self, message: mido.Message) -> None:
        """Send a message now (MIDI clock, Start, Stop), serialised with the player's sends:
        an rtmidi port must not be written from two threads at once."""
        with self._lock:
            self._port.send(message)

    def sound_now(self, channel: int, pitch: int, velocity: int) -> None:
        """A note played outside the schedule (a person's key passed through): on when
        `velocity` > 0, else off. Tracked, so stop, panic and close release it too."""
        with self._lock:
            if velocity > 0:
                if self._tracker.is_sounding(channel, pitch):
                    self._port.send(mido.Message("note_off", channel=channel, note=pitch))
                self._port.send(
                    mido.Message("note_on", channel=channel, note=pitch, velocity=velocity)
                )
                self._tracker.note_on(channel, pitch, _LIVE_OWNER)
            elif self._tracker.note_off(channel, pitch, _LIVE_OWNER):
                self._port.send(mido.Message("note_off", channel=channel, note=pitch))

    def cut(self, channel: int) -> list[NoteEvent]:
        """Drop the notes of one channel still to come and end those sounding now (a person
        cutting in on an answer); the other parts play on. Returns the notes ended."""
        with self._lock:
            self._queue = [
                entry
                for entry in self._queue
                if entry[3].event is None or entry[3].event.channel != channel
            ]
            heapq.heapify(self._queue)
            released = self._tracker.release_channel(channel)
            for pitch, _ in released:
                self._port.send(mido.Message("note_off", channel=channel, note=pitch))
        ended = [event for _, event in released if event is not None]
        self._report_offs(ended)
        return ended

    def wait(self, timeout: float | None = None) -> bool:
        """Block until playback ends (True) or the timeout passes (False)."""
        return self._done.wait(timeout)

    def close(self) -> None:
        """Stop and end the player thread (the port stays open; its owner closes it)."""
        self.stop()
        with self._lock:
            self._closed = True
            self._progress.notify_all()
        self._wake.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=2.0)

    # ----------------------------------------------------------------- sessions

    def _start_session_locked(
        self,
        tempo_bpm: float | None,
        swing: float | None,
        humanize: float,
        seed: int | None,
        programs: dict[int, int] | None,
    ) -> tuple[_Session, list[NoteEvent]]:
        if self._closed:
            raise RuntimeError("the player is closed")
        tempo = float(tempo_bpm or defaults.TEMPO_BPM)
        if not (20.0 <= tempo <= 2000.0):
            raise ValueError(f"tempo {tempo:g} BPM is outside 20..2000")
        swing = check_swing(STRAIGHT if swing is None else swing)
        silenced = self._end_session_locked()
        session = _Session(
            number=next(self._session_numbers),
            tempo_bpm=tempo,
            swing=swing,
            humanize=max(0.0, float(humanize)),
            rng=np.random.default_rng(seed),
            programs=dict(DEFAULT_PROGRAMS if programs is None else programs),
        )
        self._session = session
        self._late_bars = 0
        self._done.clear()
        return session, silenced

    def _end_session_locked(self, channels: Iterable[int] | None = None) -> list[NoteEvent]:
        self._queue.clear()
        if self._session is not None:
            self._session.feeding = False
        self._session = None
        silenced = self._silence_locked(channels)
        self._done.set()
        self._progress.notify_all()
        self._wake.set()
        return silenced

    def _silence_locked(self, channels: Iterable[int] | None = None) -> list[NoteEvent]:
        """Send the note-offs and all-off controllers; errors here are logged, not raised."""
        silenced = [ev for _, _, ev in self._tracker.sounding() if ev is not None]
        for message in self._tracker.silence_messages(channels):
            try:
                self._port.send(message)
            except Exception:  # a vanished port must not stop the rest of the clean-up
                log.warning("Could not send %s while silencing the output", message)
        return silenced

    def _send_programs_locked(self, session: _Session) -> None:
        for channel, program in sorted(session.programs.items()):
            self._tracker.use_channel(channel)
            message = mido.Message("program_change", channel=channel, program=program)
            try:
                self._port.send(message)
            except Exception as error:  # rtmidi and closed ports raise assorted types
                raise PortError(
                    f"The MIDI output {getattr(self._port, 'name', '')!r} cannot be used: "
                    f"{error}. Check the synth and pick the output again."
                ) from error

    # ----------------------------------------------------------------- scheduling

    def _jitter(self, session: _Session) -> float:
        if not session.humanize:
            return 0.0
        spread = HUMANIZE_TIMING_S * session.humanize
        return float(np.clip(session.rng.normal(0.0, spread), -2.5 * spread, 2.5 * spread))

    def _velocity(self, session: _Session, velocity: int) -> int:
        if session.humanize:
            velocity += round(session.rng.normal(0.0, HUMANIZE_VELOCITY * session.humanize))
        return int(min(127, max(1, velocity)))

    def _schedule_locked(self, session: _Session, events: Iterable[NoteEvent]) -> None:
        for event in sorted(events):
            if event.duration_beats <= 0:
                continue
            owner = next(self._owners)
            shift = self._jitter(session)
            on_time = session.time_of(event.start_beat) + shift
            off_time = max(session.time_of(event.end_beat) + shift, on_time + 0.001)
            on = _Item(_ON, event, owner, self._velocity(session, event.velocity))
            heapq.heappush(self._queue, (on_time, _ON, next(self._order), on))
            heapq.heappush(
                self._queue, (off_time, _OFF, next(self._order), _Item(_OFF, event, owner))
            )
            self._tracker.use_channel(event.channel)

    def _schedule_ticks_locked(self, session: _Session, until_beat: float) -> None:
        beat = session.ticked_until
        while beat <= until_beat + 1e-9:
            heapq.heappush(
                self._queue,
                (session.time_of(beat), _TICK, next(self._order), _Item(_TICK, beat=beat)),
            )
            beat += POSITION_STEP_BEATS
        session.ticked_until = max(session.ticked_until, beat)

    def _append_locked(
        self,
        session: _Session,
        events: list[NoteEvent],
        bar_index: int | None,
        bars: MeterMap | None,
    ) -> bool:
        if not events:
            return True
        bar_start = min(e.start_beat for e in events)
        if bar_index is not None and bars is not None:
            bar_start = bars.start(bar_index)
        if session.time_of(bar_start) < self._clock():
            self._late_bars += 1
            log.warning(
                "A bar starting at beat %g came too late and is played as a rest", bar_start
            )
            return False
        self._schedule_locked(session, events)
        end = max(e.end_beat for e in events)
        if bars is not None and bar_index is not None:
            end = max(end, bars.start(bar_index + 1))
        self._schedule_ticks_locked(session, end)
        self._wake.set()
        return True

    # ----------------------------------------------------------------- the feeder thread

    def _feed(self, session: _Session, iterator: Iterator[object], bars: MeterMap) -> None:
        index = 0
        try:
            while True:
                with self._lock:
                    while (
                        self._session is session
                        and session.origin is not None
                        and bars.start(index - LOOKAHEAD_BARS) >= session.beat_now
                    ):
                        self._progress.wait(timeout=0.5)
                    if self._session is not session:
                        return
                try:
                    bar = next(iterator)
                except StopIteration:
                    return
                with self._lock:
                    if self._session is not session:
                        return
                    if session.origin is None:
                        session.origin = self._clock() + START_DELAY_S
                        self._send_programs_locked(session)
                    self._append_locked(session, _events_of(bar), index, bars)
                index += 1
        except Exception as error:  # the generator failed: silence and report it
            log.exception("The bar generator failed")
            with self._lock:
                owned = self._session is session
                silenced = self._end_session_locked() if owned else []
            self._report_offs(silenced)
            if owned and self.on_error:
                self._call(self.on_error, error)
        finally:
            with self._lock:
                session.feeding = False
                self._wake.set()
            close = getattr(iterator, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # closing a broken generator may raise again
                    log.debug("Closing the bar generator raised", exc_info=True)

    # ----------------------------------------------------------------- the player thread

    def _hybrid_wait(self, event: threading.Event, timeout: float) -> bool:
        return hybrid_wait(event, timeout, self._clock)

    def _run(self) -> None:
        if self._realtime:
            self.thread_priority = raise_thread_priority()
        while True:
            with self._lock:
                if self._closed:
                    return
                session = self._session
                if not self._queue and session and session.feeding and session.origin is not None:
                    # Waiting for a late bar: time and the position display still move on.
                    self._schedule_ticks_locked(session, session.ticked_until)
                due = self._queue[0][0] if self._queue else None
                finished = self._finish_if_done_locked()
            if finished:
                self._call(self.on_finished)
                continue
            if due is None:
                self._wake.wait()
                self._wake.clear()
                continue
            delay = due - self._clock()
            if delay > 0:
                if self._wait(self._wake, delay):
                    self._wake.clear()
                continue
            self._send_due()

    def _finish_if_done_locked(self) -> bool:
        session = self._session
        if session is None or self._queue or session.feeding or session.origin is None:
            return False
        self._end_session_locked()
        return True

    def _send_due(self) -> None:
        notes: list[tuple[NoteEvent, bool]] = []
        position: float | None = None
        error: BaseException | None = None
        silenced: list[NoteEvent] = []
        with self._lock:
            now = self._clock()
            session = self._session
            try:
                while self._queue and self._queue[0][0] <= now:
                    _, _, _, item = heapq.heappop(self._queue)
                    if item.kind == _TICK:
                        position = item.beat
                        if session is not None:
                            session.beat_now = item.beat
                            self._progress.notify_all()
                        continue
                    event = item.event
                    assert event is not None
                    if item.kind == _ON:
                        if self._tracker.is_sounding(event.channel, event.pitch):
                            # A re-struck pitch: end the old note so the new one is heard.
                            self._port.send(
                                mido.Message("note_off", channel=event.channel, note=event.pitch)
                            )
                        self._port.send(
                            mido.Message(
                                "note_on",
                                channel=event.channel,
                                note=event.pitch,
                                velocity=item.velocity,
                            )
                        )
                        self._tracker.note_on(event.channel, event.pitch, item.owner, event)
                        notes.append((event, True))
                    elif self._tracker.note_off(event.channel, event.pitch, item.owner):
                        self._port.send(
                            mido.Message("note_off", channel=event.channel, note=event.pitch)
                        )
                        notes.append((event, False))
            except Exception as exc:  # the port failed or vanished: silence what we can
                log.exception("Sending to the MIDI output failed")
                error = PortError(
                    f"The MIDI output {getattr(self._port, 'name', '')!r} failed while "
                    f"playing: {exc}. Check the synth and pick the output again."
                )
                silenced = self._end_session_locked()
        for event, on in notes:
            if self.on_note:
                self._call(self.on_note, event, on)
        if position is not None and self.on_position:
            self._call(self.on_position, position)
        self._report_offs(silenced)
        if error is not None and self.on_error:
            self._call(self.on_error, error)

    def _report_offs(self, events: list[NoteEvent]) -> None:
        if self.on_note:
            for event in events:
                self._call(self.on_note, event, False)

    @staticmethod
    def _call(callback: Callable[..., None] | None, *args: object) -> None:
        if callback is None:
            return
        try:
            callback(*args)
        except Exception:  # a broken callback must not kill the player thread
            log.exception("A player callback raised")
