"""Reading MusicXML (.xml, .musicxml, .mxl) into a raw score with music21, flattened part by
part, so reading does not depend on how a file nests parts, measures and voices; chord symbols
are taken by their kind and alterations, else from their pitches."""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path
from typing import Any

from jazzgui.errors import ChordSymbolError, InputFileError
from jazzgui.music import chord_inference
from jazzgui.music.chords import Chord, parse_chord
from jazzgui.music.score import (
    EPS,
    BarGrid,
    Score,
    Segment,
    grid_from_meters,
    printable,
    read_bytes,
    valid_meter,
)
from jazzgui.music.tracks import SourceNote, SourceTrack

log = logging.getLogger(__name__)


# MusicXML chord kinds (as music21 names them) -> JazzGUI quality suffixes.
_KIND_SUFFIX = {
    "major": "", "minor": "m", "augmented": "aug", "diminished": "dim",
    "dominant-seventh": "7", "dominant": "7", "major-seventh": "maj7",
    "minor-major-seventh": "mmaj7", "minor-seventh": "m7", "augmented-seventh": "7#5",
    "half-diminished-seventh": "m7b5", "half-diminished": "m7b5",
    "diminished-seventh": "dim7", "major-sixth": "6", "minor-sixth": "m6",
    "major-ninth": "maj9", "dominant-ninth": "9", "minor-major-ninth": "mmaj7",
    "minor-ninth": "m9", "half-diminished-ninth": "m7b5", "dominant-11th": "9sus4",
    "major-11th": "maj9", "minor-11th": "m11", "major-13th": "maj9", "dominant-13th": "13",
    "minor-13th": "m9", "suspended-fourth": "sus4", "suspended-fourth-seventh": "7sus4",
    "suspended-second": "sus2",
    "power": "", "pedal": "",
}  # fmt: skip

# (quality suffix, altered degree, semitones) -> the JazzGUI quality with that alteration.
_ALTERED = {
    ("7", 9, -1): "7b9", ("7", 9, 1): "7#9", ("7", 11, 1): "7#11", ("7", 5, -1): "7#11",
    ("7", 13, -1): "7b13", ("7", 5, 1): "7#5", ("9", 11, 1): "9#11", ("13", 9, -1): "13b9",
    ("maj7", 11, 1): "maj7#11", ("maj9", 11, 1): "maj7#11", ("m7", 5, -1): "m7b5",
    ("7sus4", 9, 0): "9sus4",
}  # fmt: skip


def _music21_pitch_class_name(name: str) -> str:
    return name.replace("-", "b")


def _spelled_step(suffix: str, step_type: str, degree: int, semitones: float) -> str | None:
    """A degree step written onto a quality (13 + add 11 +1 -> 13#11), for parse_chord to
    judge; None for a step no chord symbol spells (subtract, a whole-tone alteration)."""
    if step_type not in ("add", "alter") or abs(semitones) > 1 or semitones != int(semitones):
        return None
    if not semitones:
        return suffix + f"add{degree}" if step_type == "add" else suffix
    return f"{suffix}{'b' if semitones < 0 else '#'}{degree}"


def _chord_from_symbol(symbol: Any) -> Chord | None:
    """A music21 ChordSymbol as a JazzGUI chord: by its kind, else from its pitches."""
    try:
        root = symbol.root()
    except Exception:  # a symbol music21 could not realise
        root = None
    if root is None:
        return None
    suffix = _KIND_SUFFIX.get(symbol.chordKind)
    for modification in symbol.chordStepModifications:
        semitones = modification.interval.semitones if modification.interval else 0
        altered = _ALTERED.get((suffix, modification.degree, int(semitones)))
        if altered is None and suffix is not None:
            altered = _spelled_step(suffix, modification.modType, modification.degree, semitones)
        # An alteration no jazz quality here spells: let the sounding pitches decide.
        suffix = None if altered is None else altered
    if suffix is not None:
        text = _music21_pitch_class_name(root.name) + suffix
        try:
            bass = symbol.bass()
            if bass is not None and bass.pitchClass != root.pitchClass:
                text += "/" + _music21_pitch_class_name(bass.name)
        except Exception:  # no bass given: the root is the bass
            pass
        try:
            return parse_chord(text)
        except ChordSymbolError:
            log.debug("chord kind %r not understood, using its pitches", symbol.chordKind)
    pitches = [p.pitchClass for p in symbol.pitches]
    if not pitches:
        return None
    return chord_inference.chord_from_pitch_classes(pitches, root=root.pitchClass)


class _TiedNotes:
    """Notes of a part with tied notes joined (music21's stripTies is slow on long parts)."""

    def __init__(self) -> None:
        self.notes: list[SourceNote] = []
        self._open: dict[int, int] = {}  # pitch -> index of a note whose tie goes on

    def add(self, start: float, length: float, pitch: int, tie: Any) -> None:
        kind = getattr(tie, "type", None)
        held = self._open.pop(pitch, None)
        if held is not None and kind in ("stop", "continue"):
            first = self.notes[held]
            if abs(first.end - start) < EPS:
                self.notes[held] = SourceNote(first.start, first.duration + length, pitch)
                if kind == "continue":
                    self._open[pitch] = held
                return
        self.notes.append(SourceNote(start, length, pitch))
        if kind in ("start", "continue"):
            self._open[pitch] = len(self.notes) - 1


