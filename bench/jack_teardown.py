"""How often closing JACK MIDI ports crashes the process, with and without JazzGUI's guard.

Usage: python bench/jack_teardown.py [CYCLES_PER_RUN] [RUNS]   (a JACK server must be running)

Each cycle does, back to back, what a play-along session and the program feeding it do in one
process: create the virtual input "JazzGUI In", open an output to it, close that output, close
the input.
jack2 walks a client's port list without a lock when the graph changes, so a port closed just
after another one can crash the whole process (a segmentation fault, as CI saw once). Runs
the cycles in fresh processes, raw (mido's close at once) and guarded (`close_port`, which
closes JACK ports one at a time once the graph has been still for JACK_SETTLE_S), and prints
the crashes of each out of the cycles run, and the time a cycle took.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CYCLES = """
import os, sys, mido
from jazzgui.playback.ports import JACK_BACKEND, close_port
guarded = sys.argv[1] == "guarded"
backend = mido.Backend(JACK_BACKEND)
for cycle in range(int(sys.argv[2])):
    name = f"JazzGUI In {os.getpid()}-{cycle}"
    midi_in = backend.open_input(name, virtual=True, callback=lambda message: None)
    (ours,) = [n for n in backend.get_output_names() if n.endswith(":" + name)]
    sender = backend.open_output(ours)
    for port in (sender, midi_in):
        close_port(port) if guarded else port.close()
    print(cycle + 1, flush=True)
"""


def run(mode: str, cycles: int, runs: int) -> tuple[int, int, float]:
    """(crashes, cycles done, seconds per cycle) over `runs` fresh processes."""
    crashes = done = 0
    began = time.monotonic()
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-c", CYCLES, mode, str(cycles)],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=30 * cycles + 60,
        )
        lines = result.stdout.split()
        done += int(lines[-1]) if lines else 0
        if result.returncode != 0:
            crashes += 1
    return crashes, done, (time.monotonic() - began) / max(done, 1)


def main() -> int:
    cycles = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    if subprocess.run(["jack_lsp"], capture_output=True).returncode != 0:
        print("JACK is not running: start it with `jackd -d dummy` first.")
        return 1
    print(f"{runs} processes x {cycles} cycles of open input, open output, close both")
    results = {mode: run(mode, cycles, runs) for mode in ("raw", "guarded")}
    for mode, (crashes, done, per_cycle) in results.items():
        print(f"  {mode:8s} {crashes} crashes in {done} cycles, {per_cycle * 1000:.0f} ms a cycle")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
