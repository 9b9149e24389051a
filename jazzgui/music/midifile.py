"""Takes as files: type-1 MIDI written and read with mido, and MusicXML lead sheets via music21."""

from __future__ import annotations

import logging
import math
from collections import defaultdict, deque
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import mido

from jazzgui.errors import ChordSymbolError, InputFileError
from jazzgui.files import atomic_write
from jazzgui.music.chords import NOTE_NAMES, Chord, quality_steps
from jazzgui.music.events import (
    BASS_CHANNEL,
    COMP_CHANNEL,
    SOLO_CHANNEL,
    YOU_CHANNEL,
    NoteEvent,
    Provenance,
    Take,
)
from jazzgui.music.grammar import GRID
from jazzgui.music.meter import Meter, meter_problem
from jazzgui.music.progression import parse_progression

if TYPE_CHECKING:  # music21 takes a second to import; only MusicXML export needs it
    from music21 import harmony, instrument, stream

log = logging.getLogger(__name__)

TICKS_PER_BEAT = 480
_PART_NAMES = {SOLO_CHANNEL: "Solo", COMP_CHANNEL: "Comping", BASS_CHANNEL: "Bass"}
# Written only when the take holds notes of a person who played along.
_YOU_PART = (YOU_CHANNEL, "You")
# The second text event of the conductor track: what a Take needs beyond the provenance.
_TAKE_PREFIX = "jazzgui take: "


def _latin1(text: str) -> str:
    """MIDI text events are Latin-1 for mido; keep what fits and mark the rest with '?'."""
    return text.encode("latin-1", "replace").decode("latin-1")


def _note_messages(events: list[NoteEvent], channel: int) -> list[tuple[int, int, mido.Message]]:
    """(tick, order, message) for a part's notes; note-offs sort before note-ons at a tick."""
    spans: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for event in sorted(events):
        start = round(event.start_beat * TICKS_PER_BEAT)
        end = max(round(event.end_beat * TICKS_PER_BEAT), start + 1)
        same = spans[event.pitch]
        if same and same[-1][1] > start:
            # A pitch struck again while still sounding: end the first note there, otherwise
            # its note-off would silence the second one.
            prev_start, _, prev_velocity = same.pop()
            if start > prev_start:
                same.append((prev_start, start, prev_velocity))
        same.append((start, end, max(1, min(127, event.velocity))))
    messages = []
    for pitch, notes in spans.items():
        for start, end, velocity in notes:
            messages.append(
                (start, 1, mido.Message("note_on", channel=channel, note=pitch, velocity=velocity))
            )
            messages.append(
                (end, 0, mido.Message("note_off", channel=channel, note=pitch, velocity=0))
            )
    messages.sort(key=lambda item: (item[0], item[1], item[2].note))
    return messages


def _track(name: str, timed: list[tuple[int, mido.Message | mido.MetaMessage]]) -> mido.MidiTrack:
    """A track from absolute-tick messages, with delta times and one end_of_track."""
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("track_name", name=_latin1(name), time=0))
    now = 0
    for tick, message in timed:
        track.append(message.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def take_to_midi(take: Take) -> mido.MidiFile:
    """A take as a type-1 MIDI file: conductor track, then solo, comping and bass tracks."""
    parts = dict(_PART_NAMES)
    if any(e.channel == YOU_CHANNEL for e in take.events):
        parts[_YOU_PART[0]] = _YOU_PART[1]
    unknown = sorted({e.channel for e in take.events} - set(parts))
    if unknown:
        raise ValueError(
            f"a take uses channels 0, 1 and 2 (3 for a person playing along) only, not {unknown}"
        )
    midi = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    bars = take.meter_map
    # A time signature where the take starts and wherever its meter changes.
    signatures = [
        (
            round(bars.start(index) * TICKS_PER_BEAT),
            mido.MetaMessage(
                "time_signature", numerator=meter.numerator, denominator=meter.denominator
            ),
        )
        for index, meter in bars.changes()
    ]
    conductor = [
        (0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(take.tempo_bpm))),
        signatures[0],
        (0, mido.MetaMessage("text", text=_latin1(take.provenance.describe()))),
        (
            0,
            mido.MetaMessage(
                "text",
                text=_latin1(
                    f"{_TAKE_PREFIX}bars={take.bars}; swing={take.swing:g}; "
                    f"changes={take.progression_text}"
                ),
            ),
        ),
        *signatures[1:],
    ]
    midi.tracks.append(_track("JazzGUI take", conductor))
    programs = {
        SOLO_CHANNEL: take.solo_program,
        COMP_CHANNEL: take.comp_program,
        BASS_CHANNEL: take.bass_program,
        YOU_CHANNEL: take.you_program,
    }
    for channel, name in parts.items():
        timed: list[tuple[int, mido.Message | mido.MetaMessage]] = [
            (0, mido.Message("program_change", channel=channel, program=programs[channel]))
        ]
        part = [e for e in take.events if e.channel == channel]
        timed.extend((tick, message) for tick, _, message in _note_messages(part, channel))
        midi.tracks.append(_track(name, timed))
    return midi


