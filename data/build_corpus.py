"""Build the original JazzGUI corpus: parse data/src/*.txt solos and write MusicXML lead sheets.

Run `python data/build_corpus.py` from anywhere; it rewrites data/solos/<name>.musicxml for each
source. The source format is described in data/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from jazzgui.errors import ChordSymbolError, InputFileError
from jazzgui.music.chords import Chord, parse_chord

DATA = Path(__file__).resolve().parent
SRC_DIR = DATA / "src"
OUT_DIR = DATA / "solos"

LOWEST = 52  # E3: bottom of a tenor-sax/trumpet solo range
HIGHEST = 86  # D6: a step above the C6 the lines aim to stay under
GRID = Fraction(1, 12)  # the value grammar's grid, in beats: sixteenths and triplets fit
REQUIRED_HEADERS = ("title", "form", "form_bars", "key", "tempo", "meter")

_PITCH_RE = re.compile(r"^([a-g])(#|b)?(\d)$")
_DURATION_RE = re.compile(r"^(\d+)(\.)?$")
_LETTER_PC = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}

# Canonical quality -> the suffix music21 writes as a <harmony> that reads back to a figure
# parse_chord understands once its root flat '-' is written 'b' and any " add " is dropped.
_M21_SUFFIX = {
    "maj": "",
    "6": "6",
    "maj7": "maj7",
    "maj9": "maj9",
    "maj7#11": "maj7#11",
    "m": "m",
    "m6": "m6",
    "m7": "m7",
    "m9": "m9",
    "m11": "m11",
    "mmaj7": "mM7",
    "7": "7",
    "9": "9",
    "13": "13",
    "7b9": "7b9",
    "7#9": "7#9",
    "7#11": "7#11",
    "7b13": "7b13",
    "7#5": "7+",
    "7sus4": "7sus4",
    "m7b5": "ø7",
    "dim": "o",
    "dim7": "o7",
    "aug": "+",
}


@dataclass(frozen=True)
class SourceNote:
    """A note (pitch) or rest (pitch None) of a bar, with its length in beats."""

    pitch: int | None
    spelling: str  # music21 pitch name such as E-5, or "" for a rest
    beats: Fraction
    tie: bool = False  # tied into the next note


@dataclass(frozen=True)
class SourceBar:
    """One bar of a solo: its chords with their onsets in beats, and its notes."""

    line: int
    chords: tuple[tuple[Fraction, Chord], ...]
    notes: tuple[SourceNote, ...]


@dataclass
class Solo:
    """A parsed solo source: header fields and bars."""

    path: Path
    title: str
    form: str
    form_bars: int
    key: str
    tempo: int
    beats_per_bar: int
    bars: list[SourceBar] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def choruses(self) -> int:
        return len(self.bars) // self.form_bars

    @property
    def note_count(self) -> int:
        # A tied continuation is one sounding note, not two.
        count = 0
        tied = False
        for bar in self.bars:
            for n in bar.notes:
                if n.pitch is not None and not tied:
                    count += 1
                tied = n.tie
        return count


def _fail(path: Path, line: int, problem: str) -> InputFileError:
    where = f"line {line}: " if line else ""
    return InputFileError(
        path, where + problem, "Fix the source text (the format is in data/README.md)."
    )


def _parse_pitch(token: str) -> tuple[int, str] | None:
    match = _PITCH_RE.match(token)
    if not match:
        return None
    letter, accidental, octave = match.groups()
    shift = {"#": 1, "b": -1, None: 0}[accidental]
    midi = 12 * (int(octave) + 1) + _LETTER_PC[letter] + shift
    spelling = letter.upper() + {"#": "#", "b": "-", None: ""}[accidental] + octave
    return midi, spelling


def _parse_chords(
    text: str,
    beats_per_bar: int,
    previous: tuple[tuple[Fraction, Chord], ...] | None,
    path: Path,
    line: int,
) -> tuple[tuple[Fraction, Chord], ...]:
    words = text.split()
    if words == ["%"]:
        if previous is None:
            raise _fail(path, line, "'%' repeats the previous bar's chords, but this is bar 1")
        return previous
    if not 1 <= len(words) <= 4:
        raise _fail(path, line, f"a bar holds 1 to 4 chords, found {len(words)}: {text.strip()!r}")
    # Chart convention: 2 chords split the bar in halves, 3 in 4/4 take 2+1+1, 4 one a beat.
    default_onsets = {
        1: [0],
        2: [0, Fraction(beats_per_bar, 2)],
        3: [0, 2, 3] if beats_per_bar == 4 else [0, 1, 2],
        4: [0, 1, 2, 3],
    }[len(words)]
    chords = []
    for word, onset in zip(words, default_onsets):
        symbol, _, at = word.partition("@")
        if at:
            try:
                onset = Fraction(at) - 1  # written as a 1-based beat, e.g. G7@3.5
            except ValueError:
                raise _fail(path, line, f"{word!r}: the beat after '@' is not a number") from None
        try:
            chord = parse_chord(symbol)
        except ChordSymbolError as error:
            raise _fail(path, line, str(error)) from None
        if chord.quality not in _M21_SUFFIX:
            raise _fail(path, line, f"{symbol!r}: quality {chord.quality} has no MusicXML form")
        chords.append((Fraction(onset), chord))
    onsets = [onset for onset, _ in chords]
    if onsets[0] != 0 or onsets != sorted(set(onsets)) or onsets[-1] >= beats_per_bar:
        raise _fail(
            path,
            line,
            f"chord onsets {[float(o + 1) for o in onsets]} must start on "
            f"beat 1, rise, and stay inside the bar",
        )
    return tuple(chords)


def _parse_notes(text: str, beats_per_bar: int, path: Path, line: int) -> tuple[SourceNote, ...]:
    notes = []
    length = Fraction(1, 8)  # of a whole note; a note without a length repeats the last one
    position = Fraction(0)
    for token in text.split():
        body, tie = (token[:-1], True) if token.endswith("~") else (token, False)
        head, slash, tail = body.partition("/")
        if slash:
            match = _DURATION_RE.match(tail)
            if not match:
                raise _fail(path, line, f"{token!r}: the length must look like /8, /4. or /12")
            length = Fraction(1, int(match.group(1)))
            if match.group(2):
                length = length * Fraction(3, 2)
        beats = length * 4
        if beats % GRID:
            raise _fail(path, line, f"{token!r}: {beats} beats is off the 1/12-beat grid")
        if head == "r":
            if tie:
                raise _fail(path, line, f"{token!r}: a rest cannot be tied")
            notes.append(SourceNote(None, "", beats))
        else:
            parsed = _parse_pitch(head)
            if parsed is None:
                raise _fail(
                    path, line, f"{token!r} is neither a rest 'r' nor a pitch like c5, eb4 or f#5"
                )
            midi, spelling = parsed
            if not LOWEST <= midi <= HIGHEST:
                raise _fail(path, line, f"{token!r} is outside the solo range E3-D6")
            notes.append(SourceNote(midi, spelling, beats, tie))
        position += beats
    if position != beats_per_bar:
        raise _fail(
            path, line, f"the bar's lengths add up to {position} beats, not {beats_per_bar}"
        )
    return tuple(notes)


def parse_source(path: Path) -> Solo:
    """Read one solo source; raise InputFileError naming the file and line of any mistake."""
    path = Path(path)
    header: dict[str, str] = {}
    bar_lines: list[tuple[int, str]] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        # A comment starts with a '#' at the line start or after a space (f#5 and C7#9 never do).
        text = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not text:
            continue
        if text.startswith("|"):
            bar_lines.append((number, text))
        elif ":" in text and not bar_lines:
            key, _, value = text.partition(":")
            header[key.strip().lower()] = value.strip()
        else:
            raise _fail(
                path,
                number,
                f"expected a 'name: value' header or a bar '| chords | notes |', found {text!r}",
            )
    missing = [k for k in REQUIRED_HEADERS if k not in header]
    if missing:
        raise _fail(path, 0, f"the header lacks {', '.join(missing)}")
    try:
        tempo = int(header["tempo"])
        form_bars = int(header["form_bars"])
        top, bottom = (int(x) for x in header["meter"].split("/"))
    except ValueError:
        raise _fail(path, 0, "tempo and form_bars must be whole numbers, meter like 4/4") from None
    if bottom != 4 or top not in (3, 4):
        raise _fail(path, 0, f"meter {header['meter']} is not supported (use 4/4 or 3/4)")
    if not re.match(
        r"^[A-G](b|#)?(m|\s+(major|minor|dorian|mixolydian|lydian|phrygian))?$", header["key"]
    ):
        raise _fail(path, 0, f"key {header['key']!r} should look like F, Bb, Cm or D dorian")
    solo = Solo(path, header["title"], header["form"], form_bars, header["key"], tempo, top)
    previous = None
    for number, text in bar_lines:
        parts = [p for p in text.strip("|").split("|")]
        if len(parts) != 2:
            raise _fail(path, number, "a bar line is '| chords | notes |' with exactly two fields")
        chords = _parse_chords(parts[0], top, previous, path, number)
        notes = _parse_notes(parts[1], top, path, number)
        solo.bars.append(SourceBar(number, chords, notes))
        previous = chords
    if not solo.bars:
        raise _fail(path, 0, "there are no bars")
    if len(solo.bars) % form_bars:
        raise _fail(
            path, 0, f"{len(solo.bars)} bars is not a whole number of {form_bars}-bar choruses"
        )
    _check_ties(solo)
    return solo


def flat_notes(solo: Solo) -> list[SourceNote]:
    """Every note and rest of the solo in order, across bar lines."""
    return [n for bar in solo.bars for n in bar.notes]


def _check_ties(solo: Solo) -> None:
    flat = [(bar.line, n) for bar in solo.bars for n in bar.notes]
    for (line, n), (_, following) in zip(flat, [*flat[1:], (0, None)]):
        if n.tie and (following is None or following.pitch != n.pitch):
            raise _fail(solo.path, line, f"a tie from {n.spelling} must lead to the same pitch")


def key_and_mode(text: str) -> tuple[str, str]:
    """A header key such as F, Cm, Bb or "D dorian" as a music21 tonic and mode."""
    words = text.split()
    tonic, mode = words[0], words[1].lower() if len(words) > 1 else "major"
    if len(words) == 1 and tonic.endswith("m"):
        tonic, mode = tonic[:-1], "minor"
    return tonic[0].upper() + tonic[1:].replace("b", "-"), mode


def music21_figure(chord: Chord) -> str:
    """The chord as a music21 ChordSymbol figure (root flats written '-', as music21 wants)."""
    match = re.match(r"([A-Ga-g])(b|#)?", chord.symbol.strip())
    if match is None:  # a Chord made in code without a symbol: spell its root with flats
        root = chord.name[:2] if chord.name[1:2] == "b" else chord.name[:1]
        match = re.match(r"([A-G])(b)?", root)
    letter, accidental = match.groups()
    return letter.upper() + {"b": "-", "#": "#", None: ""}[accidental] + _M21_SUFFIX[chord.quality]


def build_score(solo: Solo):
    """A music21 Score: one Part with the melody, chord symbols at their onsets, tempo, key."""
    from music21 import harmony, key, metadata, meter, note, stream, tempo, tie

    score = stream.Score()
    score.metadata = metadata.Metadata()
    score.metadata.title = solo.title
    score.metadata.composer = "JazzGUI corpus (original)"
    part = stream.Part()
    part.partName = "Solo"
    tie_open = False
    for index, bar in enumerate(solo.bars):
        measure = stream.Measure(number=index + 1)
        if index == 0:
            measure.insert(0, meter.TimeSignature(f"{solo.beats_per_bar}/4"))
            tonic, mode = key_and_mode(solo.key)
            measure.insert(0, key.Key(tonic, mode))
            measure.insert(0, tempo.MetronomeMark(number=solo.tempo, referent=1.0))
        for onset, chord in bar.chords:
            measure.insert(float(onset), harmony.ChordSymbol(music21_figure(chord)))
        position = Fraction(0)
        for n in bar.notes:
            if n.pitch is None:
                element = note.Rest(quarterLength=n.beats)
            else:
                element = note.Note(n.spelling, quarterLength=n.beats)
                if n.tie and tie_open:
                    element.tie = tie.Tie("continue")
                elif n.tie:
                    element.tie = tie.Tie("start")
                elif tie_open:
                    element.tie = tie.Tie("stop")
            tie_open = n.pitch is not None and n.tie
            measure.insert(position, element)
            position += n.beats
        part.append(measure)
    score.insert(0, part)
    return score


def musicxml_bytes(solo: Solo) -> bytes:
    """The solo as MusicXML bytes; date and random part id fixed so rebuilds are identical."""
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    data = GeneralObjectExporter(build_score(solo)).parse()
    data = re.sub(rb"\s*<encoding-date>[^<]*</encoding-date>", b"", data)
    return re.sub(rb'id="P[0-9a-f]{32}"', b'id="P1"', data)


def write_solo(solo: Solo, out_dir: Path) -> Path:
    """Write the solo's MusicXML lead sheet atomically (temporary file, then rename)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{solo.name}.musicxml"
    handle, temporary = tempfile.mkstemp(prefix=f".{solo.name}.", suffix=".tmp", dir=out_dir)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(musicxml_bytes(solo))
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the corpus is for everyone
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


