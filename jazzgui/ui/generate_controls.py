"""The Generate panel's controls: model, changes, feel, band and output, and the buttons.

They check the changes as the person types, describe the take's length, draw seeds, and turn
their values into a `TakeRequest` (the same request `jazzgui generate` builds from arguments)
and into the settings dataclass.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from jazzgui import limits
from jazzgui.errors import ChordSymbolError, JazzGUIError
from jazzgui.music import defaults
from jazzgui.music.meter import COMMON_METERS
from jazzgui.ui.limits_widgets import configure
from jazzgui.ui.ports_widget import PortsWidget
from jazzgui.ui.settings_store import GenerateSettings

STARTER = ""  # the model path value meaning "the starter model"
BROWSE = "\x00browse"
_CUSTOM_FORM = "custom"
_MAX_SPIN_SEED = 2**31 - 1  # the largest value a QSpinBox holds


class GenerateControls(QWidget):
    """The left side of the Generate panel; `changes_edited` fires after every check."""

    changes_edited = Signal()

    def __init__(
        self, settings: GenerateSettings, ports: PortsWidget, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self.ports = ports
        self.progression: Any = None  # the parsed changes, None while they have an error
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 6, 0)
        for box in (
            self._build_model_box(),
            self._build_changes_box(),
            self._build_feel_box(),
            self._build_sound_box(),
        ):
            layout.addWidget(box)
        layout.addLayout(self._build_buttons())
        layout.addStretch(1)
        self.form_combo.activated.connect(self._on_form_chosen)
        self.progression_edit.textChanged.connect(self.validate_progression)
        self.meter_combo.currentIndexChanged.connect(self.validate_progression)
        self.choruses_spin.valueChanged.connect(self.validate_progression)
        self.tempo_spin.valueChanged.connect(self._describe_length)
        self.seed_dice.clicked.connect(self.new_seed)

    # Building ---------------------------------------------------------------------------------
    def _build_model_box(self) -> QGroupBox:
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
        return box_model

    def _build_changes_box(self) -> QGroupBox:
        box_changes = QGroupBox("Changes")
        self.form_combo = QComboBox()
        self.form_combo.addItem("Custom changes", _CUSTOM_FORM)
        from jazzgui.music.progression import FORMS, form_title

        for name in FORMS:
            self.form_combo.addItem(form_title(name), name)
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
        self.meter_combo = QComboBox()
        for meter in COMMON_METERS:
            self.meter_combo.addItem(meter, meter)
        self.meter_combo.setToolTip(
            "The meter the changes are played in (built-in forms too, bar for bar). A marker "
            "in typed changes, such as (3/4) before a bar's chords, wins over it from that bar "
            "until the next marker."
        )
        self.choruses_spin = QSpinBox()
        configure(
            self.choruses_spin, limits.CHORUSES, "How many times the solo goes round the changes."
        )
        changes_form = QFormLayout()
        changes_form.addRow("Form", self.form_combo)
        changes_form.addRow("Meter", self.meter_combo)
        changes_form.addRow("Choruses", self.choruses_spin)
        changes_layout = QVBoxLayout(box_changes)
        changes_layout.addLayout(changes_form)
        changes_layout.addWidget(self.progression_edit)
        changes_layout.addWidget(self.progression_error)
        self.progression_info = QLabel("")
        self.progression_info.setProperty("role", "hint")
        changes_layout.addWidget(self.progression_info)
        return box_changes

    def _build_feel_box(self) -> QGroupBox:
        box_feel = QGroupBox("Feel")
        self.tempo_spin = QDoubleSpinBox()
        configure(self.tempo_spin, limits.TEMPO, "Tempo in quarter-note beats per minute.")
        self.tempo_spin.setSuffix(" bpm")
        self.swing_spin = QDoubleSpinBox()
        configure(
            self.swing_spin,
            limits.SWING,
            "Swing: where the second eighth of each beat falls. 0.50 is straight, 0.60 a "
            "light swing, 0.67 a triplet feel.",
        )
        self.temperature_spin = QDoubleSpinBox()
        configure(
            self.temperature_spin,
            limits.TEMPERATURE,
            "Temperature: below 1 the solo is safer and more repetitive, above 1 it takes "
            "more chances; 0 always picks the likeliest value.",
        )
        self.network_only_check = QCheckBox("Network only")
        self.network_only_check.setToolTip(
            "Improvise from the network alone: no strong-beat chord-tone bias, no pitch "
            "prior, no copy limit, no repetition penalty (temperature and top-p only). The "
            "take's provenance records it."
        )
        seed_row = self._build_seed_row()
        feel_form = QFormLayout(box_feel)
        feel_form.addRow("Tempo", self.tempo_spin)
        feel_form.addRow("Swing", self.swing_spin)
        feel_form.addRow("Temperature", self.temperature_spin)
        feel_form.addRow("Seed", seed_row)
        feel_form.addRow("Rules", self.network_only_check)
        return box_feel

    def _build_seed_row(self) -> QHBoxLayout:
        # Take seeds run to 2**63-1 (limits.SEED), more than a QSpinBox holds: the panel draws
        # and shows seeds below 2**31 and refuses stored ones it cannot show.
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(limits.SEED.minimum, min(limits.SEED.maximum, _MAX_SPIN_SEED))
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
        return seed_row

    def _build_sound_box(self) -> QGroupBox:
        box_sound = QGroupBox("Band and sound")
        self.instrument_combo = QComboBox()
        for name, program in defaults.SOLO_INSTRUMENTS:
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
        return box_sound

    def _build_buttons(self) -> QHBoxLayout:
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
        return buttons

    # Settings ---------------------------------------------------------------------------------
    def apply_settings(self, s: GenerateSettings) -> None:
        """Show the remembered values (the model list included)."""
        self.fill_models(s.model_path)
        form_index = self.form_combo.findData(s.form_name)
        text = s.progression_text
        if not text:
            from jazzgui.music.progression import FORMS

            text = FORMS.get(s.form_name) or FORMS[defaults.FORM]
        self.progression_edit.setPlainText(text)
        self.form_combo.setCurrentIndex(max(form_index, 0))
        self._sync_form_combo()
        self.meter_combo.setCurrentIndex(max(self.meter_combo.findData(s.meter), 0))
        self.choruses_spin.setValue(s.choruses)
        self.tempo_spin.setValue(s.tempo_bpm)
        self.swing_spin.setValue(s.swing)
        self.temperature_spin.setValue(s.temperature)
        self.network_only_check.setChecked(s.network_only)
        seed_ok = limits.SEED.problem(s.seed) is None and s.seed <= _MAX_SPIN_SEED
        self.seed_spin.setValue(s.seed if seed_ok else GenerateSettings.seed)
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
        s.meter = self.meter_combo.currentData()
        s.choruses = self.choruses_spin.value()
        s.tempo_bpm = self.tempo_spin.value()
        s.swing = self.swing_spin.value()
        s.temperature = self.temperature_spin.value()
        s.network_only = self.network_only_check.isChecked()
        s.seed = self.seed_spin.value()
        s.seed_locked = self.seed_lock.isChecked()
        s.solo_program = int(self.instrument_combo.currentData())
        s.comp = self.comp_check.isChecked()
        s.bass = self.bass_check.isChecked()
        s.port_name = self.ports.port_name or s.port_name

    # Models -----------------------------------------------------------------------------------
    def fill_models(self, selected: str) -> None:
        """The starter model, the recent models that still exist, and Browse…; `selected` is
        listed too while it loads (it joins the recent models once it has loaded)."""
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        self.model_combo.addItem("Starter model", STARTER)
        self.model_combo.setItemData(
            0, "The model that ships with JazzGUI", Qt.ItemDataRole.ToolTipRole
        )
        recent = self._settings.recent_models
        for path in recent if selected in (STARTER, *recent) else [selected, *recent]:
            if not Path(path).exists():
                continue  # moved or deleted since; it stays in the settings in case it returns
            self.model_combo.addItem(Path(path).stem, path)
            self.model_combo.setItemData(
                self.model_combo.count() - 1, path, Qt.ItemDataRole.ToolTipRole
            )
        self.model_combo.addItem("Browse…", BROWSE)
        index = self.model_combo.findData(selected)
        self.model_combo.setCurrentIndex(max(index, 0))
        self.model_combo.blockSignals(False)

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

    def validate_progression(self) -> bool:
        """Parse the changes as typed; mark an error in place. True when they are usable."""
        from jazzgui.music.progression import parse_progression

        text = self.progression_edit.toPlainText()
        self._sync_form_combo()
        try:
            progression = parse_progression(text, meter=self.meter_combo.currentData())
        except ChordSymbolError as error:
            return self._refuse(str(error), error.position, len(error.symbol or " "))
        try:
            limits.check_take_length(self.choruses_spin.value(), len(progression), "Choruses")
        except JazzGUIError as error:
            return self._refuse(str(error))
        self.progression = progression
        bars = len(progression)
        self.progression_error.setText("")
        self.progression_error.setVisible(False)
        self.progression_edit.setToolTip(
            f"{bars} bar{'s' if bars != 1 else ''}. Bars separated by |, up to four chords a "
            "bar, % repeats the previous bar."
        )
        self._mark_error(-1, 0)
        self._describe_length()
        self.changes_edited.emit()
        return True

    def _refuse(self, message: str, position: int = -1, length: int = 0) -> bool:
        """Show why the changes cannot be played (marking `length` characters at `position`)."""
        self.progression = None
        self.progression_info.setText("")
        self.progression_error.setText(message)
        self.progression_error.setVisible(True)
        self._mark_error(position, length)
        self.changes_edited.emit()
        return False

    def _describe_length(self) -> None:
        """'12 bars × 2 choruses = 24 bars, about 0:36 at 160 bpm' under the changes."""
        if self.progression is None:
            return
        bars = len(self.progression)
        choruses = self.choruses_spin.value()
        seconds = round(choruses * self.progression.length_beats * 60 / self.tempo_spin.value())
        total = f" = {bars * choruses} bars" if choruses > 1 else ""
        meter = self.progression.meter_summary
        if self.progression.mixed:
            meter += " (set by the markers in the changes)"
        elif meter != self.meter_combo.currentData():
            meter += " (set by the marker in the changes)"
        in_meter = "" if meter == "4/4" else f" of {meter}"
        self.progression_info.setText(
            f"{bars} bar{'s' if bars != 1 else ''}{in_meter} × {choruses} chorus"
            f"{'es' if choruses != 1 else ''}{total}, about {seconds // 60}:{seconds % 60:02d} "
            f"at {self.tempo_spin.value():g} bpm"
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

    def new_seed(self) -> None:
        # Not the `random` module: Keras reseeds it whenever a network is built.
        self.seed_spin.setValue(secrets.randbelow(_MAX_SPIN_SEED))

    def take_request(self, model_key: str | None) -> Any:
        """The take the controls ask for (the same request `jazzgui generate` builds)."""
        from jazzgui.model.sampling import SamplerSettings
        from jazzgui.model.takes import TakeRequest, model_label

        return TakeRequest(
            self.progression,
            choruses=self.choruses_spin.value(),
            tempo_bpm=float(self.tempo_spin.value()),
            swing=self.swing_spin.value(),
            solo_program=int(self.instrument_combo.currentData()),
            comp=self.comp_check.isChecked(),
            bass=self.bass_check.isChecked(),
            sampler=SamplerSettings(
                temperature=self.temperature_spin.value(),
                seed=self.seed_spin.value(),
                rules=not self.network_only_check.isChecked(),
            ),
            model_name=model_label(model_key),
        )
