"""The window on a real synth: FluidSynth on a JACK server (started by tests/run_all.sh)."""

from __future__ import annotations

import os
import subprocess
import wave

import numpy as np
import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.jack

JACK_BACKEND = "mido.backends.rtmidi/UNIX_JACK"


def _fluidsynth_on_jack() -> bool:
    try:
        listing = subprocess.run(["jack_lsp"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return listing.returncode == 0 and "fluidsynth-midi" in listing.stdout


@pytest.fixture
def jack_backend(monkeypatch):
    if not _fluidsynth_on_jack():
        reason = "JACK with FluidSynth is not running (tests/run_all.sh starts them)"
        if os.environ.get("JAZZGUI_TEST_JACK") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    monkeypatch.setenv("MIDO_BACKEND", JACK_BACKEND)


def test_the_window_picks_fluidsynth_and_its_take_is_heard(
    jack_backend, make_window, qtbot, tiny_model_path, tmp_path
):
    window = make_window(port_lister=None, port_opener=None)
    panel = window.generate_panel
    assert "fluidsynth" in panel.ports.port_name.lower()
    panel.add_model(str(tiny_model_path))
    qtbot.waitUntil(lambda: panel._model is not None, timeout=10000)
    panel.progression_edit.setPlainText("Dm7 G7 | Cmaj7 |")
    panel.choruses_spin.setValue(1)
    panel.tempo_spin.setValue(240)

    recording = tmp_path / "heard.wav"
    recorder = subprocess.Popen(
        ["jack_rec", "-f", str(recording), "-d", "4", "fluidsynth-midi:left",
         "fluidsynth-midi:right"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        qtbot.wait(500)  # jack_rec connects to FluidSynth's outputs
        qtbot.mouseClick(panel.generate_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=10000)
        qtbot.waitUntil(lambda: not panel.is_playing, timeout=10000)
        assert "stopped" not in window.status_label.text().lower()
        recorder.wait(timeout=20)
    finally:
        if recorder.poll() is None:
            recorder.terminate()
            recorder.wait(timeout=10)
    with wave.open(str(recording)) as audio:
        frames = audio.readframes(audio.getnframes())
        width = audio.getsampwidth()
    dtype = {2: np.int16, 4: np.int32}[width]
    samples = np.frombuffer(frames, dtype=dtype).astype(np.float64) / np.iinfo(dtype).max
    assert np.sqrt(np.mean(samples**2)) > 1e-3  # the take was played out loud
