"""`jazzgui evaluate`: musical measures of takes or of a model's takes against a corpus."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from jazzgui import limits
from jazzgui.cli._args import add_selection_arguments, describe_vocabulary, read_corpus
from jazzgui.errors import InputFileError
from jazzgui.model.modelfile import SUFFIX as _MODEL_SUFFIX
from jazzgui.music.corpus import Corpus
from jazzgui.music.defaults import MIDI_SUFFIXES
from jazzgui.music.evaluate import CorpusProfile, Summary, format_table, summarize
from jazzgui.music.events import Take
from jazzgui.music.midifile import read_take_midi
from jazzgui.music.progression import Progression, form_progression, parse_progression
from jazzgui.music.wording import plural

if TYPE_CHECKING:
    from jazzgui.model.modelfile import JazzModel

_TAKE_SUFFIXES = MIDI_SUFFIXES


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="measure takes, or a model's takes, against a corpus",
        description=(
            "Measure solos against a corpus: chord tones on strong beats, pitch-class, "
            "interval and duration distributions (overlapping area and Jensen-Shannon "
            "distance), the longest same-pitch run, the longest token sequence copied "
            "verbatim from the corpus, notes sounding at once, and distinct takes. A .mid "
            "take is measured as it is; a .jazzmodel generates one take per seed. The "
            "corpus column compares the first and second halves of the corpus's bars. For each "
            "model, its mean negative log-likelihood per value (nats) of the corpus's own "
            "values is printed too."
        ),
    )
    parser.add_argument(
        "inputs", nargs="+", metavar="TAKE_OR_MODEL", help=".mid takes and/or .jazzmodel files"
    )
    parser.add_argument(
        "--corpus", nargs="+", required=True, metavar="FILE_OR_FOLDER",
        help="the corpus to compare with (MIDI or MusicXML files, folders)",
    )  # fmt: skip
    add_selection_arguments(parser, what="corpus ")
    parser.add_argument(
        "--seeds", type=limits.TAKES.argument_type(), default=10, metavar="N",
        help="takes per model, seeds 0..N-1 (default 10)",
    )  # fmt: skip
    changes = parser.add_mutually_exclusive_group()
    changes.add_argument("--form", help="generate over a built-in form (see `jazzgui generate`)")
    changes.add_argument("--progression", metavar="TEXT", help="generate over these changes")
    parser.add_argument(
        "--choruses",
        type=limits.CHORUSES.argument_type(),
        default=1,
        help="choruses per generated take (default 1)",
    )
    parser.add_argument(
        "--temperature",
        type=limits.TEMPERATURE.argument_type(),
        default=1.0,
        help="sampling temperature (default 1.0)",
    )
    parser.add_argument(
        "--reference",
        action="store_true",
        help="also measure each model with the reference method (argmax from zeros)",
    )
    parser.add_argument(
        "--no-rules", action="store_true",
        help="generate from the network alone (no chord-tone bias, pitch prior, copy limit)",
    )  # fmt: skip
    parser.add_argument(
        "--per-take", action="store_true", help="also print every take's own measures"
    )
    parser.add_argument(
        "--json", action="store_true",
        help="print only one JSON object: for the corpus and each model or take (by file stem) "
        f"{', '.join(JSON_KEYS)}",
    )  # fmt: skip
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    inputs = [Path(p) for p in args.inputs]
    for path in inputs:
        if path.suffix.lower() not in (*_TAKE_SUFFIXES, _MODEL_SUFFIX):
            raise InputFileError(
                path,
                f"{path.suffix or 'a file without suffix'} is neither a take nor a model",
                "Give .mid takes (from `jazzgui generate`) or .jazzmodel files",
            )
    # With --json, stdout holds the JSON object alone: every other line goes to stderr.
    with contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext():
        columns, nll, take_labels = _measure(inputs, args)
    if args.json:
        print(json.dumps(_json_columns(columns, nll), indent=1))
        return 0
    print(format_table(columns))
    if nll:
        print("\nnegative log-likelihood per value of the corpus's values (nats):")
        for name, value in nll.items():
            print(f"  {name}: {value:.4f}")
    if args.per_take:
        for name, summary in columns.items():
            if summary.per_take:
                print(f"\n{name}, take by take:")
                print(format_table(dict(zip(take_labels[name], summary.per_take))))
    return 0


def _measure(
    inputs: list[Path], args: argparse.Namespace
) -> tuple[dict[str, Summary], dict[str, float], dict[str, list[str]]]:
    """The columns of measures, each model's NLL per value, and the labels of their takes."""
    from jazzgui.model.modelfile import load_model
    from jazzgui.model.scoring import nll_per_value

    corpus = read_corpus(args.corpus, args, verbose=False, snap=True)
    profile = CorpusProfile.from_corpus(corpus)
    print(
        f"corpus: {plural(profile.files, 'file')}, {plural(corpus.bar_count, 'bar')}, "
        f"{plural(profile.notes, 'note')}, {plural(corpus.token_count, 'token')}, "
        f"vocabulary {len(corpus.vocabulary)}"
    )
    print(describe_vocabulary(corpus))
    columns: dict[str, Summary] = {"corpus": profile.own}
    nll: dict[str, float] = {}
    take_labels: dict[str, list[str]] = {}
    take_paths = [p for p in inputs if p.suffix.lower() in _TAKE_SUFFIXES]
    if take_paths:
        changes = _given_progression(args)
        takes = [_read_take(p, changes) for p in take_paths]
        if args.json:  # a column per take, named by its file
            for path, take in zip(take_paths, takes):
                columns[path.stem] = summarize([take], profile)
        else:
            name = take_paths[0].name if len(takes) == 1 else f"{len(takes)} takes"
            columns[name] = summarize(takes, profile)
            take_labels[name] = [p.name for p in take_paths]
    for path in (p for p in inputs if p.suffix.lower() == _MODEL_SUFFIX):
        model = load_model(path)
        progressions = _progressions(args, corpus)
        modes = ["sample", "reference"] if args.reference else ["sample"]
        for mode in modes:
            generated = _generate(model, progressions, args, mode)
            label = path.stem if mode == "sample" else f"{path.stem} (reference)"
            columns[label] = summarize(generated, profile)
            take_labels[label] = [f"seed {seed}" for seed in range(args.seeds)]
        nll[path.stem] = nll_per_value(model, corpus.ok_entries)
    return columns, nll, take_labels


