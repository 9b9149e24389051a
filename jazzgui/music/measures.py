"""Measures shared by generation and evaluation: strong beats, chord families, verbatim copies.

The sampler leans on them while it improvises (chord tones on strong beats, the limit on
copies of the corpus), the pitch-class prior counts with them, and `jazzgui.music.evaluate`
reports them, so a take is judged by the very definitions it was made with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from jazzgui.music.chords import Chord
from jazzgui.music.events import MelodyNote
from jazzgui.music.progression import Progression

FAMILIES = ("major", "minor", "dominant", "half-dim", "dim")
_FAMILY_OF_QUALITY = {
    "maj": "major", "6": "major", "69": "major", "maj7": "major", "maj9": "major",
    "maj7#11": "major",
    "m": "minor", "m6": "minor", "m7": "minor", "m9": "minor", "m11": "minor",
    "mmaj7": "minor",
    "7": "dominant", "9": "dominant", "13": "dominant", "7b9": "dominant", "13b9": "dominant",
    "7#9": "dominant", "7alt": "dominant", "7b13": "dominant", "7#11": "dominant",
    "9#11": "dominant", "7#5": "dominant", "7sus4": "dominant", "9sus4": "dominant",
    # A plain sus or augmented triad works as a dominant in jazz (sus and whole-tone sounds).
    "sus4": "dominant", "aug": "dominant",
    "m7b5": "half-dim",
    "dim": "dim", "dim7": "dim",
}  # fmt: skip

_EPS = 1e-6


def quality_family(chord: Chord) -> str:
    """The family a chord quality belongs to: major, minor, dominant, half-dim or dim."""
    family = _FAMILY_OF_QUALITY.get(chord.quality)
    if family is not None:
        return family
    # A quality added to chords.py later: judge it by its tones (third, fifth, seventh).
    tones = {(t - chord.root) % 12 for t in chord.chord_tone_list}
    if 3 in tones and 6 in tones:
        return "half-dim" if 10 in tones else "dim"
    if 4 in tones and 10 in tones:
        return "dominant"
    return "minor" if 3 in tones else "major"


def strong_positions(beats_per_bar: int) -> tuple[int, ...]:
    """Beat offsets in a bar that count as strong: 0 and 2 in 4/4, every beat otherwise."""
    if beats_per_bar == 4:
        return (0, 2)
    return tuple(range(beats_per_bar))


def pitch_class_counts(notes: Iterable[MelodyNote], progression: Progression) -> np.ndarray:
    """Counts (5 families x 12) of each pitched note's pitch class relative to the root of the
    chord sounding just after its onset."""
    hist = np.zeros((len(FAMILIES), 12), dtype=float)
    for note in notes:
        if note.pitch is None:
            continue
        chord = progression.chord_at(note.start_beat + _EPS)
        hist[FAMILIES.index(quality_family(chord)), (note.pitch - chord.root) % 12] += 1
    return hist


class NgramIndex:
    """Every contiguous token sequence of a corpus, for the longest verbatim match of a query.

    A suffix automaton over the files' tokens joined by separators unique to each file (so no
    match spans two files): built in time linear in the corpus, queried in time linear in the
    query, whatever the match length.
    """

    def __init__(self, sequences: Iterable[Sequence[str]] = ()) -> None:
        self._ids: dict[str, int] = {}
        self._next: list[dict[int, int]] = [{}]
        self._link: list[int] = [-1]
        self._len: list[int] = [0]
        self._last = 0
        self.token_count = 0
        separator = -1
        for sequence in sequences:
            for token in sequence:
                self._extend(self._ids.setdefault(token, len(self._ids)))
                self.token_count += 1
            self._extend(separator)  # negative ids never occur in a query
            separator -= 1

    def _extend(self, symbol: int) -> None:
        nxt, link, length = self._next, self._link, self._len
        cur = len(length)
        length.append(length[self._last] + 1)
        link.append(0)
        nxt.append({})
        p = self._last
        while p != -1 and symbol not in nxt[p]:
            nxt[p][symbol] = cur
            p = link[p]
        if p != -1:
            q = nxt[p][symbol]
            if length[p] + 1 == length[q]:
                link[cur] = q
            else:
                clone = len(length)
                length.append(length[p] + 1)
                nxt.append(dict(nxt[q]))
                link.append(link[q])
                while p != -1 and nxt[p].get(symbol) == q:
                    nxt[p][symbol] = clone
                    p = link[p]
                link[q] = clone
                link[cur] = clone
        self._last = cur

    START: tuple[int, int] = (0, 0)

    def advance(self, position: tuple[int, int], token: str) -> tuple[int, int]:
        """The match after one more token, from `position` (START before any token).

        Positions are (automaton state, matched length); the length is that of the longest
        suffix of the tokens so far found consecutively in one file. A sampler can use it to
        refuse a token that would make a verbatim copy too long.
        """
        state, matched = position
        symbol = self._ids.get(token)
        if symbol is None:
            return self.START
        while state and symbol not in self._next[state]:
            state = self._link[state]
            matched = self._len[state]
        if symbol not in self._next[state]:
            return self.START
        return self._next[state][symbol], matched + 1

    def longest_match(self, tokens: Sequence[str]) -> int:
        """Length of the longest run of consecutive `tokens` found consecutively in one file."""
        position, best = self.START, 0
        for token in tokens:
            position = self.advance(position, token)
            best = max(best, position[1])
        return best
