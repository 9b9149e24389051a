"""Sampling in numpy: full bars, seeds, temperature/top-p, streaming, the reference mode, takes."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

from jazzgui.errors import JazzGUIError
from jazzgui.model.config import ModelConfig
from jazzgui.model.sampling import (
    REFERENCE_TOKENS,
    LSTMStepper,
    SamplerSettings,
    generate_take,
    improvise,
)
from jazzgui.music.events import BASS_CHANNEL, COMP_CHANNEL, SOLO_CHANNEL
from jazzgui.music.grammar import token_duration
from jazzgui.music.progression import parse_progression

CHANGES = parse_progression("Dm7 G7 | Cmaj7 | Am7 D7 | Gmaj7 | Fm6 | Bb7 | Ebmaj7 | Am7b5 D7b9 |")


def _bar_beats(bar) -> Fraction:
    return sum((token_duration(t) for t in bar.tokens), Fraction(0))


@pytest.mark.parametrize("beats_per_bar", [3, 4, 5])
def test_every_bar_holds_exactly_its_beats(make_model, beats_per_bar):
    changes = parse_progression("Cmaj7 | Dm7 | G7 | Cmaj7 |", beats_per_bar=beats_per_bar)
    for seed in range(5):
        bars = list(improvise(make_model(seed=seed), changes, SamplerSettings(seed=seed)))
        assert [b.index for b in bars] == [0, 1, 2, 3]
        for bar in bars:
            assert _bar_beats(bar) == beats_per_bar
            start = bar.index * beats_per_bar
            for event in bar.events:
                assert event.channel == SOLO_CHANNEL
                assert start - 1e-9 <= event.start_beat < start + beats_per_bar
                assert event.end_beat <= start + beats_per_bar + 1e-9


def test_a_rest_closes_the_bar_when_no_value_fits(make_model):
    model = make_model(tokens=["C,3/2", "R,3/2"])
    for bar in improvise(model, CHANGES, SamplerSettings(seed=3)):
        assert _bar_beats(bar) == 4
        assert bar.tokens[-1] == "R,1"


def test_same_seed_same_solo_other_seed_other_solo(make_model):
    model = make_model()

    def solo(seed):
        return [b.events for b in improvise(model, CHANGES, SamplerSettings(seed=seed))]

    assert solo(7) == solo(7)
    assert solo(7) != solo(8)


def test_temperature_zero_is_deterministic_whatever_the_seed(make_model):
    model = make_model()
    settings = [SamplerSettings(temperature=0, seed=s, primer="none") for s in (1, 2)]
    tokens = [[b.tokens for b in improvise(model, CHANGES, s)] for s in settings]
    assert tokens[0] == tokens[1]


def test_tiny_top_p_takes_the_likeliest_token(make_model):
    model = make_model()
    greedy = SamplerSettings(temperature=0, repetition_penalty=1.0, primer="none")
    nucleus = SamplerSettings(top_p=1e-6, repetition_penalty=1.0, primer="none", seed=5)
    assert [b.tokens for b in improvise(model, CHANGES, greedy)] == [
        b.tokens for b in improvise(model, CHANGES, nucleus)
    ]


def test_repetition_penalty_makes_repeats_rarer(make_model):
    model = make_model(seed=4)
    changes = CHANGES.repeated(4)

    def repeats(penalty):
        settings = SamplerSettings(repetition_penalty=penalty, seed=11, temperature=0.7)
        tokens = [t for b in improvise(model, changes, settings) for t in b.tokens]
        return sum(a == b for a, b in itertools.pairwise(tokens)) / len(tokens)

    assert repeats(4.0) < repeats(1.0)


def test_primer_tokens_change_the_start(make_model):
    model = make_model()
    vocab = model.vocabulary

    def first_bar(primer):
        settings = SamplerSettings(temperature=0, primer=primer)
        return next(improvise(model, CHANGES, settings)).tokens

    starts = {first_bar([vocab[i]] * 3) for i in range(len(vocab))}
    assert len(starts) > 1


def test_improvise_is_a_lazy_stream(make_model):
    model = make_model()
    stream = improvise(model, CHANGES.repeated(1000), SamplerSettings(seed=1))
    first = next(stream)  # 8000 bars would take seconds; one bar is immediate
    assert first.index == 0 and first.events
    assert next(stream).index == 1


def test_reference_mode_repeats_the_same_50_tokens_piled_up(make_model):
    model = make_model()
    bars = list(improvise(model, CHANGES, SamplerSettings(mode="reference", seed=1)))
    assert all(len(b.tokens) == REFERENCE_TOKENS for b in bars)
    assert len({b.tokens for b in bars}) == 1  # argmax from zeros never varies
    total = sum(token_duration(t) for t in bars[0].tokens)
    assert total > 4  # more than a 4-beat slot holds ...
    assert max(e.end_beat for e in bars[0].events) > 4  # ... so it spills into the next bars


def test_numpy_step_is_the_lstm_equations(make_model):
    model = make_model(config=ModelConfig(n_a=8, layers=2, tx=4))
    stepper = LSTMStepper(model)
    logits = stepper.step(2)
    # The same first step written out for layer 0 from a zero state.
    z = model.weights["lstm0.kernel"][2] + model.weights["lstm0.bias"]
    i, _f, g, o = np.split(z.astype(np.float64), 4)
    c = 1 / (1 + np.exp(-i)) * np.tanh(g)
    h = 1 / (1 + np.exp(-o)) * np.tanh(c)
    np.testing.assert_allclose(stepper.h[0], h, atol=1e-6)
    assert logits.shape == (len(model.vocabulary),)


def test_generate_take_has_solo_band_and_provenance(make_model):
    model = make_model()
    take = generate_take(
        model, CHANGES, SamplerSettings(seed=42, temperature=0.8), choruses=2, tempo_bpm=180
    )
    assert take.bars == 16 and take.tempo_bpm == 180 and take.beats_per_bar == 4
    channels = {e.channel for e in take.events}
    assert {SOLO_CHANNEL, COMP_CHANNEL, BASS_CHANNEL} <= channels
    assert max(e.end_beat for e in take.part(SOLO_CHANNEL)) <= 64 + 1e-9
    assert take.provenance.seed == 42
    assert take.provenance.temperature == 0.8
    assert take.provenance.model == model.name
    assert "Dm7" in take.provenance.progression
    again = generate_take(
        model, CHANGES, SamplerSettings(seed=42, temperature=0.8), choruses=2, tempo_bpm=180
    )
    assert again.events == take.events


def test_no_seed_draws_one_and_reports_it(make_model):
    model = make_model()
    take = generate_take(model, CHANGES, SamplerSettings(), band=False)
    assert isinstance(take.provenance.seed, int)
    redo = generate_take(model, CHANGES, SamplerSettings(seed=take.provenance.seed), band=False)
    assert redo.events == take.events
    assert {e.channel for e in take.events} == {SOLO_CHANNEL}


@pytest.mark.parametrize(
    "settings",
    [
        SamplerSettings(temperature=-1),
        SamplerSettings(top_p=0),
        SamplerSettings(repetition_penalty=0.5),
        SamplerSettings(mode="beam"),
        SamplerSettings(primer="random"),
    ],
)
def test_bad_settings_are_refused(make_model, settings):
    with pytest.raises(JazzGUIError):
        next(improvise(make_model(), CHANGES, settings))
