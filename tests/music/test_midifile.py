"""Take files: type-1 MIDI layout, read-back, atomic writes, and MusicXML lead sheets."""

from __future__ import annotations

import os

import mido
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from token_lines import unparse

from jazzgui.errors import InputFileError, JazzGUIError
from jazzgui.music import midifile
from jazzgui.music.events import (
    BASS_CHANNEL,
    COMP_CHANNEL,
    SOLO_CHANNEL,
    NoteEvent,
    Provenance,
    Take,
)
from jazzgui.music.midifile import (
    TICKS_PER_BEAT,
    read_take_midi,
    take_to_score,
    write_take_midi,
    write_take_musicxml,
)
from jazzgui.music.progression import form_progression

CHANGES = "Dm7 G7 | Cmaj7 | A7b9 | Dm7 G7alt |"


def _take(**changes) -> Take:
    solo = [
        NoteEvent(0.0, 0.5, 62, 96, SOLO_CHANNEL, "C"),
        NoteEvent(0.5, 1 / 3, 65, 84, SOLO_CHANNEL, "C"),
        NoteEvent(5 / 6, 2 / 3, 69, 84, SOLO_CHANNEL, "C"),
        NoteEvent(2.0, 2.0, 71, 91, SOLO_CHANNEL, "C"),
        NoteEvent(4.25, 1.75, 72, 80, SOLO_CHANNEL, "C"),
    ]
    comp = [NoteEvent(0.0, 2.0, p, 70, COMP_CHANNEL) for p in (53, 57, 60)]
    comp += [NoteEvent(2.0, 2.0, p, 70, COMP_CHANNEL) for p in (53, 59, 65)]
    bass = [NoteEvent(float(b), 1.0, 38 + b % 5, 80, BASS_CHANNEL) for b in range(8)]
    fields = {
        "events": solo + comp + bass,
        "progression_text": CHANGES,
        "tempo_bpm": 140.0,
        "beats_per_bar": 4,
        "bars": 4,
        "solo_program": 26,
        "comp_program": 4,
        "bass_program": 33,
        "swing": 0.55,
        "provenance": Provenance("metheny-64", 42, 0.9, CHANGES, {"top_p": "0.95"}),
    }
    fields.update(changes)
    return Take(**fields)


def _same_notes(read: Take, written: Take) -> None:
    def key(events):
        return sorted(
            (e.channel, round(e.start_beat * TICKS_PER_BEAT), e.pitch, e.velocity) for e in events
        )

    assert key(read.events) == key(written.events)
    durations = {(e.channel, round(e.start_beat * TICKS_PER_BEAT), e.pitch): e for e in read.events}
    for event in written.events:
        back = durations[(event.channel, round(event.start_beat * TICKS_PER_BEAT), event.pitch)]
        assert back.duration_beats == pytest.approx(event.duration_beats, abs=1 / TICKS_PER_BEAT)


def test_round_trip_gives_the_same_take(tmp_path):
    take = _take()
    path = tmp_path / "take.mid"
    write_take_midi(take, path)
    back = read_take_midi(path)
    _same_notes(back, take)
    assert back.tempo_bpm == 140.0
    assert back.beats_per_bar == 4 and back.bars == 4
    assert (back.solo_program, back.comp_program, back.bass_program) == (26, 4, 33)
    assert back.swing == pytest.approx(0.55)
    assert back.progression_text == CHANGES
    assert back.provenance == take.provenance


