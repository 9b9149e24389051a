"""Bar ranges and tracks as a person writes them, read the same by the CLI and the window."""

from __future__ import annotations

import pytest

from jazzgui.errors import JazzGUIError
from jazzgui.music.selection import BarRangeError, parse_bar_range, parse_track


def test_a_bar_range_is_first_last_or_one_bar():
    assert parse_bar_range(" 3-40 ") == (3, 40)
    assert parse_bar_range("3–40") == (3, 40)  # an en dash, as word processors write it
    assert parse_bar_range("9") == (9, 9)
    assert parse_bar_range("") is None


@pytest.mark.parametrize("text", ["x", "1-b", "9-", "-3"])
def test_text_that_is_not_a_range_says_how_to_write_one(text):
    with pytest.raises(BarRangeError, match="FIRST-LAST, like 9-40") as caught:
        parse_bar_range(text)
    assert isinstance(caught.value, JazzGUIError)


@pytest.mark.parametrize("text", ["40-3", "0-4"])
def test_a_range_counts_up_from_bar_one(text):
    with pytest.raises(BarRangeError, match="bars count from 1"):
        parse_bar_range(text)


def test_a_track_is_blank_an_index_or_a_name():
    assert parse_track("") is None
    assert parse_track(None) is None
    assert parse_track(" 3 ") == 3
    assert parse_track("piano") == "piano"
