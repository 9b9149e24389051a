"""`jazzgui trade`: play along from a MIDI keyboard: trade bars or call-and-response, recorded."""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from dataclasses import replace

from jazzgui import limits
from jazzgui.cli._args import add_changes_arguments, progression_from_args
from jazzgui.errors import JazzGUIError, PortError
from jazzgui.files import check_output_path
from jazzgui.model.sampling import SamplerSettings
from jazzgui.model.trading import PhraseAnswerer
from jazzgui.music.events import SOLO_CHANNEL, YOU_CHANNEL, Provenance, Take
from jazzgui.music.midifile import write_take_midi
from jazzgui.music.progression import Progression
from jazzgui.playback.clock import MidiClock
from jazzgui.playback.midi_in import VIRTUAL_INPUT_NAME, match_port, open_input
from jazzgui.playback.play_along import (
    ANSWER,
    COUNT_IN,
    MODES,
    TRADE,
    TRADE_BARS,
    PlayAlong,
    PlayAlongSettings,
)
from jazzgui.playback.player import Player
from jazzgui.playback.ports import (
    JACK_BACKEND,
    close_output,
    default_output_name,
    list_output_names,
    open_output,
)

SWITCH_INTERVAL_S = 0.0005
_ROLE_WORDS = {COUNT_IN: "count-in", ANSWER: "JazzGUI answers", "you": "your turn"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "trade",
        help="play along from a MIDI keyboard: trade bars or call-and-response",
        description=(
            "The band plays the changes; you play on a MIDI keyboard and JazzGUI answers in the "
            "style of its model, primed with what you just played. --mode trade: you play "
            "--bars bars, JazzGUI the next, and so on; --mode call: JazzGUI answers whenever "
            "you pause, and you can cut in. Exits after the last chorus; --record writes the "
            "session (tracks You, Solo and the band) as a MIDI take."
        ),
    )
    parser.add_argument(
        "--input", required=True, metavar="PORT",
        help="your keyboard: part of an input's name (case-insensitive), or "
        f"'{VIRTUAL_INPUT_NAME}' for a virtual input to connect it to",
    )  # fmt: skip
    parser.add_argument(
        "--output", metavar="PORT",
        help="the synth: part of an output's name (default: the one `jazzgui ports` picks)",
    )  # fmt: skip
    parser.add_argument("--mode", choices=MODES, default=TRADE, help="trade (default) or call")
    parser.add_argument(
        "--bars", type=int, choices=TRADE_BARS, default=4, help="bars per turn (default 4)"
    )
    add_changes_arguments(parser)
    parser.add_argument(
        "--choruses", type=limits.CHORUSES.argument_type(), default=1,
        help="times through (default 1)",
    )  # fmt: skip
    parser.add_argument(
        "--tempo", type=limits.TEMPO.argument_type(), default=120.0,
        help=f"BPM, {limits.TEMPO.range_text()} (default 120)",
    )  # fmt: skip
    parser.add_argument("--model", metavar="MODEL", help="a .jazzmodel (default: starter model)")
    parser.add_argument(
        "--seed", type=limits.SEED.argument_type(), help="seed (default: a fresh one, printed)"
    )
    parser.add_argument(
        "--temperature", type=limits.TEMPERATURE.argument_type(), default=1.0,
        help="0 = likeliest (1.0)",
    )  # fmt: skip
    parser.add_argument("--record", metavar="TAKE.mid", help="write the session as a MIDI take")
    parser.add_argument("--clock", action="store_true", help="send MIDI clock, Start and Stop")
    parser.add_argument("--count-in", action="store_true", help="one bar of clicks first")
    parser.add_argument(
        "--silence", type=float, default=1.0, metavar="BEATS",
        help="call mode: the pause after which JazzGUI answers (default 1 beat)",
    )  # fmt: skip
    parser.add_argument(
        "--no-pass-through", action="store_true", help="do not play your notes on the output"
    )
    parser.add_argument("--jack", action="store_true", help=f"use JACK ({JACK_BACKEND})")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.record:
        check_output_path(args.record, "recording")  # before a note is played
    progression = progression_from_args(args)
    progression.require_one_meter("jazzgui trade")
    limits.check_take_length(args.choruses, len(progression))
    settings = PlayAlongSettings(
        mode=args.mode, bars=args.bars, tempo_bpm=args.tempo, count_in=args.count_in,
        pass_through=not args.no_pass_through, silence_beats=args.silence,
    )  # fmt: skip
    problems = settings.validate() + SamplerSettings(temperature=args.temperature).validate()
    if problems:
        raise JazzGUIError("Cannot play along: " + "; ".join(problems))
    # Threads that keep time (player, MIDI clock) must get the interpreter back at once when
    # they wake, not after another thread's 5 ms slice.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    backend = JACK_BACKEND if args.jack else None
    # Both ports are found before either is opened (an open port of ours would be listed
    # among the other kind), and before the model loads, so a mistake is told at once.
    output = _output_name(args.output, backend)
    midi_input = open_input(args.input, backend=backend)
    try:
        port = open_output(output, backend)
    except JazzGUIError:
        midi_input.close()
        raise
    player = Player(port)
    session: PlayAlong | None = None
    interrupted = False
    try:
        session = _session(args, progression, settings, player)
        midi_input.handler = session.person_message
        print(_announce(session, midi_input.name, output), flush=True)
        session.start()
        while not session.wait(0.2):
            pass
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if session is not None:
            session.stop()
        midi_input.close()
        player.close()
        close_output(port)
    if session is not None:
        _report(session, args.record)
    return 130 if interrupted else 0


