"""Training with the LSTM's state carried from chunk to chunk (truncated backpropagation through
time): the lanes and chunks each epoch, the network's state in and out, training through
`train` and `jazzgui train`, and where it falls back to independent windows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from jazzgui.cli import main
from jazzgui.model import dataset
from jazzgui.model.config import ModelConfig, TrainConfig
from jazzgui.model.modelfile import load_model
from jazzgui.music.conditioning import FEATURE_SIZE
from jazzgui.music.corpus import build_corpus

SOLO = Path(__file__).resolve().parents[2] / "data" / "solos" / "blues_f_backbeat.musicxml"
CHUNK = 5


def _sequences() -> list[np.ndarray]:
    # Token ids are positions: sequence i holds 1000*i + 0, 1, 2, ... so any id tells its place.
    return [np.arange(1000 * i, 1000 * i + n, dtype=np.int32) for i, n in enumerate((97, 40, 63))]


def _features(sequences: list[np.ndarray]) -> list[np.ndarray]:
    return [np.stack([s, -s], axis=1).astype(np.float32) for s in sequences]


def test_each_lane_reads_on_where_its_last_chunk_ended():
    sequences = _sequences()
    data = dataset.LaneChunks(sequences, _features(sequences), CHUNK, lanes=4)
    total = sum(map(len, sequences))
    assert data.length == (total - CHUNK) // 4 and data.chunks == data.length // CHUNK
    assert data.count == data.chunks * 4
    inputs, targets = data.epoch(seed=3, epoch=0)
    x, features = inputs[dataset.TOKENS], inputs[dataset.FEATURES]
    assert x.shape == targets.shape == (data.count, CHUNK)
    assert len(np.unique(targets)) == targets.size  # no token is a target twice in an epoch
    # Each target carries its own features (its onset's, as windows' targets do).
    np.testing.assert_array_equal(features[..., 0], targets)
    np.testing.assert_array_equal(features[..., 1], -targets)
    # Batch k is rows k*lanes .. k*lanes+lanes-1: row i goes on from row i of batch k-1.
    batches = x.reshape(data.chunks, 4, CHUNK)
    target_batches = targets.reshape(data.chunks, 4, CHUNK)
    for k in range(1, data.chunks):
        np.testing.assert_array_equal(batches[k][:, 0], target_batches[k - 1][:, -1])
    # Inside a sequence a target is the next id; across sequences the music goes on too.
    same = (targets // 1000) == (x // 1000)
    assert (targets[same] == x[same] + 1).all()
    assert (~same).sum() <= 2 * 4  # (a lane crosses into the next sequence rarely)


def test_every_epoch_joins_the_music_anew_and_the_same_seed_joins_it_alike():
    sequences = _sequences()
    data = dataset.LaneChunks(sequences, None, CHUNK, lanes=3)
    first, again = data.epoch(0, 0), data.epoch(0, 0)
    np.testing.assert_array_equal(first[0], again[0])
    # An epoch gathered a few chunks at a time is the same epoch.
    parts = [data.epoch(0, 0, k, k + 4) for k in range(0, data.chunks, 4)]
    np.testing.assert_array_equal(np.concatenate([p[0] for p in parts]), first[0])
    np.testing.assert_array_equal(np.concatenate([p[1] for p in parts]), first[1])
    others = [data.epoch(0, epoch)[0] for epoch in range(1, 6)]
    assert any(not np.array_equal(first[0], other) for other in others)
    # Each epoch all but a short tail of the music is learnt: at most chunk*(lanes+1) tokens.
    total = sum(map(len, sequences))
    for epoch in range(6):
        _, targets = data.epoch(0, epoch)
        assert total - targets.size <= CHUNK * (3 + 1) + 3


def test_the_dataset_gives_one_epoch_after_another_in_lane_batches(monkeypatch):
    monkeypatch.setattr(dataset, "BLOCK_CHUNKS", 2)  # gathered 2 chunks a lane at a time
    sequences = _sequences()
    data = dataset.LaneChunks(sequences, _features(sequences), CHUNK, lanes=4)
    batches = list(data.make(None, 4, seed=2, shuffle=True).take(2 * data.chunks))
    for epoch in range(2):
        inputs, targets = data.epoch(2, epoch)
        got = batches[epoch * data.chunks : (epoch + 1) * data.chunks]
        np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in got]), targets)
        tokens = np.concatenate([b[0][dataset.TOKENS].numpy() for b in got])
        np.testing.assert_array_equal(tokens, inputs[dataset.TOKENS])
        assert got[0][0][dataset.FEATURES].shape == (4, CHUNK, 2)
    with pytest.raises(ValueError, match="cannot carry"):
        data.make(None, 8, 0, True)


def test_lanes_shrink_for_little_music_and_none_means_windows():
    assert dataset.LaneChunks.lanes_for(10_000, 15, 32) == 32
    assert dataset.LaneChunks.lanes_for(100, 15, 32) == 5  # (100 - 15) // 15
    assert dataset.LaneChunks.lanes_for(20, 15, 32) == 0
    with pytest.raises(ValueError, match="no chunk"):
        dataset.LaneChunks([np.arange(20)], None, 15, lanes=1)
    limited = dataset.LaneChunks(_sequences(), None, CHUNK, lanes=4, limit=9)
    assert limited.chunks == 2 and limited.count == 8


def test_the_carried_state_continues_the_music_exactly():
    """Two chunks read with the state carried give what one window over both gives."""
    from jazzgui.model.network import build_conditioned, get_weights

    vocabulary = ["C,1", "C,1/2", "S,1/2,<+1,-5>", "R,1", "A,1/4,<+2,-4>", "X,1/6,<+4,-2>"]
    config = ModelConfig(n_a=6, layers=2, tx=10)
    plain = build_conditioned(vocabulary, config, seed=5)
    carry = build_conditioned(vocabulary, config, seed=5, carry=True)
    first, again = get_weights(plain, vocabulary, config), get_weights(carry, vocabulary, config)
    for name, array in first.items():  # the same seed starts both alike
        np.testing.assert_array_equal(again[name], array)
    rng = np.random.default_rng(0)
    ids = rng.integers(0, len(vocabulary), size=(3, 10)).astype(np.int32)
    targets = rng.integers(0, len(vocabulary), size=(3, 10)).astype(np.int32)
    features = (rng.random((3, 10, FEATURE_SIZE)) < 0.3).astype(np.float32)
    whole = np.asarray(plain([ids, features, targets]))
    zeros = [np.zeros((3, 6), np.float32)] * 4
    head, *states = carry([ids[:, :4], features[:, :4], targets[:, :4], *zeros])
    states = [np.asarray(state) for state in states]
    tail, *_ = carry([ids[:, 4:], features[:, 4:], targets[:, 4:], *states])
    np.testing.assert_allclose(np.asarray(head), whole[:, :4], atol=1e-5)
    np.testing.assert_allclose(np.asarray(tail), whole[:, 4:], atol=1e-5)
    # From zeros instead, the second chunk scores differently: the state matters.
    cold, *_ = carry([ids[:, 4:], features[:, 4:], targets[:, 4:], *zeros])
    assert np.abs(np.asarray(cold) - whole[:, 4:]).max() > 1e-3


def test_the_new_kind_learns_with_its_state_carried():
    from jazzgui.model.training import train

    corpus = build_corpus([SOLO], snap=True)
    config = TrainConfig(epochs=6, seed=0, chunk=8, batch_size=8, val_fraction=0.2)
    result = train(corpus, ModelConfig(n_a=16, tx=12), config)
    assert result.lanes == 8 and result.model.card["train"]["carry_state"] is True
    assert result.model.card["train"]["chunk"] == 8 and result.model.card["train"]["lanes"] == 8
    assert result.model.card["train"]["stride"] is None
    assert result.history[-1].loss < result.history[0].loss
    assert result.history[-1].val_loss < result.history[0].val_loss
    # Windows instead, when asked to: the same settings, no carried state.
    windows = train(corpus, ModelConfig(n_a=16, tx=12), TrainConfig(epochs=1, carry_state=False))
    assert windows.lanes == 0 and windows.model.card["train"]["carry_state"] is False


def test_the_reference_kind_trains_on_windows():
    from jazzgui.model import training

    new, reference = ModelConfig(), ModelConfig(kind="reference")
    assert training.carries_state(new, TrainConfig())
    assert training.carries_state(new, TrainConfig(strategy="multiworker"))
    assert not training.carries_state(reference, TrainConfig())
    assert not training.carries_state(new, TrainConfig(carry_state=False))


def test_each_pipeline_feeds_its_replicas_their_own_lanes():
    import tensorflow as tf

    sequences = _sequences()
    data = dataset.LaneChunks(sequences, None, CHUNK, lanes=8)
    # Worker 1 of 2, with 2 replicas of the 4: lanes 4-7, two to a replica.
    context = tf.distribute.InputContext(
        num_input_pipelines=2, input_pipeline_id=1, num_replicas_in_sync=4
    )
    elements = list(data.make(context, 8, seed=1, shuffle=True).take(2 * data.chunks))
    x, y = data.epoch(1, 0, lanes=range(4, 8))
    for chunk in range(data.chunks):
        for replica in range(2):
            ids, targets = elements[2 * chunk + replica]
            rows = slice(4 * chunk + 2 * replica, 4 * chunk + 2 * replica + 2)
            np.testing.assert_array_equal(ids.numpy(), x[rows])
            np.testing.assert_array_equal(targets.numpy(), y[rows])
    # Every lane belongs to one worker: worker 0 reads the others, alike joined.
    everything, _ = data.epoch(1, 0)
    np.testing.assert_array_equal(
        everything.reshape(data.chunks, 8, CHUNK)[:, 4:].reshape(-1, CHUNK), x
    )
    uneven = tf.distribute.InputContext(1, 0, 3)
    with pytest.raises(ValueError, match="split evenly"):
        data.make(uneven, 8, 0, True)
    assert dataset.LaneChunks.lanes_for(10_000, 15, 32, replicas=3) == 30


_MIRRORED = """
import json, sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
)
from pathlib import Path
from jazzgui.model.config import ModelConfig, TrainConfig
from jazzgui.model.training import train
from jazzgui.music.corpus import build_corpus
corpus = build_corpus([Path({solo!r})], snap=True)
model = ModelConfig(n_a=12, tx=10)
losses = {{}}
for strategy in ("default", "mirrored"):
    config = TrainConfig(
        epochs=3, seed=1, chunk=6, batch_size=6, strategy=strategy, clipnorm={clipnorm}
    )
    result = train(corpus, model, config)
    losses[strategy] = [result.replicas, result.lanes, [e.loss for e in result.history]]
