"""Sampling in numpy: full bars, seeds, temperature/top-p, streaming, the reference mode, takes."""

from __future__ import annotations

import itertools
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest

from jazzgui.errors import JazzGUIError
from jazzgui.model.config import ModelConfig
from jazzgui.model.sampling import (
    REFERENCE_TOKENS,
    SamplerSettings,
    improvise,
)
from jazzgui.model.stepper import LSTMStepper
from jazzgui.model.takes import generate_take
from jazzgui.music.corpus import Vocabulary
from jazzgui.music.evaluate import line_from_take, strong_beat_counts
from jazzgui.music.events import BASS_CHANNEL, COMP_CHANNEL, SOLO_CHANNEL
from jazzgui.music.grammar import token_duration
from jazzgui.music.measures import NgramIndex
from jazzgui.music.progression import parse_progression

# Tests that edit a random model's output layer, or tune a rule against it, use the reference
# kind (one softmax over whole values).
REFERENCE_KIND = ModelConfig(n_a=16, tx=8, kind="reference")

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
    model = make_model(config=ModelConfig(n_a=8, layers=2, tx=4, kind="reference"))
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
        SamplerSettings(strong_beat_chord_bias=0),
        SamplerSettings(max_copy=0),
    ],
)
def test_bad_settings_are_refused(make_model, settings):
    with pytest.raises(JazzGUIError):
        next(improvise(make_model(), CHANGES, settings))


@pytest.mark.parametrize("beats_per_bar", [4, 3])
def test_strong_beat_bias_raises_chord_tones_on_strong_beats(make_model, beats_per_bar):
    model = make_model(seed=2, config=REFERENCE_KIND)
    changes = parse_progression("Dm7 | G7 | Cmaj7 | A7 |", beats_per_bar).repeated(4)

    def share(bias):
        chord = strong = 0
        for seed in range(6):
            settings = SamplerSettings(seed=seed, strong_beat_chord_bias=bias, max_copy=None)
            take = generate_take(model, changes, settings, band=False)
            # Counted as the quality measures count them: notes on strong beats, their chords.
            c, n = strong_beat_counts(line_from_take(take))
            chord, strong = chord + c, strong + n
        return chord / strong

    plain, biased = share(1.0), share(10.0)
    assert biased > plain + 0.15
    assert biased > 0.8


def _tokens(model, changes, settings):
    """The take's tokens as the model's vocabulary numbers them (a bar-closing rest the
    vocabulary lacks counts as its nearest value, as the sampler feeds it)."""
    vocabulary = Vocabulary.from_list(model.vocabulary)
    return [
        model.vocabulary[vocabulary.nearest(t)]
        for bar in improvise(model, changes, settings)
        for t in bar.tokens
    ]


# Values of half a beat or more: a bar's last slot always has several candidates, so the
# copy limit never has to yield (with only one value left that fits, it would).
HALF_BEAT_TOKENS = [
    "C,1", "C,1/2", "C,1/2,<+5,-1>", "C,1,<+3,-3>", "S,1/2,<+1,-5>", "S,1,<-1,-7>",
    "A,1/2,<+2,-4>", "X,1/2,<+4,-2>", "R,1/2", "R,1", "C,3/2", "S,1/2,<-2,-8>",
]  # fmt: skip


@pytest.mark.parametrize("temperature", [0.0, 0.6])
@pytest.mark.parametrize("k", [3, 5, 7])
def test_max_copy_limits_verbatim_runs_from_the_corpus(make_model, temperature, k):
    model = make_model(tokens=HALF_BEAT_TOKENS, seed=5)
    changes = CHANGES.repeated(3)
    # The corpus is the model's own unconstrained output, so a free take copies all of it.
    free = _tokens(model, changes, SamplerSettings(seed=9, temperature=temperature, max_copy=None))
    model.corpus = [[model.vocabulary.index(t) for t in free]]
    index = NgramIndex([free])
    for seed in range(9, 13):
        settings = SamplerSettings(seed=seed, temperature=temperature, max_copy=None)
        unlimited = _tokens(model, changes, settings)
        limited = _tokens(model, changes, replace(settings, max_copy=k))
        assert index.longest_match(limited) <= k
        if seed == 9:
            assert index.longest_match(unlimited) == len(free) > k


def test_max_copy_yields_when_every_value_would_copy(make_model):
    model = make_model(tokens=["C,1"])
    model.corpus = [[0] * 40]
    bars = list(improvise(model, CHANGES, SamplerSettings(seed=1, max_copy=3)))
    assert [b.tokens for b in bars] == [("C,1",) * 4] * len(CHANGES)


def test_a_model_without_corpus_samples_without_the_copy_limit(make_model):
    model = make_model(tokens=["C,1"])
    model.corpus = []  # as loaded from a file written before models carried their corpus
    bars = list(improvise(model, CHANGES, SamplerSettings(seed=1, max_copy=3)))
    assert len(bars) == len(CHANGES) and all(b.tokens == ("C,1",) * 4 for b in bars)


