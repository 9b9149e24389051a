"""The trained network stepped one value at a time with numpy (float64), for either kind.

No TensorFlow here: the weights saved in a model file are applied with Keras' LSTM equations
(gates in Keras' order i, f, c, o), so generation starts at once and each step costs
microseconds.
"""

from __future__ import annotations

import numpy as np

from jazzgui.model.modelfile import JazzModel
from jazzgui.music.valueparts import value_parts


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + exp(-z)) without overflow


class LSTMStepper:
    """The reference kind applied one token at a time with numpy (float64)."""

    def __init__(self, model: JazzModel) -> None:
        self.n_a = model.config.n_a
        self.layers = [
            (
                model.weights[f"lstm{i}.kernel"].astype(np.float64),
                model.weights[f"lstm{i}.recurrent_kernel"].astype(np.float64),
                model.weights[f"lstm{i}.bias"].astype(np.float64),
            )
            for i in range(model.config.layers)
        ]
        self._load_heads(model)
        self.reset()

    def _load_heads(self, model: JazzModel) -> None:
        self.dense_kernel = model.weights["dense.kernel"].astype(np.float64)
        self.dense_bias = model.weights["dense.bias"].astype(np.float64)

    def reset(self) -> None:
        """Back to the zero state (as the reference's a0 = c0 = 0)."""
        self.h = [np.zeros(self.n_a) for _ in self.layers]
        self.c = [np.zeros(self.n_a) for _ in self.layers]

    def _input(self, token: int | None, features: np.ndarray | None) -> np.ndarray | float:
        """The first layer's input times its kernel (a one-hot input picks one row)."""
        return 0.0 if token is None else self.layers[0][0][token]

    def _output(self, h: np.ndarray) -> np.ndarray:
        return h @ self.dense_kernel + self.dense_bias

    def step(self, token: int | None, features: np.ndarray | None = None) -> np.ndarray:
        """Feed one token index (None: an all-zero input) with the features of the next onset
        (used by the new kind only) and return the next token's logits over the vocabulary."""
        n = self.n_a
        x: np.ndarray | None = None
        for layer, (kernel, recurrent, bias) in enumerate(self.layers):
            z = self.h[layer] @ recurrent + bias
            z = z + (self._input(token, features) if layer == 0 else x @ kernel)
            i, f = _sigmoid(z[:n]), _sigmoid(z[n : 2 * n])
            g, o = np.tanh(z[2 * n : 3 * n]), _sigmoid(z[3 * n :])
            self.c[layer] = f * self.c[layer] + i * g
            self.h[layer] = o * np.tanh(self.c[layer])
            x = self.h[layer]
        assert x is not None
        return self._output(x)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


class ConditionedStepper(LSTMStepper):
    """The new kind one step at a time: the value's parts and the next onset's features in,
    log P(type) + log P(duration | type) + log P(interval | type, duration) of every value of
    the vocabulary out (the heads' linear layers split into the part each input row sees)."""

    def _load_heads(self, model: JazzModel) -> None:
        parts = value_parts(model.vocabulary)
        kinds, durations, _ = parts.sizes
        n, w = self.n_a, model.weights
        self.part_rows = np.stack(
            [parts.kind_of, kinds + parts.duration_of, kinds + durations + parts.interval_of]
        )
        self.feature_kernel = self.layers[0][0][parts.input_width :]
        self.type_kernel = w["type.kernel"].astype(np.float64)
        self.type_bias = w["type.bias"].astype(np.float64)
        duration = w["duration.kernel"].astype(np.float64)
        self.duration_kernel, self.duration_by_type = duration[:n], duration[n:]
        self.duration_bias = w["duration.bias"].astype(np.float64)
        interval = w["interval.kernel"].astype(np.float64)
        self.interval_kernel = interval[:n]
        self.interval_by_type = interval[n : n + kinds][:, None, :]
        self.interval_by_duration = interval[n + kinds :][None, :, :]
        self.interval_bias = w["interval.bias"].astype(np.float64)
        self.kind_of, self.duration_of = parts.kind_of, parts.duration_of
        self.interval_of = parts.interval_of

    def _input(self, token: int | None, features: np.ndarray | None) -> np.ndarray | float:
        kernel = self.layers[0][0]
        z = 0.0 if token is None else kernel[self.part_rows[:, token]].sum(axis=0)
        if features is not None:
            z = z + features @ self.feature_kernel
        return z

    def _output(self, h: np.ndarray) -> np.ndarray:
        types = _log_softmax(h @ self.type_kernel + self.type_bias)
        durations = _log_softmax(
            h @ self.duration_kernel + self.duration_bias + self.duration_by_type
        )
        base = h @ self.interval_kernel + self.interval_bias
        intervals = _log_softmax(base + self.interval_by_type + self.interval_by_duration)
        k, d = self.kind_of, self.duration_of
        return types[k] + durations[k, d] + intervals[k, d, self.interval_of]


def make_stepper(model: JazzModel) -> LSTMStepper:
    """The numpy stepper of a model's kind."""
    return ConditionedStepper(model) if model.config.conditioned else LSTMStepper(model)
