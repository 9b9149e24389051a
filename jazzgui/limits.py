"""The one definition of every numeric range a person can set, with its check and message.

The command line builds its argparse types from these limits and the window configures its
spin boxes from them, so a value is refused the same way, with the same words, everywhere:
``--tempo: 0 is out of range: the tempo must be from 20 to 400 BPM``. Seeds outside their
range (0..2**63-1 for a take, 0..2**32-1 for training) are refused, never mapped; nan and
infinities are refused everywhere.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass

from jazzgui.errors import ValueRangeError

Number = int | float

# The longest lead sheet read and the longest take generated, in bars: a file longer than this
# is a damaged file, not a solo, and a take longer than this would run for many minutes.
MAX_BARS = 5000


@dataclass(frozen=True)
class Limit:
    """The allowed range of one value: whole numbers when `decimals` is 0."""

    label: str  # what the value is, as a sentence names it ("the tempo")
    minimum: Number
    maximum: Number
    default: Number | None = None
    decimals: int = 0  # digits a spin box shows; 0: only whole numbers are allowed
    unit: str = ""
    step: Number = 1  # a spin box's single step
    note: str = ""  # what a special value means, e.g. "0 = no limit"

    @property
    def whole(self) -> bool:
        return self.decimals == 0

    def range_text(self) -> str:
        """`the tempo must be from 20 to 400 BPM` (with the note, if any, in brackets)."""
        unit = f" {self.unit}" if self.unit else ""
        note = f" ({self.note})" if self.note else ""
        kind = "a whole number " if self.whole else ""
        bounds = f"from {_text(self.minimum)} to {_text(self.maximum)}"
        return f"{self.label} must be {kind}{bounds}{unit}{note}"

    def problem(self, value: object) -> str | None:
        """What is wrong with a value, in the shared wording, or None when it is allowed."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{value!r} is not a number: {self.range_text()}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"{value} is not a finite number: {self.range_text()}"
        if self.whole and value != int(value):
            return f"{_text(value)} is not a whole number: {self.range_text()}"
        if not self.minimum <= value <= self.maximum:
            return f"{_text(value)} is out of range: {self.range_text()}"
        return None

    def check(self, value: object, option: str | None = None) -> Number:
        """The value (an int for whole-number limits); ValueRangeError naming `option` if not."""
        problem = self.problem(value)
        if problem is not None:
            raise ValueRangeError(option or self.label, problem)
        assert isinstance(value, int | float)
        return int(value) if self.whole else float(value)

    def parse(self, text: str, option: str | None = None) -> Number:
        """A typed value read from text and checked; ValueRangeError if it is not allowed."""
        return self.check(_number(text), option)

    def argument_type(self) -> Callable[[str], Number]:
        """An argparse `type=`: argparse prints its message after the option's name."""

        def parse_argument(text: str) -> Number:
            try:
                return self.parse(text)
            except ValueRangeError as error:
                raise argparse.ArgumentTypeError(error.detail) from None

        parse_argument.__name__ = self.label.removeprefix("the ")
        return parse_argument

    def spin_box(self) -> dict[str, Number]:
        """Everything a (double) spin box is set up with: its range, step, decimals, value."""
        value = self.default if self.default is not None else self.minimum
        return {
            "minimum": self.minimum,
            "maximum": self.maximum,
            "decimals": self.decimals,
            "single_step": self.step,
            "value": value,
        }


def _text(value: Number) -> str:
    """A number as a person writes it: whole numbers in full, others briefly (0.95, 1e-06)."""
    return str(value) if isinstance(value, int) else f"{value:g}"


def _number(text: str) -> Number | str:
    """The text as an int or a float, or the text itself if it is neither."""
    stripped = text.strip()
    try:
        return int(stripped)
    except ValueError:
        pass
    try:
        value = float(stripped)
    except ValueError:
        return text
    return value


# Generating a take.
TEMPO = Limit("the tempo", 20, 400, 160, decimals=1, unit="BPM", step=1)
CHORUSES = Limit("the number of choruses", 1, MAX_BARS, 1, note=f"at most {MAX_BARS} bars in all")
SEED = Limit("the seed", 0, 2**63 - 1, None)
TEMPERATURE = Limit("the temperature", 0, 5, 1.0, decimals=2, step=0.05, note="0 = likeliest")
TOP_P = Limit("top-p", 0.01, 1, 0.95, decimals=2, step=0.01)
PENALTY = Limit("the repetition penalty", 1, 10, 1.3, decimals=2, step=0.1, note="1 = none")
CHORD_BIAS = Limit("the chord bias", 1, 1000, 10.0, decimals=1, step=1, note="1 = none")
MAX_COPY = Limit("the copy limit", 0, 10_000, 7, note="0 = no limit")
SWING = Limit("the swing", 0.5, 0.75, 0.6, decimals=2, step=0.01, note="0.5 = straight")
PROGRAM = Limit("the General MIDI program", 0, 127, None)
TAKES = Limit("the number of takes", 1, 1000, 10)

# Training a model.
EPOCHS = Limit("the number of epochs", 1, 100_000, 100)
BATCH = Limit("the batch size", 1, 8192, 32)
HIDDEN = Limit("the hidden size", 1, 4096, 64, step=8)
LAYERS = Limit("the number of layers", 1, 8, 1)
DROPOUT = Limit("the dropout", 0, 0.9, 0.0, decimals=2, step=0.05)
TX = Limit("the window length Tx", 2, 1000, 30)
LEARNING_RATE = Limit("the learning rate", 1e-6, 1, 0.05, decimals=4, step=0.001)
DECAY = Limit("the decay", 0, 100, 0.003, decimals=4, step=0.001)
CLIP_NORM = Limit("the gradient clip norm", 0, 1e6, 1.0, decimals=2, step=0.1, note="0 = none")
VALIDATION = Limit("the validation fraction", 0, 0.5, 0.1, decimals=2, step=0.05)
PATIENCE = Limit("the patience", 1, 100_000, None, unit="epochs")
MAX_WINDOWS = Limit("the number of windows", 1, 10**9, None)
WORKER_TIMEOUT = Limit("the worker timeout", 1, 86_400, 300, unit="seconds")
CHUNK = Limit("the chunk length", 2, 1000, 8, unit="tokens")
STRIDE = Limit("the window stride", 1, 1000, 8, unit="tokens", note="1 = a window at every token")
# Keras seeds numpy's legacy generator, which takes 32 bits.
JOBS = Limit("the number of reading processes", 1, 256, None)
TRAIN_SEED = Limit("the training seed", 0, 2**32 - 1, 0)


def check_take_length(choruses: int, bars_per_chorus: int, option: str = "--choruses") -> None:
    """A take of `choruses` times `bars_per_chorus` bars must not exceed MAX_BARS."""
    CHORUSES.check(choruses, option)
    if choruses * bars_per_chorus > MAX_BARS:
        most = max(1, MAX_BARS // max(1, bars_per_chorus))
        raise ValueRangeError(
            option,
            f"{choruses} choruses of {bars_per_chorus} bars are {choruses * bars_per_chorus} "
            f"bars, more than {MAX_BARS}: give at most {most} choruses of these changes",
        )
