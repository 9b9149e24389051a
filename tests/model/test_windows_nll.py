"""Validation scored with numpy (jazzgui.model.scoring.windows_nll) gives the loss the Keras
network gives the same windows, for both kinds, and training reports it as its val_loss."""

from __future__ import annotations

import numpy as np
import pytest

from jazzgui.model.config import ModelConfig, TrainConfig
from jazzgui.model.network import build_conditioned, build_network, set_weights
from jazzgui.model.scoring import windows_nll
from jazzgui.music.conditioning import FEATURE_SIZE


def _windows(model, count=37, tx=9, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, len(model.vocabulary), size=(count, tx)).astype(np.int32)
    y = rng.integers(0, len(model.vocabulary), size=(count, tx)).astype(np.int32)
    features = rng.random((count, tx, FEATURE_SIZE)).astype(np.float32)
    return x, y, features


def _keras_losses(model, x, y, features):
    config = model.config
    if config.conditioned:
        network = build_conditioned(model.vocabulary, config)
        set_weights(network, model.weights, config)
        return -np.asarray(network([x, features, y])).sum(axis=1)
    network = build_network(len(model.vocabulary), config)
    set_weights(network, model.weights, config)
    probabilities = np.asarray(network(x))
    picked = np.take_along_axis(probabilities, y[..., None], axis=-1)[..., 0]
    return -np.log(np.clip(picked, 1e-7, 1.0)).sum(axis=1)


@pytest.mark.parametrize(
    "config",
    [
        ModelConfig(n_a=16, tx=9, kind="reference"),
        ModelConfig(n_a=12, tx=9, layers=2, kind="reference"),
        ModelConfig(n_a=16, tx=9),
        ModelConfig(n_a=12, tx=9, layers=2),
    ],
    ids=["reference", "reference-2-layers", "new", "new-2-layers"],
)
def test_numpy_window_losses_match_the_keras_networks(make_model, config):
    model = make_model(config=config, seed=5)
    x, y, features = _windows(model)
    expected = _keras_losses(model, x, y, features)
    # Batches smaller than the windows: the state starts from zero for each batch.
    got = windows_nll(model, x, y, features if config.conditioned else None, batch=16)
    assert got.shape == (len(x),)
    np.testing.assert_allclose(got, expected, rtol=2e-4, atol=2e-4)
    # Losses that differ by window: a single number broadcast would not pass.
    assert np.ptp(got) > 1.0


def test_the_reference_kind_floors_probabilities_as_its_training_loss_does(make_model):
    config = ModelConfig(n_a=8, tx=4, kind="reference")
    model = make_model(config=config)
    model.weights["dense.bias"] = model.weights["dense.bias"].copy()
    model.weights["dense.bias"][0] = -60.0  # token 0 all but impossible
    x = np.ones((3, 4), np.int32)
    y = np.zeros((3, 4), np.int32)
    got = windows_nll(model, x, y)
    np.testing.assert_allclose(got, 4 * -np.log(1e-7), rtol=1e-5)


def test_training_reports_the_numpy_validation_loss_of_its_weights(corpus):
    from jazzgui.model.dataset import training_data
    from jazzgui.model.training import _split, train

    config = ModelConfig(n_a=8, tx=6, kind="reference")
    settings = TrainConfig(epochs=2, batch_size=16, val_fraction=0.25, seed=0)
    result = train(corpus, config, settings)
    # The model handed back holds the last epoch's weights (no early stopping cut in).
    assert result.reason == "finished" and len(result.history) == 2
    _, val_part = _split(corpus, config, settings)
    val = training_data(val_part.tokens, config.tx, "unused", 0, allow_empty=True)
    x, y = val.x, val.y
    keras_mean = _keras_losses(result.model, x, y, None).sum() / (len(x) * config.tx)
    assert result.history[-1].val_loss == pytest.approx(keras_mean, rel=1e-4)


def test_the_traced_validation_step_gives_the_same_loss_for_more_windows(corpus, monkeypatch):
    """Beyond NUMPY_VAL_WINDOWS the traced step scores validation: the same number."""
    import jazzgui.model.training as training

    config = ModelConfig(n_a=8, tx=6, kind="reference")
    settings = TrainConfig(epochs=2, batch_size=16, val_fraction=0.25, seed=0)
    scored = []
    for limit in (10**6, 0):  # numpy, then the traced step
        monkeypatch.setattr(training, "NUMPY_VAL_WINDOWS", limit)
        scored.append([log.val_loss for log in training.train(corpus, config, settings).history])
    assert scored[0][0] is not None and len(scored[0]) == 2
    np.testing.assert_allclose(scored[1], scored[0], rtol=1e-4)


@pytest.mark.parametrize("config", [ModelConfig(n_a=12, kind="reference"), ModelConfig(n_a=12)])
def test_the_stepper_keeps_saved_states_and_steps_a_batch_as_rows(make_model, config):
    """The stepper works on its own temporaries in place: a state saved before a step (as
    generation saves one to try a bar again) is the same after it, and a batch of tokens
    stepped together gives each row what that token stepped alone gives."""
    from jazzgui.model.stepper import make_stepper

    model = make_model(config=config, seed=3)
    x, y, features = _windows(model, count=4, tx=5)
    given = features if config.conditioned else None
    stepper = make_stepper(model)
    stepper.step(int(x[0, 0]), None if given is None else given[0, 0])
    saved_h, saved_c = list(stepper.h), list(stepper.c)
    copies = [array.copy() for array in saved_h + saved_c]
    after_saving = stepper.step(int(x[0, 1]), None if given is None else given[0, 1])
    assert all(np.array_equal(a, b) for a, b in zip(saved_h + saved_c, copies))
    stepper.h, stepper.c = list(saved_h), list(saved_c)  # restored: the same step again
    again = stepper.step(int(x[0, 1]), None if given is None else given[0, 1])
    np.testing.assert_array_equal(again, after_saving)

    batch = make_stepper(model, np.float32)
    alone = [make_stepper(model, np.float32) for _ in range(len(x))]
    for t in range(x.shape[1]):
        rows = batch.advance(x[:, t], None if given is None else given[:, t])
        picked = batch.target_log_p(rows, y[:, t])
        for row, single in enumerate(alone):
            h = single.advance(
                x[row : row + 1, t], None if given is None else given[row : row + 1, t]
            )
            np.testing.assert_allclose(rows[row], h[0], rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(
                picked[row], single.target_log_p(h, y[row : row + 1, t])[0], rtol=1e-5, atol=1e-5
            )
    # The targets' log-probabilities are those of the whole distribution the stepper gives.
    if config.conditioned:
        for row in range(len(x)):
            full = batch._output(rows[row])  # every value's log P
            np.testing.assert_allclose(full[y[row, -1]], picked[row], rtol=1e-5, atol=1e-5)


def test_steppers_share_the_arrays_derived_from_a_model_until_its_weights_change(make_model):
    from jazzgui.model.stepper import make_stepper

    model = make_model(config=ModelConfig(n_a=12), seed=3)
    features = np.linspace(0.0, 1.0, FEATURE_SIZE)
    first, second = make_stepper(model), make_stepper(model)
    assert first.token_rows is second.token_rows  # derived once, shared
    assert not first.token_rows.flags.writeable
    before = first.step(1, features)
    model.weights["lstm0.kernel"] = model.weights["lstm0.kernel"] * 2  # a new array
    third = make_stepper(model)
    assert third.token_rows is not first.token_rows
    assert not np.allclose(third.step(1, features), before)
    np.testing.assert_array_equal(second.step(1, features), before)  # made before: unchanged
