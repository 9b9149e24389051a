"""The new kind of network: features alike in training and sampling, numpy == Keras, old
model files, and the rules switch."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np

import jazzgui.model.sampling as sampling
from jazzgui.model import dataset
from jazzgui.model.config import ModelConfig, TrainConfig
from jazzgui.model.modelfile import load_model, save_model
from jazzgui.model.sampling import SamplerSettings, improvise
from jazzgui.model.scoring import nll_per_value
from jazzgui.model.stepper import ConditionedStepper
from jazzgui.model.takes import generate_take
from jazzgui.model.training import _split
from jazzgui.music.conditioning import FEATURE_SIZE
from jazzgui.music.corpus import build_corpus
from jazzgui.music.progression import parse_progression

SOLO = Path(__file__).resolve().parents[2] / "data" / "solos" / "blues_f_backbeat.musicxml"
CONFIG = ModelConfig(n_a=12, tx=8)


class _ScriptedStepper:
    """A stepper that records the features it is given and makes the next value of a script
    the only likely one, so the sampler plays the script."""

    def __init__(self, script: list[int], size: int) -> None:
        self.script, self.size = script, size
        self.features: list[np.ndarray] = []
        self.h, self.c = [], []

    def step(self, token, features=None):
        self.features.append(np.array(features))
        logits = np.full(self.size, -50.0)
        position = len(self.features) - 1
        if position < len(self.script):
            logits[self.script[position]] = 0.0
        return logits


def test_sampling_computes_the_training_features_over_a_whole_file(
    make_model, monkeypatch, tmp_path
):
    corpus = build_corpus([SOLO], snap=True)
    entry = corpus.ok_entries[0]
    ids = corpus.sequences()[0].tolist()
    # Training: one window over the whole file, the features beside each next value, the same
    # whether the windows are held in memory or streamed from token files.
    tx = len(ids) - 1
    part, _ = _split(corpus, replace(CONFIG, tx=tx), TrainConfig(val_fraction=0))
    windows = dataset.training_data(part.tokens, tx, tmp_path / "a", features=part.features)
    assert windows.features.shape == (1, tx, FEATURE_SIZE)
    assert windows.y[0].tolist() == ids[1:]
    monkeypatch.setattr(dataset, "IN_MEMORY_WINDOWS", 0)
    streamed = dataset.training_data(part.tokens, tx, tmp_path / "b", features=part.features)
    [(inputs, targets)] = list(streamed.make(None, 1, 0, shuffle=False))
    assert targets.numpy()[0].tolist() == ids[1:]
    np.testing.assert_array_equal(inputs[dataset.FEATURES].numpy()[0], windows.features[0])
    # Sampling: the same file's values played over its own changes.
    model = make_model(tokens=corpus.vocabulary.to_list(), config=CONFIG)
    stepper = _ScriptedStepper(ids, len(corpus.vocabulary))
    monkeypatch.setattr(sampling, "make_stepper", lambda m: stepper)
    settings = SamplerSettings(seed=0, temperature=0, primer="none", rules=False)
    played = [t for bar in improvise(model, entry.sheet.progression, settings) for t in bar.tokens]
    assert played == [t for bar in entry.bars for t in bar]
    # Step 0 (no value yet) sees the first onset; step t+1 sees the onset of value t+1.
    sampled = np.stack(stepper.features[1 : len(ids)])
    np.testing.assert_array_equal(sampled, windows.features[0])
    assert stepper.features[0][24 + 0] == 1.0  # the first onset: on the beat ...
    assert stepper.features[0][-1] == 1.0  # ... where the first chord begins


def test_numpy_steps_match_keras_for_the_new_kind_within_1e_5(make_model):
    from jazzgui.model.network import build_conditioned, get_weights, set_weights

    config = ModelConfig(n_a=10, layers=2, tx=8)
    model = make_model(config=config, seed=4)
    network = build_conditioned(model.vocabulary, config)
    set_weights(network, model.weights, config)
    rng = np.random.default_rng(1)
    ids = rng.integers(0, len(model.vocabulary), size=(1, 20)).astype(np.int32)
    targets = rng.integers(0, len(model.vocabulary), size=(1, 20)).astype(np.int32)
    features = (rng.random((1, 20, FEATURE_SIZE)) < 0.2).astype(np.float32)
    keras_log_p = np.asarray(network([ids, features, targets]))[0]
    stepper = ConditionedStepper(model)
    numpy_log_p = [
        stepper.step(int(i), f)[int(t)] for i, f, t in zip(ids[0], features[0], targets[0])
    ]
    np.testing.assert_allclose(numpy_log_p, keras_log_p, atol=1e-5)
    # Over every value, the parts' probabilities add up to (at most) one.
    assert np.exp(stepper.step(0, features[0, 0])).sum() <= 1.0 + 1e-9
    round_trip = get_weights(network, model.vocabulary, config)
    for name, array in model.weights.items():
        np.testing.assert_array_equal(round_trip[name], array)


def test_a_model_file_written_before_kinds_existed_loads_and_generates(tmp_path, make_model):
    model = make_model(config=ModelConfig(n_a=8, tx=8, kind="reference"))
    path = save_model(model, tmp_path / "old.jazzmodel")
    old = tmp_path / "older.jazzmodel"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(old, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "config.json":
                config = json.loads(data)
                del config["kind"]  # as files were written before this change
                data = json.dumps(config).encode()
            target.writestr(name, data)
    loaded = load_model(old)
    assert loaded.config.kind == "reference" and not loaded.config.conditioned
    take = generate_take(loaded, parse_progression("Dm7 G7 | Cmaj7 |"), SamplerSettings(seed=2))
    assert take.events


def test_no_rules_turns_every_rule_off(make_model):
    model = make_model(config=CONFIG, seed=6)
    model.pitch_prior = {"dominant": [1.0] + [0.01] * 11}
    model.corpus = [[0, 1, 2, 3, 4, 5] * 4]
    changes = parse_progression("C7 | F7 | C7 | G7 |").repeated(2)
    alone = SamplerSettings(seed=3, rules=False)
    # The same take as with each rule set to do nothing by hand, and the prior taken away.
    bare = replace(alone, rules=True, strong_beat_chord_bias=1.0, max_copy=None,
                   repetition_penalty=1.0)  # fmt: skip
    without_prior = replace(model, pitch_prior={})
    assert generate_take(model, changes, alone).events == (
        generate_take(without_prior, changes, bare).events
    )
    # ... and not the take the rules make.
    assert generate_take(model, changes, alone).events != (
        generate_take(model, changes, replace(alone, rules=True)).events
    )
    assert generate_take(model, changes, alone).provenance.extra["rules"] == "False"


def test_the_new_kind_trains_saves_and_scores(tmp_path):
    from jazzgui.model.training import train

    corpus = build_corpus([SOLO], snap=True)
    result = train(corpus, ModelConfig(n_a=16, tx=16), TrainConfig(epochs=4, seed=0))
    assert result.history[-1].loss < result.history[0].loss
    loaded = load_model(save_model(result.model, tmp_path / "new.jazzmodel"))
    assert loaded.config.kind == "new" and loaded.weights.keys() == result.model.weights.keys()
    # Better than a uniform guess over the vocabulary, scored as `jazzgui evaluate` scores it.
    assert nll_per_value(loaded, corpus.ok_entries) < np.log(len(loaded.vocabulary))
