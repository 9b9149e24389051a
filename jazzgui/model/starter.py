"""The starter model: where it ships (package data) and the settings it was trained with."""

from __future__ import annotations

from pathlib import Path

from jazzgui.model.config import ModelConfig, TrainConfig

STARTER_NAME = "starter.jazzmodel"

# The command that made jazzgui/assets/starter.jazzmodel from the built-in corpus (run in the
# repository's root); starter_configs() holds the same settings for code (bench/quality.py).
STARTER_COMMAND = (
    "python -m jazzgui train data/solos -o jazzgui/assets/starter.jazzmodel --kind new "
    "--hidden 128 --dropout 0.5 --val 0.1 --patience 10 --epochs 100 --seed 0"
)


def starter_model_path() -> Path:
    """The starter model inside the installed package (it may be missing in a source tree)."""
    return Path(__file__).resolve().parent.parent / "assets" / STARTER_NAME


def starter_configs() -> tuple[ModelConfig, TrainConfig]:
    """The network and training settings of STARTER_COMMAND (fresh objects each call).

    128 units with dropout 0.5 reached the lowest validation loss of the shapes tried on the
    built-in corpus (64/128/256 units, dropout 0.2-0.5); early stopping keeps the epoch with
    the best validation loss, since this small corpus is learnt by heart within a few epochs.
    """
    model = ModelConfig(n_a=128, layers=1, dropout=0.5, tx=30)
    training = TrainConfig(epochs=100, val_fraction=0.1, early_stopping_patience=10, seed=0)
    return model, training
