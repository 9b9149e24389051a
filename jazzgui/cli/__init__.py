"""The headless command line: corpus / train / generate / evaluate / ports / trade.

Each subcommand lives in its own module with `register(subparsers)` that adds its parser and
sets `func` to a `run(args) -> int`. Errors a person can cause print one clear line, never a
traceback.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from jazzgui import __version__
from jazzgui.errors import JazzGUIError

# Subcommand modules, in the order `--help` lists them.
_COMMANDS: tuple[str, ...] = ("corpus", "train", "generate", "evaluate", "ports", "trade")


def is_command(word: str) -> bool:
    """Whether a first argument asks for the command line rather than the window."""
    return word in _COMMANDS or word.startswith("-")


def start_up_problem(words: Sequence[str]) -> str | None:
    """Why `jazzgui WORDS` (no command) cannot open the window with them, or None if it can.

    Each word must be an existing file or folder; a word that is neither (a typo of a command,
    a missing file) is an error naming the commands, with the closest one suggested.
    """
    for word in words:
        if Path(word).exists():
            continue
        close = difflib.get_close_matches(word, _COMMANDS, n=1, cutoff=0.6)
        hint = f" Did you mean `jazzgui {close[0]}`?" if close else ""
        return (
            f"jazzgui: {word!r} is neither a command nor an existing file.{hint} "
            f"Commands: {', '.join(_COMMANDS)} (`jazzgui COMMAND --help` for each); "
            "files given without a command open in the window."
        )
    return None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jazzgui",
        description="JazzGUI: learn a jazz soloist's style and improvise solos over changes.",
    )
    parser.add_argument("--version", action="version", version=f"jazzgui {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMANDS:
        importlib.import_module(f"jazzgui.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    words = sys.argv[1:] if argv is None else argv
    for word in words:
        name, equals, value = word.partition("=")
        if word.startswith("-") and equals and value == "--":
            # argparse drops a "--" given as `--option=--` and hands on an empty list.
            parser.error(f"argument {name}: expected one value, not '--'")
    args = parser.parse_args(words)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except JazzGUIError as error:
        print(f"jazzgui {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"jazzgui {args.command}: interrupted", file=sys.stderr)
        return 130