def _with_silent_tokens(model, extra):
    """The same network with `extra` tokens appended to its vocabulary that it never plays
    (zero input rows, a very low output bias): it samples exactly as before."""
    extra = [t for t in dict.fromkeys(extra) if t not in model.vocabulary]
    weights = dict(model.weights)
    weights["lstm0.kernel"] = np.vstack(
        [weights["lstm0.kernel"], np.zeros((len(extra), weights["lstm0.kernel"].shape[1]))]
    ).astype(np.float32)
    weights["dense.kernel"] = np.hstack(
        [weights["dense.kernel"], np.zeros((weights["dense.kernel"].shape[0], len(extra)))]
    ).astype(np.float32)
    weights["dense.bias"] = np.concatenate([weights["dense.bias"], np.full(len(extra), -60.0)])
    weights["dense.bias"] = weights["dense.bias"].astype(np.float32)
    return replace(model, vocabulary=[*model.vocabulary, *extra], weights=weights)


@pytest.mark.parametrize("k", [3, 7])
def test_max_copy_holds_for_the_notes_read_back_as_the_measures_read_them(make_model, k):
    model = make_model(tokens=HALF_BEAT_TOKENS, seed=5, config=REFERENCE_KIND)
    changes = CHANGES.repeated(3)
    free = SamplerSettings(seed=9, temperature=0.6, max_copy=None)
    heard = list(line_from_take(generate_take(model, changes, free, band=False)).tokens)
    # A corpus of what that take sounds like: pitches chosen within the windows can repeat
    # the corpus even where the sampled tokens did not.
    model = _with_silent_tokens(model, heard)
    model.corpus = [[model.vocabulary.index(t) for t in heard]]
    index = NgramIndex([heard])
    again = line_from_take(generate_take(model, changes, free, band=False)).tokens
    assert index.longest_match(again) == len(heard) > k  # unlimited, it is a copy
    for seed in range(9, 13):
        settings = SamplerSettings(seed=seed, temperature=0.6, max_copy=k)
        take = generate_take(model, changes, settings, band=False)
        assert index.longest_match(line_from_take(take).tokens) <= k
        assert take.bars == len(changes) and take.events


def _share_of_fifths(model, seeds: int = 10) -> float:
    """The share of solo notes on the 5th of the chord sounding at their onset."""
    fifths = notes = 0
    for seed in range(seeds):
        for bar in improvise(model, CHANGES, SamplerSettings(seed=seed)):
            for event in bar.events:
                chord = CHANGES.chord_at(event.start_beat + 1e-6)
                fifths += (event.pitch - chord.root) % 12 == 7
                notes += 1
    return fifths / notes


def test_the_sampler_leans_on_the_models_pitch_class_prior(make_model):
    model = make_model()
    peaked = [100.0 if i == 7 else 1.0 for i in range(12)]
    leaning = replace(model, pitch_prior=dict.fromkeys(("major", "minor", "dominant"), peaked))
    without, with_prior = _share_of_fifths(model), _share_of_fifths(leaning)
    # Only chord-tone values can land on the 5th, and only within their windows: 0.14 -> 0.31.
    assert with_prior > 2 * without


def test_reference_mode_ignores_the_pitch_class_prior(make_model):
    model = make_model()
    peaked = [100.0 if i == 7 else 1.0 for i in range(12)]
    leaning = replace(model, pitch_prior=dict.fromkeys(("major", "minor", "dominant"), peaked))
    settings = SamplerSettings(mode="reference", seed=4)
    assert generate_take(leaning, CHANGES, settings).events == (
        generate_take(model, CHANGES, settings).events
    )


@pytest.mark.parametrize("config", [ModelConfig(n_a=12, kind="reference"), ModelConfig(n_a=12)])
def test_a_primer_leaves_the_network_as_stepping_every_value_of_it_does(make_model, config):
    """Priming computes the next-value distribution after the primer's last value only: the
    state and that distribution are what stepping through every value gives."""
    from jazzgui.model.sampling import _Improviser
    from jazzgui.model.stepper import make_stepper
    from jazzgui.music.conditioning import onset_features

    model = make_model(config=config, seed=4)
    primer = [model.vocabulary[i % len(model.vocabulary)] for i in (3, 1, 4, 1, 5)]
    settings = SamplerSettings(seed=1, primer=primer)
    improviser = _Improviser(model, settings, np.random.default_rng(1), CHANGES)
    vocabulary = Vocabulary.from_list(model.vocabulary)
    ids = [vocabulary.nearest(token) for token in primer]
    lengths = [int(token_duration(model.vocabulary[i]) * 12) for i in ids]
    stepper, onset = make_stepper(model), -sum(lengths)
    for index, length in zip(ids, lengths):
        onset += length
        features = onset_features(CHANGES, onset) if config.conditioned else None
        logits = stepper.step(index, features)
    np.testing.assert_array_equal(improviser.logits, logits)
    for mine, expected in zip(improviser.stepper.h + improviser.stepper.c, stepper.h + stepper.c):
        np.testing.assert_array_equal(mine, expected)
    assert improviser.onset == 0
