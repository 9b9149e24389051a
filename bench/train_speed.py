"""Training speed and final loss: the reference's model (a shared LSTM cell called Tx times)
against ours (one fused LSTM layer, compiled step), same data, 100 epochs, batch 32.

Data: the reference file with the reference's selection (guitar solo, chords from the piano,
bars 120-137) and, like the reference, m=60 windows of Tx=30 tokens. Losses are on the
reference's scale: cross-entropy summed over the 30 steps of a window (ours is computed per
token and multiplied by 30). Run: python bench/train_speed.py [--epochs 100] [--windows 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_models import build_reference_training_model, fit_reference

from jazzgui.model.config import ModelConfig, TrainConfig
from jazzgui.model.engine import load_tensorflow
from jazzgui.model.training import train_on_windows
from jazzgui.music.corpus import Vocabulary, training_windows
from jazzgui.music.grammar import tokenize
from jazzgui.music.leadsheet import load_lead_sheet

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "seed-data" / "original_metheny.mid"


def reference_windows(tx: int, windows: int, seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    sheet = load_lead_sheet(REFERENCE, track="Guitar", bars=(120, 137), chord_track="Piano")
    bars = tokenize(sheet)
    vocabulary = Vocabulary.from_bars(bars)
    sequence = np.array([vocabulary.index(t) for bar in bars for t in bar], dtype=np.int32)
    x, y = training_windows([sequence], len(vocabulary), tx=tx, seed=seed, max_windows=windows)
    print(
        f"data: {REFERENCE.name}, guitar bars 120-137 ({len(bars)} bars, {len(sequence)} tokens, "
        f"vocabulary {len(vocabulary)}), {len(x)} windows of Tx={tx}"
    )
    return x, y, vocabulary.to_list()


def warm_up() -> None:
    """Load TensorFlow (through JazzGUI's loader, without its start-up chatter) and run one
    tiny graph, so neither side pays TF's one-time start-up."""
    load_tensorflow()
    import tensorflow as tf

    tf.function(lambda v: v * 2)(tf.constant(1.0)).numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--windows", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--our-seeds", type=int, default=3, help="runs of ours (it is quick)")
    args = parser.parse_args()
    tx = 30
    x, y, vocabulary = reference_windows(tx, args.windows, args.seed)
    warm_up()

    results = []
    for decay in (0.01, 0.0):
        ours_runs = []
        for seed in range(args.seed, args.seed + args.our_seeds):
            started = time.perf_counter()
            ours = train_on_windows(
                x.argmax(-1).astype(np.int32), y, vocabulary,
                ModelConfig(n_a=64, tx=tx, kind="reference"),
                TrainConfig(
                    epochs=args.epochs, val_fraction=0.0, learning_rate=0.01, decay=decay,
                    clipnorm=None, seed=seed,
                ),  # (the reference's settings, whatever TrainConfig's defaults)
            )  # fmt: skip
            seconds = time.perf_counter() - started
            losses = [ours.history[0].loss * tx, ours.history[-1].loss * tx]
            ours_runs.append((f"ours (fused LSTM), seed {seed}", decay, seconds, *losses))
        started = time.perf_counter()
        model = build_reference_training_model(len(vocabulary), 64, tx, decay=decay)
        history = fit_reference(model, x, y, epochs=args.epochs).history["loss"]
        seconds = time.perf_counter() - started
        label = "reference, intended decay" if decay else "reference as run by Keras 3"
        results.append((ours_runs, (label, decay, seconds, history[0], history[-1])))

    print(f"parameters: ours {ours.model.parameter_count:,}, reference {model.count_params():,}")
    print(
        f"{args.epochs} epochs, batch 32, Adam lr 0.01; decay = inverse-time decay per step; "
        f"loss = cross-entropy summed over the {tx} steps of a window\n"
    )
    print(f"{'':<32}{'decay':>7}{'wall s':>9}{'loss ep 1':>11}{f'loss ep {args.epochs}':>13}")
    for ours_runs, reference in results:
        for label, decay, seconds, first, last in [*ours_runs, reference]:
            print(f"{label:<32}{decay:>7g}{seconds:>9.2f}{first:>11.2f}{last:>13.3f}")
    print()
    for ours_runs, reference in results:
        mean_seconds = statistics.mean(run[2] for run in ours_runs)
        best_seconds = min(run[2] for run in ours_runs)
        final = statistics.mean(run[4] for run in ours_runs)
        print(
            f"decay {reference[1]:g}: speed-up {reference[2] / mean_seconds:.1f}x by the mean of "
            f"ours, {reference[2] / best_seconds:.1f}x by the best (target >= 20x); final loss "
            f"ours (mean of {len(ours_runs)} seeds) / reference {final / reference[4]:.2f} "
            "(target <= 1.10)"
        )
    print("(one process, both after the same TensorFlow warm-up; a busy machine slows both)")


if __name__ == "__main__":
    main()
