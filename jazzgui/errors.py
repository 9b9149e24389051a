"""Typed errors a person can cause; each message says which file, what is wrong and what to do."""

from __future__ import annotations

from pathlib import Path


class JazzGUIError(Exception):
    """Base of every error JazzGUI reports to a person (never a library traceback)."""


class InputFileError(JazzGUIError):
    """A solo file (MIDI or MusicXML) that cannot be used."""

    def __init__(self, path: str | Path, problem: str, advice: str) -> None:
        self.path = Path(path)
        self.problem = problem
        self.advice = advice
        super().__init__(f"{self.path}: {problem}. {advice}")


class ChordSymbolError(JazzGUIError):
    """A chord symbol or progression text that cannot be read."""

    def __init__(self, symbol: str, position: int, problem: str, text: str = "") -> None:
        self.symbol = symbol
        self.position = position
        self.problem = problem
        self.text = text
        where = f" at character {position + 1}" if position >= 0 else ""
        # Nothing typed has no symbol to quote: name the changes themselves.
        subject = f"Chord symbol {symbol!r}" if symbol.strip() else "The chord changes"
        if symbol.startswith("(") and symbol.endswith(")"):
            subject = f"Meter marker {symbol!r}"
        super().__init__(
            f"{subject}{where}: {problem}. Write chords like Dm7, G7b9, Cmaj7, F#m7-5, "
            "Ab13#11, C/E or N.C.; separate bars with |."
        )


class ModelFileError(JazzGUIError):
    """A model file that is missing, corrupt, truncated, foreign or incompatible."""

    def __init__(self, path: str | Path, problem: str, advice: str) -> None:
        self.path = Path(path)
        self.problem = problem
        self.advice = advice
        super().__init__(f"{self.path}: {problem}. {advice}")


class PortError(JazzGUIError):
    """A MIDI port that is missing, vanished or cannot be opened."""


class TrainingError(JazzGUIError):
    """Training cannot start or continue (empty corpus, too little data, bad settings)."""


class AudioError(JazzGUIError):
    """The computer's audio output cannot be used (no server, no device, a bad SoundFont)."""


class ValueRangeError(JazzGUIError, ValueError):
    """A number (option or setting) that is not a number or lies outside its allowed range."""

    def __init__(self, option: str, detail: str) -> None:
        self.option = option
        self.detail = detail
        super().__init__(f"{option}: {detail}")


class OutputPathError(JazzGUIError):
    """A file to write whose folder is missing or not writable, or which is a folder."""

    def __init__(self, path: str | Path, problem: str, advice: str) -> None:
        self.path = Path(path)
        self.problem = problem
        self.advice = advice
        super().__init__(f"{self.path}: {problem}. {advice}")
