"""`jazzgui train`: learn a model from solo files, one progress line per epoch, Ctrl-C keeps it.

Losses are printed two ways: the mean cross-entropy per token (what we optimise) and that
times Tx, the sum over a window's Tx steps that the reference exercise reports (its model has
Tx separate softmax outputs whose losses Keras adds up: ~130 at epoch 1).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path

from jazzgui import limits
from jazzgui.cli._args import add_selection_arguments, describe_vocabulary, read_corpus
from jazzgui.errors import JazzGUIError, OutputPathError
from jazzgui.files import check_output_path, fallback_path
from jazzgui.model.config import MODEL_KINDS, STRATEGIES, ModelConfig, TrainConfig
from jazzgui.model.distributed import ClusterRole, cluster_role
from jazzgui.model.modelfile import SUFFIX, JazzModel, load_model, save_model
from jazzgui.music.corpus import Corpus, Vocabulary
from jazzgui.music.wording import plural

_BAR_WIDTH = 20
_TRAIN, _MODEL = TrainConfig(), ModelConfig()  # the defaults live with the settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train a model on solo files (MIDI or MusicXML)",
        description=(
            "Train the LSTM on the value tokens of solo files and save a .jazzmodel. "
            "Each epoch prints the loss per token and, for comparison with the reference "
            "exercise, the same loss summed over the Tx steps of a window. Ctrl-C stops "
            "within one batch and saves the best model so far (exit status 130)."
        ),
    )
    parser.add_argument("inputs", nargs="+", metavar="FILE_OR_FOLDER", help="solo files, folders")
    parser.add_argument("-o", "--output", required=True, metavar="MODEL", help="model to write")
    parser.add_argument(
        "--epochs",
        type=limits.EPOCHS.argument_type(),
        default=_TRAIN.epochs,
        help="epochs (default %(default)s)",
    )
    add_selection_arguments(parser)
    parser.add_argument(
        "--kind", choices=MODEL_KINDS, default=_MODEL.kind,
        help="new (default): sees the chord and the beat, predicts type, duration and interval "
        "in turn; reference: the exercise's chord-blind network, one softmax over whole values",
    )  # fmt: skip
    parser.add_argument(
        "--hidden", type=limits.HIDDEN.argument_type(), default=_MODEL.n_a,
        help="LSTM units n_a (default %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--layers", type=limits.LAYERS.argument_type(), default=_MODEL.layers,
        help="stacked LSTM layers (default %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--dropout",
        type=limits.DROPOUT.argument_type(),
        default=_MODEL.dropout,
        help="dropout (default %(default)g)",
    )
    parser.add_argument(
        "--tx",
        type=limits.TX.argument_type(),
        default=_MODEL.tx,
        help="window length Tx (default %(default)s)",
    )
    parser.add_argument(
        "--lr", type=limits.LEARNING_RATE.argument_type(), default=_TRAIN.learning_rate,
        help="Adam learning rate (default %(default)g)",
    )  # fmt: skip
    parser.add_argument(
        "--decay", type=limits.DECAY.argument_type(), default=_TRAIN.decay,
        help="inverse-time decay per step (default %(default)g)",
    )  # fmt: skip
    parser.add_argument(
        "--clipnorm", type=limits.CLIP_NORM.argument_type(), default=_TRAIN.clipnorm or 0,
        metavar="N",
        help="scale each step's gradients down to this global norm at most (default "
        "%(default)g; 0: no clipping)",
    )  # fmt: skip
    parser.add_argument(
        "--batch",
        type=limits.BATCH.argument_type(),
        default=_TRAIN.batch_size,
        help="batch size (default %(default)s)",
    )
    parser.add_argument(
        "--val", type=limits.VALIDATION.argument_type(), default=_TRAIN.val_fraction,
        help="fraction of bars held out for validation (default %(default)g)",
    )  # fmt: skip
    parser.add_argument(
        "--patience", type=limits.PATIENCE.argument_type(),
        help="stop when validation loss has not improved for N epochs",
    )  # fmt: skip
    parser.add_argument(
        "--max-windows", type=limits.MAX_WINDOWS.argument_type(), metavar="N",
        help="train on at most N windows (or chunks, with --carry) an epoch (default all)",
    )  # fmt: skip
    parser.add_argument(
        "--carry", action=argparse.BooleanOptionalAction, default=_TRAIN.carry_state,
        help="the new kind: train on the music joined into --batch long lanes, "
        "read chunk after chunk with the LSTM's state carried over (default); --no-carry: on "
        "independent windows of Tx tokens, each from a zero state",
    )  # fmt: skip
    parser.add_argument(
        "--chunk", type=limits.CHUNK.argument_type(), default=_TRAIN.chunk, metavar="N",
        help="with --carry: tokens a step learns from in each lane, the gradient's reach "
        "(default %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--stride", type=limits.STRIDE.argument_type(), default=_TRAIN.stride, metavar="K",
        help="without carried state: a training window starts every K tokens (default "
        "%(default)s; 1: at every token, each token predicted about Tx times an epoch); "
        "validation windows start at every token",
    )  # fmt: skip
    parser.add_argument(
        "--seed", type=limits.TRAIN_SEED.argument_type(), default=_TRAIN.seed,
        help="seed, 0 to 2**32-1 (default %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--strategy", choices=STRATEGIES, default=_TRAIN.strategy,
        help="tf.distribute strategy: default, mirrored (all GPUs), multiworker (TF_CONFIG), auto",
    )  # fmt: skip
    parser.add_argument(
        "--worker-timeout", type=limits.WORKER_TIMEOUT.argument_type(), metavar="SECONDS",
        default=_TRAIN.worker_timeout,
        help="multiworker: give up when another worker is silent this long (default %(default)g)",
    )  # fmt: skip
    parser.add_argument("--resume", metavar="MODEL", help="continue training this model")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    role = _cluster_role(args.strategy)
    output = Path(args.output)
    if not output.suffix:
        output = output.with_suffix(SUFFIX)
    check_output_path(output, "model", create_folder=True)  # before minutes of training
    resume = load_model(args.resume) if args.resume else None
    vocabulary = Vocabulary.from_list(resume.vocabulary) if resume is not None else None
    kind = resume.config.kind if resume is not None else args.kind
    # The reference kind reads files exactly as the reference did (the 1/12 grid, no snapping).
    corpus = _read_corpus(args, vocabulary, snap=kind == "new")
    model_config = (
        resume.config
        if resume is not None
        else ModelConfig(
            n_a=args.hidden, layers=args.layers, dropout=args.dropout, tx=args.tx, kind=args.kind
        )
    )
    train_config = TrainConfig(
        epochs=args.epochs, batch_size=args.batch, learning_rate=args.lr, decay=args.decay,
        clipnorm=args.clipnorm or None, val_fraction=args.val,
        early_stopping_patience=args.patience, seed=args.seed, strategy=args.strategy,
        max_windows=args.max_windows, stride=args.stride, worker_timeout=args.worker_timeout,
        carry_state=args.carry, chunk=args.chunk,
    )  # fmt: skip
    problems = model_config.validate() + train_config.validate()
    if problems:
        raise JazzGUIError("Bad training settings: " + "; ".join(problems))
    tx = model_config.tx
    from jazzgui.model.training import carries_state

    print(
        f"training the {model_config.kind} kind, {model_config.layers}x "
        f"LSTM({model_config.n_a}), Tx={tx}, "
        f"{plural(args.epochs, 'epoch')}, batch {args.batch}, Adam lr {args.lr} "
        f"decay {args.decay}, "
        + (f"gradient norm clipped at {args.clipnorm:g}, " if args.clipnorm else "no clipping, ")
        + (
            f"state carried over chunks of {args.chunk} tokens"
            if carries_state(model_config, train_config)
            else f"windows every {args.stride} tokens"
        )
        + (f", resuming {resume.name}" if resume is not None else "")
        + f"; loss = cross-entropy per token (x{tx} = summed over a window, the reference's scale)"
    )
    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, _first_interrupt(stop))
    started = time.monotonic()
    try:
        from jazzgui.model.training import train

        result = train(
            corpus, model_config, train_config,
            on_epoch=lambda entry: _print_epoch(entry, args.epochs, tx, started),
            should_stop=stop.is_set, resume=resume,
        )  # fmt: skip
    finally:
        signal.signal(signal.SIGINT, previous)
    if not result.history:
        print("stopped before the first epoch finished: nothing to save", file=sys.stderr)
        return 130
    if not role.is_chief:
        print(f"trained as {role.describe()}: the chief writes the model, this worker nothing")
        return 130 if result.reason == "stopped" else 0
    saved = _save(result.model, output)
    moved = 1 if saved != output else 0  # saved, but not where asked: the exit status says so
    output = saved
    card = result.model.card
    best = result.history[result.best_epoch - 1]
    val = "" if best.val_loss is None else f", val {_loss(best.val_loss, tx)}"
    print(
        f"saved {output}: {result.model.parameter_count:,} parameters, vocabulary "
        f"{len(result.model.vocabulary)}, {plural(card['epochs'], 'epoch')} in "
        f"{time.monotonic() - started:.1f} s; weights of epoch {result.best_epoch}: "
        f"loss {_loss(best.loss, tx)}{val}"
    )
    if result.reason == "stopped":
        print(
            f"interrupted: saved the best model so far (epoch {result.best_epoch}) to {output}",
            file=sys.stderr,
        )
        return 130
    if result.reason == "early stopping":
        print(f"early stopping: validation loss stopped improving after epoch {result.best_epoch}")
    return moved


def _save(model: JazzModel, output: Path) -> Path:
    """Save where asked; if that fails after all (the folder went away, the disk filled up),
    save to the user data folder and say where, rather than lose the trained model."""
    try:
        return save_model(model, output)
    except (OutputPathError, OSError) as error:
        fallback = fallback_path(output)
        saved = save_model(model, fallback)
        print(
            f"could not save to {output} ({error}); saved the model to {saved} instead",
            file=sys.stderr,
        )
        return saved


def _cluster_role(strategy: str) -> ClusterRole:
    """This process's role when training across machines (TF_CONFIG), else a lone chief."""
    if strategy == "multiworker" or (strategy == "auto" and os.environ.get("TF_CONFIG")):
        role = cluster_role()
        print(f"multi-worker training: this process is {role.describe()}")
        return role
    return cluster_role({})


