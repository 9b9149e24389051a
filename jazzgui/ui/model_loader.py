"""Loading a model file in the background (numpy only, so no TensorFlow) for the Generate panel."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jazzgui.errors import JazzGUIError
from jazzgui.ui.workers import Worker, describe_error

log = logging.getLogger(__name__)


def starter_path() -> Path:
    from jazzgui.model.starter import starter_model_path

    return starter_model_path()


def _load_model(path: str) -> Any:
    from jazzgui.model.modelfile import load_model
    from jazzgui.model.sampling import prepare

    model = load_model(Path(path) if path else starter_path())
    prepare(model)  # here, in the background: the first Generate then starts at once
    return model


@dataclass(frozen=True)
class LoadedModel:
    """What the model loader hands back: the model asked for, or why it could not be read."""

    key: str
    model: Any = None
    problem: str = ""


class ModelLoader(Worker):
    """Loads a model file (numpy only, no TensorFlow) into a LoadedModel."""

    def __init__(self, key: str) -> None:
        super().__init__(self._load)
        self.key = key

    def _load(self, report: Callable[[Any], None], cancel: threading.Event) -> LoadedModel:
        try:
            return LoadedModel(self.key, _load_model(self.key))
        except Exception as error:  # reported with its key, so a stale failure is ignored
            if not isinstance(error, JazzGUIError):
                log.exception("loading the model %r failed", self.key)
            return LoadedModel(self.key, problem=describe_error(error))


def describe_model(model: Any) -> str:
    """'120 tokens, hidden size 128, trained on 8 files, 40 epochs' from a model and its card."""
    card = model.card if isinstance(getattr(model, "card", None), dict) else {}
    details = [f"{len(model.vocabulary)} tokens", f"hidden size {model.config.n_a}"]
    corpus = card.get("corpus")
    if isinstance(corpus, list) and corpus:
        details.append(f"trained on {len(corpus)} file{'s' if len(corpus) != 1 else ''}")
    if card.get("epochs"):
        details.append(f"{card['epochs']} epochs")
    return ", ".join(details)