def write_take_midi(take: Take, path: str | Path) -> None:
    """Write a take as a type-1 MIDI file (atomically: the old file stays until it is done)."""
    midi = take_to_midi(take)
    atomic_write(path, lambda handle: midi.save(file=handle))


def _parse_fields(text: str) -> dict[str, str]:
    fields = {}
    for part in text.split("; "):
        key, sep, value = part.partition("=")
        if sep:
            fields[key.strip()] = value
    return fields


def _provenance_from_text(text: str) -> Provenance:
    """The Provenance that Provenance.describe() wrote (unknown keys become extras)."""
    fields = _parse_fields(text)
    seed = fields.pop("seed", "None")
    temperature = fields.pop("temperature", None)
    model = fields.pop("model", "")
    return Provenance(
        model="" if model == "-" else model,
        seed=int(seed) if seed.lstrip("-").isdigit() else None,
        temperature=float(temperature) if temperature is not None else None,
        progression=fields.pop("progression", ""),
        extra=fields,
    )


def read_take_midi(path: str | Path) -> Take:
    """Read a MIDI file (one this program wrote, or any other) back into a Take."""
    source = Path(path)
    try:
        midi = mido.MidiFile(source)
    except FileNotFoundError as exc:
        raise InputFileError(
            source, "the file does not exist", "Check the name and folder"
        ) from exc
    except (OSError, EOFError, ValueError, KeyError, IndexError) as exc:
        raise InputFileError(
            source,
            f"it is not a readable MIDI file ({exc})",
            "Open a .mid file written by JazzGUI or another MIDI program",
        ) from exc
    per_beat = midi.ticks_per_beat
    tempo_bpm, beats_per_bar, meter = 120.0, 4, ""
    provenance = Provenance()
    take_fields: dict[str, str] = {}
    programs: dict[int, int] = {}
    events: list[NoteEvent] = []
    tempo_seen = meter_seen = False
    signatures: set[tuple[int, int]] = set()
    for track in midi.tracks:
        now = 0
        sounding: dict[tuple[int, int], deque[tuple[int, int]]] = defaultdict(deque)
        for message in track:
            now += message.time
            if message.type == "set_tempo" and not tempo_seen:
                # Microseconds a beat hold about 4 significant digits of bpm: 140 stays 140.
                tempo_bpm, tempo_seen = round(mido.tempo2bpm(message.tempo), 2), True
            elif message.type == "time_signature":
                signatures.add((message.numerator, message.denominator))
                if not meter_seen:
                    beats_per_bar = max(1, round(message.numerator * 4 / message.denominator))
                    candidate = Meter(message.numerator, message.denominator)
                    meter = "" if meter_problem(candidate) else candidate.text
                    meter_seen = True
            elif message.type == "text":
                if message.text.startswith(_TAKE_PREFIX):
                    take_fields = _parse_fields(message.text[len(_TAKE_PREFIX) :])
                elif message.text.startswith("model="):
                    provenance = _provenance_from_text(message.text)
            elif message.type == "program_change":
                programs.setdefault(message.channel, message.program)
            elif message.type == "note_on" and message.velocity > 0:
                sounding[(message.channel, message.note)].append((now, message.velocity))
            elif message.type in ("note_on", "note_off"):
                started = sounding[(message.channel, message.note)]
                if started:
                    start, velocity = started.popleft()
                    events.append(
                        NoteEvent(
                            start / per_beat,
                            (now - start) / per_beat,
                            message.note,
                            velocity,
                            message.channel,
                        )
                    )
    events.sort()
    length = max((e.end_beat for e in events), default=0.0)
    bars_text = take_fields.get("bars", "")
    bars = int(bars_text) if bars_text.isdigit() else math.ceil(length / beats_per_bar - 1e-9)
    swing_text = take_fields.get("swing", "")
    defaults = Take(events=[], progression_text="")
    changes = take_fields.get("changes", provenance.progression)
    bar_meters = _bar_meters(source, changes, bars) if len(signatures) > 1 else ()
    return Take(
        events=events,
        progression_text=changes,
        tempo_bpm=tempo_bpm,
        beats_per_bar=beats_per_bar,
        bars=bars,
        solo_program=programs.get(SOLO_CHANNEL, defaults.solo_program),
        comp_program=programs.get(COMP_CHANNEL, defaults.comp_program),
        bass_program=programs.get(BASS_CHANNEL, defaults.bass_program),
        you_program=programs.get(YOU_CHANNEL, defaults.you_program),
        swing=float(swing_text) if _is_float(swing_text) else defaults.swing,
        provenance=provenance,
        meter=meter,
        bar_meters=bar_meters,
    )


