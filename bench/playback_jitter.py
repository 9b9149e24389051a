"""Playback timing jitter: |sent - scheduled| of MIDI messages, idle and under training load.

2,000 messages (1,000 sixteenth notes at 200 BPM: each a note-on and a note-off) go to a fake
port that stamps arrival with time.monotonic(). Three ways of waiting, side by side:
  player (hybrid)   JazzGUI's Player: Event.wait until 2 ms before, then a short checked spin,
                    on a thread with raised (realtime where allowed) priority
  player (wait)     the same Player waiting on threading.Event.wait alone
  player (no prio)  the hybrid wait at normal thread priority
  sleep loop        the reference way (as mido's MidiFile.play): time.sleep until each message
Each runs idle, then while a subprocess trains a small Keras LSTM on both cores (falls back to
two numpy busy processes with --busy numpy). Target: p99 under 1 ms for the player.
Run: python bench/playback_jitter.py [--events 2000] [--tempo 200] [--busy keras|numpy]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import mido
import numpy as np

from jazzgui.music.events import NoteEvent
from jazzgui.playback.player import Player
from jazzgui.playback.timing import beat_to_seconds

SWING = 0.6
PRIORITIES: set[str] = set()

_KERAS_LOAD = """
import os
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, keras
x = np.random.rand(2048, 30, 80).astype("float32")
y = np.random.randint(0, 80, (2048, 30))
model = keras.Sequential([keras.Input((30, 80)), keras.layers.LSTM(128, return_sequences=True),
                          keras.layers.Dense(80, activation="softmax")])
model.compile("adam", "sparse_categorical_crossentropy")
model.fit(x, y, epochs=1, batch_size=64, verbose=0)
print("training", flush=True)
model.fit(x, y, epochs=100000, batch_size=64, verbose=0)
"""

_NUMPY_LOAD = """
import numpy as np
a = np.random.rand(300, 300)
print("busy", flush=True)
while True:
    a = np.tanh(a @ a.T / 300.0)
"""


class StampingPort(mido.ports.BaseOutput):
    """A fake output that records when each message arrived on the monotonic clock."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, mido.Message]] = []
        super().__init__(name="stamping")

    def _send(self, msg: mido.Message) -> None:
        self.arrivals.append((time.monotonic(), msg))


def sixteenths(messages: int) -> list[NoteEvent]:
    notes = messages // 2
    return [NoteEvent(i * 0.25, 0.125, 60 + i % 24, 90) for i in range(notes)]


def scheduled_times(events: list[NoteEvent], origin: float, tempo: float) -> list[float]:
    times = []
    for e in events:
        times.append(origin + beat_to_seconds(e.start_beat, tempo, SWING))
        times.append(origin + beat_to_seconds(e.end_beat, tempo, SWING))
    return sorted(times)


def note_arrivals(port: StampingPort) -> list[float]:
    return sorted(t for t, m in port.arrivals if m.type in ("note_on", "note_off"))


def run_player(
    events: list[NoteEvent], tempo: float, hybrid: bool, realtime: bool = True
) -> np.ndarray:
    port = StampingPort()
    wait: Callable[[threading.Event, float], bool] | None = None
    if not hybrid:
        wait = lambda event, timeout: event.wait(timeout)  # noqa: E731
    player = Player(port, wait=wait, realtime=realtime)
    player.play(events, tempo_bpm=tempo, swing=SWING, humanize=0)
    origin = player.beat_zero_time
    assert origin is not None
    player.wait()
    player.close()
    PRIORITIES.add(player.thread_priority)
    return np.array(note_arrivals(port)) - np.array(scheduled_times(events, origin, tempo))


def run_sleep_loop(events: list[NoteEvent], tempo: float) -> np.ndarray:
    port = StampingPort()
    origin = time.monotonic() + 0.05
    plan = sorted(
        [(beat_to_seconds(e.start_beat, tempo, SWING), 1, e) for e in events]
        + [(beat_to_seconds(e.end_beat, tempo, SWING), 0, e) for e in events],
        key=lambda item: (item[0], item[1]),
    )
    for offset, is_on, event in plan:
        delay = origin + offset - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        kind = "note_on" if is_on else "note_off"
        port.send(mido.Message(kind, note=event.pitch, velocity=event.velocity if is_on else 0))
    return np.array(note_arrivals(port)) - np.array(scheduled_times(events, origin, tempo))


def start_load(kind: str) -> list[subprocess.Popen]:
    script = _KERAS_LOAD if kind == "keras" else _NUMPY_LOAD
    count = 1 if kind == "keras" else 2  # TensorFlow already uses both cores
    loads = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(count)
    ]
    for load in loads:
        assert load.stdout is not None
        line = load.stdout.readline().strip()
        if not line:
            raise SystemExit(f"the {kind} load did not start (try --busy numpy)")
    return loads


def stop_load(loads: list[subprocess.Popen]) -> None:
    for load in loads:
        load.terminate()
        load.wait(timeout=30)


def row(method: str, condition: str, errors: np.ndarray) -> str:
    ms = np.abs(errors) * 1000.0
    p50, p99 = np.percentile(ms, [50, 99])
    cells = f"{len(ms):>6} | {p50:7.3f} | {p99:7.3f} | {ms.max():7.3f}"
    return f"| {method:<16} | {condition:<13} | {cells} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000, help="MIDI messages (2 per note)")
    parser.add_argument("--tempo", type=float, default=200.0)
    parser.add_argument("--busy", choices=["keras", "numpy"], default="keras")
    parser.add_argument(
        "--methods",
        default="hybrid,wait,normal,sleep",
        help="comma list of hybrid, wait, normal, sleep",
    )
    args = parser.parse_args()
    events = sixteenths(args.events)
    seconds = beat_to_seconds(events[-1].end_beat, args.tempo)
    methods = args.methods.split(",")
    print(
        f"{len(events) * 2} messages, sixteenths at {args.tempo:g} BPM, swing {SWING}, "
        f"{seconds:.0f} s per run; load: {args.busy}"
    )
    runners = {
        "hybrid": ("player (hybrid)", lambda: run_player(events, args.tempo, hybrid=True)),
        "wait": ("player (wait)", lambda: run_player(events, args.tempo, hybrid=False)),
        "normal": (
            "player (no prio)",
            lambda: run_player(events, args.tempo, hybrid=True, realtime=False),
        ),
        "sleep": ("sleep loop", lambda: run_sleep_loop(events, args.tempo)),
    }
    rows = []
    for condition in ("idle", f"{args.busy} load"):
        loads = start_load(args.busy) if condition != "idle" else []
        try:
            for key in methods:
                label, runner = runners[key]
                rows.append(row(label, condition, runner()))
                print(rows[-1], flush=True)
        finally:
            stop_load(loads)
    print()
    print(f"player thread priority granted: {', '.join(sorted(PRIORITIES))}")
    print("| method           | condition     |  count | p50 ms  | p99 ms  | max ms  |")
    print("|------------------|---------------|--------|---------|---------|---------|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
