"""Port listing, the default pick and the errors a missing MIDI system gives."""

from __future__ import annotations

import pytest

from jazzgui.errors import PortError
from jazzgui.playback import ports


def test_default_pick_prefers_synths_and_says_why():
    names = ["Midi Through:Midi Through Port-0 14:0", "TiMidity:TiMidity port 0 128:0"]
    name, why = ports.default_output_name(names)
    assert name == names[1] and "TiMidity" in why
    name, why = ports.default_output_name(["IAC Driver Bus 1", "FLUID Synth (1234)"])
    assert name == "FLUID Synth (1234)" and "synth" in why.lower()
    name, why = ports.default_output_name(["Microsoft GS Wavetable Synth 0", "loopMIDI Port 1"])
    assert name == "Microsoft GS Wavetable Synth 0" and "Windows" in why
    name, why = ports.default_output_name(["fluidsynth-midi:midi_00"])
    assert name == "fluidsynth-midi:midi_00" and "FluidSynth" in why
    name, why = ports.default_output_name(["IAC Driver Bus 1"])
    assert name == "IAC Driver Bus 1" and "macOS" in why


def test_default_pick_with_nothing_useful_explains_what_to_do():
    name, why = ports.default_output_name([])
    assert name is None and "no MIDI outputs" in why and "built-in synth" in why
    name, why = ports.default_output_name(["Midi Through:Midi Through Port-0 14:0"])
    assert name is None and "pass-through" in why
    name, why = ports.default_output_name(["Midi Through Port-0", "USB Keys"])
    assert name == "USB Keys" and "not a pass-through" in why


def test_backend_follows_mido_backend(monkeypatch):
    monkeypatch.delenv("MIDO_BACKEND", raising=False)
    assert ports.backend_name() == ports.DEFAULT_BACKEND
    monkeypatch.setenv("MIDO_BACKEND", ports.JACK_BACKEND)
    assert ports.backend_name() == ports.JACK_BACKEND


def test_unloadable_backend_is_a_port_error():
    with pytest.raises(PortError, match="cannot be loaded"):
        ports.list_output_names("jazzgui.no_such_backend")


class _BrokenBackend:
    api = "LINUX_ALSA"

    def get_output_names(self):
        raise SystemError("MidiInAlsa::initialize: error creating ALSA sequencer client object.")


class _FixedBackend:
    api = "LINUX_ALSA"

    def get_output_names(self):
        return ["Midi Through Port-0", "FLUID Synth (99):Synth input port (99:0)"]

    def open_output(self, name, virtual=False):
        raise OSError("port vanished")


def test_unreachable_midi_system_is_a_clear_port_error(monkeypatch):
    monkeypatch.setattr(ports, "_backend", lambda name=None: _BrokenBackend())
    with pytest.raises(PortError) as caught:
        ports.list_output_names()
    message = str(caught.value)
    assert "cannot be reached" in message and "sequencer" in message
    assert "Traceback" not in message


def test_missing_or_vanished_port_is_a_port_error(monkeypatch):
    monkeypatch.setattr(ports, "_backend", lambda name=None: _FixedBackend())
    with pytest.raises(PortError, match=r"not there.*FLUID Synth"):
        ports.open_output("Gone Synth")
    with pytest.raises(PortError, match="cannot be opened: port vanished"):
        ports.open_output("Midi Through Port-0")


def test_virtual_port_on_windows_points_to_loopmidi():
    backend = "mido.backends.rtmidi/WINDOWS_MM"
    assert not ports.virtual_ports_supported(backend)
    with pytest.raises(PortError, match="loopMIDI"):
        ports.open_virtual_output(backend=backend)


def test_default_alsa_backend_here_gives_names_or_a_port_error(monkeypatch):
    # Without /dev/snd the ALSA sequencer is missing: a PortError, never a crash or a hang.
    monkeypatch.delenv("MIDO_BACKEND", raising=False)
    try:
        names = ports.list_output_names()
    except PortError as error:
        assert "MIDI system" in str(error)
    else:
        assert isinstance(names, list)


def test_close_output_closes_a_port_once():
    import mido

    from jazzgui.playback.ports import close_output

    port = mido.ports.BaseOutput(name="plain")
    close_output(port)
    assert port.closed
    close_output(port)  # closing again is harmless
    assert port.closed


class _JackLikePort:
    """A port that says it is on JACK and records when it was closed (and for how long)."""

    def __init__(self, log: list[tuple[str, float, float]], name: str, api: str = "UNIX_JACK"):
        self.api = api
        self.closed = False
        self._log = log
        self._name = name

    def close(self) -> None:
        import time

        began = time.monotonic()
        time.sleep(0.03)
        self.closed = True
        self._log.append((self._name, began, time.monotonic()))


def test_jack_ports_close_one_at_a_time_once_the_graph_is_still(monkeypatch):
    import threading
    from itertools import pairwise

    from jazzgui.playback import ports

    monkeypatch.setattr(ports, "JACK_SETTLE_S", 0.2)
    monkeypatch.setattr(ports, "_jack_changed_at", float("-inf"))
    log: list[tuple[str, float, float]] = []
    with ports.jack_graph_change(_JackLikePort(log, "opened")):
        log.append(("opened", 0.0, ports._clock()))
    closers = [
        threading.Thread(target=ports.close_port, args=(_JackLikePort(log, f"port {i}"),))
        for i in range(3)
    ]
    for closer in closers:
        closer.start()
    for closer in closers:
        closer.join(10)
    assert sorted(name for name, _, _ in log) == ["opened", "port 0", "port 1", "port 2"]
    # Each close began only once the graph had been still for the settle time after the
    # previous change ended: never two at once, never straight after another.
    ends = sorted(log, key=lambda entry: entry[2])
    for before, after in pairwise(ends):
        assert after[1] >= before[2] + 0.2 - 1e-3, (before, after)


def test_ports_of_other_midi_systems_close_without_waiting_for_jack(monkeypatch):
    import threading

    from jazzgui.playback import ports

    monkeypatch.setattr(ports, "_jack_changed_at", ports._clock())  # JACK just changed
    log: list[tuple[str, float, float]] = []
    alsa = _JackLikePort(log, "alsa", api="LINUX_ALSA")
    with ports._jack_lock:  # a JACK port is being closed right now
        closer = threading.Thread(target=ports.close_port, args=(alsa,), daemon=True)
        closer.start()
        closer.join(10)
        assert alsa.closed, "an ALSA port waited for JACK's graph"
    assert [name for name, _, _ in log] == ["alsa"]
