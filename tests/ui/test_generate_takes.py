"""Nothing played is lost and no state is stale: stopped takes, failed model loads, exports."""

from __future__ import annotations

import mido
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from jazzgui.music.events import SOLO_CHANNEL

LEFT = Qt.MouseButton.LeftButton
LONG_CHANGES = "Dm7 G7 | Cmaj7 | " * 16  # 32 bars: far from done when Stop is pressed


@pytest.fixture
def ready_panel(tiny_model_window):
    window, panel = tiny_model_window
    panel.choruses_spin.setValue(1)
    return window, panel


def _note_ons(port):
    return [m for m in port.notes() if m.type == "note_on" and m.velocity > 0]


def _save_to(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def _start_long_take(qtbot, panel, fake_port, bars_heard=2):
    panel.progression_edit.setPlainText(LONG_CHANGES)
    panel.tempo_spin.setValue(400)
    qtbot.mouseClick(panel.generate_button, LEFT)
    heard = bars_heard * 4
    qtbot.waitUntil(lambda: (panel.player.last_beat or 0) >= heard, timeout=15000)


def test_a_stopped_take_is_kept_with_the_bars_played(ready_panel, qtbot, fake_port):
    window, panel = ready_panel
    _start_long_take(qtbot, panel, fake_port)
    assert "improvising" in window.status_label.text()
    qtbot.mouseClick(panel.stop_button, LEFT)
    assert not panel.is_playing and fake_port.sounding() == set()
    assert len(panel.takes) == 1
    entry = panel.takes[0]
    take = entry.take
    assert entry.stopped == "stopped"
    assert 2 <= take.bars < 32
    status = window.status_label.text()
    assert "improvising" not in status
    assert f"stopped after {take.bars} of 32 bars" in status
    assert panel.take_table.item(0, 6).text() == f"{take.bars} (stopped)"
    assert take.provenance.extra["stopped"] == f"after {take.bars} of 32 bars"
    assert take.events and max(e.end_beat for e in take.events) <= take.bars * 4 + 1e-9
    assert take.progression_text.count("|") == take.bars
    sent = sorted((m.channel, m.note) for m in _note_ons(fake_port))
    assert sorted((e.channel, e.pitch) for e in take.events) == sent  # what was heard, all of it
    qtbot.wait(300)  # the feeder's late news must not list the take again
    assert len(panel.takes) == 1

    # Replayable and exportable like any take.
    assert panel.replay_button.isEnabled() and panel.export_midi_button.isEnabled()
    before = len(_note_ons(fake_port))
    qtbot.mouseClick(panel.replay_button, LEFT)
    assert "Replaying take 1" in window.status_label.text()
    qtbot.waitUntil(lambda: not panel.is_playing, timeout=15000)
    assert len(_note_ons(fake_port)) - before == len(take.events)
    qtbot.waitUntil(lambda: "played to the end" in window.status_label.text(), timeout=5000)


def test_a_stopped_take_exports_through_the_window(
    ready_panel, qtbot, fake_port, tmp_path, monkeypatch
):
    from jazzgui.music.midifile import read_take_midi

    window, panel = ready_panel
    _start_long_take(qtbot, panel, fake_port)
    window.stop_action.trigger()
    take = panel.takes[0].take
    target = tmp_path / "stopped.mid"
    _save_to(monkeypatch, target)
    qtbot.mouseClick(panel.export_midi_button, LEFT)
    qtbot.waitUntil(target.exists, timeout=10000)
    back = read_take_midi(target)
    assert len(back.events) == len(take.events)
    assert "stopped" in back.provenance.describe()


def test_generate_during_a_take_keeps_the_one_it_interrupts(ready_panel, qtbot, fake_port):
    window, panel = ready_panel
    _start_long_take(qtbot, panel, fake_port)
    window.generate_action.trigger()
    assert [e.stopped for e in panel.takes] == ["stopped"]
    assert "Take 2: improvising" in window.status_label.text()
    qtbot.waitUntil(lambda: (panel.player.last_beat or 0) >= 4, timeout=15000)
    panel.stop()
    assert [(e.number, e.stopped) for e in panel.takes] == [(1, "stopped"), (2, "stopped")]


def test_a_take_stopped_before_its_first_bar_keeps_nothing(ready_panel, qtbot, fake_port):
    window, panel = ready_panel
    panel.progression_edit.setPlainText(LONG_CHANGES)
    panel.tempo_spin.setValue(20)
    qtbot.mouseClick(panel.generate_button, LEFT)
    panel.stop()
    assert panel.takes == []
    assert "stopped before its first bar" in window.status_label.text()
    assert not panel.replay_button.isEnabled()


class FailingPort(mido.ports.BaseOutput):
    """A synth that dies after a number of messages (unplugged mid-take)."""

    def __init__(self, after: int) -> None:
        self.sent = 0
        self.after = after
        super().__init__(name="Fragile synth")

    def _send(self, msg: mido.Message) -> None:
        self.sent += 1
        if self.sent > self.after:
            raise OSError("the device was unplugged")


def test_a_take_interrupted_by_a_failing_output_is_kept(make_window, qtbot, tiny_model_path):
    port = FailingPort(after=60)
    window = make_window(port_lister=lambda: [port.name], port_opener=lambda name: port)
    panel = window.generate_panel
    panel.add_model(str(tiny_model_path))
    qtbot.waitUntil(lambda: panel._model is not None, timeout=10000)
    panel.choruses_spin.setValue(1)
    panel.progression_edit.setPlainText(LONG_CHANGES)
    panel.tempo_spin.setValue(400)
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=15000)
    assert panel.takes[0].stopped == "interrupted"
    assert "interrupted after" in window.status_label.text()
    assert "unplugged" in window.status_label.text()
    qtbot.waitUntil(lambda: not panel.is_playing, timeout=5000)
    assert "improvising" not in window.status_label.text()


