"""Settings of the network and of a training run, as plain dataclasses."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

STRATEGIES = ("default", "auto", "mirrored", "multiworker")
# "new": values in parts, with the chord and the beat at every step (the default);
# "reference": the exercise's chord-blind network, one softmax over whole values.
MODEL_KINDS = ("new", "reference")


@dataclass
class ModelConfig:
    """The network's kind and shape: LSTM width, stacked layers, dropout, the window length Tx."""

    n_a: int = 64
    layers: int = 1
    dropout: float = 0.0
    tx: int = 30
    kind: str = "new"  # one of MODEL_KINDS

    @property
    def conditioned(self) -> bool:
        """Whether the network sees the chord and the beat (and predicts values in parts)."""
        return self.kind == "new"

    def validate(self) -> list[str]:
        """Problems with these values, empty when they are usable."""
        problems = []
        if self.n_a < 1:
            problems.append(f"hidden size must be at least 1 (got {self.n_a})")
        if self.layers < 1:
            problems.append(f"layers must be at least 1 (got {self.layers})")
        if not 0.0 <= self.dropout < 1.0:
            problems.append(f"dropout must be in [0, 1) (got {self.dropout})")
        if self.tx < 2:
            problems.append(f"Tx must be at least 2 (got {self.tx})")
        if self.kind not in MODEL_KINDS:
            problems.append(f"kind must be one of {', '.join(MODEL_KINDS)} (got {self.kind!r})")
        return problems

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        """Build from a saved dict; unknown keys (from a newer file) are ignored, and a file
        written before model kinds existed holds the reference's network."""
        names = {f.name for f in fields(cls)}
        return cls(**{"kind": "reference", **{k: v for k, v in data.items() if k in names}})


@dataclass
class TrainConfig:
    """How to train: epochs, batch, Adam with inverse-time decay, validation and stopping."""

    epochs: int = 100
    batch_size: int = 32
    # lr 0.05 with gradients clipped to norm 1, gentle decay, windows every 8 tokens: the
    # validation loss of lr 0.01, decay 0.01 and every window (the reference's way) in fewer
    # steps than lr 0.02 unclipped, and lower at its best (bench/train_scale.py).
    learning_rate: float = 0.05
    decay: float = 0.003  # inverse-time decay per step: lr / (1 + decay * step)
    # Each step's gradient is scaled down to this global norm at most (None: never), so the
    # first steps, whose gradients are large, cannot throw a high learning rate off.
    clipnorm: float | None = 1.0
    val_fraction: float = 0.1
    early_stopping_patience: int | None = None
    seed: int = 0
    strategy: str = "default"  # one of STRATEGIES; "auto" picks from TF_CONFIG and the GPUs
    max_windows: int | None = None  # cap on training windows (None: every window)
    # Training windows start every `stride` tokens (1: at every token, the reference's way,
    # each token predicted ~Tx times an epoch). Validation windows always start at every token.
    stride: int = 8
    # The new kind: the training music joined end to end and cut into `batch_size` long runs
    # (lanes, split evenly between the replicas) read chunk after chunk, the LSTM's state
    # carried from each chunk of `chunk` tokens to the next (backpropagation truncated at the
    # chunk), so every token is learnt once an epoch after all the music before it; `stride`
    # then goes unused. Validation windows are still Tx tokens from a zero state. False:
    # independent windows.
    carry_state: bool = True
    chunk: int = 8
    # Multi-worker training: seconds a worker waits for the others in one exchange before it
    # gives up (a worker that died must not leave the others waiting for ever).
    worker_timeout: float = 300.0

    def validate(self) -> list[str]:
        problems = []
        if self.epochs < 1:
            problems.append(f"epochs must be at least 1 (got {self.epochs})")
        if self.batch_size < 1:
            problems.append(f"batch size must be at least 1 (got {self.batch_size})")
        if self.learning_rate <= 0:
            problems.append(f"learning rate must be positive (got {self.learning_rate})")
        if self.decay < 0:
            problems.append(f"decay must not be negative (got {self.decay})")
        if self.clipnorm is not None and self.clipnorm <= 0:
            problems.append(f"clip norm must be positive (got {self.clipnorm})")
        if not 0.0 <= self.val_fraction < 1.0:
            problems.append(f"validation fraction must be in [0, 1) (got {self.val_fraction})")
        if self.early_stopping_patience is not None and self.early_stopping_patience < 1:
            problems.append(f"patience must be at least 1 (got {self.early_stopping_patience})")
        if self.stride < 1:
            problems.append(f"stride must be at least 1 (got {self.stride})")
        if self.chunk < 2:
            problems.append(f"chunk must be at least 2 tokens (got {self.chunk})")
        if self.worker_timeout <= 0:
            problems.append(f"worker timeout must be positive (got {self.worker_timeout})")
        if self.strategy not in STRATEGIES:
            problems.append(f"strategy must be one of {', '.join(STRATEGIES)}")
        return problems