def _bar_meters(source: Path, changes: str, bars: int) -> tuple[str, ...]:
    """The meter of each bar of a take file whose meter changes, from its changes (a take
    JazzGUI wrote says them); InputFileError for other files, whose bars JazzGUI cannot place."""
    try:
        progression = parse_progression(changes) if changes.strip() else None
    except ChordSymbolError:
        progression = None
    if progression is None or not progression.mixed or len(progression) != bars:
        raise InputFileError(
            source,
            "its time signature changes within the file, and JazzGUI reads files in one meter "
            "(or takes it wrote itself, whose changes name each bar's meter)",
            "Open a file in one meter, or export the take from JazzGUI again",
        )
    return tuple(meter.text for meter in progression.meters)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# Our canonical qualities as MusicXML chord kinds; music21 shows `kindStr` as written.
# Qualities with tensions a kind does not hold (69, maj7#11, 13#11...) are written as a
# plain kind and degree steps instead (see `_chord_symbol`).
_XML_KINDS = {
    "maj": "major",
    "6": "major-sixth",
    "maj7": "major-seventh",
    "maj9": "major-ninth",
    "m": "minor",
    "m6": "minor-sixth",
    "m7": "minor-seventh",
    "m9": "minor-ninth",
    "m11": "minor-11th",
    "mmaj7": "minor-major-seventh",
    "7": "dominant-seventh",
    "9": "dominant-ninth",
    "13": "dominant-13th",
    "7sus4": "suspended-fourth-seventh",
    "9sus4": "suspended-fourth-seventh",
    "sus4": "suspended-fourth",
    "m7b5": "half-diminished-seventh",
    "dim": "diminished",
    "dim7": "diminished-seventh",
    "aug": "augmented",
    "7#5": "augmented-seventh",
}


def _music21_pitch_name(pc: int) -> str:
    return NOTE_NAMES[pc].replace("b", "-")


