"""Reading lead sheets from MIDI: melody, bars, meter, tempo, key, track choice and chords."""

from __future__ import annotations

import mido
import pytest
from midi_factory import CMAJ7, DM7, G7, Part, band_file, block_chords, build_midi, save, scale_line

from jazzgui.errors import InputFileError
from jazzgui.music.leadsheet import (
    CHORD_SOURCES,
    SUPPORTED_SUFFIXES,
    LeadSheet,
    list_tracks,
    load_lead_sheet,
)


def _assert_well_formed(sheet: LeadSheet) -> None:
    """Notes and rests in time order, touching, covering every bar exactly; bars start chords."""
    cursor = 0.0
    for element in sheet.melody:
        assert element.start_beat == pytest.approx(cursor, abs=1e-6)
        assert element.duration_beats > 0
        cursor = element.end_beat
    assert cursor == pytest.approx(sheet.bars * sheet.beats_per_bar, abs=1e-6)
    for bar in sheet.progression.bars:
        assert bar and bar[0][0] == 0.0
        offsets = [offset for offset, _ in bar]
        assert offsets == sorted(set(offsets))
        assert all(0 <= offset < sheet.beats_per_bar for offset in offsets)


def test_supported_suffixes_and_chord_sources():
    assert set(SUPPORTED_SUFFIXES) == {".mid", ".midi", ".xml", ".mxl", ".musicxml"}
    assert CHORD_SOURCES == ("auto", "symbols", "accompaniment", "melody")


def test_band_file_reads_guitar_melody_and_piano_chords(tmp_path):
    sheet = load_lead_sheet(band_file(tmp_path / "band.mid"))
    _assert_well_formed(sheet)
    assert sheet.melody_track == "track 0 'Guitar'"
    assert sheet.track_reason.startswith("track 0 'Guitar': monophonic 100%")
    assert "name says guitar" in sheet.track_reason
    assert sheet.bars == 3 and sheet.first_bar == 1 and sheet.beats_per_bar == 4
    assert sheet.meter == "4/4"
    assert sheet.note_count == 18  # six eighths a bar
    assert sheet.melody[0].pitch == 62 and sheet.melody[0].duration_beats == 0.5
    assert [n.pitch for n in sheet.melody[5:7]] == [62, None]  # the quarter rest closing bar 1
    assert sheet.chord_source == "accompaniment"
    assert [[c.name for _, c in bar] for bar in sheet.progression.bars] == [
        ["Dm7"],
        ["G7"],
        ["Cmaj7"],
    ]
    assert sheet.tempo_bpm == pytest.approx(120)
    assert (sheet.key, sheet.key_source) == ("C major", "key signature")


def test_bar_selection_counts_from_the_first_selected_bar(tmp_path):
    sheet = load_lead_sheet(band_file(tmp_path / "band.mid"), bars=(2, 3))
    _assert_well_formed(sheet)
    assert sheet.first_bar == 2 and sheet.last_bar == 3 and sheet.bars == 2
    assert sheet.melody[0].start_beat == 0.0 and sheet.melody[0].pitch == 64
    assert [bar[0][1].name for bar in sheet.progression.bars] == ["G7", "Cmaj7"]


def test_bars_past_the_music_are_padded_with_rests(tmp_path):
    sheet = load_lead_sheet(band_file(tmp_path / "band.mid"), bars=(3, 5))
    _assert_well_formed(sheet)
    assert sheet.bars == 3
    assert sheet.melody[-1].pitch is None and sheet.melody[-1].duration_beats >= 8
    # The last chord heard holds on through the silent bars.
    assert [bar[0][1].name for bar in sheet.progression.bars] == ["Cmaj7"] * 3


def test_key_is_estimated_without_a_key_signature(tmp_path):
    sheet = load_lead_sheet(band_file(tmp_path / "band.mid", key=None))
    assert sheet.key_source == "estimated"
    assert sheet.key in ("C major", "A minor", "D minor", "F major", "G major")


@pytest.mark.parametrize(("numerator", "beats"), [(3, 3), (5, 5), (4, 4)])
def test_odd_meters_keep_their_bar_length(tmp_path, numerator, beats):
    bars = 4
    piano = block_chords([DM7, G7, CMAJ7, CMAJ7], beats_per_bar=beats)
    parts = [Part("Sax", 0, scale_line(bars, beats), 66), Part("Piano", 1, piano, 0)]
    path = save(build_midi(parts, meters=((0, numerator, 4),)), tmp_path / f"m{numerator}.mid")
    sheet = load_lead_sheet(path)
    _assert_well_formed(sheet)
    assert sheet.beats_per_bar == beats and sheet.meter == f"{numerator}/4"
    assert sheet.bars == bars
    assert [bar[0][1].name for bar in sheet.progression.bars] == ["Dm7", "G7", "Cmaj7", "Cmaj7"]
    second_bar = [n for n in sheet.melody if beats <= n.start_beat < 2 * beats]
    assert second_bar[0].pitch == 64  # bar 2's line starts a step up, on its downbeat


