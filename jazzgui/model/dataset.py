"""Training windows through tf.data: from arrays in memory, or streamed from token files on disk.

Streams are one raw file per sequence and per array: the token ids ("tokens", int32, one per
step) and any extra per-step features a network conditions on (e.g. "chord", int32 or
float32, `width` values per step), written once by `write_streams`. `StreamedWindows` cuts
the windows out of a few files at a time and shuffles them across files through a bounded
buffer, so memory does not grow with the corpus; each input pipeline (one per worker in
multi-worker training) reads its own shard of the files. TensorFlow is imported inside
functions only.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from jazzgui.model.engine import load_tensorflow

TOKENS = "tokens"
# The onset features of each step's target (the next token), for a network that conditions on
# what it is about to play: at step t of a stream, the features of token t + 1.
FEATURES = "features"
# Up to this many windows are held in memory as token ids (under 30 MB at Tx=30): reading them
# from files costs more per epoch than the step on a small corpus (1.73 s against 1.09 s an
# epoch on the built-in corpus). Beyond it they are streamed.
IN_MEMORY_WINDOWS = 100_000
SHUFFLE_BUFFER = 16_384  # windows mixed across files: a few MB however large the corpus
FILES_OPEN = 8  # files whose windows are interleaved at once
# Chunks of every lane gathered at once when the state carries over: a few MB of features.
BLOCK_CHUNKS = 64


@dataclass(frozen=True)
class StreamSet:
    """Sequences written to a folder: one file per sequence and array, and their layout."""

    folder: Path
    names: list[str]  # the sequences' file stems, in order
    lengths: list[int]  # steps per sequence
    arrays: dict[str, tuple[str, int]]  # array name -> (numpy dtype name, values per step)

    def windows(self, tx: int, stride: int = 1) -> int:
        """How many windows of `tx` inputs plus one target the sequences hold."""
        return sum(_window_count(n, tx, stride) for n in self.lengths)


def _window_count(length: int, tx: int, stride: int) -> int:
    return max(0, (length - tx - 1) // stride + 1)


def write_streams(
    sequences: Iterable[np.ndarray | Mapping[str, np.ndarray]], folder: str | Path
) -> StreamSet:
    """Write token sequences (int arrays, or mappings of "tokens" and feature arrays with one
    row per step) to `folder`; each array is written raw, one file per sequence."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    lengths: list[int] = []
    layout: dict[str, tuple[str, int]] = {}
    for index, sequence in enumerate(sequences):
        arrays = {TOKENS: sequence} if isinstance(sequence, np.ndarray) else dict(sequence)
        arrays[TOKENS] = np.asarray(arrays[TOKENS], dtype=np.int32)
        steps = len(arrays[TOKENS])
        name = f"{index:07d}"
        for key, values in arrays.items():
            values = np.asarray(values)
            if values.dtype.kind in "iub":
                values = values.astype(np.int32)
            elif values.dtype.kind == "f":
                values = values.astype(np.float32)
            if len(values) != steps:
                raise ValueError(f"{key} has {len(values)} steps, the tokens {steps}")
            shape = (values.dtype.name, int(np.prod(values.shape[1:], dtype=int)))
            if layout.setdefault(key, shape) != shape:
                raise ValueError(f"{key} is {shape} in sequence {index}, {layout[key]} before")
            values.tofile(folder / f"{name}.{key}")
        names.append(name)
        lengths.append(steps)
    return StreamSet(folder, names, lengths, layout)


def training_data(
    sequences: list[np.ndarray],
    tx: int,
    folder: str | Path,
    seed: int = 0,
    limit: int | None = None,
    *,
    features: list[np.ndarray] | None = None,
    allow_empty: bool = False,
    stride: int = 1,
) -> ArrayWindows | StreamedWindows:
    """The windows of token sequences (with `features`, one row per token beside them), one
    starting every `stride` tokens of each sequence: in memory when there are few, else
    streamed from files written to `folder`. No window at all is a TrainingError unless
    `allow_empty`."""
    count = sum(_window_count(len(sequence), tx, stride) for sequence in sequences)
    if count <= IN_MEMORY_WINDOWS or count == 0:
        return _array_windows(sequences, tx, seed, limit, features, allow_empty, stride)
    if features is None:
        return StreamedWindows(write_streams(sequences, folder), tx, stride, limit)
    streams = write_streams(
        ({TOKENS: s, FEATURES: _next_rows(f)} for s, f in zip(sequences, features)), folder
    )
    return StreamedWindows(streams, tx, stride, limit)


