"""Reading a large corpus: 1,000 generated MIDI files (32 bars of rhythm changes each), cold with
1 and with every core, then again from the cache; files/s and the readers' peak memory.

The files are generated into a temporary folder (never committed), and the cache is a fresh
temporary folder too (JAZZGUI_CACHE_DIR), so "cold" means cold. Targets (issue 14): cold
<= 60 s, from the cache <= 5 s, on a 2-core machine.
Run: python bench/corpus_read.py [--files 1000] [--single 100]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import tempfile
import time
from pathlib import Path

import mido

from jazzgui.music.corpus import build_corpus
from jazzgui.music.corpus_reader import ReadStats, default_workers

# Rhythm changes in Bb, two chords a bar: (root pitch class, chord tones above the root).
_MAJ7, _DOM7, _MIN7 = (0, 4, 7, 11), (0, 4, 7, 10), (0, 3, 7, 10)
_A = [(10, _MAJ7), (7, _DOM7), (0, _MIN7), (5, _DOM7)] * 3 + [
    (5, _MIN7), (10, _DOM7), (3, _MAJ7), (8, _DOM7), (2, _MIN7), (7, _DOM7), (0, _MIN7), (5, _DOM7)
]  # fmt: skip
_BRIDGE = [(2, _DOM7)] * 4 + [(7, _DOM7)] * 4 + [(0, _DOM7)] * 4 + [(5, _DOM7)] * 4
FORM = _A + _A + _BRIDGE + _A  # 64 half bars: 32 bars


def solo_file(path: Path, seed: int) -> None:
    """A sax line of chord and passing tones over comping piano and walking bass."""
    rng = random.Random(seed)
    tpb = 480
    midi = mido.MidiFile(type=1, ticks_per_beat=tpb)
    conductor = mido.MidiTrack(
        [
            mido.MetaMessage("time_signature", numerator=4, denominator=4),
            mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(rng.choice([160, 180, 200, 220]))),
        ]
    )
    sax = [(0, 65)]  # (channel, program) per track
    tracks: dict[str, list[tuple[int, int, int]]] = {"Sax": [], "Piano": [], "Bass": []}
    pitch = 70
    for half, (root, tones) in enumerate(FORM):
        start = half * 2 * tpb
        for pitch_class in tones:
            tracks["Piano"].append((start, tpb * 2 - 20, 48 + (root + pitch_class) % 12))
        for beat in range(2):
            tracks["Bass"].append((start + beat * tpb, tpb - 10, 36 + (root + 7 * beat) % 12))
        for eighth in range(4):
            if rng.random() < 0.1:
                continue  # a rest
            target = 60 + (root + rng.choice(tones)) % 12 + 12 * rng.randint(0, 1)
            pitch = target if rng.random() < 0.7 else pitch + rng.choice([-2, -1, 1, 2])
            tracks["Sax"].append((start + eighth * tpb // 2, tpb // 2 - 10, pitch))
    midi.tracks.append(conductor)
    for (name, notes), (channel, program) in zip(tracks.items(), [*sax, (1, 0), (2, 32)]):
        events = [(0, mido.MetaMessage("track_name", name=name))]
        events.append((0, mido.Message("program_change", channel=channel, program=program)))
        for start, length, note in notes:
            events.append((start, mido.Message("note_on", channel=channel, note=note, velocity=90)))
            events.append((start + length, mido.Message("note_off", channel=channel, note=note)))
        events.sort(key=lambda item: (item[0], item[1].type == "note_on"))
        track, now = mido.MidiTrack(), 0
        for tick, message in events:
            track.append(message.copy(time=tick - now))
            now = tick
        midi.tracks.append(track)
    midi.save(str(path))


def timed_read(folder: Path, workers: int, limit: int | None = None) -> tuple[ReadStats, int]:
    paths = sorted(folder.glob("*.mid"))[:limit]
    stats = ReadStats()
    corpus = build_corpus(paths, workers=workers, stats=stats)
    return stats, corpus.bar_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--single", type=int, default=100, help="files read with 1 process")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jazzgui-bench-") as root:
        folder = Path(root) / "solos"
        folder.mkdir()
        started = time.perf_counter()
        for index in range(args.files):
            solo_file(folder / f"solo{index:04}.mid", index)
        print(f"generated {args.files} files in {time.perf_counter() - started:.1f} s")
        cores = default_workers()
        rows = []
        for label, workers, limit in [
            ("cold, 1 process", 1, args.single),
            (f"cold, {cores} processes", cores, args.single),
            (f"cold, {cores} processes", cores, None),
            (f"from the cache, {cores} processes", cores, None),
        ]:
            if not label.startswith("from the cache"):
                os.environ["JAZZGUI_CACHE_DIR"] = tempfile.mkdtemp(dir=root)  # a cold cache
            stats, bars = timed_read(folder, workers, limit)
            rows.append((label, stats, bars))
    print(f"\n{'':<34}{'files':>7}{'bars':>8}{'wall s':>9}{'files/s':>9}{'reader MB':>11}")
    for label, stats, bars in rows:
        rate = stats.files / max(stats.seconds, 1e-9)
        print(
            f"{label:<34}{stats.files:>7}{bars:>8}{stats.seconds:>9.2f}{rate:>9.1f}"
            f"{stats.worker_peak_mb or _own_peak_mb():>11.0f}"
        )
    single, parallel = rows[0][1], rows[1][1]
    print(
        f"\nscaling with cores: {single.files / single.seconds:.1f} files/s with 1 process, "
        f"{parallel.files / parallel.seconds:.1f} with {cores} "
        f"({single.seconds / parallel.seconds:.2f}x); targets: {args.files} files cold <= 60 s "
        f"(got {rows[2][1].seconds:.1f}), from the cache <= 5 s (got {rows[3][1].seconds:.2f})"
    )
    print("(reader MB: peak resident memory of one reading process; 1 process: this one)")


def _own_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
