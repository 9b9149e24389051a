"""Training: next-token prediction over Tx-token windows, through a tf.distribute strategy.

TensorFlow and Keras are imported inside the functions. Progress goes to plain callables:
`on_epoch(EpochLog)` after every epoch, and `should_stop()` is asked after every batch.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from jazzgui.errors import TrainingError
from jazzgui.model.config import ModelConfig, TrainConfig
from jazzgui.model.dataset import (
    FEATURES,
    TOKENS,
    ArrayWindows,
    LaneChunks,
    StreamedWindows,
    training_data,
)
from jazzgui.model.distributed import lost_worker_error
from jazzgui.model.engine import load_tensorflow
from jazzgui.model.modelfile import JazzModel, package_versions
from jazzgui.model.optimizer import FusedAdam, clip_summed, make_optimizer

if TYPE_CHECKING:
    from jazzgui.music.corpus import Corpus

log = logging.getLogger(__name__)

PRIMER_BARS = 8  # corpus bars kept in a model file to prime sampling
VAL_BATCH = 256  # validation windows per batch at least
# Validation windows scored with numpy at most: it spares the traced step's first call (0.42 s
# at 355 windows, 0.79 s at 3,550) but takes 0.11-0.17 ms a window an epoch against its 0.12-0.14,
# so beyond this many windows the traced step wins over a run of a few dozen epochs.
NUMPY_VAL_WINDOWS = 1_000


@dataclass(frozen=True)
class EpochLog:
    """One finished epoch: mean cross-entropy per token (natural log) and its duration."""

    epoch: int  # 1-based
    loss: float
    val_loss: float | None
    seconds: float


@dataclass
class TrainResult:
    """The trained model (best weights when stopped early), its history, and why it ended."""

    model: JazzModel
    history: list[EpochLog]
    stopped: bool  # True when should_stop() or early stopping ended training before `epochs`
    best_epoch: int = 0
    reason: str = "finished"  # "finished", "stopped" (asked to) or "early stopping"
    replicas: int = 1
    windows: int = 0  # training windows (chunks, when the state was carried) an epoch
    val_windows: int = 0
    lanes: int = 0  # lanes whose state was carried from chunk to chunk (0: windows)


def make_strategy(name: str = "default", worker_timeout: float | None = None) -> Any:
    """A tf.distribute strategy: "default" (one device), "mirrored" (every local GPU, or
    every logical CPU when there is no GPU), "multiworker" (machines listed in TF_CONFIG), or
    "auto" (multiworker when TF_CONFIG is set, mirrored with several GPUs, else default).
    With `worker_timeout`, an exchange between workers that takes longer fails."""
    load_tensorflow()
    import tensorflow as tf

    if name == "auto":
        if os.environ.get("TF_CONFIG"):
            name = "multiworker"
        elif len(tf.config.list_logical_devices("GPU")) > 1:
            name = "mirrored"
        else:
            name = "default"
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = gpus or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy(devices=[d.name for d in devices])
    if name == "multiworker":
        options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=worker_timeout)
        return tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    raise TrainingError(
        f"Unknown distribution strategy {name!r}: use default, mirrored, multiworker or auto"
    )


def train(
    corpus: Corpus,
    model_config: ModelConfig,
    train_config: TrainConfig,
    on_epoch: Callable[[EpochLog], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    resume: JazzModel | None = None,
) -> TrainResult:
    """Train on a corpus (validation held out as whole bars) and return the model with its card."""
    vocabulary = corpus.vocabulary.to_list()
    if resume is not None:
        if resume.vocabulary != vocabulary:
            raise TrainingError(
                f"The corpus's vocabulary ({len(vocabulary)} tokens) differs from the model "
                f"{resume.name}'s ({len(resume.vocabulary)}): build the corpus with the model's "
                "vocabulary to resume, or train a new model"
            )
        model_config = resume.config
    if not corpus.ok_entries:
        raise TrainingError("The corpus has no usable file: check `jazzgui corpus` on it")
    if model_config.conditioned and any(e.sheet is None for e in corpus.ok_entries):
        raise TrainingError(
            "The new kind of network needs each file's chords, which this corpus lacks: "
            "train it from MIDI or MusicXML files, or use --kind reference"
        )
    train_part, val_part = _split(corpus, model_config, train_config)
    tx = model_config.tx
    with tempfile.TemporaryDirectory(prefix="jazzgui-windows-") as folder:
        # Many windows are cut from token files as training reads them: memory stays flat.
        seed, limit = train_config.seed, train_config.max_windows
        train_data: ArrayWindows | StreamedWindows | LaneChunks | None = None
        if carries_state(model_config, train_config):
            chunk = train_config.chunk
            tokens = sum(len(sequence) for sequence in train_part.tokens)
            lanes = LaneChunks.lanes_for(tokens, chunk, train_config.batch_size)
            if lanes:  # (else too little music for a chunk a lane: windows say so clearly)
                train_data = LaneChunks(train_part.tokens, train_part.features, chunk, lanes, limit)
        if train_data is None:
            train_data = training_data(
                train_part.tokens, tx, Path(folder) / "train", seed, limit,
                features=train_part.features, stride=train_config.stride,
            )  # fmt: skip
        val_data = training_data(
            val_part.tokens, tx, Path(folder) / "val", seed, features=val_part.features,
            allow_empty=True,
        )  # fmt: skip
        if val_part.tokens and val_data.count == 0:
            log.warning("the validation bars are shorter than Tx=%d tokens: no validation loss", tx)
        result = train_on_data(
            train_data,
            val_data if val_data.count else None,
            vocabulary,
            model_config,
            train_config,
            on_epoch=on_epoch,
            should_stop=should_stop,
            initial_weights=resume.weights if resume is not None else None,
        )
    result.model.card = _card(corpus, result, train_config, resume)
    result.model.primers = _primers(corpus, train_config.seed)
    # Every file whole (validation bars too): the sampler keeps its takes from copying any of it.
    result.model.corpus = [sequence.tolist() for sequence in corpus.sequences()]
    result.model.pitch_prior = _pitch_prior(corpus)
    return result


def carries_state(model_config: ModelConfig, train_config: TrainConfig) -> bool:
    """Whether training carries the LSTM state from chunk to chunk: the new kind, asked to."""
    return model_config.conditioned and train_config.carry_state


@dataclass
class _Part:
    """Token id sequences of the training or the validation part, and for the new kind the
    onset features of each token beside them (one row per token)."""

    tokens: list[np.ndarray]
    features: list[np.ndarray] | None


def _split(
    corpus: Corpus, model_config: ModelConfig, train_config: TrainConfig
) -> tuple[_Part, _Part]:
    """Training and validation parts (validation held out as whole bars of every file)."""
    parts = corpus.split_by_bars(train_config.val_fraction, train_config.seed, rows=True)
    return corpus_parts(corpus, model_config, parts)


def corpus_parts(
    corpus: Corpus, model_config: ModelConfig, parts: Sequence[Sequence[np.ndarray]]
) -> tuple[_Part, ...]:
    """Parts of a corpus given as the positions of their tokens in all the files' tokens in
    order (one array per sequence), with their token ids and, for the new kind, features."""
    from jazzgui.music.conditioning import sequence_features

    ids = np.concatenate(corpus.sequences()).astype(np.int32)
    features = None
    if model_config.conditioned:
        features = np.concatenate(
            [sequence_features(e.sheet.progression, e.bars) for e in corpus.ok_entries]
        )
    return tuple(
        _Part([ids[r] for r in rows], None if features is None else [features[r] for r in rows])
        for rows in parts
    )


def train_on_windows(
    x: np.ndarray,
    y: np.ndarray,
    vocabulary: Sequence[str],
    model_config: ModelConfig,
    train_config: TrainConfig,
    x_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    on_epoch: Callable[[EpochLog], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    initial_weights: dict[str, np.ndarray] | None = None,
    features: np.ndarray | None = None,
    features_val: np.ndarray | None = None,
) -> TrainResult:
    """Train on prepared windows: x int token ids (m, Tx), y next-token ids (m, Tx), and for
    the new kind the features of each next token's onset (m, Tx, FEATURE_SIZE)."""
    val = None
    if x_val is not None and y_val is not None:
        val = ArrayWindows(x_val, y_val, features_val)
    return train_on_data(
        ArrayWindows(x, y, features), val, vocabulary, model_config, train_config,
        on_epoch=on_epoch, should_stop=should_stop, initial_weights=initial_weights,
    )  # fmt: skip