def _array_windows(
    sequences: list[np.ndarray],
    tx: int,
    seed: int,
    limit: int | None,
    features: list[np.ndarray] | None,
    allow_empty: bool,
    stride: int,
) -> ArrayWindows:
    """The windows in memory, shuffled by `seed`, then cut to `limit`."""
    from jazzgui.music.corpus import training_windows

    # Windows of positions in all the tokens, so the features of each target come along.
    ids = np.concatenate(sequences).astype(np.int32) if sequences else np.zeros(0, np.int32)
    ends = np.cumsum([0, *(len(s) for s in sequences)])
    rows = [np.arange(a, b, dtype=np.int32) for a, b in itertools.pairwise(ends)]
    x, y = training_windows(
        rows, max(len(ids), 1), tx=tx, seed=seed, max_windows=limit if stride == 1 else None,
        allow_empty=allow_empty, one_hot=False,
    )  # fmt: skip
    if stride > 1 and len(x):  # keep the windows that start a multiple of `stride` in
        first = x[:, 0]
        offset = first - ends[np.searchsorted(ends, first, side="right") - 1]
        keep = offset % stride == 0
        x, y = x[keep][:limit], y[keep][:limit]
    picked = None
    if features is not None:  # (no sequence at all: an empty part, no window either)
        picked = np.concatenate(features)[y] if features else np.zeros((*y.shape, 0))
    return ArrayWindows(ids[x], ids[y], picked)


def _next_rows(features: np.ndarray) -> np.ndarray:
    """Each step's row replaced by the next step's (the last by zeros: it is never a target)."""
    shifted = np.zeros_like(features)
    shifted[:-1] = features[1:]
    return shifted


@dataclass
class ArrayWindows:
    """Windows already in memory: x token ids (m, Tx), y next-token ids (m, Tx), and optionally
    the onset features of each target (m, Tx, width): then the inputs are a dict of both."""

    x: np.ndarray
    y: np.ndarray
    features: np.ndarray | None = None

    @property
    def has_features(self) -> bool:
        return self.features is not None

    @property
    def count(self) -> int:
        return len(self.x)

    @property
    def tx(self) -> int:
        return int(self.x.shape[1])

    def make(self, context: Any, batch_size: int, seed: int, shuffle: bool) -> Any:
        """The dataset of one input pipeline (`context`: a tf.distribute.InputContext), or
        with `context` None the whole dataset in global batches, for the strategy to split."""
        load_tensorflow()
        import tensorflow as tf

        inputs: Any = self.x.astype(np.int32)
        if self.features is not None:
            inputs = {TOKENS: inputs, FEATURES: self.features.astype(np.float32)}
        data = tf.data.Dataset.from_tensor_slices((inputs, self.y.astype(np.int32)))
        if context is not None and context.num_input_pipelines > 1:
            data = data.shard(context.num_input_pipelines, context.input_pipeline_id)
        if shuffle:
            data = data.shuffle(len(self.x), seed=seed, reshuffle_each_iteration=True)
        return _finish(tf, data, context, batch_size)


