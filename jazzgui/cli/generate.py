"""`jazzgui generate`: a solo (and band) over changes from a model, written as a MIDI take."""

from __future__ import annotations

import argparse
import time

from jazzgui.errors import ModelFileError, PortError
from jazzgui.model.modelfile import JazzModel, load_model
from jazzgui.model.sampling import MODES, SamplerSettings, generate_take
from jazzgui.model.starter import starter_model_path
from jazzgui.music.events import SOLO_CHANNEL, Take
from jazzgui.music.midifile import write_take_midi
from jazzgui.music.progression import FORMS, Progression, form_progression, parse_progression

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
    parser.add_argument(
        "--no-rules", action="store_true",
        help="the network alone: no chord-tone bias, pitch-class prior, copy limit or penalty",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, help="seed (default: a fresh one, printed)")
    parser.add_argument(
        "--mode", choices=MODES, default="sample",
        help="sample (default), or reference: the reference's argmax from zeros, 50 tokens a bar",
    )  # fmt: skip
    parser.add_argument("--no-band", action="store_true", help="solo only, no comping and bass")
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
    model = _model(args.model)
    settings = SamplerSettings(
        temperature=args.temperature, top_p=args.top_p, repetition_penalty=args.penalty,
        seed=args.seed, mode=args.mode, strong_beat_chord_bias=args.chord_bias,
        max_copy=args.max_copy or None, rules=not args.no_rules,
    )  # fmt: skip
    take = generate_take(
        model, progression, settings, choruses=args.choruses, tempo_bpm=args.tempo,
        band=not args.no_band,
    )  # fmt: skip
    write_take_midi(take, args.output)
    solo = take.part(SOLO_CHANNEL)
    print(
        f"wrote {args.output}: {take.bars} bars ({args.choruses} x {len(progression)}) at "
        f"{args.tempo:g} BPM, {len(solo)} solo notes, {len(take.events) - len(solo)} band notes "
        f"in {time.perf_counter() - started:.2f} s"
    )
    print(f"provenance: {take.provenance.describe()}")
    if args.wav:
        from jazzgui.playback.synth import render_take, write_wav

        write_wav(args.wav, render_take(take))
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
    if args.progression:
        return parse_progression(args.progression)
    return form_progression(args.form or DEFAULT_FORM)
