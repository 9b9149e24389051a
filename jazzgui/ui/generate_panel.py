"""The Generate panel: pick a model and changes, improvise, hear it bar by bar, keep the takes."""

from __future__ import annotations

import itertools
import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from jazzgui.errors import ChordSymbolError, JazzGUIError
from jazzgui.music.events import SOLO_CHANNEL, NoteEvent, Provenance, Take
from jazzgui.ui.audio_out import AudioOutput
from jazzgui.ui.piano_roll import KIND_COLOURS, KIND_NAMES, PianoRoll
from jazzgui.ui.ports_widget import PortLister, PortOpener, PortsWidget
from jazzgui.ui.settings_store import GenerateSettings, remember_model
from jazzgui.ui.workers import Worker, WorkerHandle, describe_error, start_worker

log = logging.getLogger(__name__)

STARTER = ""  # the model path value meaning "the starter model"
_CUSTOM_FORM = "custom"
_BROWSE = "\x00browse"

# General MIDI programs (0-based) that suit a jazz solo line.
SOLO_INSTRUMENTS: tuple[tuple[str, int], ...] = (
    ("Alto sax", 65),
    ("Tenor sax", 66),
    ("Soprano sax", 64),
    ("Baritone sax", 67),
    ("Trumpet", 56),
    ("Muted trumpet", 59),
    ("Trombone", 57),
    ("Clarinet", 71),
    ("Flute", 73),
    ("Vibraphone", 11),
    ("Acoustic piano", 0),
    ("Electric piano", 4),
    ("Jazz guitar", 26),
)
COMP_PROGRAM = 0
BASS_PROGRAM = 32


@dataclass
class TakeEntry:
    """A take in the list, with what made it and whether the person starred it."""

    number: int
    take: Take
    model_name: str
    seed: int
    temperature: float
    starred: bool = False


def _starter_path() -> Path:
    from jazzgui.model.starter import starter_model_path

    return starter_model_path()


def _load_model(path: str) -> Any:
    from jazzgui.model.modelfile import load_model

    return load_model(Path(path) if path else _starter_path())


class ModelLoader(Worker):
    """Loads a model file (numpy only, no TensorFlow); hands back (key, model, problem)."""

    def __init__(self, key: str) -> None:
        super().__init__(self._load)
        self.key = key

    def _load(self, report: Callable[[Any], None], cancel: threading.Event) -> tuple:
        try:
            return self.key, _load_model(self.key), ""
        except Exception as error:  # reported with its key, so a stale failure is ignored
            if not isinstance(error, JazzGUIError):
                log.exception("loading the model %r failed", self.key)
            return self.key, None, describe_error(error)


class PlayerBridge(QObject):
    """Turns the player's plain callbacks (called on its thread) into Qt signals."""

    position = Signal(float)
    error = Signal(str)
    finished = Signal()
    bar_ready = Signal(object)  # list[NoteEvent] of one bar, as the feeder hands it to the player
    take_done = Signal(object, object)  # TakeEntry, list[NoteEvent]

    def on_finished(self) -> None:
        self.finished.emit()

    def on_position(self, beat: float) -> None:
        self.position.emit(float(beat))

    def on_error(self, error: object) -> None:
        self.error.emit(describe_error(error) if isinstance(error, BaseException) else str(error))


