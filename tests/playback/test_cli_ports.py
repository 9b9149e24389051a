"""`jazzgui ports`: the listing, the default pick and clear errors."""

from __future__ import annotations

from jazzgui.cli import main
from jazzgui.playback import ports


def test_ports_lists_outputs_and_marks_the_default(monkeypatch, capsys):
    names = ["Midi Through Port-0", "TiMidity port 0"]
    monkeypatch.setattr(ports, "list_output_names", lambda backend=None: names)
    assert main(["ports"]) == 0
    out = capsys.readouterr().out
    assert "  * TiMidity port 0" in out and "    Midi Through Port-0" in out
    assert "Default: 'TiMidity port 0': TiMidity is a General MIDI software synth" in out


def test_ports_without_outputs_says_what_to_do(monkeypatch, capsys):
    monkeypatch.setattr(ports, "list_output_names", lambda backend=None: [])
    assert main(["ports"]) == 0
    assert "No default: no MIDI outputs were found" in capsys.readouterr().out
    assert main(["ports", "--test"]) == 2
    assert "no output to test" in capsys.readouterr().err


def test_ports_with_a_broken_backend_is_one_clear_line(capsys):
    assert main(["ports", "--backend", "jazzgui.no_such_backend"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("jazzgui ports: The MIDI backend") and "Traceback" not in err
