"""The window with no MIDI synth: a take plays through the built-in synth and is heard.

Drives the real window (offscreen) and records the PulseAudio null sink that
tests/run_all.sh makes the default output.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from jazzgui.ui.audio_out import BUILT_IN_SYNTH_NAME

pytestmark = pytest.mark.pulse
LEFT = Qt.MouseButton.LeftButton
NOISE_FLOOR = 1e-3  # RMS of a second of the null sink's monitor with nothing playing


def _rms(signal: np.ndarray) -> float:
    return float(np.sqrt(np.mean(signal**2))) if signal.size else 0.0


def test_a_take_is_heard_and_stop_and_panic_silence_it(
    make_window, qtbot, speakers, tiny_model_path
):
    window = make_window(port_lister=lambda: [])
    panel = window.generate_panel
    assert panel.ports.port_name == BUILT_IN_SYNTH_NAME
    panel.add_model(str(tiny_model_path))
    qtbot.waitUntil(lambda: panel._model is not None, timeout=10000)
    panel.tempo_spin.setValue(120)
    panel.progression_edit.setPlainText("Dm7 G7 | Cmaj7 | Dm7 G7 | Cmaj7 |")
    rate = speakers.RATE
    speakers.start()

    qtbot.mouseClick(panel.generate_button, LEFT)
    started = speakers.elapsed()
    qtbot.wait(5000)
    qtbot.mouseClick(panel.stop_button, LEFT)
    stopped = speakers.elapsed()
    qtbot.wait(1000)
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.wait(2000)
    qtbot.mouseClick(panel.panic_button, LEFT)
    panicked = speakers.elapsed()
    qtbot.wait(1000)
    heard = speakers.stop()

    playing = heard[int(started * rate) : int(stopped * rate)]
    rms = speakers.rms_per_second(playing)
    assert rms.size >= 4
    assert np.mean(rms > 10 * NOISE_FLOOR) >= 0.75, rms.round(4).tolist()
    after_stop = heard[int((stopped + 0.3) * rate) : int((stopped + 0.9) * rate)]
    assert _rms(after_stop) < NOISE_FLOOR
    second = heard[int((stopped + 1.3) * rate) : int(panicked * rate)]
    assert _rms(second) > 10 * NOISE_FLOOR
    after_panic = heard[int((panicked + 0.3) * rate) :]
    assert _rms(after_panic) < NOISE_FLOOR