def strong_beat_chord_tones(solo: Solo) -> tuple[int, int]:
    """(chord tones, notes) among notes that start on beats 1 and 3 of a 4/4 bar (1 of 3/4)."""
    strong = (0, 2) if solo.beats_per_bar == 4 else (0,)
    hits = total = 0
    for bar in solo.bars:
        position = Fraction(0)
        for n in bar.notes:
            if n.pitch is not None and position in strong:
                chord = [c for onset, c in bar.chords if onset <= position][-1]
                total += 1
                hits += chord.classify(n.pitch) == "C"
            position += n.beats
    return hits, total


def markdown_table(solos: list[Solo]) -> str:
    """The corpus as the Markdown table in data/README.md."""
    lines = [
        "| file | title | form | key | tempo | meter | bars | choruses | notes | CT on 1 & 3 |",
        "|---|---|---|---|---:|---|---:|---:|---:|---:|",
    ]
    for s in solos:
        hits, total = strong_beat_chord_tones(s)
        lines.append(
            f"| `{s.name}` | {s.title} | {s.form} | {s.key} | {s.tempo} | {s.beats_per_bar}/4 "
            f"| {len(s.bars)} | {s.choruses} | {s.note_count} | {hits / max(total, 1):.0%} |"
        )
    hits = sum(strong_beat_chord_tones(s)[0] for s in solos)
    total = sum(strong_beat_chord_tones(s)[1] for s in solos)
    lines.append(
        f"| **total** | {len(solos)} solos | | | | | {sum(len(s.bars) for s in solos)} "
        f"| {sum(s.choruses for s in solos)} | {sum(s.note_count for s in solos)} "
        f"| {hits / max(total, 1):.0%} |"
    )
    return "\n".join(lines)


