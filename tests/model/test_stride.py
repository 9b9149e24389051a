"""Training windows every `stride` tokens: which windows and how many, in memory and streamed
alike; validation windows untouched by the stride; `jazzgui train --stride` end to end."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from jazzgui.cli import main
from jazzgui.model import dataset
from jazzgui.model.config import ModelConfig, TrainConfig
from jazzgui.model.modelfile import load_model
from jazzgui.model.training import _split, corpus_parts, train

TX = 5
SELECTION = ["--track", "Guitar", "--chord-track", "Piano", "--bars", "120-137"]


def _sequences() -> list[np.ndarray]:
    # Each sequence's tokens start at its own hundred, so a window tells where it came from.
    return [
        np.arange(100 * i, 100 * i + length, dtype=np.int32)
        for i, length in enumerate((21, 6, 13, 5))
    ]


def _starts(data) -> list[int]:
    if isinstance(data, dataset.ArrayWindows):
        return sorted(int(row[0]) for row in data.x)
    starts = []
    for x, _ in data.make(None, 64, 0, shuffle=False):
        starts.extend(int(v) for v in x.numpy()[:, 0])
    return sorted(starts)


@pytest.mark.parametrize("stride", [1, 2, 5, 7])
def test_windows_start_every_stride_tokens_in_memory_and_streamed(tmp_path, monkeypatch, stride):
    sequences = _sequences()
    expected = sorted(
        100 * i + offset
        for i, s in enumerate(sequences)
        for offset in range(0, len(s) - TX, stride)  # a window needs Tx inputs and one target
    )
    in_memory = dataset.training_data(sequences, TX, tmp_path / "a", stride=stride)
    assert isinstance(in_memory, dataset.ArrayWindows)
    assert in_memory.count == len(expected) and _starts(in_memory) == expected
    assert (in_memory.y == in_memory.x + 1).all()  # each target is the next token
    monkeypatch.setattr(dataset, "IN_MEMORY_WINDOWS", 0)
    streamed = dataset.training_data(sequences, TX, tmp_path / "b", stride=stride)
    assert isinstance(streamed, dataset.StreamedWindows)
    assert streamed.count == len(expected) and _starts(streamed) == expected


def test_strided_windows_carry_their_targets_features_and_respect_the_limit(tmp_path):
    sequences = _sequences()
    features = [np.stack([s, -s], axis=1).astype(np.float32) for s in sequences]
    data = dataset.training_data(sequences, TX, tmp_path, stride=3, features=features, limit=4)
    assert data.count == 4 and data.features.shape == (4, TX, 2)
    assert (data.features[..., 0] == data.y).all() and (data.features[..., 1] == -data.y).all()
    assert all((start % 100) % 3 == 0 for start in _starts(data))


def test_a_stride_below_one_is_a_bad_setting():
    assert any("stride" in problem for problem in TrainConfig(stride=0).validate())
    assert not TrainConfig(stride=30).validate()


def test_validation_windows_ignore_the_stride(corpus):
    model = ModelConfig(n_a=8, tx=8, kind="reference")
    every = train(corpus, model, TrainConfig(epochs=1, val_fraction=0.3, stride=1))
    strided = train(corpus, model, TrainConfig(epochs=1, val_fraction=0.3, stride=4))
    assert strided.val_windows == every.val_windows > 0
    assert strided.windows == pytest.approx(every.windows / 4, abs=len(corpus.ok_entries) * 2)
    assert strided.model.card["train"]["stride"] == 4
    assert strided.history[0].val_loss is not None


def test_corpus_parts_gives_the_tokens_of_any_rows(corpus):
    model = ModelConfig(n_a=8, tx=8, kind="reference")
    config = TrainConfig(val_fraction=0.25, seed=3)
    train_part, val_part = _split(corpus, model, config)
    by_bars = corpus.split_by_bars(config.val_fraction, config.seed)
    assert [list(t) for t in train_part.tokens] == [list(t) for t in by_bars[0]]
    assert [list(t) for t in val_part.tokens] == [list(t) for t in by_bars[1]]
    # Whole files held out, as bench/train_scale.py does.
    sequences = corpus.sequences()
    ends = np.cumsum([0, *(len(s) for s in sequences)])
    rows = [np.arange(a, b) for a, b in itertools.pairwise(ends)]
    kept, held = corpus_parts(corpus, model, [rows[:1], rows[1:]])
    assert [list(t) for t in kept.tokens] == [list(sequences[0])]
    assert [list(t) for t in held.tokens] == [list(s) for s in sequences[1:]]
    assert kept.features is None


def test_jazzgui_train_with_a_stride(tmp_path, reference_midi, capsys):
    path = tmp_path / "strided.jazzmodel"
    args = ["train", str(reference_midi), *SELECTION, "-o", str(path), "--epochs", "2"]
    small = ["--hidden", "8", "--tx", "8", "--val", "0", "--no-carry"]
    assert main([*args, *small, "--stride", "1"]) == 0
    every = load_model(path).card["windows"]
    capsys.readouterr()
    assert main([*args, *small, "--stride", "8"]) == 0
    assert "windows every 8 tokens" in capsys.readouterr().out
    card = load_model(path).card
    assert card["train"]["stride"] == 8 and card["epochs"] == 2
    assert card["train"]["carry_state"] is False
    assert every // 8 <= card["windows"] <= every // 8 + 1  # one file: one window in 8
    with pytest.raises(SystemExit) as refused:
        main([*args, "--stride", "0"])
    assert refused.value.code == 2
    assert "argument --stride: 0 is out of range: the window stride must be a whole number" in (
        capsys.readouterr().err
    )
