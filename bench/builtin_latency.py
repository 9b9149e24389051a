"""Note-to-sound latency of the built-in synth: a note sent to its port vs its onset on the sink.

Needs the PulseAudio server of tests/run_all.sh (null sink "speakers" as default output). A
reader thread timestamps every block `parec` delivers from the sink's monitor, so each recorded
sample has a wall-clock time; a note is sent every 0.6 s and its latency is the time of the first
sample above the noise floor after the send minus the send time (an upper bound: it includes
parec's own capture latency, set to 2 ms). Runs idle, then while `jazzgui train` runs on the
reference data (both cores busy). Engines: JazzGUI's own voices and the SoundFont found.
Run: python bench/builtin_latency.py [--notes 30]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import mido
import numpy as np

from jazzgui.playback.audio_out import LiveAudio
from jazzgui.playback.soundfont import NO_SOUNDFONT, engine_factory

RATE = 44100
SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed-data" / "original_metheny.mid"


class Monitor:
    """parec on speakers.monitor; (sample index, arrival time) of every block read."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            ["parec", "-d", "speakers.monitor", "--format=s16le", f"--rate={RATE}",
             "--channels=1", "--latency-msec=2"],
            stdout=subprocess.PIPE,
        )  # fmt: skip
        self.chunks: list[tuple[float, bytes]] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        while chunk := self.proc.stdout.read1(4096):
            self.chunks.append((time.perf_counter(), chunk))

    def stop(self) -> tuple[np.ndarray, np.ndarray]:
        self.proc.terminate()
        self.thread.join(timeout=5)
        samples, times, count = [], [], 0
        for arrived, chunk in self.chunks:
            data = np.frombuffer(chunk[: len(chunk) // 2 * 2], dtype="<i2") / 32768.0
            count += data.size
            # The last sample of a block arrived when the block did.
            times.append(arrived - (data.size - 1 - np.arange(data.size)) / RATE)
            samples.append(data)
        return np.concatenate(samples), np.concatenate(times)


def measure(choice: str, notes: int) -> list[float]:
    factory, _ = engine_factory(choice)
    audio = LiveAudio(factory)
    if not audio.start():
        sys.exit(audio.problem)
    port = audio.open_port()
    monitor = Monitor()
    time.sleep(0.5)
    sent = []
    for i in range(notes):
        sent.append(time.perf_counter())
        port.send(mido.Message("note_on", note=60 + i % 12, velocity=110, channel=1))
        time.sleep(0.3)
        port.send(mido.Message("control_change", control=120, value=0, channel=1))
        time.sleep(0.3)
    time.sleep(0.3)
    samples, times = monitor.stop()
    port.close()
    audio.stop()
    latencies = []
    for t in sent:
        window = np.nonzero((times >= t) & (times < t + 0.3))[0]
        loud = window[np.abs(samples[window]) > 0.01]
        if loud.size:
            latencies.append((times[loud[0]] - t) * 1000.0)
    return latencies


def _row(label: str, ms: list[float], notes: int) -> None:
    a = np.array(ms)
    print(
        f"{label:<34} heard {a.size:>3}/{notes}  median {np.median(a):6.1f} ms  "
        f"p95 {np.percentile(a, 95):6.1f} ms  max {a.max():6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=30)
    args = parser.parse_args()
    engines = [("own voices", NO_SOUNDFONT), (engine_factory("")[1], "")]
    for label, choice in engines:
        _row(f"{label}, idle", measure(choice, args.notes), args.notes)
    with tempfile.TemporaryDirectory() as folder:
        train = subprocess.Popen(
            [sys.executable, "-c", "import sys; from jazzgui.cli import main; sys.exit(main())",
             "train", str(SEED), "-o", os.path.join(folder, "m.jazzmodel"), "--epochs", "200"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(15)  # TensorFlow loaded and epochs running
        try:
            for label, choice in engines:
                _row(f"{label}, while training", measure(choice, args.notes), args.notes)
        finally:
            train.terminate()
            train.wait()


if __name__ == "__main__":
    main()
