"""Bad input: every broken or unusable file either loads correctly or raises InputFileError."""

from __future__ import annotations

import io
import os
from datetime import timedelta

import mido
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from midi_factory import Part, band_file, build_midi, save, scale_line

from jazzgui.errors import InputFileError
from jazzgui.music.leadsheet import LeadSheet, list_tracks, load_lead_sheet


def _band_bytes() -> bytes:
    parts = [
        Part("Guitar", 0, scale_line(2, 4), program=26),
        Part("Piano", 1, [(0, 4, 50), (0, 4, 53), (4, 4, 55), (4, 4, 59)], program=0),
        Part("Drums", 9, [(b * 1.0, 0.25, 42) for b in range(8)]),
    ]
    buffer = io.BytesIO()
    build_midi(parts, texts=((0, "text", "Dm7"), (4, "text", "G7"))).save(file=buffer)
    return buffer.getvalue()


BAND = _band_bytes()


def _write(tmp_path, data: bytes, name: str = "bad.mid"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _check_error(error: InputFileError, path) -> None:
    """The message names the file, says what is wrong and what to do."""
    assert error.path == path
    assert error.problem and error.advice
    assert str(path) in str(error)


@pytest.mark.parametrize("data", [b"", b"\n  \n"])
def test_empty_file(tmp_path, data):
    path = _write(tmp_path, data)
    with pytest.raises(InputFileError, match="the file is empty") as caught:
        load_lead_sheet(path)
    _check_error(caught.value, path)


def test_random_bytes(tmp_path):
    path = _write(tmp_path, os.urandom(2048).replace(b"MThd", b"xxxx"))
    with pytest.raises(InputFileError, match="not a Standard MIDI File") as caught:
        load_lead_sheet(path)
    _check_error(caught.value, path)


def test_random_bytes_after_a_midi_header(tmp_path):
    path = _write(tmp_path, BAND[:14] + bytes(range(256)) * 4)
    with pytest.raises(InputFileError) as caught:
        load_lead_sheet(path)
    _check_error(caught.value, path)


def test_truncated_midi_reads_what_is_there_and_says_so(tmp_path):
    # Cut inside the last (drum) track: the guitar and piano are complete.
    path = _write(tmp_path, BAND[: len(BAND) - 20])
    sheet = load_lead_sheet(path)
    assert sheet.melody_track == "track 0 'Guitar'" and sheet.note_count == 12
    assert "truncated" in sheet.notes["warnings"]


def test_a_damaged_track_is_left_out(tmp_path):
    piano = [i for i in range(len(BAND)) if BAND.startswith(b"MTrk", i)][2]
    note_on = BAND.index(bytes([0x91, 50]), piano)
    damaged = bytearray(BAND)
    damaged[note_on + 2] = 0xFF  # a velocity above 127 cannot be
    sheet = load_lead_sheet(_write(tmp_path, bytes(damaged)))
    assert sheet.melody_track == "track 0 'Guitar'"
    assert "3 of 4 tracks" in sheet.notes["warnings"]
    assert sheet.chord_source == "symbols"  # the conductor track survived


@pytest.mark.parametrize("keep", [4, 13, 20, 40, 90])
def test_truncated_early_is_an_error(tmp_path, keep):
    path = _write(tmp_path, BAND[:keep])
    with pytest.raises(InputFileError) as caught:
        load_lead_sheet(path)
    _check_error(caught.value, path)


def test_drum_only_file(tmp_path):
    drums = [Part("Kit", 9, [(b / 2, 0.25, 36 + b % 3) for b in range(16)])]
    path = save(build_midi(drums), tmp_path / "drums.mid")
    with pytest.raises(InputFileError, match="only drum tracks") as caught:
        load_lead_sheet(path)
    _check_error(caught.value, path)


def test_file_without_notes(tmp_path):
    path = save(build_midi([Part("Empty", 0, [])]), tmp_path / "silent.mid")
    with pytest.raises(InputFileError, match="holds no notes"):
        load_lead_sheet(path)
    with pytest.raises(InputFileError, match="holds no notes"):
        list_tracks(path)


def test_no_notes_in_the_selected_bars(tmp_path):
    path = band_file(tmp_path / "band.mid")
    with pytest.raises(InputFileError, match="no notes in bars 10-12") as caught:
        load_lead_sheet(path, bars=(10, 12))
    assert "bars 1-3" in caught.value.advice


@pytest.mark.parametrize("bars", [(5, 3), (0, 2), ("a", "b"), (1, 10**6)])
def test_impossible_bar_ranges(tmp_path, bars):
    with pytest.raises(InputFileError, match="bars"):
        load_lead_sheet(band_file(tmp_path / "band.mid"), bars=bars)


def test_seven_eight_is_refused_with_advice(tmp_path):
    path = save(
        build_midi([Part("Sax", 0, [(0, 1, 60), (1, 1, 62)])], meters=((0, 7, 8),)),
        tmp_path / "seven.mid",
    )
    with pytest.raises(InputFileError, match="7/8") as caught:
        load_lead_sheet(path)
    assert "3/4" in caught.value.advice


def test_missing_file_folder_and_unknown_suffix(tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        load_lead_sheet(tmp_path / "nothing.mid")
    folder = tmp_path / "folder.mid"
    folder.mkdir()
    with pytest.raises(InputFileError, match="folder"):
        load_lead_sheet(folder)
    text = tmp_path / "notes.txt"
    text.write_text("Dm7 G7 | Cmaj7 |")
    with pytest.raises(InputFileError, match=r"'\.txt'"):
        load_lead_sheet(text)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("garbage.xml", b"<score-partwise><part id='P1'><measure><note>"),
        ("garbage.musicxml", b"this is not XML at all"),
        ("garbage.mxl", b"PK\x03\x04 not really a zip"),
        ("html.xml", b"<html><body>hello</body></html>"),
    ],
)
def test_broken_musicxml(tmp_path, name, data):
    path = _write(tmp_path, data, name)
    with pytest.raises(InputFileError) as caught:
        load_lead_sheet(path)
    _check_error(caught.value, path)


