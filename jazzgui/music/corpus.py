"""A corpus of solo files as token sequences: vocabulary, validation split, training windows."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jazzgui.errors import JazzGUIError, TrainingError
from jazzgui.music.corpus_cache import CorpusCache
from jazzgui.music.corpus_reader import ReadOptions, ReadStats, read_files
from jazzgui.music.defaults import SOLO_SUFFIXES
from jazzgui.music.grammar import GRID, parse_token
from jazzgui.music.leadsheet import LeadSheet
from jazzgui.music.snapping import SnapReport

log = logging.getLogger(__name__)

CORPUS_SUFFIXES = SOLO_SUFFIXES


class Vocabulary:
    """The token values a model knows, in a fixed order that is saved with the model.

    Built from a corpus the order is sorted, so the same corpus always gives the same indices
    (the reference used set order, which changed from run to run).
    """

    def __init__(self, tokens: Iterable[str]) -> None:
        self._tokens = list(tokens)
        self._index = {token: i for i, token in enumerate(self._tokens)}
        if len(self._index) != len(self._tokens):
            twice = sorted(t for t, n in Counter(self._tokens).items() if n > 1)
            raise JazzGUIError(f"the vocabulary lists these tokens twice: {', '.join(twice)}")
        for token in self._tokens:
            parse_token(token)
        self._table: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None

    @classmethod
    def from_bars(cls, bars: Iterable[Sequence[str]]) -> Vocabulary:
        """The sorted set of tokens found in bars of tokens."""
        return cls(sorted({token for bar in bars for token in bar}))

    @classmethod
    def from_list(cls, tokens: Sequence[str]) -> Vocabulary:
        """A vocabulary in exactly the given order (as saved with a model)."""
        return cls(tokens)

    def to_list(self) -> list[str]:
        return list(self._tokens)

    def index(self, token: str) -> int:
        """The index of a token; KeyError if the vocabulary does not hold it."""
        return self._index[token]

    def token(self, index: int) -> str:
        return self._tokens[index]

    def nearest(self, token: str) -> int:
        """The index of the token most like `token`: its own, else the same type with the
        closest duration and window (for music encoded with a model's fixed vocabulary)."""
        if token in self._index:
            return self._index[token]
        if not self._tokens:
            raise KeyError(token)
        wanted = parse_token(token)
        kinds, twelfths, has_window, uppers = self._nearest_table()
        if wanted.window is None:
            window_gap = np.where(has_window, 100, 0)
        else:
            window_gap = np.where(has_window, np.abs(uppers - wanted.window[0]), 100)
        duration_gap = np.abs(twelfths - int(wanted.duration * GRID))
        # The first token of least (type differs, duration gap, window gap); vectorised, as a
        # live answer maps the tokens a person played within a beat.
        return int(np.lexsort((window_gap, duration_gap, kinds != wanted.kind))[0])

    def _nearest_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if self._table is None:
            parsed = [parse_token(t) for t in self._tokens]
            self._table = (
                np.array([t.kind for t in parsed]),
                np.array([int(t.duration * GRID) for t in parsed]),
                np.array([t.window is not None for t in parsed]),
                np.array([t.window[0] if t.window else 0 for t in parsed]),
            )
        return self._table

    def __len__(self) -> int:
        return len(self._tokens)

    def __contains__(self, token: object) -> bool:
        return token in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._tokens)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self._tokens == other._tokens

    def __repr__(self) -> str:
        return f"Vocabulary({len(self._tokens)} tokens)"


@dataclass
class CorpusEntry:
    """One file of a corpus: its lead sheet and token bars, or why it could not be used."""

    path: Path
    sheet: LeadSheet | None
    bars: list[list[str]]
    error: str | None = None
    seconds: float = 0.0
    snap: SnapReport | None = None  # how an unquantized file was put on a grid (when asked)

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.bars)

    @property
    def token_count(self) -> int:
        return sum(len(bar) for bar in self.bars)


