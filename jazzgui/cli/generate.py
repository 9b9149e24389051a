"""`jazzgui generate`: a solo (and band) over changes from a model, written as a MIDI take."""

from __future__ import annotations

import argparse
import sys
import time

from jazzgui import limits
from jazzgui.cli._args import add_changes_arguments, progression_from_args
from jazzgui.errors import AudioError, ModelFileError, PortError
from jazzgui.files import check_output_path
from jazzgui.model.modelfile import JazzModel, load_model
from jazzgui.model.sampling import MODES, SamplerSettings, rule_warnings
from jazzgui.model.starter import starter_model_path
from jazzgui.model.takes import TakeRequest, TakeStream, model_label
from jazzgui.music import defaults
from jazzgui.music.events import SOLO_CHANNEL, Take
from jazzgui.playback.export import export_take

BUILTIN_PORT = "builtin"  # `--play builtin`: the built-in synth instead of a MIDI output
RELEASE_TAIL_S = 0.5


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="improvise a take over chord changes and write it as MIDI",
        description=(
            "Improvise a solo with a model (the starter model unless --model is given) over "
            f"chord changes (default: the {defaults.FORM} form), with comping and bass unless "
            "--no-band, and write a type-1 MIDI file. Prints the take's provenance; the same "
            "seed and settings give the same take."
        ),
    )
    parser.add_argument("-o", "--output", required=True, metavar="TAKE.mid", help="MIDI to write")
    parser.add_argument("--model", metavar="MODEL", help="a .jazzmodel (default: starter model)")
    add_changes_arguments(parser)
    parser.add_argument(
        "--choruses", type=limits.CHORUSES.argument_type(), default=defaults.CHORUSES,
        help="times through (default %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--tempo", type=limits.TEMPO.argument_type(), default=defaults.TEMPO_BPM,
        help=f"BPM, {limits.TEMPO.range_text()} (default %(default)g)",
    )  # fmt: skip
    parser.add_argument(
        "--temperature", type=limits.TEMPERATURE.argument_type(), default=1.0,
        help="0 = likeliest (1.0)",
    )  # fmt: skip
    parser.add_argument(
        "--top-p", type=limits.TOP_P.argument_type(), default=0.95,
        help="nucleus size (default 0.95)",
    )  # fmt: skip
    parser.add_argument(
        "--penalty", type=limits.PENALTY.argument_type(), default=1.3,
        help="repetition penalty, 1 = none (default 1.3)",
    )  # fmt: skip
    parser.add_argument(
        "--chord-bias", type=limits.CHORD_BIAS.argument_type(),
        default=SamplerSettings.strong_beat_chord_bias,
        help="preference for chord tones on strong beats, 1 = none (default %(default)g)",
    )  # fmt: skip
    parser.add_argument(
        "--max-copy", type=limits.MAX_COPY.argument_type(), default=SamplerSettings.max_copy,
        metavar="N",
        help="longest run of tokens copied verbatim from the training corpus, 0 = no limit "
        "(default %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--no-rules", action="store_true",
        help="the network alone: no chord-tone bias, pitch-class prior, copy limit or penalty",
    )  # fmt: skip
    parser.add_argument(
        "--seed", type=limits.SEED.argument_type(),
        help="seed, 0 to 2**63-1 (default: a fresh one, printed)",
    )  # fmt: skip
    parser.add_argument(
        "--mode", choices=MODES, default="sample",
        help="sample (default), or reference: the reference's argmax from zeros, 50 tokens a bar",
    )  # fmt: skip
    parser.add_argument("--no-band", action="store_true", help="solo only, no comping and bass")
    _add_sound_arguments(parser)
    parser.add_argument(
        "--straight", action="store_true",
        help="write the MIDI with straight note times (the swing ratio kept as a text event) "
        "instead of the swing heard on --play and --wav",
    )  # fmt: skip
    parser.add_argument(
        "--wav", metavar="TAKE.wav", help="also render audio with the built-in synth"
    )
    parser.add_argument(
        "--play", nargs="?", const="", metavar="PORT",
        help="also play the take on a MIDI output (default: the one `jazzgui ports` picks, or "
        "the built-in synth when there is no MIDI synth), or `builtin` for the built-in synth "
        "on the default audio output",
    )  # fmt: skip
    parser.set_defaults(func=run)


