"""`python -m jazzgui` opens the window; `python -m jazzgui SUBCOMMAND` runs the headless CLI."""

import sys

from jazzgui.app import main

if __name__ == "__main__":
    sys.exit(main())
