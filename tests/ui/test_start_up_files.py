"""Files given at start-up (`jazzgui song.mid`, the desktop entry's %F) open in the window,
through the real entry point: solos in the Train list, models in Generate."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer

from jazzgui import app
from jazzgui.ui import main_window

sys.path.insert(0, str(Path(__file__).parents[1] / "music"))

from midi_factory import band_file


def test_files_given_to_jazzgui_open_in_the_window(
    qapp, tmp_path, monkeypatch, fake_port, tiny_model_path
):
    solo = band_file(tmp_path / "song.mid")
    seen: dict[str, object] = {}
    real_window = main_window.MainWindow

    def quiet_window():
        # The real window, on a fake port and without preloading TensorFlow (as make_window).
        window = real_window(
            port_lister=lambda: [fake_port.name],
            port_opener=lambda name: fake_port,
            load_tensorflow=False,
        )
        QTimer.singleShot(0, lambda: look_then_close(window))
        return window

    def look_then_close(window):
        # Runs once the event loop has started, after run_app opened the paths. It must never
        # raise: run_app's error hook would show a modal message box.
        try:
            seen["train"] = window.train_panel.paths()
            combo = window.generate_panel.model_combo
            seen["models"] = [combo.itemData(i) for i in range(combo.count())]
        finally:
            window.close()

    monkeypatch.setattr(main_window, "MainWindow", quiet_window)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_app installs its own
    assert app.main([str(solo), str(tiny_model_path)]) == 0
    assert seen["train"] == [str(solo)]
    assert any(str(item) == str(tiny_model_path) for item in seen["models"])
