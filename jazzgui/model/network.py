"""The Keras networks. The reference kind: token ids -> one-hot -> LSTM(s) -> softmax over
the vocabulary. The new kind: each value as its parts (type, duration, interval window) with
the conditioning features of the next onset -> LSTM(s) -> three heads, each seeing the parts
before it (type; duration | type; interval | type, duration).

TensorFlow and Keras are imported inside the functions, never at module level.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from jazzgui.model.config import ModelConfig
from jazzgui.model.engine import load_tensorflow
from jazzgui.model.modelfile import weight_shapes
from jazzgui.music.conditioning import FEATURE_SIZE
from jazzgui.music.valueparts import value_parts

HEADS = ("type", "duration", "interval")


def build_network(vocab_size: int, config: ModelConfig, seed: int = 0) -> Any:
    """The reference kind: int token ids (batch, Tx) in, next-token probabilities out.

    The input is one-hot encoded inside the graph, which is exactly the reference's one-hot input
    (same parameters: 4*n_a*(n+n_a+1) + n_a*n + n, i.e. 45,530 for n_a=64 and 90 tokens) while
    the data pipeline moves int ids, n times smaller than one-hot arrays.
    """
    load_tensorflow()
    import keras

    keras.utils.set_random_seed(seed)
    ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = keras.layers.Lambda(
        lambda t: keras.ops.one_hot(t, vocab_size),
        output_shape=(None, vocab_size),
        name="one_hot",
    )(ids)
    # The LSTM layers are made before the dense layer, as always: Keras draws initial weights
    # in the order layers are made, and the reference's reproduction depends on it.
    x = _lstm_stack(keras, x, config)
    probabilities = keras.layers.Dense(vocab_size, activation="softmax", name="dense")(x)
    return keras.Model(ids, probabilities, name="jazz_lstm")


def _lstm_stack(keras: Any, x: Any, config: ModelConfig, states: list[Any] | None = None) -> Any:
    """The LSTM layers (with dropout after each). With `states` (h, c of each layer, in
    order), each layer starts from its pair, and (output, final h and c of each layer) comes
    back instead of the output alone."""
    finals = []
    for layer in range(config.layers):
        lstm = keras.layers.LSTM(
            config.n_a, return_sequences=True, return_state=states is not None, name=f"lstm{layer}"
        )
        if states is None:
            x = lstm(x)
        else:
            x, h, c = lstm(x, initial_state=states[2 * layer : 2 * layer + 2])
            finals += [h, c]
        if config.dropout > 0:
            x = keras.layers.Dropout(config.dropout, name=f"dropout{layer}")(x)
    return (x, finals) if states is not None else x


def _parts_one_hot(keras: Any, ids: Any, tables: Sequence[np.ndarray], sizes: Sequence[int]):
    """The one-hot parts of token ids, side by side (a list of (batch, T, size) tensors)."""
    ops = keras.ops
    return [
        ops.one_hot(ops.take(ops.convert_to_tensor(table), ids), size)
        for table, size in zip(tables, sizes)
    ]


def build_conditioned(
    vocabulary: Sequence[str], config: ModelConfig, seed: int = 0, carry: bool = False
) -> Any:
    """The new kind: (token ids, features of the next onset, next-token ids), each (batch, Tx),
    in; the log-probability of each next token out, log P(type) + log P(duration | type) +
    log P(interval | type, duration). The heads see the true earlier parts (teacher forcing).

    With `carry`, the LSTM state is an input too (h, c of each layer, (batch, n_a) each, after
    the three) and the final state an output (after the log-probabilities), so a training loop
    can carry it from one chunk of music to the next. The weights are the same either way
    (the same layers, made in the same order: the same seed gives the same start)."""
    load_tensorflow()
    import keras

    keras.utils.set_random_seed(seed)
    parts = value_parts(vocabulary)
    tables = (parts.kind_of, parts.duration_of, parts.interval_of)
    sizes = parts.sizes
    ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    features = keras.Input(shape=(None, FEATURE_SIZE), dtype="float32", name="features")
    targets = keras.Input(shape=(None,), dtype="int32", name="next_ids")
    ops = keras.ops
    inputs = keras.layers.Lambda(
        lambda pair: ops.concatenate([*_parts_one_hot(keras, pair[0], tables, sizes), pair[1]], -1),
        output_shape=(None, parts.input_width + FEATURE_SIZE),
        name="value_parts",
    )([ids, features])
    states = None
    if carry:
        states = [
            keras.Input(shape=(config.n_a,), name=f"{part}{layer}")
            for layer in range(config.layers)
            for part in ("h", "c")
        ]
        h, finals = _lstm_stack(keras, inputs, config, states)
    else:
        h = _lstm_stack(keras, inputs, config)
    given = [
        keras.layers.Lambda(
            lambda t, table=table, size=size: _parts_one_hot(keras, t, [table], [size])[0],
            output_shape=(None, size),
            name=f"next_{name}",
        )(targets)
        for name, table, size in zip(HEADS, tables, sizes)
    ]
    log_p = []
    for index, name in enumerate(HEADS):
        head_in = keras.layers.Concatenate(name=f"{name}_in")([h, *given[:index]]) if index else h
        logits = keras.layers.Dense(sizes[index], name=name)(head_in)
        picked = keras.layers.Lambda(
            lambda pair: ops.sum(pair[1] * ops.log_softmax(pair[0], axis=-1), axis=-1),
            name=f"{name}_log_p",
        )([logits, given[index]])
        log_p.append(picked)
    total = keras.layers.Add(name="log_p")(log_p)
    if states is not None:
        return keras.Model([ids, features, targets, *states], [total, *finals], name="jazz_carry")
    return keras.Model([ids, features, targets], total, name="jazz_conditioned")


def _head_names(config: ModelConfig) -> tuple[str, ...]:
    return HEADS if config.conditioned else ("dense",)


def get_weights(
    network: Any, vocabulary: int | Sequence[str], config: ModelConfig
) -> dict[str, np.ndarray]:
    """The network's weights as named numpy arrays (the layout model files store)."""
    weights: dict[str, np.ndarray] = {}
    for layer in range(config.layers):
        kernel, recurrent, bias = network.get_layer(f"lstm{layer}").get_weights()
        weights[f"lstm{layer}.kernel"] = kernel
        weights[f"lstm{layer}.recurrent_kernel"] = recurrent
        weights[f"lstm{layer}.bias"] = bias
    for name in _head_names(config):
        kernel, bias = network.get_layer(name).get_weights()
        weights[f"{name}.kernel"] = kernel
        weights[f"{name}.bias"] = bias
    expected = weight_shapes(vocabulary, config)
    assert {k: v.shape for k, v in weights.items()} == expected, "network layout changed"
    return {k: np.asarray(v, dtype=np.float32) for k, v in weights.items()}


def set_weights(network: Any, weights: dict[str, np.ndarray], config: ModelConfig) -> None:
    """Load named numpy arrays (from a model file) into a network built with the same shape."""
    for layer in range(config.layers):
        network.get_layer(f"lstm{layer}").set_weights(
            [weights[f"lstm{layer}.{part}"] for part in ("kernel", "recurrent_kernel", "bias")]
        )
    for name in _head_names(config):
        network.get_layer(name).set_weights([weights[f"{name}.kernel"], weights[f"{name}.bias"]])
