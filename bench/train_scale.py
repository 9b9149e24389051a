"""Time to quality: wall time until the validation loss reaches a target, for today's training
(the starter's settings: windows at every token, batch 32, Adam 0.01 with decay 0.01 per step,
no clipping, run by the training loop as it was before issue 14, read from git; or by the
current loop with --today-loop current) and for ours (TrainConfig's defaults, the current
loop: the music joined into lanes read chunk after chunk with the LSTM's state carried over),
on the built-in corpus and on a 10x corpus; and the
peak memory of preparing the training data in memory or streamed.

Validation: whole held-out files (seeded, at least 10% of the tokens), every window of them
(each held-out token scored with up to Tx-1 tokens before it), identical for both methods and
never trained on; far more than the 14 windows the starter's per-file bar blocks give. Target:
the best validation loss today's loop reaches in the same bench run (early stopping, patience
10, as the starter was trained); today's time to target is the time to its best epoch.

The 10x corpus is the training files transposed into ten keys: value tokens and the chord
features are relative to the chord's root, so a transposed copy has exactly the tokens and
features of the original, and the 10x corpus is the training sequences ten times over.
Network: the starter's (new kind, 128 units, dropout 0.5, Tx 30).
Run: python bench/train_scale.py [--budget 600] [--scales 1 10] [--seeds 0 1]
     [--memory-scales 1 10 40] [--today-loop pre-issue|current]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import types
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from jazzgui.model.config import TrainConfig
from jazzgui.model.dataset import LaneChunks, training_data
from jazzgui.model.engine import load_tensorflow
from jazzgui.model.starter import starter_configs
from jazzgui.model.training import carries_state, corpus_parts, train_on_data
from jazzgui.music.corpus import build_corpus

ROOT = Path(__file__).resolve().parents[1]
SOLOS = ROOT / "data" / "solos"
# main just before issue 14 was merged: its training loop is "today's training loop".
PRE_ISSUE = "0e046ba0bbbff7cef745ac973ef343eb80e0569b"
VAL_SHARE = 0.1  # held-out files hold at least this share of the tokens
TODAY = {
    "batch_size": 32, "learning_rate": 0.01, "decay": 0.01, "stride": 1, "clipnorm": None,
    "carry_state": False,
}  # fmt: skip
_DEFAULTS = TrainConfig()
OURS = {
    "batch_size": _DEFAULTS.batch_size,
    "learning_rate": _DEFAULTS.learning_rate,
    "decay": _DEFAULTS.decay,
    "stride": _DEFAULTS.stride,
    "clipnorm": _DEFAULTS.clipnorm,
    "carry_state": _DEFAULTS.carry_state,
    "chunk": _DEFAULTS.chunk,
}


def held_out_parts(scale: int, seed: int = 0):
    """Training part (whole files, `scale` times over), validation part (whole held-out
    files), the vocabulary and the held-out files' names."""
    corpus = build_corpus([SOLOS])
    model_config, _ = starter_configs()
    entries = corpus.ok_entries
    ends = np.cumsum([0, *(entry.token_count for entry in entries)])
    held, tokens = [], 0
    for index in np.random.default_rng(seed).permutation(len(entries)):
        if tokens >= VAL_SHARE * ends[-1]:
            break
        held.append(int(index))
        tokens += entries[index].token_count
    rows = [np.arange(ends[i], ends[i + 1], dtype=np.int32) for i in range(len(entries))]
    train_rows = [rows[i] for i in range(len(entries)) if i not in held]
    val_rows = [rows[i] for i in sorted(held)]
    train, val = corpus_parts(corpus, model_config, [train_rows * scale, val_rows])
    names = [Path(entries[i].path).name for i in sorted(held)]
    return train, val, corpus.vocabulary.to_list(), names


