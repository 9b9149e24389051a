"""Per-bar time signatures in typed changes: parsing, round trips, bar starts, the band and the
conditioning following each bar's meter, and clear refusals where one meter is needed."""

from __future__ import annotations

import numpy as np
import pytest

from jazzgui.errors import ChordSymbolError
from jazzgui.music.accompaniment import band_bars
from jazzgui.music.conditioning import BEAT_SLOTS, onset_features
from jazzgui.music.evaluate import line_from_take
from jazzgui.music.events import BASS_CHANNEL, Take
from jazzgui.music.grammar import GRID
from jazzgui.music.meter import Meter, MeterMap
from jazzgui.music.progression import MixedMeterError, parse_progression

CHANGES = "(4/4) Dm7 G7 | Cmaj7 | (3/4) Dm7 | G7 | (4/4) C6 |"
STARTS = [0.0, 4.0, 8.0, 11.0, 14.0]


def test_markers_set_the_meter_from_their_bar_until_the_next():
    changes = parse_progression(CHANGES)
    assert changes.mixed and len(changes) == 5
    assert [m.text for m in changes.meters] == ["4/4", "4/4", "3/4", "3/4", "4/4"]
    assert [changes.meter_map.start(i) for i in range(5)] == STARTS
    assert changes.length_beats == 18.0
    assert changes.meter.text == "4/4"  # the first bar's
    assert changes.meter_summary == "4/4 changing to 3/4"
    # The chords sound where their bars are: G7 is bar 4 (beats 11-14), C6 bar 5.
    assert [s.start_beat for s in changes.spans()] == [0.0, 2.0, 4.0, 8.0, 11.0, 14.0]
    assert changes.bar_spans(3)[0].duration == 3.0
    assert changes.chord_at(13.9).name == "G7" and changes.chord_at(14.0).name == "C6"


def test_the_progression_repeats_with_its_meters():
    twice = parse_progression(CHANGES).repeated(2)
    assert twice.meter_map.start(5) == 18.0 and twice.meter_map.start(7) == 26.0
    assert twice.meter_map.start(8) == 29.0 and twice.length_beats == 36.0
    assert twice.chord_at(18.0 + 12.0).name == "G7"


def test_to_text_round_trips_the_meters():
    for text in (
        CHANGES,
        "(3/4) C | D | (6/8) E F | (5/4) G7 / Dm7 |",
        "Am7 | (3/4) D7 | % | (4/4) Gmaj7 |",
    ):
        changes = parse_progression(text)
        again = parse_progression(changes.to_text())
        assert (again.bars, again.meters, again.meter) == (
            changes.bars,
            changes.meters,
            changes.meter,
        )
        assert again.to_text() == changes.to_text()
    assert parse_progression(CHANGES).to_text() == CHANGES  # already in its written form


def test_one_meter_stays_stored_as_before():
    waltz = parse_progression("(3/4) Dm7 | (3/4) G7 |")
    assert not waltz.mixed and waltz.meters == () and waltz.beats_per_bar == 3
    assert waltz.to_text() == "(3/4) Dm7 | G7 |"
    # The meter argument rules the bars before the first marker.
    late = parse_progression("C | (4/4) D |", meter="3/4")
    assert [m.text for m in late.meters] == ["3/4", "4/4"]


def test_a_repeated_bar_in_a_shorter_meter_drops_the_chords_past_its_end():
    changes = parse_progression("(4/4) C / / G7 | (3/4) % |")
    assert [c.name for _, c in changes.bars[1]] == ["C"]


@pytest.mark.parametrize(
    ("text", "marker", "words"),
    [
        ("C | D (3/4) E |", "(3/4)", ["bar 2", "start of a bar"]),
        ("C | D | (5/8) E |", "(5/8)", ["bar 3", "2.5 quarter notes"]),
        ("C | D | (3/2) E |", "(3/2)", ["bar 3", "1/2 notes"]),
        ("C | D | (3/4)", "(3/4)", ["no bar follows", "after bar 2"]),
    ],
)
def test_a_bad_marker_is_refused_naming_its_bar(text, marker, words):
    with pytest.raises(ChordSymbolError) as raised:
        parse_progression(text)
    assert raised.value.position == text.index(marker)
    for word in words:
        assert word in str(raised.value)


def test_the_band_plays_each_bar_in_its_meter():
    changes = parse_progression(CHANGES).repeated(2)
    bars = list(band_bars(changes, seed=5))
    grid = changes.meter_map
    for index, events in enumerate(bars):
        start, end = grid.start(index), grid.start(index + 1)
        assert all(start - 0.5 <= e.start_beat < end for e in events), index
        # The walking bass starts each bar on its chord's root, at the bar's own start.
        downbeat = [e for e in events if e.channel == BASS_CHANNEL and e.start_beat == start]
        root = changes.bar_spans(index)[0].chord.root
        assert downbeat and downbeat[0].pitch % 12 == root
        bass = [e for e in events if e.channel == BASS_CHANNEL]
        assert len(bass) == grid.beats(index)  # a note on every beat of this bar


def test_the_beat_in_the_bar_is_counted_from_each_bar_start():
    changes = parse_progression(CHANGES)
    beat_slots = slice(24 + GRID, 24 + GRID + BEAT_SLOTS)

    def beat_in_bar(beat: float) -> int:
        return int(np.argmax(onset_features(changes, round(beat * GRID))[beat_slots]))

    assert [beat_in_bar(b) for b in (8, 9, 10, 11, 12, 13, 14)] == [0, 1, 2, 0, 1, 2, 0]
    # The last bar of the chorus (4/4) comes before bar 0 for a primer.
    assert beat_in_bar(-1) == 3


def test_meter_map_places_bars_at_cumulative_starts():
    bars = MeterMap([Meter(4, 4), Meter(3, 4), Meter(6, 8), Meter(5, 4)])
    assert [bars.start(i) for i in range(5)] == [0.0, 4.0, 7.0, 10.0, 15.0]
    assert [bars.index_at(b) for b in (0, 3.9, 4, 6.99, 7, 14.5, 15, -1)] == [
        0, 0, 1, 1, 2, 3, 4, -1,
    ]  # fmt: skip
    assert bars.changes() == list(enumerate(bars.meters))
    assert bars.mixed and not MeterMap.uniform(Meter(3, 4), 4).mixed


def test_measuring_a_mixed_meter_take_is_refused_with_what_to_do():
    changes = parse_progression(CHANGES)
    take = Take(events=[], progression_text=changes.to_text(), bars=5)
    with pytest.raises(MixedMeterError) as raised:
        line_from_take(take)
    message = str(raised.value)
    assert "4/4 from bar 1, 3/4 from bar 3, 4/4 from bar 5" in message
    assert "measuring a take" in message and "one meter" in message
