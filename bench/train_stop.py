"""How soon the Train panel's Stop frees it: pressed while TensorFlow loads, at moments through
the corpus, the network's building and the first step's tracing, and mid-epoch.

Usage: python bench/train_stop.py

Drives the real Train panel on the reference solo in a fresh process (TensorFlow not loaded):
Train, then Stop 0.5 s later, while TensorFlow is still importing; then, TensorFlow loaded, Train
and Stop after each of several delays; then Stop after the first epoch. Prints, for each, how
long after Stop the panel was free, whether the run ended or was let go to end in the
background (it had learnt nothing yet), and whether Save was offered; and the worst case.
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
    started = time.monotonic()
    window.show()
    run_for(0.3)
    panel = window.train_panel
    panel.add_paths([str(REFERENCE_MIDI)])
    run_for(120, until=lambda: not panel.files.is_reading)
    panel.epochs_spin.setValue(500)
    panel.hidden_spin.setValue(8)
    phases = [("while TensorFlow loads (0.5 s after Train)", 0.5)]
    delays = (0.1, 0.3, 0.6, 1.0, 1.5, 2.0, 3.0)  # the corpus, the network, the first tracing
    phases += [(f"{delay:.1f} s after Train", delay) for delay in delays]
    phases.append(("after the first epoch", None))
    worst = 0.0
    print(f"{'Stop pressed':<44}{'panel free after':>17}  run        Save offered")
    for phase, delay in phases:
        panel.start_training()
        handle = panel._train_thread
        if delay is not None:
            run_for(delay)
        else:
            run_for(300, until=lambda: len(panel.plot.train_points) >= 1)
        if not panel.is_training:
            print(f"{phase:<44}{'(had ended)':>17}")
            continue
        pressed = time.monotonic()
        panel.stop_training()
        run_for(60, until=lambda: not panel.is_training)
        free = time.monotonic() - pressed
        worst = max(worst, free)
        how = "let go" if handle.running else "ended"
        print(f"{phase:<44}{free:>15.2f} s  {how:<10} {panel.save_button.isEnabled()}")
        run_for(120, until=lambda h=handle: not h.running)  # the next run starts from quiet
    load = f" (TensorFlow's import returned {loaded[0] - started:.1f} s after start)"
    print(f"worst: the panel was free {worst:.2f} s after Stop{load if loaded else ''}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
