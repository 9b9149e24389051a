"""Streamed training windows: the same windows as in memory, features aligned, shuffled across
files, each worker its own files, a per-epoch limit."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pytest

from jazzgui.model import dataset
from jazzgui.model.config import ModelConfig, TrainConfig
from jazzgui.model.dataset import ArrayWindows, StreamedWindows, write_streams
from jazzgui.model.training import train
from jazzgui.music.corpus import training_windows

TX = 5


@dataclass
class _Context:
    """What tf.distribute hands a dataset function: which pipeline of how many."""

    num_input_pipelines: int = 1
    input_pipeline_id: int = 0
    num_replicas_in_sync: int = 1


def _sequences(count: int = 6) -> list[np.ndarray]:
    # Each file's tokens start at its own hundred, so a window tells which file it came from.
    return [np.arange(100 * i, 100 * i + 12 + 3 * i, dtype=np.int32) for i in range(count)]


def _rows(dataset) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    rows = []
    for x, y in dataset:
        x = x["tokens"] if isinstance(x, dict) else x
        rows.extend(zip(map(tuple, x.numpy().tolist()), map(tuple, y.numpy().tolist())))
    return rows


def test_streamed_windows_are_the_windows_in_memory(tmp_path):
    sequences = _sequences()
    streams = write_streams(sequences, tmp_path)
    windows = StreamedWindows(streams, TX)
    x, y = training_windows(sequences, 1000, tx=TX, one_hot=False)
    assert windows.count == len(x) == streams.windows(TX)
    streamed = _rows(windows.make(_Context(), 4, seed=1, shuffle=True))
    assert Counter(streamed) == Counter(zip(map(tuple, x.tolist()), map(tuple, y.tolist())))
    in_memory = _rows(ArrayWindows(x, y).make(_Context(), 4, seed=1, shuffle=False))
    assert in_memory == list(zip(map(tuple, x.tolist()), map(tuple, y.tolist())))


def test_windows_are_shuffled_across_files_and_differ_by_seed(tmp_path):
    windows = StreamedWindows(write_streams(_sequences(), tmp_path), TX)
    first_batch = _rows(windows.make(_Context(), 8, seed=3, shuffle=True).take(1))
    assert len({x[0] // 100 for x, _ in first_batch}) > 2
    again = _rows(windows.make(_Context(), 8, seed=3, shuffle=True))
    other = _rows(windows.make(_Context(), 8, seed=4, shuffle=True))
    assert again[:8] == first_batch and other != again


def test_features_travel_with_their_tokens(tmp_path):
    sequences = [
        {"tokens": s, "chord": np.stack([s % 7, s % 3], axis=1), "beat": (s % 4) / 4.0}
        for s in _sequences(3)
    ]
    streams = write_streams(sequences, tmp_path)
    assert streams.arrays == {"tokens": ("int32", 1), "chord": ("int32", 2), "beat": ("float32", 1)}
    for inputs, targets in StreamedWindows(streams, TX).make(_Context(), 4, 0, shuffle=True):
        tokens = inputs["tokens"].numpy()
        assert inputs["chord"].shape[1:] == (TX, 2) and inputs["beat"].shape[1:] == (TX, 1)
        assert (inputs["chord"].numpy() == np.stack([tokens % 7, tokens % 3], axis=-1)).all()
        assert np.allclose(inputs["beat"].numpy()[..., 0], (tokens % 4) / 4.0)
        assert (targets.numpy() == tokens + 1).all()


def test_a_feature_with_the_wrong_length_is_refused(tmp_path):
    with pytest.raises(ValueError, match="steps"):
        write_streams([{"tokens": np.arange(9), "chord": np.arange(8)}], tmp_path)


def test_each_worker_reads_its_own_files_and_together_all(tmp_path):
    windows = StreamedWindows(write_streams(_sequences(), tmp_path), TX)
    shards = [
        _rows(windows.make(_Context(2, worker), 4, seed=0, shuffle=True)) for worker in (0, 1)
    ]
    files = [{x[0] // 100 for x, _ in shard} for shard in shards]
    assert not files[0] & files[1] and files[0] | files[1] == set(range(6))
    assert sum(map(len, shards)) == windows.count


def test_a_limit_takes_that_many_windows_each_epoch(tmp_path):
    windows = StreamedWindows(write_streams(_sequences(), tmp_path), TX, limit=10)
    assert windows.count == 10
    epochs = windows.make(_Context(), 4, seed=0, shuffle=True).repeat(2)
    rows = _rows(epochs)
    assert len(rows) == 20 and rows[:10] != rows[10:]


def test_stride_skips_overlapping_windows(tmp_path):
    streams = write_streams([np.arange(21, dtype=np.int32)], tmp_path)
    windows = StreamedWindows(streams, TX, stride=TX)
    rows = _rows(windows.make(_Context(), 8, 0, shuffle=False))
    assert windows.count == 4 == len(rows)
    assert [x[0] for x, _ in rows] == [0, 5, 10, 15]


def test_training_streams_a_corpus_with_more_windows_than_memory_holds(corpus, monkeypatch):
    written = []

    def spy(sequences, folder):
        written.append(folder)
        return write_streams(sequences, folder)

    monkeypatch.setattr(dataset, "write_streams", spy)
    small = train(corpus, ModelConfig(n_a=8, tx=8, kind="reference"), TrainConfig(epochs=1))
    assert not written  # few windows: held in memory
    monkeypatch.setattr(dataset, "IN_MEMORY_WINDOWS", 10)
    result = train(corpus, ModelConfig(n_a=8, tx=8, kind="reference"), TrainConfig(epochs=3))
    assert written[0].name == "train"  # (the few validation windows stay in memory)
    assert result.windows == small.windows and result.val_windows == small.val_windows
    losses = [entry.loss for entry in result.history]
    assert len(losses) == 3 and losses[-1] < losses[0] and result.history[-1].val_loss > 0
    assert not written[0].exists()  # the token files went with the training run
