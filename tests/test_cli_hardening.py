"""Hostile command lines: output paths checked before work, no trained model lost, files written
with a normal file's mode, unknown words at start-up reported with a suggestion."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "music"))

from midi_factory import Part, build_midi, save, scale_line

from jazzgui import app
from jazzgui.cli import main
from jazzgui.errors import OutputPathError
from jazzgui.files import atomic_write, check_output_path, new_file_mode, user_data_dir
from jazzgui.model.modelfile import load_model

TINY_TRAINING = ["--epochs", "1", "--hidden", "8", "--tx", "8", "--val", "0"]


@pytest.fixture
def solo(tmp_path) -> Path:
    """Sixteen bars of a monophonic solo: enough for a one-epoch training run."""
    return save(build_midi([Part("Sax", 0, scale_line(16, 4))]), tmp_path / "solo.mid")


@pytest.fixture
def umask():
    """Set the process umask for one test (restored after)."""
    saved = os.umask(0o022)
    yield os.umask
    os.umask(saved)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_generate_checks_its_outputs_before_any_work(tmp_path, capsys):
    assert main(["generate", "-o", str(tmp_path)]) == 2
    assert "the take is a folder" in capsys.readouterr().err
    take = tmp_path / "take.mid"
    assert main(["generate", "-o", str(take), "--wav", str(tmp_path / "no" / "t.wav")]) == 2
    err = capsys.readouterr().err
    assert f"the folder {tmp_path / 'no'} does not exist" in err and "Traceback" not in err
    assert not take.exists()  # refused before the MIDI was written, not after
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["generate", "-o", str(blocker / "take.mid")]) == 2
    assert f"{blocker} is not a folder" in capsys.readouterr().err


def test_train_refuses_an_unwritable_output_before_training(tmp_path, solo, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["train", str(solo), "-o", str(blocker / "m.jazzmodel"), *TINY_TRAINING]) == 2
    captured = capsys.readouterr()
    assert f"{blocker} is not a folder" in captured.err and "epoch" not in captured.out


def test_train_saves_to_the_user_data_folder_when_its_path_fails(
    tmp_path, solo, capsys, monkeypatch
):
    import jazzgui.cli.train as train_command

    wanted = tmp_path / "later" / "m.jazzmodel"  # a folder train would create
    read_corpus = train_command._read_corpus

    def read_then_block_the_folder(args, vocabulary, snap):
        # While training runs, something takes the folder's place: the save must fail.
        (tmp_path / "later").write_text("not a folder")
        return read_corpus(args, vocabulary, snap)

    monkeypatch.setattr(train_command, "_read_corpus", read_then_block_the_folder)
    assert main(["train", str(solo), "-o", str(wanted), *TINY_TRAINING]) == 1
    captured = capsys.readouterr()
    fallback = user_data_dir() / "m.jazzmodel"
    assert user_data_dir() == Path(os.environ["XDG_DATA_HOME"]) / "jazzgui"
    assert f"could not save to {wanted}" in captured.err
    assert f"saved the model to {fallback} instead" in captured.err
    assert load_model(fallback).card["epochs"] == 1


def test_takes_and_wavs_get_a_normal_files_mode_and_keep_an_existing_one(tmp_path, umask):
    umask(0o027)
    assert new_file_mode() == 0o640
    take, wav = tmp_path / "take.mid", tmp_path / "take.wav"
    args = ["generate", "-o", str(take), "--wav", str(wav), "--seed", "1", "--no-band"]
    assert main([*args, "--progression", "Dm7 G7 | Cmaj7 |"]) == 0
    assert _mode(take) == 0o640 and _mode(wav) == 0o640
    take.chmod(0o604)
    wav.chmod(0o600)
    assert main([*args, "--progression", "Cmaj7 | Cmaj7 |"]) == 0
    assert _mode(take) == 0o604 and _mode(wav) == 0o600
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


def test_a_failed_atomic_write_keeps_the_old_file(tmp_path, umask):
    umask(0o022)
    target = tmp_path / "data.bin"
    atomic_write(target, lambda handle: handle.write(b"old"))
    assert _mode(target) == 0o644

    def fail_halfway(handle):
        handle.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputPathError, match=r"writing failed .No space left on device"):
        atomic_write(target, fail_halfway)
    assert target.read_bytes() == b"old" and not list(tmp_path.glob(".*.tmp"))


def test_check_output_path_accepts_a_new_folder_only_when_asked(tmp_path):
    nested = tmp_path / "a" / "b" / "m.jazzmodel"
    with pytest.raises(OutputPathError, match="does not exist"):
        check_output_path(nested)
    assert check_output_path(nested, create_folder=True) == nested


@pytest.mark.parametrize(
    ("word", "suggestion"),
    [("genrate", "generate"), ("trian", "train"), ("evalute", "evaluate"), ("xyzzy", None)],
)
def test_an_unknown_word_is_an_error_listing_the_commands(word, suggestion, capsys):
    assert app.main([word, "-o", "t.mid"]) == 2
    err = capsys.readouterr().err
    assert f"{word!r} is neither a command nor an existing file" in err
    assert "Commands: corpus, train, generate, evaluate, ports" in err
    assert (f"Did you mean `jazzgui {suggestion}`?" in err) == (suggestion is not None)


def test_an_unknown_word_is_an_error_without_a_display_too(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    env.pop("WAYLAND_DISPLAY", None)
    result = subprocess.run(
        [sys.executable, "-m", "jazzgui", "genrate", "-o", str(tmp_path / "t.mid")],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert "Did you mean `jazzgui generate`?" in result.stderr
    assert "display" not in result.stderr.lower() and "Traceback" not in result.stderr
