"""Chord symbols as jazz players write them: tones, scales, canonical names, N.C., slash bass."""

from __future__ import annotations

import pytest
from midi_factory import Part, build_midi, save, scale_line

from jazzgui.errors import ChordSymbolError
from jazzgui.music.accompaniment import band_bars
from jazzgui.music.chords import QUALITIES, parse_chord, quality_structure
from jazzgui.music.events import BASS_CHANNEL, COMP_CHANNEL
from jazzgui.music.leadsheet import load_lead_sheet
from jazzgui.music.progression import parse_progression


def _offsets(pcs, root):
    return sorted((pc - root) % 12 for pc in pcs)


@pytest.mark.parametrize(
    ("symbol", "quality", "tones"),
    [
        ("C7b5", "7b5", [0, 4, 6, 10]),
        ("Cm7-5", "m7b5", [0, 3, 6, 10]),
        ("C-7b5", "m7b5", [0, 3, 6, 10]),
        ("Cø", "m7b5", [0, 3, 6, 10]),
        ("C11", "9sus4", [0, 2, 5, 7, 10]),
        ("Ab13#11", "13#11", [0, 4, 6, 7, 9, 10]),
        ("C7b9#11", "7b9#11", [0, 1, 4, 6, 7, 10]),
        ("C7(b9,#11)", "7b9#11", [0, 1, 4, 6, 7, 10]),
        ("Cm6/9", "m69", [0, 2, 3, 7, 9]),
        ("Cadd9", "add9", [0, 2, 4, 7]),
        ("C(add9)", "add9", [0, 2, 4, 7]),
        ("Csus2", "sus2", [0, 2, 7]),
        ("C-", "m", [0, 3, 7]),
        ("C°", "dim", [0, 3, 6]),
        ("C°7", "dim7", [0, 3, 6, 9]),
        ("CΔ", "maj7", [0, 4, 7, 11]),
        ("C^7", "maj7", [0, 4, 7, 11]),
        ("C^9", "maj9", [0, 2, 4, 7, 11]),
        ("Cmaj9#11", "maj9#11", [0, 2, 4, 6, 7, 11]),
        ("C7+9", "7#9", [0, 3, 4, 7, 10]),
        ("C7#9b13", "7#9b13", [0, 3, 4, 7, 8, 10]),
        ("Cmaj7#5", "maj7#5", [0, 4, 8, 11]),
        ("Cm(b6)", "mb13", [0, 3, 7, 8]),
        ("Cmadd9", "madd9", [0, 2, 3, 7]),
    ],
)
def test_jazz_spellings_give_their_chord_tones(symbol, quality, tones):
    chord = parse_chord(symbol)
    assert chord.quality == quality
    assert _offsets(chord.tones, chord.root) == tones
    assert chord.symbol == symbol


@pytest.mark.parametrize(
    ("symbol", "scale"),
    [
        ("C7b9#11", [0, 1, 3, 4, 6, 7, 9, 10]),  # half-whole diminished
        ("C7#9b13", [0, 1, 3, 4, 6, 8, 10]),  # altered
        ("Ab13#11", [0, 2, 4, 6, 7, 9, 10]),  # lydian dominant
        ("Cm6/9", [0, 2, 3, 5, 7, 9, 10]),  # dorian
        ("Cmaj7#5", [0, 2, 4, 6, 8, 9, 11]),  # lydian augmented
        ("Cm7b9", [0, 1, 3, 5, 7, 8, 10]),  # phrygian
        ("Csus2", [0, 2, 4, 5, 7, 9, 10]),
    ],
)
def test_new_qualities_have_the_scale_a_player_would_use(symbol, scale):
    chord = parse_chord(symbol)
    assert _offsets(chord.scale, chord.root) == scale


def test_every_quality_name_reads_back_to_itself():
    symbols = "C7b5 Ab13#11 C7b9#11 Cm69 Cadd9 Csus2 Cm9b5 C(#11) C(b5) C7sus2 Cmmaj9 C9b5"
    for symbol in symbols.split():
        chord = parse_chord(symbol)
        again = parse_chord(chord.name)
        assert (again.root, again.quality) == (chord.root, chord.quality), symbol
        assert quality_structure(chord.quality)[0][0] == 0


