"""Per-bar time signatures through the command line: `jazzgui generate` with meter markers
between bars writes a MIDI file with a time signature at each change and every bar at its
cumulative position; MusicXML shows the meters; trade and evaluate refuse such changes."""

from __future__ import annotations

import mido
import pytest

from jazzgui.cli import main
from jazzgui.music.events import BASS_CHANNEL, COMP_CHANNEL, SOLO_CHANNEL
from jazzgui.music.midifile import read_take_midi
from jazzgui.music.progression import parse_progression
from jazzgui.playback.export import export_take

CHANGES = "(4/4) Dm7 G7 | Cmaj7 | (3/4) Dm7 | G7 | (4/4) C6 |"
# Two choruses: bar starts are the running sum of 4, 4, 3, 3, 4 | 4, 4, 3, 3, 4 beats.
BAR_STARTS = [0, 4, 8, 11, 14, 18, 22, 26, 29, 32, 36]
SIGNATURES = [(0, "4/4"), (8, "3/4"), (14, "4/4"), (26, "3/4"), (32, "4/4")]


@pytest.fixture
def mixed_take(tmp_path, capsys):
    out = tmp_path / "mixed.mid"
    args = ["generate", "-o", str(out), "--seed", "11", "--choruses", "2"]
    assert main([*args, "--progression", CHANGES]) == 0
    assert "10 bars of 4/4 changing to 3/4" in capsys.readouterr().out
    return out


def _absolute(track):
    now = 0
    for message in track:
        now += message.time
        yield now, message


def _bar_of(beat: float) -> int:
    return max(i for i, start in enumerate(BAR_STARTS) if start <= beat + 1e-6)


def test_time_signatures_at_each_change(mixed_take):
    midi = mido.MidiFile(mixed_take)
    per_beat = midi.ticks_per_beat
    found = [
        (tick / per_beat, f"{m.numerator}/{m.denominator}")
        for track in midi.tracks
        for tick, m in _absolute(track)
        if m.type == "time_signature"
    ]
    assert found == SIGNATURES


def test_the_band_and_the_solo_keep_inside_their_bars(mixed_take):
    take = read_take_midi(mixed_take)
    assert take.bars == 10 and take.length_beats == 36.0
    assert take.bar_meters == ("4/4", "4/4", "3/4", "3/4", "4/4") * 2
    assert [take.meter_map.start(i) for i in range(11)] == BAR_STARTS
    changes = parse_progression(CHANGES).repeated(2)
    bass = take.part(BASS_CHANNEL)
    for index, start in enumerate(BAR_STARTS[:-1]):
        # The walking bass lands on the bar's root exactly at the bar's cumulative start ...
        root = changes.bar_spans(index)[0].chord.root
        assert any(e.start_beat == start and e.pitch % 12 == root for e in bass), index
        # ... and plays one note a beat of that bar's meter.
        in_bar = [e for e in bass if _bar_of(e.start_beat) == index]
        assert len(in_bar) == BAR_STARTS[index + 1] - start
    # The piano voices each bar's chord within that bar (or an eighth before its change).
    comp = take.part(COMP_CHANNEL)
    assert {_bar_of(e.start_beat) for e in comp} == set(range(10))
    for event in comp:
        assert event.pitch % 12 in changes.chord_at(event.start_beat + 0.5).scale
    # Every solo note starts and ends inside one bar (the value grammar fills each bar).
    solo = take.part(SOLO_CHANNEL)
    assert solo
    for event in solo:
        bar = _bar_of(event.start_beat)
        assert event.end_beat <= BAR_STARTS[bar + 1] + 1e-6
    assert {_bar_of(e.start_beat) for e in solo} >= {2, 3, 7, 8}  # the 3/4 bars have a solo


def test_musicxml_shows_each_meter_where_it_changes(mixed_take, tmp_path):
    from music21 import converter

    take = read_take_midi(mixed_take)
    target = export_take(take, "musicxml", tmp_path / "mixed.musicxml")
    part = converter.parse(str(target)).parts[0]
    measures = list(part.getElementsByClass("Measure"))
    assert [m.offset for m in measures] == BAR_STARTS[:-1]
    # (The last measure is as long as its notes: the export does not pad the end.)
    assert [m.duration.quarterLength for m in measures][:-1] == [4, 4, 3, 3, 4, 4, 4, 3, 3]
    shown = [(m.offset, m.timeSignature.ratioString) for m in measures if m.timeSignature]
    assert shown == SIGNATURES
    symbols = [
        (symbol.offset + m.offset, symbol.figure)
        for m in measures
        for symbol in m.getElementsByClass("ChordSymbol")
    ]
    assert (11.0, "G7") in symbols and (14.0, "C6") in symbols


def test_the_take_s_changes_read_back_bar_for_bar(mixed_take):
    take = read_take_midi(mixed_take)
    again, expected = parse_progression(take.progression_text), parse_progression(CHANGES)
    # The second chorus needs no marker where the meter goes on in 4/4.
    assert take.progression_text == f"{CHANGES[:-2]} | {CHANGES[6:]}"
    assert (again.bars, again.meters) == (expected.bars * 2, expected.meters * 2)


def test_a_bad_marker_mid_changes_names_its_bar(tmp_path, capsys):
    out = tmp_path / "t.mid"
    assert main(["generate", "-o", str(out), "--progression", "C | D | (7/8) E |"]) == 2
    err = capsys.readouterr().err
    assert "Meter marker '(7/8)'" in err and "bar 3" in err and "Traceback" not in err
    assert not out.exists()


def test_trade_refuses_changes_that_change_meter(capsys):
    assert main(["trade", "--input", "nowhere", "--progression", CHANGES]) == 2
    err = capsys.readouterr().err
    assert "jazzgui trade needs one meter" in err and "3/4 from bar 3" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_evaluate_refuses_a_take_that_changes_meter(mixed_take, reference_midi, capsys):
    assert main(["evaluate", str(mixed_take), "--corpus", str(reference_midi)]) == 2
    err = capsys.readouterr().err
    assert "measuring a take needs one meter" in err and "Traceback" not in err


def test_reading_another_program_s_file_with_meter_changes_is_refused(tmp_path):
    from jazzgui.errors import InputFileError

    midi = mido.MidiFile(type=0, ticks_per_beat=480)
    track = mido.MidiTrack(
        [
            mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0),
            mido.Message("note_on", note=60, velocity=80, time=0),
            mido.Message("note_off", note=60, velocity=0, time=1920),
            mido.MetaMessage("time_signature", numerator=3, denominator=4, time=0),
            mido.Message("note_on", note=62, velocity=80, time=0),
            mido.Message("note_off", note=62, velocity=0, time=1440),
        ]
    )
    midi.tracks.append(track)
    path = tmp_path / "elsewhere.mid"
    midi.save(path)
    with pytest.raises(InputFileError) as raised:
        read_take_midi(path)
    assert "time signature changes" in str(raised.value) and "elsewhere.mid" in str(raised.value)
