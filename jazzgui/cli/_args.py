"""Argument types and corpus options shared by the subcommands that read solo files."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from jazzgui.errors import InputFileError
from jazzgui.music.corpus import Corpus, Vocabulary, build_corpus
from jazzgui.music.corpus_reader import ReadStats


def bar_range(text: str) -> tuple[int, int]:
    """`A-B` (or a single bar `A`) as a pair of 1-based bar numbers."""
    first, _, last = text.partition("-")
    try:
        bars = (int(first), int(last or first))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a bar range such as 120-137") from None
    if bars[0] < 1 or bars[1] < bars[0]:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a bar range: bars count from 1 and A must not exceed B"
        )
    return bars


def positive(text: str) -> int:
    """A whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("it must be at least 1")
    return value


def track_spec(text: str | None) -> int | str | None:
    """A track given as its index (digits) or a part of its name."""
    if text is None:
        return None
    return int(text) if text.strip().isdigit() else text


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
        "--jobs", type=positive, metavar="N",
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
) -> Corpus:
    """The corpus of the selection options; prints what was read; a corpus with no usable file
    is an InputFileError."""
    stats = ReadStats()
    corpus = build_corpus(
        paths, track=track_spec(args.track), bars=args.bars, vocabulary=vocabulary,
        chord_track=track_spec(args.chord_track), workers=args.jobs,
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
            print(f"read {entry.path}: {len(entry.bars)} bars, {entry.token_count} tokens{source}")
    if verbose:
        print(f"read {stats.describe()}")
    if not corpus.ok_entries:
        raise InputFileError(
            Path(paths[0]),
            "no file could be read as a solo",
            "Give MIDI or MusicXML solos; `jazzgui corpus FILE` shows what each file holds",
        )
    return corpus