def _session(
    args: argparse.Namespace, progression: Progression, settings: PlayAlongSettings, player: Player
) -> PlayAlong:
    """The model and its answerer, and the session on the player (the band seeded alike)."""
    from jazzgui.cli.generate import _model

    model = _model(args.model)
    changes = progression.repeated(args.choruses)
    answerer = PhraseAnswerer(
        model, changes, SamplerSettings(temperature=args.temperature), seed=args.seed
    )
    session = PlayAlong(
        player, changes, answerer, replace(settings, band_seed=answerer.seed),
        midi_clock=MidiClock(player.send) if args.clock else None,
        provenance=_provenance(model.name, answerer, progression, args),
    )  # fmt: skip
    session.on_bar = _bar_printer()
    return session


def _output_name(pattern: str | None, backend: str | None) -> str:
    names = list_output_names(backend)
    if pattern:
        return match_port(pattern, names, "output")
    picked, why = default_output_name(names)
    if picked is None:
        raise PortError(f"Cannot play along: {why}")
    return picked


def _provenance(
    model: str, answerer: PhraseAnswerer, progression: Progression, args: argparse.Namespace
) -> Provenance:
    return Provenance(
        model=model,
        seed=answerer.seed,
        temperature=args.temperature,
        progression=progression.text.strip() or progression.to_text(),
        extra={"choruses": str(args.choruses)},
    )


def _announce(session: PlayAlong, source: str, output: str) -> str:
    settings = session.settings
    how = (
        f"trading {settings.bars} bars, you first"
        if settings.mode == TRADE
        else f"call-and-response: JazzGUI answers after {settings.silence_beats:g} beat(s) of rest"
    )
    return f"{how}; your notes from {source!r}, sound on {output!r}; seed {session.provenance.seed}"


def _bar_printer() -> Callable[[int, str], None]:
    """Prints the bar where the turn changes hands."""
    last: list[str] = []

    def on_bar(bar: int, role: str) -> None:
        if last != [role]:
            last[:] = [role]
            print(f"bar {bar + 1}: {_ROLE_WORDS.get(role, role)}", flush=True)

    return on_bar


def _ms(values: list[float], quantile: float) -> str:
    """A quantile of sorted seconds, in milliseconds."""
    return f"{values[min(len(values) - 1, int(quantile * len(values)))] * 1e3:.2f} ms"


def _report(session: PlayAlong, record: str | None) -> None:
    take: Take = session.take()
    latencies = sorted(session.answer_latencies)
    if latencies:
        print(
            f"{len(latencies)} answers, first bar ready in {statistics.median(latencies) * 1e3:.1f}"
            f" ms (median), {latencies[-1] * 1e3:.1f} ms at most"
        )
    clock = session.midi_clock
    if clock is not None and clock.lateness:
        late = sorted(clock.lateness)
        print(
            f"MIDI clock: {len(late)} pulses sent after their time by {_ms(late, 0.5)} (median), "
            f"{_ms(late, 0.99)} (99th percentile), {_ms(late, 1.0)} at most"
        )
    if record:
        write_take_midi(take, record)
        print(
            f"recorded {record}: {take.bars} bars, {len(take.part(YOU_CHANNEL))} notes of yours "
            f"(track You), {len(take.part(SOLO_CHANNEL))} of JazzGUI (track Solo), with the band"
        )
