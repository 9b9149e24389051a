"""Jazz chord symbols: parsing, chord tones, and the one scale-per-quality rule used everywhere."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

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
AEOLIAN = (0, 2, 3, 5, 7, 8, 10)
PHRYGIAN = (0, 1, 3, 5, 7, 8, 10)
LOCRIAN = (0, 1, 3, 5, 6, 8, 10)
LYDIAN_AUGMENTED = (0, 2, 4, 6, 8, 9, 11)

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
    # Jazz players' C11 is the suspended dominant (Bb/C): the 11th replaces the third.
    "11": "9sus4",
}
_ALIAS_ORDER = sorted(_ALIASES, key=len, reverse=True)
_ROOT_RE = re.compile(r"([A-Ga-g])(bb|##|b|#|♭|♯)?")

# Symbols for "no chord": the band rests; the soloist keeps the previous chord's scale.
NO_CHORD_SYMBOLS = frozenset({"N.C.", "N.C", "NC", "n.c.", "nc", "N/C"})
NO_CHORD_NAME = "N.C."

# The structural reading of any other quality text: family, number, sus, add, alterations.
_FAMILIES = (
    ("maj", "maj"), ("ma", "maj"), ("M", "maj"), ("Δ", "maj"), ("^", "maj"),
    ("min", "m"), ("mi", "m"), ("m", "m"), ("-", "m"),
    ("ø", "hdim"), ("h", "hdim"), ("dim", "dim"), ("°", "dim"), ("o", "dim"),
    ("aug", "aug"), ("+", "aug"),
)  # fmt: skip
_MAJOR_SEVENTH_MARKS = ("maj", "ma", "M", "Δ", "^")
_NUMBERS = ("6/9", "69", "13", "11", "9", "7", "6")
_SUS = (("sus2", 2), ("sus4", 5), ("sus", 5))
_DEGREE_OFFSET = {"2": 2, "4": 5, "6": 9, "9": 2, "11": 5, "13": 9}
_ALTERATION_RE = re.compile(r"(b|#|♭|♯|-|\+)(13|11|9|6|5)")
_ADD_RE = re.compile(r"add(b|#|♭|♯)?(13|11|9|6|4|2)")
# (degree, sign) -> offset from the root, and the order alterations are named in.
_ALTERED = {("5", -1): 6, ("5", 1): 8, ("9", -1): 1, ("9", 1): 3, ("11", 1): 6, ("13", -1): 8}
_ALTERATION_ORDER = list(_ALTERED)


@dataclass(frozen=True)
class _Structure:
    family: str  # "", "m", "dim", "aug" (a bare triad), "maj" (major seventh), "mmaj"
    number: str  # "", "6", "69", "7", "9", "11", "13"
    sus: int  # 0, or the offset (2 or 5) that replaces the third
    adds: tuple[int, ...]  # offsets added
    alterations: tuple[tuple[str, int], ...]  # (degree, -1 flat / +1 sharp), named order


def _sign(text: str) -> int:
    return -1 if text in ("b", "♭", "-") else 1


def _read_structure(rest: str) -> _Structure | None:
    """The parts of a quality text such as 'm7-5', '13#11', 'm6/9', 'add9', 'sus2' or None."""
    pos, family = 0, ""
    for mark, name in _FAMILIES:
        if rest.startswith(mark) and not (mark == "ma" and rest.startswith("madd")):
            family, pos = name, len(mark)
            break
    if family == "m":
        for mark in _MAJOR_SEVENTH_MARKS:
            if rest.startswith(mark, pos):
                family, pos = "mmaj", pos + len(mark)
                break
    number = ""
    for candidate in _NUMBERS:
        if rest.startswith(candidate, pos):
            number, pos = candidate.replace("/", ""), pos + len(candidate)
            break
    sus, adds, alterations = 0, [], []
    while pos < len(rest):
        sus_match = next(((t, o) for t, o in _SUS if rest.startswith(t, pos)), None)
        add = _ADD_RE.match(rest, pos)
        altered = _ALTERATION_RE.match(rest, pos)
        if sus_match and not sus:
            sus, pos = sus_match[1], pos + len(sus_match[0])
        elif add and not add.group(1):
            adds.append(_DEGREE_OFFSET[add.group(2)])
            pos = add.end()
        elif add or altered:
            match = add or altered
            degree = "13" if match.group(2) == "6" else match.group(2)  # b6 is b13
            key = (degree, _sign(match.group(1)))
            if key not in _ALTERED or key in alterations:
                return None
            alterations.append(key)
            pos = match.end()
        else:
            return None
    if family == "hdim":
        family, alterations = "m", [*alterations, ("5", -1)]
        number = number or "7"
    if family == "aug" and (number or alterations or adds or sus):
        family, alterations = "", [*alterations, ("5", 1)]
    if number == "6" and 2 in adds:  # C6add9 is C6/9
        number, adds = "69", [a for a in adds if a != 2]
    ordered = tuple(a for a in _ALTERATION_ORDER if a in alterations)
    return _Structure(family, number, sus, tuple(sorted(set(adds))), ordered)


def _structure_name(st: _Structure) -> str:
    """The canonical quality name of a structure (which _read_structure reads back)."""
    family, number = st.family, st.number
    if st.family in ("maj", "mmaj") and number in ("", "6", "69"):
        number = number or "7"
        if st.family == "maj" and number != "7":
            family = ""
    if st.family == "dim" and number in ("9", "11", "13"):
        number = "7"  # a diminished chord's tensions come from its own scale
    text = family + number
    if st.sus:
        text += "sus2" if st.sus == 2 else "sus4"
    text += "".join("add" + {2: "9", 5: "11", 9: "13"}[offset] for offset in st.adds)
    altered = "".join(("b" if sign < 0 else "#") + degree for degree, sign in st.alterations)
    # C(b5), not Cb5, which would read as the root C flat.
    return text + altered if text or not altered else f"({altered})"


def _structure_tones(st: _Structure) -> tuple[int, ...]:
    """Chord-tone offsets in voicing order: root, third, fifth, seventh, then tensions."""
    third = st.sus or (3 if st.family in ("m", "mmaj", "dim") else 4)
    fifths = [_ALTERED[(d, s)] for d, s in st.alterations if d == "5"]
    tones = [0, third, *(fifths or [6 if st.family == "dim" else 8 if st.family == "aug" else 7])]
    if st.number in ("7", "9", "11", "13"):
        if st.family == "dim":
            tones.append(9)
        elif st.family in ("maj", "mmaj"):
            tones.append(11)
        else:
            tones.append(10)
    elif st.family in ("maj", "mmaj") and st.number not in ("6", "69"):
        tones.append(11)
    if st.number in ("6", "69"):
        tones.append(9)
    if st.number in ("69", "9"):
        tones.append(2)
    if st.number in ("11", "13") and st.family != "dim":
        tones.append(_DEGREE_OFFSET[st.number])
    tones += [_ALTERED[(d, s)] for d, s in st.alterations if d != "5"]
    tones += list(st.adds)
    # A natural tension the alterations replace goes (C7b9: no natural 9th).
    replaced = {_DEGREE_OFFSET[d] for d, _ in st.alterations if d != "5"}
    return tuple(dict.fromkeys(offset for offset in tones if offset not in replaced))


def _structure_scale(st: _Structure, tones: tuple[int, ...]) -> tuple[int, ...]:
    """The one scale a structure uses, chosen from its family and alterations."""
    alt = set(st.alterations)
    flat9, sharp9 = ("9", -1) in alt, ("9", 1) in alt
    sharp5 = ("5", 1) in alt or ("13", -1) in alt
    sharp11 = ("11", 1) in alt or ("5", -1) in alt
    if st.family == "dim":
        return WHOLE_HALF
    if st.family == "m":
        if ("5", -1) in alt:
            return LOCRIAN if flat9 else LOCRIAN_NAT2
        return PHRYGIAN if flat9 else AEOLIAN if sharp5 else DORIAN
    if st.family == "mmaj":
        return MELODIC_MINOR
    if st.family == "maj" or 10 not in tones:
        if sharp5 and 4 in tones:
            return LYDIAN_AUGMENTED if 11 in tones else WHOLE_TONE
        if st.sus:
            return SUS
        return LYDIAN if sharp11 else IONIAN
    if flat9 and not sharp5:
        return HALF_WHOLE
    if sharp9 or (flat9 and sharp5):
        return ALTERED
    if ("5", 1) in alt:
        return WHOLE_TONE
    if ("13", -1) in alt:
        return MIXOLYDIAN_B13
    if sharp11:
        return LYDIAN_DOMINANT
    return SUS if st.sus else MIXOLYDIAN


@functools.lru_cache(maxsize=512)
def quality_structure(quality: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(chord-tone offsets, scale offsets) of any quality JazzGUI accepts, named or built.

    The named qualities of QUALITIES keep their table entry; any other canonical name (such
    as '13#11', '7b9#11', 'm69', 'add9', 'sus2', '7b5') is read by its parts. The scale
    depends on the quality only, so reading and writing classify notes the same way.
    """
    if quality in QUALITIES:
        return QUALITIES[quality]
    structure = _read_structure(quality.replace("(", "").replace(")", ""))
    if structure is None or _structure_name(structure) != quality:
        raise KeyError(f"{quality!r} is not a chord quality")
    tones = _structure_tones(structure)
    return tones, _structure_scale(structure, tones)


