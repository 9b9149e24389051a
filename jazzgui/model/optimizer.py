"""Adam for the training loop: Keras' Adam, or on one device the same updates by TensorFlow's
fused Adam kernel.

Both apply Adam (beta 0.9 / 0.999, epsilon 1e-7) with the learning rate lr / (1 + decay * step)
and the gradients clipped to a global norm. Keras' optimizer is written op by op in Python, and
tracing it into the train step took about 0.3 s of the first epoch on the built-in corpus; the
fused kernel (one op a variable) traces in a fraction of that and steps as fast. Keras' optimizer
stays for the distributed strategies, where it also sums the replicas' gradients; there it is
made without clipping, since it would clip each replica's share before the sum (the loop clips
the sum itself: `clip_summed`).

TensorFlow and Keras are imported inside the functions, never at module level.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from jazzgui.model.config import TrainConfig

BETA_1 = 0.9
BETA_2 = 0.999
EPSILON = 1e-7  # Keras' default, which the fused kernel is given too


def make_optimizer(strategy: Any, config: TrainConfig, variables: Sequence[Any]) -> Any:
    """The optimizer for `variables`, made (and built) in the strategy's scope by the caller:
    the fused one on the default strategy, Keras' Adam on every other."""
    import keras
    import tensorflow as tf

    if strategy is tf.distribute.get_strategy() and not tf.distribute.has_strategy():
        optimizer: Any = FusedAdam(config.learning_rate, config.decay, config.clipnorm)
    else:
        schedule = keras.optimizers.schedules.InverseTimeDecay(
            config.learning_rate, decay_steps=1, decay_rate=config.decay
        )
        optimizer = keras.optimizers.Adam(
            learning_rate=schedule,
            beta_1=BETA_1,
            beta_2=BETA_2,
            epsilon=EPSILON,
        )
    optimizer.build(variables)
    return optimizer


def clip_summed(gradients: Sequence[Any], clipnorm: float | None) -> list[Any]:
    """In a replica of a distributed strategy: the replicas' gradients summed, clipped to the
    global norm as one device's would be, and shared out again (each replica's part is the
    sum over the replicas, which the optimizer then sums)."""
    import tensorflow as tf

    if clipnorm is None:
        return list(gradients)
    context = tf.distribute.get_replica_context()
    present = [g for g in gradients if g is not None]
    summed = context.all_reduce(tf.distribute.ReduceOp.SUM, present)
    clipped, _ = tf.clip_by_global_norm(summed, clipnorm)
    shares = iter(g / context.num_replicas_in_sync for g in clipped)
    return [None if g is None else next(shares) for g in gradients]


class FusedAdam:
    """Adam by tf.raw_ops.ResourceApplyAdam, one op a variable, for a single replica. Its
    apply_gradients is called inside a tf.function (or eagerly) like Keras' optimizer's."""

    def __init__(self, learning_rate: float, decay: float, clipnorm: float | None) -> None:
        self.learning_rate = float(learning_rate)
        self.decay = float(decay)
        self.clipnorm = clipnorm
        self.iterations: Any = None
        self._variables: list[Any] = []
        self._slots: list[tuple[Any, Any]] = []  # Adam's m and v of each variable

    def build(self, variables: Sequence[Any]) -> None:
        import tensorflow as tf

        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False, name="iterations")
        self._slots = [
            (
                tf.Variable(tf.zeros(v.shape, v.dtype), trainable=False, name="m"),
                tf.Variable(tf.zeros(v.shape, v.dtype), trainable=False, name="v"),
            )
            for v in variables
        ]
        self._variables = list(variables)

    def apply_gradients(self, pairs: Iterable[tuple[Any, Any]]) -> None:
        import tensorflow as tf

        pairs = list(pairs)
        if [id(v) for _, v in pairs] != [id(v) for v in self._variables]:
            raise ValueError("FusedAdam is given the variables it was built for, in that order")
        gradients = [None if g is None else tf.convert_to_tensor(g) for g, _ in pairs]
        if self.clipnorm is not None:
            present = [g for g in gradients if g is not None]
            clipped = iter(tf.clip_by_global_norm(present, self.clipnorm)[0])
            gradients = [None if g is None else next(clipped) for g in gradients]
        step = tf.cast(self.iterations, tf.float32)
        learning_rate = self.learning_rate / (1.0 + self.decay * step)
        beta_1, beta_2, epsilon = tf.constant(BETA_1), tf.constant(BETA_2), tf.constant(EPSILON)
        beta_1_power, beta_2_power = tf.pow(beta_1, step + 1.0), tf.pow(beta_2, step + 1.0)
        for gradient, variable, (m, v) in zip(gradients, self._variables, self._slots):
            if gradient is None:
                continue
            tf.raw_ops.ResourceApplyAdam(
                var=variable.handle,
                m=m.handle,
                v=v.handle,
                beta1_power=beta_1_power,
                beta2_power=beta_2_power,
                lr=learning_rate,
                beta1=beta_1,
                beta2=beta_2,
                epsilon=epsilon,
                grad=gradient,
            )
        self.iterations.assign_add(1)
