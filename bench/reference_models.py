"""The reference exercise's Keras models, written from its description for side-by-side benchmarks.

Training model: input X (m, Tx, n) plus initial states a0, c0; ONE LSTM(n_a, return_state=True)
layer and ONE Dense softmax layer shared across time, called Tx times in a Python loop on
Lambda slices of X, giving Tx separate outputs whose categorical cross-entropies Keras sums;
Adam(lr=0.01, decay=0.01). Keras 3 no longer applies `decay=`, so "as written" runs at a
constant 0.01; `decay=0.01` here restores the intended lr / (1 + 0.01 * step).
Inference model: the same two layers stepped Ty=50 times from x0 = a0 = c0 = 0, feeding back
the one-hot argmax of each output.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def build_reference_training_model(
    n_values: int, n_a: int = 64, tx: int = 30, decay: float = 0.0
) -> Any:
    import keras

    learning_rate: Any = 0.01
    if decay:
        learning_rate = keras.optimizers.schedules.InverseTimeDecay(0.01, 1, decay)
    x_in = keras.Input(shape=(tx, n_values), name="X")
    a0 = keras.Input(shape=(n_a,), name="a0")
    c0 = keras.Input(shape=(n_a,), name="c0")
    reshaper = keras.layers.Reshape((1, n_values))
    lstm_cell = keras.layers.LSTM(n_a, return_state=True, name="lstm_cell")
    densor = keras.layers.Dense(n_values, activation="softmax", name="densor")
    a, c = a0, c0
    outputs = []
    for t in range(tx):
        x = keras.layers.Lambda(lambda z, t=t: z[:, t, :], output_shape=(n_values,))(x_in)
        x = reshaper(x)
        a, _, c = lstm_cell(x, initial_state=[a, c])
        outputs.append(densor(a))
    model = keras.Model(inputs=[x_in, a0, c0], outputs=outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate, beta_1=0.9, beta_2=0.999),
        loss=["categorical_crossentropy"] * tx,
        metrics=[["accuracy"]] * tx,
    )
    return model


def fit_reference(model: Any, x_onehot: np.ndarray, y_ids: np.ndarray, epochs: int = 100) -> Any:
    """Train as the exercise does: fit([X, a0, c0], list(Y)) with Keras' default batch of 32."""
    m, tx, n = x_onehot.shape
    n_a = model.get_layer("lstm_cell").units
    zeros = np.zeros((m, n_a), dtype=np.float32)
    y_onehot = np.eye(n, dtype=np.float32)[y_ids]  # (m, Tx, n)
    targets = [y_onehot[:, t, :] for t in range(tx)]
    return model.fit([x_onehot, zeros, zeros], targets, epochs=epochs, batch_size=32, verbose=0)


def build_reference_inference_model(
    weights: dict[str, np.ndarray], n_values: int, n_a: int = 64, ty: int = 50
) -> Any:
    """The 50-step argmax inference model, with a model file's weights in its two layers."""
    import keras

    x0 = keras.Input(shape=(1, n_values), name="x0")
    a0 = keras.Input(shape=(n_a,), name="a0")
    c0 = keras.Input(shape=(n_a,), name="c0")
    lstm_cell = keras.layers.LSTM(n_a, return_state=True, name="lstm_cell")
    densor = keras.layers.Dense(n_values, activation="softmax", name="densor")
    one_hot = keras.layers.Lambda(
        lambda z: keras.ops.expand_dims(
            keras.ops.one_hot(keras.ops.argmax(z, axis=-1), n_values), 1
        ),
        output_shape=(1, n_values),
    )
    x, a, c = x0, a0, c0
    outputs = []
    for _ in range(ty):
        a, _, c = lstm_cell(x, initial_state=[a, c])
        out = densor(a)
        outputs.append(out)
        x = one_hot(out)
    model = keras.Model(inputs=[x0, a0, c0], outputs=outputs)
    lstm_cell.set_weights(
        [weights["lstm0.kernel"], weights["lstm0.recurrent_kernel"], weights["lstm0.bias"]]
    )
    densor.set_weights([weights["dense.kernel"], weights["dense.bias"]])
    return model
