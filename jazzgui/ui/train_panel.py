"""The Train panel: solo files (ui/solo_files.py), presets and hyperparameters, live training."""

from __future__ import annotations

import itertools
import logging
from dataclasses import astuple
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from jazzgui.music.defaults import TRAINING_PRESETS
from jazzgui.ui.loss_plot import LossPlot
from jazzgui.ui.settings_store import TrainSettings, models_dir
from jazzgui.ui.solo_files import SoloFileList
from jazzgui.ui.workers import (
    TrainProgress,
    TrainWorker,
    WorkerHandle,
    describe_error,
    start_worker,
)

log = logging.getLogger(__name__)

CUSTOM = "Custom"


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
        self.result: Any = None
        self.setAcceptDrops(True)

        self.files = files = self._adopt_files(SoloFileList(settings))
        settings_box = self._build_settings()
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

        self._hyper_spins = (
            self.epochs_spin,
            self.hidden_spin,
            self.lr_spin,
            self.batch_spin,
            self.val_spin,
            self.patience_spin,
        )
        # What may not change while training runs, in tab order.
        self._locked_while_training = (
            self.add_files_button,
            self.add_folder_button,
            self.remove_button,
            self.clear_button,
            self.preset_combo,
            *self._hyper_spins,
        )
        self._apply_settings(settings)
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
        files.changed.connect(self._update_buttons)
        files.status.connect(self.status)
        files.problem.connect(self._show_problem)
        return files

    def _build_settings(self) -> QGroupBox:
        box = QGroupBox("Training settings")
        self.preset_combo = QComboBox()
        self.preset_combo.addItems([*TRAINING_PRESETS, CUSTOM])
        self.preset_combo.setToolTip(
            "Quick: a first try in a minute or two. Standard: a good model. Long: a bigger "
            "model trained longer. Changing any value below makes it Custom."
        )
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 5000)
        self.epochs_spin.setToolTip("How many times training goes through all the solos.")
        self.hidden_spin = QSpinBox()
        self.hidden_spin.setRange(8, 1024)
        self.hidden_spin.setSingleStep(8)
        self.hidden_spin.setToolTip(
            "LSTM hidden size: larger learns more detail but needs more data and time."
        )
        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setDecimals(4)
        self.lr_spin.setRange(0.0001, 1.0)
        self.lr_spin.setSingleStep(0.001)
        self.lr_spin.setToolTip("Learning rate of the Adam optimiser (it decays during training).")
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 1024)
        self.batch_spin.setToolTip("Training windows per step.")
        self.val_spin = QDoubleSpinBox()
        self.val_spin.setRange(0.0, 0.5)
        self.val_spin.setSingleStep(0.05)
        self.val_spin.setDecimals(2)
        self.val_spin.setToolTip(
            "Share of bars held out to measure validation loss (0 turns it off)."
        )
        self.patience_spin = QSpinBox()
        self.patience_spin.setRange(0, 500)
        self.patience_spin.setSpecialValueText("off")
        self.patience_spin.setSuffix(" epochs")
        self.patience_spin.setToolTip(
            "Early stopping: end training when validation loss has not improved for this many "
            "epochs, keeping the best weights (off trains all epochs)."
        )
        form = QFormLayout(box)
        form.addRow("Preset", self.preset_combo)
        form.addRow("Epochs", self.epochs_spin)
        form.addRow("Hidden size", self.hidden_spin)
        form.addRow("Learning rate", self.lr_spin)
        form.addRow("Batch size", self.batch_spin)
        form.addRow("Validation split", self.val_spin)
        form.addRow("Early stopping", self.patience_spin)
        self.preset_combo.activated.connect(self._on_preset)
        for spin in (self.epochs_spin, self.hidden_spin, self.batch_spin, self.patience_spin):
            spin.valueChanged.connect(self._mark_custom)
        for spin in (self.lr_spin, self.val_spin):
            spin.valueChanged.connect(self._mark_custom)
        return box

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
        self._set_values(
            s.epochs, s.hidden_size, s.learning_rate, s.batch_size, s.val_fraction, s.early_stopping
        )
        index = self.preset_combo.findText(s.preset)
        self.preset_combo.setCurrentIndex(
            index if index >= 0 else self.preset_combo.findText(CUSTOM)
        )
        existing = [p for p in s.files if Path(p).exists()]
        if existing:
            self.add_paths(existing)

    def _set_values(
        self, epochs: int, hidden: int, lr: float, batch: int, val: float, patience: int
    ) -> None:
        spins = self._hyper_spins
        for spin in spins:
            spin.blockSignals(True)
        self.epochs_spin.setValue(epochs)
        self.hidden_spin.setValue(hidden)
        self.lr_spin.setValue(lr)
        self.batch_spin.setValue(batch)
        self.val_spin.setValue(val)
        self.patience_spin.setValue(patience)
        for spin in spins:
            spin.blockSignals(False)

    def store_settings(self) -> None:
        s = self._settings
        s.preset = self.preset_combo.currentText()
        s.epochs = self.epochs_spin.value()
        s.hidden_size = self.hidden_spin.value()
        s.learning_rate = self.lr_spin.value()
        s.batch_size = self.batch_spin.value()
        s.val_fraction = self.val_spin.value()
        s.early_stopping = self.patience_spin.value()
        s.files = self.paths()

    def _on_preset(self, _index: int) -> None:
        name = self.preset_combo.currentText()
        if name in TRAINING_PRESETS:
            self._set_values(*astuple(TRAINING_PRESETS[name]))

    def _mark_custom(self) -> None:
        values = (
            self.epochs_spin.value(),
            self.hidden_spin.value(),
            round(self.lr_spin.value(), 4),
            self.batch_spin.value(),
            round(self.val_spin.value(), 2),
            self.patience_spin.value(),
        )
        match = next(
            (name for name, preset in TRAINING_PRESETS.items() if astuple(preset) == values),
            CUSTOM,
        )
        self.preset_combo.setCurrentText(match)

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

    def _configs(self) -> tuple[Any, Any]:
        from jazzgui.model.config import ModelConfig, TrainConfig

        patience = self.patience_spin.value()
        model_config = ModelConfig(n_a=self.hidden_spin.value())
        train_config = TrainConfig(
            epochs=self.epochs_spin.value(),
            batch_size=self.batch_spin.value(),
            learning_rate=self.lr_spin.value(),
            val_fraction=self.val_spin.value(),
            early_stopping_patience=patience or None,
        )
        return model_config, train_config

    def start_training(self) -> None:
        if self.is_training:
            return
        if not self.files.table.rowCount():
            self._show_problem(
                "Add some solo files first (Add Files, Add Folder, or drop them here)."
            )
            return
        try:
            model_config, train_config = self._configs()
            builder = self.files.corpus_builder()
        except ValueError as error:
            self._show_problem(f"Check the file overrides: {error}.")
            return
        problems = model_config.validate() + train_config.validate()
        if problems:
            self._show_problem("The training settings cannot be used: " + "; ".join(problems) + ".")
            return
        self.result = None
        self.plot.ensure_plot()
        self.plot.clear()
        self.progress.setRange(0, train_config.epochs)
        self.progress.setValue(0)
        self.progress.setFormat("Preparing the corpus…")
        worker = TrainWorker(builder, model_config, train_config)
        worker.epoch_finished.connect(self._on_epoch)
        worker.progress.connect(self._on_corpus_ready)
        worker.finished.connect(self._on_trained)
        worker.failed.connect(self._on_training_failed)
        self._train_thread = start_worker(worker, "train")
        self._train_thread.ended.connect(self._update_buttons)
        self._train_thread.ended.connect(self.training_ended)
        self.status.emit("Training started.")
        self.training_started.emit()
        self._update_buttons()

    def _on_corpus_ready(self, corpus: Any) -> None:
        self.progress.setFormat(
            f"Training on {len(corpus.ok_entries)} files, {corpus.bar_count} bars "
            f"(waiting for the first epoch)…"
        )

    def _on_epoch(self, progress: TrainProgress) -> None:
        log, epochs = progress.log, progress.epochs
        self.plot.add_epoch(log.epoch, log.loss, log.val_loss)
        self.progress.setMaximum(epochs)
        self.progress.setValue(min(log.epoch, epochs))
        minutes, seconds = divmod(round(progress.eta_seconds), 60)
        left = f"about {minutes}:{seconds:02d} left" if log.epoch < epochs else "finishing"
        val = "" if log.val_loss is None else f", validation {log.val_loss:.3f}"
        self.progress.setFormat(f"Epoch {log.epoch} of {epochs} · {left}")
        self.status.emit(f"Epoch {log.epoch}: loss {log.loss:.3f}{val}")

    def _on_trained(self, result: Any) -> None:
        self.result = result
        last = result.history[-1].epoch if result.history else 0
        # The reasons read as they are ("finished", "stopped") but for early stopping.
        text = "ended by early stopping" if result.reason == "early stopping" else result.reason
        self.progress.setFormat(f"Training {text} after {last} epoch{'s' if last != 1 else ''}")
        self.status.emit(f"Training {text} after {last} epochs; save the model to use it.")
        self._update_buttons()

    def _on_training_failed(self, message: str) -> None:
        self.progress.setFormat("Training failed")
        self._show_problem(f"Training could not run. {message}")
        self._update_buttons()

    def stop_training(self) -> None:
        """Ask training to stop; the Keras callback sees it within a batch."""
        if self._train_thread is not None and self._train_thread.running:
            self._train_thread.cancel()
            self.progress.setFormat("Stopping…")
            self.status.emit("Stopping training…")

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
        self.train_button.setEnabled(not training and has_usable)
        self.stop_button.setEnabled(training)
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
        if self._train_thread is not None:
            self._train_thread.stop_and_wait(15000)
        self.files.shutdown()
