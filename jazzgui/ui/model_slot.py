"""The Generate panel's model: the one that generates, kept usable while another loads.

Loading runs in the background (numpy only); a failed load keeps the model in use, selected in
the picker, and only files that loaded join the recent models.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from jazzgui.ui.generate_controls import BROWSE, STARTER, GenerateControls
from jazzgui.ui.model_loader import LoadedModel, ModelLoader, describe_model, starter_path
from jazzgui.ui.settings_store import GenerateSettings, remember_model
from jazzgui.ui.workers import WorkerHandle, start_worker


class ModelSlot(QObject):
    """Loads models for the picker of `controls` and holds the one in use."""

    model_status = Signal(str)  # "Model: …" for the status bar
    problem = Signal(str)  # a load failed, in words
    hint = Signal(str)  # something to say that is not an error
    changed = Signal()  # a load started, ended or failed: buttons may change
    ready = Signal()  # a new model is in use
    failed = Signal()  # a load failed (the model in use, if any, stays)

    def __init__(
        self, controls: GenerateControls, settings: GenerateSettings, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self._controls = controls
        self._settings = settings
        self._parent = parent
        self.model: Any = None  # the model that generates, kept while another one loads
        self.key: str | None = None  # its key (STARTER or a path); None: no model
        self.loading_key: str | None = None  # the model being loaded, if any
        self._loader: WorkerHandle | None = None
        controls.model_combo.activated.connect(self._on_activated)

    @property
    def name(self) -> str:
        """The loaded model as the status bar names it ("" when none is loaded)."""
        if self.model is None:
            return ""
        return "Starter model" if self.key == STARTER else Path(self.key).stem

    def browse(self) -> None:
        recent = self._settings.recent_models
        start = str(Path(recent[0]).parent) if recent else ""
        path, _ = QFileDialog.getOpenFileName(
            self._parent, "Open a model", start, "JazzGUI models (*.jazzmodel);;All files (*)"
        )
        self._controls.fill_models(self.key or STARTER)  # until the new one has loaded
        if path:
            self.load(path)

    def load_selected(self) -> None:
        self.load(self._controls.model_combo.currentData() or STARTER)

    def _on_activated(self, _index: int) -> None:
        if self._controls.model_combo.currentData() == BROWSE:
            self.browse()
        else:
            self.load_selected()

    def load(self, key: str) -> None:
        """Load `key` in the background; the model loaded so far stays usable meanwhile."""
        if key == self.key and self.model is not None:
            self.cancel()
            self._controls.fill_models(key)
            self.model_status.emit(f"Model: {self.name}")
            self.changed.emit()
            return
        if key == self.loading_key:
            return
        self.cancel()
        self.loading_key = key
        self._controls.fill_models(key)
        label = "starter model" if key == STARTER else Path(key).name
        self.model_status.emit(f"Model: loading {label}…")
        self._controls.model_info.setText("Loading…")
        worker = ModelLoader(key)
        worker.finished.connect(self._on_loaded)
        self._loader = start_worker(worker, "model-loader")
        self.changed.emit()

    def cancel(self) -> None:
        """Forget a load under way (its result is ignored when it comes)."""
        if self._loader is not None and self._loader.running:
            self._loader.cancel()
        self.loading_key = None

    def _on_loaded(self, loaded: LoadedModel) -> None:
        key, model = loaded.key, loaded.model
        if key != self.loading_key:
            return  # the person picked another model meanwhile
        self.loading_key = None
        if model is None:
            self._on_failed(key, loaded.problem)
            return
        self.model, self.key = model, key
        if key != STARTER:
            remember_model(self._settings, key)
        self._controls.fill_models(key)
        self._controls.model_info.setText(describe_model(model))
        self.model_status.emit(f"Model: {self.name}")
        self.changed.emit()
        self.ready.emit()

    def _on_failed(self, key: str, message: str) -> None:
        """Keep the model that was loaded (selected and usable); say why the new one is not."""
        self._controls.fill_models(self.key or STARTER)
        self.failed.emit()
        self.changed.emit()
        info = self._controls.model_info
        if self.model is not None:
            info.setText(describe_model(self.model))
            self.model_status.emit(f"Model: {self.name}")
            self.problem.emit(
                f"The model could not be loaded, so {self.name} stays in use. {message}"
            )
            return
        self.model_status.emit("Model: none loaded")
        if key == STARTER and not starter_path().exists():
            # Not an error the person caused: say what to do, without a dialog at every start.
            text = "No starter model is installed: train one in the Train panel, or open a model."
            info.setText(text)
            self.hint.emit(text)
            return
        info.setText("Not loaded: pick another model")
        self.problem.emit(f"The model could not be loaded. {message}")
