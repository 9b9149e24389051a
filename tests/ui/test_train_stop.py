"""Stop frees the Train panel within its grace time even while the run cannot be interrupted
(TensorFlow's import, the first step's tracing); the let-go run ends in the background without
touching the panel, and quitting afterwards exits cleanly."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt

from jazzgui.model.training import EpochLog
from jazzgui.ui import workers

LEFT = Qt.MouseButton.LeftButton


def _ready_panel(make_window, qtbot, reference_midi):
    window = make_window()
    panel = window.train_panel
    panel.add_paths([str(reference_midi)])
    qtbot.waitUntil(lambda: not panel.files.is_reading, timeout=60000)
    panel.epochs_spin.setValue(5)
    panel.hidden_spin.setValue(8)
    return window, panel


@pytest.fixture
def stuck_training(monkeypatch):
    """Training that cannot be interrupted until `release` is set (as TensorFlow's import or a
    graph's tracing), then reports an epoch and returns a model, whatever was asked meanwhile."""
    release, inside = threading.Event(), threading.Event()

    def train(corpus, model_config, train_config, on_epoch=None, should_stop=None):
        inside.set()
        release.wait(60)
        on_epoch(EpochLog(1, 2.5, 2.6, 0.1))
        return SimpleNamespace(history=[EpochLog(1, 2.5, 2.6, 0.1)], reason="stopped")

    monkeypatch.setattr(workers, "_load_training_engine", lambda: None)
    monkeypatch.setattr("jazzgui.model.training.train", train)
    yield SimpleNamespace(release=release, inside=inside)
    release.set()


def _train_and_stop_while_stuck(qtbot, panel, stuck_training):
    """Train, wait until the run is stuck, press Stop and wait until the panel is free; the
    stuck run's handle."""
    qtbot.mouseClick(panel.train_button, LEFT)
    assert stuck_training.inside.wait(30)
    handle = panel._train_thread
    qtbot.mouseClick(panel.stop_button, LEFT)
    assert panel.progress.format() == "Stopping…"
    qtbot.waitUntil(lambda: not panel.is_training, timeout=5000)
    return handle


def test_stop_frees_the_panel_while_the_run_cannot_be_interrupted(
    make_window, qtbot, reference_midi, stuck_training
):
    window, panel = _ready_panel(make_window, qtbot, reference_midi)
    handle = _train_and_stop_while_stuck(qtbot, panel, stuck_training)
    assert handle.running  # the run is still stuck, yet the panel is free
    assert panel.train_button.isEnabled()
    assert not panel.stop_button.isEnabled()
    assert not panel.save_button.isEnabled()
    assert panel.add_files_button.isEnabled()
    assert panel.progress.format() == "Training stopped before the first epoch"
    assert "no model to save" in window.status_label.text()

    # The let-go run ends in the background; its late epoch and model never reach the panel.
    stuck_training.release.set()
    qtbot.waitUntil(lambda: not handle.running, timeout=30000)
    qtbot.wait(100)
    assert panel.plot.plotted_points() == 0
    assert panel.result is None
    assert not panel.save_button.isEnabled()
    assert panel.progress.format() == "Training stopped before the first epoch"
    assert "Epoch 1" not in window.status_label.text()


def test_train_again_after_a_let_go_run_follows_only_the_new_run(
    make_window, qtbot, reference_midi, stuck_training
):
    _, panel = _ready_panel(make_window, qtbot, reference_midi)
    first = _train_and_stop_while_stuck(qtbot, panel, stuck_training)

    stuck_training.inside.clear()
    qtbot.mouseClick(panel.train_button, LEFT)
    assert panel.is_training and panel._train_thread is not first
    assert stuck_training.inside.wait(30)
    stuck_training.release.set()  # both runs report an epoch and end
    qtbot.waitUntil(lambda: not panel.is_training and not first.running, timeout=30000)
    assert panel.plot.plotted_points() == 1  # the new run's epoch only, not the let-go one's
    assert panel.result is not None and len(panel.result.history) == 1
    assert panel.save_button.isEnabled()


def test_closing_while_a_let_go_run_is_stuck_waits_for_it_and_closes(
    make_window, qtbot, reference_midi, stuck_training
):
    window, panel = _ready_panel(make_window, qtbot, reference_midi)
    handle = _train_and_stop_while_stuck(qtbot, panel, stuck_training)
    threading.Timer(0.5, stuck_training.release.set).start()
    window.close()  # waits for the let-go thread: a QThread destroyed running would abort
    assert not window.isVisible()
    assert not handle.running


_COLD_STOP_SCRIPT = textwrap.dedent(
    """
    import os, sys, tempfile, time


    def main():
        os.environ["JAZZGUI_CONFIG_DIR"] = tempfile.mkdtemp()
        from PySide6.QtWidgets import QApplication
        from jazzgui.ui.main_window import MainWindow

        assert "tensorflow" not in sys.modules
        app = QApplication([])
        window = MainWindow(port_lister=lambda: [], load_tensorflow=False)
        window.show()
        panel = window.train_panel

        def spin(seconds, until=lambda: False):
            end = time.monotonic() + seconds
            while time.monotonic() < end and not until():
                app.processEvents()
                time.sleep(0.01)

        panel.add_paths([sys.argv[1]])
        spin(120, lambda: str(sys.argv[1]) in panel._entries and not panel.files.is_reading)
        panel.epochs_spin.setValue(5)
        panel.hidden_spin.setValue(8)
        panel.train_button.click()
        print("training", panel.is_training, flush=True)
        spin(60, lambda: "tensorflow" in sys.modules)  # the worker is importing TensorFlow
        panel.stop_button.click()
        spin(60, lambda: not panel.is_training)
        print("free", not panel.is_training, panel.train_button.isEnabled(),
              panel.save_button.isEnabled(), repr(panel.progress.format()), flush=True)
        window.close()
        print("closed", flush=True)


    if __name__ == "__main__":  # file reading starts processes that import this file
        main()
    """
)


def test_stop_while_tensorflow_first_loads_frees_the_panel_and_quits_cleanly(
    reference_midi, tmp_path
):
    """A fresh process, TensorFlow not yet loaded: Train, then Stop while it imports."""
    script = tmp_path / "cold_stop.py"
    script.write_text(_COLD_STOP_SCRIPT)
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, str(script), str(reference_midi)],
        capture_output=True, text=True, timeout=300, env=env, cwd=Path(__file__).parents[2],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "training True"
    assert "free True True False 'Training stopped before the first epoch'" in lines
    assert lines[-1] == "closed"
    assert "QThread: Destroyed while thread" not in done.stderr
