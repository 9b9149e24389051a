"""Time to read the reference MIDI file as a lead sheet, ours against the reference's method.

Ours: load_lead_sheet (mido; beats from ticks) for the reference selection (guitar, chords
from the piano, bars 120-137), for the whole file with automatic choices, and list_tracks.
Reference: music21's converter.parse of the same file, the first step of the reference's
reading (before it picks parts, merges voices and groups measures), with music21's parse
cache off so each run really parses.
Run: python bench/leadsheet_load.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from jazzgui.music.leadsheet import list_tracks, load_lead_sheet

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "seed-data" / "original_metheny.mid"


def _timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def _music21_parse() -> object:
    from music21 import converter

    return converter.parse(str(REFERENCE), forceSource=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per method (default 5)")
    args = parser.parse_args()
    rows = [
        (
            "ours: load_lead_sheet, bars 120-137, chords from the piano",
            lambda: load_lead_sheet(REFERENCE, bars=(120, 137), chord_track="piano"),
        ),
        ("ours: load_lead_sheet, whole file, automatic", lambda: load_lead_sheet(REFERENCE)),
        ("ours: list_tracks", lambda: list_tracks(REFERENCE)),
    ]
    import music21  # noqa: F401  (imported before timing: the reference pays this once too)

    rows.append(("reference: music21 converter.parse (first step only)", _music21_parse))
    print(f"{'method':<62} {'median s':>9} {'best s':>8}")
    for name, action in rows:
        median, best = _timed(action, args.repeat)
        print(f"{name:<62} {median:>9.3f} {best:>8.3f}")


if __name__ == "__main__":
    main()
