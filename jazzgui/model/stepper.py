"""The trained network stepped one value at a time with numpy (float64; float32 for scoring
batches of windows), for either kind.

No TensorFlow here: the weights saved in a model file are applied with Keras' LSTM equations
(gates in Keras' order i, f, c, o), so generation starts at once and each step costs
microseconds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jazzgui.model.modelfile import JazzModel
from jazzgui.music.valueparts import value_parts


class LSTMStepper:
    """The reference kind applied one token (or a batch of them) at a time with numpy."""

    def __init__(self, model: JazzModel, dtype: type = np.float64) -> None:
        self.n_a = model.config.n_a
        self.dtype = dtype
        self.__dict__.update(_derived(model, self, dtype))
        self.reset()

    def _derive(self, model: JazzModel) -> None:
        """Set the arrays the steps use, all derived from the model's weights."""
        dtype = self.dtype
        half, one = np.full(self.n_a, 0.5, dtype), np.ones(self.n_a, dtype)
        # Keras' gate order i, f, c, o: sigmoid(z) = 0.5 + 0.5 tanh(z / 2) for i, f, o and
        # tanh(z) for the cell input, so every gate is one tanh of z scaled by these halves.
        # The weights are kept scaled already (halving is exact in floating point).
        scale = np.concatenate([half, half, one, half])
        self._gate_scale = scale
        self._gate_shift = np.concatenate([half, half, np.zeros(self.n_a, dtype), half])
        self.layers = [
            tuple(
                model.weights[f"lstm{i}.{part}"].astype(dtype) * scale
                for part in ("kernel", "recurrent_kernel", "bias")
            )
            for i in range(model.config.layers)
        ]
        self._load_heads(model)

    def _load_heads(self, model: JazzModel) -> None:
        self.dense_kernel = model.weights["dense.kernel"].astype(self.dtype)
        self.dense_bias = model.weights["dense.bias"].astype(self.dtype)

    def reset(self) -> None:
        """Back to the zero state (as the reference's a0 = c0 = 0)."""
        self.h = [np.zeros(self.n_a, self.dtype) for _ in self.layers]
        self.c = [np.zeros(self.n_a, self.dtype) for _ in self.layers]

    def _input(self, token: int | None, features: np.ndarray | None) -> np.ndarray | float:
        """The first layer's input times its kernel (a one-hot input picks one row)."""
        return 0.0 if token is None else self.layers[0][0][token]

    def _output(self, h: np.ndarray) -> np.ndarray:
        return h @ self.dense_kernel + self.dense_bias

    def step(self, token: int | None, features: np.ndarray | None = None) -> np.ndarray:
        """Feed one token index (None: an all-zero input) with the features of the next onset
        (used by the new kind only) and return the next token's logits over the vocabulary."""
        return self._output(self.advance(token, features))

    def advance(self, token: Any, features: np.ndarray | None = None) -> np.ndarray:
        """Feed one token (or a batch: an int array, with features one row each) and return
        the top layer's output. The state takes the batch's shape from the first call."""
        n = self.n_a
        x: np.ndarray | None = None
        for layer, (kernel, recurrent, bias) in enumerate(self.layers):
            given = self._input(token, features) if layer == 0 else x @ kernel
            z = self.h[layer] @ recurrent  # (scaled weights: z is already scaled per gate)
            z += bias
            # (a first batch meets the zero state of one row: it takes the batch's shape)
            z = z + given if np.ndim(given) > z.ndim else np.add(z, given, out=z)
            gates = np.tanh(z, out=z)  # in place: z is this step's own array
            gates *= self._gate_scale
            gates += self._gate_shift
            i, f = gates[..., :n], gates[..., n : 2 * n]
            g, o = gates[..., 2 * n : 3 * n], gates[..., 3 * n :]
            c = f * self.c[layer]  # new arrays: snapshots of the state keep theirs
            c += i * g
            h = np.tanh(c)
            h *= o
            self.c[layer], self.h[layer] = c, h
            x = h
        assert x is not None
        return x

    def target_log_p(self, h: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """log P of each row's target token given the top layer's outputs h (batch, n_a)."""
        log_p = _log_softmax(self._output(h))
        return np.take_along_axis(log_p, targets[:, None], axis=1)[:, 0]


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
        # Each value's three one-hot parts times the kernel, summed once for the vocabulary.
        self.token_rows = self.layers[0][0][self.part_rows].sum(axis=0)
        self.type_kernel = w["type.kernel"].astype(self.dtype)
        self.type_bias = w["type.bias"].astype(self.dtype)
        duration = w["duration.kernel"].astype(self.dtype)
        self.duration_kernel, self.duration_by_type = duration[:n], duration[n:]
        self.duration_bias = w["duration.bias"].astype(self.dtype)
        interval = w["interval.kernel"].astype(self.dtype)
        self.interval_kernel = interval[:n]
        self.interval_by_type = interval[n : n + kinds][:, None, :]
        self.interval_by_duration = interval[n + kinds :][None, :, :]
        self.interval_bias = w["interval.bias"].astype(self.dtype)
        self.kind_of, self.duration_of = parts.kind_of, parts.duration_of
        self.interval_of = parts.interval_of
        # The three heads' parts that see h, side by side: one product for a batch's targets.
        self._head_kernel = np.concatenate(
            [self.type_kernel, self.duration_kernel, self.interval_kernel], axis=1
        )
        self._head_bias = np.concatenate([self.type_bias, self.duration_bias, self.interval_bias])
        self._head_ends = (kinds, kinds + durations)

    def _input(self, token: int | None, features: np.ndarray | None) -> np.ndarray | float:
        z = 0.0 if token is None else self.token_rows[token]
        if features is not None:
            z = z + features @ self.feature_kernel
        return z

    def _output(self, h: np.ndarray) -> np.ndarray:
        kinds, durations_end = self._head_ends
        logits = h @ self._head_kernel + self._head_bias  # the three heads' parts that see h
        types = _log_softmax(logits[:kinds])
        durations = _log_softmax(logits[kinds:durations_end] + self.duration_by_type)
        base = logits[durations_end:]
        intervals = _log_softmax(base + self.interval_by_type + self.interval_by_duration)
        k, d = self.kind_of, self.duration_of
        return types[k] + durations[k, d] + intervals[k, d, self.interval_of]

    def target_log_p(self, h: np.ndarray, targets: np.ndarray) -> np.ndarray:
        # Only the target's parts: each head given the true earlier parts, as in training.
        k, d = self.kind_of[targets], self.duration_of[targets]
        rows = np.arange(len(targets))
        logits = h @ self._head_kernel + self._head_bias
        types, durations, intervals = np.split(logits, self._head_ends, axis=1)
        durations = durations + self.duration_by_type[k]
        intervals = intervals + self.interval_by_type[k, 0] + self.interval_by_duration[0, d]
        return (
            _picked_log_softmax(types, rows, k)
            + _picked_log_softmax(durations, rows, d)
            + _picked_log_softmax(intervals, rows, self.interval_of[targets])
        )


def _picked_log_softmax(logits: np.ndarray, rows: np.ndarray, picked: np.ndarray) -> np.ndarray:
    """log_softmax(logits)[rows, picked], without the whole log-softmax array."""
    top = np.max(logits, axis=-1)
    total = np.exp(logits - top[:, None]).sum(axis=-1)
    return (logits[rows, picked] - top) - np.log(total)


def _derived(model: JazzModel, stepper: LSTMStepper, dtype: type) -> dict[str, Any]:
    """The arrays a stepper of this kind and dtype derives from the model's weights: derived
    once per model and shared, read-only, by its steppers (a take, a trade, each bar tried
    again makes one; deriving them took longer than stepping the network through a bar).
    Derived again when the model's weight arrays are no longer the ones they came from."""
    sources = tuple(model.weights.values())
    key = (type(stepper).__name__, np.dtype(dtype).str)
    known = model.derived.get(key)
    if (
        known is not None
        and len(known[0]) == len(sources)
        and all(held is source for held, source in zip(known[0], sources))
    ):
        return known[1]
    before = set(vars(stepper))
    stepper._derive(model)
    arrays = {name: value for name, value in vars(stepper).items() if name not in before}
    for value in arrays.values():
        for array in value if isinstance(value, list | tuple) else [value]:
            if isinstance(array, np.ndarray):
                array.setflags(write=False)
    # The source arrays are held too, so none of them can be freed and another take its id.
    model.derived[key] = (sources, arrays)
    return arrays


def make_stepper(model: JazzModel, dtype: type = np.float64) -> LSTMStepper:
    """The numpy stepper of a model's kind."""
    kind = ConditionedStepper if model.config.conditioned else LSTMStepper
    return kind(model, dtype)
