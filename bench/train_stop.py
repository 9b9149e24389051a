"""How soon the Train panel's Stop ends training: pressed while TensorFlow loads, and mid-epoch.

Usage: python bench/train_stop.py

Drives the real Train panel on the reference solo in a fresh process (TensorFlow not loaded):
Train, then Stop 0.5 s later, while TensorFlow is still importing; then Train again and Stop
after the first epoch. Prints what the panel showed at once, how long after Stop training
ended, how long after TensorFlow's import returned, and whether Save was offered.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtWidgets import QApplication
from ui_stall import REFERENCE_MIDI, NullPort, run_for


def main() -> int:
    os.environ["JAZZGUI_CONFIG_DIR"] = tempfile.mkdtemp(prefix="jazzgui-stop-")
    os.environ["JAZZGUI_CACHE_DIR"] = tempfile.mkdtemp(prefix="jazzgui-stop-cache-")
    import jazzgui.model.training as training
    from jazzgui.ui.main_window import MainWindow

    loaded: list[float] = []
    make_strategy = training.make_strategy

    def timed_make_strategy(*args):  # the worker's TensorFlow import ends here
        strategy = make_strategy(*args)
        loaded.append(time.monotonic())
        return strategy

    training.make_strategy = timed_make_strategy
    QApplication(sys.argv[:1])
    port = NullPort(name="Null synth")
    window = MainWindow(
        port_lister=lambda: [port.name], port_opener=lambda name: port, load_tensorflow=False
    )
    window.show()
    run_for(0.3)
    panel = window.train_panel
    panel.add_paths([str(REFERENCE_MIDI)])
    run_for(120, until=lambda: not panel.files.is_reading)
    panel.epochs_spin.setValue(500)
    panel.hidden_spin.setValue(8)
    for phase in ("while TensorFlow loads", "after the first epoch"):
        panel.start_training()
        if phase == "while TensorFlow loads":
            run_for(0.5)
        else:
            run_for(300, until=lambda: len(panel.plot.train_points) >= 1)
        pressed = time.monotonic()
        panel.stop_training()
        shown = panel.progress.format()
        run_for(60, until=lambda: not panel.is_training)
        ended = time.monotonic()
        after_load = (
            f", {ended - loaded[-1]:.2f} s after TensorFlow's import returned"
            if loaded and loaded[-1] > pressed
            else ""
        )
        print(
            f"Stop {phase}: showed {shown!r} at once; training ended {ended - pressed:.2f} s "
            f"after Stop{after_load}; Save offered: {panel.save_button.isEnabled()}"
        )
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
