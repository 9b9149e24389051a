"""Event-loop stalls while the Train panel reads solo files: the worst lateness of a 10 ms timer.

Usage: python bench/train_reading_stall.py [--files 19]

Adds the first N files of the built-in corpus (data/solos) to the real Train panel with an
empty cache (a cold read) and records every tick of a 10 ms precise timer until every row has
its report; then the same with a warm cache. Beside it, the way the panel read before: one
QThread in this process reading the files one by one (issue 15 measured 1.44 s stalls).
Target: worst lateness under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtWidgets import QApplication
from ui_stall import NullPort, StallMeter, run_for, summary

SOLOS = Path(__file__).resolve().parents[1] / "data" / "solos"


def _in_thread_reading(paths: list[Path], meter: StallMeter) -> tuple[list[float], float]:
    """The former panel: a worker thread in this process reads the files one after another."""
    from jazzgui.music.corpus import build_corpus
    from jazzgui.ui.workers import Worker, start_worker

    def work(report, cancel):
        for path in paths:
            if cancel.is_set():
                break
            report(build_corpus([path], workers=1, use_cache=False).entries[0])

    done: list[object] = []
    worker = Worker(work)
    worker.progress.connect(done.append)
    started = time.monotonic()
    meter.start()
    handle = start_worker(worker, "in-thread-reading")
    run_for(600, until=lambda: not handle.running)
    return meter.stop(), time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=19, help="how many built-in solos to read")
    args = parser.parse_args()
    paths = sorted(p for p in SOLOS.iterdir() if p.is_file())[: args.files]
    os.environ["JAZZGUI_CONFIG_DIR"] = tempfile.mkdtemp(prefix="jazzgui-reading-stall-")
    os.environ["JAZZGUI_CACHE_DIR"] = tempfile.mkdtemp(prefix="jazzgui-reading-cache-")

    from jazzgui.ui.main_window import MainWindow

    QApplication(sys.argv[:1])
    port = NullPort(name="Null synth")
    window = MainWindow(
        port_lister=lambda: [port.name], port_opener=lambda name: port, load_tensorflow=False
    )
    window.show()
    run_for(0.5)
    panel = window.train_panel
    window.tabs.setCurrentWidget(panel)
    meter = StallMeter()
    meter.start()
    run_for(3.0)  # the machine's own noise, to read the rest against
    rows = [("idle window (baseline)", meter.stop(), 3.0)]
    for label in ("Train panel, cold cache (worker processes)", "Train panel, warm cache"):
        panel.files.clear_files()
        started = time.monotonic()
        meter.start()
        panel.add_paths([str(p) for p in paths])
        run_for(600, until=lambda: len(panel._entries) == len(paths))
        rows.append((label, meter.stop(), time.monotonic() - started))
    lateness, seconds = _in_thread_reading(paths, meter)
    rows.append(("before: one reading thread in the GUI process", lateness, seconds))
    window.close()

    print(f"{len(paths)} files from {SOLOS}, every row's report in place; 10 ms timer lateness")
    print(f"{'phase':48} {'ticks':>6} {'mean ms':>8} {'p99 ms':>7} {'worst ms':>9} {'wall s':>7}")
    for label, values, wall in rows:
        ticks, mean, p99, worst = summary(values)
        print(f"{label:48} {ticks:6d} {mean:8.1f} {p99:7.0f} {worst:9.0f} {wall:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
