"""Gradient clipping: TrainConfig.clipnorm bounds each step's global gradient norm, recorded in
the model card; `jazzgui train --clipnorm` end to end, 0 turning it off."""

from __future__ import annotations

import numpy as np
import pytest

from jazzgui.cli import main
from jazzgui.model.config import ModelConfig, TrainConfig
from jazzgui.model.modelfile import load_model
from jazzgui.model.network import build_network, get_weights
from jazzgui.model.training import train_on_windows

SELECTION = ["--track", "Guitar", "--chord-track", "Piano", "--bars", "120-137"]


def test_a_clip_norm_must_be_positive_or_none():
    assert any("clip norm" in problem for problem in TrainConfig(clipnorm=0).validate())
    assert any("clip norm" in problem for problem in TrainConfig(clipnorm=-1.0).validate())
    assert not TrainConfig(clipnorm=None).validate()
    assert TrainConfig().clipnorm == 1.0


def _one_step(clipnorm: float | None) -> float:
    """How far one step of plain-lr Adam moves the weights from the same start."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 6, size=(8, 5)).astype(np.int32)
    y = np.roll(x, -1, axis=1)
    model = ModelConfig(n_a=4, tx=5, kind="reference")
    start = get_weights(build_network(6, model, seed=0), 6, model)  # the seed's first weights
    config = TrainConfig(epochs=1, batch_size=8, learning_rate=0.5, decay=0, clipnorm=clipnorm)
    moved = train_on_windows(x, y, list("abcdef"), model, config).model.weights
    return sum(float(np.abs(moved[name] - start[name]).sum()) for name in start)


def test_clipping_changes_the_step_and_a_huge_norm_does_not():
    # Adam's first step moves every weight by about lr whatever the gradient's scale, unless
    # clipping shrinks gradients towards Adam's epsilon: a tiny norm moves the weights less.
    unclipped = _one_step(None)
    assert _one_step(1e6) == pytest.approx(unclipped, rel=1e-4)
    assert _one_step(1e-9) < 0.5 * unclipped


def test_jazzgui_train_with_a_clip_norm(tmp_path, reference_midi, capsys):
    path = tmp_path / "clipped.jazzmodel"
    args = ["train", str(reference_midi), *SELECTION, "-o", str(path), "--epochs", "1"]
    small = ["--hidden", "8", "--tx", "8", "--val", "0"]
    assert main([*args, *small, "--clipnorm", "2.5"]) == 0
    assert "gradient norm clipped at 2.5" in capsys.readouterr().out
    assert load_model(path).card["train"]["clipnorm"] == 2.5
    assert main([*args, *small, "--clipnorm", "0"]) == 0
    assert "no clipping" in capsys.readouterr().out
    assert load_model(path).card["train"]["clipnorm"] is None
    with pytest.raises(SystemExit) as refused:
        main([*args, "--clipnorm", "-1"])
    assert refused.value.code == 2
    assert "argument --clipnorm: -1 is out of range: the gradient clip norm must be" in (
        capsys.readouterr().err
    )
