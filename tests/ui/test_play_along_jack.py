"""The Play Along box on a real MIDI input: a JACK port (dummy driver, started by
tests/run_all.sh) plays the person's part into the window on a schedule, as a keyboard would."""

from __future__ import annotations

import math
import os
import subprocess
import threading
import time

import mido
import pytest
from PySide6.QtCore import Qt

from jazzgui.music.events import SOLO_CHANNEL, YOU_CHANNEL
from jazzgui.playback.ports import close_output, open_virtual_output

pytestmark = pytest.mark.jack

JACK_BACKEND = "mido.backends.rtmidi/UNIX_JACK"
TEMPO = 240
BEAT_S = 60.0 / TEMPO


def _jack_running() -> bool:
    try:
        listing = subprocess.run(["jack_lsp"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return listing.returncode == 0


@pytest.fixture
def jack_input(monkeypatch):
    """A virtual JACK output playing the person's part; the window lists JACK's ports."""
    if not _jack_running():
        reason = "JACK is not running (tests/run_all.sh starts it)"
        if os.environ.get("JAZZGUI_TEST_JACK") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    monkeypatch.setenv("MIDO_BACKEND", JACK_BACKEND)
    person = open_virtual_output(f"person-box-{os.getpid()}", JACK_BACKEND)
    yield person
    close_output(person)


def test_trading_with_a_keyboard_on_jack_records_the_person_and_the_answer(
    jack_input, make_window, qtbot, fake_port, tiny_model_path
):
    window = make_window()
    panel = window.generate_panel
    panel.add_model(str(tiny_model_path))
    qtbot.waitUntil(lambda: panel._model is not None, timeout=10000)
    panel.tempo_spin.setValue(TEMPO)
    panel.choruses_spin.setValue(1)
    panel.progression_edit.setPlainText("Dm7 | G7 | Cmaj7 | A7 |")
    box = panel.play_along_box
    box.setChecked(True)
    names = [box.input_combo.itemData(i) for i in range(box.input_combo.count())]
    assert "JazzGUI In" in names  # JACK can make virtual ports
    ours = next(name for name in names if jack_input.name in name)
    box.input_combo.setCurrentIndex(box.input_combo.findData(ours))
    box.input_combo.activated.emit(box.input_combo.currentIndex())
    box.bars_combo.setCurrentIndex(box.bars_combo.findData(2))
    qtbot.mouseClick(box.start_button, Qt.MouseButton.LeftButton)
    assert box.is_running, window.status_label.text()
    session = box.runner.session
    qtbot.waitUntil(lambda: session.beat_zero_time is not None, timeout=5000)

    pitches = [60, 63, 65, 67, 70, 72]

    def play() -> None:  # quarter notes in bars 1 and 2, each released before the next
        for k, pitch in enumerate(pitches):
            for beat, message in (
                (k + 0.25, mido.Message("note_on", note=pitch, velocity=90)),
                (k + 0.75, mido.Message("note_off", note=pitch)),
            ):
                delay = session.beat_zero_time + beat * BEAT_S - time.monotonic()
                if delay > 0:
                    threading.Event().wait(delay)
                jack_input.send(message)

    person = threading.Thread(target=play, daemon=True)
    person.start()
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=20000)
    person.join(timeout=5)

    take = panel.takes[0].take
    you, solo = take.part(YOU_CHANNEL), take.part(SOLO_CHANNEL)
    assert [n.pitch for n in you] == pitches
    assert {math.floor(n.start_beat / 4) for n in you} <= {0, 1}
    assert solo and {math.floor(n.start_beat / 4) for n in solo} <= {2, 3}
    assert fake_port.sounding() == set()
    assert window.settings.generate.midi_input == ours
