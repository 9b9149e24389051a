"""MIDI clock for a DAW: Start, 24 clock messages per quarter note, Stop, on its own thread.

Tick k is due at origin + k * 60 / (tempo * 24) on the same monotonic clock as the player, so
the DAW's beat 0 is the player's beat 0. Each due time is computed from the origin (never by
adding intervals), so waking late once does not shift the ticks after it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import mido

from jazzgui.playback.player import hybrid_wait, raise_thread_priority

log = logging.getLogger(__name__)

PULSES_PER_QUARTER = 24
Waiter = Callable[[threading.Event, float], bool]


def _pulses(beats: float | None) -> int | None:
    return None if beats is None else round(beats * PULSES_PER_QUARTER)


class MidiClock:
    """Sends Start at the origin, then clock pulses at the tempo until stop() sends Stop."""

    def __init__(
        self,
        send: Callable[[mido.Message], None],
        clock: Callable[[], float] = time.monotonic,
        wait: Waiter | None = None,
        realtime: bool = True,
    ) -> None:
        self._realtime = realtime
        self._send = send
        self._clock = clock
        self._wait = wait or self._hybrid_wait
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = False
        # Seconds each pulse went out after its time (the send side's jitter, for a report).
        self.lateness: list[float] = []

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, origin: float, tempo_bpm: float, beats: float | None = None) -> None:
        """Begin at clock time `origin` (the player's beat 0) at `tempo_bpm`; with `beats`,
        send Stop by itself on the downbeat after that many beats."""
        if self.running:
            raise RuntimeError("the MIDI clock is already running")
        if not 20.0 <= tempo_bpm <= 2000.0:
            raise ValueError(f"tempo {tempo_bpm:g} BPM is outside 20..2000")
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run,
            args=(origin, 60.0 / (tempo_bpm * PULSES_PER_QUARTER), _pulses(beats)),
            name="jazzgui-midi-clock", daemon=True,
        )  # fmt: skip
        self._thread.start()

    def stop(self) -> None:
        """Stop the pulses and send Stop (once, if Start was sent)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2.0)
        self._thread = None
        if self._started:
            self._started = False
            self._safe_send(mido.Message("stop"))

    def finish(self, timeout: float) -> None:
        """Let the clock run to its last beat and send Stop itself (within `timeout`
        seconds), else stop it now: the band's last note may end before the bar does."""
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self.stop()

    def _run(self, origin: float, interval: float, pulses: int | None) -> None:
        if self._realtime:
            raise_thread_priority()
        pulse = 0
        while True:
            due = origin + pulse * interval
            delay = due - self._clock()
            if delay > 0 and self._wait(self._stop, delay):
                return
            if self._stop.is_set():
                return
            if pulse == pulses:
                self._started = False
                self._safe_send(mido.Message("stop"))
                return
            if pulse == 0:
                self._started = True
                self._safe_send(mido.Message("start"))
            self._safe_send(mido.Message("clock"))
            self.lateness.append(self._clock() - due)
            # A late pulse is still sent: the DAW counts pulses to know where beat 1 is.
            pulse += 1

    def _safe_send(self, message: mido.Message) -> None:
        try:
            self._send(message)
        except Exception:  # a vanished port: the player reports it; the clock just goes on
            log.warning("Could not send MIDI %s", message.type)

    def _hybrid_wait(self, event: threading.Event, timeout: float) -> bool:
        return hybrid_wait(event, timeout, self._clock)
