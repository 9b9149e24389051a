"""Small MIDI files built with mido for the lead-sheet tests (written into tmp_path)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import mido

# Chord tones (MIDI pitches) of a ii-V-I in C, as a pianist might voice them.
DM7 = (50, 53, 57, 60)
G7 = (43, 53, 59, 62)
CMAJ7 = (48, 52, 55, 59)


@dataclass
class Part:
    """One track: a name, a channel, an optional program and (start, duration, pitch) notes."""

    name: str
    channel: int
    notes: Sequence[tuple[float, float, int]]
    program: int | None = None
    texts: Sequence[tuple[float, str, str]] = field(default_factory=tuple)


def _events(part: Part, tpb: int) -> mido.MidiTrack:
    timed: list[tuple[int, int, mido.Message | mido.MetaMessage]] = []
    for beat, kind, text in part.texts:
        timed.append((round(beat * tpb), 0, mido.MetaMessage(kind, text=text)))
    for start, duration, pitch in part.notes:
        on, off = round(start * tpb), round((start + duration) * tpb)
        timed.append(
            (on, 2, mido.Message("note_on", channel=part.channel, note=pitch, velocity=80))
        )
        timed.append((off, 1, mido.Message("note_off", channel=part.channel, note=pitch)))
    timed.sort(key=lambda item: (item[0], item[1]))
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("track_name", name=part.name))
    if part.program is not None:
        track.append(mido.Message("program_change", channel=part.channel, program=part.program))
    now = 0
    for tick, _, message in timed:
        track.append(message.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track"))
    return track


def build_midi(
    parts: Iterable[Part],
    *,
    tpb: int = 96,
    meters: Sequence[tuple[float, int, int]] = ((0, 4, 4),),
    tempos: Sequence[tuple[float, float]] = ((0, 120),),
    key: str | None = "C",
    texts: Sequence[tuple[float, str, str]] = (),
) -> mido.MidiFile:
    """A type-1 file: a conductor track (meter, tempo, key, texts), then one track a part."""
    midi = mido.MidiFile(type=1, ticks_per_beat=tpb)
    conductor: list[tuple[int, mido.MetaMessage]] = []
    for beat, numerator, denominator in meters:
        conductor.append(
            (
                round(beat * tpb),
                mido.MetaMessage("time_signature", numerator=numerator, denominator=denominator),
            )
        )
    for beat, bpm in tempos:
        conductor.append(
            (round(beat * tpb), mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm)))
        )
    if key is not None:
        conductor.append((0, mido.MetaMessage("key_signature", key=key)))
    for beat, kind, text in texts:
        conductor.append((round(beat * tpb), mido.MetaMessage(kind, text=text)))
    conductor.sort(key=lambda item: item[0])
    track = mido.MidiTrack()
    now = 0
    for tick, message in conductor:
        track.append(message.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track"))
    midi.tracks.append(track)
    for part in parts:
        midi.tracks.append(_events(part, tpb))
    return midi


def save(midi: mido.MidiFile, path: Path) -> Path:
    midi.save(str(path))
    return path


def scale_line(
    bars: int, beats_per_bar: int, first_pitch: int = 62
) -> list[tuple[float, float, int]]:
    """A monophonic line of eighth notes with a quarter rest at the end of every bar."""
    notes = []
    pitches = [first_pitch, first_pitch + 2, first_pitch + 3, first_pitch + 5, first_pitch + 7]
    for bar in range(bars):
        for i in range((beats_per_bar - 1) * 2):
            notes.append((bar * beats_per_bar + i * 0.5, 0.5, pitches[(bar + i) % len(pitches)]))
    return notes


def block_chords(
    voicings: Sequence[Sequence[int]], beats_per_bar: int = 4
) -> list[tuple[float, float, int]]:
    """One voicing held for a whole bar, bar after bar."""
    return [
        (bar * beats_per_bar, float(beats_per_bar), pitch)
        for bar, voicing in enumerate(voicings)
        for pitch in voicing
    ]


def band_file(path: Path, **options: object) -> Path:
    """Guitar solo (track 0), piano ii-V-I comping (track 1), bass and drums; 4/4 by default."""
    bars = 3
    parts = [
        Part("Guitar", 0, scale_line(bars, 4), program=26),
        Part("Piano", 1, block_chords([DM7, G7, CMAJ7]), program=0),
        Part("Bass", 2, [(0, 4, 38), (4, 4, 31), (8, 4, 36)], program=32),
        Part("Drums", 9, [(b * 1.0, 0.25, 42) for b in range(bars * 4)]),
    ]
    return save(build_midi(parts, **options), path)  # type: ignore[arg-type]
