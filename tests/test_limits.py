"""The one definition of numeric ranges: checks, messages, argparse types and spin-box setup."""

from __future__ import annotations

import argparse
import math

import pytest

from jazzgui import limits
from jazzgui.cli import main
from jazzgui.errors import ValueRangeError

ALL_LIMITS = [value for value in vars(limits).values() if isinstance(value, limits.Limit)]


@pytest.mark.parametrize("limit", ALL_LIMITS, ids=lambda limit: limit.label)
def test_every_limit_is_coherent_and_configures_a_spin_box(limit):
    assert limit.minimum < limit.maximum
    setup = limit.spin_box()
    assert setup["minimum"] <= setup["value"] <= setup["maximum"]
    assert setup["decimals"] == limit.decimals
    assert limit.check(setup["value"]) == setup["value"]
    for bad in (math.nan, math.inf, -math.inf, limit.minimum - 1, limit.maximum + 1):
        with pytest.raises(ValueRangeError) as caught:
            limit.check(bad, "--option")
        message = str(caught.value)
        assert message.startswith("--option: ") and limit.range_text() in message


def test_the_message_names_option_value_and_range():
    with pytest.raises(ValueRangeError) as caught:
        limits.TEMPO.check(0, "--tempo")
    assert str(caught.value) == "--tempo: 0 is out of range: the tempo must be from 20 to 400 BPM"
    with pytest.raises(ValueRangeError, match=r"--epochs: 1.5 is not a whole number"):
        limits.EPOCHS.parse("1.5", "--epochs")
    with pytest.raises(ValueRangeError, match=r"'fast' is not a number"):
        limits.TEMPO.parse("fast", "--tempo")
    with pytest.raises(ValueRangeError, match=r"nan is not a finite number"):
        limits.TEMPO.parse("nan", "--tempo")
    assert limits.TEMPO.parse(" 120 ") == 120.0 and isinstance(limits.EPOCHS.parse("1e3"), int)


def test_seeds_outside_0_to_2_63_are_refused_not_mapped():
    assert limits.SEED.check(2**63 - 1) == 2**63 - 1
    for seed in (-1, 2**63):
        with pytest.raises(ValueRangeError, match=f"{seed} is out of range.*9223372036854775807"):
            limits.SEED.check(seed, "--seed")


def test_argument_type_gives_argparse_the_same_words():
    parse = limits.TOP_P.argument_type()
    assert parse("0.5") == 0.5
    with pytest.raises(argparse.ArgumentTypeError, match=r"^2 is out of range: top-p must be"):
        parse("2")


def test_take_length_is_capped_by_the_readers_bar_cap():
    limits.check_take_length(limits.MAX_BARS // 12, 12)
    with pytest.raises(ValueRangeError, match=r"--choruses: 1000 choruses of 12 bars are 12000"):
        limits.check_take_length(1000, 12)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["generate", "--tempo", "0"], "argument --tempo: 0 is out of range: the tempo must be"),
        (["generate", "--tempo", "inf"], "argument --tempo: inf is not a finite number"),
        (["generate", "--seed", "-1"], "argument --seed: -1 is out of range: the seed must be"),
        (["generate", "--top-p", "0"], "argument --top-p: 0 is out of range: top-p must be"),
        (["train", "x.mid", "--epochs", "0"], "argument --epochs: 0 is out of range"),
        (["train", "x.mid", "--val", "nan"], "argument --val: nan is not a finite number"),
        (["train", "x.mid", "--hidden", "big"], "argument --hidden: 'big' is not a number"),
        (["train", "x.mid", "--seed", str(2**32)], "--seed: 4294967296 is out of range"),
        (["evaluate", "t.mid", "--corpus", "c", "--seeds", "0"], "argument --seeds: 0 is out"),
    ],
)
def test_the_command_line_refuses_out_of_range_values(tmp_path, capsys, argv, expected):
    with pytest.raises(SystemExit) as caught:
        main([*argv, "-o", str(tmp_path / "out")] if argv[0] != "evaluate" else argv)
    assert caught.value.code == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_too_many_choruses_and_an_empty_progression_are_errors(tmp_path, capsys):
    out = tmp_path / "t.mid"
    assert main(["generate", "-o", str(out), "--choruses", "1000"]) == 2
    assert "more than 5000" in capsys.readouterr().err
    assert main(["generate", "-o", str(out), "--progression", ""]) == 2
    assert "the progression has no chords" in capsys.readouterr().err
    assert not out.exists()