def _accidental_shift(acc: str | None) -> int:
    return {None: 0, "": 0, "b": -1, "♭": -1, "#": 1, "♯": 1, "bb": -2, "##": 2}[acc]


@dataclass(frozen=True)
class Chord:
    """A chord: root and bass pitch classes, a canonical quality, and the symbol as written.

    `no_chord` marks N.C.: the band rests, while root and quality are those of the chord
    sounding before it (or the first chord after it), whose scale the soloist keeps using.
    """

    root: int
    quality: str
    bass: int | None = None
    symbol: str = ""
    no_chord: bool = False

    @property
    def tones(self) -> frozenset[int]:
        """Chord-tone pitch classes (the bass of a slash chord included)."""
        pcs = set(self.chord_tone_list)
        if self.bass is not None:
            pcs.add(self.bass)
        return frozenset(pcs)

    @property
    def chord_tone_list(self) -> tuple[int, ...]:
        """Chord-tone pitch classes in voicing order: root, third, fifth, seventh, extensions."""
        return tuple((self.root + o) % 12 for o in quality_structure(self.quality)[0])

    @property
    def scale(self) -> frozenset[int]:
        """Scale pitch classes of the scale this quality always uses."""
        return frozenset((self.root + o) % 12 for o in quality_structure(self.quality)[1])

    @property
    def name(self) -> str:
        """A canonical symbol such as Bbm7 or C7/E (N.C. for no chord)."""
        if self.no_chord:
            return NO_CHORD_NAME
        text = NOTE_NAMES[self.root] + ("" if self.quality == "maj" else self.quality)
        if self.bass is not None and self.bass != self.root:
            text += "/" + NOTE_NAMES[self.bass]
        return text

    def held_as_no_chord(self) -> Chord:
        """N.C. over this chord: the band rests, the soloist keeps this chord's scale."""
        return Chord(self.root, self.quality, self.bass, NO_CHORD_NAME, no_chord=True)

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


