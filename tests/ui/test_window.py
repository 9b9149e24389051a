"""The window as a whole: tooltips, shortcuts, tab order, drag and drop, ports, bad model files."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QKeySequence
from PySide6.QtWidgets import QCheckBox, QComboBox, QPushButton, QTabBar, QToolButton

from jazzgui.errors import PortError
from jazzgui.playback.audio_out import BuiltInSynthPort
from jazzgui.ui.audio_out import BUILT_IN_SYNTH_NAME


def test_every_control_has_a_tooltip(make_window):
    window = make_window()
    controls = []
    for kind in (QPushButton, QToolButton, QCheckBox, QComboBox):
        controls += [
            w
            for w in window.findChildren(kind)
            # Qt's own helpers: tab-bar scroll arrows, the menu bar's overflow button.
            if not isinstance(w.parent(), QTabBar) and not w.objectName().startswith("qt_")
        ]
    for panel in (window.generate_panel, window.train_panel):
        controls += [
            panel.findChild(type(w), w.objectName()) or w
            for w in (
                getattr(panel, name)
                for name in dir(panel)
                if name.endswith(("_spin", "_edit", "_table"))
            )
        ]
    assert len(controls) > 30
    missing = [
        f"{type(w).__name__} {w.text() if hasattr(w, 'text') else ''}"
        for w in controls
        if not w.toolTip()
    ]
    assert missing == []


def test_shortcuts_reach_their_actions(make_window):
    window = make_window()
    shortcuts = {
        s.toString(): a.text().replace("&", "") for a in window.actions() for s in a.shortcuts()
    }
    assert shortcuts["Ctrl+G"] == "Generate"
    assert shortcuts["Ctrl+."] == "Stop"
    assert shortcuts["Space"] == "Stop (Space)"
    assert shortcuts["Esc"] == "Panic"
    assert shortcuts["Ctrl+T"] == "Train"
    assert shortcuts[QKeySequence("Ctrl+O").toString()].startswith("Open Solo Files")


def test_tab_moves_through_the_generate_controls_in_visual_order(make_window, qtbot):
    from PySide6.QtWidgets import QApplication

    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    panel = window.generate_panel
    panel.model_combo.setFocus()
    expected = [
        panel.form_combo,
        panel.meter_combo,
        panel.choruses_spin,
        panel.progression_edit,
        panel.tempo_spin,
        panel.swing_spin,
        panel.temperature_spin,
        panel.seed_spin,
        panel.seed_lock,
        panel.seed_dice,
        panel.network_only_check,
        panel.instrument_combo,
        panel.comp_check,
        panel.bass_check,
        panel.ports.combo,
    ]
    for widget in expected:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is widget


def test_dropping_files_adds_them_to_the_corpus(make_window, qtbot, reference_midi):
    panel = make_window().train_panel
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(reference_midi))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    panel.dropEvent(event)
    assert panel.paths() == [str(reference_midi)]
    qtbot.waitUntil(lambda: str(reference_midi) in panel._entries, timeout=60000)
    assert panel._entries[str(reference_midi)].ok
    assert panel.train_button.isEnabled()


def test_a_port_that_fails_to_open_falls_back_to_the_built_in_synth(make_window):
    def broken(name):
        raise PortError(f"The MIDI output {name!r} cannot be opened: it vanished.")

    window = make_window(port_lister=lambda: ["Gone synth"], port_opener=broken)
    ports = window.generate_panel.ports
    assert ports.port_name == BUILT_IN_SYNTH_NAME
    assert isinstance(ports.port, BuiltInSynthPort)
    assert "vanished" in window.status_label.text()


def test_test_note_plays_and_releases_on_the_output(make_window, qtbot, fake_port):
    window = make_window()
    qtbot.mouseClick(window.generate_panel.ports.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(fake_port.notes()) == 8, timeout=3000)
    assert fake_port.sounding() == set()


def test_a_corrupt_model_file_is_explained_and_the_app_stays_usable(make_window, qtbot, tmp_path):
    bad = tmp_path / "broken.jazzmodel"
    bad.write_bytes(b"not a zip at all")
    window = make_window()
    panel = window.generate_panel
    panel.add_model(str(bad))
    qtbot.waitUntil(lambda: "broken.jazzmodel" in window.status_label.text(), timeout=10000)
    assert panel._model is None
    assert not panel.generate_button.isEnabled()
    panel.tempo_spin.setValue(150)
    assert panel.tempo_spin.value() == 150


def _drop(widget, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    widget.dropEvent(event)


def test_dropping_on_the_window_sends_models_and_solos_where_they_belong(
    make_window, qtbot, reference_midi, tiny_model_path
):
    window = make_window()
    _drop(window, [tiny_model_path])
    assert window.tabs.currentWidget() is window.generate_panel
    assert window.generate_panel.model_combo.currentData() == str(tiny_model_path)
    qtbot.waitUntil(lambda: window.generate_panel._model is not None, timeout=10000)
    _drop(window, [reference_midi])
    assert window.tabs.currentWidget() is window.train_panel
    assert window.train_panel.paths() == [str(reference_midi)]


def test_tensorflow_waits_while_the_person_types_then_loads_for_training(
    make_window, qtbot, monkeypatch
):
    from jazzgui.ui import main_window
    from jazzgui.ui.main_window import ENGINE_IDLE_DELAY_MS

    # Another test may have imported TensorFlow into this process already: act as if not.
    monkeypatch.setattr(main_window, "_training_engine_loaded", lambda: False)
    window = make_window(load_tensorflow=True)
    edit = window.generate_panel.progression_edit
    for _ in range(4):  # typing for longer than the idle delay keeps TensorFlow waiting
        qtbot.keyClick(edit, Qt.Key.Key_Space)
        qtbot.wait(ENGINE_IDLE_DELAY_MS // 2)
    assert window._tensorflow_loader is None
    assert "in a moment" in window.engine_label.text()
    window.tabs.setCurrentWidget(window.train_panel)  # opening Train loads it at once
    assert window._tensorflow_loader is not None
    qtbot.waitUntil(lambda: "ready" in window.engine_label.text(), timeout=120000)


def test_files_given_at_launch_open_like_dropped_ones(make_window, qtbot, reference_midi):
    from jazzgui.cli import is_command

    # The desktop entry runs `jazzgui %F`: file names open the window, command words the CLI.
    assert is_command("generate") and is_command("--version")
    assert not is_command(str(reference_midi))
    window = make_window()
    window.open_paths([str(reference_midi)])
    assert window.tabs.currentWidget() is window.train_panel
    assert window.train_panel.paths() == [str(reference_midi)]
