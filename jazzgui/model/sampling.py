"""Improvising with a trained model: values drawn one bar at a time from the numpy stepper
(`jazzgui.model.stepper`, no TensorFlow), with the new kind's conditioning computed at each
onset and the sampler's rules (switchable with `SamplerSettings.rules`).
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

# Imported now, not lazily by numpy at the first request, so the first bar is as quick as any.
from numpy.random import Generator, SeedSequence, default_rng

from jazzgui.errors import JazzGUIError
from jazzgui.model.modelfile import JazzModel
from jazzgui.model.stepper import make_stepper
from jazzgui.music.conditioning import onset_features
from jazzgui.music.corpus import Vocabulary
from jazzgui.music.events import MelodyNote, NoteEvent
from jazzgui.music.grammar import GRID, ValueToken, token_duration, tokenize_bars
from jazzgui.music.measures import NgramIndex, strong_positions
from jazzgui.music.progression import ChordSpan, Progression
from jazzgui.music.unparse import unparse_bar

log = logging.getLogger(__name__)

MODES = ("sample", "reference")
REFERENCE_TOKENS = 50  # the reference generated 50 values for every 4-beat chord slot
# Attempts at a bar whose notes, read back as tokens, would copy the corpus too long.
BAR_ATTEMPTS = 8


@dataclass(frozen=True)
class SamplerSettings:
    """How to sample: temperature (0 = always the likeliest token), nucleus (top-p) size, a
    penalty dividing the probability of recently played tokens, the seed (None: a fresh one,
    reported in the take), the mode ("sample", or "reference" = the reference's argmax from
    zeros, 50 tokens a bar) and the primer ("corpus" = a bar of the training music stored in
    the model, "none" = a zero state, or a sequence of token texts).

    Two musical constraints of the "sample" mode: `strong_beat_chord_bias` multiplies the
    probability of chord-tone (C) values that start on a strong beat (beats 1 and 3 in 4/4,
    every beat in other meters, as the measures count them; 1 disables it), and `max_copy`
    refuses any value that would make the take repeat more than that many consecutive tokens
    of one training file verbatim (None disables it; models without their corpus cannot).
    The limit holds for the notes too: a bar whose notes, read back into tokens as the
    measures read them, would still copy more is drawn again (the least copying of a few
    attempts is kept). `rules=False` turns every such rule off (see the field)."""

    temperature: float = 1.0
    top_p: float = 0.95
    repetition_penalty: float = 1.3
    seed: int | None = None
    mode: str = "sample"
    primer: str | Sequence[str] = "corpus"
    penalty_window: int = 8  # how many recent tokens the repetition penalty looks back on
    low: int = 55  # solo range (MIDI pitches)
    high: int = 84
    strong_beat_chord_bias: float = 10.0
    max_copy: int | None = 7
    # False: the network alone (temperature and top-p only): no strong-beat bias, no
    # pitch-class prior, no copy limit and no repetition penalty.
    rules: bool = True

    def validate(self) -> list[str]:
        problems = []
        if self.mode not in MODES:
            problems.append(f"mode must be one of {', '.join(MODES)} (got {self.mode!r})")
        if not self.temperature >= 0 or math.isinf(self.temperature):
            problems.append(f"temperature must be 0 or more (got {self.temperature})")
        if not 0 < self.top_p <= 1:
            problems.append(f"top-p must be above 0 and at most 1 (got {self.top_p})")
        if not self.repetition_penalty >= 1:
            problems.append(
                f"repetition penalty must be at least 1 (got {self.repetition_penalty})"
            )
        if isinstance(self.primer, str) and self.primer not in ("corpus", "none"):
            problems.append(
                f"primer must be 'corpus', 'none' or a list of tokens ({self.primer!r})"
            )
        if not 0 < self.strong_beat_chord_bias < math.inf:
            problems.append(
                f"strong-beat chord-tone bias must be above 0 (got {self.strong_beat_chord_bias})"
            )
        if self.max_copy is not None and self.max_copy < 1:
            problems.append(f"max copy must be at least 1 token or None (got {self.max_copy})")
        if self.high - self.low < 11:
            problems.append(f"the range {self.low}-{self.high} must span at least an octave")
        return problems


@dataclass(frozen=True)
class GeneratedBar:
    """One finished bar: its index in the progression, its tokens and its solo notes."""

    index: int
    tokens: tuple[str, ...]
    events: list[NoteEvent] = field(default_factory=list)


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - np.max(logits))
    return shifted / shifted.sum()


def resolve_seed(seed: int | None) -> int:
    """The seed to use: the given one, or a fresh one (reported, so a take can be redone)."""
    if seed is not None:
        return int(seed)
    return int(SeedSequence().entropy % (2**31))


@functools.lru_cache(maxsize=8)
def _vocabulary_tables(tokens: tuple[str, ...]) -> tuple[Vocabulary, np.ndarray, np.ndarray]:
    """A model's vocabulary, each token's length in twelfths of a beat, and which tokens are
    chord tones, parsed once."""
    twelfths = np.array([int(token_duration(t) * GRID) for t in tokens], dtype=np.int64)
    twelfths.setflags(write=False)
    chord_tones = np.array([t.startswith("C,") for t in tokens], dtype=bool)
    chord_tones.setflags(write=False)
    return Vocabulary.from_list(tokens), twelfths, chord_tones


@functools.lru_cache(maxsize=4)
def _corpus_index(
    tokens: tuple[str, ...], corpus: tuple[tuple[int, ...], ...]
) -> NgramIndex | None:
    """The n-gram index of a model's training files (None when the model does not carry them)."""
    if not corpus:
        return None
    return NgramIndex([tokens[i] for i in sequence] for sequence in corpus)


