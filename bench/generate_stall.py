"""Event-loop stall when Generate is pressed on a long take (issue 15: 0.4 s for 1,024 bars).

Usage: python bench/generate_stall.py [--bars 1024] [--repeats 3]

Drives the real main window (offscreen unless QT_QPA_PLATFORM says otherwise) with the starter
model playing to a port that swallows messages. A 10 ms precise QTimer runs from before the
click until two seconds after it; its worst lateness is the longest the window could not
answer. The click's own time (from the button's click to the return of the slot) is printed
beside it, with the time to the first bar's notes reaching the piano roll.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

sys.path.insert(0, os.path.dirname(__file__))
from ui_stall import NullPort, StallMeter, run_for, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=1024, help="bars of the take")
    parser.add_argument("--repeats", type=int, default=3, help="presses of Generate")
    args = parser.parse_args()
    os.environ["JAZZGUI_CONFIG_DIR"] = tempfile.mkdtemp(prefix="jazzgui-gstall-")

    from jazzgui.ui.main_window import MainWindow

    QApplication(sys.argv[:1])
    port = NullPort(name="Null synth")
    window = MainWindow(
        port_lister=lambda: [port.name], port_opener=lambda name: port, load_tensorflow=False
    )
    window.show()
    panel = window.generate_panel
    run_for(30, until=lambda: panel._model is not None)
    panel.choruses_spin.setValue(1)
    panel.progression_edit.setPlainText("Dm7 G7 | Cmaj7 | " * (args.bars // 2))
    panel.tempo_spin.setValue(200)
    print(f"Pressing Generate on a {len(panel.controls.progression)}-bar take")
    print(f"{'press':<6} {'click ms':>9} {'first bar ms':>13} {'worst late ms':>14} {'p99':>7}")
    meter = StallMeter()
    for press in range(args.repeats):
        meter.start()
        run_for(0.3)
        started = time.perf_counter()
        panel.generate_button.click()
        clicked = time.perf_counter()
        run_for(10, until=lambda: bool(panel.piano_roll.canvas.events))
        first_bar = time.perf_counter()
        run_for(2.0)
        _ticks, _mean, p99, worst = summary(meter.stop())
        print(
            f"{press + 1:<6} {(clicked - started) * 1000:9.1f} "
            f"{(first_bar - started) * 1000:13.1f} {worst:14.1f} {p99:7.1f}"
        )
        panel.stop()
        run_for(0.3)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
