"""`jazzgui generate`: a solo (and band) over changes from a model, written as a MIDI take."""

from __future__ import annotations

import argparse
import time

from jazzgui.errors import JazzGUIError, ModelFileError, PortError
from jazzgui.model.modelfile import JazzModel, load_model
from jazzgui.model.sampling import MODES, SamplerSettings, generate_take
from jazzgui.model.starter import starter_model_path
from jazzgui.music.events import SOLO_CHANNEL, Take
from jazzgui.music.meter import COMMON_METERS, parse_meter
from jazzgui.music.progression import FORMS, Progression, form_progression, parse_progression
from jazzgui.playback.export import export_take
from jazzgui.playback.timing import MAX_SWING, MIN_SWING

DEFAULT_FORM = "blues-f"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="improvise a take over chord changes and write it as MIDI",
        description=(
            "Improvise a solo with a model (the starter model unless --model is given) over "
            f"chord changes (default: the {DEFAULT_FORM} form), with comping and bass unless "
            "--no-band, and write a type-1 MIDI file. Prints the take's provenance; the same "
            "seed and settings give the same take."
        ),
    )
    parser.add_argument("-o", "--output", required=True, metavar="TAKE.mid", help="MIDI to write")
    parser.add_argument("--model", metavar="MODEL", help="a .jazzmodel (default: starter model)")
    changes = parser.add_mutually_exclusive_group()
    changes.add_argument(
        "--progression", metavar="TEXT", help="changes such as 'Dm7 G7 | Cmaj7 | Cmaj7 |'"
    )
    changes.add_argument("--form", choices=sorted(FORMS), help="a built-in form")
    parser.add_argument(
        "--meter", metavar="N/D", default=None,
        help=f"time signature: {', '.join(COMMON_METERS)}... (default 4/4, or the (3/4)-style "
        "marker at the head of --progression); forms are played bar for bar in it",
    )  # fmt: skip
    parser.add_argument("--choruses", type=int, default=1, help="times through (default 1)")
    parser.add_argument("--tempo", type=float, default=160.0, help="BPM (default 160)")
    parser.add_argument("--temperature", type=float, default=1.0, help="0 = likeliest (1.0)")
    parser.add_argument("--top-p", type=float, default=0.95, help="nucleus size (default 0.95)")
    parser.add_argument(
        "--penalty", type=float, default=1.3, help="repetition penalty, 1 = none (default 1.3)"
    )
    parser.add_argument(
        "--chord-bias", type=float, default=SamplerSettings.strong_beat_chord_bias,
        help="preference for chord tones on strong beats, 1 = none (default %(default)g)",
    )  # fmt: skip
    parser.add_argument(
        "--max-copy", type=int, default=SamplerSettings.max_copy, metavar="N",
        help="longest run of tokens copied verbatim from the training corpus, 0 = no limit "
        "(default %(default)s)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, help="seed (default: a fresh one, printed)")
    parser.add_argument(
        "--mode", choices=MODES, default="sample",
        help="sample (default), or reference: the reference's argmax from zeros, 50 tokens a bar",
    )  # fmt: skip
    parser.add_argument("--no-band", action="store_true", help="solo only, no comping and bass")
    parser.add_argument(
        "--swing", type=float, default=None, metavar="RATIO",
        help="swing ratio of the eighths, 0.5 (straight) to 0.75 (default 0.6; 6/8 is straight)",
    )  # fmt: skip
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
        help="also play the take on a MIDI output (default: the one `jazzgui ports` picks)",
    )  # fmt: skip
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    progression = _progression(args)  # a typo in the changes is reported before anything loads
    if args.swing is not None and not MIN_SWING <= args.swing <= MAX_SWING:
        raise JazzGUIError(
            f"--swing {args.swing:g} is outside {MIN_SWING:g} (straight) to {MAX_SWING:g} "
            "(hard swing); 0.6 is a relaxed swing"
        )
    model = _model(args.model)
    settings = SamplerSettings(
        temperature=args.temperature, top_p=args.top_p, repetition_penalty=args.penalty,
        seed=args.seed, mode=args.mode, strong_beat_chord_bias=args.chord_bias,
        max_copy=args.max_copy or None,
    )  # fmt: skip
    take = generate_take(
        model, progression, settings, choruses=args.choruses, tempo_bpm=args.tempo,
        band=not args.no_band,
    )  # fmt: skip
    if args.swing is not None:
        take.swing = args.swing
    export_take(take, "mid", args.output, swing=not args.straight)
    solo = take.part(SOLO_CHANNEL)
    print(
        f"wrote {args.output}: {take.bars} bars of {progression.meter} "
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
    from jazzgui.playback.ports import default_output_name, list_output_names, open_output

    if not port_name:
        picked, why = default_output_name(list_output_names())
        if picked is None:
            raise PortError(f"Cannot play the take: {why}")
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
        port.close()


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


def _progression(args: argparse.Namespace) -> Progression:
    meter = parse_meter(args.meter, "meter (--meter)") if args.meter is not None else None
    if args.progression is not None:  # given but empty is an error, not the default form
        return parse_progression(args.progression, meter=meter)
    return form_progression(args.form or DEFAULT_FORM, meter)
