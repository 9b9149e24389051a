"""A lead sheet read from a solo file: the melody, its chords, meter, tempo, key and bars.

The readers (music/midi_reader.py with mido, music/musicxml_reader.py with music21) give a raw
score; here a track and bars are chosen from it and its melody, chords, key and tempo taken.
Every problem a person can cause becomes an InputFileError that names the file, what is wrong
and what to do.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from jazzgui.errors import InputFileError
from jazzgui.limits import MAX_BARS  # a lead sheet longer than this is damaged, not a solo
from jazzgui.music import chord_inference
from jazzgui.music.defaults import MIDI_SUFFIXES, SOLO_SUFFIXES
from jazzgui.music.events import MelodyNote
from jazzgui.music.midi_reader import read_midi
from jazzgui.music.musicxml_reader import read_musicxml
from jazzgui.music.progression import Progression
from jazzgui.music.score import EPS, BarGrid, Score, printable
from jazzgui.music.tracks import (
    LEGATO_OVERLAP,
    SourceNote,
    SourceTrack,
    TrackInfo,
    describe_tracks,
    find_track,
    pick_solo_track,
)

log = logging.getLogger(__name__)

__all__ = [
    "CHORD_SOURCES",
    "SUPPORTED_SUFFIXES",
    "LeadSheet",
    "TrackInfo",
    "list_tracks",
    "load_lead_sheet",
    "printable",
]

SUPPORTED_SUFFIXES = SOLO_SUFFIXES
CHORD_SOURCES = ("auto", "symbols", "accompaniment", "melody")

DEFAULT_TEMPO_BPM = 120.0  # what the MIDI standard assumes when a file sets no tempo

MIN_NOTE = 1 / 24  # shorter melody notes are strum or overlap fragments, not notes
GRACE_LENGTH = 0.25  # a zero-length note (grace note, broken note-off) gets a sixteenth
MIN_REST = 0.125  # a shorter silence between notes is articulation, not a rest


@dataclass
class LeadSheet:
    """A melody line with its chord progression; beats count from the first selected bar."""

    path: Path
    melody: list[MelodyNote]  # notes and rests in time order, no overlaps, beats from bar 1
    progression: Progression  # one entry per bar of the melody
    beats_per_bar: int = 4
    tempo_bpm: float = 120.0
    key: str = ""
    first_bar: int = 1  # 1-based number, in the file, of the sheet's first bar
    melody_track: str = ""  # which track or part the melody came from
    track_reason: str = ""  # why that track was picked
    chord_source: str = ""  # "symbols", "accompaniment" or "melody"
    notes: dict[str, str] = field(default_factory=dict)  # anything else worth reporting
    key_source: str = ""  # "key signature" or "estimated"
    meter: str = ""  # the time signature, e.g. "3/4"

    @property
    def bars(self) -> int:
        return len(self.progression)

    @property
    def last_bar(self) -> int:
        return self.first_bar + self.bars - 1

    @property
    def note_count(self) -> int:
        return sum(1 for n in self.melody if n.pitch is not None)


# --------------------------------------------------------------------------- reading files


def _check_suffix(path: Path) -> str:
    if not path.exists():
        what = "folder" if not path.suffix else "file"
        raise InputFileError(path, f"the {what} does not exist", "Check the name and folder")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputFileError(
            path,
            f"files ending in {suffix or '(nothing)'!r} are not solo files JazzGUI reads",
            "Use a MIDI file (.mid, .midi) or MusicXML (.xml, .mxl, .musicxml)",
        )
    return suffix


def _read_score(path: str | Path) -> Score:
    path = Path(path)
    suffix = _check_suffix(path)
    score = read_midi(path) if suffix in MIDI_SUFFIXES else read_musicxml(path)
    if not any(track.notes for track in score.tracks) and score.damaged:
        raise InputFileError(
            path,
            f"the MIDI data is damaged and no note could be read ({score.damaged})",
            "Export the file again from its source, or repair it in a MIDI editor",
        )
    if not any(track.notes for track in score.tracks):
        raise InputFileError(
            path, "it holds no notes", "Use a file with a solo in it (a melody track with notes)"
        )
    return score


# --------------------------------------------------------------------------- the lead sheet


def list_tracks(path: str | Path, bars: tuple[int, int] | None = None) -> list[TrackInfo]:
    """The tracks with notes, numbered as `track=` takes them, each scored as a solo candidate
    over the whole file or over `bars` (1-based, inclusive, as load_lead_sheet takes them)."""
    score = _read_score(path)
    selection = _check_bars(Path(path), bars, score.grid)
    window = None
    if selection is not None:
        window = (score.grid.bar_start(selection[0]), score.grid.bar_start(selection[1] + 1))
    return describe_tracks(score.tracks, window, _beats_per_bar_guess(score))


def _beats_per_bar_guess(score: Score) -> float:
    """Quarter notes a bar in the file's first meter (a pickup's length would mislead)."""
    first = score.grid.segments[0]
    return first.numerator * 4 / first.denominator


def _check_bars(path: Path, bars: Any, grid: BarGrid) -> tuple[int, int] | None:
    if bars is None:
        return None
    try:
        first, last = (int(b) for b in bars)
    except (TypeError, ValueError) as error:
        raise InputFileError(
            path, f"bars {bars!r} is not a range of bar numbers", "Give bars like 120-137"
        ) from error
    if first > last or first < min(grid.first_bar, 1):
        raise InputFileError(
            path,
            f"bars {first}-{last} is not a range of bars in the file",
            f"Give the first and last bar, from {grid.first_bar} on, e.g. 120-137",
        )
    if last - first + 1 > MAX_BARS:
        raise InputFileError(
            path,
            f"bars {first}-{last} are {last - first + 1} bars, more than {MAX_BARS}",
            "Choose a shorter range of bars",
        )
    return first, last


def _bars_played(track: SourceTrack, grid: BarGrid) -> str:
    if not track.notes:
        return "no bars"
    return f"bars {grid.bar_at(track.notes[0].start)}-{grid.bar_at(track.notes[-1].start)}"


def _monophonic_line(
    notes: Sequence[SourceNote], start: float, end: float
) -> list[tuple[float, float, int]]:
    """One voice from the notes starting in [start, end): the highest sounding note wins.

    A note that starts under a higher note which goes on sounding is a second voice and is
    dropped; otherwise a new note cuts the one before it (legato and overlaps).
    """
    early = 1 / 48  # a note played a hair before the first bar still belongs to it
    chosen = sorted(
        (n for n in notes if start - early <= n.start < end - early),
        key=lambda n: (n.start, -n.pitch),
    )
    line: list[list[float]] = []
    for note in chosen:
        s = max(note.start, start)
        length = note.duration if note.duration >= MIN_NOTE - EPS else GRACE_LENGTH
        e = min(s + length, end)
        if line:
            previous = line[-1]
            if s - previous[0] < MIN_NOTE - EPS:
                continue  # struck together with a higher note: a chord, keep its top
            if s < previous[1]:
                held = previous[1] - s
                if note.pitch < previous[2] and held > LEGATO_OVERLAP and held > (e - s) / 2:
                    continue
                previous[1] = s
        line.append([s, e, note.pitch])
    return [(s, e, int(p)) for s, e, p in line if e - s >= MIN_NOTE - EPS]


def _melody(notes: Sequence[SourceNote], start: float, end: float) -> list[MelodyNote]:
    """Notes and rests covering [start, end) exactly, in beats from `start`."""

    def rel(beat: float) -> float:
        return round(beat - start, 6)

    melody: list[MelodyNote] = []
    cursor = start
    for s, e, pitch in _monophonic_line(notes, start, end):
        gap = s - cursor
        if gap >= MIN_REST:
            melody.append(MelodyNote(rel(cursor), rel(s) - rel(cursor), None))
        elif gap > 0:
            if melody:  # a short silence is articulation: the note before holds on
                last = melody[-1]
                melody[-1] = MelodyNote(last.start_beat, rel(s) - last.start_beat, last.pitch)
            else:
                s = cursor
        melody.append(MelodyNote(rel(s), rel(e) - rel(s), pitch))
        cursor = e
    if end - cursor >= MIN_REST or not melody:
        melody.append(MelodyNote(rel(cursor), rel(end) - rel(cursor), None))
    elif end > cursor:
        last = melody[-1]
        melody[-1] = MelodyNote(last.start_beat, rel(end) - last.start_beat, last.pitch)
    return melody


def _cut_notes(
    notes: Sequence[SourceNote], start: float, end: float, beats_per_bar: int, last_bar: int
) -> list[str]:
    """A warning for melody notes held more than a bar past the bars read (a lost note-off):
    they are cut where the bars end, which changes the music, so the report says so."""
    cut = [n for n in notes if start - EPS <= n.start < end and n.end > end + beats_per_bar]
    if not cut:
        return []
    longest = max(n.duration for n in cut)
    return [
        f"{len(cut)} melody note{'s' if len(cut) > 1 else ''} held past the bars read "
        f"(the longest {longest:g} beats) cut at the end of bar {last_bar}"
    ]


def _in_window(notes: Sequence[SourceNote], start: float, end: float) -> list[SourceNote]:
    """Notes sounding in [start, end), clipped to it, in beats from `start`."""
    clipped = []
    for note in notes:
        s, e = max(note.start, start), min(note.end, end)
        if e > s and note.start < end:
            clipped.append(SourceNote(s - start, e - s, note.pitch, note.velocity))
    return clipped


def _chords(
    score: Score,
    chords: str,
    chord_track: int | str | None,
    melody_track: SourceTrack,
    melody: list[MelodyNote],
    window: tuple[float, float],
    n_bars: int,
    beats_per_bar: int,
) -> tuple[Progression, str, str]:
    """The progression, which source it came from, and a description of that source."""
    path = score.path
    start, end = window
    if chord_track is not None and chords == "auto":
        chords = "accompaniment"

    if chords in ("auto", "symbols"):
        relative = [(beat - start, chord) for beat, chord in score.symbols if beat < end - EPS]
        progression = chord_inference.chords_from_symbols(relative, n_bars, beats_per_bar)
        if progression is not None:
            return progression, "symbols", f"{len(score.symbols)} chord symbols in the file"
        if chords == "symbols":
            raise InputFileError(
                path,
                "it has no chord symbols before or in the selected bars",
                "Let JazzGUI infer the chords (chords 'auto', 'accompaniment' or 'melody')",
            )

    if chords in ("auto", "accompaniment"):
        if chord_track is not None:
            sources = [find_track(score.tracks, chord_track, path, role="chords")]
        else:
            sources = [t for t in score.tracks if t is not melody_track and not t.is_drums]
        notes = [n for track in sources for n in _in_window(track.notes, start, end)]
        progression = chord_inference.chords_from_accompaniment(notes, n_bars, beats_per_bar)
        if progression is not None:
            if len(sources) == 1:
                described = f"inferred from {sources[0].label}"
            else:
                described = f"inferred from {len(sources)} accompaniment tracks"
            return progression, "accompaniment", described
        if chords == "accompaniment":
            which = sources[0].label if chord_track is not None else "no accompaniment track"
            raise InputFileError(
                path,
                f"{which} plays no notes in the selected bars, so no chords can be inferred",
                "Choose another chord track, or let JazzGUI infer the chords from the melody",
            )

    progression = chord_inference.chords_from_melody(melody, n_bars, beats_per_bar)
    if progression is None:
        raise InputFileError(
            path, "the selected bars hold no notes", "Choose bars where the solo plays"
        )
    return progression, "melody", "inferred from the melody, one chord a bar"


def _key(score: Score, start: float, end: float) -> tuple[str, str]:
    before = [name for beat, name in score.keys if beat <= start + EPS]
    inside = [name for beat, name in score.keys if start < beat < end]
    if before or inside:
        return (before[-1] if before else inside[0]), "key signature"
    profile = np.zeros(12)
    for track in score.tracks:
        if not track.is_drums:
            profile += chord_inference.pitch_class_profile(track.notes, start, end)
    estimated = chord_inference.estimate_key(profile)
    return (estimated or ""), ("estimated" if estimated else "unknown")


def _tempo(score: Score, start: float) -> tuple[float, str]:
    before = [bpm for beat, bpm in score.tempos if beat <= start + EPS]
    if before:
        return before[-1], "tempo in the file"
    return DEFAULT_TEMPO_BPM, f"no tempo set before the first bar; {DEFAULT_TEMPO_BPM:g} assumed"


def load_lead_sheet(
    path: str | Path,
    track: int | str | None = None,
    bars: tuple[int, int] | None = None,
    chords: str = "auto",
    chord_track: int | str | None = None,
) -> LeadSheet:
    """Read a solo from a MIDI or MusicXML file as a lead sheet.

    `track` overrides the automatic solo-track pick (an index as list_tracks numbers the
    tracks, or part of a track name); `bars` selects bars (1-based, inclusive, as the file
    numbers them; default: the bars the solo plays in); `chords` forces where the chords come
    from ("auto", "symbols", "accompaniment", "melody"); `chord_track` names the one track to
    infer them from. Raises InputFileError, with advice, for anything wrong with the file.
    """
    path = Path(path)
    if chords not in CHORD_SOURCES:
        raise InputFileError(
            path, f"{chords!r} is not a source of chords", f"Use one of {', '.join(CHORD_SOURCES)}"
        )
    score = _read_score(path)
    grid = score.grid
    selection = _check_bars(path, bars, grid)
    window = None
    if selection is not None:
        window = (grid.bar_start(selection[0]), grid.bar_start(selection[1] + 1))
    melody_track, reason = pick_solo_track(
        score.tracks, path, window, _beats_per_bar_guess(score), override=track
    )
    if selection is None:
        if not melody_track.notes:
            raise InputFileError(path, f"{melody_track.label} has no notes", "Choose another track")
        selection = (
            grid.bar_at(melody_track.notes[0].start),
            grid.bar_at(max(n.start for n in melody_track.notes)),
        )
        if selection[1] - selection[0] + 1 > MAX_BARS:
            raise InputFileError(
                path,
                f"the solo spans {selection[1] - selection[0] + 1} bars, more than {MAX_BARS}",
                "Choose the bars to read (for example bars 1-64)",
            )
    first, last = selection

    meters = grid.meters(first, last)
    numerator, denominator = meters.most_common(1)[0][0]
    bar_length = numerator * 4 / denominator
    if abs(bar_length - round(bar_length)) > EPS:
        raise InputFileError(
            path,
            f"bars {first}-{last} are in {numerator}/{denominator}, whose bars are "
            f"{bar_length:g} quarter notes long",
            "JazzGUI reads meters whose bars hold whole beats (2/4, 3/4, 4/4, 5/4, 6/8, 12/8); "
            "choose bars in such a meter",
        )
    beats_per_bar = round(bar_length)
    start = grid.bar_start(first)
    end = grid.bar_start(last + 1)
    if grid.bar_length(first) < beats_per_bar - EPS:
        # A pickup (short first bar): its notes end where the next full bar begins.
        start = grid.bar_start(first + 1) - beats_per_bar
    n_bars = max(1, math.ceil((end - start) / beats_per_bar - EPS))
    end = start + n_bars * beats_per_bar

    melody = _melody(melody_track.notes, start, end)
    if not any(n.pitch is not None for n in melody):
        raise InputFileError(
            path,
            f"{melody_track.label} has no notes in bars {first}-{last}",
            f"It plays in {_bars_played(melody_track, grid)}; choose bars there or another track",
        )
    progression, chord_source, chord_text = _chords(
        score, chords, chord_track, melody_track, melody, (start, end), n_bars, beats_per_bar
    )
    key, key_source = _key(score, start, end)
    tempo_bpm, tempo_text = _tempo(score, start)
    notes = {"chords": chord_text, "tempo": tempo_text, "format": score.kind}
    if len(meters) > 1:
        notes["meter"] = (
            f"the meter changes in bars {first}-{last}; read as {numerator}/{denominator} bars"
        )
    warnings = [*score.warnings, *_cut_notes(melody_track.notes, start, end, beats_per_bar, last)]
    if warnings:
        notes["warnings"] = "; ".join(warnings)
    sheet = LeadSheet(
        path=path,
        melody=melody,
        progression=progression,
        beats_per_bar=beats_per_bar,
        tempo_bpm=round(tempo_bpm, 3),
        key=key,
        first_bar=first,
        melody_track=melody_track.label,
        track_reason=reason,
        chord_source=chord_source,
        notes=notes,
        key_source=key_source,
        meter=f"{numerator}/{denominator}",
    )
    log.info(
        "%s: %d bars from bar %d, %d notes, chords %s, key %s (%s)",
        path,
        sheet.bars,
        first,
        sheet.note_count,
        chord_source,
        key,
        key_source,
    )
    return sheet