def test_named_qualities_keep_their_table_meaning():
    for quality, (tones, scale) in QUALITIES.items():
        assert quality_structure(quality) == (tones, scale)
        chord = parse_chord("D" + ("" if quality == "maj" else quality))
        assert chord.quality == quality


def test_slash_chord_bass_is_walked_by_the_bass():
    progression = parse_progression("C/E | C/E | F/A | F/A |")
    notes = [e for bar in band_bars(progression, seed=3, comp=False) for e in bar]
    downbeats = [e.pitch % 12 for e in notes if e.channel == BASS_CHANNEL and e.start_beat % 4 == 0]
    assert downbeats == [4, 4, 9, 9]


def test_no_chord_rests_the_band_and_holds_the_previous_scale():
    progression = parse_progression("Dm7 G7 | N.C. | Cmaj7 / N.C. / |")
    held = progression.bars[1][0][1]
    assert held.no_chord and held.name == "N.C."
    assert (held.root, held.quality) == (7, "7")  # G7's scale for the soloist
    notes = [e for bar in band_bars(progression, seed=1) for e in bar]
    assert not [e for e in notes if 4 <= e.start_beat < 8]
    assert not [e for e in notes if e.channel == BASS_CHANNEL and 10 <= e.start_beat < 12]
    assert [e for e in notes if e.channel == COMP_CHANNEL and 8 <= e.start_beat < 10]
    assert parse_progression(progression.to_text()).bars == progression.bars


def test_no_chord_first_takes_the_coming_chord():
    progression = parse_progression("NC | F7 |")
    first = progression.bars[0][0][1]
    assert first.no_chord and (first.root, first.quality) == (5, "7")


def test_only_no_chord_is_an_error():
    with pytest.raises(ChordSymbolError, match="at least one chord"):
        parse_progression("N.C. | N.C. |")


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_changes_are_named_as_such(text):
    with pytest.raises(ChordSymbolError) as caught:
        parse_progression(text)
    assert "Chord symbol ''" not in str(caught.value)
    assert str(caught.value).startswith("The chord changes")


def test_unknown_quality_says_which():
    with pytest.raises(ChordSymbolError, match="'xyz'"):
        parse_chord("Cxyz")


def test_no_chord_in_a_files_chord_symbols_carries_the_chord_before(tmp_path):
    texts = [(0.0, "marker", "Dm7"), (4.0, "marker", "N.C."), (8.0, "marker", "Ab13#11")]
    parts = [Part("Sax", 0, scale_line(3, 4), program=65)]
    sheet = load_lead_sheet(save(build_midi(parts, texts=texts), tmp_path / "nc.mid"))
    names = [chord.name for bar in sheet.progression.bars for _, chord in bar]
    assert names == ["Dm7", "Dm7", "Ab13#11"]


def test_jazz_chords_survive_a_musicxml_round_trip(tmp_path):
    from jazzgui.music.events import NoteEvent, Take
    from jazzgui.music.midifile import write_take_musicxml

    text = (
        "Ab13#11 | C7b9#11 | Cm6/9 | Cadd9 | Csus2 | G7alt | Cmaj7#11 | G7b9 | C7#9b13 | "
        "Cmadd9 | C6/9 | F13b9 | C9#11 | N.C. | Dm7 |"
    )
    progression = parse_progression(text)
    melody = [NoteEvent(bar * 4 + beat, 1, 64 + beat) for bar in range(15) for beat in range(4)]
    take = Take(events=melody, progression_text=progression.to_text(), bars=len(progression))
    write_take_musicxml(take, tmp_path / "chords.musicxml")
    sheet = load_lead_sheet(tmp_path / "chords.musicxml")
    read = [chord.name for bar in sheet.progression.bars for _, chord in bar]
    written = [chord.name for bar in progression.bars for _, chord in bar]
    assert read[:13] == written[:13]
    assert read[13:] == ["C9#11", "Dm7"]  # N.C.: the chord before carries on when read


def test_spellings_by_parts_keep_the_table_name():
    for text, quality in [
        ("m7add11", "m11"),
        ("7add13", "13"),
        ("6add9", "69"),
        ("maj7add9", "maj9"),
    ]:
        assert parse_chord("C" + text).quality == quality
