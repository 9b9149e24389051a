"""Argument types and corpus options shared by the subcommands that read solo files."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from jazzgui import limits
from jazzgui.errors import InputFileError
from jazzgui.music import defaults
from jazzgui.music.corpus import Corpus, Vocabulary, build_corpus
from jazzgui.music.corpus_reader import ReadStats
from jazzgui.music.meter import COMMON_METERS, parse_meter
from jazzgui.music.progression import FORMS, Progression, form_progression, parse_progression
from jazzgui.music.selection import BarRangeError, parse_bar_range, parse_track
from jazzgui.music.wording import plural


def bar_range(text: str) -> tuple[int, int]:
    """`A-B` (or a single bar `A`) as a pair of 1-based bar numbers."""
    try:
        bars = parse_bar_range(text)
    except BarRangeError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if bars is None:
        raise argparse.ArgumentTypeError("the bar range is empty: write A-B, like 120-137")
    return bars


def add_selection_arguments(parser: argparse.ArgumentParser, what: str = "") -> None:
    """--track, --chord-track and --bars: which part of each file is the solo and its chords."""
    parser.add_argument(
        "--track", help=f"{what}melody track: index or name (default: picked per file)"
    )
    parser.add_argument(
        "--chord-track", metavar="TRACK", help="infer chords from this track only (index or name)"
    )
    parser.add_argument(
        "--bars", type=bar_range, metavar="A-B", help=f"{what}bars A to B (1-based, inclusive)"
    )
    parser.add_argument(
        "--jobs", type=limits.JOBS.argument_type(), metavar="N",
        help="read files in N processes (default: one per core)",
    )  # fmt: skip
    parser.add_argument(
        "--no-cache", action="store_true",
        help="read every file anew, ignoring and not filling the corpus cache "
        "(JAZZGUI_CACHE_DIR, default the user's cache folder)",
    )  # fmt: skip


def read_corpus(
    paths: Sequence[str],
    args: argparse.Namespace,
    vocabulary: Vocabulary | None = None,
    verbose: bool = True,
    snap: bool = False,
) -> Corpus:
    """The corpus of the selection options (unquantized files snapped to their grid with
    `snap`); prints what was read; a corpus with no usable file is an InputFileError."""
    stats = ReadStats()
    corpus = build_corpus(
        paths, track=parse_track(args.track), bars=args.bars, vocabulary=vocabulary,
        chord_track=parse_track(args.chord_track), snap=snap, workers=args.jobs,
        use_cache=not args.no_cache, stats=stats,
    )  # fmt: skip
    for entry in corpus.entries:
        if not entry.ok:
            print(f"skipped {entry.error}")
        elif verbose:
            sheet = entry.sheet
            source = (
                f", melody {sheet.melody_track}, chords from {sheet.chord_source}" if sheet else ""
            )
            counts = f"{plural(len(entry.bars), 'bar')}, {plural(entry.token_count, 'token')}"
            print(f"read {entry.path}: {counts}{source}")
        if entry.ok and entry.sheet and "warnings" in entry.sheet.notes:
            print(f"  warning {entry.sheet.notes['warnings']}")
    if verbose:
        print(f"read {stats.describe()}")
    if not corpus.ok_entries:
        raise InputFileError(
            Path(paths[0]),
            "no file could be read as a solo",
            "Give MIDI or MusicXML solos; `jazzgui corpus FILE` shows what each file holds",
        )
    return corpus


def describe_vocabulary(corpus: Corpus) -> str:
    """The grids unquantized files were snapped to, the share of notes kept exactly, and the
    effective vocabulary: whole values, and the parts the new kind's heads choose among."""
    from jazzgui.music.valueparts import value_parts

    reports = [e.snap for e in corpus.ok_entries if e.snap is not None]
    snapped = [r for r in reports if r.grid != "1/12"]
    notes = sum(r.notes for r in reports)
    kept = sum(r.kept for r in reports)
    grids = ", ".join(sorted({r.grid for r in snapped})) or "none needed"
    kinds, durations, intervals = value_parts(corpus.vocabulary.to_list()).sizes
    share = 100.0 * kept / notes if notes else 100.0
    return (
        f"rhythm: {len(snapped)} of {len(reports)} files unquantized, snapped to {grids}; "
        f"{share:.1f}% of {notes} notes kept exactly; effective vocabulary "
        f"{len(corpus.vocabulary)} values = {kinds} types x {durations} durations x "
        f"{intervals} intervals in combination ({kinds + durations + intervals} head outputs)"
    )


def add_changes_arguments(parser: argparse.ArgumentParser) -> None:
    """--progression or --form, and --meter: the changes a take or a session plays over."""
    changes = parser.add_mutually_exclusive_group()
    changes.add_argument(
        "--progression", metavar="TEXT", help="changes such as 'Dm7 G7 | Cmaj7 | Cmaj7 |'"
    )
    changes.add_argument("--form", choices=sorted(FORMS), help="a built-in form")
    parser.add_argument(
        "--meter", metavar="N/D", default=None,
        help=f"time signature: {', '.join(COMMON_METERS)}... (default 4/4, or the (3/4)-style "
        "marker at the head of --progression); forms are played bar for bar in it",
    )  # fmt: skip


def progression_from_args(args: argparse.Namespace) -> Progression:
    """The changes `add_changes_arguments` asked for (given but empty is an error)."""
    meter = parse_meter(args.meter, "meter (--meter)") if args.meter is not None else None
    if args.progression is not None:
        return parse_progression(args.progression, meter=meter)
    return form_progression(args.form or defaults.FORM, meter)
