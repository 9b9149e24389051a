"""Words a person reads: counts in the right number, form names, the track an error names."""

from __future__ import annotations

from pathlib import Path

import pytest
from midi_factory import CMAJ7, DM7, G7, Part, block_chords, build_midi, save, scale_line

from jazzgui.cli import main
from jazzgui.errors import InputFileError
from jazzgui.music.leadsheet import load_lead_sheet
from jazzgui.music.progression import FORMS, form_title
from jazzgui.music.wording import plural


@pytest.mark.parametrize(
    ("count", "noun", "text"),
    [
        (1, "epoch", "1 epoch"),
        (0, "epoch", "0 epochs"),
        (2, "epoch", "2 epochs"),
        (1, "token", "1 token"),
        (1024, "bar", "1,024 bars"),
        (2, "chorus", "2 choruses"),
        (1.5, "beat", "1.5 beats"),
    ],
)
def test_plural(count, noun, text):
    assert plural(count, noun) == text


def test_every_form_has_a_title_a_musician_would_write():
    assert form_title("blues-f") == "Blues in F"
    assert form_title(" Blues-BB ") == "Blues in Bb"
    titles = [form_title(name) for name in FORMS]
    assert len(set(titles)) == len(FORMS)
    assert all(title[0].isupper() or title.startswith("ii") for title in titles)
    assert form_title("new-form") == "New form"


def _three_tracks(path: Path) -> Path:
    parts = [
        Part("Bass", 2, [(b * 4.0, 4, 36) for b in range(40)], program=32),
        Part("Piano", 1, block_chords([DM7, G7, CMAJ7] * 13), program=0),
        Part("Sax", 0, scale_line(40, 4), program=65),
    ]
    return save(build_midi(parts), path)


def test_bar_range_error_names_the_melody_track(tmp_path):
    path = _three_tracks(tmp_path / "three.mid")
    assert load_lead_sheet(path).melody_track == "track 2 'Sax'"
    with pytest.raises(InputFileError) as caught:
        load_lead_sheet(path, bars=(500, 600))
    assert "track 2 'Sax' has no notes in bars 500-600" in str(caught.value)
    assert "Bass" not in str(caught.value)


def test_one_bar_reads_in_the_singular(tmp_path, capsys):
    path = _three_tracks(tmp_path / "three.mid")
    code = main(["train", str(path), "--bars", "1-1", "-o", str(tmp_path / "m.jazzmodel"),
                 "--epochs", "1", "--hidden", "8"])  # fmt: skip
    out = capsys.readouterr().out
    assert "1 bar," in out and "1 bars" not in out
    assert code in (0, 2)
    if code == 0:
        assert "1 epoch in" in out and "1 epochs" not in out
