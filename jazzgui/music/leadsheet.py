"""A lead sheet read from a solo file: the melody, its chords, meter, tempo, key and bars.

MIDI files are read with mido (beats come straight from ticks, so tempo changes never move a
note, and it is fast); MusicXML with music21, flattened part by part, so neither depends on
how a library nests parts, measures and voices. Every problem a person can cause becomes an
InputFileError that names the file, what is wrong and what to do.
"""

from __future__ import annotations

import io
import logging
import math
import re
import struct
import warnings
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mido
import numpy as np

from jazzgui.errors import ChordSymbolError, InputFileError
from jazzgui.limits import MAX_BARS  # a lead sheet longer than this is damaged, not a solo
from jazzgui.music import chord_inference
from jazzgui.music.chords import Chord, is_no_chord, parse_chord
from jazzgui.music.defaults import MIDI_SUFFIXES, SOLO_SUFFIXES
from jazzgui.music.events import MelodyNote
from jazzgui.music.progression import Progression
from jazzgui.music.tracks import (
    LEGATO_OVERLAP,
    SourceNote,
    SourceTrack,
    TrackInfo,
    describe_tracks,
    find_track,
    pick_solo_track,
    program_name,
)

log = logging.getLogger(__name__)

__all__ = [
    "CHORD_SOURCES",
    "SUPPORTED_SUFFIXES",
    "LeadSheet",
    "TrackInfo",
    "list_tracks",
    "load_lead_sheet",
]

SUPPORTED_SUFFIXES = SOLO_SUFFIXES
CHORD_SOURCES = ("auto", "symbols", "accompaniment", "melody")

DEFAULT_TEMPO_BPM = 120.0  # what the MIDI standard assumes when a file sets no tempo
MAX_FILE_BYTES = 16 * 1024 * 1024  # solo files are kilobytes; anything this big is not one

MIN_NOTE = 1 / 24  # shorter melody notes are strum or overlap fragments, not notes
GRACE_LENGTH = 0.25  # a zero-length note (grace note, broken note-off) gets a sixteenth
MIN_REST = 0.125  # a shorter silence between notes is articulation, not a rest
EPS = 1e-6

_WHOLE_LETTER = re.compile(r"^[A-G][b#]?$")


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


@dataclass(frozen=True)
class _Segment:
    """A run of bars of one length: `count` bars (None = to the end) from `first_bar`."""

    start: float
    first_bar: int
    length: float  # quarter notes a bar
    numerator: int
    denominator: int
    count: int | None = None


class _BarGrid:
    """Bar numbers as the file counts them, and where each bar starts (in beats)."""

    def __init__(self, segments: Sequence[_Segment]) -> None:
        self.segments = list(segments)
        self._starts = [s.start for s in self.segments]
        self._firsts = [s.first_bar for s in self.segments]

    @property
    def first_bar(self) -> int:
        return self.segments[0].first_bar

    def _by_bar(self, bar: int) -> _Segment:
        return self.segments[max(0, bisect_right(self._firsts, bar) - 1)]

    def bar_start(self, bar: int) -> float:
        segment = self._by_bar(bar)
        return segment.start + (bar - segment.first_bar) * segment.length

    def bar_length(self, bar: int) -> float:
        return self._by_bar(bar).length

    def bar_at(self, beat: float) -> int:
        segment = self.segments[max(0, bisect_right(self._starts, beat + EPS) - 1)]
        within = math.floor((beat - segment.start) / segment.length + EPS)
        if segment.count is not None:
            within = min(within, segment.count - 1)
        return segment.first_bar + max(0, within)

    def meters(self, first: int, last: int) -> Counter[tuple[int, int]]:
        """How many of the bars first..last are in each meter (numerator, denominator)."""
        counts: Counter[tuple[int, int]] = Counter()
        for i, segment in enumerate(self.segments):
            seg_last = (
                segment.first_bar + segment.count - 1
                if segment.count is not None
                else (self.segments[i + 1].first_bar - 1 if i + 1 < len(self.segments) else last)
            )
            overlap = min(last, seg_last) - max(first, segment.first_bar) + 1
            if overlap > 0:
                counts[(segment.numerator, segment.denominator)] += overlap
        return counts


