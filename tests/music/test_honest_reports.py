"""Honest reports: damaged vs empty files, format-2 files, notes cut at the end of the bars read,
printable names, a missing folder, and a model that lacks what a sampling rule needs."""

from __future__ import annotations

import mido
import numpy as np
import pytest
from midi_factory import Part, build_midi, save, scale_line

from jazzgui.cli import main
from jazzgui.errors import InputFileError
from jazzgui.music.leadsheet import load_lead_sheet, printable


def _solo_file(path):
    return save(build_midi([Part("Conductor", 0, []), Part("Sax", 0, scale_line(8, 4))]), path)


def test_a_cut_off_file_is_damaged_not_empty(tmp_path):
    whole = _solo_file(tmp_path / "whole.mid").read_bytes()
    cut = tmp_path / "cut.mid"
    cut.write_bytes(whole[: len(whole) - 40])  # the download stopped inside the solo's track
    with pytest.raises(InputFileError, match="the MIDI data is damaged and no note could be read"):
        load_lead_sheet(cut)
    empty = tmp_path / "empty.mid"
    save(build_midi([Part("Sax", 0, [])]), empty)
    with pytest.raises(InputFileError, match="it holds no notes"):
        load_lead_sheet(empty)


def test_a_format_2_file_is_read_as_one_sequence_and_says_so(tmp_path):
    midi = mido.MidiFile(type=2)
    for offset in (0, 12):
        track = mido.MidiTrack()
        for i in range(16):
            pitch = 60 + offset + i % 5
            track.append(mido.Message("note_on", note=pitch, velocity=80, time=0))
            track.append(mido.Message("note_off", note=pitch, time=240))
        midi.tracks.append(track)
    path = tmp_path / "f2.mid"
    midi.save(path)
    sheet = load_lead_sheet(path)
    assert {n.pitch for n in sheet.melody if n.pitch} <= set(range(60, 65))
    assert (
        "format-2 file of 2 independent sequences: sequence 0 was read" in sheet.notes["warnings"]
    )


def test_a_note_held_far_past_the_bars_read_is_reported(tmp_path, capsys):
    midi = mido.MidiFile(type=1)
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("track_name", name="Sax\x1b[31m\x07"))
    for i in range(8):
        track.append(mido.Message("note_on", note=60 + i, velocity=80, time=0))
        track.append(mido.Message("note_off", note=60 + i, time=240))
    track.append(mido.Message("note_on", note=70, velocity=80, time=0))
    track.append(mido.Message("note_off", note=70, time=480 * 10000))
    midi.tracks.append(track)
    path = tmp_path / "lost_note_off.mid"
    midi.save(path)
    sheet = load_lead_sheet(path)
    assert (
        "1 melody note held past the bars read (the longest 10000 beats) cut at the end"
        in (sheet.notes["warnings"])
    )
    assert sheet.melody_track == "track 0 'Sax?[31m?'"
    assert main(["corpus", str(path)]) == 0
    out = capsys.readouterr().out
    assert "warning 1 melody note held past" in out and "\x1b" not in out and "\x07" not in out


def test_printable_replaces_control_characters():
    assert printable(" Tenor\x00 Sax\x1b[0m\n") == "Tenor? Sax?[0m"
    assert printable("Saxofón") == "Saxofón"


def test_a_missing_folder_is_named_as_missing(tmp_path, capsys):
    missing = tmp_path / "no" / "such" / "dir"
    assert main(["corpus", str(missing)]) != 0
    out = capsys.readouterr().out
    assert f"{missing}: the folder does not exist" in out and "(nothing)" not in out


def test_a_model_without_its_corpus_is_warned_about_the_copy_limit(tmp_path, capsys):
    from jazzgui.model.config import ModelConfig
    from jazzgui.model.modelfile import JazzModel, save_model, weight_shapes

    vocabulary = ["C,1", "C,1/2", "R,1/2", "S,1/2"]
    config = ModelConfig(n_a=8, kind="reference")
    rng = np.random.default_rng(0)
    weights = {
        name: rng.normal(0.0, 0.5, size=shape).astype(np.float32)
        for name, shape in weight_shapes(len(vocabulary), config).items()
    }
    model = save_model(
        JazzModel(vocabulary, config, weights, {"name": "bare"}), tmp_path / "bare.jazzmodel"
    )
    take = tmp_path / "t.mid"
    assert main(["generate", "--model", str(model), "-o", str(take), "--seed", "3"]) == 0
    err = capsys.readouterr().err
    assert "warning: model 'bare' stores no training corpus, so the copy limit" in err
    assert main(["generate", "--model", str(model), "-o", str(take), "--max-copy", "0"]) == 0
    assert "copy limit" not in capsys.readouterr().err
