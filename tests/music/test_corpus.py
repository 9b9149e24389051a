"""Corpus: vocabulary order, file entries, validation by whole bars, training windows."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import mido
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jazzgui.errors import InputFileError, JazzGUIError, TrainingError
from jazzgui.music import leadsheet
from jazzgui.music.corpus import (
    Corpus,
    CorpusEntry,
    Vocabulary,
    build_corpus,
    expand_paths,
    plan_windows,
    training_windows,
)
from jazzgui.music.events import MelodyNote
from jazzgui.music.grammar import ValueToken, token_duration, tokenize
from jazzgui.music.leadsheet import LeadSheet
from jazzgui.music.progression import parse_progression


def _unique_bar(i: int) -> list[str]:
    """A bar whose tokens no other bar of these tests has (i < 47)."""
    first = Fraction(i + 1, 12)
    return [ValueToken("C", first).text, ValueToken("R", 4 - first).text]


def _corpus(bar_counts: list[int]) -> Corpus:
    entries, next_bar = [], 0
    for n, count in enumerate(bar_counts):
        bars = [_unique_bar(next_bar + i) for i in range(count)]
        next_bar += count
        entries.append(CorpusEntry(Path(f"f{n}.mid"), None, bars, None, 0.1))
    return Corpus(entries, Vocabulary.from_bars(b for e in entries for b in e.bars))


# Vocabulary


def test_vocabulary_is_sorted_and_independent_of_file_order():
    bars = [["S,1/2", "C,1/2,<+5,-1>", "R,3"], ["C,4"], ["R,4"]]
    vocab = Vocabulary.from_bars(bars)
    assert vocab.to_list() == sorted({t for bar in bars for t in bar})
    assert Vocabulary.from_bars(reversed(bars)) == vocab
    assert len(vocab) == 5
    for i, token in enumerate(vocab):
        assert vocab.index(token) == i and vocab.token(i) == token
    assert "C,4" in vocab and "X,4" not in vocab


def test_vocabulary_from_list_keeps_the_saved_order():
    saved = ["R,4", "C,1", "S,1/2"]
    vocab = Vocabulary.from_list(saved)
    assert vocab.to_list() == saved
    assert vocab.index("R,4") == 0
    assert Vocabulary.from_list(vocab.to_list()) == vocab


def test_vocabulary_rejects_duplicates_and_junk():
    with pytest.raises(JazzGUIError, match="twice"):
        Vocabulary.from_list(["C,1", "R,3", "C,1"])
    with pytest.raises(JazzGUIError):
        Vocabulary.from_list(["C,1", "not a token"])
    with pytest.raises(KeyError):
        Vocabulary.from_list(["C,1"]).index("C,2")


def test_nearest_prefers_same_type_then_duration_then_window():
    vocab = Vocabulary.from_list(["C,1", "C,2", "S,1/2,<+5,-1>", "S,1/2,<+1,-5>", "R,1"])
    assert vocab.token(vocab.nearest("C,5/4")) == "C,1"
    assert vocab.token(vocab.nearest("C,7/4")) == "C,2"
    assert vocab.token(vocab.nearest("S,1/2,<+4,-2>")) == "S,1/2,<+5,-1>"
    assert vocab.token(vocab.nearest("S,1/2,<+0,-6>")) == "S,1/2,<+1,-5>"
    assert vocab.token(vocab.nearest("X,1")) == "C,1"


# Corpus


def test_counts_and_sequences_cover_only_usable_files():
    corpus = _corpus([3, 2])
    corpus.entries.append(CorpusEntry(Path("bad.mid"), None, [], "bad.mid: broken", 0.0))
    assert len(corpus.ok_entries) == 2
    assert corpus.bar_count == 5 and corpus.token_count == 10
    sequences = corpus.sequences()
    assert [len(s) for s in sequences] == [6, 4]
    assert all(s.dtype == np.int32 for s in sequences)
    decoded = [corpus.vocabulary.token(i) for i in sequences[0]]
    assert decoded == [t for bar in corpus.entries[0].bars for t in bar]


def test_split_holds_out_whole_contiguous_bars_and_never_shares_them():
    corpus = _corpus([20, 10, 3])
    train, val = corpus.split_by_bars(0.2, seed=5)

    def bars_of(sequences):
        result = []
        for seq in sequences:
            tokens = [corpus.vocabulary.token(i) for i in seq]
            assert len(tokens) % 2 == 0  # whole bars only
            result.append([tuple(tokens[i : i + 2]) for i in range(0, len(tokens), 2)])
        return result

    val_bars, train_bars = bars_of(val), bars_of(train)
    assert [len(block) for block in val_bars] == [4, 2, 1]
    all_val = {bar for block in val_bars for bar in block}
    all_train = {bar for seq in train_bars for bar in seq}
    assert not all_val & all_train
    assert len(all_val) + len(all_train) == 33
    # Each held-out block is a run of consecutive bars of one file.
    originals = [[tuple(bar) for bar in e.bars] for e in corpus.entries]
    for block in val_bars:
        assert any(
            block == bars[i : i + len(block)] for bars in originals for i in range(len(bars))
        )


def test_split_is_deterministic_for_a_seed():
    corpus = _corpus([20, 20])
    first = corpus.split_by_bars(0.1, seed=1)
    again = corpus.split_by_bars(0.1, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(first[1], again[1]))
    others = [corpus.split_by_bars(0.1, seed=s)[1] for s in range(2, 8)]
    assert any(not np.array_equal(o[0], first[1][0]) for o in others)


def test_split_without_validation_and_bad_fractions():
    corpus = _corpus([4])
    train, val = corpus.split_by_bars(0.0, seed=0)
    assert val == [] and len(train) == 1 and len(train[0]) == 8
    for bad in (-0.1, 1.0, 2.0):
        with pytest.raises(TrainingError, match="validation fraction"):
            corpus.split_by_bars(bad, seed=0)


def test_expand_paths_finds_solo_files_in_folders(tmp_path):
    (tmp_path / "a" / "deep").mkdir(parents=True)
    for name in ("a/z.mid", "a/deep/y.MIDI", "a/x.mxl", "a/w.musicxml", "a/v.xml", "a/notes.txt"):
        (tmp_path / name).write_bytes(b"")
    missing = tmp_path / "missing.mid"
    found = expand_paths([tmp_path / "a", missing, tmp_path / "a" / "z.mid"])
    names = [p.relative_to(tmp_path).as_posix() for p in found]
    assert names == [
        "a/deep/y.MIDI",
        "a/v.xml",
        "a/w.musicxml",
        "a/x.mxl",
        "a/z.mid",
        "missing.mid",
    ]


def _sheet(path, pitches):
    melody = [MelodyNote(i, 1, p) for i, p in enumerate(pitches)]
    bars = max(1, -(-len(pitches) // 4))
    return LeadSheet(Path(path), melody, parse_progression(" | ".join(["Cmaj7"] * bars)))


def test_build_corpus_turns_bad_files_into_entries(tmp_path, monkeypatch):
    files = {name: tmp_path / name for name in ("good.mid", "bad.mid", "odd.mid")}
    for path in files.values():
        path.write_bytes(path.name.encode())  # distinct bytes: the cache is keyed by content

    def fake_load(path, track=None, bars=None, **_):
        assert track == "guitar" and bars == (1, 4)
        if path.name == "bad.mid":
            raise InputFileError(path, "it is broken", "Use another file")
        if path.name == "odd.mid":
            raise RuntimeError("library bug")
        return _sheet(path, [60, 62, 64, 65, 67])

    monkeypatch.setattr(leadsheet, "load_lead_sheet", fake_load)
    seen = []
    corpus = build_corpus([tmp_path], track="guitar", bars=(1, 4), on_entry=seen.append)
    assert [e.path.name for e in seen] == ["bad.mid", "good.mid", "odd.mid"]
    bad, good, odd = corpus.entries
    assert "it is broken" in bad.error and bad.sheet is None and bad.bars == []
    assert "RuntimeError" in odd.error and "library bug" in odd.error
    assert good.ok and good.sheet is not None and good.seconds >= 0
    assert corpus.ok_entries == [good]
    assert corpus.vocabulary == Vocabulary.from_bars(good.bars)
    assert corpus.bar_count == 2


def test_build_corpus_reports_a_folder_without_solo_files(tmp_path):
    (tmp_path / "notes.txt").write_text("no music here")
    seen = []
    corpus = build_corpus([tmp_path], on_entry=seen.append)
    (entry,) = corpus.entries
    assert seen == [entry] and entry.path == tmp_path
    assert "holds no .mid" in entry.error and not corpus.ok_entries


def test_build_corpus_with_a_models_vocabulary_maps_unknown_tokens(tmp_path, monkeypatch):
    path = tmp_path / "one.mid"
    path.write_bytes(b"x")
    monkeypatch.setattr(leadsheet, "load_lead_sheet", lambda p, **_: _sheet(p, [60, 64, 67, 71]))
    vocab = Vocabulary.from_list(["C,1", "C,1,<+7,+1>", "R,4"])
    corpus = build_corpus([path], vocabulary=vocab)
    assert corpus.vocabulary is vocab
    (sequence,) = corpus.sequences()
    assert [vocab.token(i) for i in sequence] == ["C,1"] + ["C,1,<+7,+1>"] * 3
    assert corpus.unknown_tokens == 1  # C,1,<+6,+0> (B after G) became its nearest
    corpus.sequences()
    assert corpus.unknown_tokens == 1  # encoding again does not count again


def test_build_corpus_reads_a_real_midi_file(tmp_path):
    midi = mido.MidiFile(type=1, ticks_per_beat=480)
    melody = mido.MidiTrack([mido.MetaMessage("track_name", name="Sax")])
    pitches = [62, 65, 69, 72, 71, 67, 65, 62] * 2
    for pitch in pitches:
        melody.append(mido.Message("note_on", note=pitch, velocity=90, time=0))
        melody.append(mido.Message("note_off", note=pitch, velocity=0, time=480))
    midi.tracks.append(melody)
    path = tmp_path / "line.mid"
    midi.save(path)
    corpus = build_corpus([path])
    (entry,) = corpus.entries
    assert entry.error is None, entry.error
    assert len(entry.bars) == 4
    for bar in entry.bars:
        assert sum(token_duration(t) for t in bar) == 4


# Training windows


def test_windows_are_next_token_slices_of_one_sequence():
    sequences = [np.arange(10, dtype=np.int32), np.arange(20, 27, dtype=np.int32)]
    x, y = training_windows(sequences, vocab_size=30, tx=4, seed=3)
    assert x.shape == (6 + 3, 4, 30) and x.dtype == np.float32
    assert y.shape == (9, 4) and y.dtype == np.int32
    assert np.all(x.sum(axis=2) == 1)
    inputs = x.argmax(axis=2)
    assert np.array_equal(inputs[:, 1:], y[:, :-1])  # Y is X shifted by one
    starts = set()
    for row_x, row_y in zip(inputs, y):
        window = np.concatenate([row_x, row_y[-1:]])
        assert np.array_equal(window, np.arange(window[0], window[0] + 5))
        assert window[0] + 4 < 10 or window[0] >= 20  # never spans two sequences
        starts.add(int(window[0]))
    assert starts == set(range(6)) | set(range(20, 23))


def test_windows_are_shuffled_by_seed_and_can_be_capped():
    sequences = [np.arange(40, dtype=np.int32) % 7]
    first = training_windows(sequences, 7, tx=5, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(first, training_windows(sequences, 7, 5, 1)))
    other = training_windows(sequences, 7, tx=5, seed=2)
    assert not np.array_equal(first[1], other[1])
    assert sorted(map(tuple, first[1])) == sorted(map(tuple, other[1]))
    x, y = training_windows(sequences, 7, tx=5, seed=1, max_windows=4)
    assert x.shape[0] == 4 and np.array_equal(y, first[1][:4])


def test_short_sequences_are_skipped_with_a_reason(caplog):
    sequences = [np.arange(3, dtype=np.int32), np.arange(8, dtype=np.int32)]
    plan = plan_windows(sequences, tx=5)
    assert plan.starts == [(1, 0), (1, 1), (1, 2)]
    assert plan.skipped == ["sequence 0 has 3 tokens, fewer than Tx+1 = 6"]
    with caplog.at_level("INFO", logger="jazzgui.music.corpus"):
        x, _ = training_windows(sequences, 8, tx=5)
    assert x.shape[0] == 3
    assert "sequence 0 has 3 tokens" in caplog.text


def test_ids_instead_of_one_hot_and_empty_validation():
    sequences = [np.arange(12, dtype=np.int32)]
    x, y = training_windows(sequences, 12, tx=4, seed=9)
    ids, y_ids = training_windows(sequences, 12, tx=4, seed=9, one_hot=False)
    assert ids.shape == (8, 4) and ids.dtype == np.int32
    assert np.array_equal(ids, x.argmax(axis=2)) and np.array_equal(y, y_ids)
    x, y = training_windows(sequences, 12, tx=20, allow_empty=True)
    assert x.shape == (0, 20, 12) and y.shape == (0, 20)


def test_nothing_long_enough_is_a_clear_training_error():
    with pytest.raises(TrainingError, match=r"Tx=30.*longest has 12.*Reduce Tx to at most 11"):
        training_windows([np.arange(12, dtype=np.int32)], 12, tx=30)
    with pytest.raises(TrainingError, match="Tx=30"):
        training_windows([], 12, tx=30)
    with pytest.raises(TrainingError, match="at least 1"):
        training_windows([np.arange(12, dtype=np.int32)], 12, tx=0)
    with pytest.raises(TrainingError, match="outside the vocabulary"):
        training_windows([np.arange(12, dtype=np.int32)], 5, tx=3)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 25), min_size=1, max_size=6),
    st.integers(1, 8),
    st.integers(0, 10_000),
)
def test_window_count_and_contents_for_any_lengths(lengths, tx, seed):
    sequences = []
    offset = 0
    for n in lengths:
        sequences.append(np.arange(offset, offset + n, dtype=np.int32))
        offset += n + 100  # gaps so a window spanning two sequences would show
    expected = sum(max(n - tx, 0) for n in lengths)
    if expected == 0:
        with pytest.raises(TrainingError):
            training_windows(sequences, offset, tx, seed)
        return
    x, y = training_windows(sequences, offset, tx, seed)
    assert x.shape == (expected, tx, offset) and y.shape == (expected, tx)
    ids = np.concatenate([x.argmax(axis=2), y[:, -1:]], axis=1)
    assert np.all(np.diff(ids, axis=1) == 1)


# The reference file with the reference's selection: guitar solo, piano chords, bars 120-137.


def test_reference_selection_token_count_and_vocabulary(reference_midi):
    sheet = leadsheet.load_lead_sheet(
        reference_midi, track="guitar", bars=(120, 137), chord_track="piano"
    )
    bars = tokenize(sheet)
    assert len(bars) == 18 and sheet.bars == 18
    assert all(sheet.progression.bars[i] for i in range(18))  # chords in every bar
    tokens = sum(len(bar) for bar in bars)
    vocab = Vocabulary.from_bars(bars)
    # The reference reports 90 values and a few hundred tokens for this selection
    # (measured here: 263 tokens, 106 values).
    assert 200 <= tokens <= 300
    assert 60 <= len(vocab) <= 140
    for bar in bars:
        assert sum(token_duration(t) for t in bar) == 4
    sequence = np.asarray([vocab.index(t) for bar in bars for t in bar], dtype=np.int32)
    x, y = training_windows([sequence], len(vocab))
    assert x.shape == (tokens - 30, 30, len(vocab)) and y.shape == (tokens - 30, 30)


def test_build_corpus_takes_chords_from_the_named_track(reference_midi):
    corpus = build_corpus(
        [reference_midi], track="guitar", bars=(120, 137), chords="auto", chord_track="piano"
    )
    (entry,) = corpus.entries
    assert entry.error is None
    assert entry.sheet.chord_source == "accompaniment"
    assert len(entry.bars) == 18
