"""Which part of a solo file to read, as a person writes it: bar ranges and tracks.

The command line's --bars/--track and the Train panel's table cells both go through these
parsers, so the same text means the same selection everywhere.
"""

from __future__ import annotations

from jazzgui.errors import JazzGUIError


class BarRangeError(JazzGUIError, ValueError):
    """Text that is not a bar range; the message says what to write instead."""


def parse_bar_range(text: str) -> tuple[int, int] | None:
    """'9-40' -> (9, 40), '9' -> (9, 9), '' -> None (all bars); BarRangeError otherwise."""
    text = text.strip()
    if not text:
        return None
    first, separator, last = text.replace("–", "-").partition("-")
    try:
        start, end = int(first), int(last if separator else first)
    except ValueError:
        raise BarRangeError(
            f"{text!r} is not a bar range: write FIRST-LAST, like 9-40, or one bar number"
        ) from None
    if start < 1 or end < start:
        raise BarRangeError(
            f"{text!r} is not a bar range: bars count from 1 and FIRST must not exceed LAST"
        )
    return start, end


def parse_track(text: str | None) -> int | str | None:
    """A track: blank (None) for automatic, its index (digits), or a part of its name."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    return int(text) if text.isdigit() else text
