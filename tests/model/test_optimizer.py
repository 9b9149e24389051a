"""The fused Adam of one-device training makes Keras' Adam's updates (learning-rate decay and
global-norm clipping included), and distributed training keeps Keras' optimizer."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from jazzgui.model.config import TrainConfig
from jazzgui.model.optimizer import FusedAdam, make_optimizer


def _run(optimizer_for, gradients, compiled):
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(0)
    variables = [
        keras.Variable(rng.standard_normal((5, 3)).astype(np.float32)),
        keras.Variable(rng.standard_normal(3).astype(np.float32)),
    ]
    optimizer = optimizer_for(variables)

    def apply(first, second):
        optimizer.apply_gradients(zip([first, second], variables))

    step = tf.function(apply, autograph=False) if compiled else apply
    history = [[v.numpy() for v in variables]]
    for first, second in gradients:
        step(tf.constant(first), tf.constant(second))
        history.append([v.numpy() for v in variables])
    return history


@pytest.mark.parametrize("clipnorm", [None, 1.0])
@pytest.mark.parametrize("compiled", [True, False], ids=["traced", "eager"])
def test_fused_adam_makes_keras_adams_updates(clipnorm, compiled):
    import keras
    import tensorflow as tf

    config = TrainConfig(learning_rate=0.05, decay=0.1, clipnorm=clipnorm)
    rng = np.random.default_rng(1)
    # Large gradients, so that clipping changes them when it is on.
    gradients = [
        (
            rng.standard_normal((5, 3)).astype(np.float32) * 3,
            rng.standard_normal(3).astype(np.float32),
        )
        for _ in range(8)
    ]

    def keras_adam(variables):
        schedule = keras.optimizers.schedules.InverseTimeDecay(0.05, decay_steps=1, decay_rate=0.1)
        optimizer = keras.optimizers.Adam(learning_rate=schedule, global_clipnorm=clipnorm)
        optimizer.build(variables)
        return optimizer

    def fused(variables):
        optimizer = make_optimizer(tf.distribute.get_strategy(), config, variables)
        assert isinstance(optimizer, FusedAdam)
        return optimizer

    expected = _run(keras_adam, gradients, compiled)
    got = _run(fused, gradients, compiled)
    for step_expected, step_got in zip(expected, got):
        for a, b in zip(step_expected, step_got):
            np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    # The variables moved at every step: equal because both updated, not because neither did.
    for before, after in itertools.pairwise(got):
        assert not np.allclose(before[0], after[0])


def test_distributed_training_keeps_keras_adam():
    import keras
    import tensorflow as tf

    strategy = tf.distribute.MirroredStrategy(devices=["/cpu:0"])
    with strategy.scope():
        variables = [keras.Variable(np.zeros(3, np.float32))]
        optimizer = make_optimizer(strategy, TrainConfig(), variables)
    assert isinstance(optimizer, keras.optimizers.Adam)
    assert not isinstance(optimizer, FusedAdam)
