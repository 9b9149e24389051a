"""Counts in words that read right: "1 epoch", "2 epochs", "1 token", "1,024 bars"."""

from __future__ import annotations

# Nouns whose plural is not the noun plus "s".
_IRREGULAR = {
    "chorus": "choruses",
    "process": "processes",
    "is": "are",
    "was": "were",
    "it": "they",
}


def plural(count: int | float, noun: str, many: str | None = None) -> str:
    """`count` and `noun`, in the plural unless the count is exactly 1 (thousands grouped)."""
    word = noun if count == 1 else many or _IRREGULAR.get(noun, noun + "s")
    number = f"{count:,}" if isinstance(count, int) else f"{count:,.{_decimals(count)}f}"
    return f"{number} {word}"


def _decimals(value: float) -> int:
    return 0 if float(value).is_integer() else 1