def prepare(model: JazzModel) -> None:
    """Do ahead what a model's first take would do first: parse its vocabulary, index its
    training files for the copy limit, derive its stepper's arrays. The window's model loader
    calls this in the background, so the first Generate does not wait for them (about 20 ms
    for the starter's 4,400 tokens on a 2-core machine; each take after the first reuses them)."""
    _vocabulary_tables(tuple(model.vocabulary))
    _model_index(model)
    make_stepper(model)


def _model_index(model: JazzModel) -> NgramIndex | None:
    """The n-gram index of the model's training files, made once (None: it has none)."""
    return _corpus_index(tuple(model.vocabulary), tuple(tuple(s) for s in model.corpus))


class _Improviser:
    """Token sampling with every constraint: the bar's remaining beats, penalty, the
    strong-beat chord-tone bias, top-p, and the limit on verbatim copies."""

    def __init__(
        self,
        model: JazzModel,
        settings: SamplerSettings,
        rng: Generator,
        progression: Progression,
    ):
        self.model = model
        self.settings = settings
        self.rng = rng
        self.progression = progression  # the whole changes: features look at the next chord
        tokens = tuple(model.vocabulary)
        self.vocabulary, self.twelfths, self.chord_tones = _vocabulary_tables(tokens)
        rules = settings.rules
        self.bias = math.log(settings.strong_beat_chord_bias) if rules else 0.0
        self.penalty = settings.repetition_penalty if rules else 1.0
        self.index: NgramIndex | None = None
        if rules and settings.max_copy is not None:
            self.index = _model_index(model)
            if self.index is None:
                log.info("model %s has no corpus sequences: verbatim copies are not limited",
                         model.name)  # fmt: skip
        self.match = NgramIndex.START  # the running verbatim match of the sampled tokens
        self.heard = NgramIndex.START  # ... and of the notes played, read back into tokens
        self.stepper = make_stepper(model)
        # Pitches lean on the soloist's pitch classes over each chord family, when known.
        self.prior = (model.pitch_prior or None) if rules else None
        self.recent: list[int] = []
        self.onset = 0  # twelfths from the start: where the next value begins
        self.logits = self._prime()

    def _features(self) -> np.ndarray | None:
        """The conditioning features of the next onset (the new kind only)."""
        if not self.model.config.conditioned:
            return None
        return onset_features(self.progression, self.onset)

    def _prime(self) -> np.ndarray:
        primer = self.settings.primer
        if isinstance(primer, str):
            if primer == "corpus" and self.model.primers:
                tokens: Sequence[str] = self.model.primers[
                    int(self.rng.integers(len(self.model.primers)))
                ]
            else:
                return self.stepper.step(None, self._features())
        else:
            tokens = primer
        if not tokens:
            return self.stepper.step(None, self._features())
        # The primer sounds as the bars just before the start (over the changes' last bars).
        ids = [self.vocabulary.nearest(text) for text in tokens]
        self.onset = -int(sum(self.twelfths[i] for i in ids))
        for index in ids[:-1]:  # only the last value's next-token distribution is wanted
            self.onset += int(self.twelfths[index])
            self.stepper.advance(index, self._features())
        self.onset += int(self.twelfths[ids[-1]])
        logits = self.stepper.step(ids[-1], self._features())
        self.onset = 0
        return logits

    def _copies_too_much(self, index: int) -> bool:
        """Whether this token would make the running verbatim match exceed max_copy."""
        if self.index is None or self.settings.max_copy is None:
            return False
        matched = self.index.advance(self.match, self.model.vocabulary[index])[1]
        return matched > self.settings.max_copy

    def _choose(self, allowed: np.ndarray, strong: bool) -> int:
        logits = np.where(allowed, self.logits, -np.inf)
        if self.penalty > 1 and self.recent:
            recent = list(set(self.recent[-self.settings.penalty_window :]))
            logits[recent] -= math.log(self.penalty)
        temperature = self.settings.temperature
        scores = logits if temperature == 0 else logits / temperature
        if strong and self.bias:
            # Times the bias on the (tempered) probability of chord tones at a strong beat.
            scores = scores + np.where(self.chord_tones, self.bias, 0.0)
        if temperature == 0:
            order = np.argsort(-scores, kind="stable")[: int(allowed.sum())]
            for index in order:
                if not self._copies_too_much(int(index)):
                    return int(index)
            return int(order[0])  # every allowed token would copy: the constraint yields
        probabilities = softmax(scores)
        nucleus = probabilities
        if self.settings.top_p < 1:
            order = np.argsort(-probabilities, kind="stable")
            cumulative = np.cumsum(probabilities[order])
            keep = order[: int(np.searchsorted(cumulative, self.settings.top_p)) + 1]
            nucleus = np.zeros_like(probabilities)
            nucleus[keep] = probabilities[keep]
        # Draw from the nucleus, then from every allowed token, without refused tokens; only
        # when all of them would copy too much does the constraint yield.
        for candidates in (nucleus, probabilities):
            index = self._draw(candidates.copy())
            if index is not None:
                return index
        return int(self.rng.choice(len(nucleus), p=nucleus / nucleus.sum()))

    def _draw(self, weights: np.ndarray) -> int | None:
        """A token drawn in proportion to `weights`, redrawn without any refused one."""
        while (total := weights.sum()) > 0:
            index = int(self.rng.choice(len(weights), p=weights / total))
            if not self._copies_too_much(index):
                return index
            weights[index] = 0.0
        return None

    def _feed(self, index: int, length: int | None = None) -> None:
        """Step the network with a value that lasts `length` twelfths (default its own)."""
        self.recent.append(index)
        if self.index is not None:
            self.match = self.index.advance(self.match, self.model.vocabulary[index])
        self.onset += int(self.twelfths[index]) if length is None else length
        self.logits = self.stepper.step(index, self._features())

    def bar(self, beats_per_bar: int) -> list[str]:
        """Tokens filling exactly `beats_per_bar` beats."""
        total = beats_per_bar * GRID
        strong_onsets = {beat * GRID for beat in strong_positions(beats_per_bar)}
        remaining = total
        tokens: list[str] = []
        while remaining > 0:
            allowed = self.twelfths <= remaining
            if not allowed.any():
                # No known value is short enough: close the bar with a rest of what is left.
                rest = ValueToken("R", Fraction(remaining, GRID)).text
                tokens.append(rest)
                self._feed(self.vocabulary.nearest(rest), remaining)
                break
            index = self._choose(allowed, total - remaining in strong_onsets)
            tokens.append(self.model.vocabulary[index])
            remaining -= int(self.twelfths[index])
            self._feed(index)
        return tokens

    def _state(self) -> tuple:
        window = self.settings.penalty_window
        return (
            list(self.stepper.h), list(self.stepper.c), self.logits,
            self.recent[-window:], self.match, self.onset,
        )  # fmt: skip

    def _restore(self, state: tuple) -> None:
        # The random generators run on, so another attempt draws other values and pitches.
        h, c, self.logits, recent, self.match, self.onset = state
        self.stepper.h, self.stepper.c, self.recent = list(h), list(c), list(recent)

    def _heard_match(
        self, events: list[NoteEvent], chords: Progression, bar_start: float
    ) -> tuple[tuple[int, int], int]:
        """The running match after this bar's notes, read back into tokens as the quality
        measures read a take, and the longest match within the bar."""
        assert self.index is not None
        notes = [MelodyNote(e.start_beat - bar_start, e.duration_beats, e.pitch) for e in events]
        position, longest = self.heard, 0
        for token in tokenize_bars(notes, chords, chords.beats_per_bar)[0]:
            position = self.index.advance(position, token)
            longest = max(longest, position[1])
        return position, longest

    def solo_bar(
        self,
        spans: Sequence[ChordSpan],
        chords: Progression,
        bar_start: float,
        previous: int | None,
        pitch_rng: Generator,
    ) -> tuple[list[str], list[NoteEvent], int | None]:
        """One bar (`chords` is the one-bar progression of `spans`): tokens, notes, last pitch.

        Pitches follow the tokens only within their windows, so notes can copy the corpus
        longer than the tokens did: such a bar is drawn again from the same state.
        """
        settings, beats = self.settings, chords.beats_per_bar
        limit = settings.max_copy if self.index is not None else None
        start = self._state() if limit is not None else None
        best: tuple | None = None
        for attempt in range(BAR_ATTEMPTS if limit is not None else 1):
            if attempt:
                self._restore(start)
            tokens = self.bar(beats)
            events, last = unparse_bar(
                tokens,
                spans,
                bar_start,
                beats,
                previous,
                pitch_rng,
                settings.low,
                settings.high,
                self.prior,
            )
            if limit is None:
                return tokens, events, last
            heard, longest = self._heard_match(events, chords, bar_start)
            if best is None or longest < best[0]:
                best = (longest, tokens, events, last, heard, self._state())
            if longest <= limit:
                break
        assert best is not None
        longest, tokens, events, last, self.heard, state = best
        if longest > limit:
            log.debug("bar at beat %g copies %d tokens of the corpus", bar_start, longest)
        self._restore(state)
        return tokens, events, last

    def reference_tokens(self) -> list[str]:
        """The reference's inference: argmax from a zero state and a zero input, 50 steps."""
        self.stepper.reset()
        self.onset = 0
        logits = self.stepper.step(None, self._features())
        tokens = []
        for _ in range(REFERENCE_TOKENS):
            index = int(np.argmax(logits))
            tokens.append(self.model.vocabulary[index])
            self.onset += int(self.twelfths[index])
            logits = self.stepper.step(index, self._features())
        return tokens