JSON_KEYS = (
    "nll_per_note", "chord_tones_strong_beats", "pitch_oa", "interval_oa", "duration_oa",
    "longest_copy_max", "distinct_takes",
)  # fmt: skip


def _json_columns(
    columns: dict[str, Summary], nll: dict[str, float]
) -> dict[str, dict[str, float | int | None]]:
    """Each column's measures under the JSON keys (null where a measure does not apply)."""

    def number(value: float | None) -> float | None:
        return None if value is None or math.isnan(value) else float(value)

    result = {}
    for name, summary in columns.items():
        share = number(summary.strong_beat_chord_tones)
        values = (
            number(nll.get(name)),
            None if share is None else 100.0 * share,
            number(summary.pitch_oa),
            number(summary.interval_oa),
            number(summary.duration_oa),
            summary.copy_max,
            summary.distinct,
        )
        result[name] = dict(zip(JSON_KEYS, values))
    return result


def _read_take(path: Path, changes: Progression | None) -> Take:
    """A take with its changes: its own, or the given ones for a MIDI file without them."""
    take = read_take_midi(path)
    if not take.progression_text.strip():
        if changes is None:
            raise InputFileError(
                path,
                "the take does not say which chord changes it was played over",
                "Give them with --progression TEXT or --form NAME",
            )
        take.progression_text = changes.to_text()
        take.beats_per_bar = changes.beats_per_bar
    return take


def _given_progression(args: argparse.Namespace) -> Progression | None:
    if args.form:
        return form_progression(args.form)
    if args.progression:
        progression = parse_progression(args.progression)
        progression.require_one_meter("jazzgui evaluate")
        return progression
    return None


def _progressions(args: argparse.Namespace, corpus: Corpus) -> list[Progression]:
    """The changes to generate over: given ones, or each corpus file's own in turn."""
    given = _given_progression(args)
    if given is not None:
        return [given]
    return [e.sheet.progression for e in corpus.ok_entries]


def _generate(
    model: JazzModel, progressions: list[Progression], args: argparse.Namespace, mode: str
) -> list[Take]:
    from jazzgui.model.sampling import SamplerSettings, rule_warnings
    from jazzgui.model.takes import generate_take

    for warning in rule_warnings(model, SamplerSettings(mode=mode, rules=not args.no_rules)):
        print(f"jazzgui evaluate: warning: {warning}", file=sys.stderr)
    takes = []
    for seed in range(args.seeds):
        settings = SamplerSettings(
            temperature=args.temperature, seed=seed, mode=mode, rules=not args.no_rules
        )
        progression = progressions[seed % len(progressions)]
        takes.append(
            generate_take(model, progression, settings, choruses=args.choruses, band=False)
        )
    return takes