def source_paths(src_dir: Path = SRC_DIR) -> list[Path]:
    return sorted(src_dir.glob("*.txt"))


def build_all(src_dir: Path = SRC_DIR, out_dir: Path = OUT_DIR) -> list[Solo]:
    """Parse every source (all are checked before anything is written), then write them."""
    solos = [parse_source(path) for path in source_paths(src_dir)]
    for solo in solos:
        write_solo(solo, out_dir)
    return solos


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=SRC_DIR, help="folder of *.txt sources")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder for .musicxml files")
    parser.add_argument("--check", action="store_true", help="only parse and validate")
    parser.add_argument(
        "--table", action="store_true", help="only parse, and print the README's Markdown table"
    )
    args = parser.parse_args(argv)
    try:
        if args.check or args.table:
            solos = [parse_source(path) for path in source_paths(args.src)]
        else:
            solos = build_all(args.src, args.out)
    except InputFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.table:
        print(markdown_table(solos))
        return 0
    print(
        f"{'file':26} {'form':34} {'key':9} {'tempo':>5} {'bars':>4} {'ch':>3} {'notes':>5} CT 1&3"
    )
    for s in solos:
        hits, total = strong_beat_chord_tones(s)
        print(
            f"{s.name:26} {s.form:34} {s.key:9} {s.tempo:5d} {len(s.bars):4d} {s.choruses:3d} "
            f"{s.note_count:5d} {hits / max(total, 1):6.0%}"
        )
    hits = sum(strong_beat_chord_tones(s)[0] for s in solos)
    total = sum(strong_beat_chord_tones(s)[1] for s in solos)
    print(
        f"{len(solos)} solos, {sum(s.choruses for s in solos)} choruses, "
        f"{sum(len(s.bars) for s in solos)} bars, {sum(s.note_count for s in solos)} notes, "
        f"chord tones on beats 1 and 3: {hits}/{total} = {hits / max(total, 1):.0%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
