"""Latency from a generate request to the first finished bar (model loaded), ours against the
reference's 50-step inference model's `predict` (its first call and a later call).

Ours: improvise() primes the numpy LSTM with a corpus bar, samples tokens until the bar is
full and unparses them into notes. Reference: predict() of the Keras inference model (50
argmax steps), before any of its own note placement. Both use the same weights.
Run: python bench/generate_latency.py [--model MODEL] (default: the starter model if it is
installed, else a model of the reference's shape trained for 2 epochs on the reference bars).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_models import build_reference_inference_model

from jazzgui.model import sampling
from jazzgui.model.config import ModelConfig, TrainConfig
from jazzgui.model.modelfile import JazzModel, load_model, save_model
from jazzgui.model.sampling import SamplerSettings, improvise
from jazzgui.model.starter import starter_model_path
from jazzgui.model.takes import generate_take
from jazzgui.music.progression import form_progression

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "seed-data" / "original_metheny.mid"


def _model_file(path: str | None) -> Path:
    if path:
        return Path(path)
    if starter_model_path().exists():
        return starter_model_path()
    from jazzgui.model.training import train
    from jazzgui.music.corpus import build_corpus

    corpus = build_corpus([REFERENCE], track="Guitar", bars=(120, 137))
    result = train(corpus, ModelConfig(kind="reference"), TrainConfig(epochs=2))
    return save_model(result.model, Path(tempfile.mkdtemp()) / "reference-shape.jazzmodel")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    path = _model_file(args.model)
    started = time.perf_counter()
    model: JazzModel = load_model(path)
    load_seconds = time.perf_counter() - started
    progression = form_progression("blues-f")
    print(
        f"model {path.name}: LSTM({model.config.n_a}) x{model.config.layers}, vocabulary "
        f"{len(model.vocabulary)}, {model.parameter_count:,} parameters; loaded in "
        f"{_ms(load_seconds).strip()} (numpy only)\n"
    )

    first_bar = []
    for seed in range(args.runs):
        started = time.perf_counter()
        bar = next(improvise(model, progression, SamplerSettings(seed=seed)))
        first_bar.append(time.perf_counter() - started)
        assert bar.index == 0
    no_rules = []
    for seed in range(args.runs):
        started = time.perf_counter()
        next(improvise(model, progression, SamplerSettings(seed=seed, rules=False)))
        no_rules.append(time.perf_counter() - started)
    started = time.perf_counter()
    take = generate_take(model, progression, SamplerSettings(seed=1))
    whole_take = time.perf_counter() - started
    # The window's way: its loader loads the model and prepares it in the background, then
    # the first Generate. Measured on the model loaded afresh, with the caches emptied.
    sampling._corpus_index.cache_clear()
    sampling._vocabulary_tables.cache_clear()
    fresh = load_model(path)
    started = time.perf_counter()
    sampling.prepare(fresh)
    prepared = time.perf_counter() - started
    started = time.perf_counter()
    next(improvise(fresh, progression, SamplerSettings(seed=0)))
    window_first = time.perf_counter() - started
    print(f"{'':<52}{'time':>12}")
    print(f"{'ours: request -> first finished bar, first call':<52}{_ms(first_bar[0]):>12}")
    print(
        f"{'  the same, after the loader prepared the model':<52}{_ms(window_first):>12}"
        f"  (the window's loader does it in the background: {_ms(prepared).strip()})"
    )
    print(
        f"{f'ours: request -> first finished bar, median of {args.runs}':<52}"
        f"{_ms(statistics.median(first_bar)):>12}"
    )
    print(f"{'ours: request -> first finished bar, slowest':<52}{_ms(max(first_bar)):>12}")
    print(
        f"{'ours: first bar, network alone (--no-rules), median':<52}"
        f"{_ms(statistics.median(no_rules)):>12}"
    )
    print(f"{f'ours: whole take, {take.bars} bars with band':<52}{_ms(whole_take):>12}")
    median = statistics.median(first_bar)
    verdict = "met" if max(median, window_first) < 0.020 else "NOT met"
    cold = "met" if first_bar[0] < 0.020 else "NOT met"
    print(
        f"\nfirst bar: target < 20 ms for the first call in the window and the median: "
        f"{verdict} (first call without the loader's preparation, as `jazzgui generate`: {cold})"
    )
    if model.config.conditioned:
        print("(the reference's inference model exists for the chord-blind kind only)")
        return
    _reference_predict(model, median)


def _reference_predict(model: JazzModel, median: float) -> None:
    """The reference's 50-step Keras inference model with the same weights, for comparison."""
    import keras  # noqa: F401  (loaded before timing, as the app loads it in the background)

    started = time.perf_counter()
    reference = build_reference_inference_model(
        model.weights, len(model.vocabulary), n_a=model.config.n_a
    )
    build_seconds = time.perf_counter() - started
    zeros = [
        np.zeros((1, 1, len(model.vocabulary)), np.float32),
        np.zeros((1, model.config.n_a), np.float32),
        np.zeros((1, model.config.n_a), np.float32),
    ]
    started = time.perf_counter()
    reference.predict(zeros, verbose=0)
    ref_first = time.perf_counter() - started
    later = []
    for _ in range(10):
        started = time.perf_counter()
        reference.predict(zeros, verbose=0)
        later.append(time.perf_counter() - started)

    print(f"{'reference: build 50-step inference model':<52}{_ms(build_seconds):>12}")
    print(f"{'reference: predict, first call':<52}{_ms(ref_first):>12}")
    print(
        f"{'reference: predict, later call (median of 10)':<52}{_ms(statistics.median(later)):>12}"
    )
    print(
        f"first bar: ours (median) {statistics.median(later) / median:.0f}x faster than the "
        "reference's later predict"
    )


if __name__ == "__main__":
    main()
