"""The Keras network: token ids -> one-hot -> fused LSTM layer(s) -> softmax over the vocabulary.

TensorFlow and Keras are imported inside the functions, never at module level.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jazzgui.model.config import ModelConfig
from jazzgui.model.modelfile import weight_shapes


def build_network(vocab_size: int, config: ModelConfig, seed: int = 0) -> Any:
    """The training network: int token ids (batch, Tx) in, next-token probabilities out.

    The input is one-hot encoded inside the graph, which is exactly the reference's one-hot input
    (same parameters: 4*n_a*(n+n_a+1) + n_a*n + n, i.e. 45,530 for n_a=64 and 90 tokens) while
    the data pipeline moves int ids, n times smaller than one-hot arrays.
    """
    import keras

    keras.utils.set_random_seed(seed)
    ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = keras.layers.Lambda(
        lambda t: keras.ops.one_hot(t, vocab_size),
        output_shape=(None, vocab_size),
        name="one_hot",
    )(ids)
    for layer in range(config.layers):
        x = keras.layers.LSTM(config.n_a, return_sequences=True, name=f"lstm{layer}")(x)
        if config.dropout > 0:
            x = keras.layers.Dropout(config.dropout, name=f"dropout{layer}")(x)
    probabilities = keras.layers.Dense(vocab_size, activation="softmax", name="dense")(x)
    return keras.Model(ids, probabilities, name="jazz_lstm")


def get_weights(network: Any, vocab_size: int, config: ModelConfig) -> dict[str, np.ndarray]:
    """The network's weights as named numpy arrays (the layout model files store)."""
    weights: dict[str, np.ndarray] = {}
    for layer in range(config.layers):
        kernel, recurrent, bias = network.get_layer(f"lstm{layer}").get_weights()
        weights[f"lstm{layer}.kernel"] = kernel
        weights[f"lstm{layer}.recurrent_kernel"] = recurrent
        weights[f"lstm{layer}.bias"] = bias
    kernel, bias = network.get_layer("dense").get_weights()
    weights["dense.kernel"] = kernel
    weights["dense.bias"] = bias
    expected = weight_shapes(vocab_size, config)
    assert {k: v.shape for k, v in weights.items()} == expected, "network layout changed"
    return {k: np.asarray(v, dtype=np.float32) for k, v in weights.items()}


def set_weights(network: Any, weights: dict[str, np.ndarray], config: ModelConfig) -> None:
    """Load named numpy arrays (from a model file) into a network built with the same shape."""
    for layer in range(config.layers):
        network.get_layer(f"lstm{layer}").set_weights(
            [weights[f"lstm{layer}.{part}"] for part in ("kernel", "recurrent_kernel", "bias")]
        )
    network.get_layer("dense").set_weights([weights["dense.kernel"], weights["dense.bias"]])
