"""Time to quality: wall time until the validation loss reaches the starter model's, for today's
training (every overlapping window in memory, batch 32, Adam 0.01 with decay 0.01 per step) and
for streamed training (windows streamed from token files, larger batches, a tuned learning
rate, windows overlapping less), on the built-in corpus and on a 10x corpus; and the peak
memory of preparing the training data both ways as the corpus grows.

The 10x corpus is the built-in corpus transposed into ten keys: value tokens are relative to
the chord under each note, so a transposed copy has exactly the tokens of the original, and the
10x corpus is its training sequences ten times over (validation stays the original's held-out
bars, never seen in training). Network: the starter's (128 units, dropout 0.5, Tx 30).
Run: python bench/train_scale.py [--budget 300] [--scales 1 10] [--memory-scales 1 10 40]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from jazzgui.model.config import TrainConfig
from jazzgui.model.dataset import ArrayWindows, StreamedWindows, write_streams
from jazzgui.model.modelfile import load_model
from jazzgui.model.starter import starter_configs, starter_model_path
from jazzgui.model.training import train_on_data
from jazzgui.music.corpus import build_corpus, training_windows

SOLOS = Path(__file__).resolve().parents[1] / "data" / "solos"
METHODS = {
    "today": {"batch_size": 32, "learning_rate": 0.01, "decay": 0.01, "stride": 1},
    # Today's settings, streamed: larger batches run 2-3x faster an epoch here but did not
    # reach the starter's validation loss (batch 128 and 256, lr 0.01-0.03, stride 1 and 3).
    "streamed": {"batch_size": 32, "learning_rate": 0.01, "decay": 0.01, "stride": 1},
}


def split_corpus(scale: int) -> tuple[list[np.ndarray], list[np.ndarray], list[str]]:
    corpus = build_corpus([SOLOS])
    _, training = starter_configs()
    train, val = corpus.split_by_bars(training.val_fraction, training.seed)
    return train * scale, val, corpus.vocabulary.to_list()


def time_to_target(method: str, scale: int, target: float, budget: float) -> dict:
    """Train until the validation loss reaches `target` or `budget` seconds pass."""
    model_config, starter = starter_configs()
    settings = METHODS[method]
    train_seqs, val_seqs, vocabulary = split_corpus(scale)
    tx = model_config.tx
    xv, yv = training_windows(val_seqs, len(vocabulary), tx=tx, one_hot=False)
    with tempfile.TemporaryDirectory() as folder:
        if method == "today":
            x, y = training_windows(train_seqs, len(vocabulary), tx=tx, seed=0, one_hot=False)
            data = ArrayWindows(x, y)
        else:
            data = StreamedWindows(write_streams(train_seqs, folder), tx, settings["stride"])
        config = TrainConfig(
            epochs=100_000, batch_size=settings["batch_size"], seed=starter.seed,
            learning_rate=settings["learning_rate"], decay=settings["decay"], val_fraction=0.1,
        )  # fmt: skip
        started = time.perf_counter()
        reached: dict = {}
        best = [np.inf]

        def on_epoch(entry) -> None:
            best[0] = min(best[0], entry.val_loss)
            if entry.val_loss <= target and not reached:
                reached.update(epoch=entry.epoch, seconds=time.perf_counter() - started)

        def should_stop() -> bool:
            return bool(reached) or time.perf_counter() - started > budget

        result = train_on_data(
            data, ArrayWindows(xv, yv), vocabulary, model_config, config,
            on_epoch=on_epoch, should_stop=should_stop,
        )  # fmt: skip
    epoch_seconds = np.median([e.seconds for e in result.history]) if result.history else 0
    return {
        "windows": data.count,
        "epoch_s": float(epoch_seconds),
        "best_val": float(best[0]),
        **reached,
    }


def data_memory(method: str, scale: int) -> float:
    """Peak resident MB of a fresh process that reads the corpus, loads TensorFlow, prepares
    the training data and reads one epoch of it."""
    script = f"""
import resource, sys, tempfile, json
sys.path.insert(0, {str(Path(__file__).parent)!r})
from train_scale import split_corpus
from jazzgui.music.corpus import training_windows
from jazzgui.model.dataset import StreamedWindows, write_streams
train, _, vocabulary = split_corpus({scale})
import tensorflow as tf
if {method!r} == "today":
    x, y = training_windows(train, len(vocabulary), tx=30, seed=0)  # as train() built them
    x = x.argmax(-1)
    data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x)).batch(32)
else:
    folder = tempfile.mkdtemp()
    data = StreamedWindows(write_streams(train, folder), 30).make(None, 32, 0, True)
for batch in data:
    pass
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"mb": peak / 1024}}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])["mb"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=300.0, help="seconds per run at most")
    parser.add_argument("--scales", type=int, nargs="*", default=[1, 10])
    parser.add_argument("--memory-scales", type=int, nargs="*", default=[1, 10, 40])
    parser.add_argument("--target", type=float, help="validation loss (default: the starter's)")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument(
        "--streamed", nargs=4, type=float, metavar=("BATCH", "LR", "DECAY", "STRIDE"),
        help="settings of the streamed method to try",
    )  # fmt: skip
    args = parser.parse_args()
    if args.streamed:
        batch, rate, decay, stride = args.streamed
        METHODS["streamed"] = {
            "batch_size": int(batch), "learning_rate": rate, "decay": decay, "stride": int(stride)
        }  # fmt: skip
    target = args.target or float(load_model(starter_model_path()).card["val_loss"])
    print(f"target: validation loss {target:.4f}/token (the starter model's best)")
    for name, settings in METHODS.items():
        print(f"  {name}: {settings}")
    print(f"\n{'':<22}{'windows':>9}{'s/epoch':>9}{'epochs':>8}{'time to target s':>18}")
    times: dict[tuple[str, int], float] = {}
    for scale in args.scales:
        for method in args.methods:
            run = time_to_target(method, scale, target, args.budget)
            seconds = run.get("seconds")
            times[(method, scale)] = seconds or np.inf
            shown = (
                f"{seconds:.1f}"
                if seconds
                else f"not in {args.budget:.0f} (best {run['best_val']:.3f})"
            )
            print(
                f"{method + f' x{scale}':<22}{run['windows']:>9}{run['epoch_s']:>9.2f}"
                f"{run.get('epoch', '-'):>8}{shown:>18}"
            )
    for scale in args.scales:
        today, ours = times.get(("today", scale)), times.get(("streamed", scale))
        if today and ours and np.isfinite(ours):
            print(
                f"x{scale}: streamed reaches the target {today / ours:.1f}x sooner (target >= 3x)"
            )
    if args.memory_scales:
        print("\npeak memory of a process: corpus, TensorFlow, training data, one epoch (MB)")
        print(f"{'':<22}" + "".join(f"{f'x{s}':>9}" for s in args.memory_scales))
        for method in ("today", "streamed"):
            sizes = [data_memory(method, scale) for scale in args.memory_scales]
            print(f"{method:<22}" + "".join(f"{mb:>9.0f}" for mb in sizes))


if __name__ == "__main__":
    main()
