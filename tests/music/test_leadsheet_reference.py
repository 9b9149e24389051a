"""The reference exercise's file (read from ../shared, never copied): its selection, reproduced."""

from __future__ import annotations

import pytest

from jazzgui.music.corpus import Vocabulary
from jazzgui.music.grammar import tokenize
from jazzgui.music.leadsheet import list_tracks, load_lead_sheet

# The reference's selection: the guitar solo, chords from the piano, beats 476-548 inclusive.
REFERENCE_BARS = (120, 137)
REFERENCE_VOCABULARY = 90  # what the reference reports (78-90 across music21 versions)


@pytest.fixture
def reference_sheet(reference_midi):
    return load_lead_sheet(reference_midi, bars=REFERENCE_BARS, chord_track="piano")


def test_reference_selection_gives_eighteen_bars_with_chords(reference_sheet):
    sheet = reference_sheet
    assert sheet.bars == 18 and (sheet.first_bar, sheet.last_bar) == REFERENCE_BARS
    assert sheet.beats_per_bar == 4 and sheet.meter == "4/4"
    # Beats 476-548 are the selection: 72 beats of melody, notes and rests.
    assert sum(n.duration_beats for n in sheet.melody) == pytest.approx(72)
    assert sheet.melody_track == "track 5 'Guitar'"
    assert sheet.chord_source == "accompaniment"
    assert sheet.notes["chords"] == "inferred from track 0 'Piano'"
    assert all(bar and bar[0][0] == 0.0 for bar in sheet.progression.bars)
    assert 150 <= sheet.note_count <= 230
    assert sheet.tempo_bpm == pytest.approx(112)
    assert (sheet.key, sheet.key_source) == ("G major", "key signature")


def test_reference_chords_match_the_piano_voicings(reference_sheet):
    # Bar 120: Ab C Eb G Bb over Ab, then G Bb D F A over G (read off the piano part).
    first_bar = [chord.name for _, chord in reference_sheet.progression.bars[0]]
    assert first_bar == ["Abmaj9", "Gm9"]


def test_reference_tokens_and_vocabulary(reference_sheet):
    bars = tokenize(reference_sheet)
    assert len(bars) == 18
    tokens = [token for bar in bars for token in bar]
    assert 200 <= len(tokens) <= 300
    vocabulary = Vocabulary.from_bars(bars)
    # The same order as the reference's 90 values.
    assert REFERENCE_VOCABULARY * 2 / 3 <= len(vocabulary) <= REFERENCE_VOCABULARY * 3 / 2
    assert not any(token.startswith("R,4") for token in tokens)  # no bar-long junk rests


def test_whole_reference_file_loads_with_automatic_choices(reference_midi):
    sheet = load_lead_sheet(reference_midi)
    assert sheet.melody_track == "track 5 'Guitar'"
    assert "name says guitar" in sheet.track_reason
    assert sheet.bars > 150 and sheet.chord_source == "accompaniment"
    assert all(bar for bar in sheet.progression.bars)


def test_reference_track_list(reference_midi):
    tracks = list_tracks(reference_midi)
    assert len(tracks) == 19  # tracks with notes; the first six hold only text
    assert (tracks[0].name, tracks[0].channel) == ("Piano", 0)
    assert (tracks[5].name, tracks[5].channel) == ("Guitar", 5)
    assert max(tracks, key=lambda t: t.score).index == 5
    assert all(t.score < 0 for t in tracks if t.channel == 9)
    in_solo = list_tracks(reference_midi, bars=REFERENCE_BARS)
    assert in_solo[5].notes == 192 and in_solo[5].polyphony == 0.0
    assert max(in_solo, key=lambda t: t.score).index == 5
