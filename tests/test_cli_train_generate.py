"""`jazzgui train` and `jazzgui generate` end to end on the reference file (few epochs)."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from jazzgui.cli import main
from jazzgui.model.modelfile import load_model
from jazzgui.music.events import SOLO_CHANNEL
from jazzgui.music.midifile import read_take_midi

REFERENCE_SELECTION = ["--track", "Guitar", "--chord-track", "Piano", "--bars", "120-137"]


def test_train_then_generate(tmp_path, reference_midi, capsys):
    model_path = tmp_path / "ref.jazzmodel"
    args = ["train", str(reference_midi), *REFERENCE_SELECTION, "-o", str(model_path)]
    assert main([*args, "--epochs", "3", "--hidden", "16", "--tx", "12"]) == 0
    out = capsys.readouterr().out
    assert "18 bars" in out
    assert out.count("epoch ") >= 3 and "/token" in out and "x12)" in out
    # The new kind (the default) reads the played solo on the grid that fits it.
    assert "training the new kind" in out and "snapped to" in out and "kept exactly" in out
    model = load_model(model_path)
    assert model.config.kind == "new"
    assert model.card["epochs"] == 3 and model.card["bars"] == 18
    assert len(model.card["corpus"][0]["sha256"]) == 64

    take_path = tmp_path / "take.mid"
    generate = ["generate", "--model", str(model_path), "-o", str(take_path), "--seed", "9"]
    assert main([*generate, "--form", "blues-f", "--choruses", "2", "--temperature", "0.8"]) == 0
    out = capsys.readouterr().out
    assert "provenance: model=ref; seed=9; temperature=0.8" in out
    take = read_take_midi(take_path)
    assert take.bars == 24 and take.provenance.seed == 9
    assert take.part(SOLO_CHANNEL) and len(take.part(SOLO_CHANNEL)) < len(take.events)

    solo_path = tmp_path / "solo.mid"
    progression = "Dm7 G7 | Cmaj7 | Dm7 G7 | Cmaj7 |"
    generate = ["generate", "--model", str(model_path), "-o", str(solo_path), "--seed", "1"]
    wav = tmp_path / "solo.wav"
    assert main([*generate, "--no-band", "--progression", progression, "--wav", str(wav)]) == 0
    assert {e.channel for e in read_take_midi(solo_path).events} == {SOLO_CHANNEL}
    assert wav.read_bytes()[:4] == b"RIFF"
    capsys.readouterr()
    assert main([*generate, "--progression", progression, "--mode", "reference"]) == 0
    assert "mode=reference" in capsys.readouterr().out


def test_generate_without_starter_model_says_what_to_do(tmp_path, monkeypatch, capsys):
    import jazzgui.cli.generate as generate

    monkeypatch.setattr(generate, "starter_model_path", lambda: tmp_path / "none.jazzmodel")
    assert main(["generate", "-o", str(tmp_path / "t.mid")]) == 2
    err = capsys.readouterr().err
    assert "starter model is not installed" in err and "--model" in err


def test_bad_progression_is_a_clear_error(tmp_path, capsys):
    args = ["generate", "-o", str(tmp_path / "t.mid"), "--progression", "Dm7 | Qmaj7 |"]
    assert main(args) == 2
    assert "Qmaj7" in capsys.readouterr().err


def test_train_without_usable_files_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "noise.mid"
    bad.write_bytes(b"not midi at all")
    assert main(["train", str(bad), "-o", str(tmp_path / "m.jazzmodel")]) == 2
    captured = capsys.readouterr()
    assert "skipped" in captured.out and "no file could be read as a solo" in captured.err


@pytest.mark.slow
def test_ctrl_c_saves_the_best_model_so_far(tmp_path, reference_midi):
    model_path = tmp_path / "interrupted.jazzmodel"
    command = [
        sys.executable, "-c", "import sys; from jazzgui.cli import main; sys.exit(main())",
        "train", str(reference_midi), *REFERENCE_SELECTION, "-o", str(model_path),
        "--epochs", "100000", "--hidden", "8", "--tx", "8",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in process.stdout:
            if line.startswith("epoch"):
                process.send_signal(signal.SIGINT)
                break
        _out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130, err[-2000:]
    assert "interrupted: saved the best model so far" in err
    model = load_model(model_path)
    assert 1 <= model.card["epochs"] < 100000 and model.card["ended"] == "stopped"


def test_generate_passes_the_sampler_constraints_into_the_provenance(tmp_path, capsys):
    from jazzgui.music.midifile import read_take_midi

    out = tmp_path / "free.mid"
    code = main(["generate", "-o", str(out), "--seed", "4", "--chord-bias", "1", "--max-copy", "0"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "strong_beat_chord_bias=1;" in printed and "max_copy=None" in printed
    assert "max_copy=None" in read_take_midi(out).provenance.describe()


def test_train_the_reference_kind_as_the_reference_reads_the_file(tmp_path, reference_midi, capsys):
    model_path = tmp_path / "blind.jazzmodel"
    args = ["train", str(reference_midi), *REFERENCE_SELECTION, "-o", str(model_path)]
    assert main([*args, "--kind", "reference", "--epochs", "1", "--hidden", "8"]) == 0
    out = capsys.readouterr().out
    assert "training the reference kind" in out and "snapped" not in out
    assert "264 tokens, vocabulary 107" in out  # the 1/12 grid, as the README reads it
    model = load_model(model_path)
    assert model.config.kind == "reference" and "dense.kernel" in model.weights
    take_path = tmp_path / "take.mid"
    generate = ["generate", "--model", str(model_path), "-o", str(take_path), "--seed", "3"]
    assert main([*generate, "--form", "blues-f", "--no-rules"]) == 0
    assert "rules=False" in capsys.readouterr().out
