"""The learned pitch-class prior: counted from lead sheets, smoothed, checked, used by unparse."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from token_lines import unparse

from jazzgui.music.chords import parse_chord
from jazzgui.music.evaluate import FAMILIES
from jazzgui.music.events import MelodyNote
from jazzgui.music.leadsheet import LeadSheet
from jazzgui.music.pitch_prior import pitch_class_prior, pitch_weights, prior_problems
from jazzgui.music.progression import parse_progression
from jazzgui.music.unparse import unparse_bar


def _sheet(changes: str, notes: list[tuple[float, float, int | None]]) -> LeadSheet:
    melody = [MelodyNote(start, duration, pitch) for start, duration, pitch in notes]
    return LeadSheet(Path("hand-made.musicxml"), melody, parse_progression(changes))


def test_the_prior_counts_pitch_classes_above_the_root_per_family_with_add_one():
    sheets = [
        # Over G7: B (its 3rd) twice and F (its 7th); a rest; over Cmaj7: E (its 3rd).
        _sheet(
            "G7 | Cmaj7 |",
            [(0, 1, 71), (1, 1, 65), (2, 1, None), (3, 1, 59), (4, 4, 64)],
        ),
        _sheet("Dm7 |", [(0, 2, 65), (2, 2, None)]),  # over Dm7: F (its minor 3rd)
    ]
    prior = pitch_class_prior(sheets)
    assert list(prior) == list(FAMILIES)
    expected_dominant = np.full(12, 1 / 15)
    expected_dominant[4], expected_dominant[10] = 3 / 15, 2 / 15  # (count + 1) / (3 notes + 12)
    np.testing.assert_allclose(prior["dominant"], expected_dominant)
    expected_major = np.full(12, 1 / 13)
    expected_major[4] = 2 / 13
    np.testing.assert_allclose(prior["major"], expected_major)
    expected_minor = np.full(12, 1 / 13)
    expected_minor[3] = 2 / 13
    np.testing.assert_allclose(prior["minor"], expected_minor)
    for family in ("half-dim", "dim"):  # never played over: uniform, nothing impossible
        np.testing.assert_allclose(prior[family], np.full(12, 1 / 12))
    assert prior_problems(prior) == []


def test_a_prior_of_no_sheets_is_uniform():
    prior = pitch_class_prior([])
    for family in FAMILIES:
        np.testing.assert_allclose(prior[family], np.full(12, 1 / 12))


def test_weights_follow_the_chord_root():
    prior = {"dominant": [10.0 if i == 4 else 1.0 for i in range(12)]}
    weights = pitch_weights(prior, parse_chord("G7"))
    assert weights is not None and int(np.argmax(weights)) == 11  # B, the 3rd of G
    assert pitch_weights(prior, parse_chord("Cmaj7")) is None  # a family it does not name


@pytest.mark.parametrize(
    ("prior", "problem"),
    [
        ([1.0] * 12, "not a mapping"),
        ({"lydian": [1.0] * 12}, "unknown chord family"),
        ({"major": [1.0] * 11}, "not a list of 12 numbers"),
        ({"major": "twelve numbers"}, "not a list of 12 numbers"),
        ({"major": [True] * 12}, "not a list of 12 numbers"),
        ({"major": [1.0] * 11 + [float("nan")]}, "NaN or infinite"),
        ({"major": [1.0] * 11 + [float("inf")]}, "NaN or infinite"),
        ({"major": [1.0] * 11 + [-0.5]}, "negative"),
        ({"major": [0.0] * 12}, "all zeros"),
    ],
)
def test_unusable_priors_are_named(prior, problem):
    problems = prior_problems(prior)
    assert len(problems) == 1 and problem in problems[0]


CHANGES = parse_progression("G7 | G7 | G7 | G7 |")
# Chord tones within 3 semitones of the last pitch either way, rests between them so a
# pitch may come again: every window holds two or three chord tones of G7.
BAR = ["C,1/2,<+3,-3>", "R,1/2"] * 4


def _share_of_thirds(prior, seeds: int = 40) -> float:
    thirds = notes = 0
    for seed in range(seeds):
        events = unparse([BAR] * 4, CHANGES, seed, prior=prior)
        thirds += sum((e.pitch - 7) % 12 == 4 for e in events)  # B over G7
        notes += len(events)
    return thirds / notes


def test_a_peaked_prior_makes_unparse_pick_its_pitch_class_far_more_often():
    peaked = {"dominant": [100.0 if i == 4 else 1.0 for i in range(12)]}
    without, leaning = _share_of_thirds(None), _share_of_thirds(peaked)
    assert without < 0.3  # the 3rd is one chord tone among several (0.15 here)
    # 0.8 here: a bar's first note may not repeat the last bar's last pitch, so 1 in 4 is not B.
    assert leaning > 0.7
    assert leaning > 3 * without


def test_a_prior_silent_about_the_chords_family_changes_nothing():
    for seed in range(10):
        plain = unparse([BAR] * 4, CHANGES, seed)
        assert unparse([BAR] * 4, CHANGES, seed, prior={}) == plain
        assert unparse([BAR] * 4, CHANGES, seed, prior={"minor": [1.0] * 12}) == plain


def test_a_prior_that_rules_out_every_candidate_still_gives_a_pitch_of_the_type():
    # Weight on G7's non-chord tones only (none on G, B, D, F): the contour decides alone.
    prior = {"dominant": [0.0 if i in (0, 4, 7, 10) else 1.0 for i in range(12)]}
    spans = CHANGES.bar_spans(0)
    events, _ = unparse_bar(BAR, spans, 0.0, 4, 67, np.random.default_rng(0), prior=prior)
    assert events and all(e.kind == "C" for e in events)