@dataclass
class Corpus:
    """Token bars of many files with the vocabulary that numbers them."""

    entries: list[CorpusEntry]
    vocabulary: Vocabulary

    @property
    def ok_entries(self) -> list[CorpusEntry]:
        return [entry for entry in self.entries if entry.ok]

    @property
    def token_count(self) -> int:
        return sum(entry.token_count for entry in self.ok_entries)

    @property
    def bar_count(self) -> int:
        return sum(len(entry.bars) for entry in self.ok_entries)

    @property
    def unknown_tokens(self) -> int:
        """Tokens the vocabulary lacks (music read with a model's fixed vocabulary); they are
        encoded as the nearest value the vocabulary has."""
        return sum(
            token not in self.vocabulary
            for entry in self.ok_entries
            for bar in entry.bars
            for token in bar
        )

    def _encode(self, bars: Sequence[Sequence[str]]) -> np.ndarray:
        return np.asarray(
            [self.vocabulary.nearest(token) for bar in bars for token in bar], dtype=np.int32
        )

    def sequences(self) -> list[np.ndarray]:
        """One int32 array of token indices per usable file, in file order."""
        return [self._encode(entry.bars) for entry in self.ok_entries]

    def split_by_bars(
        self, val_fraction: float, seed: int, rows: bool = False
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Training and validation sequences; validation is a block of whole bars per file.

        From each file a contiguous block of round(bars * val_fraction) bars at a seeded
        random place is held out; the bars before and after it become separate training
        sequences, so no training window ever reaches into held-out music. With `rows`, each
        part holds the positions of its tokens in the corpus (all files' tokens in order)
        instead of their vocabulary indices, to pick per-token data beside them.
        """
        if not 0.0 <= val_fraction < 1.0:
            raise TrainingError(
                f"The validation fraction {val_fraction:g} must be at least 0 and below 1; "
                "use for example 0.1 to hold out a tenth of the bars"
            )
        rng = np.random.default_rng(seed)
        train: list[np.ndarray] = []
        val: list[np.ndarray] = []
        row = 0
        for entry in self.ok_entries:
            ends = np.cumsum([0, *(len(bar) for bar in entry.bars)]) + row
            row = int(ends[-1])

            def encode(
                first: int, last: int, bars: list[list[str]] = entry.bars, ends: np.ndarray = ends
            ) -> np.ndarray:
                if rows:
                    return np.arange(ends[first], ends[last], dtype=np.int32)
                return self._encode(bars[first:last])

            n_bars = len(entry.bars)
            held = int(np.floor(n_bars * val_fraction + 0.5))
            if held == 0 or held >= n_bars:
                train.append(encode(0, n_bars))
                continue
            first = int(rng.integers(0, n_bars - held + 1))
            for start, stop in ((0, first), (first + held, n_bars)):
                if stop > start:
                    train.append(encode(start, stop))
            val.append(encode(first, first + held))
        return train, val


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files to read: folders become their solo files (searched recursively, sorted).

    Named files are kept even when missing or of another type, so the corpus can report them.
    """
    result: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in CORPUS_SUFFIXES
            )
        else:
            found = [path]
        for item in found:
            if item not in seen:
                seen.add(item)
                result.append(item)
    return result


def _files_or_empty_folders(paths: Iterable[str | Path]) -> list[Path]:
    """expand_paths, keeping a folder that holds no solo file so it can be reported."""
    result: list[Path] = []
    for raw in paths:
        found = expand_paths([raw])
        result.extend(found or [Path(raw)])
    return list(dict.fromkeys(result))


def build_corpus(
    paths: Iterable[str | Path],
    track: int | str | None = None,
    bars: tuple[int, int] | None = None,
    vocabulary: Vocabulary | None = None,
    on_entry: Callable[[CorpusEntry], None] | None = None,
    chords: str = "auto",
    chord_track: int | str | None = None,
    snap: bool = False,
    *,
    should_stop: Callable[[], bool] | None = None,
    workers: int | None = None,
    use_cache: bool = True,
    stats: ReadStats | None = None,
) -> Corpus:
    """Read every file (folders expanded) into token bars; a bad file becomes an entry with
    its error text, never an exception. Without `vocabulary` one is built from the corpus.
    `chords` and `chord_track` choose where chords come from, as in load_lead_sheet. With `snap`, an
    unquantized file is put on the grid that fits it first (music.snapping).

    Files are read in `workers` processes (default: every core) through the corpus cache
    (`use_cache`); `on_entry` is called with each entry as it is ready (in the order files
    finish), `should_stop()` between files ends the reading with the files read so far, and
    `stats` receives what the reading cost. The entries keep the order of the paths.
    """
    found = _files_or_empty_folders(paths)
    placed: dict[int, CorpusEntry] = {}
    files = [(i, path) for i, path in enumerate(found) if not path.is_dir()]
    for index, path in enumerate(found):
        if path.is_dir():
            placed[index] = CorpusEntry(
                path,
                None,
                [],
                f"{path}: the folder holds no {', '.join(CORPUS_SUFFIXES)} file. "
                "Choose a folder with MIDI or MusicXML solos",
            )
            if on_entry is not None:
                on_entry(placed[index])
    results = read_files(
        [path for _, path in files],
        ReadOptions(track, bars, chords, chord_track, snap),
        workers=workers,
        cache=CorpusCache() if use_cache else None,
        should_stop=should_stop,
        stats=stats,
    )
    for position, result in results:
        index, path = files[position]
        placed[index] = CorpusEntry(
            path, result.sheet, result.bars, result.error, result.seconds, snap=result.snap
        )
        if on_entry is not None:
            on_entry(placed[index])
    entries = [placed[index] for index in sorted(placed)]
    if vocabulary is None:
        vocabulary = Vocabulary.from_bars(bar for e in entries if e.ok for bar in e.bars)
    return Corpus(entries, vocabulary)


@dataclass(frozen=True)
class WindowPlan:
    """Where training windows start: (sequence, offset) pairs, and sequences left out and why."""

    starts: list[tuple[int, int]]
    skipped: list[str]


def plan_windows(sequences: Sequence[np.ndarray], tx: int) -> WindowPlan:
    """Every window of `tx` inputs plus one target inside one sequence (stride 1)."""
    if tx < 1:
        raise TrainingError(f"Tx (the window length) must be at least 1, not {tx}")
    starts: list[tuple[int, int]] = []
    skipped: list[str] = []
    for index, sequence in enumerate(sequences):
        count = len(sequence) - tx
        if count < 1:
            skipped.append(
                f"sequence {index} has {len(sequence)} tokens, fewer than Tx+1 = {tx + 1}"
            )
            continue
        starts.extend((index, offset) for offset in range(count))
    return WindowPlan(starts, skipped)


def training_windows(
    sequences: Sequence[np.ndarray],
    vocab_size: int,
    tx: int = 30,
    seed: int = 0,
    max_windows: int | None = None,
    *,
    allow_empty: bool = False,
    one_hot: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """X (m, tx, vocab_size) one-hot float32 and Y (m, tx) int32 next-token ids.

    Windows start at every position of every sequence longer than `tx` and never span two
    sequences; their order is shuffled by `seed` (then cut to `max_windows`). Sequences too
    short for one window are skipped and logged; if none is long enough, TrainingError, or
    with `allow_empty` (validation blocks, which may be short) arrays with m = 0. With
    `one_hot=False`, X holds the int32 ids (m, tx) instead, a vocabulary-size times smaller.
    """
    plan = plan_windows(sequences, tx)
    for reason in plan.skipped:
        log.info("No training window: %s", reason)
    if not plan.starts and not allow_empty:
        longest = max((len(s) for s in sequences), default=0)
        raise TrainingError(
            f"No piece of music is long enough for a training window of Tx={tx} tokens "
            f"(the longest has {longest} tokens and needs at least {tx + 1}). "
            f"Reduce Tx to at most {max(longest - 1, 1)} or add more music"
        )
    for sequence in sequences:
        if len(sequence) and (sequence.min() < 0 or sequence.max() >= vocab_size):
            raise TrainingError(
                f"A token index lies outside the vocabulary of {vocab_size} values; "
                "rebuild the corpus with the model's vocabulary"
            )
    order = np.random.default_rng(seed).permutation(len(plan.starts))
    if max_windows is not None:
        order = order[: max(max_windows, 0)]
    ids = np.zeros((len(order), tx), dtype=np.int32)
    y = np.zeros((len(order), tx), dtype=np.int32)
    for row, pick in enumerate(order):
        index, offset = plan.starts[pick]
        sequence = sequences[index]
        ids[row] = sequence[offset : offset + tx]
        y[row] = sequence[offset + 1 : offset + tx + 1]
    if not one_hot:
        return ids, y
    x = np.zeros((len(order), tx, vocab_size), dtype=np.float32)
    np.put_along_axis(x, ids[..., None], 1.0, axis=2)
    return x, y
