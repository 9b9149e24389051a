"""`jazzgui ports`: list MIDI outputs with the default pick and why; `--test` plays a note."""

from __future__ import annotations

import argparse

from jazzgui.errors import PortError
from jazzgui.music.events import SOLO_CHANNEL, NoteEvent
from jazzgui.playback import ports
from jazzgui.playback.player import Player

# A rising C major arpeggio on the solo channel: short, and clearly pitched.
_TEST_NOTES = [NoteEvent(i * 0.5, 0.5, p, 96, SOLO_CHANNEL) for i, p in enumerate((60, 64, 67, 72))]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ports",
        help="list MIDI outputs and the default pick, or play a test note",
        description=(
            "List the MIDI outputs mido sees (backend from MIDO_BACKEND, or --backend), which "
            "one JazzGUI picks by default and why. --test plays a short arpeggio on an output."
        ),
    )
    parser.add_argument(
        "--backend",
        help="mido backend, e.g. mido.backends.rtmidi/UNIX_JACK (default: MIDO_BACKEND or rtmidi)",
    )
    parser.add_argument(
        "--jack", action="store_true", help=f"shortcut for --backend {ports.JACK_BACKEND}"
    )
    parser.add_argument(
        "--test",
        nargs="?",
        const="",
        metavar="NAME",
        help="play a test arpeggio on output NAME (the default pick when NAME is left out)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    backend = ports.JACK_BACKEND if args.jack else args.backend
    shown_backend = backend or ports.backend_name()
    names = ports.list_output_names(backend)
    default, why = ports.default_output_name(names)
    if args.test is None:
        print(f"MIDI outputs ({shown_backend}):")
        for name in names:
            print(f"  {'*' if name == default else ' '} {name}")
        if not names:
            print("  (none)")
        print(f"Default: {why}" if default else f"No default: {why}")
        virtual = "yes" if ports.virtual_ports_supported(backend) else "no (use loopMIDI)"
        print(f"Virtual output {ports.VIRTUAL_PORT_NAME!r} possible: {virtual}")
        return 0
    target = args.test or default
    if not target:
        raise PortError(f"There is no output to test: {why}")
    port = ports.open_output(target, backend)
    errors: list[BaseException] = []
    player = Player(port, on_error=errors.append)
    try:
        player.play(_TEST_NOTES, tempo_bpm=120, humanize=0)
        if not player.wait(10):
            raise PortError(f"The test on {target!r} did not finish within 10 s.")
    finally:
        player.close()
        ports.close_output(port)
    if errors:
        raise PortError(str(errors[0]))
    print(f"Played a C major arpeggio on {target!r}. If you heard nothing, check the synth.")
    return 0
