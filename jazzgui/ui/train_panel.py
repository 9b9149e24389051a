"""The Train panel: solo files with their reports, presets and hyperparameters, live training."""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import astuple
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from jazzgui.music.defaults import SOLO_SUFFIXES, TRAINING_PRESETS
from jazzgui.music.selection import BarRangeError, parse_bar_range, parse_track
from jazzgui.ui.loss_plot import LossPlot
from jazzgui.ui.settings_store import TrainSettings, models_dir
from jazzgui.ui.style import PALETTE
from jazzgui.ui.workers import (
    TrainProgress,
    TrainWorker,
    Worker,
    WorkerHandle,
    describe_error,
    start_worker,
)

log = logging.getLogger(__name__)

CUSTOM = "Custom"

COL_FILE, COL_REPORT, COL_TRACK, COL_BARS, COL_NOTES, COL_CHORDS, COL_TRACK_SET, COL_RANGE = range(
    8
)
_HEADERS = ["File", "Report", "Melody track", "Bars", "Notes", "Chords", "Track", "Bar range"]


def _load_entry(path: str, track: int | str | None, bars: tuple[int, int] | None) -> Any:
    from jazzgui.music.corpus import build_corpus

    return build_corpus([path], track=track, bars=bars).entries[0]


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
        self._entries: dict[str, Any] = {}  # path -> CorpusEntry for its current overrides
        self._scan_handles: list[WorkerHandle] = []
        self._train_thread: WorkerHandle | None = None
        self.result: Any = None
        self.setAcceptDrops(True)

        files_box = self._build_files()
        settings_box = self._build_settings()
        run_box = self._build_run()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(settings_box)
        right_layout.addWidget(run_box, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(files_box)
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
    def _build_files(self) -> QGroupBox:
        box = QGroupBox("Solo files")
        self.add_files_button = QPushButton("Add Files…")
        self.add_files_button.setToolTip(
            "Add MIDI or MusicXML solos (Ctrl+O). You can also drop files here."
        )
        self.add_folder_button = QPushButton("Add Folder…")
        self.add_folder_button.setToolTip(
            "Add every MIDI and MusicXML file in a folder and its subfolders."
        )
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected files from the list.")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove every file from the list.")
        buttons = QHBoxLayout()
        for button in (self.add_files_button, self.add_folder_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.clear_button)

        self.table = QTableWidget(0, len(_HEADERS))
        self.table.setHorizontalHeaderLabels(_HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_REPORT, QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip(
            "What JazzGUI read from each file. Edit Track (a number or name) or Bar range "
            "(like 9-40) to choose another melody track or only part of the solo."
        )
        for column, tip in (
            (
                COL_TRACK_SET,
                "Melody track override: a track number or name; blank picks automatically",
            ),
            (COL_RANGE, "Bars to learn from, like 9-40; blank takes the whole file"),
        ):
            self.table.horizontalHeaderItem(column).setToolTip(tip)
        self.summary = QLabel("Drop MIDI or MusicXML solos here, or use Add Files.")
        self.summary.setProperty("role", "hint")
        self.summary.setWordWrap(True)

        layout = QVBoxLayout(box)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

        self.add_files_button.clicked.connect(self.add_files_dialog)
        self.add_folder_button.clicked.connect(self.add_folder_dialog)
        self.remove_button.clicked.connect(self.remove_selected)
        self.clear_button.clicked.connect(self.clear_files)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        return box

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

    # Files ------------------------------------------------------------------------------------
    def paths(self) -> list[str]:
        return [
            self.table.item(row, COL_FILE).data(Qt.ItemDataRole.UserRole)
            for row in range(self.table.rowCount())
        ]

    def add_files_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Add solo files",
            self._settings.last_folder,
            f"Solos ({' '.join('*' + suffix for suffix in SOLO_SUFFIXES)});;All files (*)",
        )
        if files:
            self._settings.last_folder = str(Path(files[0]).parent)
            self.add_paths(files)

    def add_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Add a folder of solos", self._settings.last_folder
        )
        if folder:
            self._settings.last_folder = folder
            self.add_paths([folder])

    def add_paths(self, paths: list[str]) -> None:
        """Add files (folders are searched) and read each one's report in the background."""
        from jazzgui.music.corpus import expand_paths

        known = set(self.paths())
        new = [str(p) for p in expand_paths(paths) if str(p) not in known]
        if not new:
            self.status.emit("No new solo files found there.")
            return
        self.table.blockSignals(True)
        for path in new:
            row = self.table.rowCount()
            self.table.insertRow(row)
            item = QTableWidgetItem(Path(path).name)
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, COL_FILE, item)
            for column in range(1, len(_HEADERS)):
                cell = QTableWidgetItem("reading…" if column == COL_REPORT else "")
                if column not in (COL_TRACK_SET, COL_RANGE):
                    cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, column, cell)
        self.table.blockSignals(False)
        self._scan([(path, None, None) for path in new])
        self._update_summary()
        self._update_buttons()

    def _scan(self, jobs: list[tuple[str, Any, Any]]) -> None:
        def work(report: Callable[[Any], None], cancel: threading.Event) -> int:
            for path, track, bars in jobs:
                if cancel.is_set():
                    break
                report((path, _load_entry(path, track, bars)))
            return len(jobs)

        worker = Worker(work)
        worker.progress.connect(self._on_entry)
        worker.failed.connect(self._on_scan_failed)
        self._scan_handles = [h for h in self._scan_handles if h.running]
        self._scan_handles.append(start_worker(worker, "corpus-scan"))

    def _on_scan_failed(self, message: str) -> None:
        self._show_problem(f"Reading the files failed. {message}")

    def _row_of(self, path: str) -> int:
        for row in range(self.table.rowCount()):
            if self.table.item(row, COL_FILE).data(Qt.ItemDataRole.UserRole) == path:
                return row
        return -1

    def _on_entry(self, item: tuple[str, Any]) -> None:
        path, entry = item
        row = self._row_of(path)
        if row < 0:
            return  # removed while it was being read
        self._entries[path] = entry
        self.table.blockSignals(True)
        report = self.table.item(row, COL_REPORT)
        if entry.ok:
            sheet = entry.sheet
            chords = len(sheet.progression.spans())
            report.setText(f"OK · {entry.token_count} tokens")
            report.setForeground(QBrush(QColor(PALETTE["ok"])))
            report.setToolTip(
                f"Read in {entry.seconds:.2f} s; chords from {sheet.chord_source or 'the file'}; "
                f"first bar {sheet.first_bar}; {sheet.tempo_bpm:.0f} bpm"
            )
            self.table.item(row, COL_TRACK).setText(sheet.melody_track)
            self.table.item(row, COL_TRACK).setToolTip(sheet.track_reason or sheet.melody_track)
            self.table.item(row, COL_BARS).setText(str(sheet.bars))
            self.table.item(row, COL_NOTES).setText(str(sheet.note_count))
            self.table.item(row, COL_CHORDS).setText(str(chords))
        else:
            message = entry.error or "no music was found"
            # The row already names the file: show the problem and the advice.
            prefix = f"{entry.path}: "
            report.setText(message[len(prefix) :] if message.startswith(prefix) else message)
            report.setForeground(QBrush(QColor(PALETTE["danger"])))
            report.setToolTip(message)
            for column in (COL_TRACK, COL_BARS, COL_NOTES, COL_CHORDS):
                self.table.item(row, column).setText("")
        self.table.blockSignals(False)
        self.table.resizeRowToContents(row)
        self._update_summary()
        self._update_buttons()

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() not in (COL_TRACK_SET, COL_RANGE):
            return
        row = item.row()
        path = self.table.item(row, COL_FILE).data(Qt.ItemDataRole.UserRole)
        try:
            track, bars = self._overrides(row)
        except BarRangeError as error:
            self._show_problem(f"{Path(path).name}: {error}.")
            self.table.blockSignals(True)
            item.setText("")
            self.table.blockSignals(False)
            return
        self._entries.pop(path, None)
        self.table.item(row, COL_REPORT).setText("reading…")
        self._scan([(path, track, bars)])

    def _overrides(self, row: int) -> tuple[int | str | None, tuple[int, int] | None]:
        track = parse_track(self.table.item(row, COL_TRACK_SET).text())
        return track, parse_bar_range(self.table.item(row, COL_RANGE).text())

    def remove_selected(self) -> None:
        rows = sorted(
            {index.row() for index in self.table.selectionModel().selectedRows()}, reverse=True
        )
        for row in rows:
            self._entries.pop(self.table.item(row, COL_FILE).data(Qt.ItemDataRole.UserRole), None)
            self.table.removeRow(row)
        self._update_summary()
        self._update_buttons()

    def clear_files(self) -> None:
        self.table.setRowCount(0)
        self._entries.clear()
        self._update_summary()
        self._update_buttons()

    def _update_summary(self) -> None:
        total = self.table.rowCount()
        if not total:
            self.summary.setText("Drop MIDI or MusicXML solos here, or use Add Files.")
            return
        ok = [e for e in self._entries.values() if e.ok]
        bad = sum(1 for e in self._entries.values() if not e.ok)
        waiting = total - len(self._entries)
        parts = [f"{total} file{'s' if total != 1 else ''}", f"{len(ok)} usable"]
        if bad:
            parts.append(f"{bad} with problems (skipped)")
        if waiting:
            parts.append(f"{waiting} being read")
        bars = sum(len(e.bars) for e in ok)
        tokens = sum(e.token_count for e in ok)
        self.summary.setText(", ".join(parts) + f" · {bars} bars, {tokens} tokens to learn from")

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

    def _corpus_builder(self) -> Callable[[], Any]:
        """Assemble the corpus from the reports already read; read any still missing."""
        jobs = []
        for row in range(self.table.rowCount()):
            path = self.table.item(row, COL_FILE).data(Qt.ItemDataRole.UserRole)
            track, bars = self._overrides(row)
            jobs.append((path, track, bars, self._entries.get(path)))

        def build() -> Any:
            from jazzgui.music.corpus import Corpus, Vocabulary

            entries = [entry or _load_entry(path, track, bars) for path, track, bars, entry in jobs]
            vocabulary = Vocabulary.from_bars(bar for e in entries if e.ok for bar in e.bars)
            return Corpus(entries, vocabulary)

        return build

    def start_training(self) -> None:
        if self.is_training:
            return
        if not self.table.rowCount():
            self._show_problem(
                "Add some solo files first (Add Files, Add Folder, or drop them here)."
            )
            return
        try:
            model_config, train_config = self._configs()
            builder = self._corpus_builder()
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
        has_usable = any(e.ok for e in self._entries.values()) or (
            self.table.rowCount() > len(self._entries)
        )
        self.train_button.setEnabled(not training and has_usable)
        self.stop_button.setEnabled(training)
        self.save_button.setEnabled(not training and self.result is not None)
        for widget in self._locked_while_training:
            widget.setEnabled(not training)
        self.remove_button.setEnabled(
            not training and bool(self.table.selectionModel().selectedRows())
        )

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
        for handle in self._scan_handles:
            handle.stop_and_wait()
