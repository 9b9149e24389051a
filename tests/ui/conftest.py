"""Fixtures for the window tests: a recording fake MIDI port and a main window wired to it."""

from __future__ import annotations

import gc
import threading

import mido
import numpy as np
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


@pytest.fixture(autouse=True)
def _collection_given_back():
    """A window collects garbage on its GUI thread while it lives; whatever a test leaves open,
    the next test starts with Python's own collection on."""
    yield
    gc.enable()


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


@pytest.fixture
def tiny_model_path(tmp_path):
    """A small model with random weights (numpy only), saved like a trained one."""
    from jazzgui.model.config import ModelConfig
    from jazzgui.model.modelfile import JazzModel, save_model, weight_shapes

    vocabulary = ["A,1/2", "C,1", "C,1/2", "C,1/4", "R,1/2", "S,1/2", "S,1/4", "X,1/2"]
    config = ModelConfig(n_a=8)
    rng = np.random.default_rng(0)
    weights = {
        name: rng.normal(0.0, 0.5, size=shape).astype(np.float32)
        for name, shape in weight_shapes(vocabulary, config).items()
    }
    return save_model(
        JazzModel(vocabulary, config, weights, {"name": "tiny"}), tmp_path / "tiny.jazzmodel"
    )


@pytest.fixture
def tiny_model_window(make_window, qtbot, tiny_model_path):
    """A shown window whose Generate panel has the tiny model loaded: (window, panel)."""
    window = make_window()
    panel = window.generate_panel
    panel.add_model(str(tiny_model_path))
    qtbot.waitUntil(lambda: panel._model is not None, timeout=10000)
    return window, panel