def _open_model_action(window) -> QAction:
    return next(a for a in window.findChildren(QAction) if a.text() == "Open &Model…")


def test_a_failed_model_load_keeps_the_loaded_model(
    ready_panel, qtbot, tmp_path, tiny_model_path, monkeypatch
):
    window, panel = ready_panel
    bad = tmp_path / "not-a-model.jazzmodel"
    bad.write_text("this is not a model")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    assert window.model_label.text() == "Model: tiny"
    _open_model_action(window).trigger()
    qtbot.waitUntil(lambda: "could not be loaded" in window.status_label.text(), timeout=10000)
    assert "tiny stays in use" in window.status_label.text()
    assert "not-a-model.jazzmodel" in window.status_label.text()
    assert panel.model_combo.currentData() == str(tiny_model_path)
    assert window.model_label.text() == "Model: tiny"
    assert str(bad) not in window.settings.generate.recent_models
    listed = [panel.model_combo.itemData(i) for i in range(panel.model_combo.count())]
    assert str(bad) not in listed and str(tiny_model_path) in listed
    assert panel.generate_button.isEnabled()
    panel.progression_edit.setPlainText("Dm7 G7 | Cmaj7 |")
    panel.tempo_spin.setValue(400)
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=15000)
    assert panel.takes[0].model_name == "tiny"
    panel.stop()


def test_only_models_that_load_join_the_recent_list(make_window, qtbot, tiny_model_path):
    window = make_window()
    panel = window.generate_panel
    qtbot.waitUntil(lambda: "loading" not in window.model_label.text(), timeout=10000)
    assert str(tiny_model_path) not in window.settings.generate.recent_models
    panel.add_model(str(tiny_model_path))
    assert panel.model_combo.currentData() == str(tiny_model_path)  # shown while it loads
    assert str(tiny_model_path) not in window.settings.generate.recent_models
    qtbot.waitUntil(lambda: window.model_label.text() == "Model: tiny", timeout=10000)
    assert window.settings.generate.recent_models[0] == str(tiny_model_path)


def test_midi_exports_straight_or_swung_as_the_window_says(
    ready_panel, qtbot, tmp_path, monkeypatch
):
    from jazzgui.music.midifile import read_take_midi
    from jazzgui.playback.export import swung_take
    from jazzgui.ui.settings_store import load_settings, save_settings

    window, panel = ready_panel
    panel.progression_edit.setPlainText("Dm7 G7 | Cmaj7 |")
    panel.tempo_spin.setValue(400)
    panel.swing_spin.setValue(0.66)
    panel.seed_spin.setValue(7)
    panel.seed_lock.setChecked(True)
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=15000)
    panel.stop()
    take = panel.takes[0].take

    def same_notes(read, expected):
        """Equal notes, times within a tick (MIDI files keep 480 ticks a beat)."""
        pairs = list(zip(sorted(read), sorted(expected), strict=True))
        return all(
            (a.pitch, a.channel) == (b.pitch, b.channel)
            and abs(a.start_beat - b.start_beat) <= 1 / 480
            and abs(a.end_beat - b.end_beat) <= 2 / 480
            for a, b in pairs
        )

    assert panel.midi_swing_check.isChecked()
    swung, straight = tmp_path / "swung.mid", tmp_path / "straight.mid"
    _save_to(monkeypatch, swung)
    qtbot.mouseClick(panel.export_midi_button, LEFT)
    qtbot.waitUntil(swung.exists, timeout=10000)
    panel.midi_swing_check.click()
    assert window.settings.generate.midi_export_swing is False
    _save_to(monkeypatch, straight)
    qtbot.mouseClick(panel.export_midi_button, LEFT)
    qtbot.waitUntil(straight.exists, timeout=10000)
    assert same_notes(read_take_midi(swung).events, swung_take(take).events)
    assert same_notes(read_take_midi(straight).events, take.events)
    assert not same_notes(take.events, swung_take(take).events)  # the swing is audible

    save_settings(window.collect_settings())
    assert load_settings().generate.midi_export_swing is False


def test_musicxml_exported_from_the_window_names_the_instrument(
    ready_panel, qtbot, tmp_path, monkeypatch
):
    from music21 import converter

    _window, panel = ready_panel
    panel.instrument_combo.setCurrentIndex(panel.instrument_combo.findData(66))  # tenor sax
    panel.progression_edit.setPlainText("Dm7 G7 | Cmaj7 |")
    panel.tempo_spin.setValue(400)
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=15000)
    panel.stop()
    target = tmp_path / "take.musicxml"
    _save_to(monkeypatch, target)
    qtbot.mouseClick(panel.export_xml_button, LEFT)
    qtbot.waitUntil(target.exists, timeout=30000)
    part = converter.parse(str(target)).parts[0]
    solo = part.getInstrument(returnDefault=False)
    assert solo is not None and solo.midiProgram == 66 and "Tenor" in solo.instrumentName
    pitches = sorted(n.pitch.midi for n in part.recurse().notes if n.isNote)
    assert pitches == sorted(e.pitch for e in panel.takes[0].take.part(SOLO_CHANNEL))


def test_an_unreadable_settings_file_is_named_once_in_the_status_bar(make_window, qtbot):
    from jazzgui.ui.settings_store import settings_path

    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00\x01 not settings")
    window = make_window()
    qtbot.waitUntil(lambda: "could not be read" in window.status_label.text(), timeout=5000)
    assert "jazzgui.ini.corrupt" in window.status_label.text()
    assert (path.parent / "jazzgui.ini.corrupt").read_bytes() == b"\x00\x01 not settings"
    assert window.settings.recovered_backup == ""  # said once
