"""The Train panel: solo files (ui/solo_files.py), presets and hyperparameters, live training."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from jazzgui.music.wording import plural
from jazzgui.ui.loss_plot import LossPlot
from jazzgui.ui.settings_store import TrainSettings, models_dir
from jazzgui.ui.solo_files import SoloFileList
from jazzgui.ui.train_settings_box import TrainSettingsBox
from jazzgui.ui.workers import (
    TrainProgress,
    TrainRun,
    TrainWorker,
    WorkerHandle,
    describe_error,
    start_worker,
)

log = logging.getLogger(__name__)

# A run still going this long after Stop, before its first epoch, is let go to end in the
# background (TensorFlow's import and the first graph's tracing cannot be interrupted), so the
# panel is free again within a second.
STOP_GRACE_MS = 600

_HYPER_WIDGETS = (
    "kind_combo", "preset_combo", "epochs_spin", "hidden_spin", "lr_spin", "batch_spin", "val_spin",
    "patience_spin",
)  # fmt: skip


class TrainPanel(QWidget):
    """Files on the left, settings and the live plot on the right."""

    status = Signal(str)
    model_saved = Signal(str)
    training_started = Signal()
    training_ended = Signal()

    def __init__(self, settings: TrainSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._shut_down = False
        self._train_thread: WorkerHandle | None = None
        self._stopping = False  # Stop was pressed: later progress must not hide "Stopping…"
        self._train_when_read = False  # Train was pressed while files were still being read
        self._run: TrainRun | None = None  # the followed run's news
        self._epochs_this_run = 0
        self._stop_grace = QTimer(self)
        self._stop_grace.setSingleShot(True)
        self._stop_grace.setInterval(STOP_GRACE_MS)
        self._stop_grace.timeout.connect(self._let_go_if_stuck)
        self.result: Any = None
        self.setAcceptDrops(True)

        self.files = files = self._adopt_files(SoloFileList(settings))
        self.hyper = settings_box = TrainSettingsBox()
        for name in _HYPER_WIDGETS:  # reached through the panel by the window and tests
            setattr(self, name, getattr(settings_box, name))
        run_box = self._build_run()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(settings_box)
        right_layout.addWidget(run_box, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(files)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)

        # What may not change while training runs, in tab order.
        self._locked_while_training = (
            self.add_files_button,
            self.add_folder_button,
            self.remove_button,
            self.clear_button,
            self.kind_combo,
            self.preset_combo,
            *self.hyper.spins,
        )
        self._apply_settings(settings)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        chain = [
            *self._locked_while_training[:4],
            self.table,
            *self._locked_while_training[4:],
            self.train_button,
            self.stop_button,
            self.save_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self._update_buttons()

    # Building ---------------------------------------------------------------------------------
    def _adopt_files(self, files: SoloFileList) -> SoloFileList:
        """Listen to the file list, and reach its parts as the window and tests do."""
        self.table, self.summary, self._entries = files.table, files.summary, files._entries
        self.add_files_button = files.add_files_button
        self.add_folder_button = files.add_folder_button
        self.remove_button, self.clear_button = files.remove_button, files.clear_button
        self.paths, self.add_paths = files.paths, files.add_paths
        self.add_files_dialog = files.add_files_dialog
        files.changed.connect(self._on_files_changed)
        files.status.connect(self.status)
        files.problem.connect(self._show_problem)
        return files

    def _on_files_changed(self) -> None:
        if self._train_when_read and not self.files.is_reading:
            self._train_when_read = False
            if self.files.has_usable:
                self.start_training()
        self._update_buttons()

    def _build_run(self) -> QGroupBox:
        box = QGroupBox("Training")
        self.train_button = QPushButton("Train")
        self.train_button.setProperty("primary", True)
        self.train_button.setMinimumHeight(32)
        self.train_button.setToolTip("Train a new model on the usable files (Ctrl+T).")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop training within a second; the model so far can be saved.")
        self.save_button = QPushButton("Save Model…")
        self.save_button.setToolTip(
            "Save the trained model; it then appears in the Generate panel (Ctrl+S)."
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button, 2)
        buttons.addWidget(self.stop_button, 1)
        buttons.addWidget(self.save_button, 1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("Not training")
        self.progress.setTextVisible(True)
        self.progress.setToolTip("Epochs done, and about how long the rest will take.")
        self.plot = LossPlot()
        layout = QVBoxLayout(box)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.plot, 1)
        self.train_button.clicked.connect(self.start_training)
        self.stop_button.clicked.connect(self.stop_training)
        self.save_button.clicked.connect(self.save_model)
        return box

    # Settings ---------------------------------------------------------------------------------
    def _apply_settings(self, s: TrainSettings) -> None:
        self.hyper.apply_settings(s)
        self.files.snap = self.hyper.kind == "new"
        existing = [p for p in s.files if Path(p).exists()]
        if existing:
            self.add_paths(existing)

    def store_settings(self) -> None:
        self.hyper.store_settings(self._settings)
        self._settings.files = self.paths()
        self.files.store_overrides()

    def _on_kind_changed(self) -> None:
        # The new kind learns from files put on their grid, as `jazzgui train` reads them.
        self.files.set_snap(self.hyper.kind == "new")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.add_paths(paths)
            event.acceptProposedAction()

    # Training ---------------------------------------------------------------------------------
    @property
    def is_training(self) -> bool:
        return self._train_thread is not None and self._train_thread.running

    def start_training(self) -> None:
        if self.is_training:
            return
        if not self.files.table.rowCount():
            self._show_problem(
                "Add some solo files first (Add Files, Add Folder, or drop them here)."
            )
            return
        try:
            model_config, train_config = self.hyper.configs()
            builder = self.files.corpus_builder()
        except ValueError as error:
            self._show_problem(f"Check the file overrides: {error}.")
            return
        problems = model_config.validate() + train_config.validate()
        if problems:
            self._show_problem("The training settings cannot be used: " + "; ".join(problems) + ".")
            return
        if self.files.is_reading:
            # Reading goes on in its processes; training starts the moment the last file is in.
            self._train_when_read = True
            self.progress.setFormat("Training starts when every file is read…")
            self.status.emit("Training starts when every file is read (Stop cancels it).")
            self._update_buttons()
            return
        self.result = None
        self._stopping = False
        self.plot.ensure_plot()
        self.plot.clear()
        self.progress.setRange(0, train_config.epochs)
        self.progress.setValue(0)
        self.progress.setFormat(f"Preparing the corpus for the {model_config.kind} kind…")
        worker = TrainWorker(builder, model_config, train_config)
        self._run = run = TrainRun(worker)
        self._epochs_this_run = 0
        run.epoch_finished.connect(self._on_epoch)
        run.corpus_ready.connect(self._on_corpus_ready)
        run.finished.connect(self._on_trained)
        run.failed.connect(self._on_training_failed)
        self._train_thread = start_worker(worker, "train")
        self._train_thread.run = run  # lives as long as the thread, followed or let go
        self._train_thread.ended.connect(self._update_buttons)
        self._train_thread.ended.connect(self.training_ended)
        self.status.emit("Training started.")
        self.training_started.emit()
        self._update_buttons()

    def _on_corpus_ready(self, corpus: Any) -> None:
        if self._stopping:
            return
        self.progress.setFormat(
            f"Training the {self.hyper.kind} kind on {plural(len(corpus.ok_entries), 'file')}, "
            f"{plural(corpus.bar_count, 'bar')} (waiting for the first epoch)…"
        )

    def _on_epoch(self, progress: TrainProgress) -> None:
        log, epochs = progress.log, progress.epochs
        self._epochs_this_run += 1
        self.plot.add_epoch(log.epoch, log.loss, log.val_loss)
        self.progress.setMaximum(epochs)
        self.progress.setValue(min(log.epoch, epochs))
        minutes, seconds = divmod(round(progress.eta_seconds), 60)
        left = f"about {minutes}:{seconds:02d} left" if log.epoch < epochs else "finishing"
        val = "" if log.val_loss is None else f", validation {log.val_loss:.3f}"
        if not self._stopping:
            self.progress.setFormat(f"Epoch {log.epoch} of {epochs} · {left}")
        self.status.emit(f"Epoch {log.epoch}: loss {log.loss:.3f}{val}")

    def _on_trained(self, result: Any) -> None:
        if result is None or not result.history:
            # Nothing was learnt: a model of untrained weights is not offered for saving.
            self.result = None
            self.progress.setFormat("Training stopped before the first epoch")
            self.status.emit(
                "Training stopped before its first epoch ended: there is no model to save."
            )
            self._update_buttons()
            return
        self.result = result
        epochs = plural(result.history[-1].epoch, "epoch")
        # The reasons read as they are ("finished", "stopped") but for early stopping.
        text = "ended by early stopping" if result.reason == "early stopping" else result.reason
        if result.reason == "early stopping":  # the run is done: the bar says so, full
            self.progress.setValue(self.progress.maximum())
        self.progress.setFormat(f"Training {text} after {epochs}")
        self.status.emit(f"Training {text} after {epochs}; save the model to use it.")
        self._update_buttons()

    def _on_training_failed(self, message: str) -> None:
        self.progress.setFormat("Training failed")
        self._show_problem(f"Training could not run. {message}")
        self._update_buttons()

    def stop_training(self) -> None:
        """Ask training to stop; the Keras callback sees it within a batch."""
        if self._train_when_read:
            self._train_when_read = False
            self.progress.setFormat("Not training")
            self.status.emit("Training cancelled before it started.")
            self._update_buttons()
        if self._train_thread is not None and self._train_thread.running:
            self._train_thread.cancel()
            self._stopping = True
            self.progress.setFormat("Stopping…")
            self.status.emit("Stopping training…")
            self._stop_grace.start()

    def _let_go_if_stuck(self) -> None:
        """Free the panel from a stopped run that is still loading TensorFlow or tracing its
        first step: it has learnt nothing yet, so nothing is lost, and it ends on its own."""
        handle, run = self._train_thread, self._run
        if handle is None or run is None or not handle.running or not self._stopping:
            return
        if self._epochs_this_run:
            return  # a run with epochs hands back its model within a batch: wait for it
        log.info("training let go while it loads or traces; it ends in the background")
        run.let_go()
        self._train_thread = self._run = None
        self._on_trained(None)

    def save_model(self) -> None:
        if self.result is None:
            self._show_problem("There is no trained model to save yet: press Train first.")
            return
        folder = models_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save the model",
            str(folder / "my-style.jazzmodel"),
            "JazzGUI models (*.jazzmodel)",
        )
        if path:
            self.save_model_to(path)

    def save_model_to(self, path: str) -> bool:
        """Write the trained model (atomically) and offer it to the Generate panel."""
        from jazzgui.model.modelfile import save_model

        if not path.endswith(".jazzmodel"):
            path += ".jazzmodel"
        try:
            written = save_model(self.result.model, path)
        except Exception as error:  # a full disk or a read-only folder must not crash the app
            self._show_problem(f"The model could not be saved. {describe_error(error)}")
            return False
        self.model_saved.emit(str(written or path))
        return True

    # State ------------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        training = self.is_training
        has_usable = self.files.has_usable
        waiting = self._train_when_read
        self.train_button.setEnabled(not training and not waiting and has_usable)
        self.stop_button.setEnabled(training or waiting)
        self.save_button.setEnabled(not training and self.result is not None)
        for widget in self._locked_while_training:
            widget.setEnabled(not training)
        self.remove_button.setEnabled(not training and self.files.has_selection)

    def _show_problem(self, message: str) -> None:
        self.status.emit(message)
        if self._shut_down:
            return  # late news from a worker after the window closed: no new windows
        box = QMessageBox(
            QMessageBox.Icon.Warning, "JazzGUI", message, QMessageBox.StandardButton.Ok, self
        )
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()

    def shutdown(self) -> None:
        """Stop training and file reading and wait for their threads (used on close)."""
        self._shut_down = True
        self._stop_grace.stop()
        if self._train_thread is not None:
            self._train_thread.stop_and_wait(15000)
        self.files.shutdown()