def pre_issue_loop(folder: Path) -> types.ModuleType:
    """jazzgui/model/training.py as it was before issue 14 (its train_on_windows), from git,
    written to `folder` (tf.function reads the source of what it traces)."""
    path = folder / "pre_issue_training.py"
    path.write_bytes(
        subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{PRE_ISSUE}:jazzgui/model/training.py"],
            capture_output=True, check=True,
        ).stdout
    )  # fmt: skip
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def run(
    settings: dict,
    scale: int,
    target: float | None,
    budget: float,
    folder: Path,
    seed: int = 0,
    loop: types.ModuleType | None = None,
) -> dict:
    """Train until early stopping (patience 10, as the starter) or `budget` seconds, and note
    when the validation loss first reached `target` (None: its best); times include tracing.
    With `loop` (the pre-issue training module), its train_on_windows trains."""
    model_config, starter = starter_configs()
    train, val, vocabulary, _ = held_out_parts(scale)
    config = replace(starter, epochs=100_000, early_stopping_patience=10, seed=seed, **settings)
    warm_up()
    started = time.perf_counter()
    if carries_state(model_config, config):  # the music in lanes, read chunk after chunk
        lanes = LaneChunks.lanes_for(sum(map(len, train.tokens)), config.chunk, config.batch_size)
        data = LaneChunks(train.tokens, train.features, config.chunk, lanes)
    else:
        data = training_data(
            train.tokens, model_config.tx, folder / "train", config.seed,
            features=train.features, stride=config.stride,
        )  # fmt: skip
    val_data = training_data(val.tokens, model_config.tx, folder / "val", features=val.features)
    curve: list[tuple[int, float, float, float]] = []  # epoch, val loss, seconds, epoch seconds

    def on_epoch(entry) -> None:
        curve.append((entry.epoch, entry.val_loss, time.perf_counter() - started, entry.seconds))

    def should_stop() -> bool:
        return time.perf_counter() - started > budget

    if loop is None:
        train_on_data(
            data, val_data, vocabulary, model_config, config,
            on_epoch=on_epoch, should_stop=should_stop,
        )  # fmt: skip
    else:  # (every window of today's stride fits in memory: training_data gives arrays)
        loop.train_on_windows(
            data.x, data.y, vocabulary, model_config, config, val_data.x, val_data.y,
            on_epoch=on_epoch, should_stop=should_stop, features=data.features,
            features_val=val_data.features,
        )  # fmt: skip
    best = min(curve, key=lambda point: point[1]) if curve else (0, np.inf, np.inf, 0)
    goal = best[1] if target is None else target
    hit = next((point for point in curve if point[1] <= goal), None)
    return {
        "windows": data.count,
        "val_windows": val_data.count,
        "epoch_s": float(np.median([p[3] for p in curve[1:]] or [p[3] for p in curve] or [0])),
        "first_epoch_s": curve[0][3] if curve else 0.0,
        "best": best[1],
        "best_epoch": best[0],
        "epochs": len(curve),
        "epoch": hit[0] if hit else None,
        "seconds": hit[2] if hit else None,
        "total_s": curve[-1][2] if curve else 0.0,  # until early stopping ended the run
    }


def warm_up() -> None:
    """Load TensorFlow and Keras and run one tiny graph, so no run pays their one-time
    start-up (through JazzGUI's loader, which keeps TensorFlow's start-up chatter off)."""
    load_tensorflow()
    import keras  # noqa: F401
    import tensorflow as tf

    global _WARM
    if _WARM is None:  # one function for every run: made again, TensorFlow warns of retracing
        _WARM = tf.function(lambda v: v * 2)
    _WARM(tf.constant(1.0)).numpy()


_WARM = None


