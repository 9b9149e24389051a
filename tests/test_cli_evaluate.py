"""`jazzgui evaluate` on a tiny take against a tiny corpus."""

from __future__ import annotations

import mido
import numpy as np
import pytest

from jazzgui.cli import main
from jazzgui.model.config import ModelConfig
from jazzgui.model.modelfile import JazzModel, save_model, weight_shapes
from jazzgui.music.corpus import build_corpus
from jazzgui.music.events import COMP_CHANNEL, SOLO_CHANNEL, NoteEvent, Take
from jazzgui.music.midifile import write_take_midi, write_take_musicxml

ARPEGGIO = [0, 4, 7, 10, 12, 10, 7, 4]
CHANGES = "C7 | F7 | C7 | F7 |"


def arpeggio_take(bars: int, pitch_shift: int = 0) -> Take:
    events = [
        NoteEvent(i * 0.5, 0.5, 60 + pitch_shift + ARPEGGIO[i % 8], channel=SOLO_CHANNEL)
        for i in range(8 * bars)
    ]
    events.append(NoteEvent(0.0, 4.0, 48, channel=COMP_CHANNEL))
    return Take(events=events, progression_text=CHANGES, bars=bars)


@pytest.fixture
def corpus_file(tmp_path):
    path = tmp_path / "corpus" / "solo.musicxml"
    path.parent.mkdir()
    write_take_musicxml(arpeggio_take(4), path)
    return path


def table_rows(out: str) -> dict[str, list[str]]:
    """Rows of the first printed table: label -> the cells after it."""
    rows: dict[str, list[str]] = {}
    for line in out.splitlines():
        if rows and not line.strip():
            break
        cells = [c for c in line.split("  ") if c.strip()]
        if len(cells) >= 2:
            rows[cells[0].strip()] = [c.strip() for c in cells[1:]]
    return rows


def test_a_take_copying_the_corpus(tmp_path, corpus_file, capsys):
    take = tmp_path / "take.mid"
    write_take_midi(arpeggio_take(4), take)
    assert main(["evaluate", str(take), "--corpus", str(corpus_file.parent)]) == 0
    out = capsys.readouterr().out
    assert "corpus: 1 file, 4 bars, 32 notes" in out
    rows = table_rows(out)
    assert rows["measure"] == ["corpus", "take.mid"]
    # The corpus's second half repeats its first (16 tokens); the take is the whole corpus.
    assert rows["longest verbatim copy, tokens (max)"] == ["16", "32"]
    assert rows["notes sounding at once (max)"] == ["1", "1"]
    assert rows["distinct takes"] == ["-", "1 of 1"]
    assert rows["melodic intervals OA"] == ["1.000", "1.000"]
    assert rows["note durations JSD"] == ["0.000", "0.000"]
    assert rows["chord tones on strong beats"] == ["100.0%", "100.0%"]
    assert rows["notes per take (mean)"] == ["32.0", "32.0"]


def test_several_takes_share_a_column_with_their_variety(tmp_path, corpus_file, capsys):
    paths = []
    for i, shift in enumerate((0, 0, 2)):
        paths.append(tmp_path / f"take{i}.mid")
        write_take_midi(arpeggio_take(2, shift), paths[-1])
    assert main(["evaluate", *map(str, paths), "--corpus", str(corpus_file)]) == 0
    rows = table_rows(capsys.readouterr().out)
    assert rows["measure"] == ["corpus", "3 takes"]
    assert rows["distinct takes"] == ["-", "2 of 3"]


def test_a_midi_file_without_changes_needs_them_given(tmp_path, corpus_file, capsys):
    plain = tmp_path / "plain.mid"
    midi = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    for pitch in (60, 64, 67, 70):
        track.append(mido.Message("note_on", note=pitch, velocity=80, time=0))
        track.append(mido.Message("note_off", note=pitch, velocity=0, time=480))
    midi.tracks.append(track)
    midi.save(plain)
    assert main(["evaluate", str(plain), "--corpus", str(corpus_file)]) == 2
    assert "--progression" in capsys.readouterr().err
    assert main(["evaluate", str(plain), "--corpus", str(corpus_file), "--form", "blues-f"]) == 0
    assert "plain.mid" in capsys.readouterr().out


