"""The main window: Generate and Train panels, menus, status bar, background loading, shutdown."""

from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import QByteArray, QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMainWindow, QMessageBox, QTabWidget

from jazzgui import __version__
from jazzgui.ui.audio_out import AudioOutput
from jazzgui.ui.eliding_label import ElidingLabel
from jazzgui.ui.generate_panel import GeneratePanel
from jazzgui.ui.gui_gc import GuiThreadCollector
from jazzgui.ui.ports_widget import PortLister, PortOpener
from jazzgui.ui.settings_store import (
    APPLICATION,
    ORGANIZATION,
    AppSettings,
    load_settings,
    save_settings,
)
from jazzgui.ui.soundfont_menu import SoundFontMenu
from jazzgui.ui.style import app_icon, apply_style
from jazzgui.ui.train_panel import TrainPanel
from jazzgui.ui.workers import (
    Worker,
    WorkerHandle,
    describe_error,
    run_in_background_priority,
    start_worker,
    stop_all_workers,
)

log = logging.getLogger(__name__)

# TensorFlow loads once the window has been quiet this long (or when Train is opened).
ENGINE_IDLE_DELAY_MS = 2500
_INPUT_EVENTS = (
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.Wheel,
)

_HEADLESS_MESSAGE = (
    "jazzgui: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window "
    "cannot open.\n"
    "Without a display, improvise from the command line instead, for example:\n"
    "    jazzgui generate -o take.mid\n"
    "(see `jazzgui --help`), or set QT_QPA_PLATFORM=offscreen to run the window invisibly.\n"
)


def _warm_up_training_engine(report, cancel) -> str:
    """Load TensorFlow and Keras in the background (building a tiny network) so the first
    training starts at once."""
    run_in_background_priority()
    from jazzgui.model.config import ModelConfig
    from jazzgui.model.modelfile import package_versions
    from jazzgui.model.network import build_network

    build_network(2, ModelConfig(n_a=2, tx=2))
    return package_versions().get("tensorflow", "")