def test_file_layout_is_type_one_with_a_conductor_and_three_parts(tmp_path):
    path = tmp_path / "take.mid"
    write_take_midi(_take(), path)
    midi = mido.MidiFile(path)
    assert midi.type == 1 and midi.ticks_per_beat == 480
    assert len(midi.tracks) == 4
    conductor = midi.tracks[0]
    types = [m.type for m in conductor]
    assert {"set_tempo", "time_signature", "text", "track_name"} <= set(types)
    tempo = next(m for m in conductor if m.type == "set_tempo")
    assert tempo.tempo == mido.bpm2tempo(140)
    meter = next(m for m in conductor if m.type == "time_signature")
    assert (meter.numerator, meter.denominator) == (4, 4)
    texts = [m.text for m in conductor if m.type == "text"]
    assert _take().provenance.describe() in texts
    for track, (name, channel, program) in zip(
        midi.tracks[1:], [("Solo", 0, 26), ("Comping", 1, 4), ("Bass", 2, 33)]
    ):
        assert track.name == name
        changes = [m for m in track if m.type == "program_change"]
        assert [(m.channel, m.program) for m in changes] == [(channel, program)]
        notes = [m for m in track if m.type in ("note_on", "note_off")]
        assert notes and {m.channel for m in notes} == {channel}
    for track in midi.tracks:
        assert [m.type for m in track].count("end_of_track") == 1
        assert track[-1].type == "end_of_track"


def test_exactly_one_end_of_track_in_the_bytes(tmp_path):
    path = tmp_path / "take.mid"
    write_take_midi(_take(), path)
    data = path.read_bytes()
    chunks = data.split(b"MTrk")[1:]
    assert len(chunks) == 4
    for chunk in chunks:
        assert chunk.count(b"\xff\x2f\x00") == 1 and chunk.endswith(b"\xff\x2f\x00")


def test_note_offs_come_before_note_ons_at_the_same_tick(tmp_path):
    # Legato solo notes and a repeated comping chord: ends and starts share ticks.
    path = tmp_path / "take.mid"
    write_take_midi(_take(), path)
    for track in mido.MidiFile(path).tracks[1:]:
        now, last = 0, {}
        for message in track:
            now += message.time
            if message.type == "note_off" or (message.type == "note_on" and not message.velocity):
                assert last.get(now) != "on", "a note-off follows a note-on at one tick"
                last[now] = "off"
            elif message.type == "note_on":
                last[now] = "on"


def test_a_pitch_struck_while_sounding_is_not_cut_by_the_old_note_off(tmp_path):
    events = [
        NoteEvent(0.0, 2.0, 60, 70, COMP_CHANNEL),
        NoteEvent(1.0, 2.0, 60, 70, COMP_CHANNEL),
    ]
    path = tmp_path / "overlap.mid"
    write_take_midi(Take(events=events, progression_text="C |", bars=1), path)
    back = [e for e in read_take_midi(path).events if e.channel == COMP_CHANNEL]
    assert [(e.start_beat, e.duration_beats) for e in back] == [(0.0, 1.0), (1.0, 2.0)]


