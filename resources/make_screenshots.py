"""Render the window under Xvfb: the Generate panel after a take, the Train panel while training.

Usage: python resources/make_screenshots.py [--out resources/screenshots]

Starts a private Xvfb server, runs the real application on it (QT_QPA_PLATFORM=xcb) with its
settings in a temporary folder, drives it, and saves PNGs. Needs the Debian package xvfb.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# The part that runs inside the X session: drive the real window and grab it.
_DRIVER = r"""
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from jazzgui.ui.main_window import MainWindow
from jazzgui.ui.style import app_icon, apply_style

out = Path(sys.argv[1])
repo = Path(sys.argv[2])
app = QApplication(sys.argv[:1])
app.setApplicationName("JazzGUI")
app.setWindowIcon(app_icon())
apply_style(app)
window = MainWindow()
window.resize(1280, 800)
window.move(0, 0)
window.show()
gp, tp = window.generate_panel, window.train_panel
plan = [
    ("blues-f", 1, 200, 1),
    ("rhythm-changes", 1, 240, 2),
    ("minor-blues", 1, 220, 3),
]


def wait_until(condition, then, timeout_s=180.0, started=None):
    import time

    started = started or time.monotonic()
    if condition():
        QTimer.singleShot(300, then)
    elif time.monotonic() - started > timeout_s:
        print("timed out waiting", file=sys.stderr)
        app.exit(3)
    else:
        QTimer.singleShot(100, lambda: wait_until(condition, then, timeout_s, started))


def start():
    # Train first (and grab the panel mid-training), then generate with the model just made.
    window.tabs.setCurrentWidget(tp)
    solos = sorted((repo / "data" / "solos").glob("*.musicxml"), key=lambda p: p.stat().st_size)
    # Middle-sized solos: enough bars for a validation curve, quick enough to train.
    chosen = solos[len(solos) // 3 :][:6]
    tp.add_paths([str(p) for p in chosen] + [str(repo / "resources" / "jazzgui.desktop")])
    wait_until(lambda: len(tp._entries) == tp.table.rowCount(), start_training)


def start_training():
    tp.preset_combo.setCurrentText("Quick")
    tp.preset_combo.activated.emit(tp.preset_combo.currentIndex())
    # Short solos: hold out more bars, so each held-out block is longer than a training window.
    tp.val_spin.setValue(0.3)
    tp.start_training()
    wait_until(lambda: len(tp.plot.train_points) >= 9, shoot_train, timeout_s=600)


def shoot_train():
    window.grab().save(str(out / "train.png"))
    wait_until(lambda: tp.result is not None and not tp.is_training, save_model, timeout_s=600)


def save_model():
    tp.save_model_to(str(Path(sys.argv[3]) / "models" / "my-style.jazzmodel"))
    window.tabs.setCurrentWidget(gp)
    wait_until(lambda: gp._model is not None, take)


def take(i=0):
    if i == len(plan):
        return finish_generate()
    form, choruses, tempo, seed = plan[i]
    index = gp.form_combo.findData(form)
    gp.form_combo.setCurrentIndex(index)
    gp.form_combo.activated.emit(index)
    gp.choruses_spin.setValue(choruses)
    gp.tempo_spin.setValue(tempo)
    gp.seed_spin.setValue(seed)
    gp.seed_lock.setChecked(True)
    gp.generate()
    wait_until(lambda: len(gp.takes) > i and not gp.is_playing, lambda: take(i + 1))


def finish_generate():
    gp.take_table.selectRow(0)
    gp.toggle_star()
    form = gp.form_combo.findData("blues-f")
    gp.form_combo.setCurrentIndex(form)
    gp.form_combo.activated.emit(form)
    gp.tempo_spin.setValue(160)
    gp.seed_spin.setValue(7)
    gp.generate()
    # Grab mid-take: the playhead moves through the bars generated so far.
    wait_until(lambda: (gp._playhead_beat or 0) > 26, shoot_generate)


def shoot_generate():
    window.grab().save(str(out / "generate.png"))
    window.close()


QTimer.singleShot(500, start)
sys.exit(app.exec())
"""


def _free_display() -> int:
    for number in range(90, 130):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            return number
    raise SystemExit("no free X display number between :90 and :129")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "resources" / "screenshots")
    args = parser.parse_args()
    if shutil.which("Xvfb") is None:
        print("Xvfb is not installed (Debian package xvfb).", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    display = _free_display()
    xvfb = subprocess.Popen(
        ["Xvfb", f":{display}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            if Path(f"/tmp/.X11-unix/X{display}").exists():
                break
            time.sleep(0.1)
        with tempfile.TemporaryDirectory() as config:
            env = dict(os.environ)
            env.update(
                DISPLAY=f":{display}",
                QT_QPA_PLATFORM="xcb",
                JAZZGUI_CONFIG_DIR=config,
                TF_CPP_MIN_LOG_LEVEL="2",
            )
            env.pop("WAYLAND_DISPLAY", None)
            result = subprocess.run(
                [sys.executable, "-c", _DRIVER, str(args.out), str(REPO), config],
                env=env,
                timeout=900,
            )
        if result.returncode != 0:
            print(f"the app exited with {result.returncode}", file=sys.stderr)
            return result.returncode
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)
    for name in ("generate.png", "train.png"):
        print(args.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
