"""Reading lead sheets from MusicXML (written with music21 into tmp_path)."""

from __future__ import annotations

import pytest
from music21 import chord, harmony, instrument, key, meter, note, stream, tempo

from jazzgui.music.leadsheet import list_tracks, load_lead_sheet

II_V_I = [("Dm7", [62, 65, 69]), ("G7", [67, 71, 74]), ("Cmaj7", [64, 67, 71])]


def _write(
    path,
    bars=II_V_I,
    *,
    symbols=True,
    time_signature="4/4",
    comping=False,
    pickup=False,
    extra_symbol=None,
):
    """A sax part (one note a beat, rests filling each bar), optionally chord symbols and piano."""
    beats = int(time_signature.split("/")[0])
    score = stream.Score()
    sax = stream.Part()
    sax.partName = "Alto Sax"
    sax.insert(0, instrument.AltoSaxophone())
    piano = stream.Part()
    piano.partName = "Piano"
    piano.insert(0, instrument.Piano())
    number = 1
    if pickup:
        upbeat = stream.Measure(number=0)
        upbeat.insert(0, meter.TimeSignature(time_signature))
        upbeat.append(note.Note(60, quarterLength=1))
        upbeat.paddingLeft = beats - 1
        sax.append(upbeat)
        rest_bar = stream.Measure(number=0)
        rest_bar.insert(0, meter.TimeSignature(time_signature))
        rest_bar.append(note.Rest(quarterLength=1))
        rest_bar.paddingLeft = beats - 1
        piano.append(rest_bar)
    for i, (figure, pitches) in enumerate(bars):
        measure = stream.Measure(number=number + i)
        comp = stream.Measure(number=number + i)
        if i == 0:
            if not pickup:
                measure.insert(0, meter.TimeSignature(time_signature))
                comp.insert(0, meter.TimeSignature(time_signature))
            measure.insert(0, key.KeySignature(-1))
            measure.insert(0, tempo.MetronomeMark(number=150))
        if symbols:
            measure.insert(0, harmony.ChordSymbol(figure))
        if extra_symbol and i == 0:
            measure.insert(2, harmony.ChordSymbol(extra_symbol))
        for beat, pitch in enumerate(pitches):
            measure.insert(beat, note.Note(pitch, quarterLength=1))
        if beats > len(pitches):
            measure.insert(len(pitches), note.Rest(quarterLength=beats - len(pitches)))
        comp.insert(0, chord.Chord([p - 12 for p in pitches], quarterLength=beats))
        sax.append(measure)
        piano.append(comp)
    score.insert(0, sax)
    if comping:
        score.insert(0, piano)
    score.write("musicxml", fp=str(path))
    return path


def test_chord_symbols_become_the_progression(tmp_path):
    sheet = load_lead_sheet(_write(tmp_path / "ii-v-i.musicxml", extra_symbol="G7b9"))
    assert sheet.chord_source == "symbols"
    assert [[(o, c.name) for o, c in bar] for bar in sheet.progression.bars] == [
        [(0.0, "Dm7"), (2.0, "G7b9")],
        [(0.0, "G7")],
        [(0.0, "Cmaj7")],
    ]
    assert sheet.melody_track == "track 0 'Alto Sax'"
    assert "name says sax" in sheet.track_reason
    assert sheet.tempo_bpm == pytest.approx(150)
    assert (sheet.key, sheet.key_source) == ("F major", "key signature")
    assert sheet.notes["format"] == "MusicXML"
    assert [(n.start_beat, n.pitch) for n in sheet.melody[:4]] == [
        (0.0, 62),
        (1.0, 65),
        (2.0, 69),
        (3.0, None),
    ]


def test_without_chord_symbols_chords_come_from_the_melody(tmp_path):
    sheet = load_lead_sheet(_write(tmp_path / "plain.xml", symbols=False))
    assert sheet.chord_source == "melody"
    assert sheet.bars == 3 and all(bar[0][0] == 0 for bar in sheet.progression.bars)
    assert [bar[0][1].root for bar in sheet.progression.bars] == [2, 7, 4]


def test_without_symbols_a_comping_part_gives_the_chords(tmp_path):
    sheet = load_lead_sheet(_write(tmp_path / "band.xml", symbols=False, comping=True))
    assert sheet.melody_track == "track 0 'Alto Sax'"
    assert sheet.chord_source == "accompaniment"
    assert sheet.notes["chords"] == "inferred from track 1 'Piano'"
    assert [bar[0][1].name for bar in sheet.progression.bars] == ["Dm", "G", "Em"]


def test_three_four_musicxml(tmp_path):
    sheet = load_lead_sheet(_write(tmp_path / "waltz.xml", time_signature="3/4"))
    assert sheet.beats_per_bar == 3 and sheet.meter == "3/4" and sheet.bars == 3
    assert [n.start_beat for n in sheet.melody] == [float(b) for b in range(9)]


def test_compressed_mxl_and_bar_selection(tmp_path):
    source = _write(tmp_path / "tune.musicxml")
    from music21 import converter

    compressed = tmp_path / "tune.mxl"
    converter.parse(str(source)).write("mxl", fp=str(compressed))
    sheet = load_lead_sheet(compressed, bars=(2, 3))
    assert sheet.first_bar == 2 and sheet.bars == 2
    assert [bar[0][1].name for bar in sheet.progression.bars] == ["G7", "Cmaj7"]


def test_pickup_bar_leads_into_bar_one(tmp_path):
    sheet = load_lead_sheet(_write(tmp_path / "pickup.xml", pickup=True))
    # The pickup's one beat is the last beat of a bar that is otherwise rest.
    assert sheet.first_bar == 0 and sheet.bars == 4
    assert [(n.start_beat, n.pitch) for n in sheet.melody[:3]] == [
        (0.0, None),
        (3.0, 60),
        (4.0, 62),
    ]


def test_selected_pickup_and_bars_past_the_last_measure(tmp_path):
    path = _write(tmp_path / "pickup.xml", pickup=True)
    sheet = load_lead_sheet(path, bars=(0, 1))
    assert sheet.bars == 2 and [n.pitch for n in sheet.melody[:3]] == [None, 60, 62]
    assert sheet.beats_per_bar == 4 and "meter" not in sheet.notes  # a pickup is no meter change
    past = load_lead_sheet(path, bars=(3, 5))
    assert past.bars == 3 and past.melody[-1].pitch is None
    assert past.melody[-1].duration_beats == pytest.approx(9)


def test_list_tracks_of_musicxml(tmp_path):
    tracks = list_tracks(_write(tmp_path / "band.xml", comping=True))
    assert [(t.index, t.name, t.channel) for t in tracks] == [
        (0, "Alto Sax", None),
        (1, "Piano", None),
    ]
    assert tracks[0].score > tracks[1].score
