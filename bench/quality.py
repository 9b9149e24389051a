"""Quality benchmark: a cross-validated ablation of the network and the sampler's rules.

Held-out music is the judge. (b) The built-in corpus data/solos/ is split by file into folds
(every other file of a seeded shuffle); for each fold the networks are trained on the other
files with the starter model's settings (jazzgui.model.starter.starter_configs(), each kind
alike) and judged on the held-out files. (a) The reference file's whole guitar part (chords
from its accompaniment, read on the grid that fits it) is split by bars: a block of a fifth of
its bars is held out in turn. Five columns per fold, 10 takes each (seeds 0-9) over the
held-out files' own changes:

  (i)   an untrained network (the chord-blind kind, random initial weights) + the rules
  (ii)  the chord-blind network + the rules (the sampler before issue 9)
  (iii) the chord-blind network alone (--no-rules)
  (iv)  the new network alone (--no-rules)
  (v)   the new network + the rules

The rules are the sampler's strong-beat chord-tone bias, pitch-class prior, copy limit and
repetition penalty. Every column also gets the network's negative log-likelihood per value of
the held-out music (the fair measure of learning). Figures of the folds are averaged and
checked against the targets of issue 9.

Run: python bench/quality.py [--folds 2] [--seeds 10] [--epochs N] [--skip-reference-file]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from jazzgui.model.modelfile import JazzModel
from jazzgui.model.sampling import SamplerSettings
from jazzgui.model.scoring import nll_per_value
from jazzgui.model.starter import starter_configs
from jazzgui.model.takes import generate_take
from jazzgui.model.training import train
from jazzgui.music.corpus import Corpus, CorpusEntry, Vocabulary, build_corpus
from jazzgui.music.evaluate import CorpusProfile, Summary, format_table, summarize
from jazzgui.music.valueparts import value_parts

REPO = Path(__file__).resolve().parents[1]
REFERENCE_MIDI = REPO.parent / "shared" / "seed-data" / "original_metheny.mid"
BUILTIN = REPO / "data" / "solos"
REFERENCE_TRACK = "guitar"
TODAY_REFERENCE_VOCABULARY = 327  # the whole guitar part on the 1/12 grid, before issue 9
COLUMNS = (
    "(i) untrained+rules", "(ii) blind+rules", "(iii) blind alone", "(iv) new alone",
    "(v) new+rules",
)  # fmt: skip
KEYS = ("nll", "strong", "pitch_oa", "interval_oa", "duration_oa", "copy_max", "distinct")


def subcorpus(entries: list[CorpusEntry]) -> Corpus:
    return Corpus(entries, Vocabulary.from_bars(bar for e in entries for bar in e.bars))


def untrained(trained: JazzModel, seed: int) -> JazzModel:
    """The chord-blind network as initialised, with what the trained one carries for the rules
    (its corpus for the copy limit, pitch-class prior, primers)."""
    from jazzgui.model.network import build_network, get_weights

    network = build_network(len(trained.vocabulary), trained.config, seed=seed)
    weights = get_weights(network, len(trained.vocabulary), trained.config)
    return replace(trained, weights=weights, card={"name": "untrained"})


def takes(model: JazzModel, held: Corpus, seeds: int, rules: bool) -> list:
    progressions = [e.sheet.progression for e in held.ok_entries]
    return [
        generate_take(
            model,
            progressions[seed % len(progressions)],
            SamplerSettings(seed=seed, rules=rules),
            band=False,
        )
        for seed in range(seeds)
    ]


def figures(summary: Summary, nll: float) -> dict[str, float]:
    return {
        "nll": nll,
        "strong": 100 * summary.strong_beat_chord_tones,
        "pitch_oa": summary.pitch_oa,
        "interval_oa": summary.interval_oa,
        "duration_oa": summary.duration_oa,
        "copy_max": summary.copy_max,
        "distinct": summary.distinct if summary.distinct is not None else math.nan,
    }


def run_fold(
    label: str, train_corpus: Corpus, held: Corpus, configs: tuple, seeds: int
) -> dict[str, dict[str, float]]:
    """Train both kinds on `train_corpus`, judge the five columns on `held`."""
    model_config, train_config = configs
    print(
        f"\n--- {label}: train {len(train_corpus.ok_entries)} files/parts, "
        f"{train_corpus.bar_count} bars, {train_corpus.token_count} values; held out "
        f"{len(held.ok_entries)}, {held.bar_count} bars, {held.token_count} values"
    )
    models: dict[str, JazzModel] = {}
    for kind in ("reference", "new"):
        started = time.perf_counter()
        result = train(train_corpus, replace(model_config, kind=kind), train_config)
        per_epoch = [e.seconds for e in result.history[1:]] or [result.history[0].seconds]
        print(
            f"  {kind:9s}: {len(result.history)} epochs ({result.reason}, kept "
            f"{result.best_epoch}) in {time.perf_counter() - started:.1f} s, "
            f"{np.median(per_epoch):.2f} s/epoch (median after the first), "
            f"{result.model.parameter_count:,} parameters, vocabulary "
            f"{len(result.model.vocabulary)}"
        )
        EPOCH_SECONDS.setdefault(kind, []).extend(per_epoch)
        models[kind] = result.model
    models["untrained"] = untrained(models["reference"], train_config.seed)
    profile = CorpusProfile.from_corpus(held)
    plan = [
        ("untrained", True), ("reference", True), ("reference", False), ("new", False),
        ("new", True),
    ]  # fmt: skip
    nll = {name: nll_per_value(model, held.ok_entries) for name, model in models.items()}
    summaries: dict[str, Summary] = {"held-out corpus": profile.own}
    result: dict[str, dict[str, float]] = {"held-out corpus": figures(profile.own, math.nan)}
    for column, (name, rules) in zip(COLUMNS, plan):
        summary = summarize(takes(models[name], held, seeds, rules), profile)
        summaries[column] = summary
        result[column] = figures(summary, nll[name])
    print(format_table(summaries))
    print("  NLL per value of the held-out values (nats): " + ", ".join(
        f"{name} {value:.3f}" for name, value in nll.items()))  # fmt: skip
    return result


EPOCH_SECONDS: dict[str, list[float]] = {}


def mean_table(folds: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    columns = folds[0].keys()
    return {
        c: {k: float(np.nanmean([f[c][k] for f in folds])) if any(
            not math.isnan(f[c][k]) for f in folds) else math.nan for k in KEYS}
        for c in columns
    }  # fmt: skip


def print_means(title: str, means: dict[str, dict[str, float]]) -> None:
    print(f"\n{title} (mean of the folds)")
    header = f"{'':22s}" + "".join(f"{k:>12s}" for k in KEYS)
    print(header)
    for column, values in means.items():
        cells = "".join(f"{'-':>12s}" if math.isnan(v) else f"{v:12.3f}" for v in values.values())
        print(f"{column:22s}{cells}")


def check(text: str, met: bool, detail: str) -> bool:
    print(f"  [{'pass' if met else 'FAIL'}] {text}: {detail}")
    return met


def builtin_targets(means: dict[str, dict[str, float]]) -> None:
    own, blind, bare, alone = (
        means["held-out corpus"], means[COLUMNS[1]], means[COLUMNS[0]], means[COLUMNS[3]],
    )  # fmt: skip
    print("\ntargets, built-in corpus (held-out files):")
    check("NLL of the new network >= 15% below the chord-blind one's",
          alone["nll"] <= 0.85 * blind["nll"],
          f"{alone['nll']:.3f} vs {blind['nll']:.3f} "
          f"({100 * (1 - alone['nll'] / blind['nll']):.1f}% lower)")  # fmt: skip
    gap = abs(alone["strong"] - own["strong"])
    check("rules off: chord tones on strong beats within 5 points of the held-out corpus",
          gap <= 5,
          f"{alone['strong']:.1f}% vs {own['strong']:.1f}% ({gap:.1f} points)")  # fmt: skip
    for key, floor in (("pitch_oa", 0.90), ("interval_oa", 0.88), ("duration_oa", 0.93)):
        check(f"rules off: {key} >= {floor} and >= the chord-blind network with rules",
              alone[key] >= floor and alone[key] >= blind[key],
              f"{alone[key]:.3f} (blind + rules {blind[key]:.3f})")  # fmt: skip
    check("(iv) clearly ahead of (i): lower NLL and higher pitch|chord OA",
          alone["nll"] < bare["nll"] and alone["pitch_oa"] > bare["pitch_oa"],
          f"NLL {alone['nll']:.3f} vs {bare['nll']:.3f}, pitch OA {alone['pitch_oa']:.3f} vs "
          f"{bare['pitch_oa']:.3f}")  # fmt: skip


def reference_targets(means: dict[str, dict[str, float]], vocabulary: list[str]) -> None:
    own, alone = means["held-out corpus"], means[COLUMNS[3]]
    kinds, durations, intervals = value_parts(vocabulary).sizes
    heads = kinds + durations + intervals
    print("\ntargets, reference file's whole guitar part (held-out bars):")
    gap = abs(alone["strong"] - own["strong"])
    check("rules off: chord tones on strong beats within 10 points of the held-out bars",
          gap <= 10,
          f"{alone['strong']:.1f}% vs {own['strong']:.1f}% ({gap:.1f} points)")  # fmt: skip
    check(f"effective vocabulary at most a quarter of {TODAY_REFERENCE_VOCABULARY}",
          heads <= TODAY_REFERENCE_VOCABULARY / 4,
          f"{heads} head outputs ({kinds} types + {durations} durations + {intervals} "
          f"intervals); {len(vocabulary)} whole values occur")  # fmt: skip


def builtin_folds(folds: int, configs: tuple, seeds: int) -> None:
    corpus = build_corpus([BUILTIN], snap=True)
    entries = corpus.ok_entries
    order = np.random.default_rng(0).permutation(len(entries))
    results = []
    for fold in range(folds):
        held = [entries[i] for i in sorted(order[fold::folds])]
        rest = [entries[i] for i in sorted(set(order) - set(order[fold::folds]))]
        names = ", ".join(e.path.stem for e in held)
        results.append(
            run_fold(
                f"fold {fold + 1}/{folds}, held out: {names}",
                subcorpus(rest),
                subcorpus(held),
                configs,
                seeds,
            )
        )
    means = mean_table(results)
    print_means("(b) built-in corpus, held-out files", means)
    builtin_targets(means)


def reference_folds(folds: int, configs: tuple, seeds: int) -> None:
    whole = build_corpus([REFERENCE_MIDI], track=REFERENCE_TRACK, snap=True)
    entry = whole.ok_entries[0]
    bars = len(entry.bars)
    report = entry.snap
    print(
        f"\n=== (a) reference file, whole {REFERENCE_TRACK} part: {bars} bars, chords from "
        f"{entry.sheet.chord_source}; rhythm grid {report.grid}, {100 * report.kept_share:.1f}% "
        f"of {report.notes} notes kept exactly; {len(whole.vocabulary)} values "
        f"(today {TODAY_REFERENCE_VOCABULARY} on the 1/12 grid)"
    )
    block = max(1, bars // 5)
    results = []
    for fold in range(folds):
        first = 1 + fold * (bars - block) // max(folds - 1, 1)
        last = first + block - 1
        parts = [(1, first - 1), (last + 1, bars)]
        train_entries = [
            e
            for a, b in parts
            if b >= a
            for e in build_corpus(
                [REFERENCE_MIDI], track=REFERENCE_TRACK, bars=(a, b), snap=True
            ).ok_entries
        ]
        held = build_corpus([REFERENCE_MIDI], track=REFERENCE_TRACK, bars=(first, last), snap=True)
        results.append(
            run_fold(
                f"fold {fold + 1}/{folds}, held out bars {first}-{last}",
                subcorpus(train_entries),
                subcorpus(held.ok_entries),
                configs,
                seeds,
            )
        )
    means = mean_table(results)
    print_means("(a) reference file, held-out bars", means)
    reference_targets(means, whole.vocabulary.to_list())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    model_config, train_config = starter_configs()
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=train_config.epochs)
    parser.add_argument(
        "--val", type=float, default=0.2,
        help="validation share of the training bars for early stopping (0.2: the blocks of a "
        "tenth are shorter than a window once a fold has half the files)",
    )  # fmt: skip
    parser.add_argument("--skip-reference-file", action="store_true")
    parser.add_argument("--skip-builtin", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow loads in train()
    configs = (model_config, replace(train_config, epochs=args.epochs, val_fraction=args.val))
    print(
        f"networks: LSTM({model_config.n_a}), dropout {model_config.dropout:g}, Tx "
        f"{model_config.tx}; up to {args.epochs} epochs, validation {args.val:g}"
        f" of the training bars, early stopping after {train_config.early_stopping_patience}"
        f"; {args.folds} folds, {args.seeds} takes per column"
    )
    if not args.skip_builtin:
        print("\n=== (b) built-in corpus data/solos/, split by file ===")
        builtin_folds(args.folds, configs, args.seeds)
    if not args.skip_reference_file:
        if not REFERENCE_MIDI.exists():
            print(f"{REFERENCE_MIDI} is missing: the repository must sit beside ../shared")
            return 2
        reference_folds(args.folds, configs, args.seeds)
    print("\ntraining time per epoch (median over all folds, first epochs left out):")
    for kind, seconds in EPOCH_SECONDS.items():
        print(f"  {kind}: {np.median(seconds):.3f} s")
    if {"new", "reference"} <= EPOCH_SECONDS.keys():
        ratio = np.median(EPOCH_SECONDS["new"]) / np.median(EPOCH_SECONDS["reference"])
        check("new kind's epoch within 1.5x of the chord-blind one's", ratio <= 1.5,
              f"{ratio:.2f}x")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
