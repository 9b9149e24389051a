"""Reading a Standard MIDI File into a raw score with mido: beats come straight from ticks (a
tempo change never moves a note); a file cut off keeps its complete tracks; chord symbols are
found in text, marker, lyric or cue events."""

from __future__ import annotations

import io
import logging
import re
import struct
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import mido

from jazzgui.errors import InputFileError
from jazzgui.music.chords import Chord
from jazzgui.music.score import (
    Score,
    grid_from_meters,
    parse_chord_text,
    printable,
    read_bytes,
    valid_meter,
)
from jazzgui.music.tracks import SourceNote, SourceTrack, program_name

log = logging.getLogger(__name__)

_WHOLE_LETTER = re.compile(r"^[A-G][b#]?$")


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
        parsed = [(beat, text, parse_chord_text(text)) for beat, text in items]
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


def read_midi(path: Path) -> Score:
    data = read_bytes(path)
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
                if valid_meter(message.numerator, message.denominator):
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
    return Score(
        path=path,
        kind="MIDI",
        tracks=tracks,
        grid=grid_from_meters(meters),
        tempos=sorted(tempos, key=lambda t: t[0]),
        keys=sorted(keys, key=lambda k: k[0]),
        symbols=_midi_chord_symbols(texts),
        warnings=problems,
        damaged=damaged,
    )


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