def _first_interrupt(stop: threading.Event):
    """Ctrl-C once: finish the current batch and save; Ctrl-C again: give up at once."""

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print("\nstopping after this batch (Ctrl-C again to quit without saving)", file=sys.stderr)

    return handler


def _loss(value: float, tx: int) -> str:
    return f"{value:.4f}/token ({value * tx:.2f} x{tx})"


def _print_epoch(entry, epochs: int, tx: int, started: float) -> None:
    done = min(entry.epoch, epochs)
    filled = round(_BAR_WIDTH * done / max(epochs, 1))
    bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
    val = "" if entry.val_loss is None else f"  val {_loss(entry.val_loss, tx)}"
    print(
        f"epoch {entry.epoch:>{len(str(epochs))}}/{epochs} [{bar}] loss {_loss(entry.loss, tx)}"
        f"{val}  {entry.seconds:.2f} s ({time.monotonic() - started:.0f} s)",
        flush=True,
    )


def _read_corpus(args: argparse.Namespace, vocabulary: Vocabulary | None, snap: bool) -> Corpus:
    corpus = read_corpus(args.inputs, args, vocabulary, snap=snap)
    print(
        f"corpus: {plural(len(corpus.ok_entries), 'file')}, {plural(corpus.bar_count, 'bar')}, "
        f"{plural(corpus.token_count, 'token')}, vocabulary {len(corpus.vocabulary)}"
    )
    if snap:
        print(describe_vocabulary(corpus))
    return corpus
