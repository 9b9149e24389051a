"""The headless command line: corpus / train / generate / evaluate / ports / trade.

Each subcommand lives in its own module with `register(subparsers)` that adds its parser and
sets `func` to a `run(args) -> int`. Errors a person can cause print one clear line, never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from jazzgui import __version__
from jazzgui.errors import JazzGUIError

# Subcommand modules, in the order `--help` lists them.
_COMMANDS: tuple[str, ...] = ("corpus", "train", "generate", "evaluate", "ports", "trade")


def is_command(word: str) -> bool:
    """Whether a first argument asks for the command line rather than the window."""
    return word in _COMMANDS or word.startswith("-")


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
    args = parser.parse_args(argv)
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
