"""`jazzgui corpus`: a report per file, one line per failed file, a summary, and the exit code."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from jazzgui.cli import main

sys.path.insert(0, str(Path(__file__).parent / "music"))
from midi_factory import band_file


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["corpus", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_one_file_reports_everything(tmp_path, capsys):
    path = band_file(tmp_path / "band.mid")
    code, out, _ = _run(capsys, str(path), "--show-chords")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == str(path)
    assert lines[1].startswith("  melody  track 0 'Guitar': monophonic 100%")
    assert lines[2] == "  bars    1-3 (3 bars of 4/4), 18 notes"
    assert lines[3] == "  chords  3 (accompaniment: inferred from 2 accompaniment tracks)"
    assert lines[4] == "  key     C major (key signature), tempo 120 BPM"
    assert lines[5].startswith("  tokens  ") and "vocabulary" in lines[5] and " s" in lines[5]
    assert lines[6] == "  changes Dm7 | G7 | Cmaj7 |"
    assert lines[-1].startswith("Corpus: 1 file read, 0 failed; 3 bars, ")


def test_options_reach_the_loader(tmp_path, capsys):
    path = band_file(tmp_path / "band.mid")
    code, out, _ = _run(
        capsys, str(path), "--track", "piano", "--bars", "2-3", "--chord-track", "2"
    )
    assert code == 0
    assert "  melody  track 1 'Piano': chosen by you" in out
    assert "  bars    2-3 (2 bars of 4/4)" in out
    assert "inferred from track 2 'Bass'" in out
    code, out, _ = _run(capsys, str(path), "--chords", "melody")
    assert "(melody: inferred from the melody" in out


def test_list_tracks_shows_every_track_and_its_score(tmp_path, capsys):
    path = band_file(tmp_path / "band.mid")
    code, out, _ = _run(capsys, str(path), "--list-tracks")
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("  track ")]
    assert len(rows) == 4
    assert rows[0].startswith("  track  0 Guitar") and "ch  0" in rows[0] and "18 notes" in rows[0]
    assert "drum channel" in rows[3]


def test_failed_files_get_one_line_and_the_rest_still_count(tmp_path, capsys):
    folder = tmp_path / "solos"
    folder.mkdir()
    band_file(folder / "a.mid")
    (folder / "b.mid").write_bytes(b"")
    (folder / "notes.txt").write_text("not a solo")  # not a solo file: not even listed
    code, out, _ = _run(capsys, str(folder), str(tmp_path / "missing.mid"))
    assert code == 0
    failed = [line for line in out.splitlines() if line.startswith("FAILED")]
    assert failed == [
        f"FAILED {folder / 'b.mid'}: the file is empty. Export the solo again from its source",
        f"FAILED {tmp_path / 'missing.mid'}: the file does not exist. Check the name and folder",
    ]
    assert "notes.txt" not in out
    assert out.splitlines()[-1].startswith("Corpus: 1 file read, 2 failed; 3 bars")


def test_nothing_readable_exits_2(tmp_path, capsys):
    (tmp_path / "b.mid").write_bytes(b"junk")
    code, out, _ = _run(capsys, str(tmp_path / "b.mid"))
    assert code == 2
    assert out.splitlines()[-1].startswith("Corpus: 0 files read, 1 failed")
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, _ = _run(capsys, str(empty))
    assert code == 2 and "no .mid" in out


@pytest.mark.parametrize("bars", ["3-1", "x", "1-b"])
def test_bad_bar_range_is_a_usage_error(tmp_path, capsys, bars):
    with pytest.raises(SystemExit) as caught:
        main(["corpus", str(tmp_path / "a.mid"), "--bars", bars])
    assert caught.value.code == 2
    assert "bar range" in capsys.readouterr().err


def test_reference_selection(reference_midi, capsys):
    code, out, _ = _run(capsys, str(reference_midi), "--bars", "120-137", "--chord-track", "piano")
    assert code == 0
    assert "  melody  track 5 'Guitar'" in out
    assert "  bars    120-137 (18 bars of 4/4)" in out
    assert "inferred from track 0 'Piano'" in out
    assert "G major (key signature), tempo 112 BPM" in out