def _add_sound_arguments(parser: argparse.ArgumentParser) -> None:
    """How the take sounds, as the Generate panel's Feel and Band controls set it."""
    parser.add_argument(
        "--swing", type=limits.SWING.argument_type(), default=defaults.SWING,
        help="share of a beat the first eighth takes, 0.5 = straight (default %(default)g)",
    )  # fmt: skip
    parser.add_argument(
        "--instrument", type=limits.PROGRAM.argument_type(), default=defaults.SOLO_PROGRAM,
        metavar="PROGRAM",
        help="General MIDI program of the solo, 0-127 (default %(default)s, alto sax)",
    )  # fmt: skip
    parser.add_argument("--no-comp", action="store_true", help="no piano comping")
    parser.add_argument("--no-bass", action="store_true", help="no walking bass")


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    check_output_path(args.output, "take")  # mistakes are reported before anything loads
    if args.wav:
        check_output_path(args.wav, "WAV file")
    progression = progression_from_args(args)
    limits.check_take_length(args.choruses, len(progression))
    model = _model(args.model)
    settings = SamplerSettings(
        temperature=args.temperature, top_p=args.top_p, repetition_penalty=args.penalty,
        seed=args.seed, mode=args.mode, strong_beat_chord_bias=args.chord_bias,
        max_copy=args.max_copy or None, rules=not args.no_rules,
    )  # fmt: skip
    for warning in rule_warnings(model, settings):
        print(f"jazzgui generate: warning: {warning}", file=sys.stderr)
    request = TakeRequest(
        progression, choruses=args.choruses, tempo_bpm=args.tempo, swing=args.swing,
        solo_program=args.instrument, comp=not (args.no_band or args.no_comp),
        bass=not (args.no_band or args.no_bass),
        sampler=settings, model_name=model_label(args.model),
    )  # fmt: skip
    take = TakeStream(model, request).drain()
    export_take(take, "mid", args.output, swing=not args.straight)
    solo = take.part(SOLO_CHANNEL)
    print(
        f"wrote {args.output}: {take.bars} bars of {progression.meter_summary} "
        f"({args.choruses} x {len(progression)}) at "
        f"{args.tempo:g} BPM, {len(solo)} solo notes, {len(take.events) - len(solo)} band notes "
        f"in {time.perf_counter() - started:.2f} s"
    )
    print(f"provenance: {take.provenance.describe()}")
    if args.wav:
        export_take(take, "wav", args.wav)
        print(f"wrote {args.wav}")
    if args.play is not None:
        _play(take, args.play)
    return 0


def _play(take: Take, port_name: str) -> None:
    """Play the take on a MIDI output until it ends; Ctrl-C stops it with every note released."""
    from jazzgui.playback.player import Player
    from jazzgui.playback.ports import (
        close_output,
        default_output_name,
        list_output_names,
        open_output,
    )

    if port_name.lower() == BUILTIN_PORT:
        _play_builtin(take)
        return
    if not port_name:
        try:
            picked, why = default_output_name(list_output_names())
        except PortError as error:  # no MIDI system at all
            picked, why = None, str(error)
        if picked is None:  # as the window does: the built-in synth plays it
            print(f"no MIDI synth to play on: {why}")
            _play_builtin(take, no_midi=why)
            return
        print(f"playing on {picked!r} ({why})")
        port_name = picked
    port = open_output(port_name)
    player = Player(port)
    try:
        player.play(take)
        while not player.wait(0.2):
            pass
    finally:
        player.close()
        close_output(port)


def _play_builtin(take: Take, no_midi: str | None = None) -> None:
    """Play the take through the built-in synth on the default audio output (no window);
    `no_midi`: why no MIDI output was used, for the message when there is no audio either."""
    from jazzgui.playback.audio_out import LiveAudio
    from jazzgui.playback.player import Player
    from jazzgui.playback.ports import close_output
    from jazzgui.playback.soundfont import engine_factory

    factory, sound = engine_factory()
    audio = LiveAudio(factory)
    if not audio.start():
        if no_midi:
            raise AudioError(
                f"Cannot play the take: no MIDI synth was found and the built-in synth has no "
                f"audio output ({audio.problem}). Start a synth, or give --play PORT."
            )
        raise AudioError(f"Cannot play the take on the built-in synth: {audio.problem}")
    print(f"playing on the built-in synth ({sound}) through {audio.backend}")
    port = audio.open_port()
    player = Player(port)
    try:
        player.play(take)
        while not player.wait(0.2):
            pass
        time.sleep(RELEASE_TAIL_S)  # let the last notes ring out before the stream closes
    finally:
        player.close()
        close_output(port)
        audio.stop()


def _model(path: str | None) -> JazzModel:
    if path:
        return load_model(path)
    starter = starter_model_path()
    if not starter.exists():
        raise ModelFileError(
            starter,
            "the starter model is not installed",
            "Train a model with `jazzgui train FILES -o my.jazzmodel` and pass "
            "--model my.jazzmodel",
        )
    return load_model(starter)
