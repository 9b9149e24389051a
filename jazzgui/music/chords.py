"""Jazz chord symbols: parsing, chord tones, and the one scale-per-quality rule used everywhere."""

from __future__ import annotations

import re
from dataclasses import dataclass

from jazzgui.errors import ChordSymbolError

NOTE_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

# Scales as pitch-class offsets from the root.
IONIAN = (0, 2, 4, 5, 7, 9, 11)
LYDIAN = (0, 2, 4, 6, 7, 9, 11)
DORIAN = (0, 2, 3, 5, 7, 9, 10)
MELODIC_MINOR = (0, 2, 3, 5, 7, 9, 11)
MIXOLYDIAN = (0, 2, 4, 5, 7, 9, 10)
LYDIAN_DOMINANT = (0, 2, 4, 6, 7, 9, 10)
MIXOLYDIAN_B13 = (0, 2, 4, 5, 7, 8, 10)
HALF_WHOLE = (0, 1, 3, 4, 6, 7, 9, 10)
ALTERED = (0, 1, 3, 4, 6, 8, 10)
LOCRIAN_NAT2 = (0, 2, 3, 5, 6, 8, 10)
WHOLE_HALF = (0, 2, 3, 5, 6, 8, 9, 11)
WHOLE_TONE = (0, 2, 4, 6, 8, 10)
SUS = (0, 2, 4, 5, 7, 9, 10)

# quality -> (chord-tone offsets, scale). The scale rule depends on the quality only, so the
# grammar classifies a note while reading exactly as it chooses one while writing.
QUALITIES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "maj": ((0, 4, 7), IONIAN),
    "6": ((0, 4, 7, 9), IONIAN),
    "69": ((0, 4, 7, 9, 2), IONIAN),
    "maj7": ((0, 4, 7, 11), IONIAN),
    "maj9": ((0, 4, 7, 11, 2), IONIAN),
    "maj7#11": ((0, 4, 7, 11, 6), LYDIAN),
    "m": ((0, 3, 7), DORIAN),
    "m6": ((0, 3, 7, 9), DORIAN),
    "m7": ((0, 3, 7, 10), DORIAN),
    "m9": ((0, 3, 7, 10, 2), DORIAN),
    "m11": ((0, 3, 7, 10, 5), DORIAN),
    "mmaj7": ((0, 3, 7, 11), MELODIC_MINOR),
    "7": ((0, 4, 7, 10), MIXOLYDIAN),
    "9": ((0, 4, 7, 10, 2), MIXOLYDIAN),
    "13": ((0, 4, 7, 10, 9), MIXOLYDIAN),
    "7b9": ((0, 4, 7, 10, 1), HALF_WHOLE),
    "13b9": ((0, 4, 10, 1, 9), HALF_WHOLE),
    "7#9": ((0, 4, 7, 10, 3), ALTERED),
    "7alt": ((0, 4, 10, 3, 8), ALTERED),
    "7b13": ((0, 4, 7, 10, 8), MIXOLYDIAN_B13),
    "7#11": ((0, 4, 7, 10, 6), LYDIAN_DOMINANT),
    "9#11": ((0, 4, 7, 10, 2, 6), LYDIAN_DOMINANT),
    "7#5": ((0, 4, 8, 10), WHOLE_TONE),
    "7sus4": ((0, 5, 7, 10), SUS),
    "9sus4": ((0, 5, 7, 10, 2), SUS),
    "sus4": ((0, 5, 7), SUS),
    "m7b5": ((0, 3, 6, 10), LOCRIAN_NAT2),
    "dim": ((0, 3, 6), WHOLE_HALF),
    "dim7": ((0, 3, 6, 9), WHOLE_HALF),
    "aug": ((0, 4, 8), WHOLE_TONE),
}

