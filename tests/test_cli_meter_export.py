"""Meters and exports through the command line and the export API: 3/4, 5/4, 6/8, swing in
MIDI note times (or straight), MusicXML with the soloist's instrument, jazz chord symbols."""

from __future__ import annotations

import mido
import pytest

from jazzgui.cli import main
from jazzgui.music.events import BASS_CHANNEL, SOLO_CHANNEL
from jazzgui.music.midifile import read_take_midi
from jazzgui.playback.export import export_take, kind_for_path, swung_take

CHANGES = "Dm7 G7 | C7b9#11 | Cm7-5 F7 | Ab13#11 | Cm6/9 | Cadd9 Csus2 | N.C. | C11 |"


def _time_signature(path):
    midi = mido.MidiFile(path)
    message = next(m for t in midi.tracks for m in t if m.type == "time_signature")
    return f"{message.numerator}/{message.denominator}"


@pytest.mark.parametrize(("meter", "beats"), [("3/4", 3), ("4/4", 4), ("5/4", 5), ("6/8", 3)])
def test_generate_in_a_meter(tmp_path, capsys, meter, beats):
    out = tmp_path / "take.mid"
    args = ["generate", "-o", str(out), "--seed", "4", "--meter", meter, "--straight"]
    assert main([*args, "--progression", CHANGES, "--choruses", "2"]) == 0
    assert f"16 bars of {meter}" in capsys.readouterr().out
    take = read_take_midi(out)
    assert _time_signature(out) == meter and take.meter == meter
    assert take.beats_per_bar == beats and take.bars == 16
    solo = take.part(SOLO_CHANNEL)
    assert solo and max(e.end_beat for e in solo) <= 16 * beats + 1e-6
    # The walking bass starts each chord on its root, on the meter's pulses.
    pulse = 1.5 if meter == "6/8" else 1.0
    bass = take.part(BASS_CHANNEL)
    assert bass and all(
        abs(e.start_beat / pulse - round(e.start_beat / pulse)) < 1e-6 for e in bass
    )
    # N.C. (bar 7 of the chorus): the band rests, the soloist may play on.
    rest_bar = (6 * beats, 7 * beats)
    band = [e for e in take.events if e.channel != SOLO_CHANNEL]
    assert not [e for e in band if rest_bar[0] <= e.start_beat < rest_bar[1]]
    assert take.swing == (0.5 if meter == "6/8" else 0.6)


def test_meter_marker_in_the_changes(tmp_path):
    out = tmp_path / "waltz.mid"
    assert (
        main(["generate", "-o", str(out), "--seed", "1", "--progression", "(3/4) Dm7 | G7 |"]) == 0
    )
    take = read_take_midi(out)
    assert take.meter == "3/4" and take.bars == 2
    assert take.progression_text.startswith("(3/4) ")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--meter", "5/8"], ["meter (--meter) 5/8", "2.5 quarter notes", "3/4"]),
        (["--meter", "waltz"], ["'waltz' is not a time signature"]),
        (["--meter", "3/2"], ["1/2 notes"]),
        (["--progression", "Dm7 | (5/8) G7 |"], ["Meter marker '(5/8)' at character 7", "bar 2"]),
        (["--progression", ""], ["The chord changes"]),
    ],
)
def test_bad_meter_swing_or_changes_is_one_clear_line(tmp_path, capsys, args, words):
    assert main(["generate", "-o", str(tmp_path / "t.mid"), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "Chord symbol ''" not in err
    for word in words:
        assert word in err
    assert not (tmp_path / "t.mid").exists()


def test_a_swing_out_of_range_is_refused_before_anything_is_written(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["generate", "-o", str(tmp_path / "t.mid"), "--swing", "0.9"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "--swing" in err and "0.9" in err and "0.75" in err and "Traceback" not in err
    assert not (tmp_path / "t.mid").exists()


def test_midi_carries_the_swing_heard_or_straight_on_request(tmp_path):
    swung, straight = tmp_path / "swung.mid", tmp_path / "straight.mid"
    common = ["--seed", "5", "--swing", "0.66", "--progression", "Dm7 G7 | Cmaj7 |"]
    assert main(["generate", "-o", str(swung), *common]) == 0
    assert main(["generate", "-o", str(straight), *common, "--straight"]) == 0
    heard, plain = read_take_midi(swung), read_take_midi(straight)
    assert plain.swing == 0.66  # the ratio travels as a text event; the notes stay on the grid
    assert heard.swing == 0.5  # the swing is in the note times: nothing to swing again
    assert heard.provenance.extra["swing_in_note_times"] == "0.66"
    assert len(heard.events) == len(plain.events)
    pairs = list(zip(sorted(plain.events), sorted(heard.events)))
    offbeats = [(p, h) for p, h in pairs if abs(p.start_beat % 1 - 0.5) < 1e-9]
    assert offbeats and all(abs(h.start_beat % 1 - 0.66) < 2e-3 for _, h in offbeats)
    downbeats = [(p, h) for p, h in pairs if p.start_beat % 1 == 0]
    assert all(abs(h.start_beat - p.start_beat) < 2e-3 for p, h in downbeats)


def test_musicxml_carries_instrument_program_meter_and_chords(tmp_path):
    from music21 import converter, harmony

    out = tmp_path / "take.mid"
    args = ["generate", "-o", str(out), "--seed", "2", "--no-band", "--meter", "6/8"]
    assert main([*args, "--progression", "Dm7 G7 | N.C. | Ab13#11 | Cm6/9 |"]) == 0
    take = read_take_midi(out)
    take.solo_program = 66  # tenor sax
    xml = export_take(take, kind_for_path(tmp_path / "take.musicxml"), tmp_path / "take.musicxml")
    score = converter.parse(xml)
    part = score.parts[0]
    solo = part.getInstrument(returnDefault=False)
    assert solo is not None and solo.midiProgram == 66 and "Tenor" in solo.instrumentName
    assert part.recurse().getElementsByClass("TimeSignature")[0].ratioString == "6/8"
    symbols = list(part.recurse().getElementsByClass(harmony.Harmony))
    assert any(isinstance(s, harmony.NoChord) for s in symbols)
    sounding = sorted(n.pitch.midi for n in part.recurse().notes if n.isNote)
    assert sounding == sorted(e.pitch for e in take.part(SOLO_CHANNEL))


def test_wav_export_and_kinds(tmp_path):
    out = tmp_path / "take.mid"
    assert main(["generate", "-o", str(out), "--seed", "3", "--progression", "C7 | F7 |"]) == 0
    take = read_take_midi(out)
    wav = export_take(take, kind_for_path(tmp_path / "t.WAV"), tmp_path / "t.wav")
    assert wav.read_bytes()[:4] == b"RIFF"
    with pytest.raises(Exception, match=r"\.mid, \.musicxml or \.wav"):
        kind_for_path(tmp_path / "take.mp3")
    assert swung_take(take) is take  # already straight in its note times
