"""Training from the Train panel: the kind of network with its snapped reading, a model that
generates, Stop at any moment, nothing to save without an epoch, spin boxes from the limits."""

from __future__ import annotations

import mido
from PySide6.QtCore import Qt

from jazzgui import limits

LEFT = Qt.MouseButton.LeftButton


def _small_settings(panel, epochs):
    panel.epochs_spin.setValue(epochs)
    panel.hidden_spin.setValue(8)
    panel.batch_spin.setValue(64)
    panel.val_spin.setValue(0.1)


def _load(qtbot, panel, path):
    panel.add_paths([str(path)])
    qtbot.waitUntil(lambda: str(path) in panel._entries, timeout=60000)
    return panel._entries[str(path)]


def test_the_new_kind_trains_on_snapped_files_and_its_model_generates(
    make_window, qtbot, reference_midi, tmp_path
):
    window = make_window()
    panel = window.train_panel
    assert panel.kind_combo.currentData() == "new"
    assert "new" in panel.kind_combo.currentText()
    entry = _load(qtbot, panel, reference_midi)
    assert entry.snap is not None  # read as `jazzgui train` reads for the new kind

    _small_settings(panel, epochs=1)
    qtbot.mouseClick(panel.train_button, LEFT)
    qtbot.waitUntil(lambda: panel.result is not None, timeout=300000)
    qtbot.waitUntil(panel.save_button.isEnabled, timeout=5000)
    assert panel.result.model.config.kind == "new"
    assert panel.progress.format() == "Training finished after 1 epoch"
    target = tmp_path / "window.jazzmodel"
    assert panel.save_model_to(str(target))

    from jazzgui.cli import main

    take = tmp_path / "take.mid"
    assert main(["generate", "--model", str(target), "--seed", "3", "-o", str(take)]) == 0
    notes = [m for m in mido.MidiFile(take).play() if m.type == "note_on" and m.velocity]
    assert notes


def test_the_reference_kind_reads_the_files_again_unsnapped(make_window, qtbot, reference_midi):
    panel = make_window().train_panel
    assert _load(qtbot, panel, reference_midi).snap is not None
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("reference"))
    assert panel.files.is_reading
    qtbot.waitUntil(lambda: not panel.files.is_reading, timeout=60000)
    assert panel._entries[str(reference_midi)].snap is None
    model_config, _ = panel.hyper.configs()
    assert model_config.kind == "reference"


def test_stop_before_the_first_epoch_offers_nothing_to_save(make_window, qtbot, reference_midi):
    window = make_window()
    panel = window.train_panel
    _load(qtbot, panel, reference_midi)
    _small_settings(panel, epochs=500)
    qtbot.mouseClick(panel.train_button, LEFT)
    assert panel.is_training
    qtbot.mouseClick(panel.stop_button, LEFT)
    assert panel.progress.format() == "Stopping…"  # at once, while TensorFlow may be loading
    assert "Stopping" in window.status_label.text()
    qtbot.waitUntil(lambda: not panel.is_training, timeout=120000)

    assert panel.result is None
    assert panel.plot.plotted_points() == 0
    assert not panel.save_button.isEnabled()
    assert panel.train_button.isEnabled()
    assert "no model to save" in window.status_label.text()
    assert panel.progress.format() == "Training stopped before the first epoch"


def test_the_spin_boxes_take_their_ranges_from_the_limits(make_window):
    panel = make_window().train_panel
    for spin, limit in (
        (panel.epochs_spin, limits.EPOCHS),
        (panel.hidden_spin, limits.HIDDEN),
        (panel.batch_spin, limits.BATCH),
        (panel.val_spin, limits.VALIDATION),
        (panel.lr_spin, limits.LEARNING_RATE),
    ):
        assert spin.maximum() == limit.maximum
        assert spin.singleStep() == limit.step
        assert limit.range_text()[1:] in spin.toolTip()
    assert panel.epochs_spin.minimum() == limits.EPOCHS.minimum
    assert panel.patience_spin.maximum() == limits.PATIENCE.maximum
    panel.patience_spin.setValue(0)
    assert panel.patience_spin.text() == "off"
    panel.epochs_spin.setValue(limits.EPOCHS.maximum + 1)
    assert panel.epochs_spin.value() == limits.EPOCHS.maximum


def test_train_pressed_while_files_are_read_starts_when_they_are_in(
    make_window, qtbot, reference_midi
):
    panel = make_window().train_panel
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("reference"))
    _small_settings(panel, epochs=1)
    panel.add_paths([str(reference_midi)])
    qtbot.mouseClick(panel.train_button, LEFT)
    assert panel.progress.format() == "Training starts when every file is read…"
    assert not panel.is_training and panel.stop_button.isEnabled()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=300000)
    assert panel.result.model.config.kind == "reference"
    assert str(reference_midi) in panel._entries


def test_stop_cancels_a_training_waiting_for_its_files(make_window, qtbot, reference_midi):
    panel = make_window().train_panel
    panel.add_paths([str(reference_midi)])
    qtbot.mouseClick(panel.train_button, LEFT)
    qtbot.mouseClick(panel.stop_button, LEFT)
    assert panel.progress.format() == "Not training"
    qtbot.waitUntil(lambda: not panel.files.is_reading, timeout=60000)
    assert not panel.is_training
    assert panel.train_button.isEnabled()
    assert not panel.stop_button.isEnabled()
