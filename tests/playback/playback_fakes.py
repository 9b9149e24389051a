"""Fakes for playback tests: a recording mido output port and a clock that tests control."""

from __future__ import annotations

import threading
import time

import mido


class RecordingPort(mido.ports.BaseOutput):
    """A mido output that keeps every message with the clock time it arrived."""

    def __init__(self, clock=time.monotonic, fail_after: int | None = None, **kwargs) -> None:
        self.clock = clock
        self.fail_after = fail_after
        self.sent: list[tuple[float, mido.Message]] = []
        self._sent_lock = threading.Lock()
        super().__init__(name="recording", **kwargs)

    def _send(self, msg: mido.Message) -> None:
        with self._sent_lock:
            if self.fail_after is not None and len(self.sent) >= self.fail_after:
                raise OSError("port vanished")
            self.sent.append((self.clock(), msg.copy()))

    @property
    def messages(self) -> list[mido.Message]:
        with self._sent_lock:
            return [m for _, m in self.sent]

    def notes(self) -> list[tuple[float, mido.Message]]:
        with self._sent_lock:
            return [(t, m) for t, m in self.sent if m.type in ("note_on", "note_off")]


class FakeClock:
    """Time that moves only when the player waits: each wait runs to its deadline at once.

    With `real_scale` each fake second also takes that many real seconds, so other threads
    (the feeder) get real time to work while the player waits.
    """

    def __init__(self, start: float = 1000.0, real_scale: float = 0.0) -> None:
        self.now = start
        self.real_scale = real_scale
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds

    def wait(self, event: threading.Event, timeout: float) -> bool:
        with self._lock:
            deadline = self.now + timeout
        if self.real_scale:
            started = time.monotonic()
            if event.wait(timeout * self.real_scale):
                passed = (time.monotonic() - started) / self.real_scale
                self._move_to(min(deadline, deadline - timeout + passed))
                return True
        elif event.is_set():
            return True
        # Another thread may have moved time on meanwhile: time never goes back.
        self._move_to(deadline)
        return event.is_set()

    def _move_to(self, moment: float) -> None:
        with self._lock:
            self.now = max(self.now, moment)


def unmatched_notes(messages: list[mido.Message]) -> list[tuple[int, int]]:
    """(channel, pitch) of note-ons never followed by a note-off on the same channel.

    A note-on for a pitch that still sounds also counts as a fault: the player must end the
    old note first. All-notes-off does not count as a match, so real note-offs are needed.
    """
    sounding: set[tuple[int, int]] = set()
    faults: list[tuple[int, int]] = []
    for msg in messages:
        if msg.type == "note_on" and msg.velocity > 0:
            key = (msg.channel, msg.note)
            if key in sounding:
                faults.append(key)
            sounding.add(key)
        elif msg.type == "note_off" or (msg.type == "note_on" and msg.velocity == 0):
            sounding.discard((msg.channel, msg.note))
    return faults + sorted(sounding)