class MainWindow(QMainWindow):
    """Two panels in tabs; Generate opens first, ready to play with the starter model."""

    shown = Signal()  # emitted once the window is on screen (startup benchmark, tests)

    def __init__(
        self,
        settings: AppSettings | None = None,
        port_lister: PortLister | None = None,
        port_opener: PortOpener | None = None,
        load_tensorflow: bool = True,
    ) -> None:
        super().__init__()
        self._collector = GuiThreadCollector(self)
        self.settings = settings or load_settings()
        self._load_tensorflow = load_tensorflow
        self._tensorflow_loader: WorkerHandle | None = None
        self._shown_once = False
        self._closing = False
        self._engine_timer = QTimer(self)
        self._engine_timer.setSingleShot(True)
        self._engine_timer.setInterval(ENGINE_IDLE_DELAY_MS)
        self._engine_timer.timeout.connect(self._load_engine_when_quiet)
        self.setWindowTitle("JazzGUI")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.resize(1180, 780)
        self.setMinimumSize(900, 620)

        self.audio = AudioOutput(self)
        self.generate_panel = GeneratePanel(
            self.settings.generate, self.audio, port_lister=port_lister, port_opener=port_opener
        )
        self.train_panel = TrainPanel(self.settings.train)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.generate_panel, "Generate")
        self.tabs.addTab(self.train_panel, "Train")
        self.tabs.setTabToolTip(0, "Improvise solos over chord changes and hear them at once")
        self.tabs.setTabToolTip(1, "Teach a model the style of your own solo files")
        self.setCentralWidget(self.tabs)

        self.status_label = ElidingLabel()
        self.model_label = QLabel("Model: loading…")
        self.model_label.setToolTip("The model the Generate panel uses, and whether it is loaded")
        self.engine_label = QLabel("Training engine: not loaded")
        self.engine_label.setToolTip(
            "TensorFlow, needed for training only, loads in the background after start-up"
        )
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.model_label)
        self.statusBar().addPermanentWidget(self.engine_label)

        self._build_menus()
        self.generate_panel.status.connect(self.show_status)
        self.generate_panel.model_status.connect(self.model_label.setText)
        self.train_panel.status.connect(self.show_status)
        self.train_panel.model_saved.connect(self._on_model_saved)
        self.train_panel.training_started.connect(self._on_training_started)
        self.train_panel.training_ended.connect(self._on_training_ended)
        if self.settings.window.geometry:
            self.restoreGeometry(QByteArray(self.settings.window.geometry))
        self.tabs.setCurrentIndex(min(max(self.settings.window.current_tab, 0), 1))

    # Menus ------------------------------------------------------------------------------------
    def _action(self, text: str, slot, shortcuts=(), tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        action.setToolTip(tip or text)
        action.setStatusTip(tip or text)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work whichever panel has focus
        return action

    def _build_menus(self) -> None:
        gp, tp = self.generate_panel, self.train_panel
        menu_file = self.menuBar().addMenu("&File")
        self.open_action = self._action(
            "&Open Solo Files…",
            self._open_files,
            ["Ctrl+O"],
            "Add MIDI or MusicXML solos to train on",
        )
        menu_file.addAction(self.open_action)
        menu_file.addAction(
            self._action(
                "Open &Model…", gp.browse_model, [], "Pick a .jazzmodel file to generate with"
            )
        )
        menu_file.addSeparator()
        menu_export = menu_file.addMenu("&Export Take")
        menu_export.addAction(
            self._action(
                "As &MIDI…",
                lambda: gp.export_selected("mid"),
                ["Ctrl+E"],
                "Save the selected take as a MIDI file",
            )
        )
        menu_export.addAction(
            self._action(
                "As Music&XML…",
                lambda: gp.export_selected("musicxml"),
                [],
                "Save the selected take as MusicXML (solo line with chord symbols)",
            )
        )
        menu_export.addAction(
            self._action(
                "As &WAV…",
                lambda: gp.export_selected("wav"),
                [],
                "Render the selected take with the built-in synth to a WAV file",
            )
        )
        menu_file.addSeparator()
        menu_file.addAction(self._action("&Quit", self.close, ["Ctrl+Q"], "Close JazzGUI"))

        menu_play = self.menuBar().addMenu("&Playback")
        self.generate_action = self._action(
            "&Generate", self._generate, ["Ctrl+G"], "Improvise a new take and play it"
        )
        self.stop_action = self._action(
            "&Stop", gp.stop, ["Ctrl+."], "Stop playing (the notes end cleanly)"
        )
        # Space stops only while something plays; otherwise it presses the focused button or
        # ticks the focused box, as keyboard users expect.
        self.space_stop_action = self._action("Stop (Space)", gp.stop, ["Space"], "Stop playing")
        self.space_stop_action.setEnabled(False)
        gp.playing_changed.connect(self.space_stop_action.setEnabled)
        self.panic_action = self._action(
            "&Panic", gp.panic, ["Esc"], "Silence every note on every channel at once"
        )
        menu_play.addActions([self.generate_action, self.stop_action, self.panic_action])
        menu_play.addSeparator()
        menu_play.addAction(
            self._action(
                "&Test Note", gp.ports.test_note, [], "Play a short arpeggio on the output"
            )
        )
        self.soundfont_menu = SoundFontMenu(self.audio, self.settings.generate, self)
        self.soundfont_menu.status.connect(self.show_status)
        self.shown.connect(self.soundfont_menu.load_stored)  # before the synth opens, after paint
        menu_play.addMenu(self.soundfont_menu.menu)

        menu_train = self.menuBar().addMenu("&Train")
        self.train_action = self._action(
            "&Train", self._train, ["Ctrl+T"], "Train a model on the files in the Train panel"
        )
        menu_train.addAction(self.train_action)
        menu_train.addAction(
            self._action(
                "S&top Training", tp.stop_training, [], "Stop training after the current batch"
            )
        )
        menu_train.addAction(
            self._action("&Save Model…", tp.save_model, ["Ctrl+S"], "Save the trained model")
        )

        menu_help = self.menuBar().addMenu("&Help")
        menu_help.addAction(
            self._action("&About JazzGUI", self.show_about, [], "Version and credits")
        )
        menu_help.addAction(self._action("About &Qt", QApplication.aboutQt, [], "Qt version"))

    # Actions ----------------------------------------------------------------------------------
    def _open_files(self) -> None:
        self.tabs.setCurrentWidget(self.train_panel)
        self.train_panel.add_files_dialog()

    def _generate(self) -> None:
        self.tabs.setCurrentWidget(self.generate_panel)
        self.generate_panel.generate()

    def _train(self) -> None:
        self.tabs.setCurrentWidget(self.train_panel)
        self.train_panel.start_training()

    def _on_model_saved(self, path: str) -> None:
        self.generate_panel.add_model(path)
        self.show_status(f"Model saved to {path}; it is now selectable in the Generate panel.")

    def _on_training_started(self) -> None:
        if not _training_engine_loaded():
            self.engine_label.setText("Training engine: loading for training…")

    def _on_training_ended(self) -> None:
        if _training_engine_loaded():
            self.engine_label.setText("Training engine: ready")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self.open_paths([url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()])
        event.acceptProposedAction()

    def open_paths(self, paths: list[str]) -> None:
        """Model files go to the Generate panel; solos and folders to the Train panel."""
        models = [p for p in paths if p.lower().endswith(".jazzmodel")]
        solos = [p for p in paths if p not in models]
        for path in models:
            self.generate_panel.add_model(path)
        if solos:
            self.tabs.setCurrentWidget(self.train_panel)
            self.train_panel.add_paths(solos)
        elif models:
            self.tabs.setCurrentWidget(self.generate_panel)

    def show_status(self, text: str) -> None:
        self.status_label.setText(text)  # shown as far as it fits, whole in the tooltip

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About JazzGUI",
            f"<h3>JazzGUI {__version__}</h3>"
            "<p>Learns a jazz soloist's style from MIDI or MusicXML solos with an LSTM over "
            "an abstract melody grammar, and improvises new solos over any chord changes, "
            "played at once through your MIDI synth or the built-in synth.</p>"
            "<p>The model follows the exercise “Improvise a Jazz Solo with an LSTM Network”, "
            "after the open-source <i>deepjazz</i> project and the Impro-Visor grammar.</p>"
            "<p>Licensed under the Apache License 2.0.</p>",
        )

    # Start-up and shutdown --------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            # Heavy work starts after the first paint, so the window answers at once.
            QTimer.singleShot(0, self.shown.emit)
            QTimer.singleShot(0, self._start_background_loading)

    def _start_background_loading(self) -> None:
        if self._closing:
            return
        self.generate_panel.start()
        self._report_recovered_settings()
        if _training_engine_loaded():
            self.engine_label.setText("Training engine: ready")
        elif self._load_tensorflow:
            self.engine_label.setText("Training engine: loads in a moment")
            self.tabs.currentChanged.connect(self._on_tab_changed)
            # Any key press or click restarts the wait, so the load starts when the person pauses.
            QApplication.instance().installEventFilter(self)
            self._engine_timer.start()
        else:
            self.engine_label.setText("Training engine: loads when training starts")

    def _report_recovered_settings(self) -> None:
        """Say once that the settings file could not be read, and where it was kept."""
        backup, self.settings.recovered_backup = self.settings.recovered_backup, ""
        if backup:
            self.show_status(
                "The settings file could not be read, so JazzGUI started with its defaults; "
                f"the unreadable file was kept as {backup}."
            )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS and self._engine_timer.isActive():
            self._engine_timer.start()
        return False

    def _on_tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.train_panel:
            self.load_training_engine()

    def _load_engine_when_quiet(self) -> None:
        # Importing TensorFlow holds Python's lock for up to half a second at a time, which
        # would stutter a solo that is playing or a word being typed: wait for a quiet moment.
        if self.generate_panel.is_playing:
            self._engine_timer.start()
        else:
            self.load_training_engine()

    def load_training_engine(self) -> None:
        """Start loading TensorFlow in the background (once)."""
        if self._closing or self._tensorflow_loader is not None or _training_engine_loaded():
            return
        self._engine_timer.stop()
        QApplication.instance().removeEventFilter(self)
        self.engine_label.setText("Training engine: loading…")
        worker = Worker(_warm_up_training_engine)
        worker.finished.connect(self._on_tensorflow_loaded)
        worker.failed.connect(self._on_tensorflow_failed)
        self._tensorflow_loader = start_worker(worker, "tensorflow-loader")

    def _on_tensorflow_loaded(self, version: str) -> None:
        self.engine_label.setText("Training engine: ready")
        self.engine_label.setToolTip(f"TensorFlow {version} is loaded; training starts at once")

    def _on_tensorflow_failed(self, message: str) -> None:
        self.engine_label.setText("Training engine: unavailable")
        self.engine_label.setToolTip(message)
        self.show_status(f"TensorFlow could not be loaded, so training is unavailable: {message}")

    def collect_settings(self) -> AppSettings:
        self.generate_panel.store_settings()
        self.train_panel.store_settings()
        self.settings.window.geometry = bytes(self.saveGeometry().data())
        self.settings.window.current_tab = self.tabs.currentIndex()
        return self.settings

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closing = True
        self._engine_timer.stop()
        QApplication.instance().removeEventFilter(self)
        # Hidden at once, so closing feels instant even while threads wind down.
        self.hide()
        self.train_panel.shutdown()
        self.generate_panel.shutdown()
        # TensorFlow's import cannot be interrupted: wait for it (and any other worker) to end,
        # since a QThread destroyed while running aborts the process.
        stop_all_workers(timeout_ms=-1)
        self.audio.stop()
        try:
            save_settings(self.collect_settings())
        except OSError as error:
            log.warning("settings could not be saved: %s", error)
        # Open message boxes are top-level windows of their own: close them too, so the app
        # quits with its main window.
        for dialog in self.findChildren(QDialog):
            dialog.close()
        self._collector.stop()
        event.accept()