odd = train(corpus, model, TrainConfig(epochs=1, chunk=6, batch_size=5, strategy="mirrored"))
losses["odd"] = [odd.replicas, odd.lanes, odd.model.card["train"]["lanes"]]
print(json.dumps(losses))
"""


@pytest.mark.slow
def test_two_replicas_each_carry_their_own_lanes_state():
    """Mirrored on two logical CPUs learns exactly as one device does: if a replica were
    given another's lanes or state, or clipped its share of the gradients alone, its losses
    would part from the single device's."""
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _MIRRORED.format(solo=str(SOLO), clipnorm=0.5)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["default"][:2] == [1, 6] and report["mirrored"][:2] == [2, 6]
    np.testing.assert_allclose(report["mirrored"][2], report["default"][2], rtol=1e-4)
    assert report["default"][2][-1] < report["default"][2][0]
    assert report["odd"] == [2, 4, 4]  # a batch of 5 on 2 replicas: 2 lanes each


def test_jazzgui_train_carries_the_state_by_default(tmp_path, capsys):
    path = tmp_path / "carried.jazzmodel"
    args = ["train", str(SOLO), "-o", str(path), "--epochs", "2", "--hidden", "8"]
    assert main([*args, "--chunk", "6"]) == 0
    out = capsys.readouterr().out
    assert "state carried over chunks of 6 tokens" in out
    card = load_model(path).card
    assert card["train"]["carry_state"] is True and card["train"]["chunk"] == 6
    assert card["windows"] == card["train"]["lanes"] * (card["windows"] // card["train"]["lanes"])
    take = tmp_path / "take.mid"
    assert main(["generate", "--model", str(path), "-o", str(take), "--seed", "1"]) == 0
    assert take.stat().st_size > 0
    assert main([*args, "--no-carry", "--stride", "4"]) == 0
    assert "windows every 4 tokens" in capsys.readouterr().out
    assert load_model(path).card["train"]["carry_state"] is False
    with pytest.raises(SystemExit) as refused:
        main([*args, "--chunk", "1"])
    assert refused.value.code == 2
    assert "argument --chunk: 1 is out of range: the chunk length must be" in (
        capsys.readouterr().err
    )