@dataclass
class StreamedWindows:
    """Windows cut from streams on disk as they are needed, shuffled across files.

    Inputs are the token ids (m, Tx), or a dict of "tokens" and each feature's first Tx
    steps when the streams carry features; targets are the next token ids (m, Tx). With
    `limit`, each epoch takes that many windows (a different random subset each time).
    """

    streams: StreamSet
    tx: int
    stride: int = 1
    limit: int | None = None

    @property
    def has_features(self) -> bool:
        return FEATURES in self.streams.arrays

    @property
    def count(self) -> int:
        total = self.streams.windows(self.tx, self.stride)
        return total if self.limit is None else min(total, self.limit)

    def make(self, context: Any, batch_size: int, seed: int, shuffle: bool) -> Any:
        """The dataset of one input pipeline (`context`: a tf.distribute.InputContext), or
        with `context` None the whole dataset in global batches, for the strategy to split."""
        load_tensorflow()
        import tensorflow as tf

        stems = [
            os.path.join(self.streams.folder, name)
            for name, length in zip(self.streams.names, self.streams.lengths)
            if _window_count(length, self.tx, self.stride) > 0
        ]
        files = tf.data.Dataset.from_tensor_slices(stems)
        pipelines = 1 if context is None else context.num_input_pipelines
        by_file = pipelines > 1 and len(stems) >= pipelines
        if by_file:  # every worker reads only its own files
            files = files.shard(pipelines, context.input_pipeline_id)
        if shuffle:
            files = files.shuffle(len(stems), seed=seed, reshuffle_each_iteration=True)
        plain = tf.autograph.experimental.do_not_convert  # (as in LaneChunks.make)
        data = files.interleave(
            plain(self._windows_of_file), cycle_length=FILES_OPEN, block_length=1
        )
        if pipelines > 1 and not by_file:
            data = data.shard(pipelines, context.input_pipeline_id)
        if shuffle:
            data = data.shuffle(SHUFFLE_BUFFER, seed=seed, reshuffle_each_iteration=True)
        if self.limit is not None:
            data = data.take(self.limit)
        return _finish(tf, data.map(plain(self._split)), context, batch_size)

    def _windows_of_file(self, stem: Any) -> Any:
        import tensorflow as tf  # loaded by make(), whose pipeline calls this

        arrays = {}
        for key, (dtype, width) in self.streams.arrays.items():
            raw = tf.io.decode_raw(tf.io.read_file(stem + f".{key}"), tf.dtypes.as_dtype(dtype))
            arrays[key] = raw if key == TOKENS else tf.reshape(raw, (-1, width))
        steps = tf.shape(arrays[TOKENS])[0]
        count = tf.maximum((steps - self.tx - 1) // self.stride + 1, 0)
        index = tf.range(count)[:, None] * self.stride + tf.range(self.tx + 1)[None, :]
        return tf.data.Dataset.from_tensor_slices(
            {k: tf.gather(v, index) for k, v in arrays.items()}
        )

    def _split(self, window: dict[str, Any]) -> Any:
        tokens = window[TOKENS]
        targets = tokens[1:]
        if len(window) == 1:
            return tokens[:-1], targets
        return {key: values[:-1] for key, values in window.items()}, targets


@dataclass
class LaneChunks:
    """Training data for a network whose state carries over from one batch to the next.

    Each epoch the sequences are joined end to end in a new order (seeded), from a random
    offset below `tx`, and the joined music is split into `lanes` runs of equal length, each
    cut into consecutive chunks of `tx` inputs (with their next tokens as targets): batch k
    holds chunk k of every lane, so row i of each batch continues row i of the batch before.
    An epoch is `count // lanes` batches, and every token but a short tail is a target once
    in it. With features (one row per token), the inputs are a dict of token ids and the
    onset features of each target, as ArrayWindows' are. The music is held once; an epoch's
    chunks are gathered from it BLOCK_CHUNKS lane-chunks at a time, so memory does not grow
    with the epoch.
    """

    sequences: list[np.ndarray]
    features: list[np.ndarray] | None
    tx: int
    lanes: int
    limit: int | None = None  # chunks an epoch at most, all lanes together

    def __post_init__(self) -> None:
        lengths = np.array([len(sequence) for sequence in self.sequences], dtype=np.int64)
        self.total = int(lengths.sum())
        if self.lanes < 1 or self.chunks < 1:
            raise ValueError(
                f"{self.total} tokens hold no chunk of {self.tx} tokens in {self.lanes} lanes"
            )
        self._lengths = lengths
        self._starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])  # in the given order
        self._ids = np.concatenate(self.sequences).astype(np.int32)
        self._rows = None
        if self.features is not None:
            self._rows = np.concatenate(self.features).astype(np.float32)

    @staticmethod
    def lanes_for(tokens: int, tx: int, batch_size: int, replicas: int = 1) -> int:
        """Lanes for this many tokens: the batch size, fewer when each would lack a chunk, in
        a multiple of the replicas that share them (0: too little music for a lane each)."""
        lanes = max(0, min(batch_size, (tokens - tx) // tx))
        return lanes - lanes % max(replicas, 1)

    @property
    def has_features(self) -> bool:
        return self.features is not None

    @property
    def length(self) -> int:
        """Tokens a lane holds (the offset below tx always leaves them room)."""
        return (self.total - self.tx) // max(self.lanes, 1)

    @property
    def chunks(self) -> int:
        """Chunks a lane gives an epoch."""
        chunks = self.length // self.tx
        if self.limit is not None:
            chunks = min(chunks, max(1, self.limit // self.lanes))
        return chunks

    @property
    def count(self) -> int:
        return self.chunks * self.lanes

    def epoch(
        self,
        seed: int,
        epoch: int,
        first: int = 0,
        last: int | None = None,
        lanes: range | None = None,
    ) -> tuple[Any, np.ndarray]:
        """Chunks `first` to `last` (all by default) of the `lanes` given (all by default) in
        one epoch, as rows of inputs and targets, chunk after chunk: (chunks * lanes, tx)."""
        rng = np.random.default_rng([seed, epoch])
        order = rng.permutation(len(self._lengths))
        offset = int(rng.integers(self.tx))
        joined_starts = np.concatenate([[0], np.cumsum(self._lengths[order])[:-1]])
        last = self.chunks if last is None else min(last, self.chunks)
        lanes = range(self.lanes) if lanes is None else lanes
        lane_starts = offset + np.asarray(lanes, dtype=np.int64) * self.length
        starts = (np.arange(first, last)[:, None] * self.tx + lane_starts[None, :]).ravel()
        joined = starts[:, None] + np.arange(self.tx + 1)[None, :]  # inputs, then one target
        # Where each place of the joined music is in the music as given.
        piece = np.searchsorted(joined_starts, joined, side="right") - 1
        places = self._starts[order[piece]] + (joined - joined_starts[piece])
        x, y = self._ids[places[:, :-1]], self._ids[places[:, 1:]]
        if self._rows is None:
            return x, y
        return {TOKENS: x, FEATURES: self._rows[places[:, 1:]]}, y

    def make(self, context: Any, batch_size: int, seed: int, shuffle: bool) -> Any:
        """Batches of lanes, epoch after epoch without end: with `context` None, all the lanes
        in each batch; with an input context, each element holds one replica's share of a
        chunk (`lanes` split evenly between all the replicas, in order), and this pipeline
        gives its own replicas' lanes, chunk after chunk, one element per local replica in
        turn: every replica gets the same lanes at every step, so its state goes on. Every
        worker joins the music alike (the same seed), so no lane is read twice and all take
        the same steps. `shuffle` is ignored: each epoch joins the music anew."""
        load_tensorflow()
        import tensorflow as tf

        if batch_size != self.lanes:
            raise ValueError(f"batches of {batch_size} rows cannot carry {self.lanes} lanes")
        replicas = 1 if context is None else context.num_replicas_in_sync
        pipelines = 1 if context is None else context.num_input_pipelines
        if self.lanes % replicas or replicas % pipelines:
            raise ValueError(f"{self.lanes} lanes cannot be split evenly over {replicas} replicas")
        share = self.lanes // pipelines  # lanes of this pipeline's replicas
        pipeline = 0 if context is None else context.input_pipeline_id
        mine = range(pipeline * share, (pipeline + 1) * share)
        blocks = -(-self.chunks // BLOCK_CHUNKS)

        def block(number: Any) -> Any:  # one call a block: far cheaper than one a batch
            epoch, first = divmod(int(number), blocks)
            first *= BLOCK_CHUNKS
            inputs, targets = self.epoch(seed, epoch, first, first + BLOCK_CHUNKS, mine)
            if isinstance(inputs, dict):
                return inputs[TOKENS], inputs[FEATURES], targets
            return inputs, targets

        def rows(*arrays: Any) -> Any:
            ids = tf.ensure_shape(arrays[0], (None, self.tx))
            targets = tf.ensure_shape(arrays[-1], (None, self.tx))
            if len(arrays) == 2:
                return tf.data.Dataset.from_tensor_slices((ids, targets))
            features = tf.ensure_shape(arrays[1], (None, self.tx, None))
            return tf.data.Dataset.from_tensor_slices(({TOKENS: ids, FEATURES: features}, targets))

        types = [tf.int32, tf.float32, tf.int32] if self.features is not None else [tf.int32] * 2
        # Not converted by autograph, which tf.data does to every function by default: they
        # have no control flow over tensors to convert, and converting them took about 0.1 s
        # of the first epoch (the loop's set-up 0.16-0.21 s against 0.07-0.12 s).
        plain = tf.autograph.experimental.do_not_convert
        data = tf.data.Dataset.counter().map(
            plain(lambda number: tf.numpy_function(block, [number], types, stateful=False))
        )
        data = data.flat_map(plain(rows)).batch(self.lanes // replicas, drop_remainder=True)
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.OFF
        options.autotune.enabled = False
        return data.with_options(options)


def _finish(tf: Any, data: Any, context: Any, batch_size: int) -> Any:
    """Batches for one replica (with an input context) or global batches (without one)."""
    if context is not None:  # each element of a pipeline feeds one replica
        batch_size //= max(context.num_replicas_in_sync, 1)
    options = tf.data.Options()
    # A pipeline made for its input context reads only its own shard already; a dataset made
    # without one is split by the strategy, window by window.
    policy = tf.data.experimental.AutoShardPolicy
    options.experimental_distribute.auto_shard_policy = policy.OFF if context else policy.DATA
    # tf.data's autotuner and prefetch threads only compete with the train step for the CPU
    # (measured slightly slower on two cores).
    options.autotune.enabled = False
    return data.batch(max(batch_size, 1)).with_options(options)