def test_six_eight_reads_as_three_beat_bars(tmp_path):
    parts = [Part("Flute", 0, scale_line(2, 3), 73)]
    path = save(build_midi(parts, meters=((0, 6, 8),)), tmp_path / "six8.mid")
    sheet = load_lead_sheet(path)
    assert sheet.beats_per_bar == 3 and sheet.meter == "6/8" and sheet.bars == 2


def test_meter_change_numbers_bars_as_the_file_does(tmp_path):
    # Two bars of 4/4, then 3/4: bar 3 starts at beat 8, bar 4 at beat 11.
    notes = [(8.0, 1.0, 60), (11.0, 1.0, 67)]
    path = save(
        build_midi([Part("Lead", 0, notes)], meters=((0, 4, 4), (8, 3, 4))), tmp_path / "mc.mid"
    )
    sheet = load_lead_sheet(path, bars=(4, 4))
    assert sheet.beats_per_bar == 3 and sheet.first_bar == 4
    assert sheet.melody[0].pitch == 67 and sheet.melody[0].start_beat == 0.0


def test_tempo_changes_do_not_move_notes(tmp_path):
    steady = load_lead_sheet(band_file(tmp_path / "steady.mid"))
    changing = load_lead_sheet(
        band_file(tmp_path / "changing.mid", tempos=((0, 90), (3.5, 200), (6, 140)))
    )
    assert changing.melody == steady.melody
    assert changing.progression == steady.progression
    assert changing.tempo_bpm == pytest.approx(90)
    later = load_lead_sheet(
        band_file(tmp_path / "later.mid", tempos=((0, 90), (4, 200))), bars=(2, 3)
    )
    assert later.tempo_bpm == pytest.approx(200)


def test_missing_tempo_assumes_the_midi_default(tmp_path):
    sheet = load_lead_sheet(band_file(tmp_path / "band.mid", tempos=()))
    assert sheet.tempo_bpm == pytest.approx(120)
    assert "assumed" in sheet.notes["tempo"]


def test_track_override_by_index_and_by_name(tmp_path):
    path = band_file(tmp_path / "band.mid")
    by_index = load_lead_sheet(path, track=2)
    assert by_index.melody_track == "track 2 'Bass'"
    assert "chosen by you" in by_index.track_reason
    by_name = load_lead_sheet(path, track="pIaNo")
    assert by_name.melody_track == "track 1 'Piano'"
    # Of the piano's block chords, the top note is the melody.
    assert [n.pitch for n in by_name.melody] == [60, 62, 59]
    assert load_lead_sheet(path, track="3").melody_track == "track 3 'Drums'"


@pytest.mark.parametrize("spec", [7, "tuba"])
def test_unknown_track_lists_the_tracks(tmp_path, spec):
    with pytest.raises(InputFileError) as caught:
        load_lead_sheet(band_file(tmp_path / "band.mid"), track=spec)
    assert "0 'Guitar'" in caught.value.advice and "1 'Piano'" in caught.value.advice


def test_chord_track_names_the_accompaniment(tmp_path):
    path = band_file(tmp_path / "band.mid")
    sheet = load_lead_sheet(path, chord_track="bass")
    assert sheet.chord_source == "accompaniment"
    assert sheet.notes["chords"] == "inferred from track 2 'Bass'"
    # A bass line alone names roots; the triad it suggests is the guess.
    assert [bar[0][1].root for bar in sheet.progression.bars] == [2, 7, 0]
    piano = load_lead_sheet(path, chord_track=1)
    assert piano.notes["chords"] == "inferred from track 1 'Piano'"


def test_chords_from_text_events(tmp_path):
    texts = [(0, "text", "Dm7"), (2, "text", "G7b9"), (4, "text", "Cmaj7"), (8, "text", "A7")]
    path = band_file(tmp_path / "symbols.mid", texts=texts)
    sheet = load_lead_sheet(path)
    assert sheet.chord_source == "symbols"
    assert [[(o, c.symbol) for o, c in bar] for bar in sheet.progression.bars] == [
        [(0.0, "Dm7"), (2.0, "G7b9")],
        [(0.0, "Cmaj7")],
        [(0.0, "A7")],
    ]
    # A selection after the first symbol still starts with the chord in effect.
    later = load_lead_sheet(path, bars=(2, 2))
    assert later.progression.bars[0][0][1].symbol == "Cmaj7"


def test_rehearsal_marks_are_not_chords(tmp_path):
    marks = [(0, "marker", "A"), (4, "marker", "B"), (8, "marker", "A")]
    sheet = load_lead_sheet(band_file(tmp_path / "marks.mid", texts=marks))
    assert sheet.chord_source == "accompaniment"