class GeneratePanel(QWidget):
    """Controls on the left, the piano roll and the take list on the right."""

    status = Signal(str)
    model_status = Signal(str)
    playing_changed = Signal(bool)

    def __init__(
        self,
        settings: GenerateSettings,
        audio: AudioOutput,
        port_lister: PortLister | None = None,
        port_opener: PortOpener | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._shut_down = False
        self._audio = audio
        self._model: Any = None
        self._model_key: str | None = None
        self._model_loader: WorkerHandle | None = None
        self._feeding = False
        self._was_busy = False
        self._export_workers: list[WorkerHandle] = []
        self._pending_generate = False
        self._player: Any = None
        self._bridge = PlayerBridge(self)
        self._bridge.position.connect(self._on_position)
        self._bridge.error.connect(self._on_player_error)
        self._bridge.finished.connect(self._update_buttons)
        self._bridge.bar_ready.connect(self._on_bar_generated)
        self._bridge.take_done.connect(self._on_take_generated)
        self._progression = None
        self._current: TakeEntry | None = None
        self.takes: list[TakeEntry] = []
        self._playhead_beat: float | None = None

        self.ports = PortsWidget(audio, settings.port_name, port_lister, port_opener)
        self.ports.message.connect(self.status)
        self.ports.problem.connect(self._show_problem)
        self.ports.port_changed.connect(self._on_port_changed)

        controls = self._build_controls()
        right = self._build_right()
        scroll = QScrollArea()
        scroll.setWidget(controls)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setMinimumWidth(370)
        scroll.setMaximumWidth(460)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)

        self._playhead_timer = QTimer(self)
        self._playhead_timer.setInterval(33)
        self._playhead_timer.timeout.connect(self._tick)
        self._apply_settings(settings)
        self._set_tab_order()
        self._update_buttons()

    def _set_tab_order(self) -> None:
        """Tab moves top to bottom through the controls as they appear, then to the takes."""
        chain = [
            self.model_combo,
            self.form_combo,
            self.choruses_spin,
            self.progression_edit,
            self.tempo_spin,
            self.swing_spin,
            self.temperature_spin,
            self.seed_spin,
            self.seed_lock,
            self.seed_dice,
            self.instrument_combo,
            self.comp_check,
            self.bass_check,
            self.ports.combo,
            self.ports.refresh_button,
            self.ports.test_button,
            self.generate_button,
            self.stop_button,
            self.panic_button,
            self.take_table,
            self.replay_button,
            self.star_button,
            self.export_midi_button,
            self.export_xml_button,
            self.export_wav_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # Building ---------------------------------------------------------------------------------
    def _build_controls(self) -> QWidget:
        box_model = QGroupBox("Model")
        self.model_combo = QComboBox()
        self.model_combo.setToolTip(
            "The model that improvises: the starter model that ships with JazzGUI, or one "
            "you trained (recent ones are listed)."
        )
        self.model_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.model_combo.setMinimumContentsLength(20)
        self.model_info = QLabel("")
        self.model_info.setProperty("role", "hint")
        self.model_info.setWordWrap(True)
        model_layout = QVBoxLayout(box_model)
        model_layout.addWidget(self.model_combo)
        model_layout.addWidget(self.model_info)

        box_changes = QGroupBox("Changes")
        self.form_combo = QComboBox()
        self.form_combo.addItem("Custom changes", _CUSTOM_FORM)
        from jazzgui.music.progression import FORMS

        for name in FORMS:
            self.form_combo.addItem(name.replace("-", " ").capitalize(), name)
        self.form_combo.setToolTip("A built-in form; pick one, or type your own changes below.")
        self.progression_edit = QPlainTextEdit()
        self.progression_edit.setPlaceholderText("Dm7 G7 | Cmaj7 | % | …")
        self.progression_edit.setFixedHeight(84)
        self.progression_edit.setTabChangesFocus(True)
        self.progression_edit.setToolTip(
            "Chord changes: bars separated by |, up to four chords a bar (Dm7 G7 splits the "
            "bar in halves), % repeats the previous bar. Checked as you type."
        )
        self.progression_error = QLabel("")
        self.progression_error.setProperty("role", "error")
        self.progression_error.setWordWrap(True)
        self.choruses_spin = QSpinBox()
        self.choruses_spin.setRange(1, 16)
        self.choruses_spin.setToolTip("How many times the solo goes round the changes.")
        changes_form = QFormLayout()
        changes_form.addRow("Form", self.form_combo)
        changes_form.addRow("Choruses", self.choruses_spin)
        changes_layout = QVBoxLayout(box_changes)
        changes_layout.addLayout(changes_form)
        changes_layout.addWidget(self.progression_edit)
        changes_layout.addWidget(self.progression_error)
        self.progression_info = QLabel("")
        self.progression_info.setProperty("role", "hint")
        changes_layout.addWidget(self.progression_info)

        box_feel = QGroupBox("Feel")
        self.tempo_spin = QSpinBox()
        self.tempo_spin.setRange(40, 320)
        self.tempo_spin.setSuffix(" bpm")
        self.tempo_spin.setToolTip("Tempo in quarter-note beats per minute.")
        self.swing_spin = QDoubleSpinBox()
        self.swing_spin.setRange(0.5, 0.75)
        self.swing_spin.setSingleStep(0.01)
        self.swing_spin.setDecimals(2)
        self.swing_spin.setToolTip(
            "Swing: where the second eighth of each beat falls. 0.50 is straight, 0.60 a "
            "light swing, 0.67 a triplet feel."
        )
        self.temperature_spin = QDoubleSpinBox()
        self.temperature_spin.setRange(0.1, 2.0)
        self.temperature_spin.setSingleStep(0.05)
        self.temperature_spin.setDecimals(2)
        self.temperature_spin.setToolTip(
            "Temperature: below 1 the solo is safer and more repetitive, above 1 it takes "
            "more chances."
        )
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("The random seed: the same seed and settings give the same solo.")
        self.seed_lock = QCheckBox("Lock")
        self.seed_lock.setToolTip(
            "Locked: every take uses this seed. Unlocked: each take draws a new seed (shown here)."
        )
        self.seed_dice = QToolButton()
        self.seed_dice.setText("New")
        self.seed_dice.setToolTip("Draw a new random seed now.")
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed_spin, 1)
        seed_row.addWidget(self.seed_lock)
        seed_row.addWidget(self.seed_dice)
        feel_form = QFormLayout(box_feel)
        feel_form.addRow("Tempo", self.tempo_spin)
        feel_form.addRow("Swing", self.swing_spin)
        feel_form.addRow("Temperature", self.temperature_spin)
        feel_form.addRow("Seed", seed_row)

        box_sound = QGroupBox("Band and sound")
        self.instrument_combo = QComboBox()
        for name, program in SOLO_INSTRUMENTS:
            self.instrument_combo.addItem(name, program)
        self.instrument_combo.setToolTip("The soloist's instrument (a General MIDI program).")
        self.comp_check = QCheckBox("Piano comping")
        self.comp_check.setToolTip("A piano plays the chords under the solo.")
        self.bass_check = QCheckBox("Walking bass")
        self.bass_check.setToolTip("A bass walks through the changes under the solo.")
        band_row = QHBoxLayout()
        band_row.addWidget(self.comp_check)
        band_row.addWidget(self.bass_check)
        band_row.addStretch(1)
        sound_form = QFormLayout(box_sound)
        sound_form.addRow("Soloist", self.instrument_combo)
        sound_form.addRow("Band", band_row)
        sound_form.addRow("Output", self.ports)

        self.generate_button = QPushButton("Generate")
        self.generate_button.setProperty("primary", True)
        self.generate_button.setToolTip("Improvise a new take and play it at once (Ctrl+G).")
        self.generate_button.setMinimumHeight(34)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop playing; sounding notes end cleanly (Space or Ctrl+.).")
        self.panic_button = QPushButton("Panic")
        self.panic_button.setToolTip("Silence every note on every channel at once (Esc).")
        buttons = QHBoxLayout()
        buttons.addWidget(self.generate_button, 2)
        buttons.addWidget(self.stop_button, 1)
        buttons.addWidget(self.panic_button, 1)

        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 6, 0)
        for box in (box_model, box_changes, box_feel, box_sound):
            layout.addWidget(box)
        layout.addLayout(buttons)
        layout.addStretch(1)

        self.model_combo.activated.connect(self._on_model_activated)
        self.form_combo.activated.connect(self._on_form_chosen)
        self.progression_edit.textChanged.connect(self._validate_progression)
        self.choruses_spin.valueChanged.connect(self._describe_length)
        self.tempo_spin.valueChanged.connect(self._describe_length)
        self.seed_dice.clicked.connect(self._new_seed)
        self.generate_button.clicked.connect(self.generate)
        self.stop_button.clicked.connect(self.stop)
        self.panic_button.clicked.connect(self.panic)
        return panel

    def _build_right(self) -> QWidget:
        self.piano_roll = PianoRoll()
        legend = QHBoxLayout()
        legend.setContentsMargins(2, 0, 2, 0)
        for kind, colour in KIND_COLOURS.items():
            swatch = QLabel()
            swatch.setFixedSize(12, 12)
            swatch.setStyleSheet(f"background: {colour.name()}; border-radius: 2px;")
            legend.addWidget(swatch)
            legend.addWidget(QLabel(KIND_NAMES[kind]))
            legend.addSpacing(8)
        band_swatch = QLabel()
        band_swatch.setFixedSize(12, 12)
        band_swatch.setStyleSheet("background: rgba(150,160,175,140); border-radius: 2px;")
        legend.addWidget(band_swatch)
        legend.addWidget(QLabel("band"))
        legend.addStretch(1)
        self.now_playing = QLabel("")
        self.now_playing.setProperty("role", "hint")
        legend.addWidget(self.now_playing)

        roll_box = QGroupBox("Piano roll")
        roll_layout = QVBoxLayout(roll_box)
        roll_layout.addWidget(self.piano_roll, 1)
        roll_layout.addLayout(legend)

        takes_box = QGroupBox("Takes")
        self.take_table = QTableWidget(0, 8)
        self.take_table.setHorizontalHeaderLabels(
            ["★", "Take", "Model", "Seed", "Temp.", "Tempo", "Bars", "Changes"]
        )
        self.take_table.verticalHeader().setVisible(False)
        self.take_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.take_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.take_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.take_table.setAlternatingRowColors(True)
        self.take_table.setWordWrap(False)
        self.take_table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.take_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)
        self.take_table.setToolTip(
            "Every take with its settings. Double-click a take to replay it."
        )
        self.replay_button = QPushButton("Replay")
        self.replay_button.setToolTip("Play the selected take again.")
        self.star_button = QPushButton("Star")
        self.star_button.setToolTip("Mark the selected take as a keeper (or unmark it).")
        self.export_midi_button = QPushButton("MIDI…")
        self.export_midi_button.setToolTip("Export the selected take as a MIDI file (Ctrl+E).")
        self.export_xml_button = QPushButton("MusicXML…")
        self.export_xml_button.setToolTip("Export the solo with chord symbols as MusicXML.")
        self.export_wav_button = QPushButton("WAV…")
        self.export_wav_button.setToolTip("Render the selected take to a WAV file.")
        take_buttons = QHBoxLayout()
        take_buttons.addWidget(self.replay_button)
        take_buttons.addWidget(self.star_button)
        take_buttons.addStretch(1)
        take_buttons.addWidget(QLabel("Export:"))
        take_buttons.addWidget(self.export_midi_button)
        take_buttons.addWidget(self.export_xml_button)
        take_buttons.addWidget(self.export_wav_button)
        takes_layout = QVBoxLayout(takes_box)
        takes_layout.addWidget(self.take_table)
        takes_layout.addLayout(take_buttons)

        self.replay_button.clicked.connect(self.replay_selected)
        self.star_button.clicked.connect(self.toggle_star)
        self.export_midi_button.clicked.connect(lambda: self.export_selected("mid"))
        self.export_xml_button.clicked.connect(lambda: self.export_selected("musicxml"))
        self.export_wav_button.clicked.connect(lambda: self.export_selected("wav"))
        self.take_table.itemSelectionChanged.connect(self._update_buttons)
        self.take_table.cellDoubleClicked.connect(lambda *_: self.replay_selected())

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(roll_box)
        splitter.addWidget(takes_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([520, 220])
        splitter.setChildrenCollapsible(False)
        return splitter

    # Settings ---------------------------------------------------------------------------------
    def _apply_settings(self, s: GenerateSettings) -> None:
        self._fill_models(s.model_path)
        form_index = self.form_combo.findData(s.form_name)
        text = s.progression_text
        if not text:
            from jazzgui.music.progression import FORMS

            text = FORMS.get(s.form_name) or FORMS["blues-f"]
        self.progression_edit.setPlainText(text)
        self.form_combo.setCurrentIndex(max(form_index, 0))
        self._sync_form_combo()
        self.choruses_spin.setValue(s.choruses)
        self.tempo_spin.setValue(s.tempo_bpm)
        self.swing_spin.setValue(s.swing)
        self.temperature_spin.setValue(s.temperature)
        self.seed_spin.setValue(min(max(s.seed, 0), 2**31 - 1))
        self.seed_lock.setChecked(s.seed_locked)
        index = self.instrument_combo.findData(s.solo_program)
        self.instrument_combo.setCurrentIndex(max(index, 0))
        self.comp_check.setChecked(s.comp)
        self.bass_check.setChecked(s.bass)

    def store_settings(self) -> None:
        """Write the panel's values into the settings dataclass it was given."""
        s = self._settings
        s.model_path = self.model_combo.currentData() or STARTER
        s.progression_text = self.progression_edit.toPlainText()
        s.form_name = self.form_combo.currentData() or _CUSTOM_FORM
        s.choruses = self.choruses_spin.value()
        s.tempo_bpm = self.tempo_spin.value()
        s.swing = self.swing_spin.value()
        s.temperature = self.temperature_spin.value()
        s.seed = self.seed_spin.value()
        s.seed_locked = self.seed_lock.isChecked()
        s.solo_program = int(self.instrument_combo.currentData())
        s.comp = self.comp_check.isChecked()
        s.bass = self.bass_check.isChecked()
        s.port_name = self.ports.port_name or s.port_name

    # Models -----------------------------------------------------------------------------------
    def _fill_models(self, selected: str) -> None:
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        self.model_combo.addItem("Starter model", STARTER)
        self.model_combo.setItemData(
            0, "The model that ships with JazzGUI", Qt.ItemDataRole.ToolTipRole
        )
        for path in self._settings.recent_models:
            if not Path(path).exists():
                continue  # moved or deleted since; it stays in the settings in case it returns
            self.model_combo.addItem(Path(path).stem, path)
            self.model_combo.setItemData(
                self.model_combo.count() - 1, path, Qt.ItemDataRole.ToolTipRole
            )
        self.model_combo.addItem("Browse…", _BROWSE)
        index = self.model_combo.findData(selected)
        self.model_combo.setCurrentIndex(max(index, 0))
        self.model_combo.blockSignals(False)

    def add_model(self, path: str) -> None:
        """Make a model file selectable (and select it), e.g. one just trained."""
        remember_model(self._settings, path)
        self._fill_models(path)
        self._load_selected_model()

    def browse_model(self) -> None:
        start = (
            str(Path(self._settings.recent_models[0]).parent)
            if self._settings.recent_models
            else ""
        )
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a model", start, "JazzGUI models (*.jazzmodel);;All files (*)"
        )
        if path:
            self.add_model(path)
        else:
            self._fill_models(self._model_key or STARTER)

    def _on_model_activated(self, _index: int) -> None:
        if self.model_combo.currentData() == _BROWSE:
            self.browse_model()
        else:
            self._load_selected_model()

    def start(self) -> None:
        """Called once the window shows: list the outputs, load the model in the background."""
        self.ports.refresh()
        self._load_selected_model()

    def _load_selected_model(self) -> None:
        key = self.model_combo.currentData() or STARTER
        if key == self._model_key and self._model is not None:
            return
        if self._model_loader is not None and self._model_loader.running:
            self._model_loader.cancel()
        self._model = None
        self._model_key = key
        label = "starter model" if key == STARTER else Path(key).name
        self.model_status.emit(f"Model: loading {label}…")
        self.model_info.setText("Loading…")
        worker = ModelLoader(key)
        worker.finished.connect(self._on_model_loaded)
        self._model_loader = start_worker(worker, "model-loader")
        self._update_buttons()

    def _on_model_loaded(self, loaded: tuple[str, Any, str]) -> None:
        key, model, problem = loaded
        if key != self._model_key:
            return  # the person picked another model meanwhile
        if model is None:
            self._on_model_failed(problem)
            return
        self._model = model
        name = "Starter model" if key == STARTER else Path(key).stem
        card = model.card if isinstance(getattr(model, "card", None), dict) else {}
        details = [f"{len(model.vocabulary)} tokens", f"hidden size {model.config.n_a}"]
        corpus = card.get("corpus")
        if isinstance(corpus, list) and corpus:
            details.append(f"trained on {len(corpus)} file{'s' if len(corpus) != 1 else ''}")
        if card.get("epochs"):
            details.append(f"{card['epochs']} epochs")
        self.model_info.setText(", ".join(details))
        self.model_status.emit(f"Model ready: {name}")
        self._update_buttons()
        if self._pending_generate:
            self._pending_generate = False
            self.generate()

    def _on_model_failed(self, message: str) -> None:
        starter_missing = self._model_key == STARTER and not _starter_path().exists()
        self._model_key = None
        self._pending_generate = False
        self.model_status.emit("Model: none loaded")
        self._update_buttons()
        if starter_missing:
            # Not an error the person caused: say what to do, without a dialog at every start.
            hint = "No starter model is installed: train one in the Train panel, or open a model."
            self.model_info.setText(hint)
            self.status.emit(hint)
            return
        self.model_info.setText("Not loaded: pick another model")
        self._show_problem(f"The model could not be loaded. {message}")

    # Progression ------------------------------------------------------------------------------
    def _on_form_chosen(self, _index: int) -> None:
        name = self.form_combo.currentData()
        if name == _CUSTOM_FORM:
            return
        from jazzgui.music.progression import FORMS

        self.progression_edit.setPlainText(FORMS[name])

    def _sync_form_combo(self) -> None:
        from jazzgui.music.progression import FORMS

        text = self.progression_edit.toPlainText().strip()
        for name, form in FORMS.items():
            if form.strip() == text:
                self.form_combo.setCurrentIndex(self.form_combo.findData(name))
                return
        self.form_combo.setCurrentIndex(0)

    def _validate_progression(self) -> bool:
        from jazzgui.music.progression import parse_progression

        text = self.progression_edit.toPlainText()
        self._sync_form_combo()
        try:
            progression = parse_progression(text)
        except ChordSymbolError as error:
            self._progression = None
            self.progression_info.setText("")
            self.progression_error.setText(str(error))
            self.progression_error.setVisible(True)
            self._mark_error(error.position, len(error.symbol) if error.symbol else 1)
            self._update_buttons()
            return False
        self._progression = progression
        bars = len(progression)
        self.progression_error.setText("")
        self.progression_error.setVisible(False)
        self.progression_edit.setToolTip(
            f"{bars} bar{'s' if bars != 1 else ''}. Bars separated by |, up to four chords a "
            "bar, % repeats the previous bar."
        )
        self._mark_error(-1, 0)
        self._describe_length()
        self._update_buttons()
        return True

    def _describe_length(self) -> None:
        """'12 bars × 2 choruses = 24 bars, about 0:36 at 160 bpm' under the changes."""
        if self._progression is None:
            return
        bars = len(self._progression)
        choruses = self.choruses_spin.value()
        seconds = round(
            bars * choruses * self._progression.beats_per_bar * 60 / self.tempo_spin.value()
        )
        total = f" = {bars * choruses} bars" if choruses > 1 else ""
        self.progression_info.setText(
            f"{bars} bar{'s' if bars != 1 else ''} × {choruses} chorus"
            f"{'es' if choruses != 1 else ''}{total}, about {seconds // 60}:{seconds % 60:02d} "
            f"at {self.tempo_spin.value()} bpm"
        )

    def _mark_error(self, position: int, length: int) -> None:
        if position < 0:
            self.progression_edit.setExtraSelections([])
            return
        selection = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor("#c9374f"))
        fmt.setBackground(QColor("#fde8ec"))
        selection.format = fmt
        cursor = QTextCursor(self.progression_edit.document())
        end = min(position + max(length, 1), len(self.progression_edit.toPlainText()))
        cursor.setPosition(min(position, end))
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        self.progression_edit.setExtraSelections([selection])

    def _new_seed(self) -> None:
        # Not the `random` module: Keras reseeds it whenever a network is built.
        self.seed_spin.setValue(secrets.randbelow(2**31 - 1))

    # Generating -------------------------------------------------------------------------------
    @property
    def is_generating(self) -> bool:
        return self._feeding and self.is_playing

    @property
    def is_playing(self) -> bool:
        return self._player is not None and bool(self._player.is_playing)

    def _ensure_player(self) -> Any:
        if self._player is None:
            from jazzgui.playback.player import Player

            self._player = Player(
                self.ports.port,
                on_error=self._bridge.on_error,
                on_position=self._bridge.on_position,
                on_finished=self._bridge.on_finished,
            )
        return self._player

    def generate(self) -> None:
        """Improvise a new take with the panel's settings and play it as it is generated."""
        if not self._validate_progression():
            self._show_problem(f"Fix the chord changes first: {self.progression_error.text()}")
            return
        if self._model is None:
            if self._model_key is None:
                self._load_selected_model()
            self._pending_generate = True
            self.status.emit("Generating as soon as the model is loaded…")
            return
        self.stop()
        if not self.seed_lock.isChecked():
            self._new_seed()
        seed = self.seed_spin.value()
        temperature = self.temperature_spin.value()
        choruses = self.choruses_spin.value()
        progression = self._progression.repeated(choruses)
        tempo = float(self.tempo_spin.value())
        swing = self.swing_spin.value()
        program = int(self.instrument_combo.currentData())
        comp, bass = self.comp_check.isChecked(), self.bass_check.isChecked()
        model = self._model
        model_name = "starter" if self._model_key == STARTER else Path(self._model_key).stem
        take = Take(
            events=[],
            progression_text=self._progression.text or self._progression.to_text(),
            tempo_bpm=tempo,
            beats_per_bar=progression.beats_per_bar,
            bars=len(progression),
            solo_program=program,
            comp_program=COMP_PROGRAM,
            bass_program=BASS_PROGRAM,
            swing=swing,
            provenance=Provenance(
                model=model_name,
                seed=seed,
                temperature=temperature,
                progression=self._progression.to_text(),
                extra={"choruses": str(choruses), "band": f"comp={comp}, bass={bass}"},
            ),
        )
        entry = TakeEntry(len(self.takes) + 1, take, model_name, seed, temperature)
        self._show_take_frame(progression)
        self._current = entry
        bars = self._bars(entry, model, progression, seed, temperature, comp, bass)
        try:
            self._ensure_player().stream(
                bars,
                tempo_bpm=tempo,
                swing=swing,
                seed=seed,
                programs={SOLO_CHANNEL: program, 1: COMP_PROGRAM, 2: BASS_PROGRAM},
                beats_per_bar=progression.beats_per_bar,
            )
        except (JazzGUIError, RuntimeError, ValueError) as error:
            self._show_problem(describe_error(error))
            return
        self._feeding = True
        self._playhead_beat = 0.0
        self._playhead_timer.start()
        self.status.emit(f"Take {entry.number}: improvising with seed {seed}…")
        self._update_buttons()

    def _bars(
        self,
        entry: TakeEntry,
        model: Any,
        progression: Any,
        seed: int,
        temperature: float,
        comp: bool,
        bass: bool,
    ) -> Iterator[list[NoteEvent]]:
        """Bars as they are sampled, run by the player's feeder thread a bar or two ahead."""
        import numpy as np

        from jazzgui.model.sampling import SamplerSettings, improvise
        from jazzgui.music.accompaniment import band_for_bar

        bridge = self._bridge

        def bars() -> Iterator[list[NoteEvent]]:
            # The same streams as generate_take, so a seed gives the same take as the CLI.
            rng = np.random.default_rng([seed, 1])
            settings = SamplerSettings(temperature=temperature, seed=seed)
            events: list[NoteEvent] = []
            for generated in improvise(model, progression, settings):
                bar_events = list(generated.events)
                if comp or bass:
                    bar_events += band_for_bar(
                        progression, generated.index, rng, comp=comp, bass=bass
                    )
                events.extend(bar_events)
                bridge.bar_ready.emit(bar_events)
                yield bar_events
            bridge.take_done.emit(entry, events)

        return bars()

    def _show_take_frame(self, progression: Any) -> None:
        self.piano_roll.clear(progression.length_beats, progression.beats_per_bar)
        self.piano_roll.set_chords(
            (span.start_beat, span.duration, str(span.chord)) for span in progression.spans()
        )

    def _on_bar_generated(self, events: list[NoteEvent]) -> None:
        self.piano_roll.add_events(events)

    def _on_take_generated(self, entry: TakeEntry, events: list[NoteEvent]) -> None:
        self._feeding = False
        entry.take.events = sorted(events)
        self._add_take(entry)
        self.status.emit(
            f"Take {entry.number}: {sum(1 for e in events if e.channel == SOLO_CHANNEL)} solo "
            f"notes over {entry.take.bars} bars (seed {entry.seed})."
        )
        self._update_buttons()

    def _add_take(self, entry: TakeEntry) -> None:
        self.takes.append(entry)
        row = self.take_table.rowCount()
        self.take_table.insertRow(row)
        take = entry.take
        values = [
            "",
            f"#{entry.number}",
            entry.model_name,
            str(entry.seed),
            f"{entry.temperature:.2f}",
            f"{take.tempo_bpm:.0f}",
            str(take.bars),
            take.provenance.progression,
        ]
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(take.provenance.describe())
            self.take_table.setItem(row, column, item)
        self.take_table.selectRow(row)

    # Playback ---------------------------------------------------------------------------------
    def _tick(self) -> None:
        if self._playhead_beat is not None:
            self.piano_roll.set_playhead(self._playhead_beat)
        if not self.is_playing and not self.is_generating:
            self._playhead_timer.stop()
            self.now_playing.setText("")
            self._update_buttons()
        elif self._current is not None:
            self.now_playing.setText(f"Playing take {self._current.number}")

    def _on_position(self, beat: float) -> None:
        self._playhead_beat = beat

    def _on_player_error(self, message: str) -> None:
        self._show_problem(f"Playback stopped: {message}")
        self._update_buttons()

    def _on_port_changed(self, port: Any) -> None:
        if self._player is not None:
            self._player.set_port(port)
        self._settings.port_name = self.ports.port_name

    def stop(self) -> None:
        """Stop generating and playing; the player sends the note-offs."""
        self._feeding = False
        if self._player is not None:
            self._player.stop()
        self._update_buttons()

    def panic(self) -> None:
        """Stop, then silence every channel of the output, whatever it still holds."""
        self.stop()
        if self._player is not None:
            self._player.panic()
        else:
            port = self.ports.port
            if not port.closed:
                port.panic()
        self.status.emit("Panic: every note silenced.")

    def selected_entry(self) -> TakeEntry | None:
        rows = self.take_table.selectionModel().selectedRows()
        if not rows:
            return self.takes[-1] if self.takes else None
        return self.takes[rows[0].row()]

    def replay_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        self.stop()
        from jazzgui.music.progression import parse_progression

        take = entry.take
        try:
            progression = parse_progression(take.progression_text, take.beats_per_bar)
            choruses = max(take.bars // max(len(progression), 1), 1)
            self._show_take_frame(progression.repeated(choruses))
            self.piano_roll.add_events(take.events)
            self._ensure_player().play(take)
        except (JazzGUIError, RuntimeError, ValueError) as error:
            self._show_problem(describe_error(error))
            return
        self._playhead_beat = 0.0
        self._current = entry
        self._playhead_timer.start()
        self.status.emit(f"Replaying take {entry.number}.")
        self._update_buttons()

    def toggle_star(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        entry.starred = not entry.starred
        row = self.takes.index(entry)
        self.take_table.item(row, 0).setText("★" if entry.starred else "")

    # Export -----------------------------------------------------------------------------------
    def export_selected(self, kind: str) -> None:
        entry = self.selected_entry()
        if entry is None:
            self._show_problem("There is no take to export yet: press Generate first.")
            return
        filters = {
            "mid": ("MIDI files (*.mid)", ".mid"),
            "musicxml": ("MusicXML files (*.musicxml)", ".musicxml"),
            "wav": ("WAV audio (*.wav)", ".wav"),
        }
        file_filter, suffix = filters[kind]
        folder = Path(self._settings.export_folder or Path.home())
        suggested = folder / f"take-{entry.number}-seed{entry.seed}{suffix}"
        path, _ = QFileDialog.getSaveFileName(self, "Export take", str(suggested), file_filter)
        if not path:
            return
        self._settings.export_folder = str(Path(path).parent)
        if not path.lower().endswith(suffix):
            path += suffix
        self.export_take(entry.take, kind, path)

    def export_take(self, take: Take, kind: str, path: str) -> WorkerHandle:
        """Write a take in the background; the status bar says when it is done."""

        def work(report: Callable[[Any], None], cancel: threading.Event) -> str:
            if kind == "mid":
                from jazzgui.music.midifile import write_take_midi

                write_take_midi(take, path)
            elif kind == "musicxml":
                from jazzgui.music.midifile import write_take_musicxml

                write_take_musicxml(take, path)
            else:
                from jazzgui.playback.soundfont import render_take_as_heard
                from jazzgui.playback.synth import write_wav

                write_wav(path, render_take_as_heard(take, self._settings.soundfont))
            return path

        worker = Worker(work)
        worker.finished.connect(self._on_exported)
        worker.failed.connect(self._on_export_failed)
        handle = start_worker(worker, f"export-{kind}")
        self._export_workers = [h for h in self._export_workers if h.running] + [handle]
        self.status.emit(f"Exporting {Path(path).name}…")
        return handle

    def _on_exported(self, path: str) -> None:
        self.status.emit(f"Exported {path}")

    def _on_export_failed(self, message: str) -> None:
        self._show_problem(f"The export failed. {message}")

    # State ------------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        busy = self.is_generating or self.is_playing
        if busy != self._was_busy:
            self._was_busy = busy
            self.playing_changed.emit(busy)
        self.generate_button.setEnabled(
            self._progression is not None and self._model_key is not None
        )
        self.stop_button.setEnabled(busy)
        has_take = bool(self.takes)
        for button in (
            self.replay_button,
            self.star_button,
            self.export_midi_button,
            self.export_xml_button,
            self.export_wav_button,
        ):
            button.setEnabled(has_take)

    def _show_problem(self, message: str) -> None:
        self.status.emit(message)
        if self._shut_down:
            return  # late news from a worker after the window closed: no new windows
        box = QMessageBox(
            QMessageBox.Icon.Warning, "JazzGUI", message, QMessageBox.StandardButton.Ok, self
        )
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()  # not exec(): the app keeps running (and tests keep going)

    def shutdown(self) -> None:
        """Stop generating and playing, send every note-off, and close the player and port."""
        self._shut_down = True
        self._pending_generate = False
        self._playhead_timer.stop()
        if self._player is not None:
            self._player.stop()
            self._player.close()
            self._player = None
        for handle in self._export_workers:
            handle.stop_and_wait()
        self.ports.close_port()