def train_on_data(
    train_data: ArrayWindows | StreamedWindows | LaneChunks,
    val_data: ArrayWindows | StreamedWindows | None,
    vocabulary: Sequence[str],
    model_config: ModelConfig,
    train_config: TrainConfig,
    on_epoch: Callable[[EpochLog], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    initial_weights: dict[str, np.ndarray] | None = None,
) -> TrainResult:
    """Train on windows in memory or streamed from disk, or on chunks whose state carries
    over (jazzgui.model.dataset)."""
    problems = model_config.validate() + train_config.validate()
    if problems:
        raise TrainingError("Bad training settings: " + "; ".join(problems))
    load_tensorflow()
    import tensorflow as tf

    from jazzgui.model.network import build_conditioned, build_network, get_weights, set_weights

    n = len(vocabulary)
    strategy = make_strategy(train_config.strategy, train_config.worker_timeout)
    replicas = strategy.num_replicas_in_sync
    carry = isinstance(train_data, LaneChunks)
    if carry and not model_config.conditioned:
        raise TrainingError("Carried state trains the new kind of network only")
    if carry and train_data.lanes % replicas:
        # Each replica carries the state of its own lanes: as many lanes each.
        lanes = LaneChunks.lanes_for(train_data.total, train_data.tx, train_data.lanes, replicas)
        if not lanes:
            raise TrainingError(
                f"Too little music for a lane of {train_data.tx}-token chunks on each of "
                f"{replicas} replicas: train with --no-carry, or on fewer devices"
            )
        train_data = replace(train_data, lanes=lanes)
    with strategy.scope():
        if model_config.conditioned:
            if not train_data.has_features:
                raise TrainingError("The new kind of network needs the features of its windows")
            network = build_conditioned(
                vocabulary, model_config, seed=train_config.seed, carry=carry
            )
        else:
            network = build_network(n, model_config, seed=train_config.seed)
        if initial_weights is not None:
            set_weights(network, initial_weights, model_config)
        optimizer = make_optimizer(strategy, train_config, network.trainable_variables)

    def current_model() -> JazzModel:  # the network's weights now, for numpy validation
        weights = get_weights(network, vocabulary, model_config)
        return JazzModel(list(vocabulary), model_config, weights)

    loop = _Loop(
        tf, strategy, network, optimizer, train_data, val_data, train_config, current_model
    )
    try:
        history, best_epoch, reason, best_weights = _epochs(
            loop, network, train_config, on_epoch, should_stop
        )
    except (tf.errors.DeadlineExceededError, tf.errors.UnavailableError) as error:
        if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
            raise
        raise lost_worker_error(type(error).__name__, train_config.worker_timeout) from None
    if reason != "finished" and best_weights is not None:
        network.set_weights(best_weights)
    else:
        best_epoch = len(history)
    return TrainResult(
        model=current_model(),  # the best weights, when early stopping or a stop kept them
        history=history,
        stopped=reason != "finished",
        best_epoch=best_epoch,
        reason=reason,
        replicas=replicas,
        windows=train_data.count,
        val_windows=0 if val_data is None else val_data.count,
        lanes=train_data.lanes if carry else 0,
    )


def _epochs(
    loop: _Loop,
    network: Any,
    config: TrainConfig,
    on_epoch: Callable[[EpochLog], None] | None,
    should_stop: Callable[[], bool] | None,
) -> tuple[list[EpochLog], int, str, list[np.ndarray] | None]:
    """Train epoch after epoch: the history, the best epoch, why it ended, the best weights."""
    history: list[EpochLog] = []
    best_weights: list[np.ndarray] | None = None
    best_epoch, best_score, reason = 0, math.inf, "finished"
    for epoch in range(1, config.epochs + 1):
        start = time.perf_counter()
        loss = loop.train_epoch(should_stop)
        if loss is None:
            reason = "stopped"  # a partial epoch is neither reported nor a candidate for "best"
            break
        val_loss = loop.evaluate()
        entry = EpochLog(epoch, loss, val_loss, time.perf_counter() - start)
        history.append(entry)
        score = val_loss if val_loss is not None else loss
        if score < best_score:
            best_score, best_epoch = score, epoch
            best_weights = [np.array(w) for w in network.get_weights()]
        if on_epoch is not None:
            on_epoch(entry)
        patience = config.early_stopping_patience
        if patience is not None and epoch - best_epoch >= patience:
            reason = "early stopping"
            break
    return history, best_epoch, reason, best_weights


class _Loop:
    """A compiled train step fed by tf.data through the strategy; one batch per Python call,
    so a stop request is seen after at most one batch. Keras' fit() costs ~10 ms of bookkeeping
    an epoch, more than the two batches of the reference's data take to train."""

    def __init__(
        self,
        tf: Any,
        strategy: Any,
        network: Any,
        optimizer: Any,
        train_data: ArrayWindows | StreamedWindows | LaneChunks,
        val_data: ArrayWindows | StreamedWindows | None,
        config: TrainConfig,
        current_model: Callable[[], JazzModel],
    ) -> None:
        self.tf = tf
        self.strategy = strategy
        # Carried state: one batch is a chunk of every lane, and the state goes from each
        # batch to the next, from zeros at the start of each epoch.
        self.carry = isinstance(train_data, LaneChunks)
        batch = train_data.lanes if self.carry else config.batch_size
        self.batches = math.ceil(train_data.count / batch)
        self.tx = train_data.tx
        self.train_iter = iter(
            strategy.distribute_datasets_from_function(
                lambda context: train_data.make(context, batch, config.seed, shuffle=True).repeat()
            )
        )
        lstms = [layer for layer in network.layers if layer.name.startswith("lstm")]
        self.zero_states: list[Any] = []
        if self.carry:  # h and c of each LSTM layer, for each replica's share of the lanes
            rows = batch // strategy.num_replicas_in_sync
            self.zero_states = [
                strategy.experimental_distribute_values_from_function(
                    lambda _, units=layer.units: tf.zeros((rows, units))
                )
                for layer in lstms
                for _ in "hc"
            ]
        self.val_data = None
        self.val_batches = 0
        self.local_val: Callable[[], float] | None = None
        if (
            isinstance(val_data, ArrayWindows)
            and 0 < val_data.count <= NUMPY_VAL_WINDOWS
            and strategy.num_replicas_in_sync == 1
        ):
            # Few windows in memory, one replica: scored with numpy from the weights after each
            # epoch, which costs what the traced step does an epoch but spares its tracing
            # (about 0.35 s of the first epoch on the built-in corpus's 355 windows).
            self.local_val = functools.partial(_numpy_val_loss, val_data, current_model)
        elif val_data is not None and val_data.count:
            # Forward only: larger batches than training's, fewer calls (the loss is the same).
            val_batch = max(config.batch_size, VAL_BATCH)
            self.val_batches = math.ceil(val_data.count / val_batch)
            # Each global batch split across the replicas: a replica given its own batches
            # would get an empty one at the end, which the LSTM cannot be traced for.
            self.val_data = strategy.experimental_distribute_dataset(
                val_data.make(None, val_batch, config.seed, shuffle=False)
            )
        variables = network.trainable_variables

        carry = self.carry

        def per_example_loss(
            inputs: Any, targets: Any, training: bool, states: Any = None
        ) -> tuple[Any, list[Any]]:
            # Summed over the window's steps, as the reference's Tx outputs add up: the same
            # gradient scale, so Adam's epsilon weighs the same (a mean converges more slowly).
            if isinstance(inputs, dict):  # the new kind: the log-probability of each target
                given = [inputs[TOKENS], inputs[FEATURES], targets]
                if not carry:
                    return -tf.reduce_sum(network(given, training=training), axis=-1), []
                if states is None:  # (scoring windows: each from a zero state)
                    rows = tf.shape(targets)[0]
                    states = [tf.zeros((rows, layer.units)) for layer in lstms for _ in "hc"]
                log_p, *finals = network([*given, *states], training=training)
                return -tf.reduce_sum(log_p, axis=-1), finals
            probabilities = network(inputs, training=training)
            return tf.reduce_sum(_crossentropy(tf, targets, probabilities), axis=-1), []

        def replica_step(inputs: Any, targets: Any, states: Any = None) -> Any:
            with tf.GradientTape() as tape:
                per_example, finals = per_example_loss(inputs, targets, True, states)
                loss = tf.nn.compute_average_loss(per_example)
            gradients = tape.gradient(loss, variables)
            if not isinstance(optimizer, FusedAdam):  # (a distributed strategy's)
                gradients = clip_summed(gradients, config.clipnorm)
            optimizer.apply_gradients(zip(gradients, variables))
            examples = tf.cast(tf.shape(per_example)[0], tf.float32)
            return tf.reduce_sum(per_example), examples, finals

        def replica_eval(inputs: Any, targets: Any) -> Any:
            per_example, _ = per_example_loss(inputs, targets, False)
            return tf.reduce_sum(per_example), tf.cast(tf.shape(per_example)[0], tf.float32)

        def reduce(values: Any) -> Any:
            return [strategy.reduce(tf.distribute.ReduceOp.SUM, v, axis=None) for v in values]

        # Without autograph: these steps have no Python control flow over tensors to convert,
        # and converting the Keras code they call cost about 0.3 s of the first epoch (on the
        # built-in corpus, 1.15-1.23 s against 1.32-1.65 s in five pairs of runs; the same losses).
        @tf.function(autograph=False)
        def train_step(iterator: Any) -> Any:
            loss_sum, examples, _ = strategy.run(replica_step, args=next(iterator))
            return reduce((loss_sum, examples))

        @tf.function(autograph=False)
        def carry_step(iterator: Any, states: Any) -> Any:
            # Each replica's final state stays with it, for its lanes' next chunk.
            loss_sum, examples, finals = strategy.run(replica_step, args=(*next(iterator), states))
            return (*reduce((loss_sum, examples)), finals)

        @tf.function(autograph=False)
        def eval_step(iterator: Any) -> Any:
            # Given the iterator, not a batch: traced once for the dataset's shapes, not again
            # for the last, shorter batch (a second trace of the LSTM costs about a second).
            return reduce(strategy.run(replica_eval, args=next(iterator)))

        self.train_step = train_step
        self.carry_step = carry_step
        self.eval_step = eval_step
        self.any_stop = None
        if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):

            @tf.function(autograph=False)
            def any_stop(flag: Any) -> Any:
                return strategy.reduce(
                    tf.distribute.ReduceOp.SUM, strategy.run(tf.identity, args=(flag,)), axis=None
                )

            self.any_stop = any_stop

    def _stop_requested(self, should_stop: Callable[[], bool] | None) -> bool:
        wanted = should_stop is not None and should_stop()
        if self.any_stop is None:
            return wanted
        # Every worker leaves at the same batch (one Ctrl-C stops all): a worker that stopped
        # alone would leave the others waiting in the next all-reduce for ever.
        return float(self.any_stop(self.tf.constant(float(wanted)))) > 0

    def train_epoch(self, should_stop: Callable[[], bool] | None) -> float | None:
        """Mean loss per token over the epoch's windows, or None when stopped part-way."""
        sums = []
        states = self.zero_states  # each epoch joins the music anew: its lanes start afresh
        for _ in range(self.batches):
            # Asked before each step, so a stop is seen before the first step's slow tracing.
            if self._stop_requested(should_stop):
                return None
            # Keep the results on the device: reading them would wait for each step to finish.
            if self.carry:
                loss_sum, examples, states = self.carry_step(self.train_iter, states)
                sums.append((loss_sum, examples))
            else:
                sums.append(self.train_step(self.train_iter))
        total, count = np.sum([[float(v) for v in pair] for pair in sums], axis=0)
        return float(total / max(count * self.tx, 1.0))

    def evaluate(self) -> float | None:
        if self.local_val is not None:
            return self.local_val()
        if self.val_data is None:
            return None
        total = count = 0.0
        batches = iter(self.val_data)
        for _ in range(self.val_batches):
            loss_sum, examples = self.eval_step(batches)
            total += float(loss_sum)
            count += float(examples)
        return float(total / max(count * self.tx, 1.0))


