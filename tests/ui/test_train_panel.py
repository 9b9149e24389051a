"""The Train panel driven through its real widgets: reports, training, stop, save, close."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from jazzgui.ui.solo_files import COL_REPORT, COL_TRACK

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "broken.mid"
    path.write_bytes(b"MThd this is not really a MIDI file")
    return path


def _load_files(qtbot, panel, paths):
    panel.add_paths([str(p) for p in paths])
    qtbot.waitUntil(lambda: len(panel._entries) == len(paths), timeout=60000)


def _small_settings(panel, epochs):
    panel.epochs_spin.setValue(epochs)
    panel.hidden_spin.setValue(8)
    panel.batch_spin.setValue(64)
    panel.val_spin.setValue(0.1)


def test_bad_file_shows_its_error_and_training_runs_on_the_rest(
    make_window, qtbot, reference_midi, bad_file, tmp_path
):
    window = make_window()
    panel = window.train_panel
    _load_files(qtbot, panel, [reference_midi, bad_file])

    rows = {panel.table.item(r, 0).text(): r for r in range(panel.table.rowCount())}
    bad_item = panel.table.item(rows["broken.mid"], COL_REPORT)
    assert "damaged" in bad_item.text()  # the problem in words, with what to do
    assert not bad_item.text().startswith("OK")
    assert "broken.mid" in bad_item.toolTip()
    good_row = rows[reference_midi.name]
    assert panel.table.item(good_row, COL_REPORT).text().startswith("OK")
    assert panel.table.item(good_row, COL_TRACK).text()
    assert "1 with problems" in panel.summary.text()
    assert not panel.save_button.isEnabled()

    _small_settings(panel, epochs=2)
    qtbot.mouseClick(panel.train_button, LEFT)
    assert panel.is_training
    assert not panel.train_button.isEnabled()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=120000)

    assert panel.plot.plotted_points() == 2
    assert [epoch for epoch, _ in panel.plot.train_points] == [1, 2]
    assert len(panel.plot.val_points) == 2
    qtbot.waitUntil(panel.save_button.isEnabled, timeout=5000)
    assert panel.progress.value() == 2
    target = tmp_path / "mine.jazzmodel"
    assert panel.save_model_to(str(target))
    assert target.exists()
    combo = window.generate_panel.model_combo
    assert combo.currentData() == str(target)


def test_stop_during_training_ends_it_and_the_window_still_works(
    make_window, qtbot, reference_midi
):
    window = make_window()
    panel = window.train_panel
    _load_files(qtbot, panel, [reference_midi])
    _small_settings(panel, epochs=500)
    qtbot.mouseClick(panel.train_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.plot.train_points) >= 1, timeout=120000)
    assert panel.stop_button.isEnabled()
    qtbot.mouseClick(panel.stop_button, LEFT)
    qtbot.waitUntil(lambda: not panel.is_training, timeout=10000)

    assert panel.result is not None
    assert panel.result.stopped
    assert len(panel.result.history) < 500
    assert panel.save_button.isEnabled()
    assert panel.train_button.isEnabled()
    # The rest of the window still answers.
    window.tabs.setCurrentIndex(0)
    window.generate_panel.tempo_spin.setValue(111)
    assert window.generate_panel.tempo_spin.value() == 111


def test_closing_the_window_mid_training_stops_it_cleanly(make_window, qtbot, reference_midi):
    window = make_window()
    panel = window.train_panel
    _load_files(qtbot, panel, [reference_midi])
    _small_settings(panel, epochs=500)
    qtbot.mouseClick(panel.train_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.plot.train_points) >= 1, timeout=120000)
    thread = panel._train_thread
    window.close()
    assert not window.isVisible()
    assert not thread.running


def test_an_unusable_bar_range_is_explained(make_window, qtbot, reference_midi):
    window = make_window()
    panel = window.train_panel
    _load_files(qtbot, panel, [reference_midi])
    panel.table.item(0, 7).setText("9-x")
    assert "FIRST-LAST" in window.status_label.text()
    assert panel.table.item(0, 7).text() == ""
    panel.table.item(0, 7).setText("40-3")
    assert "bar range" in window.status_label.text()
    assert panel.table.item(0, 7).text() == ""


def test_presets_fill_the_hyperparameters(make_window):
    panel = make_window().train_panel
    panel.preset_combo.setCurrentText("Long")
    panel.preset_combo.activated.emit(panel.preset_combo.currentIndex())
    assert panel.epochs_spin.value() == 300
    assert panel.hidden_spin.value() == 128
    panel.epochs_spin.setValue(301)
    assert panel.preset_combo.currentText() == "Custom"


def test_a_bar_range_override_reads_the_file_again(make_window, qtbot, reference_midi):
    from jazzgui.ui.solo_files import COL_BARS, COL_RANGE

    panel = make_window().train_panel
    _load_files(qtbot, panel, [reference_midi])
    whole = int(panel.table.item(0, COL_BARS).text())
    panel.table.item(0, COL_RANGE).setText("20-59")
    qtbot.waitUntil(lambda: panel.table.item(0, COL_BARS).text() == "40", timeout=60000)
    assert whole > 40
    assert panel._entries[str(reference_midi)].sheet.first_bar == 20


def test_early_stopping_ends_the_run_with_a_full_bar_and_says_why(
    make_window, qtbot, reference_midi
):
    panel = make_window().train_panel
    _load_files(qtbot, panel, [reference_midi])
    _small_settings(panel, epochs=500)
    panel.patience_spin.setValue(1)  # the first epoch that does not improve ends it
    qtbot.mouseClick(panel.train_button, LEFT)
    # The result comes a moment before the worker's thread ends; Save waits for the thread.
    qtbot.waitUntil(lambda: panel.result is not None and not panel.is_training, timeout=300000)
    assert panel.result.reason == "early stopping"
    epochs = panel.result.history[-1].epoch
    assert epochs < 500
    assert panel.progress.value() == panel.progress.maximum() == 500
    assert panel.progress.format() == f"Training ended by early stopping after {epochs} epochs"
    assert panel.save_button.isEnabled()