def read_musicxml(path: Path) -> Score:
    read_bytes(path)  # the same checks (exists, empty, size) as for MIDI
    try:
        from music21 import chord as m21chord
        from music21 import converter, harmony, key, note, stream, tempo

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            parsed = converter.parse(str(path), format="musicxml")
        for warning in caught:
            log.info("%s: music21: %s", path, warning.message)
    except Exception as error:  # music21 raises many kinds for damaged files; all mean the same
        raise InputFileError(
            path,
            f"it cannot be read as MusicXML ({type(error).__name__}: {error})",
            "Export it again as MusicXML (uncompressed .musicxml or compressed .mxl)",
        ) from error
    if isinstance(parsed, stream.Opus):
        scores = list(parsed.scores)
        parsed = scores[0] if scores else parsed
    parts = list(parsed.parts) if isinstance(parsed, stream.Score) else [parsed]

    tracks: list[SourceTrack] = []
    symbols: list[tuple[float, Chord]] = []
    keys: list[tuple[float, str]] = []
    for part in parts:
        flat = part.flatten()
        tied = _TiedNotes()
        unpitched = 0
        for element in flat.notes:
            start = float(element.offset)
            length = float(element.quarterLength)
            if isinstance(element, harmony.ChordSymbol):
                if not isinstance(element, harmony.NoChord):
                    chord = _chord_from_symbol(element)
                    if chord is not None:
                        symbols.append((start, chord))
                continue
            if isinstance(element, note.Unpitched):
                unpitched += 1
            elif isinstance(element, note.Note):
                tied.add(start, length, element.pitch.midi, element.tie)
            elif isinstance(element, m21chord.Chord):
                for member in element.notes:
                    tied.add(start, length, member.pitch.midi, member.tie or element.tie)
        notes = tied.notes
        for signature in flat.getElementsByClass(key.KeySignature):
            keys.append((float(signature.offset), _music21_key_name(signature)))
        if not notes:
            continue
        instrument = part.getInstrument(returnDefault=False)
        instrument_name = (instrument.instrumentName or "") if instrument is not None else ""
        instrument_name = printable(instrument_name)
        program = instrument.midiProgram if instrument is not None else None
        name = printable(part.partName or instrument_name or f"Part {len(tracks) + 1}")
        drums = unpitched > len(notes) or bool(re.search(r"drum|percussion", name, re.I))
        tracks.append(
            SourceTrack(
                index=len(tracks),
                name=name,
                instrument=instrument_name,
                program=program,
                notes=sorted(notes, key=lambda n: (n.start, -n.pitch)),
                drums=drums,
            )
        )

    segments = _musicxml_measures(parts[0]) if parts else []
    tempos = [
        (float(mark.offset), float(mark.getQuarterBPM()))
        for mark in parsed.flatten().getElementsByClass(tempo.MetronomeMark)
        if mark.getQuarterBPM()
    ]
    return Score(
        path=path,
        kind="MusicXML",
        tracks=tracks,
        grid=BarGrid(segments) if segments else grid_from_meters([]),
        tempos=sorted(tempos, key=lambda t: t[0]),
        keys=sorted(keys, key=lambda k: k[0]),
        symbols=sorted(symbols, key=lambda s: s[0]),
    )


def _music21_key_name(signature: Any) -> str:
    mode = getattr(signature, "mode", None) or "major"
    as_key = signature.asKey(mode if mode in ("major", "minor") else "major")
    return f"{_music21_pitch_class_name(as_key.tonic.name)} {as_key.mode}"


def _musicxml_measures(part: Any) -> list[Segment]:
    """One segment per measure, numbered as the file numbers them (a pickup is usually 0)."""
    from music21 import stream

    segments: list[Segment] = []
    numerator, denominator = 4, 4
    previous_number = None
    for measure in part.getElementsByClass(stream.Measure):
        signature = measure.timeSignature
        if signature is not None and valid_meter(signature.numerator, signature.denominator):
            numerator, denominator = signature.numerator, signature.denominator
        length = float(measure.duration.quarterLength) or numerator * 4 / denominator
        number = int(measure.number)
        if previous_number is not None and number <= previous_number:
            number = previous_number + 1  # repeated or missing numbers: count on
        previous_number = number
        segments.append(Segment(float(measure.offset), number, length, numerator, denominator, 1))
    if segments:
        # From the last measure on, bars go on in its meter (a short final bar is filled up).
        last = segments[-1]
        full = last.numerator * 4 / last.denominator
        segments[-1] = Segment(last.start, last.first_bar, full, last.numerator, last.denominator)
    return segments