def _chord_symbol(chord: Chord) -> harmony.ChordSymbol:
    from music21 import harmony

    if chord.no_chord:
        return harmony.NoChord()
    # A quality without a MusicXML kind of its own (C13#11, G7b9) is written as its plain
    # chord and degree steps, as notation programs do, and shown as written.
    kind, steps = _XML_KINDS.get(chord.quality), ()
    if kind is None:
        plain, steps = quality_steps(chord.quality)
        kind = _XML_KINDS.get(plain or "maj") or _xml_kind_by_tones(chord)
    symbol = harmony.ChordSymbol(
        root=_music21_pitch_name(chord.root),
        bass=_music21_pitch_name(chord.bass) if chord.bass is not None else None,
        kind=kind,
        kindStr="" if chord.quality == "maj" else chord.quality,
    )
    for step_type, degree, semitones in steps:
        step = harmony.ChordStepModification(step_type, degree, semitones)
        symbol.addChordStepModification(step, updatePitches=False)
    return symbol


def _xml_kind_by_tones(chord: Chord) -> str:
    """The nearest MusicXML kind of a quality built by its parts (C13#11, Cm69, Csus2...)."""
    offsets = {(pc - chord.root) % 12 for pc in chord.chord_tone_list}
    if {3, 6, 10} <= offsets:
        return "half-diminished-seventh"
    if 3 in offsets:
        return "minor-seventh" if 10 in offsets else "minor-sixth" if 9 in offsets else "minor"
    if 4 not in offsets:
        return "suspended-fourth" if 5 in offsets else "suspended-second"
    if 11 in offsets:
        return "major-seventh"
    return "dominant-seventh" if 10 in offsets else "major"


def _solo_instrument(program: int) -> instrument.Instrument:
    """The music21 instrument of a General MIDI program, carrying that program."""
    from music21 import exceptions21, instrument

    try:
        solo = instrument.instrumentFromMidiProgram(program)
    except exceptions21.InstrumentException:
        solo = instrument.Instrument()
        solo.instrumentName = f"GM program {program + 1}"
    solo.midiProgram = program
    solo.midiChannel = SOLO_CHANNEL
    return solo


def take_to_score(take: Take) -> stream.Score:
    """The take's solo line with its chord symbols as a music21 score (a lead sheet)."""
    from music21 import expressions, meter, note, stream, tempo

    part = stream.Part(id="solo")
    part.partName = "Solo"
    part.insert(0, _solo_instrument(take.solo_program))
    bar_map = take.meter_map
    for index, bar_meter in bar_map.changes():  # at the start and wherever the meter changes
        part.insert(bar_map.start(index), meter.TimeSignature(bar_meter.text))
    part.insert(0, tempo.MetronomeMark(number=round(take.tempo_bpm)))
    if take.swing > 0.5:  # notated straight, as swing is written: the style says it
        part.insert(0, expressions.TextExpression(f"Swing ({take.swing:g})"))
    length = take.length_beats
    if take.progression_text.strip():
        try:
            progression = parse_progression(take.progression_text, take.beats_per_bar)
        except ChordSymbolError:
            log.warning(
                "Take's changes %r cannot be read; no chord symbols written", take.progression_text
            )
        else:
            bars = take.bars if take.bar_meters else math.ceil(length / take.beats_per_bar - 1e-9)
            for index in range(max(1, bars)):
                for span in progression.bar_spans(index):
                    part.insert(span.start_beat, _chord_symbol(span.chord))
    for event in take.part(SOLO_CHANNEL):
        # Onsets and lengths on the grammar's 1/12-beat grid, which notation can express.
        start = Fraction(round(event.start_beat * GRID), GRID)
        duration = Fraction(max(round(event.duration_beats * GRID), 1), GRID)
        solo_note = note.Note(event.pitch, quarterLength=duration)
        solo_note.volume.velocity = event.velocity
        part.insert(start, solo_note)
    score = stream.Score(id="take")
    score.insert(0, part)
    return score


def write_take_musicxml(take: Take, path: str | Path) -> None:
    """Write the solo with its chord symbols as MusicXML (atomically)."""
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    data = GeneralObjectExporter(take_to_score(take)).parse()
    atomic_write(path, lambda handle: handle.write(data))
