"""`python -m jazzgui` opens the window; `python -m jazzgui SUBCOMMAND` runs the headless CLI."""

import sys


def _main() -> int:
    if len(sys.argv) > 1:
        from jazzgui.cli import main as cli_main

        return cli_main(sys.argv[1:])
    from jazzgui.app import main as app_main

    return app_main()


if __name__ == "__main__":
    sys.exit(_main())