def test_writes_are_atomic(tmp_path, monkeypatch):
    path = tmp_path / "take.mid"
    write_take_midi(_take(), path)
    before = path.read_bytes()

    def broken_save(self, filename=None, file=None):
        file.write(b"MThd partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(mido.MidiFile, "save", broken_save)
    with pytest.raises(JazzGUIError, match="No space left"):
        write_take_midi(_take(bars=8), path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["take.mid"]


def test_unwritable_folder_is_a_typed_error(tmp_path):
    with pytest.raises(JazzGUIError, match="cannot write there"):
        write_take_midi(_take(), tmp_path / "missing" / "take.mid")


def test_text_that_midi_cannot_hold_is_replaced_not_fatal(tmp_path):
    take = _take(progression_text="CΔ7 | Bø7 E7 |", provenance=Provenance("ßolo→", 1))
    path = tmp_path / "take.mid"
    write_take_midi(take, path)
    back = read_take_midi(path)
    assert back.progression_text == "C?7 | Bø7 E7 |"  # ø is Latin-1, Δ is not
    assert back.provenance.model == "ßolo?"


def test_channels_outside_the_parts_are_refused():
    take = _take(events=[NoteEvent(0, 1, 36, 90, 9)])
    with pytest.raises(ValueError, match="channels 0, 1 and 2"):
        midifile.take_to_midi(take)


def test_reading_a_bad_file_is_an_input_file_error(tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        read_take_midi(tmp_path / "none.mid")
    junk = tmp_path / "junk.mid"
    junk.write_bytes(b"not midi at all")
    with pytest.raises(InputFileError, match="not a readable MIDI file"):
        read_take_midi(junk)


def test_reading_a_foreign_file_keeps_its_notes(tmp_path):
    midi = mido.MidiFile(type=0, ticks_per_beat=96)
    midi.tracks.append(
        mido.MidiTrack(
            [
                mido.MetaMessage("time_signature", numerator=3, denominator=4),
                mido.Message("note_on", channel=4, note=70, velocity=50, time=48),
                mido.Message("note_on", channel=4, note=70, velocity=0, time=96),
            ]
        )
    )
    path = tmp_path / "foreign.mid"
    midi.save(path)
    take = read_take_midi(path)
    assert take.events == [NoteEvent(0.5, 1.0, 70, 50, 4)]
    assert take.beats_per_bar == 3 and take.bars == 1 and take.tempo_bpm == 120
    assert take.provenance == Provenance()


_events = st.lists(
    st.builds(
        NoteEvent,
        st.integers(0, 64 * 12).map(lambda n: n / 12),
        st.integers(1, 8 * 12).map(lambda n: n / 12),
        st.integers(21, 108),
        st.integers(1, 127),
        st.sampled_from([SOLO_CHANNEL, COMP_CHANNEL, BASS_CHANNEL]),
    ),
    max_size=40,
    unique_by=lambda e: (e.channel, e.pitch),  # no same-pitch overlaps to trim
)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_events, st.floats(40, 300))
def test_any_take_reads_back_the_same_notes(tmp_path, events, tempo):
    take = Take(events=events, progression_text="C |", tempo_bpm=tempo)
    path = tmp_path / "any.mid"
    write_take_midi(take, path)
    back = read_take_midi(path)
    _same_notes(back, take)
    assert back.tempo_bpm == pytest.approx(tempo, abs=0.01)


def test_musicxml_holds_the_solo_and_its_chord_symbols(tmp_path):
    from music21 import converter, harmony

    progression = form_progression("blues-f")
    solo = unparse(
        [["C,1/2", "S,1/2,<+1,-5>", "C,1/3", "A,1/3,<+2,-4>", "R,7/3"]] * 12, progression, 3
    )
    take = Take(events=solo, progression_text=progression.to_text(), bars=12, tempo_bpm=150)
    path = tmp_path / "take.musicxml"
    write_take_musicxml(take, path)
    assert sorted(os.listdir(tmp_path)) == ["take.musicxml"]
    score = converter.parse(path)
    notes = [n for n in score.flatten().notes if not isinstance(n, harmony.ChordSymbol)]
    # Tied pieces of one note count once: the attacks are the solo's notes.
    attacks = [n for n in notes if n.tie is None or n.tie.type == "start"]
    assert [n.pitch.midi for n in attacks] == [e.pitch for e in solo]
    assert [float(n.getOffsetInHierarchy(score)) for n in attacks] == pytest.approx(
        [e.start_beat for e in solo]
    )
    symbols = list(score.flatten().getElementsByClass(harmony.ChordSymbol))
    assert len(symbols) == len(progression.spans())
    roots = [s.root().pitchClass for s in symbols]
    assert roots == [span.chord.root for span in progression.spans()]


def test_musicxml_score_without_changes_still_has_the_solo():
    take = _take(progression_text="")
    score = take_to_score(take)
    assert len(score.flatten().notes) == 5


def test_a_person_playing_along_gets_the_track_you(tmp_path):
    from jazzgui.music.events import YOU_CHANNEL

    take = _take(events=[NoteEvent(0, 1, 60), NoteEvent(0.5, 1, 64, 70, YOU_CHANNEL)])
    take.you_program = 5
    names = [track.name for track in midifile.take_to_midi(take).tracks]
    assert names[-1] == "You" and "Solo" in names
    path = tmp_path / "trade.mid"
    write_take_midi(take, path)
    back = read_take_midi(path)
    assert back.part(YOU_CHANNEL) == [NoteEvent(0.5, 1, 64, 70, YOU_CHANNEL)]
    assert back.you_program == 5
    # A take without the person has no such track.
    alone = _take(events=[NoteEvent(0, 1, 60)])
    assert "You" not in [track.name for track in midifile.take_to_midi(alone).tracks]
