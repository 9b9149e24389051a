"""The Generate panel driven through its real widgets, playing to a recording fake port."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from jazzgui.music.events import SOLO_CHANNEL

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def ready_panel(tiny_model_window):
    window, panel = tiny_model_window
    panel.tempo_spin.setValue(300)
    panel.choruses_spin.setValue(1)
    panel.progression_edit.setPlainText("Dm7 G7 | Cmaj7 |")
    return window, panel


def _note_counts(port):
    ons = [m for m in port.notes() if m.type == "note_on" and m.velocity > 0]
    offs = [m for m in port.notes() if m.type == "note_off" or m.velocity == 0]
    return ons, offs


def test_generate_plays_balanced_notes_and_the_piano_roll_shows_them(ready_panel, qtbot, fake_port):
    _window, panel = ready_panel
    panel.instrument_combo.setCurrentIndex(panel.instrument_combo.findData(66))
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=10000)
    qtbot.waitUntil(lambda: not panel.is_playing, timeout=15000)

    take = panel.takes[0].take
    assert take.bars == 2
    solo = [e for e in take.events if e.channel == SOLO_CHANNEL]
    assert solo and all(e.kind in "CSAX" for e in solo)
    assert any(e.channel != SOLO_CHANNEL for e in take.events)  # the band played too
    ons, offs = _note_counts(fake_port)
    assert len(ons) == len(take.events)
    assert len(offs) == len(ons)
    assert fake_port.sounding() == set()
    programs = {m.channel: m.program for m in fake_port.messages if m.type == "program_change"}
    assert programs[SOLO_CHANNEL] == 66
    assert sorted(panel.piano_roll.canvas.events) == sorted(take.events)
    assert panel.piano_roll.canvas.playhead is not None
    assert panel.take_table.rowCount() == 1
    assert panel.take_table.item(0, 3).text() == str(panel.takes[0].seed)


def test_locked_seed_repeats_the_same_solo(ready_panel, qtbot):
    window, panel = ready_panel
    panel.seed_spin.setValue(1234)
    panel.seed_lock.setChecked(True)
    for expected in (1, 2):
        window.generate_action.trigger()
        qtbot.waitUntil(lambda n=expected: len(panel.takes) == n, timeout=10000)
        qtbot.waitUntil(lambda: not panel.is_playing, timeout=15000)
    first, second = (entry.take for entry in panel.takes)
    assert first.events == second.events
    assert panel.takes[0].seed == panel.takes[1].seed == 1234


def test_a_bad_chord_is_shown_inline_and_blocks_generate(ready_panel):
    _window, panel = ready_panel
    panel.progression_edit.setPlainText("Dm7 G7 | Cmaj7 | Hm7 |")
    assert "Hm7" in panel.progression_error.text()
    assert not panel.generate_button.isEnabled()
    assert panel.progression_edit.extraSelections()
    panel.progression_edit.setPlainText("Dm7 G7 | Cmaj7 | Bm7b5 E7 |")
    assert panel.progression_error.text() == ""
    assert panel.progression_info.text().startswith("3 bars × 1 chorus, about 0:02 at 300 bpm")
    assert panel.generate_button.isEnabled()
    assert not panel.progression_edit.extraSelections()


def test_choosing_a_form_fills_the_changes(ready_panel):
    from jazzgui.music.progression import FORMS

    _window, panel = ready_panel
    index = panel.form_combo.findData("minor-blues")
    panel.form_combo.setCurrentIndex(index)
    panel.form_combo.activated.emit(index)
    assert panel.progression_edit.toPlainText() == FORMS["minor-blues"]
    panel.progression_edit.setPlainText(FORMS["minor-blues"] + " Cm7 |")
    assert panel.form_combo.currentData() == "custom"


def test_escape_panics_and_silences_every_channel(ready_panel, qtbot, fake_port):
    window, panel = ready_panel
    panel.progression_edit.setPlainText("Dm7 G7 | Cmaj7 | " * 8)
    panel.tempo_spin.setValue(120)
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.waitUntil(lambda: len(_note_counts(fake_port)[0]) > 3, timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not panel.is_playing, timeout=5000)
    assert fake_port.sounding() == set()
    sound_off = {
        m.channel for m in fake_port.messages if m.type == "control_change" and m.control == 120
    }
    assert sound_off == set(range(16))


def test_closing_the_window_mid_playback_leaves_no_sounding_notes(ready_panel, qtbot, fake_port):
    window, panel = ready_panel
    panel.progression_edit.setPlainText("Dm7 G7 | Cmaj7 | " * 8)
    panel.tempo_spin.setValue(120)
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.waitUntil(lambda: len(_note_counts(fake_port)[0]) > 3, timeout=10000)
    assert panel.is_playing
    window.close()
    assert fake_port.closed
    assert fake_port.sounding() == set()
    ons, offs = _note_counts(fake_port)
    assert len(offs) >= len(ons)


def test_replay_star_and_export(ready_panel, qtbot, fake_port, tmp_path):
    from jazzgui.music.midifile import read_take_midi
    from jazzgui.playback.export import swung_take

    window, panel = ready_panel
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=10000)
    qtbot.waitUntil(lambda: not panel.is_playing, timeout=15000)
    played_before = len(_note_counts(fake_port)[0])

    qtbot.mouseClick(panel.star_button, LEFT)
    assert panel.takes[0].starred
    assert panel.take_table.item(0, 0).text() == "★"
    qtbot.mouseClick(panel.replay_button, LEFT)
    qtbot.waitUntil(lambda: not panel.is_playing, timeout=15000)
    assert len(_note_counts(fake_port)[0]) == 2 * played_before
    assert fake_port.sounding() == set()

    target = tmp_path / "take.mid"
    handle = panel.export_take(panel.takes[0].take, "mid", str(target))
    qtbot.waitUntil(lambda: not handle.running, timeout=10000)

    def notes(events):
        # MIDI files keep times on a 480-ticks-a-beat grid.
        return sorted(
            (round(e.start_beat * 480), round(e.duration_beats * 480), e.pitch, e.channel)
            for e in events
        )

    # The export carries the swing that was heard in its note times.
    assert notes(read_take_midi(target).events) == notes(swung_take(panel.takes[0].take).events)
    assert "Exported" in window.status_label.text()


def test_space_stops_playback_but_otherwise_ticks_the_focused_box(ready_panel, qtbot, fake_port):
    window, panel = ready_panel
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    panel.comp_check.setFocus()
    qtbot.keyClick(panel.comp_check, Qt.Key.Key_Space)
    assert not panel.comp_check.isChecked()  # not playing: Space is the box's own key

    panel.progression_edit.setPlainText("Dm7 G7 | Cmaj7 | " * 8)
    panel.tempo_spin.setValue(120)
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.waitUntil(lambda: len(_note_counts(fake_port)[0]) > 3, timeout=10000)
    assert window.space_stop_action.isEnabled()
    qtbot.keyClick(panel.comp_check, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not panel.is_playing, timeout=5000)
    assert panel.comp_check.isChecked() is False
    assert fake_port.sounding() == set()
    assert not window.space_stop_action.isEnabled()


def test_export_as_musicxml_and_wav(ready_panel, qtbot, tmp_path):
    import wave

    _window, panel = ready_panel
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=10000)
    take = panel.takes[0].take
    xml, wav = tmp_path / "take.musicxml", tmp_path / "take.wav"
    handles = [
        panel.export_take(take, "musicxml", str(xml)),
        panel.export_take(take, "wav", str(wav)),
    ]
    qtbot.waitUntil(lambda: not any(h.running for h in handles), timeout=60000)
    assert "<score-partwise" in xml.read_text(encoding="utf-8")
    with wave.open(str(wav)) as audio:
        seconds = audio.getnframes() / audio.getframerate()
    assert seconds >= take.length_beats * 60 / take.tempo_bpm


def test_a_take_matches_the_headless_generator_for_the_same_seed(ready_panel, qtbot):
    from jazzgui.model.sampling import SamplerSettings
    from jazzgui.model.takes import generate_take
    from jazzgui.music.progression import parse_progression

    _window, panel = ready_panel
    panel.seed_spin.setValue(99)
    panel.seed_lock.setChecked(True)
    panel.temperature_spin.setValue(0.8)
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=10000)
    headless = generate_take(
        panel._model,
        parse_progression("Dm7 G7 | Cmaj7 |"),
        SamplerSettings(temperature=0.8, seed=99),
        choruses=1,
        tempo_bpm=300,
    )
    assert panel.takes[0].take.events == sorted(headless.events)


def test_the_window_and_the_command_line_write_byte_identical_takes(
    ready_panel, qtbot, tmp_path, tiny_model_path, monkeypatch
):
    from PySide6.QtWidgets import QFileDialog

    from jazzgui.cli import main

    _window, panel = ready_panel
    panel.seed_spin.setValue(4321)
    panel.seed_lock.setChecked(True)
    panel.temperature_spin.setValue(0.9)
    panel.swing_spin.setValue(0.55)
    panel.instrument_combo.setCurrentIndex(panel.instrument_combo.findData(56))
    panel.bass_check.setChecked(False)
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=10000)
    window_file = tmp_path / "window.mid"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(window_file), "")
    )
    qtbot.mouseClick(panel.export_midi_button, LEFT)
    qtbot.waitUntil(window_file.exists, timeout=10000)

    cli_file = tmp_path / "cli.mid"
    args = ["generate", "--model", str(tiny_model_path), "-o", str(cli_file)]
    args += ["--progression", "Dm7 G7 | Cmaj7 |", "--seed", "4321", "--temperature", "0.9"]
    args += ["--tempo", "300", "--choruses", "1", "--swing", "0.55", "--instrument", "56"]
    assert main([*args, "--no-bass"]) == 0
    assert window_file.read_bytes() == cli_file.read_bytes()


def test_unlocked_seeds_change_from_take_to_take(ready_panel, qtbot):
    import random

    _window, panel = ready_panel
    panel.seed_lock.setChecked(False)
    seeds = []
    for n in (1, 2):
        random.seed(0)  # as Keras does when it builds a network: new seeds must not repeat
        panel.generate()
        qtbot.waitUntil(lambda n=n: len(panel.takes) == n, timeout=10000)
        seeds.append(panel.takes[-1].seed)
    assert seeds[0] != seeds[1]
    assert panel.seed_spin.value() == seeds[1]


def test_a_synth_that_vanishes_mid_take_is_noticed_and_play_moves_to_the_built_in_synth(
    make_window, qtbot, fake_port, tiny_model_path
):
    from jazzgui.ui.audio_out import BUILT_IN_SYNTH_NAME

    outputs = [fake_port.name]
    window = make_window(port_lister=lambda: list(outputs))
    panel = window.generate_panel
    panel.add_model(str(tiny_model_path))
    qtbot.waitUntil(lambda: panel._model is not None, timeout=10000)
    panel.tempo_spin.setValue(120)
    panel.progression_edit.setPlainText("Dm7 G7 | Cmaj7 | Dm7 G7 | Cmaj7 |")
    assert panel.ports.port_name == fake_port.name
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.waitUntil(lambda: len(_note_counts(fake_port)[0]) >= 3, timeout=10000)

    outputs.clear()  # the synth was closed: rtmidi itself would not say so
    panel.ports.check_port_present()
    assert panel.ports.port_name == BUILT_IN_SYNTH_NAME
    assert "has gone" in window.status_label.text()
    assert fake_port.sounding() == set()  # every note the old output was playing was ended
    panel.stop()


def test_the_loader_prepares_the_model_and_the_first_generate_reuses_that_work(
    ready_panel, qtbot, fake_port
):
    from jazzgui.model import sampling

    _window, panel = ready_panel
    model = panel._model
    derived = dict(model.derived)  # the stepper's arrays, derived in the loader's thread
    assert ("ConditionedStepper", "<f8") in derived
    misses = sampling._corpus_index.cache_info().misses
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=10000)
    panel.stop()
    assert sampling._corpus_index.cache_info().misses == misses  # indexed by the loader
    assert model.derived.keys() == derived.keys()
    assert all(model.derived[key][1] is derived[key][1] for key in derived)  # not derived again
