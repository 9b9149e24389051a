"""Solo-track scoring and picking: monophony, register, density and what names say."""

from __future__ import annotations

from pathlib import Path

import pytest

from jazzgui.errors import InputFileError
from jazzgui.music.tracks import (
    SourceNote,
    SourceTrack,
    describe_track,
    find_track,
    pick_solo_track,
    polyphony,
    program_name,
)

PATH = Path("song.mid")


def _line(start_pitch: int = 60, bars: int = 4, step: float = 0.5) -> list[SourceNote]:
    count = int(bars * 4 / step)
    return [SourceNote(i * step, step, start_pitch + (i * 5) % 12) for i in range(count)]


def _chords(root: int = 48, bars: int = 4) -> list[SourceNote]:
    return [SourceNote(b * 4.0, 4.0, root + o) for b in range(bars) for o in (0, 4, 7, 10)]


def _track(index, name, notes, channel=0, program=None, instrument=""):
    return SourceTrack(index, name, instrument or program_name(program), channel, program, notes)


def test_polyphony_counts_notes_under_others_but_excuses_legato():
    assert polyphony([]) == 0.0
    assert polyphony(_line()) == 0.0
    legato = [SourceNote(0, 1.1, 60), SourceNote(1, 1, 62)]  # overlaps 0.1 beat
    assert polyphony(legato) == 0.0
    chord = [SourceNote(0, 2, 60), SourceNote(0, 2, 64), SourceNote(0, 2, 67)]
    assert polyphony(chord) == pytest.approx(2 / 3)


def test_describe_track_reports_the_evidence():
    info = describe_track(_track(3, "Tenor Sax", _line(), program=66), None, 4)
    assert info.index == 3 and info.notes == 32 and info.polyphony == 0.0
    assert (info.low, info.high) == (60, 71)
    assert info.reason == "monophonic 100%, register 60-71, 8.0 notes a bar, name says sax"


def test_melodic_line_beats_comping_bass_and_drums():
    tracks = [
        _track(0, "Keys", _chords(), channel=0, program=0),
        _track(1, "Bass", [SourceNote(b, 1, 36) for b in range(16)], channel=1, program=32),
        _track(2, "Kit", [SourceNote(b / 2, 0.25, 42) for b in range(32)], channel=9),
        _track(3, "Track 4", _line(), channel=3),
    ]
    track, reason = pick_solo_track(tracks, PATH, None, 4)
    assert track.index == 3
    assert reason.startswith("track 3 'Track 4': monophonic 100%")
    assert "next track" in reason


def test_names_break_a_tie_between_similar_lines():
    tracks = [
        _track(0, "Strings", _line(62), channel=0),
        _track(1, "Trumpet", _line(62), channel=1),
    ]
    assert pick_solo_track(tracks, PATH, None, 4)[0].name == "Trumpet"


def test_general_midi_program_speaks_when_the_name_does_not():
    tracks = [
        _track(0, "Track 1", _line(64), channel=0, program=48),  # String Ensemble 1
        _track(1, "Track 2", _line(64), channel=1, program=65),  # Alto Sax
    ]
    track, reason = pick_solo_track(tracks, PATH, None, 4)
    assert track.index == 1 and "instrument is Alto Sax" in reason


def test_gm_program_names_are_not_read_as_track_names():
    # "Percussive Organ" must not count as drums, nor "Lead 3 (calliope)" as a lead part.
    organ = describe_track(_track(0, "Organ", _chords(60), program=17), None, 4)
    assert "drums" not in organ.reason
    synth = describe_track(_track(1, "Syn", _line(), program=82), None, 4)
    assert "name says lead" not in synth.reason


def test_window_scores_only_the_selected_stretch():
    guitar = _track(0, "Guitar", _line(bars=2) + [SourceNote(8.0 + i, 1, 60) for i in range(2)])
    info = describe_track(guitar, (8.0, 16.0), 4)
    assert info.notes == 2


def test_override_and_find_track():
    tracks = [_track(0, "Piano", _chords()), _track(1, "Lead Guitar", _line(), channel=1)]
    assert find_track(tracks, 0, PATH).name == "Piano"
    assert find_track(tracks, "1", PATH).name == "Lead Guitar"
    assert find_track(tracks, "GUITAR", PATH).index == 1
    track, reason = pick_solo_track(tracks, PATH, None, 4, override="piano")
    assert track.index == 0 and "chosen by you" in reason
    with pytest.raises(InputFileError, match="no track 5"):
        find_track(tracks, 5, PATH)
    with pytest.raises(InputFileError, match="no track name contains 'tuba'"):
        find_track(tracks, "tuba", PATH, role="chords")


def test_an_exact_name_beats_a_substring():
    tracks = [_track(0, "Guitar 2", _line()), _track(1, "Guitar", _line(), channel=1)]
    assert find_track(tracks, "guitar", PATH).index == 1


def test_drums_only_is_an_input_error():
    drums = [_track(0, "Kit", [SourceNote(b, 0.25, 36) for b in range(8)], channel=9)]
    with pytest.raises(InputFileError, match="only drum tracks"):
        pick_solo_track(drums, PATH, None, 4)