def data_memory(method: str, scale: int) -> float:
    """Peak resident MB of a fresh process that reads the corpus, loads TensorFlow, prepares
    the training data (every window in memory, or streamed from token files, or the music in
    lanes for carried state, chunks of TrainConfig's default) and reads one epoch of it."""
    script = f"""
import sys, tempfile, json
sys.path.insert(0, {str(Path(__file__).parent)!r})
from train_scale import held_out_parts
from jazzgui.model import dataset
from jazzgui.model.config import TrainConfig
train, _, _, _ = held_out_parts({scale})
if {method!r} == "carried state":
    data = dataset.LaneChunks(train.tokens, train.features, TrainConfig().chunk, 32)
    for batch in data.make(None, 32, 0, True).take(data.count // 32):
        pass
else:
    dataset.IN_MEMORY_WINDOWS = 10**12 if {method!r} == "in memory" else 0
    data = dataset.training_data(train.tokens, 30, tempfile.mkdtemp(), features=train.features)
    for batch in data.make(None, 32, 0, True):
        pass
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so this process would inherit the
# peak of the bench's process (which has trained by now) from the fork.
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({{"mb": peak / 1024}}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])["mb"]


def _row(label: str, result: dict, budget: float) -> str:
    seconds = result["seconds"]
    shown = f"{seconds:.1f}" if seconds else f"not in {budget:.0f} s"
    return (
        f"{label:<12}{result['windows']:>9}{result['epoch_s']:>9.2f}{result['first_epoch_s']:>9.2f}"
        f"{result['epoch'] or '-':>8}{shown:>13}{result['best']:>9.4f}{result['epochs']:>11}"
        f"{result['total_s']:>9.1f}"
    )


def compare(
    ours: dict, scale: int, seed: int, budget: float, folder: Path, loop: types.ModuleType | None
) -> tuple[float, float | None]:
    """Today's run sets the target; ours is timed to it; both printed with their ratio.
    Returns (today's seconds to the target, ours' or None when it did not reach it)."""
    today = run(TODAY, scale, None, budget, folder / "today", seed, loop)
    target = today["best"]
    mine = run(ours, scale, target, budget, folder / "ours", seed)
    print(
        f"\nx{scale}, seed {seed}: target {target:.4f}/token on {today['val_windows']} "
        f"validation windows\n{'':<12}{'windows':>9}{'s/epoch':>9}{'1st ep s':>9}"
        f"{'epochs':>8}{'to target s':>13}{'best val':>9}{'epochs run':>11}{'run s':>9}"
    )
    print(_row("today", today, budget))
    print(_row("ours", mine, budget))
    if mine["seconds"]:
        ratio = today["seconds"] / mine["seconds"]
        later = (today["seconds"] - today["first_epoch_s"]) / max(
            mine["seconds"] - mine["first_epoch_s"], 1e-9
        )
        print(
            f"x{scale}, seed {seed}: ours reaches the target {ratio:.1f}x sooner (target >= 3x); "
            f"{later:.1f}x counting from the end of each one's first epoch (tracing)"
        )
    print(
        f"x{scale}, seed {seed}: the whole run with early stopping took "
        f"{today['total_s'] / max(mine['total_s'], 1e-9):.1f}x less time for ours, and its "
        f"best validation loss is {100 * (1 - mine['best'] / today['best']):.1f}% lower"
    )
    return today["seconds"], mine["seconds"]


def summary(scale: int, times: list[tuple[float, float | None]]) -> str:
    """One line over the seeds of a scale: how many met 3x, the median ratio, and the ratio of
    the summed seconds (a seed ours did not bring to its target counts as ratio 0)."""
    ratios = [today / mine if mine else 0.0 for today, mine in times]
    met = sum(ratio >= 3 for ratio in ratios)
    line = (
        f"x{scale}, {len(times)} seeds: ratios {' / '.join(f'{r:.1f}' for r in ratios)}; "
        f"{met} of {len(times)} at >= 3x; median {np.median(ratios):.1f}x"
    )
    if all(mine for _, mine in times):
        total = sum(today for today, _ in times) / sum(mine for _, mine in times)
        line += f"; summed seconds to the targets {total:.1f}x"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=600.0, help="seconds per run at most")
    parser.add_argument("--scales", type=int, nargs="*", default=[1, 10])
    parser.add_argument("--memory-scales", type=int, nargs="*", default=[1, 10, 40])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="training seeds")
    parser.add_argument(
        "--ours", nargs=5, type=float, metavar=("BATCH", "LR", "DECAY", "STRIDE", "CLIPNORM"),
        help="settings of ours to try, CLIPNORM 0 for none (default: TrainConfig's defaults)",
    )  # fmt: skip
    parser.add_argument(
        "--today-loop", choices=("pre-issue", "current"), default="pre-issue",
        help=f"which loop runs today's settings: main's before issue 14 ({PRE_ISSUE[:7]}, "
        "from git) or the current one (default %(default)s)",
    )  # fmt: skip
    args = parser.parse_args()
    ours = dict(OURS)
    if args.ours:
        batch, rate, decay, stride, clipnorm = args.ours
        ours = {
            **ours,
            "batch_size": int(batch),
            "learning_rate": rate,
            "decay": decay,
            "stride": int(stride),
            "clipnorm": clipnorm or None,
        }
    _, _, _, names = held_out_parts(1)
    print(f"validation: {len(names)} whole held-out files ({', '.join(names)}), every window")
    pre_issue = args.today_loop == "pre-issue"
    where = f"main's loop before issue 14 ({PRE_ISSUE[:7]})" if pre_issue else "the current loop"
    print(f"today: {TODAY}, run by {where}\nours:  {ours}, run by the current loop")
    print(
        "target: the best validation loss (per token) today's loop reaches in this run, with "
        "early stopping (patience 10); times are wall seconds from preparing the windows, "
        "tracing included (first epoch's seconds shown apart)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        loop = pre_issue_loop(Path(tmp)) if pre_issue else None
        lines = []
        for scale in args.scales:
            times = [
                compare(ours, scale, seed, args.budget, Path(tmp) / f"x{scale}-{seed}", loop)
                for seed in args.seeds
            ]
            lines.append(summary(scale, times))
        print("\n" + "\n".join(lines))
    if args.memory_scales:
        print("\npeak memory of a process: corpus, TensorFlow, training data, one epoch (MB)")
        print(f"{'':<12}" + "".join(f"{f'x{s}':>9}" for s in args.memory_scales))
        for method in ("in memory", "streamed", "carried state"):
            sizes = [data_memory(method, scale) for scale in args.memory_scales]
            print(f"{method:<12}" + "".join(f"{mb:>9.0f}" for mb in sizes))


if __name__ == "__main__":
    main()
