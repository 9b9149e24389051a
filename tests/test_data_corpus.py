"""The built-in corpus: sources build, committed MusicXML matches them, sizes and bars are right."""

from __future__ import annotations

import importlib.util
import re
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from jazzgui.errors import InputFileError
from jazzgui.music.chords import parse_chord

DATA = Path(__file__).resolve().parents[1] / "data"
SOURCES = sorted((DATA / "src").glob("*.txt"))


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_corpus", DATA / "build_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_corpus", module)
    spec.loader.exec_module(module)
    return module


builder = _load_builder()


def _content(path: Path) -> tuple[list, list]:
    """Notes (bar, offset, length, midi or None, tie) and chord symbols (bar, offset, figure)."""
    from music21 import converter, harmony

    score = converter.parse(str(path))
    notes, chords = [], []
    for measure in score.parts[0].getElementsByClass("Measure"):
        for element in measure.notesAndRests:
            if isinstance(element, harmony.ChordSymbol):
                chords.append((measure.number, element.offset, element.figure))
            else:
                pitch = None if element.isRest else element.pitch.midi
                tie = element.tie.type if element.tie is not None else ""
                notes.append((measure.number, element.offset, element.quarterLength, pitch, tie))
    return notes, chords


def _symbol_from_figure(figure: str) -> str:
    """A music21 figure as a JazzGUI symbol: root flat '-' -> 'b', ' add ' dropped."""
    figure = re.sub(r"^([A-G])-", r"\1b", figure)
    return figure.replace(" add ", "").replace(" ", "")


def test_there_are_sources_and_one_lead_sheet_each():
    assert len(SOURCES) >= 8
    built = sorted(p.stem for p in (DATA / "solos").glob("*.musicxml"))
    assert built == [p.stem for p in SOURCES]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_source_parses_and_bars_fill_the_meter(source):
    solo = builder.parse_source(source)
    assert solo.choruses >= 1 and len(solo.bars) == solo.choruses * solo.form_bars
    for bar in solo.bars:
        assert sum(n.beats for n in bar.notes) == solo.beats_per_bar, f"line {bar.line}"
        assert all(builder.LOWEST <= n.pitch <= builder.HIGHEST for n in bar.notes if n.pitch)
        assert bar.chords[0][0] == 0


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_committed_musicxml_is_up_to_date(source, tmp_path):
    solo = builder.parse_source(source)
    fresh = builder.write_solo(solo, tmp_path)
    committed = DATA / "solos" / f"{source.stem}.musicxml"
    if fresh.read_bytes() == committed.read_bytes():
        return
    # Another music21 version may spell the same music differently: compare the music itself.
    fresh_notes, fresh_chords = _content(fresh)
    notes, chords = _content(committed)
    assert notes == fresh_notes, "run `python data/build_corpus.py` and commit data/solos"
    assert chords == fresh_chords, "run `python data/build_corpus.py` and commit data/solos"


def test_a_changed_note_or_chord_is_seen_as_out_of_date(tmp_path):
    source = DATA / "src" / "blues_f_ledger.txt"
    committed = _content(DATA / "solos" / "blues_f_ledger.musicxml")
    text = source.read_text(encoding="utf-8")
    edits = (
        ("| Bb7    | d5/4 r/8", "| Bb7    | e5/4 r/8"),
        ("| Cm7 F7 | r/8 g4", "| Cm7 C7 | r/8 g4"),
    )
    for number, (old, new) in enumerate(edits):
        changed = tmp_path / str(number) / "blues_f_ledger.txt"
        changed.parent.mkdir()
        changed.write_text(text.replace(old, new, 1), encoding="utf-8")
        fresh = builder.write_solo(builder.parse_source(changed), changed.parent)
        assert _content(fresh) != committed


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_committed_bars_fill_the_meter_and_chords_read_back(source):
    from music21 import converter, harmony

    solo = builder.parse_source(source)
    score = converter.parse(str(DATA / "solos" / f"{source.stem}.musicxml"))
    measures = list(score.parts[0].getElementsByClass("Measure"))
    assert len(measures) == len(solo.bars)
    for measure, bar in zip(measures, solo.bars):
        lengths = [
            Fraction(e.quarterLength)
            for e in measure.notesAndRests
            if not isinstance(e, harmony.ChordSymbol)
        ]
        assert sum(lengths) == solo.beats_per_bar, f"bar {measure.number}"
        symbols = measure.getElementsByClass(harmony.ChordSymbol)
        read = [(Fraction(c.offset), parse_chord(_symbol_from_figure(c.figure))) for c in symbols]
        expected = [(onset, (c.root, c.quality)) for onset, c in bar.chords]
        assert [(o, (c.root, c.quality)) for o, c in read] == expected, f"bar {measure.number}"


