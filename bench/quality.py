"""Quality benchmark: our sampler against the reference method, measured against the corpus.

Two corpora: (a) the reference file with the reference selection (the guitar solo, chords from
the piano, bars 120-137) and (b) the built-in corpus in data/solos/. On each, one model is
trained once ((a) the reference's shape and 100 epochs, (b) the starter model's settings,
jazzgui.model.starter.starter_configs()), then 10 takes come from our sampler (seeds 0-9) and 10
from the reference method (argmax from zeros, 50 tokens into each 4-beat slot) over the same
changes: the selection's own for (a), the corpus's forms in turn for (b). Every take is
measured with jazzgui.music.evaluate and the figures are printed side by side with the
corpus's own, then checked against the targets of issue 5.

Run: python bench/quality.py [--epochs-builtin N] [--seeds N]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from jazzgui.model.config import ModelConfig, TrainConfig
from jazzgui.model.sampling import SamplerSettings
from jazzgui.model.starter import starter_configs
from jazzgui.model.takes import generate_take
from jazzgui.model.training import train
from jazzgui.music.corpus import Corpus, build_corpus
from jazzgui.music.evaluate import CorpusProfile, Summary, format_table, summarize
from jazzgui.music.events import Take

REPO = Path(__file__).resolve().parents[1]
REFERENCE_MIDI = REPO.parent / "shared" / "seed-data" / "original_metheny.mid"
BUILTIN = REPO / "data" / "solos"
REFERENCE_BARS = (120, 137)
REFERENCE_TRACK = "guitar"
STRONG_BEAT_TOLERANCE = 0.10
MAX_COPY = 8


def generate(model, corpus: Corpus, seeds: int, mode: str) -> list[Take]:
    """One take per seed, over each corpus file's changes in turn."""
    progressions = [e.sheet.progression for e in corpus.ok_entries]
    takes = []
    for seed in range(seeds):
        settings = SamplerSettings(seed=seed, mode=mode)
        progression = progressions[seed % len(progressions)]
        takes.append(generate_take(model, progression, settings, band=False))
    return takes


def targets(
    own: Summary, ours: Summary, reference: Summary, seeds: int
) -> list[tuple[str, bool, str]]:
    """(target, met, figures) for each target of issue 5."""
    checks = []
    for name in ("pitch", "interval", "duration"):
        oa_ours, oa_ref = getattr(ours, f"{name}_oa"), getattr(reference, f"{name}_oa")
        jsd_ours, jsd_ref = getattr(ours, f"{name}_jsd"), getattr(reference, f"{name}_jsd")
        checks.append(
            (
                f"{name} distribution closer to the corpus than the reference's",
                oa_ours > oa_ref and jsd_ours < jsd_ref,
                f"OA {oa_ours:.3f} vs {oa_ref:.3f}, JSD {jsd_ours:.3f} vs {jsd_ref:.3f}",
            )
        )
    checks.append(
        (f"longest verbatim copy under {MAX_COPY} tokens", ours.copy_max < MAX_COPY,
         f"max {ours.copy_max}, mean {ours.copy:.1f}")
    )  # fmt: skip
    checks.append(
        (f"{seeds} of {seeds} seeds give distinct takes", ours.distinct == seeds,
         f"{ours.distinct} of {ours.takes}")
    )  # fmt: skip
    checks.append(("one note at a time", ours.polyphony == 1, f"max {ours.polyphony}"))
    gap = abs(ours.strong_beat_chord_tones - own.strong_beat_chord_tones)
    checks.append(
        (
            f"chord tones on strong beats within {100 * STRONG_BEAT_TOLERANCE:.0f} points",
            not math.isnan(gap) and gap <= STRONG_BEAT_TOLERANCE + 1e-12,
            f"{100 * ours.strong_beat_chord_tones:.1f}% vs corpus "
            f"{100 * own.strong_beat_chord_tones:.1f}% ({100 * gap:.1f} points)",
        )
    )
    return checks