def improvise(
    model: JazzModel, progression: Progression, settings: SamplerSettings | None = None
) -> Iterator[GeneratedBar]:
    """Bars of solo, one at a time as each is finished, over every bar of `progression`."""
    settings = settings or SamplerSettings()
    problems = settings.validate()
    if problems:
        raise JazzGUIError("Cannot improvise: " + "; ".join(problems))
    if not len(progression):
        raise JazzGUIError("Cannot improvise over an empty progression: give at least one bar")
    seed = resolve_seed(settings.seed)
    token_seq, pitch_seq = SeedSequence(seed).spawn(2)
    pitch_rng = default_rng(pitch_seq)
    improviser = _Improviser(model, settings, default_rng(token_seq), progression)
    bars = progression.meter_map  # bars may differ in meter: each starts where the last ends
    previous: int | None = None
    reference = improviser.reference_tokens() if settings.mode == "reference" else None
    for index in range(len(progression)):
        spans = progression.bar_spans(index)
        if reference is not None:
            # As the reference did: all 50 tokens from the bar's start, chords of this bar
            # (the last one held past it), so they pile into the following bars; and no
            # pitch-class prior, which the reference did not have.
            tokens = reference
            length = math.ceil(sum(token_duration(t) for t in tokens))
            events, previous = unparse_bar(
                tokens,
                spans,
                bars.start(index),
                max(length, bars.beats(index)),
                previous,
                pitch_rng,
                settings.low,
                settings.high,
            )
        else:
            tokens, events, previous = improviser.solo_bar(
                spans, progression.single_bar(index), bars.start(index), previous, pitch_rng
            )
        yield GeneratedBar(index, tuple(tokens), events)


def rule_warnings(model: JazzModel, settings: SamplerSettings) -> list[str]:
    """What the chosen sampling rules need that the model lacks, to be said before generating
    (a rule that cannot work is switched off; the person should know)."""
    warnings = []
    if (
        settings.mode == "sample"
        and settings.rules
        and settings.max_copy is not None
        and not model.corpus
    ):
        warnings.append(
            f"model {model.name!r} stores no training corpus, so the copy limit "
            f"(at most {settings.max_copy} tokens copied verbatim) cannot be applied; "
            "train the model again to store it"
        )
    if settings.mode == "sample" and settings.primer == "corpus" and not model.primers:
        warnings.append(
            f"model {model.name!r} stores no bars of its training music to start from, "
            "so the take starts from silence"
        )
    return warnings
