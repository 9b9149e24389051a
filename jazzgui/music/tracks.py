"""The tracks of a solo file, how melodic each one looks, and which one carries the solo."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jazzgui.errors import InputFileError

log = logging.getLogger(__name__)

DRUM_CHANNEL = 9  # 0-based; General MIDI channel 10

# The register a solo line lives in (MIDI pitches): guitar, horns, vibes, flute, voice.
MELODY_LOW = 50
MELODY_HIGH = 90

# A note that starts at most this long (beats) before the previous one ends is legato, not
# a second voice: players overlap consecutive notes slightly.
LEGATO_OVERLAP = 0.125

# Hints in track or instrument names, with what they add to a track's score.
_MELODY_HINTS: tuple[tuple[str, str, float], ...] = (
    (r"solo", "solo", 2.0),
    (r"lead", "lead", 2.0),
    (r"melod", "melody", 2.0),
    (r"guit|gtr", "guitar", 1.5),
    (r"sax|alto|tenor|soprano|baritone", "sax", 1.5),
    (r"trumpet|tpt|flugel|cornet", "trumpet", 1.5),
    (r"trombone|tbn", "trombone", 1.2),
    (r"vibe|vibraphone|marimba|xylophone", "vibes", 1.5),
    (r"flute|piccolo|\bfl\b", "flute", 1.5),
    (r"clarinet|oboe|harmonica", "reed", 1.2),
    (r"voice|vocal|\bvox\b|sing", "voice", 1.2),
)
_ACCOMPANIMENT_HINTS: tuple[tuple[str, str, float], ...] = (
    (r"drum|kit|perc|cymbal|snare|kick|hi-?hat|ride|conga|shaker|tambourine|bongo", "drums", 4.0),
    (r"\bbass\b|\bbs\b|contrabass", "bass", 2.5),
    (r"piano|pno|keys|keyboard|rhodes|wurli|organ|clav|comp", "piano/comping", 1.5),
    (r"string|pad|choir|ensemble|\bstr\b", "strings/pad", 1.5),
)

# General MIDI program families (0-based program number ranges) and what they suggest.
_PROGRAM_HINTS: tuple[tuple[range, str, float], ...] = (
    (range(0, 8), "piano/comping", -0.75),
    (range(8, 11), "mallets", 0.3),
    (range(11, 14), "vibes", 0.75),
    (range(16, 24), "piano/comping", -0.75),
    (range(24, 32), "guitar", 0.75),
    (range(32, 40), "bass", -1.5),
    (range(40, 44), "strings", 0.0),
    (range(44, 56), "strings/pad", -0.75),
    (range(56, 60), "trumpet", 0.75),
    (range(60, 64), "brass section", -0.25),
    (range(64, 72), "sax", 0.75),
    (range(72, 80), "flute", 0.75),
    (range(80, 88), "synth lead", 0.5),
    (range(88, 104), "strings/pad", -0.75),
)

GM_PROGRAMS: tuple[str, ...] = (
    "Acoustic Grand Piano", "Bright Acoustic Piano", "Electric Grand Piano", "Honky-tonk Piano",
    "Electric Piano 1", "Electric Piano 2", "Harpsichord", "Clavinet", "Celesta", "Glockenspiel",
    "Music Box", "Vibraphone", "Marimba", "Xylophone", "Tubular Bells", "Dulcimer",
    "Drawbar Organ", "Percussive Organ", "Rock Organ", "Church Organ", "Reed Organ", "Accordion",
    "Harmonica", "Tango Accordion", "Acoustic Guitar (nylon)", "Acoustic Guitar (steel)",
    "Electric Guitar (jazz)", "Electric Guitar (clean)", "Electric Guitar (muted)",
    "Overdriven Guitar", "Distortion Guitar", "Guitar Harmonics", "Acoustic Bass",
    "Electric Bass (finger)", "Electric Bass (pick)", "Fretless Bass", "Slap Bass 1",
    "Slap Bass 2", "Synth Bass 1", "Synth Bass 2", "Violin", "Viola", "Cello", "Contrabass",
    "Tremolo Strings", "Pizzicato Strings", "Orchestral Harp", "Timpani", "String Ensemble 1",
    "String Ensemble 2", "Synth Strings 1", "Synth Strings 2", "Choir Aahs", "Voice Oohs",
    "Synth Choir", "Orchestra Hit", "Trumpet", "Trombone", "Tuba", "Muted Trumpet",
    "French Horn", "Brass Section", "Synth Brass 1", "Synth Brass 2", "Soprano Sax", "Alto Sax",
    "Tenor Sax", "Baritone Sax", "Oboe", "English Horn", "Bassoon", "Clarinet", "Piccolo",
    "Flute", "Recorder", "Pan Flute", "Blown Bottle", "Shakuhachi", "Whistle", "Ocarina",
    "Lead 1 (square)", "Lead 2 (sawtooth)", "Lead 3 (calliope)", "Lead 4 (chiff)",
    "Lead 5 (charang)", "Lead 6 (voice)", "Lead 7 (fifths)", "Lead 8 (bass + lead)",
    "Pad 1 (new age)", "Pad 2 (warm)", "Pad 3 (polysynth)", "Pad 4 (choir)", "Pad 5 (bowed)",
    "Pad 6 (metallic)", "Pad 7 (halo)", "Pad 8 (sweep)", "FX 1 (rain)", "FX 2 (soundtrack)",
    "FX 3 (crystal)", "FX 4 (atmosphere)", "FX 5 (brightness)", "FX 6 (goblins)",
    "FX 7 (echoes)", "FX 8 (sci-fi)", "Sitar", "Banjo", "Shamisen", "Koto", "Kalimba",
    "Bagpipe", "Fiddle", "Shanai", "Tinkle Bell", "Agogo", "Steel Drums", "Woodblock",
    "Taiko Drum", "Melodic Tom", "Synth Drum", "Reverse Cymbal", "Guitar Fret Noise",
    "Breath Noise", "Seashore", "Bird Tweet", "Telephone Ring", "Helicopter", "Applause",
    "Gunshot",
)  # fmt: skip


@dataclass(frozen=True)
class SourceNote:
    """A note as read from a file, in beats (quarter notes) from the start of the file."""

    start: float
    duration: float
    pitch: int
    velocity: int = 64

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass
class SourceTrack:
    """One voice of a file: a MIDI track (split by channel) or a MusicXML part."""

    index: int  # 0-based among the tracks that hold notes; what list_tracks shows
    name: str
    instrument: str = ""
    channel: int | None = None  # 0-based MIDI channel; None for MusicXML parts
    program: int | None = None  # 0-based General MIDI program
    notes: list[SourceNote] = field(default_factory=list)
    file_track: int | None = None  # the track number inside a MIDI file
    drums: bool = False

    @property
    def is_drums(self) -> bool:
        return self.drums or self.channel == DRUM_CHANNEL

    @property
    def label(self) -> str:
        return f"track {self.index} {self.name!r}"

    def notes_between(self, start: float, end: float) -> list[SourceNote]:
        """Notes whose onset lies in [start, end)."""
        return [n for n in self.notes if start <= n.start < end]


@dataclass(frozen=True)
class TrackInfo:
    """What the track list shows: a track, how melodic it looks and why."""

    index: int
    name: str
    instrument: str
    channel: int | None
    notes: int
    polyphony: float  # fraction of notes that start under another sounding note (0 = monophonic)
    score: float  # how likely this track carries the solo; the highest is picked
    reason: str
    low: int = 0  # register: 5th and 95th percentile pitches
    high: int = 0
    file_track: int | None = None


def program_name(program: int | None) -> str:
    """The General MIDI name of a 0-based program number ("" when unknown)."""
    if program is None or not 0 <= program < len(GM_PROGRAMS):
        return ""
    return GM_PROGRAMS[program]


def polyphony(notes: Sequence[SourceNote]) -> float:
    """Fraction of notes that start while another note still sounds (legato overlaps excused)."""
    if not notes:
        return 0.0
    ordered = sorted(notes, key=lambda n: (n.start, -n.pitch))
    overlapping = 0
    sounding_until = -1e18
    for note in ordered:
        if note.start < sounding_until - LEGATO_OVERLAP:
            overlapping += 1
        sounding_until = max(sounding_until, note.end)
    return overlapping / len(ordered)


def _percentile(sorted_values: Sequence[int], fraction: float) -> int:
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


def _name_hints(text: str) -> list[tuple[str, float]]:
    lowered = text.lower()
    hints = [
        (label, bonus) for pattern, label, bonus in _MELODY_HINTS if re.search(pattern, lowered)
    ]
    hints += [
        (label, -penalty)
        for pattern, label, penalty in _ACCOMPANIMENT_HINTS
        if re.search(pattern, lowered)
    ]
    return hints


def _program_hint(program: int | None) -> tuple[str, float] | None:
    if program is None:
        return None
    for programs, label, bonus in _PROGRAM_HINTS:
        if program in programs:
            return label, bonus
    return None


def describe_track(
    track: SourceTrack, window: tuple[float, float] | None, beats_per_bar: float
) -> TrackInfo:
    """Score how likely `track` carries the solo in `window` (beats; None = the whole file).

    The score adds up monophony (a solo is one line), register (melodic range), density
    (a solo plays many notes a bar) and what the track's name and instrument say.
    """
    notes = track.notes_between(*window) if window else list(track.notes)
    base = dict(
        index=track.index,
        name=track.name,
        instrument=track.instrument,
        channel=track.channel,
        notes=len(notes),
        file_track=track.file_track,
    )
    if track.is_drums:
        why = "drum channel (GM channel 10)" if track.channel == DRUM_CHANNEL else "drums"
        return TrackInfo(**base, polyphony=polyphony(notes), score=-10.0, reason=why)
    if not notes:
        return TrackInfo(**base, polyphony=0.0, score=-5.0, reason="no notes here")

    poly = polyphony(notes)
    pitches = sorted(n.pitch for n in notes)
    low, high = _percentile(pitches, 0.05), _percentile(pitches, 0.95)
    in_register = sum(MELODY_LOW <= p <= MELODY_HIGH for p in pitches) / len(pitches)
    if window:
        span = window[1] - window[0]
    else:
        span = max(n.end for n in notes) - min(n.start for n in notes)
    bars = max(1.0, span / max(beats_per_bar, 1.0))
    per_bar = len(notes) / bars
    # A solo line plays a few notes in most bars: 2 a bar scores half, 6 or more scores full.
    density = min(1.0, per_bar / 6.0)

    score = 4.0 * (1.0 - poly) + 2.0 * in_register + 1.5 * density
    reasons = [f"monophonic {100 * (1.0 - poly):.0f}%", f"register {low}-{high}"]
    reasons.append(f"{per_bar:.1f} notes a bar")
    if _median(pitches) < 48:
        score -= 1.5
        reasons.append("low register")

    # A General MIDI program name ("Percussive Organ", "Lead 3") speaks through the program
    # hints below; only names a person wrote are searched for words.
    written = track.instrument if track.instrument != program_name(track.program) else ""
    hints = _name_hints(f"{track.name} {written}")
    said = set()
    for label, bonus in hints:
        if label not in said:
            said.add(label)
            score += bonus
            reasons.append(f"name says {label}")
    program = _program_hint(track.program)
    if program and program[0] not in said:
        score += program[1]
        reasons.append(f"instrument is {track.instrument or program[0]}")
    return TrackInfo(
        **base,
        polyphony=poly,
        score=round(score, 3),
        reason=", ".join(reasons),
        low=low,
        high=high,
    )


def _median(values: Sequence[int]) -> float:
    mid = len(values) // 2
    return float(values[mid]) if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def describe_tracks(
    tracks: Sequence[SourceTrack], window: tuple[float, float] | None, beats_per_bar: float
) -> list[TrackInfo]:
    return [describe_track(t, window, beats_per_bar) for t in tracks]


def find_track(
    tracks: Sequence[SourceTrack], spec: int | str, path: Path, role: str = "melody"
) -> SourceTrack:
    """The track named by `spec`: an index as list_tracks numbers them, or part of a name."""
    listing = "; ".join(f"{t.index} {t.name!r}" for t in tracks) or "none"
    if isinstance(spec, str) and spec.strip().lstrip("-").isdigit():
        spec = int(spec.strip())
    if isinstance(spec, int):
        for track in tracks:
            if track.index == spec:
                return track
        raise InputFileError(
            path,
            f"there is no track {spec} to use as the {role}",
            f"Choose one of the tracks with notes by number or name: {listing}",
        )
    wanted = spec.strip().lower()
    matches = [t for t in tracks if wanted and wanted in f"{t.name} {t.instrument}".lower()]
    if not matches:
        raise InputFileError(
            path,
            f"no track name contains {spec!r} (for the {role})",
            f"Choose one of the tracks with notes by number or name: {listing}",
        )
    exact = [t for t in matches if t.name.strip().lower() == wanted]
    if exact:
        return exact[0]
    if len(matches) > 1:
        log.info("%s: %r matches %d tracks, using the first", path, spec, len(matches))
    return matches[0]


def pick_solo_track(
    tracks: Sequence[SourceTrack],
    path: Path,
    window: tuple[float, float] | None,
    beats_per_bar: float,
    override: int | str | None = None,
) -> tuple[SourceTrack, str]:
    """The track that carries the solo and, in words, why it was chosen."""
    infos = {info.index: info for info in describe_tracks(tracks, window, beats_per_bar)}
    if override is not None:
        track = find_track(tracks, override, path)
        info = infos[track.index]
        return track, f"{track.label}: chosen by you ({override!r}); {info.reason}"
    candidates = [t for t in tracks if not t.is_drums]
    if not candidates:
        raise InputFileError(
            path,
            "it holds only drum tracks (MIDI channel 10), no melody",
            "Use a file with a melody instrument such as guitar, sax, trumpet or piano",
        )
    if window is not None and not any(infos[t.index].notes for t in candidates):
        # Nothing plays in the chosen bars: name the track that carries the solo elsewhere,
        # so the "no notes in bars ..." error speaks of the melody, not of track 0.
        infos = {info.index: info for info in describe_tracks(tracks, None, beats_per_bar)}
    ranked = sorted(candidates, key=lambda t: (-infos[t.index].score, t.index))
    best = ranked[0]
    reason = f"{best.label}: {infos[best.index].reason}"
    if len(ranked) > 1:
        second = ranked[1]
        reason += (
            f" (score {infos[best.index].score:.1f}; next {second.label}"
            f" {infos[second.index].score:.1f})"
        )
    log.info("%s: melody %s", path, reason)
    return best, reason
