"""The phrase answerer: the person's notes as tokens over the chords, priming the network."""

from __future__ import annotations

from fractions import Fraction

import pytest
from model_fakes import random_model

from jazzgui.model.trading import BEAT_GRID, PhraseAnswerer, phrase_tokens, quantize_phrase, snap
from jazzgui.music.events import SOLO_CHANNEL, YOU_CHANNEL, NoteEvent
from jazzgui.music.grammar import token_duration
from jazzgui.music.progression import parse_progression

CHANGES = parse_progression("Dm7 | G7 | Cmaj7 | A7").repeated(2)


def you(start: float, length: float, pitch: int) -> NoteEvent:
    return NoteEvent(start, length, pitch, 80, YOU_CHANNEL)


def test_played_times_snap_to_sixteenths_and_triplets():
    assert [float(p) for p in BEAT_GRID] == pytest.approx([0, 0.25, 1 / 3, 0.5, 2 / 3, 0.75, 1])
    assert snap(4.03) == 4 and snap(4.64) == Fraction(14, 3) and snap(5.27) == Fraction(21, 4)
    # A swung eighth read back straight lands on the off-beat; a grace note keeps a length.
    melody = quantize_phrase([you(8.02, 0.46, 62), you(8.51, 0.02, 64)], origin=8.0)
    assert [(m.start_beat, m.duration_beats, m.pitch) for m in melody] == [
        (0.0, 0.5, 62),
        (0.5, 0.25, 64),
    ]


def test_phrase_tokens_are_read_against_the_chords_it_was_played_over():
    # F and A over Dm7 are chord tones, then two beats of rest; bar 2 starts on G, the root
    # of G7, and F# (a semitone under it) is an approach tone.
    phrase = [you(0.0, 1.0, 65), you(1.0, 1.0, 69), you(4.0, 2.0, 67), you(6.0, 1.0, 66)]
    tokens = phrase_tokens(phrase, CHANGES, range(0, 2))
    assert tokens[:2] == ["C,1", "C,1,<+7,+1>"]
    assert tokens[2].startswith("R,")
    assert tokens[3] == "C,2" and tokens[4].startswith("A,1,")
    assert sum(token_duration(t) for t in tokens) == 8
    # The same notes a bar later are read over G7 and Cmaj7: the types change with the chords.
    later = phrase_tokens(
        [you(n.start_beat + 4, n.duration_beats, n.pitch) for n in phrase], CHANGES, range(1, 3)
    )
    assert later != tokens and sum(token_duration(t) for t in later) == 8


def test_answers_fill_the_answer_bars_and_depend_on_the_phrase():
    model = random_model()
    answerer = PhraseAnswerer(model, CHANGES, seed=11)
    phrase = [you(b * 0.5, 0.5, 60 + (b % 5) * 2) for b in range(14)]
    bars = list(answerer(phrase, range(0, 2), range(2, 4)))
    assert len(bars) == 2
    for index, events in zip((2, 3), bars):
        assert events and all(index * 4 <= e.start_beat < index * 4 + 4 for e in events)
        assert all(e.end_beat <= index * 4 + 4 + 1e-9 and e.channel == SOLO_CHANNEL for e in events)

    # The same seed and phrase give the same answer; another phrase primes another one.
    again = PhraseAnswerer(model, CHANGES, seed=11)
    assert list(again(phrase, range(0, 2), range(2, 4))) == bars
    other = PhraseAnswerer(model, CHANGES, seed=11)
    rests = [you(0.0, 0.25, 84), you(6.0, 0.25, 48)]
    assert list(other(rests, range(0, 2), range(2, 4))) != bars
    assert answerer.answered == 1


def test_each_answer_of_a_session_has_its_own_seed():
    answerer = PhraseAnswerer(random_model(), CHANGES, seed=3)
    phrase = [you(0.0, 1.0, 62)]
    first = list(answerer(phrase, range(0, 1), range(1, 2)))
    second = list(answerer(phrase, range(0, 1), range(1, 2)))
    assert first != second and answerer.answered == 2


def test_silence_primes_from_the_models_own_music():
    answerer = PhraseAnswerer(random_model(), CHANGES, seed=5)
    (bar,) = answerer([], range(0, 2), range(2, 3))
    assert bar and all(8 <= e.start_beat < 12 for e in bar)


def test_bad_sampler_settings_are_refused_in_words():
    from jazzgui.model.sampling import SamplerSettings

    with pytest.raises(ValueError, match="temperature must be 0 or more"):
        PhraseAnswerer(random_model(), CHANGES, SamplerSettings(temperature=-1))
