"""Property test: random option values given to the command line end in success or a clear
error (argparse's usage error, or the typed error printed), never a traceback."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from jazzgui import limits
from jazzgui.cli import main

HOSTILE = st.one_of(
    st.sampled_from(["", " ", "nan", "-nan", "inf", "-inf", "1e999", "-0", "0x10", "1_000"]),
    st.sampled_from(["--", "-", "１２", "1/2", "None", "True", "9" * 40, "-" + "9" * 40]),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=6),
)


def _values(limit: limits.Limit, low: float | None = None, high: float | None = None):
    """Allowed values (within low..high when given, to keep runs short) or hostile text."""
    low = limit.minimum if low is None else low
    high = limit.maximum if high is None else high
    if limit.whole:
        allowed = st.integers(int(low), int(high)).map(str)
    else:
        allowed = st.floats(low, high).map(repr)
    return st.one_of(allowed, HOSTILE)


GENERATE_OPTIONS = {
    "--tempo": _values(limits.TEMPO),
    "--choruses": _values(limits.CHORUSES, 1, 2),
    "--temperature": _values(limits.TEMPERATURE),
    "--top-p": _values(limits.TOP_P),
    "--penalty": _values(limits.PENALTY),
    "--chord-bias": _values(limits.CHORD_BIAS),
    "--max-copy": _values(limits.MAX_COPY),
    "--seed": _values(limits.SEED),
}
TRAIN_OPTIONS = {
    "--epochs": _values(limits.EPOCHS),
    "--hidden": _values(limits.HIDDEN),
    "--layers": _values(limits.LAYERS),
    "--dropout": _values(limits.DROPOUT),
    "--tx": _values(limits.TX),
    "--lr": _values(limits.LEARNING_RATE),
    "--decay": _values(limits.DECAY),
    "--batch": _values(limits.BATCH),
    "--val": _values(limits.VALIDATION),
    "--patience": _values(limits.PATIENCE),
    "--max-windows": _values(limits.MAX_WINDOWS),
    "--stride": _values(limits.STRIDE),
    "--clipnorm": _values(limits.CLIP_NORM),
    "--worker-timeout": _values(limits.WORKER_TIMEOUT),
    "--seed": _values(limits.TRAIN_SEED),
}

EVALUATE_OPTIONS = {
    "--seeds": _values(limits.TAKES),
    "--choruses": _values(limits.CHORUSES),
    "--temperature": _values(limits.TEMPERATURE),
}


def _options(table):
    """Any subset of the options, each with an allowed or hostile value."""
    return st.fixed_dictionaries({}, optional=table)


def _run(argv: list[str], capsys) -> tuple[int, str]:
    try:
        status = main(argv)
    except SystemExit as exit_:
        status = exit_.code
    return status, capsys.readouterr().err


def _assert_clear(status: int, err: str, command: str) -> None:
    assert "Traceback" not in err
    if status != 0:
        assert status == 2, err
        last = err.strip().splitlines()[-1]
        assert last.startswith((f"jazzgui {command}: ", "jazzgui: error: argument ")), err


FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(options=_options(GENERATE_OPTIONS))
def test_generate_options_give_success_or_a_clear_error(options, tmp_path, capsys):
    take = tmp_path / "take.mid"
    take.unlink(missing_ok=True)
    argv = ["generate", "-o", str(take), "--no-band", "--progression", "Dm7 G7 | Cmaj7 |"]
    argv += [f"{name}={value}" for name, value in options.items()]
    status, err = _run(argv, capsys)
    _assert_clear(status, err, "generate")
    assert take.exists() == (status == 0)
    event("wrote a take" if status == 0 else "refused")


@FUZZ
@given(options=_options(TRAIN_OPTIONS))
def test_train_options_give_a_clear_error(options, tmp_path, capsys):
    # The input does not exist: once the options parse, the typed error for it is printed.
    argv = ["train", str(tmp_path / "missing.mid"), "-o", str(tmp_path / "m.jazzmodel")]
    argv += [f"{name}={value}" for name, value in options.items()]
    status, err = _run(argv, capsys)
    assert status == 2
    _assert_clear(status, err, "train")


@FUZZ
@given(options=_options(EVALUATE_OPTIONS))
def test_evaluate_options_give_a_clear_error(options, tmp_path, capsys):
    # The corpus folder does not exist: once the options parse, the typed error is printed.
    argv = ["evaluate", str(tmp_path / "take.mid"), "--corpus", str(tmp_path / "none")]
    argv += [f"{name}={value}" for name, value in options.items()]
    status, err = _run(argv, capsys)
    assert status == 2
    _assert_clear(status, err, "evaluate")


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "3.5", "401"])
def test_the_tempos_of_the_issue_are_refused_clearly(value, tmp_path, capsys):
    status, err = _run(["generate", "-o", str(tmp_path / "t.mid"), f"--tempo={value}"], capsys)
    assert status == 2 and "argument --tempo: " in err and "from 20 to 400 BPM" in err
