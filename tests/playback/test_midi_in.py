"""MIDI input: matching a port by part of its name, and messages handed on with their time."""

from __future__ import annotations

import mido
import pytest

from jazzgui.errors import PortError
from jazzgui.playback import midi_in, ports
from jazzgui.playback.midi_in import MidiInput, match_port, open_input

NAMES = ["Midi Through:Midi Through Port-0 14:0", "Digital Piano:Digital Piano MIDI 1 20:0"]


class FakeInput:
    """What MidiInput needs of an rtmidi input: a callback slot and close()."""

    def __init__(self, name: str = "fake") -> None:
        self.name = name
        self.callback = None
        self.closed = False

    def close(self) -> None:
        self.closed = True


def test_a_port_is_matched_by_a_case_insensitive_part_of_its_name():
    assert match_port("digital piano", NAMES) == NAMES[1]
    assert match_port(NAMES[0], NAMES) == NAMES[0]
    with pytest.raises(PortError, match=r"No MIDI input matches 'keystation' \(there are: "):
        match_port("keystation", NAMES)
    with pytest.raises(PortError, match=r"2 MIDI inputs match 'midi'.*Give more of the name"):
        match_port("midi", NAMES)
    with pytest.raises(PortError, match="there are: none"):
        match_port("piano", [], "input")


def test_note_messages_reach_the_handler_with_their_arrival_time():
    port = FakeInput()
    received = []
    times = iter([10.0, 10.5])
    midi = MidiInput(
        port, lambda message, when: received.append((message, when)), lambda: next(times)
    )
    port.callback(mido.Message("note_on", note=60, velocity=90))
    port.callback(mido.Message("clock"))  # a keyboard's clock or sensing is not playing
    port.callback(mido.Message("active_sensing"))
    port.callback(mido.Message("note_off", note=60))
    assert [(m.type, m.note, t) for m, t in received] == [
        ("note_on", 60, 10.0),
        ("note_off", 60, 10.5),
    ]
    midi.close()
    assert port.closed and port.callback is None


def test_a_failing_handler_does_not_break_the_input(caplog):
    port = FakeInput()
    MidiInput(port, lambda message, when: 1 / 0)
    port.callback(mido.Message("note_on", note=60, velocity=90))
    assert "Handling the MIDI input message" in caplog.text


def test_open_input_names_what_is_there_and_creates_the_virtual_input(monkeypatch):
    monkeypatch.setattr(midi_in, "list_input_names", lambda backend=None: NAMES)
    with pytest.raises(PortError, match="Digital Piano"):
        open_input("keystation")
    created = []
    monkeypatch.setattr(
        midi_in, "open_virtual_input",
        lambda handler, backend=None, clock=None: created.append(handler) or "virtual",
    )  # fmt: skip
    assert open_input("jazzgui in", print) == "virtual" and created == [print]


def test_windows_cannot_create_the_virtual_input(monkeypatch):
    monkeypatch.setattr(ports, "virtual_ports_supported", lambda backend=None: False)
    with pytest.raises(PortError, match=r"Windows cannot create virtual MIDI ports.*loopMIDI"):
        midi_in.open_virtual_input()