# Spellings people write, longest first when matched; each maps to a canonical quality.
_ALIASES: dict[str, str] = {
    "": "maj",
    "maj": "maj",
    "M": "maj",
    "major": "maj",
    "6": "6",
    "maj6": "6",
    "M6": "6",
    "69": "69",
    "6/9": "69",
    "maj7": "maj7",
    "M7": "maj7",
    "Δ": "maj7",
    "Δ7": "maj7",
    "^7": "maj7",
    "ma7": "maj7",
    "maj9": "maj9",
    "M9": "maj9",
    "Δ9": "maj9",
    "ma9": "maj9",
    "maj7#11": "maj7#11",
    "M7#11": "maj7#11",
    "Δ#11": "maj7#11",
    "Δ7#11": "maj7#11",
    "m": "m",
    "min": "m",
    "mi": "m",
    "-": "m",
    "m6": "m6",
    "min6": "m6",
    "-6": "m6",
    "mi6": "m6",
    "m7": "m7",
    "min7": "m7",
    "-7": "m7",
    "mi7": "m7",
    "m9": "m9",
    "min9": "m9",
    "-9": "m9",
    "mi9": "m9",
    "m11": "m11",
    "min11": "m11",
    "-11": "m11",
    "mi11": "m11",
    "mmaj7": "mmaj7",
    "mM7": "mmaj7",
    "m(maj7)": "mmaj7",
    "-maj7": "mmaj7",
    "-Δ7": "mmaj7",
    "7": "7",
    "dom7": "7",
    "9": "9",
    "13": "13",
    "7b9": "7b9",
    "7(b9)": "7b9",
    "13b9": "13b9",
    "7#9": "7#9",
    "7(#9)": "7#9",
    "7alt": "7alt",
    "alt": "7alt",
    "7b13": "7b13",
    "7#11": "7#11",
    "7(#11)": "7#11",
    "9#11": "9#11",
    "7#5": "7#5",
    "7+": "7#5",
    "+7": "7#5",
    "aug7": "7#5",
    "7+5": "7#5",
    "7sus4": "7sus4",
    "7sus": "7sus4",
    "9sus4": "9sus4",
    "9sus": "9sus4",
    "sus4": "sus4",
    "sus": "sus4",
    "m7b5": "m7b5",
    "ø": "m7b5",
    "ø7": "m7b5",
    "min7b5": "m7b5",
    "-7b5": "m7b5",
    "mi7b5": "m7b5",
    "h7": "m7b5",
    "dim": "dim",
    "o": "dim",
    "°": "dim",
    "dim7": "dim7",
    "o7": "dim7",
    "°7": "dim7",
    "aug": "aug",
    "+": "aug",
}
_ALIAS_ORDER = sorted(_ALIASES, key=len, reverse=True)
_ROOT_RE = re.compile(r"([A-Ga-g])(bb|##|b|#|♭|♯)?")


def _accidental_shift(acc: str | None) -> int:
    return {None: 0, "": 0, "b": -1, "♭": -1, "#": 1, "♯": 1, "bb": -2, "##": 2}[acc]


@dataclass(frozen=True)
class Chord:
    """A chord: root and bass pitch classes, a canonical quality, and the symbol as written."""

    root: int
    quality: str
    bass: int | None = None
    symbol: str = ""

    @property
    def tones(self) -> frozenset[int]:
        """Chord-tone pitch classes (the bass of a slash chord included)."""
        offsets = QUALITIES[self.quality][0]
        pcs = {(self.root + o) % 12 for o in offsets}
        if self.bass is not None:
            pcs.add(self.bass)
        return frozenset(pcs)

    @property
    def chord_tone_list(self) -> tuple[int, ...]:
        """Chord-tone pitch classes in voicing order: root, third, fifth, seventh, extensions."""
        return tuple((self.root + o) % 12 for o in QUALITIES[self.quality][0])

    @property
    def scale(self) -> frozenset[int]:
        """Scale pitch classes of the scale this quality always uses."""
        return frozenset((self.root + o) % 12 for o in QUALITIES[self.quality][1])

    @property
    def name(self) -> str:
        """A canonical symbol such as Bbm7 or C7/E."""
        text = NOTE_NAMES[self.root] + ("" if self.quality == "maj" else self.quality)
        if self.bass is not None and self.bass != self.root:
            text += "/" + NOTE_NAMES[self.bass]
        return text

    def classify(self, pitch: int) -> str:
        """The grammar type of a pitch over this chord: C, S, A or X (by pitch class)."""
        pc = pitch % 12
        tones = self.tones
        if pc in tones:
            return "C"
        if pc in self.scale:
            return "S"
        if (pc + 1) % 12 in tones or (pc - 1) % 12 in tones:
            return "A"
        return "X"

    def __str__(self) -> str:
        return self.symbol or self.name


def _parse_root(text: str, whole: str, offset: int) -> tuple[int, int]:
    match = _ROOT_RE.match(text)
    if not match:
        raise ChordSymbolError(whole, offset, "it must start with a note letter A to G")
    letter = match.group(1).upper()
    return (_LETTER_PC[letter] + _accidental_shift(match.group(2))) % 12, match.end()


def parse_chord(symbol: str, offset: int = -1) -> Chord:
    """Parse one jazz chord symbol (Dm7, G7b9, Bbmaj7#11, F#m7b5, C/E...) into a Chord.

    `offset` is where the symbol stands in a longer text, so the error can point at it.
    """
    text = symbol.strip()
    if not text:
        raise ChordSymbolError(symbol, offset, "it is empty")
    body, bass = text, None
    if "/" in text and not text.endswith("6/9"):
        body, _, bass_text = text.rpartition("/")
        if not bass_text:
            raise ChordSymbolError(symbol, offset, "the bass note after '/' is missing")
        bass_pc, used = _parse_root(bass_text, symbol, offset)
        if used != len(bass_text):
            raise ChordSymbolError(symbol, offset, f"{bass_text!r} is not a bass note")
        bass = bass_pc
    root, used = _parse_root(body, symbol, offset)
    rest = body[used:].replace("(", "").replace(")", "").replace(",", "")
    for alias in _ALIAS_ORDER:
        if rest == alias.replace("(", "").replace(")", ""):
            return Chord(root=root, quality=_ALIASES[alias], bass=bass, symbol=text)
    raise ChordSymbolError(symbol, offset, f"the quality {rest!r} is not one JazzGUI knows")
