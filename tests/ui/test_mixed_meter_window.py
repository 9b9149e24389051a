"""Changes that change meter, typed into the Generate panel's changes box: the take, the
piano roll, the player and a stopped take follow each bar's meter; play-along refuses them."""

from __future__ import annotations

import mido
import pytest
from PySide6.QtCore import Qt

from jazzgui.music.events import BASS_CHANNEL, SOLO_CHANNEL
from jazzgui.music.progression import parse_progression
from jazzgui.playback.midi_in import MidiInput
from jazzgui.ui import play_along_box

LEFT = Qt.MouseButton.LeftButton
CHANGES = "(4/4) Dm7 G7 | Cmaj7 | (3/4) Dm7 | G7 | (4/4) C6 |"
BAR_STARTS = [0, 4, 8, 11, 14, 18, 22, 26, 29, 32, 36]  # two choruses of 4, 4, 3, 3, 4 beats


@pytest.fixture
def panel(tiny_model_window):
    _, panel = tiny_model_window
    panel.choruses_spin.setValue(2)
    panel.tempo_spin.setValue(400)
    panel.progression_edit.setPlainText(CHANGES)
    return panel


def _bar_of(beat: float) -> int:
    return max(i for i, start in enumerate(BAR_STARTS) if start <= beat + 1e-6)


def test_typed_meter_changes_make_a_take_with_those_bars(panel, qtbot, fake_port):
    assert panel.generate_button.isEnabled() and not panel.progression_error.text()
    info = panel.progression_info.text()
    assert "4/4 changing to 3/4 (set by the markers in the changes)" in info
    assert "= 10 bars, about 0:05" in info  # 36 beats at 400 bpm
    qtbot.mouseClick(panel.generate_button, LEFT)
    assert panel.piano_roll.canvas.bar_starts() == BAR_STARTS
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=30000)
    take = panel.takes[0].take
    assert take.bars == 10 and take.length_beats == 36.0
    assert take.bar_meters == ("4/4", "4/4", "3/4", "3/4", "4/4") * 2
    changes = parse_progression(CHANGES).repeated(2)
    bass = take.part(BASS_CHANNEL)
    for index, start in enumerate(BAR_STARTS[:-1]):
        root = changes.bar_spans(index)[0].chord.root
        assert any(e.start_beat == start and e.pitch % 12 == root for e in bass), index
    for event in take.part(SOLO_CHANNEL):
        assert event.end_beat <= BAR_STARTS[_bar_of(event.start_beat) + 1] + 1e-6
    # The player plays it to its end: every note of the take is heard.
    qtbot.waitUntil(lambda: not panel.is_playing, timeout=30000)
    ons = [m for m in fake_port.notes() if m.type == "note_on" and m.velocity]
    assert len(ons) == len(take.events) and fake_port.sounding() == set()


def test_a_stopped_take_keeps_the_meters_of_the_bars_played(panel, qtbot, fake_port):
    panel.tempo_spin.setValue(300)
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.waitUntil(lambda: (panel.player.last_beat or 0) >= 12, timeout=30000)
    qtbot.mouseClick(panel.stop_button, LEFT)
    take = panel.takes[0].take
    assert panel.takes[0].stopped == "stopped" and 4 <= take.bars < 10
    assert len(take.bar_meters) == take.bars
    assert take.bar_meters[2:4] == ("3/4", "3/4")
    assert take.length_beats == BAR_STARTS[take.bars]
    assert max(e.end_beat for e in take.events) <= BAR_STARTS[take.bars] + 1e-9
    played = parse_progression(take.progression_text)
    assert [m.text for m in played.meters] == list(take.bar_meters)


class _FakeKeyboard(mido.ports.BaseInput):
    def _open(self, **kwargs) -> None:
        self.callback = None


def test_play_along_refuses_changes_that_change_meter(panel, qtbot, fake_port, monkeypatch):
    keys = _FakeKeyboard("Keys")
    monkeypatch.setattr(play_along_box, "_list_inputs", lambda: ["Keys"])
    monkeypatch.setattr(play_along_box, "_virtual_input_supported", lambda: False)
    monkeypatch.setattr(play_along_box, "_open_input", lambda name: MidiInput(keys))
    box = panel.play_along_box
    box.setChecked(True)
    box.refresh_inputs()  # the fake keyboard came after the window
    box.input_combo.setCurrentIndex(box.input_combo.findData("Keys"))
    box.input_combo.activated.emit(box.input_combo.currentIndex())
    qtbot.mouseClick(box.start_button, LEFT)
    assert not box.is_running
    status = panel.window().status_label.text()
    assert "Cannot play along" in status and "needs one meter" in status
    assert "3/4 from bar 3" in status
    assert not [m for m in fake_port.notes() if m.type == "note_on" and m.velocity]
