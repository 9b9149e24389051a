"""Application entry: `jazzgui` opens the window, `jazzgui SUBCOMMAND` runs the headless CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args:
        from jazzgui.cli import main as cli_main

        return cli_main(args)
    from jazzgui.ui.main_window import run_app

    return run_app()