def test_an_input_that_is_neither_take_nor_model(tmp_path, corpus_file, capsys):
    odd = tmp_path / "notes.txt"
    odd.write_text("C D E")
    assert main(["evaluate", str(odd), "--corpus", str(corpus_file)]) == 2
    err = capsys.readouterr().err
    assert "notes.txt" in err
    assert ".jazzmodel" in err


def test_a_corpus_that_cannot_be_read(tmp_path, capsys):
    take = tmp_path / "take.mid"
    write_take_midi(arpeggio_take(2), take)
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"not midi at all")
    assert main(["evaluate", str(take), "--corpus", str(bad)]) == 2
    captured = capsys.readouterr()
    assert "bad.mid" in captured.out  # the skipped file and why
    assert "no file could be read as a solo" in captured.err


@pytest.fixture
def random_model(tmp_path, corpus_file):
    """A model with random weights over the corpus's vocabulary (sampling needs no TensorFlow)."""
    corpus = build_corpus([corpus_file])
    tokens = corpus.vocabulary.to_list()
    config = ModelConfig(n_a=8)
    rng = np.random.default_rng(0)
    weights = {
        name: rng.normal(0.0, 0.5, shape).astype(np.float32)
        for name, shape in weight_shapes(tokens, config).items()
    }
    path = tmp_path / "random.jazzmodel"
    save_model(JazzModel(tokens, config, weights, {}, [corpus.ok_entries[0].bars[0]]), path)
    return path


def test_a_model_generates_one_take_per_seed(random_model, corpus_file, capsys):
    argv = ["evaluate", str(random_model), "--corpus", str(corpus_file), "--seeds", "3"]
    assert main([*argv, "--form", "blues-f", "--reference", "--per-take"]) == 0
    out = capsys.readouterr().out
    rows = table_rows(out)
    assert rows["measure"] == ["corpus", "random", "random (reference)"]
    assert rows["takes (corpus: files)"] == ["1", "3", "3"]
    assert rows["distinct takes"][1] == "3 of 3"
    assert rows["notes sounding at once (max)"][1] == "1"
    # Take by take: one column per seed, for each method.
    assert "random, take by take:" in out
    assert "random (reference), take by take:" in out
    assert out.count("seed 0  seed 1  seed 2") == 2


def test_json_holds_exactly_the_named_keys_per_column(random_model, corpus_file, tmp_path, capsys):
    import json

    take = tmp_path / "my_take.mid"
    write_take_midi(arpeggio_take(4, pitch_shift=2), take)
    argv = ["evaluate", str(random_model), str(take), "--corpus", str(corpus_file)]
    assert main([*argv, "--seeds", "3", "--json", "--no-rules"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)  # the JSON object alone on stdout
    assert list(result) == ["corpus", "my_take", "random"]
    keys = [
        "nll_per_note", "chord_tones_strong_beats", "pitch_oa", "interval_oa", "duration_oa",
        "longest_copy_max", "distinct_takes",
    ]  # fmt: skip
    assert all(list(column) == keys for column in result.values())
    assert result["corpus"]["nll_per_note"] is None and result["my_take"]["nll_per_note"] is None
    assert result["random"]["nll_per_note"] > 0
    assert 0 <= result["random"]["chord_tones_strong_beats"] <= 100
    assert result["random"]["distinct_takes"] == 3
    assert result["corpus"]["chord_tones_strong_beats"] == 100.0  # the arpeggio's 1st and 5th
    assert "corpus:" in captured.err  # what was read goes to stderr


def test_no_rules_reaches_the_sampler_and_the_table_prints_nll(random_model, corpus_file, capsys):
    from jazzgui.model import takes

    seen = []
    original = takes.generate_take

    def spy(model, progression, settings, **kwargs):
        seen.append(settings.rules)
        return original(model, progression, settings, **kwargs)

    takes.generate_take = spy
    try:
        argv = ["evaluate", str(random_model), "--corpus", str(corpus_file), "--seeds", "2"]
        assert main([*argv, "--no-rules"]) == 0
        assert main(argv) == 0
    finally:
        takes.generate_take = original
    assert seen == [False, False, True, True]
    out = capsys.readouterr().out
    assert "negative log-likelihood per value" in out and "random:" in out
    assert "notes on strong beats (counted)" in out
