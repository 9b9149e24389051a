"""The Train panel's training settings: the kind of network, a preset, or epochs, hidden size,
learning rate, batch, validation split and early stopping set by hand,
with the ranges of jazzgui.limits."""

from __future__ import annotations

from dataclasses import astuple
from typing import Any

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QSpinBox, QWidget

from jazzgui import limits
from jazzgui.music.defaults import TRAINING_PRESETS
from jazzgui.ui.limits_widgets import configure
from jazzgui.ui.settings_store import TrainSettings

CUSTOM = "Custom"
KINDS = {  # ModelConfig.kind -> how the panel names it
    "new": "Chord- and beat-aware (new)",
    "reference": "Chord-blind (the reference's)",
}


class TrainSettingsBox(QGroupBox):
    """The preset and the hyperparameters; any change by hand makes the preset Custom."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Training settings", parent)
        self.preset_combo = QComboBox()
        self.preset_combo.addItems([*TRAINING_PRESETS, CUSTOM])
        self.preset_combo.setToolTip(
            "Quick: a first try in a minute or two. Standard: a good model. Long: a bigger "
            "model trained longer. Changing any value below makes it Custom."
        )
        self.kind_combo = QComboBox()
        for kind, label in KINDS.items():
            self.kind_combo.addItem(label, kind)
        self.kind_combo.setToolTip(
            "The new network sees the chords and the beat and learns from files put on their "
            "grid; the reference's network sees only the tokens (as `jazzgui train --kind`)."
        )
        self.epochs_spin = QSpinBox()
        configure(
            self.epochs_spin, limits.EPOCHS, "How many times training goes through all the solos."
        )
        self.hidden_spin = QSpinBox()
        configure(
            self.hidden_spin,
            limits.HIDDEN,
            "LSTM hidden size: larger learns more detail but needs more data and time.",
        )
        self.lr_spin = QDoubleSpinBox()
        configure(
            self.lr_spin,
            limits.LEARNING_RATE,
            "Learning rate of the Adam optimiser (it decays during training).",
        )
        self.batch_spin = QSpinBox()
        configure(
            self.batch_spin,
            limits.BATCH,
            "Rows a step learns from: lanes of music read on chunk after chunk (or windows).",
        )
        self.val_spin = QDoubleSpinBox()
        configure(
            self.val_spin,
            limits.VALIDATION,
            "Share of bars held out to measure validation loss (0 turns it off).",
        )
        self.patience_spin = QSpinBox()
        configure(
            self.patience_spin,
            limits.PATIENCE,
            "Early stopping: end training when validation loss has not improved for this many "
            "epochs, keeping the best weights (off trains all epochs).",
        )
        self.patience_spin.setMinimum(0)  # below the limit's range: 0 turns early stopping off
        self.patience_spin.setSpecialValueText("off")
        self.patience_spin.setSuffix(" epochs")
        form = QFormLayout(self)
        form.addRow("Network", self.kind_combo)
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
        self.spins = (
            self.epochs_spin,
            self.hidden_spin,
            self.lr_spin,
            self.batch_spin,
            self.val_spin,
            self.patience_spin,
        )

    def apply_settings(self, s: TrainSettings) -> None:
        """Show the remembered values and preset."""
        self._set_values(
            s.epochs, s.hidden_size, s.learning_rate, s.batch_size, s.val_fraction, s.early_stopping
        )
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(s.kind), 0))
        index = self.preset_combo.findText(s.preset)
        self.preset_combo.setCurrentIndex(
            index if index >= 0 else self.preset_combo.findText(CUSTOM)
        )

    def store_settings(self, s: TrainSettings) -> None:
        """Write the values into the settings dataclass."""
        s.kind = self.kind
        s.preset = self.preset_combo.currentText()
        s.epochs = self.epochs_spin.value()
        s.hidden_size = self.hidden_spin.value()
        s.learning_rate = self.lr_spin.value()
        s.batch_size = self.batch_spin.value()
        s.val_fraction = self.val_spin.value()
        s.early_stopping = self.patience_spin.value()

    def _set_values(
        self, epochs: int, hidden: int, lr: float, batch: int, val: float, patience: int
    ) -> None:
        spins = self.spins
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

    @property
    def kind(self) -> str:
        """The kind of network to train (ModelConfig.kind)."""
        return str(self.kind_combo.currentData())

    def configs(self) -> tuple[Any, Any]:
        from jazzgui.model.config import ModelConfig, TrainConfig

        patience = self.patience_spin.value()
        model_config = ModelConfig(n_a=self.hidden_spin.value(), kind=self.kind)
        train_config = TrainConfig(
            epochs=self.epochs_spin.value(),
            batch_size=self.batch_spin.value(),
            learning_rate=self.lr_spin.value(),
            val_fraction=self.val_spin.value(),
            early_stopping_patience=patience or None,
        )
        return model_config, train_config
