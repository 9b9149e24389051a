"""`jazzgui corpus`: read solo files as the model will see them and report on each and on all."""

from __future__ import annotations

import argparse
from pathlib import Path

from jazzgui.cli._args import add_selection_arguments
from jazzgui.errors import JazzGUIError
from jazzgui.music.corpus import CorpusEntry, Vocabulary, build_corpus, expand_paths
from jazzgui.music.corpus_reader import ReadStats
from jazzgui.music.leadsheet import CHORD_SOURCES, list_tracks
from jazzgui.music.selection import parse_track
from jazzgui.music.wording import plural


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "corpus",
        help="read solo files and report what the model would learn from each",
        description=(
            "Read MIDI (.mid, .midi) and MusicXML (.xml, .mxl, .musicxml) files, or folders of "
            "them, as lead sheets and value tokens. For each file: the melody track picked and "
            "why, bars, notes, chords and where they came from, key, tempo, tokens, vocabulary "
            "size and parse time; one line for a file that cannot be used; then a summary."
        ),
    )
    parser.add_argument("paths", nargs="+", metavar="FILE_OR_FOLDER", help="solo files, folders")
    add_selection_arguments(parser)
    parser.add_argument(
        "--chords",
        choices=CHORD_SOURCES,
        default="auto",
        help="where chords come from (default auto: symbols, else accompaniment, else melody)",
    )
    parser.add_argument(
        "--show-chords", action="store_true", help="print each file's chords, bar by bar"
    )
    parser.add_argument(
        "--list-tracks",
        action="store_true",
        help="also list each file's tracks with their solo scores in the bars read",
    )
    parser.set_defaults(func=run)


def _report(entry: CorpusEntry, show_chords: bool) -> None:
    sheet = entry.sheet
    if entry.error is not None or sheet is None:
        print(f"FAILED {entry.error}")
        return
    chords = sum(len(bar) for bar in sheet.progression.bars)
    vocabulary = len(Vocabulary.from_bars(entry.bars))
    print(entry.path)
    print(f"  melody  {sheet.track_reason}")
    print(
        f"  bars    {sheet.first_bar}-{sheet.last_bar} ({sheet.bars} bars of {sheet.meter}), "
        f"{sheet.note_count} notes"
    )
    print(f"  chords  {chords} ({sheet.chord_source}: {sheet.notes.get('chords', '')})")
    print(f"  key     {sheet.key or 'unknown'} ({sheet.key_source}), tempo {sheet.tempo_bpm:g} BPM")
    print(f"  tokens  {entry.token_count}, vocabulary {vocabulary}, read in {entry.seconds:.2f} s")
    if "warnings" in sheet.notes:
        print(f"  warning {sheet.notes['warnings']}")
    if show_chords:
        print(f"  changes {sheet.progression.to_text()}")


def _print_tracks(path: Path, bars: tuple[int, int] | None) -> None:
    try:
        tracks = list_tracks(path, bars)
    except JazzGUIError:
        return  # the report line for this file says what is wrong
    for track in tracks:
        channel = "-" if track.channel is None else str(track.channel)
        print(
            f"  track {track.index:>2} {track.name[:24]:<24} ch {channel:>2} "
            f"{track.notes:>5} notes  score {track.score:>5.1f}  {track.reason}"
        )


def run(args: argparse.Namespace) -> int:
    paths = expand_paths(args.paths)
    if not paths:
        print("jazzgui corpus: no .mid, .midi, .xml, .mxl or .musicxml files were found there")
        return 2
    ready: dict[Path, CorpusEntry] = {}
    printed = 0

    def report_in_order(entry: CorpusEntry) -> None:
        # Files finish in any order across the reading processes; print them in path order.
        nonlocal printed
        ready[entry.path] = entry
        while printed < len(paths) and paths[printed] in ready:
            _report(ready[paths[printed]], args.show_chords)
            if args.list_tracks:
                _print_tracks(paths[printed], args.bars)
            printed += 1

    stats = ReadStats()
    corpus = build_corpus(
        paths, track=parse_track(args.track), bars=args.bars, on_entry=report_in_order,
        chords=args.chords, chord_track=parse_track(args.chord_track), workers=args.jobs,
        use_cache=not args.no_cache, stats=stats,
    )  # fmt: skip
    ok = corpus.ok_entries
    failed = len(corpus.entries) - len(ok)
    print(
        f"Corpus: {plural(len(ok), 'file')} read, {failed} failed; "
        f"{plural(corpus.bar_count, 'bar')}, {plural(corpus.token_count, 'token')}, "
        f"vocabulary {len(corpus.vocabulary)}; {stats.describe()}"
    )
    return 0 if ok else 2
