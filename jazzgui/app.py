"""Application entry: `jazzgui` opens the window (with any files given, as the desktop entry
passes them), `jazzgui SUBCOMMAND` runs the headless command line."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    from jazzgui.cli import is_command, start_up_problem

    if args and is_command(args[0]):
        from jazzgui.cli import main as cli_main

        return cli_main(args)
    problem = start_up_problem(args)
    if problem is not None:  # checked before Qt loads, so it holds without a display too
        sys.stderr.write(problem + "\n")
        return 2
    from jazzgui.ui.main_window import run_app

    return run_app(paths=args)