def _numpy_val_loss(val_data: ArrayWindows, current_model: Callable[[], JazzModel]) -> float:
    """Mean validation loss per token of windows in memory, scored with numpy."""
    from jazzgui.model.scoring import windows_nll

    losses = windows_nll(current_model(), val_data.x, val_data.y, val_data.features)
    return float(losses.sum() / max(val_data.count * val_data.tx, 1))


def _crossentropy(tf: Any, targets: Any, probabilities: Any) -> Any:
    """Cross-entropy per token from softmax outputs (clipped as Keras does: no log(0))."""
    picked = tf.gather(probabilities, tf.cast(targets, tf.int32), axis=-1, batch_dims=2)
    return -tf.math.log(tf.clip_by_value(picked, 1e-7, 1.0))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def _card(
    corpus: Corpus, result: TrainResult, config: TrainConfig, resume: JazzModel | None
) -> dict[str, Any]:
    history = result.history
    best = history[result.best_epoch - 1] if history and result.best_epoch else None
    previous_epochs = int(resume.card.get("epochs", 0)) if resume is not None else 0
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "corpus": [
            {
                "file": Path(entry.path).name,
                "sha256": _sha256(Path(entry.path)),
                "bars": len(entry.bars),
                "tokens": sum(len(bar) for bar in entry.bars),
            }
            for entry in corpus.ok_entries
        ],
        "bars": corpus.bar_count,
        "tokens": corpus.token_count,
        "vocabulary": len(corpus.vocabulary),
        "epochs": previous_epochs + len(history),
        "epochs_this_run": len(history),
        "best_epoch": result.best_epoch,
        "ended": result.reason,
        "loss": best.loss if best else None,  # mean cross-entropy per token, natural log
        "val_loss": best.val_loss if best else None,
        "loss_scale": "mean cross-entropy per token (nats); x Tx gives the reference's sum",
        "windows": result.windows,
        "val_windows": result.val_windows,
        "train": {
            "batch_size": config.batch_size,
            "stride": None if result.lanes else config.stride,
            "carry_state": bool(result.lanes),
            "chunk": config.chunk if result.lanes else None,
            "lanes": result.lanes or None,
            "learning_rate": config.learning_rate,
            "decay": config.decay,
            "clipnorm": config.clipnorm,
            "val_fraction": config.val_fraction,
            "patience": config.early_stopping_patience,
            "seed": config.seed,
            "strategy": config.strategy,
            "replicas": result.replicas,
        },
        "resumed_from": resume.name if resume is not None else None,
        "versions": package_versions(),
    }


def _primers(corpus: Corpus, seed: int) -> list[list[str]]:
    """A few corpus bars, spread over the files, that sampling can start from."""
    bars = [bar for entry in corpus.ok_entries for bar in entry.bars if bar]
    if len(bars) <= PRIMER_BARS:
        return [list(bar) for bar in bars]
    picks = np.random.default_rng(seed).choice(len(bars), size=PRIMER_BARS, replace=False)
    return [list(bars[i]) for i in sorted(picks)]


def _pitch_prior(corpus: Corpus) -> dict[str, list[float]]:
    """The training music's pitch classes over each chord family, which unparsing leans on
    (empty, no preference, when the corpus holds token bars without their lead sheets)."""
    from jazzgui.music.pitch_prior import pitch_class_prior

    sheets = [entry.sheet for entry in corpus.ok_entries if entry.sheet is not None]
    return pitch_class_prior(sheets) if sheets else {}