@dataclass
class _Score:
    """What the readers extract from a file, in beats from its start, before any selection."""

    path: Path
    kind: str  # "MIDI" or "MusicXML"
    tracks: list[SourceTrack]
    grid: _BarGrid
    tempos: list[tuple[float, float]] = field(default_factory=list)
    keys: list[tuple[float, str]] = field(default_factory=list)
    symbols: list[tuple[float, Chord]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    damaged: str = ""  # what damage was found (a cut-off file whose complete tracks were read)


# --------------------------------------------------------------------------- reading files


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputFileError(path, "the file does not exist", "Check the name and folder")
    if path.is_dir():
        raise InputFileError(path, "this is a folder, not a file", "Choose a .mid or .xml file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputFileError(
                path,
                f"the file is {size // (1024 * 1024)} MiB, far too big for a solo",
                "Use a MIDI or MusicXML file of the solo itself",
            )
        data = path.read_bytes()
    except OSError as error:
        raise InputFileError(
            path, f"it cannot be read ({error.strerror or error})", "Check the file's permissions"
        ) from error
    if not data.strip():
        raise InputFileError(path, "the file is empty", "Export the solo again from its source")
    return data


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


def _valid_meter(numerator: int, denominator: int) -> bool:
    if not 1 <= numerator <= 64 or denominator not in (1, 2, 4, 8, 16, 32, 64):
        return False
    return 0.25 <= numerator * 4 / denominator <= 32


def _grid_from_meters(meters: Sequence[tuple[float, int, int]]) -> _BarGrid:
    """Bars from time-signature changes (beat, numerator, denominator); bar 1 starts at beat 0.

    A change in the middle of a bar starts a new bar there, as sequencers do.
    """
    segments = [_Segment(0.0, 1, 4.0, 4, 4)]
    for beat, numerator, denominator in sorted(meters, key=lambda m: m[0]):
        current = segments[-1]
        length = numerator * 4 / denominator
        if beat <= current.start + EPS:
            segments[-1] = _Segment(
                current.start, current.first_bar, length, numerator, denominator
            )
            continue
        elapsed = (beat - current.start) / current.length
        whole = math.floor(elapsed + EPS)
        bars_done = whole if abs(elapsed - whole) < EPS else whole + 1
        segments[-1] = _Segment(
            current.start,
            current.first_bar,
            current.length,
            current.numerator,
            current.denominator,
            bars_done,
        )
        segments.append(
            _Segment(beat, current.first_bar + bars_done, length, numerator, denominator)
        )
    return _BarGrid(segments)


def _parse_chord_text(text: str) -> Chord | None:
    cleaned = text.strip()
    # N.C. in a file: the chord before carries on for the grammar, as in typed changes.
    if not cleaned or not cleaned[0].isupper() or " " in cleaned or is_no_chord(cleaned):
        return None
    try:
        return parse_chord(cleaned)
    except ChordSymbolError:
        return None


def _midi_chord_symbols(
    texts: Sequence[tuple[float, str, str]],
) -> list[tuple[float, Chord]]:
    """Chord symbols written as text, marker, lyric or cue events, when they really are chords.

    A kind of event counts as chord symbols when most of its texts parse as chords and they
    are not all bare letters (rehearsal marks "A", "B" parse as major chords but are not).
    """
    by_type: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for beat, kind, text in texts:
        by_type[kind].append((beat, text))
    found: list[tuple[float, Chord]] = []
    for kind, items in by_type.items():
        parsed = [(beat, text, _parse_chord_text(text)) for beat, text in items]
        chords = [(beat, text, chord) for beat, text, chord in parsed if chord is not None]
        if len(chords) < 2 or len(chords) < 0.5 * len(items):
            continue
        if all(_WHOLE_LETTER.match(text.strip()) for _, text, _ in chords):
            continue
        log.info("chord symbols from %d %s events", len(chords), kind)
        found.extend((beat, chord) for beat, _, chord in chords)
    return sorted(found, key=lambda s: s[0])


def _readable_track(header: bytes, chunk: bytes) -> bool:
    try:
        mido.MidiFile(file=io.BytesIO(header + chunk))
    except Exception:  # any damage inside this track: leave the track out
        return False
    return True


def _complete_tracks(data: bytes) -> tuple[bytes, int, int] | None:
    """The file rebuilt from its complete, readable track chunks, with how many were kept.

    None when not even the header is whole or no track chunk survives.
    """
    if len(data) < 14:
        return None
    header_size = struct.unpack(">L", data[4:8])[0]
    if header_size < 6 or 8 + header_size > len(data):
        return None
    declared = struct.unpack(">H", data[10:12])[0]
    chunks = []
    position = 8 + header_size
    while position + 8 <= len(data):
        name, size = struct.unpack(">4sL", data[position : position + 8])
        end = position + 8 + size
        if end > len(data):
            break
        if name == b"MTrk":
            chunks.append(data[position:end])
        position = end
    # Type 1 (simultaneous tracks) whatever the file said: the kept tracks play together.
    single = b"MThd\x00\x00\x00\x06\x00\x01\x00\x01" + data[12:14]
    chunks = [chunk for chunk in chunks if _readable_track(single, chunk)]
    if not chunks:
        return None
    header = single[:10] + struct.pack(">H", len(chunks)) + single[12:]
    return header + b"".join(chunks), len(chunks), max(declared, len(chunks))


def _read_midi(path: Path) -> _Score:
    data = _read_bytes(path)
    if not data.startswith(b"MThd"):
        raise InputFileError(
            path,
            "it is not a Standard MIDI File (it does not start with 'MThd')",
            "Check that the file really is MIDI; export it again as a Standard MIDI File",
        )
    problems = []
    damaged = ""
    try:
        midi = mido.MidiFile(file=io.BytesIO(data))
    except Exception as error:  # mido raises many kinds for damaged data; all mean the same
        # A file cut off (an interrupted download) still holds its complete tracks.
        complete = _complete_tracks(data)
        midi = None
        if complete is not None:
            try:
                midi = mido.MidiFile(file=io.BytesIO(complete[0]))
                damaged = (
                    f"truncated or damaged: {complete[1]} of {complete[2]} tracks could be read"
                )
                problems.append(damaged)
            except Exception:  # the complete tracks are damaged too: report the first error
                midi = None
        if midi is None:
            raise InputFileError(
                path,
                f"the MIDI data is damaged ({type(error).__name__}: {error})",
                "Export the file again from its source, or repair it in a MIDI editor",
            ) from error
    tpb = midi.ticks_per_beat
    if not 0 < tpb < 0x8000:
        raise InputFileError(
            path,
            f"its time division {tpb} is not in ticks per quarter note (SMPTE or damaged)",
            "Save it again from a sequencer with a musical time base (ticks per beat)",
        )

    sequences = _format_2_sequence(midi, problems)
    tracks: list[SourceTrack] = []
    tempos: list[tuple[float, float]] = []
    meters: list[tuple[float, int, int]] = []
    keys: list[tuple[float, str]] = []
    texts: list[tuple[float, str, str]] = []
    first_programs: dict[int, int] = {}
    pending: list[tuple[int, str, str, dict[int, int], dict[int, list[SourceNote]]]] = []
    for track_number, track in sequences:
        tick = 0
        name = ""
        instrument = ""
        programs: dict[int, int] = {}
        open_notes: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        notes: dict[int, list[SourceNote]] = defaultdict(list)
        for message in track:
            tick += message.time
            kind = message.type
            if kind == "note_on" and message.velocity > 0:
                open_notes[(message.channel, message.note)].append((tick, message.velocity))
            elif kind in ("note_off", "note_on"):
                started = open_notes.get((message.channel, message.note))
                if started:
                    on_tick, velocity = started.pop(0)
                    notes[message.channel].append(
                        SourceNote(on_tick / tpb, (tick - on_tick) / tpb, message.note, velocity)
                    )
            elif kind == "program_change":
                programs.setdefault(message.channel, message.program)
                first_programs.setdefault(message.channel, message.program)
            elif kind == "set_tempo":
                if message.tempo > 0:
                    tempos.append((tick / tpb, mido.tempo2bpm(message.tempo)))
            elif kind == "time_signature":
                if _valid_meter(message.numerator, message.denominator):
                    meters.append((tick / tpb, message.numerator, message.denominator))
                else:
                    problems.append(
                        f"an impossible time signature {message.numerator}/"
                        f"{message.denominator} was ignored"
                    )
            elif kind == "key_signature":
                keys.append((tick / tpb, _midi_key_name(message.key)))
            elif kind in ("text", "marker", "lyrics", "cue_marker"):
                texts.append((tick / tpb, kind, message.text))
            elif kind == "track_name" and not name:
                name = printable(message.name)
            elif kind == "instrument_name" and not instrument:
                instrument = printable(message.name)
        # A note never switched off sounds until its track ends.
        for (channel, pitch), starts in open_notes.items():
            for on_tick, velocity in starts:
                ended = SourceNote(on_tick / tpb, (tick - on_tick) / tpb, pitch, velocity)
                notes[channel].append(ended)
        if notes:
            pending.append((track_number, name, instrument, programs, notes))

    for track_number, name, instrument, programs, notes in pending:
        for channel in sorted(notes):
            program = programs.get(channel, first_programs.get(channel))
            label = name or instrument or f"Track {track_number}"
            if len(notes) > 1:
                label = f"{label} (channel {channel})"
            drums = channel == 9
            tracks.append(
                SourceTrack(
                    index=len(tracks),
                    name=label,
                    instrument="Drums" if drums else (instrument or program_name(program)),
                    channel=channel,
                    program=None if drums else program,
                    notes=sorted(notes[channel], key=lambda n: (n.start, -n.pitch)),
                    file_track=track_number,
                )
            )
    return _Score(
        path=path,
        kind="MIDI",
        tracks=tracks,
        grid=_grid_from_meters(meters),
        tempos=sorted(tempos, key=lambda t: t[0]),
        keys=sorted(keys, key=lambda k: k[0]),
        symbols=_midi_chord_symbols(texts),
        warnings=problems,
        damaged=damaged,
    )


def printable(text: str) -> str:
    """A name from a file as it can be printed: control characters (terminal escapes, bells,
    bytes that were never text) become '?', surrounding blanks are dropped."""
    return "".join(c if c.isprintable() else "?" for c in text.strip())


def _format_2_sequence(midi: mido.MidiFile, problems: list[str]) -> list[tuple[int, Any]]:
    """The (number, track) pairs to read: every track, except in a format-2 file, whose tracks
    are independent sequences (not parts played together): its first sequence with notes."""
    tracks = list(enumerate(midi.tracks))
    if midi.type != 2 or len(tracks) < 2:
        return tracks
    with_notes = [(n, t) for n, t in tracks if any(m.type == "note_on" for m in t)]
    chosen = with_notes[0] if with_notes else tracks[0]
    problems.append(
        f"a format-2 file of {len(tracks)} independent sequences: sequence {chosen[0]} was "
        f"read, the other {len(tracks) - 1} ignored"
    )
    return [chosen]


def _midi_key_name(key: str) -> str:
    """mido's key ('G', 'Em', 'Bb') as a key name ('G major', 'E minor')."""
    if key.endswith("m"):
        return f"{key[:-1]} minor"
    return f"{key} major"


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


def _read_musicxml(path: Path) -> _Score:
    _read_bytes(path)  # the same checks (exists, empty, size) as for MIDI
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
    return _Score(
        path=path,
        kind="MusicXML",
        tracks=tracks,
        grid=_BarGrid(segments) if segments else _grid_from_meters([]),
        tempos=sorted(tempos, key=lambda t: t[0]),
        keys=sorted(keys, key=lambda k: k[0]),
        symbols=sorted(symbols, key=lambda s: s[0]),
    )


def _music21_key_name(signature: Any) -> str:
    mode = getattr(signature, "mode", None) or "major"
    as_key = signature.asKey(mode if mode in ("major", "minor") else "major")
    return f"{_music21_pitch_class_name(as_key.tonic.name)} {as_key.mode}"


def _musicxml_measures(part: Any) -> list[_Segment]:
    """One segment per measure, numbered as the file numbers them (a pickup is usually 0)."""
    from music21 import stream

    segments: list[_Segment] = []
    numerator, denominator = 4, 4
    previous_number = None
    for measure in part.getElementsByClass(stream.Measure):
        signature = measure.timeSignature
        if signature is not None and _valid_meter(signature.numerator, signature.denominator):
            numerator, denominator = signature.numerator, signature.denominator
        length = float(measure.duration.quarterLength) or numerator * 4 / denominator
        number = int(measure.number)
        if previous_number is not None and number <= previous_number:
            number = previous_number + 1  # repeated or missing numbers: count on
        previous_number = number
        segments.append(_Segment(float(measure.offset), number, length, numerator, denominator, 1))
    if segments:
        # From the last measure on, bars go on in its meter (a short final bar is filled up).
        last = segments[-1]
        full = last.numerator * 4 / last.denominator
        segments[-1] = _Segment(last.start, last.first_bar, full, last.numerator, last.denominator)
    return segments


def _read_score(path: str | Path) -> _Score:
    path = Path(path)
    suffix = _check_suffix(path)
    score = _read_midi(path) if suffix in MIDI_SUFFIXES else _read_musicxml(path)
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


def _beats_per_bar_guess(score: _Score) -> float:
    """Quarter notes a bar in the file's first meter (a pickup's length would mislead)."""
    first = score.grid.segments[0]
    return first.numerator * 4 / first.denominator


def _check_bars(path: Path, bars: Any, grid: _BarGrid) -> tuple[int, int] | None:
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


def _bars_played(track: SourceTrack, grid: _BarGrid) -> str:
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
    score: _Score,
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


def _key(score: _Score, start: float, end: float) -> tuple[str, str]:
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


def _tempo(score: _Score, start: float) -> tuple[float, str]:
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