def is_no_chord(symbol: str) -> bool:
    """Whether a symbol means "no chord" (N.C., NC, N/C)."""
    return symbol.strip() in NO_CHORD_SYMBOLS


def _parse_root(text: str, whole: str, offset: int) -> tuple[int, int]:
    match = _ROOT_RE.match(text)
    if not match:
        raise ChordSymbolError(whole, offset, "it must start with a note letter A to G")
    letter = match.group(1).upper()
    return (_LETTER_PC[letter] + _accidental_shift(match.group(2))) % 12, match.end()


@functools.lru_cache(maxsize=1024)
def parse_quality(rest: str) -> str | None:
    """The canonical quality of the text after a root ('-7b5' -> 'm7b5'), or None."""
    rest = rest.replace("(", "").replace(")", "").replace(",", "").replace(" ", "")
    for alias in _ALIAS_ORDER:
        if rest == alias.replace("(", "").replace(")", ""):
            return _ALIASES[alias]
    structure = _read_structure(rest)
    if structure is None:
        return None
    name = _structure_name(structure)
    if name in _ALIASES:  # a spelling of a named quality (m7-5 -> m7b5)
        return _ALIASES[name]
    # The same chord spelt by its parts (m7add11 = m11, 7add13 = 13) keeps the table's name.
    tones, scale = quality_structure(name)
    return _NAMED_BY_SOUND.get((tuple(sorted(tones)), scale), name)


_NAMED_BY_SOUND = {
    (tuple(sorted(tones)), scale): name for name, (tones, scale) in reversed(QUALITIES.items())
}


def quality_steps(quality: str) -> tuple[str, tuple[tuple[str, int, int], ...]]:
    """A quality as a plain chord and its degree steps, as MusicXML writes chord symbols:
    ``13#11`` -> (``13``, (("add", 11, +1),)), ``m69`` -> (``m6``, (("add", 9, 0),)).

    Steps are (type "add" or "alter", degree, semitones); ``7alt`` is spelt 7#5#9, whose
    tones it has.
    """
    if quality == "7alt":  # the altered dominant, as charts spell it out: 7#5#9
        return "7", (("alter", 5, 1), ("add", 9, 1))
    structure = _read_structure(quality.replace("(", "").replace(")", ""))
    if structure is None:
        return quality, ()
    number = "6" if structure.number == "69" else structure.number
    plain = replace(structure, number=number, adds=(), alterations=())
    steps = [("add", 9, 0)] if structure.number == "69" else []
    steps += [("add", {2: 9, 5: 11, 9: 13}[offset], 0) for offset in structure.adds]
    steps += [
        ("alter" if degree == "5" else "add", int(degree), sign)
        for degree, sign in structure.alterations
    ]
    return _structure_name(plain), tuple(steps)


def parse_chord(symbol: str, offset: int = -1) -> Chord:
    """Parse one jazz chord symbol (Dm7, G7b9, Bbmaj7#11, F#m7b5, C/E, N.C. ...) into a Chord.

    `offset` is where the symbol stands in a longer text, so the error can point at it. N.C.
    alone gives a placeholder over C; parse_progression holds the chord around it instead.
    """
    text = symbol.strip()
    if not text:
        raise ChordSymbolError(symbol, offset, "it is empty")
    if is_no_chord(text):
        return Chord(0, "maj", None, NO_CHORD_NAME, no_chord=True)
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
    quality = parse_quality(body[used:])
    if quality is None:
        raise ChordSymbolError(
            symbol, offset, f"the quality {body[used:]!r} is not one JazzGUI knows"
        )
    return Chord(root=root, quality=quality, bass=bass, symbol=text)
