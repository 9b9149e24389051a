"""Note-to-sound latency of the built-in synth: a note sent to its port vs its onset on the sink.

Needs the PulseAudio server of tests/run_all.sh (null sink "speakers" as default output). Notes
are sent from a thread at the priority the app's player thread asks for (realtime where
allowed), one every 0.6 s, each silenced 0.3 s later. `parec` records the sink's monitor; a
reader thread timestamps the blocks it delivers, which gives every recorded sample a wall-clock
time. A note's latency is the time of its first sample above the noise floor minus the time it
was sent (an upper bound: it includes parec's own capture latency, set to 5 ms); a note first
heard only after its note-off was sent counts as not heard. Runs on the machine as it is, then
while `jazzgui train` runs on the reference data. Gaps: 10 ms frames of a held 2.6 s sax note
whose level falls below a third of the note's median (an underrun is heard as one). Engines:
JazzGUI's own voices and the SoundFont found.
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
from jazzgui.playback.player import raise_thread_priority
from jazzgui.playback.soundfont import NO_SOUNDFONT, engine_factory

RATE = 44100
SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed-data" / "original_metheny.mid"


class Monitor:
    """parec on speakers.monitor; (sample index, arrival time) of every block read."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            ["parec", "-d", "speakers.monitor", "--format=s16le", f"--rate={RATE}",
             "--channels=1", "--latency-msec=5"],
            stdout=subprocess.PIPE,
        )  # fmt: skip
        self.chunks: list[tuple[float, bytes]] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        raise_thread_priority()  # a reader kept waiting would let parec drop samples
        assert self.proc.stdout is not None
        while chunk := self.proc.stdout.read1(65536):
            self.chunks.append((time.perf_counter(), chunk))

    def wait_ready(self) -> None:
        """Until parec delivers (it takes a moment to connect), then a little more."""
        deadline = time.perf_counter() + 10.0
        while not self.chunks and time.perf_counter() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)

    def stop(self) -> tuple[np.ndarray, np.ndarray]:
        """The samples and the wall-clock time of each.

        The recording is continuous, so sample k sounded at t0 + k / RATE. t0 comes from the
        block that arrived soonest after its last sample (the least delayed reading), so a
        reader thread kept waiting by a busy machine does not make notes look late.
        """
        self.proc.terminate()
        self.thread.join(timeout=5)
        samples, t0, count = [], float("inf"), 0
        for arrived, chunk in self.chunks:
            data = np.frombuffer(chunk[: len(chunk) // 2 * 2], dtype="<i2") / 32768.0
            count += data.size
            t0 = min(t0, arrived - count / RATE)
            samples.append(data)
        signal = np.concatenate(samples)
        return signal, t0 + np.arange(signal.size) / RATE


def _send_notes(port: mido.ports.BaseOutput, notes: int, sent: list, released: list) -> None:
    raise_thread_priority()  # as the player's thread, which sends the notes in the app
    for i in range(notes):
        sent.append(time.perf_counter())
        port.send(mido.Message("note_on", note=60 + i % 12, velocity=110, channel=1))
        time.sleep(0.3)
        released.append(time.perf_counter())
        port.send(mido.Message("control_change", control=120, value=0, channel=1))
        time.sleep(0.3)


def measure(choice: str, notes: int) -> list[float]:
    factory, _ = engine_factory(choice)
    audio = LiveAudio(factory)
    if not audio.start():
        sys.exit(audio.problem)
    port = audio.open_port()
    monitor = Monitor()
    monitor.wait_ready()
    sent: list[float] = []
    released: list[float] = []
    sender = threading.Thread(target=_send_notes, args=(port, notes, sent, released))
    sender.start()
    sender.join()
    time.sleep(0.3)
    samples, times = monitor.stop()
    port.close()
    audio.stop()
    latencies = []
    for t, off in zip(sent, released):
        window = np.nonzero((times >= t) & (times < off))[0]
        loud = window[np.abs(samples[window]) > 0.01]
        if loud.size:
            latencies.append((times[loud[0]] - t) * 1000.0)
    return latencies


def dropouts(choice: str, hold_s: float = 3.0) -> int:
    """10 ms frames of a held sax note that fall below a third of its median level: gaps."""
    factory, _ = engine_factory(choice)
    audio = LiveAudio(factory)
    if not audio.start():
        sys.exit(audio.problem)
    port = audio.open_port()
    monitor = Monitor()
    monitor.wait_ready()
    port.send(mido.Message("program_change", program=65, channel=0))
    start = time.perf_counter()
    port.send(mido.Message("note_on", note=70, velocity=100, channel=0))
    time.sleep(hold_s)
    port.send(mido.Message("note_off", note=70, channel=0))
    time.sleep(0.3)
    samples, times = monitor.stop()
    port.close()
    audio.stop()
    held = samples[(times >= start + 0.3) & (times < start + hold_s - 0.1)]
    frame = RATE // 100
    rms = np.sqrt(np.mean(held[: held.size // frame * frame].reshape(-1, frame) ** 2, axis=1))
    return int(np.sum(rms < np.median(rms) / 3))


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
        print(f"{label}, idle: {dropouts(choice)} gaps of 10 ms in a 2.6 s held note")
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
                print(f"{label}, while training: {dropouts(choice)} gaps of 10 ms in a 2.6 s note")
        finally:
            train.terminate()
            train.wait()


if __name__ == "__main__":
    main()
