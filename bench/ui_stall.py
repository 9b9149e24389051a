"""Event-loop stalls: how late a 10 ms QTimer fires while the app loads, trains and plays.

Usage: python bench/ui_stall.py [--seconds 8]

Drives the real main window (offscreen unless QT_QPA_PLATFORM says otherwise) and, in each
phase, records every tick of a 10 ms precise timer: its lateness is the gap since the previous
tick minus 10 ms. Phases: idle; TensorFlow loading in the background; training the reference
solo in the worker thread; playing a take to a fake MIDI port while bars are generated. The
reference method, training on the GUI thread (as a naive app calling fit() from a slot would),
is timed the same way and printed beside them. Target: worst lateness under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import mido
from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication

REFERENCE_MIDI = (
    Path(__file__).resolve().parents[2] / "shared" / "seed-data" / "original_metheny.mid"
)
TICK_MS = 10


class NullPort(mido.ports.BaseOutput):
    """A MIDI output that swallows messages (the stall, not the sound, is measured)."""

    def _send(self, msg: mido.Message) -> None:
        pass


class StallMeter:
    """Lateness of a 10 ms precise timer, collected between start() and stop()."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self.lateness: list[float] = []
        self._last = 0

    def start(self) -> None:
        self.lateness = []
        self.clock.start()
        self._last = 0
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.lateness.append(max(now - self._last - TICK_MS, 0))
        self._last = now

    def stop(self) -> list[float]:
        self.timer.stop()
        return self.lateness


def run_for(seconds: float, until=None) -> None:
    """Spin the event loop for `seconds`, or until `until()` is true (checked every 50 ms)."""
    loop = QEventLoop()
    deadline = time.monotonic() + seconds

    def check() -> None:
        if time.monotonic() >= deadline or (until is not None and until()):
            loop.quit()

    poll = QTimer()
    poll.timeout.connect(check)
    poll.start(50)
    loop.exec()
    poll.stop()


def summary(values: list[float]) -> tuple[int, float, float, float]:
    if not values:
        return 0, 0.0, 0.0, 0.0
    ordered = sorted(values)
    p99 = ordered[min(int(len(ordered) * 0.99), len(ordered) - 1)]
    return len(values), statistics.mean(values), p99, ordered[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each phase")
    args = parser.parse_args()
    if not REFERENCE_MIDI.exists():
        print(f"{REFERENCE_MIDI} is missing", file=sys.stderr)
        return 1
    config = tempfile.mkdtemp(prefix="jazzgui-stall-")
    os.environ["JAZZGUI_CONFIG_DIR"] = config

    from jazzgui.ui.main_window import MainWindow

    QApplication(sys.argv[:1])
    port = NullPort(name="Null synth")
    window = MainWindow(port_lister=lambda: [port.name], port_opener=lambda name: port)
    meter = StallMeter()
    rows: list[tuple[str, list[float]]] = []

    window.show()
    run_for(0.3)
    meter.start()
    run_for(2.0)  # shorter than the engine's idle delay: TensorFlow has not started loading
    rows.append(("idle window (just started)", meter.stop()))

    # The window's own loader imports TensorFlow (normally after a quiet moment).
    meter.start()
    window.load_training_engine()
    run_for(120, until=lambda: "ready" in window.engine_label.text())
    rows.append(("TensorFlow loading in the background", meter.stop()))

    panel = window.train_panel
    window.tabs.setCurrentWidget(panel)
    panel.add_paths([str(REFERENCE_MIDI)])
    run_for(60, until=lambda: len(panel._entries) == 1)
    panel.epochs_spin.setValue(1000)
    panel.hidden_spin.setValue(64)
    panel.start_training()
    run_for(120, until=lambda: len(panel.plot.train_points) >= 1)  # past graph tracing
    meter.start()
    run_for(args.seconds)
    rows.append(("training in the worker thread (hidden 64)", meter.stop()))
    epochs_seen = len(panel.plot.train_points)
    stop_pressed = time.monotonic()
    panel.stop_training()
    run_for(30, until=lambda: not panel.is_training)
    stop_seconds = time.monotonic() - stop_pressed

    model_path = Path(config) / "stall.jazzmodel"
    panel.save_model_to(str(model_path))
    generate = window.generate_panel
    window.tabs.setCurrentWidget(generate)
    run_for(30, until=lambda: generate._model is not None)
    generate.choruses_spin.setValue(4)
    generate.tempo_spin.setValue(200)
    generate.generate()
    run_for(2.0)
    meter.start()
    run_for(args.seconds)
    rows.append(("playing while bars are generated", meter.stop()))
    generate.stop()

    # The reference: training called on the GUI thread blocks the event loop for whole epochs.
    from jazzgui.model.config import ModelConfig, TrainConfig
    from jazzgui.model.training import train
    from jazzgui.music.corpus import build_corpus

    corpus = build_corpus([REFERENCE_MIDI])
    meter.start()
    QTimer.singleShot(
        20,
        lambda: train(
            corpus, ModelConfig(n_a=64, kind="reference"), TrainConfig(epochs=3, val_fraction=0.1)
        ),
    )
    run_for(120, until=lambda: len(meter.lateness) > 5 and max(meter.lateness) > 100)
    run_for(0.3)
    rows.append(("reference: training on the GUI thread (3 epochs)", meter.stop()))

    window.close()
    print(
        f"Event-loop lateness of a {TICK_MS} ms timer (ms); {epochs_seen} epochs seen in training"
    )
    print(f"{'phase':<50} {'ticks':>6} {'mean':>7} {'p99':>7} {'worst':>7}")
    for label, values in rows:
        ticks, mean, p99, worst = summary(values)
        print(f"{label:<50} {ticks:>6} {mean:7.1f} {p99:7.1f} {worst:7.1f}")
    print("target: worst under 50 ms in every phase of the app")
    print(f"Stop pressed to training thread ended: {stop_seconds:.2f} s (target under 1 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
