"""Fixtures for the window tests: a recording fake MIDI port and a main window wired to it."""

from __future__ import annotations

import threading

import mido
import pytest


class RecordingPort(mido.ports.BaseOutput):
    """A fake MIDI output that keeps every message it is sent (thread-safe)."""

    def __init__(self, name: str = "Fake synth") -> None:
        self.messages: list[mido.Message] = []
        self._guard = threading.Lock()
        super().__init__(name=name)

    def _send(self, msg: mido.Message) -> None:
        with self._guard:
            self.messages.append(msg)

    def notes(self) -> list[mido.Message]:
        with self._guard:
            return [m for m in self.messages if m.type in ("note_on", "note_off")]

    def sounding(self) -> set[tuple[int, int]]:
        """(channel, pitch) pairs left on after every message so far (all-off clears a channel)."""
        on: set[tuple[int, int]] = set()
        with self._guard:
            messages = list(self.messages)
        for m in messages:
            if m.type == "note_on" and m.velocity > 0:
                on.add((m.channel, m.note))
            elif m.type in ("note_on", "note_off"):
                on.discard((m.channel, m.note))
            elif m.type == "control_change" and m.control in (120, 123):
                on = {(c, p) for c, p in on if c != m.channel}
        return on


@pytest.fixture
def fake_port() -> RecordingPort:
    return RecordingPort()


@pytest.fixture
def make_window(qtbot, fake_port):
    """Build a shown MainWindow that plays to `fake_port` and does not preload TensorFlow."""
    from jazzgui.ui.main_window import MainWindow

    windows = []

    def make(**kwargs):
        kwargs.setdefault("port_lister", lambda: [fake_port.name])
        kwargs.setdefault("port_opener", lambda name: fake_port)
        kwargs.setdefault("load_tensorflow", False)
        window = MainWindow(**kwargs)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.shown, timeout=5000):
            window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        if window.isVisible():
            window.close()