def _no_display() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    return not any(os.environ.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def _known_binding_problem() -> str:
    """A warning for Qt bindings known to crash this app, or "" when there is none."""
    import PySide6

    if PySide6.__version__ == "6.12.0" and sys.version_info < (3, 12):
        # 6.12.0 drops a reference to None/True on every call into Qt; Python before 3.12
        # then frees them and aborts after a few minutes of use.
        return (
            "jazzgui: PySide6 6.12.0 has a reference-counting bug on Python "
            f"{sys.version_info.major}.{sys.version_info.minor} that crashes Qt apps after a "
            "while. Install another version: pip install 'pyside6==6.11.3'\n"
        )
    return ""


def _training_engine_loaded() -> bool:
    """Whether TensorFlow is imported already (then training starts without a wait)."""
    return "tensorflow" in sys.modules


def run_app(argv: list[str] | None = None, paths: list[str] | None = None) -> int:
    """Open the window (with `paths` opened as if dropped on it) and run the event loop; 1 with
    a clear message when there is no display."""
    if _no_display():
        sys.stderr.write(_HEADLESS_MESSAGE)
        return 1
    sys.stderr.write(_known_binding_problem())
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    QApplication.setOrganizationName(ORGANIZATION)
    QApplication.setApplicationName(APPLICATION)
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName("jazzgui")
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setWindowIcon(app_icon())
    apply_style(app)
    window = MainWindow()
    _show_unexpected_errors(window)
    window.show()
    if paths:
        window.open_paths(list(paths))
    return app.exec()


def _show_unexpected_errors(window: MainWindow) -> None:
    """A bug in a slot becomes a message in words (and a logged traceback), not a dead app."""

    def hook(kind, error, trace) -> None:
        log.error("unexpected error", exc_info=(kind, error, trace))
        if isinstance(error, KeyboardInterrupt):
            QApplication.quit()
            return
        QMessageBox.warning(
            window,
            "JazzGUI",
            f"{describe_error(error)}\n\nThe app carries on; if this keeps happening, please "
            "report it with the log printed in the terminal.",
        )

    sys.excepthook = hook