def test_forced_chord_sources(tmp_path):
    path = band_file(tmp_path / "band.mid")
    melody = load_lead_sheet(path, chords="melody")
    assert melody.chord_source == "melody" and melody.bars == 3
    assert all(len(bar) == 1 for bar in melody.progression.bars)
    with pytest.raises(InputFileError, match="no chord symbols"):
        load_lead_sheet(path, chords="symbols")
    with pytest.raises(InputFileError, match="not a source of chords"):
        load_lead_sheet(path, chords="guess")


def test_without_accompaniment_chords_come_from_the_melody(tmp_path):
    arpeggios = [(0, 1, 62), (1, 1, 65), (2, 1, 69), (3, 1, 72), (4, 1, 67), (5, 1, 71),
                 (6, 1, 74), (7, 1, 77)]  # fmt: skip
    path = save(build_midi([Part("Vibes", 0, arpeggios, 11)]), tmp_path / "solo.mid")
    sheet = load_lead_sheet(path)
    assert sheet.chord_source == "melody"
    assert [bar[0][1].name for bar in sheet.progression.bars] == ["Dm7", "G7"]
    with pytest.raises(InputFileError, match="no accompaniment track"):
        load_lead_sheet(path, chords="accompaniment")


def test_overlapping_notes_become_one_line(tmp_path):
    notes = [
        (0.0, 2.0, 60),  # a chord: the top note is kept
        (0.0, 2.0, 67),
        (1.875, 1.0625, 65),  # legato overlap: cuts the held 67
        (3.0, 0.5, 72),
        (3.125, 0.25, 55),  # struck under a higher held note: a second voice, dropped
        (3.5, 0.0, 70),  # zero length (a broken note-off): becomes a sixteenth
    ]
    path = save(build_midi([Part("Guitar", 0, notes, 26)]), tmp_path / "overlap.mid")
    sheet = load_lead_sheet(path)
    _assert_well_formed(sheet)
    played = [(n.start_beat, n.duration_beats, n.pitch) for n in sheet.melody]
    assert played == [
        (0.0, 1.875, 67),
        (1.875, 1.125, 65),
        (3.0, 0.5, 72),
        (3.5, 0.25, 70),
        (3.75, 0.25, None),
    ]


def test_short_gaps_are_articulation_not_rests(tmp_path):
    notes = [(0.0, 0.45, 60), (0.5, 0.45, 62), (1.0, 0.5, 64), (2.5, 1.5, 65)]
    path = save(build_midi([Part("Sax", 0, notes, 65)]), tmp_path / "staccato.mid")
    sheet = load_lead_sheet(path)
    assert [(n.start_beat, n.duration_beats, n.pitch) for n in sheet.melody] == [
        (0.0, 0.5, 60),
        (0.5, 0.5, 62),
        (1.0, 0.5, 64),
        (1.5, 1.0, None),
        (2.5, 1.5, 65),
    ]


def test_type0_file_is_split_by_channel(tmp_path):
    midi = build_midi(
        [
            Part("Everything", 0, scale_line(2, 4)),
        ]
    )
    band = midi.tracks[1]
    band.insert(1, mido.Message("note_on", channel=1, note=48, velocity=70, time=0))
    band.insert(2, mido.Message("note_on", channel=1, note=52, velocity=70, time=0))
    band.insert(3, mido.Message("note_on", channel=1, note=55, velocity=70, time=0))
    merged = mido.MidiFile(type=0, ticks_per_beat=midi.ticks_per_beat)
    merged.tracks.append(mido.merge_tracks(midi.tracks))
    path = save(merged, tmp_path / "type0.mid")
    tracks = list_tracks(path)
    assert [t.channel for t in tracks] == [0, 1]
    assert tracks[0].name == "Everything (channel 0)"
    sheet = load_lead_sheet(path)
    assert sheet.melody_track == "track 0 'Everything (channel 0)'"
    assert sheet.note_count == 12


def test_list_tracks_scores_every_track(tmp_path):
    tracks = list_tracks(band_file(tmp_path / "band.mid"))
    assert [(t.index, t.name, t.channel, t.notes) for t in tracks] == [
        (0, "Guitar", 0, 18),
        (1, "Piano", 1, 12),
        (2, "Bass", 2, 3),
        (3, "Drums", 9, 12),
    ]
    assert tracks[0].instrument == "Electric Guitar (jazz)"
    assert tracks[0].polyphony == 0.0 and tracks[1].polyphony == 0.75
    assert max(tracks, key=lambda t: t.score).name == "Guitar"
    assert tracks[3].reason.startswith("drum channel")


def test_melody_starting_mid_file_trims_to_its_bars(tmp_path):
    notes = [(b * 4 + 8, 2.0, 64) for b in range(2)]  # bars 3 and 4 only
    parts = [Part("Trumpet", 0, notes, 56), Part("Piano", 1, block_chords([CMAJ7] * 5), 0)]
    sheet = load_lead_sheet(save(build_midi(parts), tmp_path / "late.mid"))
    assert (sheet.first_bar, sheet.last_bar) == (3, 4)
    assert sheet.melody[0].start_beat == 0.0 and sheet.melody[0].pitch == 64
