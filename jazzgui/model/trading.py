"""Answers for playing along: the person's phrase, read into value tokens against the chords
it was played over, primes the network, which improvises the answer's bars from there.

The one link to sampling is `improvise(model, changes, settings)` with the phrase's tokens as
its primer, so the answer can move onto the take pipeline without touching the session.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence
from dataclasses import replace
from fractions import Fraction

import numpy as np
from numpy.random import SeedSequence

from jazzgui.model.modelfile import JazzModel
from jazzgui.model.sampling import SamplerSettings, improvise, resolve_seed
from jazzgui.music.corpus import Vocabulary
from jazzgui.music.events import MelodyNote, NoteEvent
from jazzgui.music.grammar import tokenize_bars
from jazzgui.music.progression import Progression

log = logging.getLogger(__name__)

# Where a played onset or release may land within a beat: sixteenths and eighth triplets.
# A finer grid turns a human's few milliseconds early or late into odd durations.
BEAT_GRID = tuple(sorted({Fraction(n, 4) for n in range(5)} | {Fraction(n, 3) for n in range(4)}))
_GRID_FLOATS = np.array([float(point) for point in BEAT_GRID])


def snap(beat: float) -> Fraction:
    """A played position on the nearest point of BEAT_GRID."""
    whole = math.floor(beat)
    return whole + BEAT_GRID[int(np.argmin(np.abs(_GRID_FLOATS - (beat - whole))))]


def quantize_phrase(notes: Sequence[NoteEvent], origin: float) -> list[MelodyNote]:
    """The notes as melody elements in beats from `origin`, onsets and ends snapped to
    sixteenths and triplets; a note snapped to nothing lasts one step of the grid."""
    melody = []
    for note in sorted(notes):
        start = snap(note.start_beat - origin)
        end = snap(note.end_beat - origin)
        if end <= start:
            end = start + min(p for p in BEAT_GRID if p > 0)
        melody.append(MelodyNote(float(start), float(end - start), note.pitch))
    return melody


def phrase_tokens(notes: Sequence[NoteEvent], changes: Progression, bars: range) -> list[str]:
    """The value tokens of the person's notes in `bars` of `changes` (rests where silent)."""
    if not len(bars):
        return []
    beats = changes.beats_per_bar
    chords = Progression(tuple(changes.bars[i % len(changes)] for i in bars), beats)
    melody = quantize_phrase(notes, bars.start * beats)
    return [token for bar in tokenize_bars(melody, chords, beats) for token in bar]


class PhraseAnswerer:
    """The `Answerer` of a play-along session: model, changes and sampler settings fixed,
    each call answers one phrase with its own seed (drawn from the session's seed)."""

    def __init__(
        self,
        model: JazzModel,
        changes: Progression,
        settings: SamplerSettings | None = None,
        seed: int | None = None,
    ) -> None:
        changes.require_one_meter("playing along (trading or call-and-response)")
        self.model = model
        self.changes = changes
        self.settings = settings or SamplerSettings()
        problems = self.settings.validate()
        if problems:
            raise ValueError("Cannot answer: " + "; ".join(problems))
        self.seed = resolve_seed(seed if seed is not None else self.settings.seed)
        self._seeds = SeedSequence(self.seed)
        self.answered = 0
        self._vocabulary = Vocabulary.from_list(model.vocabulary)
        self._known: dict[str, str] = {}  # a played token -> the nearest one the model knows
        self._warm_up()

    def _warm_up(self) -> None:
        """One answer thrown away, so the caches it builds (vocabulary tables, the corpus
        index, parsed tokens) are there before the first answer is due."""
        bars = range(min(1, len(self.changes)))
        phrase = [NoteEvent(0.0, 1.0, 60), NoteEvent(1.0, 0.5, 62)]
        for _ in self(phrase, bars, bars):
            pass
        self._in_vocabulary("X,1/12,<+40,+34>")  # builds the nearest-token table
        self._seeds, self.answered = SeedSequence(self.seed), 0

    def _in_vocabulary(self, token: str) -> str:
        """The model's token nearest to a played one (found once: the search is slow)."""
        known = self._known.get(token)
        if known is None:
            known = self._known[token] = self.model.vocabulary[self._vocabulary.nearest(token)]
        return known

    def __call__(
        self, phrase: Sequence[NoteEvent], phrase_bars: range, answer_bars: range
    ) -> Iterator[list[NoteEvent]]:
        """The answer's notes bar by bar (absolute beats of the changes), each as it is made."""
        played = phrase_tokens(phrase, self.changes, phrase_bars) if phrase else []
        tokens = [self._in_vocabulary(token) for token in played]
        (child,) = self._seeds.spawn(1)
        self.answered += 1
        settings = replace(
            self.settings,
            seed=int(child.generate_state(1)[0] % (2**31)),
            primer=tokens or "corpus",  # nothing played: start from the model's own music
        )
        beats = self.changes.beats_per_bar
        chords = Progression(
            tuple(self.changes.bars[i % len(self.changes)] for i in answer_bars), beats
        )
        shift = answer_bars.start * beats
        for bar in improvise(self.model, chords, settings):
            yield [replace(e, start_beat=e.start_beat + shift) for e in bar.events]
