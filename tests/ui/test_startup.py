"""Start-up: the window answers before TensorFlow loads; no display gives a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

_CHECK_WINDOW_FIRST = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from jazzgui.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    window = MainWindow()
    seen = {}

    def on_shown():
        seen["visible"] = window.isVisible()
        seen["tensorflow"] = "tensorflow" in sys.modules
        seen["keras"] = "keras" in sys.modules
        wait_for_engine()

    def wait_for_engine():
        # Once the window answers, the background loader brings TensorFlow in.
        if "ready" in window.engine_label.text() or "unavailable" in window.engine_label.text():
            window.close()
        else:
            QTimer.singleShot(100, wait_for_engine)

    window.shown.connect(on_shown)
    window.show()
    app.exec()
    print(seen["visible"], seen["tensorflow"], seen["keras"], "tensorflow" in sys.modules)
    """
)


def _env(tmp_path, **extra):
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", JAZZGUI_CONFIG_DIR=str(tmp_path / "cfg"))
    env.update(extra)
    return env


def test_window_is_shown_before_tensorflow_is_imported(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", _CHECK_WINDOW_FIRST],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    visible, tf_at_show, keras_at_show, tf_at_end = result.stdout.split()[-4:]
    assert visible == "True"
    assert tf_at_show == "False"
    assert keras_at_show == "False"
    assert tf_at_end == "True"  # the background loader did load it


def test_importing_the_ui_does_not_import_tensorflow(tmp_path):
    code = (
        "import sys, jazzgui.ui.main_window, jazzgui.ui.train_panel, jazzgui.ui.generate_panel;"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules, 'pyqtgraph' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["False", "False", "False"], result.stderr


def test_no_display_prints_the_headless_command_and_returns_1(tmp_path):
    env = _env(tmp_path)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "jazzgui"], env=env, capture_output=True, text=True, timeout=120
    )
    if not sys.platform.startswith("linux"):
        return
    assert result.returncode == 1
    assert "jazzgui generate -o take.mid" in result.stderr
    assert "Traceback" not in result.stderr
