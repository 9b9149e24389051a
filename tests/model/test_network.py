"""The Keras network: the reference's parameter count, and numpy sampling matching Keras."""

from __future__ import annotations

import numpy as np
import pytest

from jazzgui.model.config import ModelConfig
from jazzgui.model.network import build_network, get_weights, set_weights
from jazzgui.model.sampling import softmax
from jazzgui.model.stepper import LSTMStepper


def test_reference_size_has_45530_parameters():
    network = build_network(90, ModelConfig(n_a=64, tx=30))
    assert network.count_params() == 45_530


@pytest.mark.parametrize(
    "config",
    [ModelConfig(n_a=16, kind="reference"), ModelConfig(n_a=12, layers=2, kind="reference")],
)
def test_numpy_steps_match_keras_within_1e_5(make_model, config):
    model = make_model(config=config, seed=3)
    network = build_network(len(model.vocabulary), config)
    set_weights(network, model.weights, config)
    ids = np.random.default_rng(0).integers(0, len(model.vocabulary), size=(1, 25))
    keras_probabilities = np.asarray(network(ids.astype(np.int32)))[0]
    stepper = LSTMStepper(model)
    numpy_probabilities = np.stack([softmax(stepper.step(int(i))) for i in ids[0]])
    np.testing.assert_allclose(numpy_probabilities, keras_probabilities, atol=1e-5)
    round_trip = get_weights(network, len(model.vocabulary), config)
    for name, array in model.weights.items():
        np.testing.assert_array_equal(round_trip[name], array)
