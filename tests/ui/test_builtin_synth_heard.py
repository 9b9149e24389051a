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
    qtbot.wait(5000)
    qtbot.mouseClick(panel.stop_button, LEFT)
    qtbot.wait(1000)
    first = speakers.stop()  # ends a second after Stop
    rms = speakers.rms_per_second(first[:-rate])
    loud = rms > 10 * NOISE_FLOOR
    # Sound within the first two seconds recorded, then on through nearly every second. (On a
    # loaded machine the null sink's monitor has delivered a second less than the wall time.)
    assert loud[:2].any() and loud.sum() >= max(len(loud) - 1, 3), rms.round(4).tolist()
    assert loud[np.argmax(loud) :].mean() >= 0.75, rms.round(4).tolist()  # from the first note on
    assert _rms(first[-int(0.6 * rate) :]) < NOISE_FLOOR

    speakers.start()
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.wait(2500)
    qtbot.mouseClick(panel.panic_button, LEFT)
    qtbot.wait(1000)
    second = speakers.stop()  # ends a second after Panic
    assert _rms(second[-int(2.0 * rate) : -int(1.0 * rate)]) > 10 * NOISE_FLOOR
    assert _rms(second[-int(0.6 * rate) :]) < NOISE_FLOOR


def test_the_automatic_soundfont_sounds_from_the_first_generate_on(
    make_window, qtbot, speakers, tiny_model_path
):
    """The SoundFont is in place when the window shows: no engine swap can cut a take's start."""
    from jazzgui.playback.soundfont import SoundFontEngine, find_soundfont

    if find_soundfont("") is None:
        pytest.skip("no General MIDI SoundFont installed (Debian: timgm6mb-soundfont)")
    window = make_window(port_lister=lambda: [])
    assert window.soundfont_menu.automatic.isChecked()
    engine = window.audio.engine
    assert isinstance(engine, SoundFontEngine)  # already, as the window shows
    panel = window.generate_panel
    panel.add_model(str(tiny_model_path))
    qtbot.waitUntil(lambda: panel._model is not None, timeout=10000)
    panel.tempo_spin.setValue(120)
    panel.progression_edit.setPlainText("Cmaj7 | A7 | Dm7 | G7 |")

    speakers.start()
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.wait(2500)
    qtbot.mouseClick(panel.stop_button, LEFT)
    heard = speakers.stop()
    rms = speakers.rms_per_second(heard)
    assert rms[0] > 10 * NOISE_FLOOR, rms.round(4).tolist()  # the first second is heard
    assert (rms[:2] > 10 * NOISE_FLOOR).all(), rms.round(4).tolist()
    assert window.audio.engine is engine


@pytest.mark.usefixtures("fake_port")
def test_the_soundfont_choice_is_made_in_the_playback_menu_and_remembered(
    make_window, qtbot, tmp_path
):
    from jazzgui.playback.soundfont import NO_SOUNDFONT
    from jazzgui.playback.synth import SynthEngine
    from jazzgui.ui.settings_store import load_settings

    window = make_window()
    playback = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Playback")
    assert window.soundfont_menu.menu.menuAction() in playback.actions()
    own = window.soundfont_menu.own_voices
    own.trigger()
    assert own.isChecked()
    assert window.settings.generate.soundfont == NO_SOUNDFONT
    assert isinstance(window.audio.engine, SynthEngine)
    assert "own voices" in window.status_label.text()

    broken = tmp_path / "broken.sf2"
    broken.write_bytes(b"RIFF not a soundfont")
    window.soundfont_menu.choose(str(broken))
    assert "not a SoundFont" in window.status_label.text()
    assert window.settings.generate.soundfont == ""  # back to the automatic choice
    assert window.soundfont_menu.automatic.isChecked()

    own.trigger()
    window.close()
    assert load_settings().generate.soundfont == NO_SOUNDFONT


@pytest.mark.usefixtures("fake_port")
def test_a_remembered_soundfont_that_has_gone_bad_is_told_at_start(make_window, qtbot, tmp_path):
    from jazzgui.ui.settings_store import AppSettings, save_settings

    broken = tmp_path / "gone.sf2"
    broken.write_bytes(b"RIFF truncated")
    stored = AppSettings()
    stored.generate.soundfont = str(broken)
    save_settings(stored)
    window = make_window()
    menu = window.soundfont_menu
    qtbot.waitUntil(lambda: "not a SoundFont" in menu.status_text, timeout=10000)
    assert "gone.sf2" in menu.status_text
    assert window.soundfont_menu.automatic.isChecked()
    assert window.settings.generate.soundfont == ""
