"""`jazzgui trade` mistakes a person can make, told in one line (the real ports: tests/playback)."""

from __future__ import annotations

import pytest

from jazzgui.cli import main
from jazzgui.cli import trade as trade_cli
from jazzgui.playback import midi_in


@pytest.fixture
def fake_ports(monkeypatch):
    monkeypatch.setattr(trade_cli, "list_output_names", lambda backend=None: ["FLUID Synth 128:0"])
    monkeypatch.setattr(midi_in, "list_input_names", lambda backend=None: ["Keystation 49 20:0"])


def test_turns_of_other_lengths_are_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["trade", "--input", "key", "--bars", "3"])
    assert exit_info.value.code == 2
    assert "invalid choice: 3 (choose from 2, 4, 8)" in capsys.readouterr().err


def test_settings_out_of_range_are_told_before_any_port_opens(capsys, fake_ports):
    assert main(["trade", "--input", "key", "--silence", "0"]) == 2
    err = capsys.readouterr().err
    assert "jazzgui trade: Cannot play along: silence must be 0.25 to 8 beats" in err
    with pytest.raises(SystemExit) as exited:
        main(["trade", "--input", "key", "--tempo", "900"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "argument --tempo: 900 is out of range: the tempo must be from 20 to 400 BPM" in err


def test_a_missing_keyboard_names_the_inputs_there_are(capsys, fake_ports):
    assert main(["trade", "--input", "oxygen"]) == 2
    err = capsys.readouterr().err
    assert "No MIDI input matches 'oxygen' (there are: 'Keystation 49 20:0')" in err
    assert "Traceback" not in err


def test_a_missing_synth_names_the_outputs_there_are(capsys, fake_ports):
    assert main(["trade", "--input", "key", "--output", "timidity"]) == 2
    assert "No MIDI output matches 'timidity' (there are: 'FLUID Synth 128:0')" in (
        capsys.readouterr().err
    )


def test_a_typo_in_the_changes_is_told(capsys, fake_ports):
    assert main(["trade", "--input", "key", "--progression", "Dm7 | Q7 |"]) == 2
    assert "Chord symbol 'Q7'" in capsys.readouterr().err