def describe(model_config: ModelConfig, train_config: TrainConfig) -> str:
    """The settings a model is trained with, as they are used."""
    patience = train_config.early_stopping_patience
    return (
        f"LSTM({model_config.n_a}) x{model_config.layers}, dropout {model_config.dropout:g}, "
        f"Tx {model_config.tx}; up to {train_config.epochs} epochs, batch "
        f"{train_config.batch_size}, Adam lr {train_config.learning_rate:g} decay "
        f"{train_config.decay:g}, validation {train_config.val_fraction:g} of the bars, "
        + (f"early stopping after {patience} epochs without progress" if patience else
           "no early stopping")
        + f", seed {train_config.seed}"
    )  # fmt: skip


def bench(
    label: str,
    corpus: Corpus,
    model_config: ModelConfig,
    train_config: TrainConfig,
    seeds: int,
) -> bool:
    print(f"\n=== {label} ===")
    print(
        f"corpus: {len(corpus.ok_entries)} files, {corpus.bar_count} bars, "
        f"{corpus.token_count} tokens, vocabulary {len(corpus.vocabulary)}"
    )
    for entry in corpus.entries:
        if not entry.ok:
            print(f"  skipped {entry.error}")
    if len(corpus.ok_entries) == 1:
        sheet = corpus.ok_entries[0].sheet
        print(f"selection: melody {sheet.melody_track}, chords from {sheet.chord_source}")
    print(f"training: {describe(model_config, train_config)}")
    started = time.perf_counter()
    result = train(corpus, model_config, train_config)
    kept = result.history[result.best_epoch - 1]
    val = "-" if kept.val_loss is None else f"{kept.val_loss:.3f}"
    print(
        f"trained once: {len(result.history)} epochs ({result.reason}) in "
        f"{time.perf_counter() - started:.1f} s, {result.model.parameter_count:,} parameters; "
        f"weights of epoch {result.best_epoch}: loss {kept.loss:.3f}/token, val {val}/token"
    )
    profile = CorpusProfile.from_corpus(corpus)
    ours = summarize(generate(result.model, corpus, seeds, "sample"), profile)
    reference = summarize(generate(result.model, corpus, seeds, "reference"), profile)
    sampler = SamplerSettings()
    print(
        f"takes: {seeds} per method (seeds 0-{seeds - 1}); ours with SamplerSettings() defaults: "
        f"temperature {sampler.temperature:g}, top-p {sampler.top_p:g}, repetition penalty "
        f"{sampler.repetition_penalty:g}, strong-beat chord-tone bias "
        f"{sampler.strong_beat_chord_bias:g}, max copy {sampler.max_copy}\n"
    )
    print(format_table({"corpus": profile.own, "ours": ours, "reference": reference}))
    print("\ntargets (ours):")
    ok = True
    for text, met, figures in targets(profile.own, ours, reference, seeds):
        ok &= met
        print(f"  [{'pass' if met else 'FAIL'}] {text}: {figures}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    starter_model, starter_training = starter_configs()
    parser.add_argument("--epochs-reference", type=int, default=TrainConfig().epochs)
    parser.add_argument("--epochs-builtin", type=int, default=starter_training.epochs)
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow loads in train()
    if not REFERENCE_MIDI.exists():
        print(f"{REFERENCE_MIDI} is missing: the repository must sit beside ../shared")
        return 2
    reference_corpus = build_corpus([REFERENCE_MIDI], track=REFERENCE_TRACK, bars=REFERENCE_BARS)
    builtin_corpus = build_corpus([BUILTIN])
    results = [
        bench(
            f"(a) reference file, {REFERENCE_TRACK} track, bars "
            f"{REFERENCE_BARS[0]}-{REFERENCE_BARS[1]}",
            reference_corpus,
            ModelConfig(),
            TrainConfig(epochs=args.epochs_reference),
            args.seeds,
        ),
        bench(
            "(b) built-in corpus data/solos/, the starter model's settings",
            builtin_corpus,
            starter_model,
            replace(starter_training, epochs=args.epochs_builtin),
            args.seeds,
        ),
    ]
    print("\nall targets met" if all(results) else "\nsome targets not met (see FAIL above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