def test_huge_declared_lengths_are_refused_quickly(tmp_path):
    header = BAND[:14]
    huge_chunk = header + b"MTrk\xff\xff\xff\xff" + bytes([0, 0x90, 60, 100]) * 8
    with pytest.raises(InputFileError, match="damaged"):
        load_lead_sheet(_write(tmp_path, huge_chunk, "chunk.mid"))
    # A text event claiming 2**28 - 1 bytes: a variable-length quantity of four bytes.
    events = bytes([0, 0xFF, 0x01, 0xFF, 0xFF, 0xFF, 0x7F]) + b"short"
    huge_meta = header + b"MTrk" + len(events).to_bytes(4, "big") + events
    with pytest.raises(InputFileError, match="damaged"):
        load_lead_sheet(_write(tmp_path, huge_meta, "meta.mid"))


def test_time_division_in_smpte_is_refused(tmp_path):
    smpte = BAND[:12] + bytes([0xE7, 0x28]) + BAND[14:]
    with pytest.raises(InputFileError, match="time division"):
        load_lead_sheet(_write(tmp_path, smpte))


def test_note_without_note_off_sounds_to_the_end_of_its_track(tmp_path):
    midi = mido.MidiFile(ticks_per_beat=96)
    track = mido.MidiTrack(
        [
            mido.Message("note_on", note=60, velocity=90, time=0),
            mido.Message("note_on", note=64, velocity=90, time=96),
            mido.Message("note_off", note=64, time=96),
            mido.MetaMessage("end_of_track", time=192),
        ]
    )
    midi.tracks.append(track)
    sheet = load_lead_sheet(save(midi, tmp_path / "stuck.mid"))
    assert [(n.start_beat, n.duration_beats, n.pitch) for n in sheet.melody] == [
        (0.0, 1.0, 60),
        (1.0, 1.0, 64),
        (2.0, 2.0, None),
    ]


def test_a_note_far_away_is_refused_not_ground_through(tmp_path):
    parts = [Part("Sax", 0, [(0, 1, 60), (400_000, 1, 62)])]
    path = save(build_midi(parts, tpb=1), tmp_path / "far.mid")
    with pytest.raises(InputFileError, match="more than 5000"):
        load_lead_sheet(path)
    assert load_lead_sheet(path, bars=(1, 4)).note_count == 1


_MUTATION = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**6), st.integers(1, 255)),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("delete"), st.integers(0, 10**6), st.integers(1, 16)),
    st.tuples(st.just("truncate"), st.integers(0, 10**6), st.just(0)),
)


def _mutate(data: bytes, mutations) -> bytes:
    buffer = bytearray(data)
    for kind, position, value in mutations:
        if not buffer:
            break
        at = position % len(buffer)
        if kind == "flip":
            buffer[at] ^= value
        elif kind == "insert":
            buffer[at:at] = value
        elif kind == "delete":
            del buffer[at : at + value]
        else:
            del buffer[at:]
    return bytes(buffer)


@pytest.mark.timeout(300)
@settings(
    max_examples=300,
    deadline=timedelta(seconds=10),  # a hang guard, generous for slow machines
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(mutations=st.lists(_MUTATION, min_size=1, max_size=6))
def test_mutated_midi_loads_or_raises_input_file_error(tmp_path, mutations):
    path = _write(tmp_path, _mutate(BAND, mutations), "mutated.mid")
    try:
        sheet = load_lead_sheet(path)
    except InputFileError as error:
        _check_error(error, path)
        return
    assert isinstance(sheet, LeadSheet)
    assert sheet.bars >= 1 and sheet.note_count >= 1
    assert sum(n.duration_beats for n in sheet.melody) == pytest.approx(
        sheet.bars * sheet.beats_per_bar
    )
