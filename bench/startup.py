"""Start-up time: process start to the window shown and answering input, next to importing TF.

Usage: python bench/startup.py [--runs 5]

Each run starts a fresh Python process. The window counts as answering once it is visible and
a key press posted to it after the first paint has been handled by the event loop. The same
machine then times `python -c "import tensorflow"` (what a window would wait for if it loaded
TensorFlow first) and `python -c "pass"` (the interpreter alone). Median and best are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

# Runs in the child: the same steps as run_app, then prove the event loop answers a key press.
_CHILD = r"""
import sys
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from jazzgui.ui.main_window import MainWindow
from jazzgui.ui.style import app_icon, apply_style

app = QApplication(sys.argv[:1])
app.setWindowIcon(app_icon())
apply_style(app)
window = MainWindow()


class KeyWatch(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_F24:
            visible = window.isVisible()
            tf = "tensorflow" in sys.modules
            sys.stdout.write(f"READY visible={visible} tensorflow_loaded={tf}\n")
            sys.stdout.flush()
            QTimer.singleShot(0, window.close)
            return True
        return False


watch = KeyWatch()
window.installEventFilter(watch)


def poke():
    key = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_F24, Qt.KeyboardModifier.NoModifier)
    app.postEvent(window, key)


window.shown.connect(poke)
window.show()
app.exec()
"""


def _env(config: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["JAZZGUI_CONFIG_DIR"] = config
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return env


def time_window(config: str) -> tuple[float, str]:
    """Seconds from spawning the process to the READY line."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD],
        env=_env(config),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    elapsed = time.perf_counter() - started
    child.wait(timeout=300)  # closing waits for the background TensorFlow load
    if not line.startswith("READY"):
        raise SystemExit(f"the window did not come up (exit code {child.returncode})")
    return elapsed, line.strip()


def time_command(code: str, config: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code],
        env=_env(config),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    window, tensorflow, bare = [], [], []
    detail = ""
    with tempfile.TemporaryDirectory() as config:
        time_command("import tensorflow", config)  # warm the file cache for a fair comparison
        for _ in range(args.runs):
            seconds, detail = time_window(config)
            window.append(seconds)
            tensorflow.append(time_command("import tensorflow", config))
            bare.append(time_command("pass", config))
    print(f"JazzGUI start-up, {args.runs} runs each (seconds, wall clock from process start)")
    print(f"{'measure':<52} {'median':>8} {'best':>8}")
    rows = (
        ("JazzGUI window shown and answering a key press", window),
        ('python -c "import tensorflow"  (reference)', tensorflow),
        ('python -c "pass"  (interpreter alone)', bare),
    )
    for label, values in rows:
        print(f"{label:<52} {statistics.median(values):8.2f} {min(values):8.2f}")
    print(f"last window run: {detail}")
    print("target: window under 1.0 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