def test_corpus_meets_the_minimum_size():
    solos = [builder.parse_source(path) for path in SOURCES]
    assert sum(s.choruses for s in solos) >= 24
    assert sum(len(s.bars) for s in solos) >= 300
    forms = " ".join(s.form.lower() for s in solos)
    for form in ("blues", "minor blues", "rhythm changes", "ii-v-i", "modal", "ballad"):
        assert form in forms
    keys = {s.key for s in solos if "blues" in s.form.lower()}
    assert {"F", "Bb", "Cm"} <= keys


def _write(tmp_path: Path, bars: str) -> Path:
    path = tmp_path / "bad.txt"
    header = "title: T\nform: 12-bar blues\nform_bars: 1\nkey: F\ntempo: 120\nmeter: 4/4\n"
    path.write_text(header + bars, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("bar", "words"),
    [
        ("| F7 | c5/4 d5 e5 |", "add up to 3 beats"),
        ("| F7 | c5/1 d5/4 |", "add up to 5 beats"),
        ("| Fzz7 | c5/1 |", "Fzz7"),
        ("| F7 | c2/1 |", "outside the solo range"),
        ("| F7 | h5/1 |", "neither a rest"),
        ("| F7 | c5/32 c5/8. r/4. r/2 |", "off the 1/12-beat grid"),
        ("| F7 | c5/2~ d5/2 |", "tie"),
        ("| F7 c5/1 |", "two fields"),
    ],
)
def test_mistakes_name_the_file_and_line(tmp_path, bar, words):
    path = _write(tmp_path, "# a comment\n" + bar + "\n")
    with pytest.raises(InputFileError) as caught:
        builder.parse_source(path)
    message = str(caught.value)
    assert str(path) in message and "line 8" in message and words in message


def test_missing_header_is_reported(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("title: T\n| F7 | c5/1 |\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="lacks form, form_bars, key, tempo, meter"):
        builder.parse_source(path)


def test_builder_writes_identical_bytes_twice(tmp_path):
    solo = builder.parse_source(SOURCES[0])
    first = builder.write_solo(solo, tmp_path / "a").read_bytes()
    second = builder.write_solo(solo, tmp_path / "b").read_bytes()
    assert first == second


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_lead_sheet_loads_with_the_pipeline_without_overrides(source):
    from jazzgui.music.leadsheet import load_lead_sheet

    solo = builder.parse_source(source)
    sheet = load_lead_sheet(DATA / "solos" / f"{source.stem}.musicxml")
    assert sheet.chord_source == "symbols"
    assert sheet.bars == len(solo.bars)
    assert sheet.beats_per_bar == solo.beats_per_bar
    assert sheet.tempo_bpm == pytest.approx(solo.tempo)
    assert sheet.note_count == solo.note_count
    for index, bar in enumerate(solo.bars):
        loaded = [
            (Fraction(o).limit_denominator(12), c.root, c.quality)
            for o, c in sheet.progression.bars[index]
        ]
        assert loaded == [(o, c.root, c.quality) for o, c in bar.chords], f"line {bar.line}"
    flat = builder.flat_notes(solo)
    # A tied continuation is not a new note: the loader joins it to the note before.
    sounded = [n.pitch for i, n in enumerate(flat) if n.pitch and not (i and flat[i - 1].tie)]
    assert [n.pitch for n in sheet.melody if n.pitch is not None] == sounded


def test_whole_corpus_tokenizes_into_bars_that_fill_the_meter():
    from jazzgui.music.corpus import build_corpus
    from jazzgui.music.grammar import token_duration

    corpus = build_corpus([DATA / "solos"])
    assert [e.error for e in corpus.entries if e.error] == []
    solos = [builder.parse_source(path) for path in SOURCES]
    assert corpus.bar_count == sum(len(s.bars) for s in solos)
    for entry in corpus.ok_entries:
        for bar in entry.bars:
            assert sum(token_duration(t) for t in bar) == entry.sheet.beats_per_bar
    assert corpus.token_count > 2000 and len(corpus.vocabulary) > 50


def test_readme_table_matches_the_sources():
    solos = [builder.parse_source(path) for path in SOURCES]
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert builder.markdown_table(solos) in readme, "paste `build_corpus.py --table` into README"
