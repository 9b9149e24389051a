"""MIDI input: list the inputs, match one by part of its name, or create "JazzGUI In"."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import mido

from jazzgui.errors import PortError
from jazzgui.playback.ports import (
    _backend,
    _reason,
    _system_advice,
    close_port,
    create_virtual_port,
    jack_graph_change,
)
from jazzgui.quiet import quiet_stderr

log = logging.getLogger(__name__)

VIRTUAL_INPUT_NAME = "JazzGUI In"
# The messages a person's playing is made of; clock, sensing and sysex are ignored.
NOTE_TYPES = ("note_on", "note_off")

# (message, clock time of arrival)
MessageHandler = Callable[[mido.Message, float], None]


def list_input_names(backend: str | None = None) -> list[str]:
    """Names of the MIDI inputs (sources: keyboards, other programs) the backend sees."""
    selected = _backend(backend)
    try:
        with quiet_stderr():
            return list(selected.get_input_names())
    except Exception as error:  # rtmidi raises its own SystemError types for a missing system
        raise PortError(
            f"The MIDI system cannot be reached to list inputs: {_reason(error)}. "
            + _system_advice(selected)
        ) from error


def match_port(pattern: str, names: list[str], kind: str = "input") -> str:
    """The one port whose name holds `pattern` (case-insensitive); an exact name wins.

    PortError names the ports there are when none or several match.
    """
    if pattern in names:
        return pattern
    wanted = pattern.casefold()
    found = [name for name in names if wanted in name.casefold()]
    if len(found) == 1:
        return found[0]
    listing = ", ".join(repr(n) for n in names) or "none"
    if not found:
        raise PortError(
            f"No MIDI {kind} matches {pattern!r} (there are: {listing}). Check that the "
            "device is plugged in or the program is running, or give another part of a name."
        )
    raise PortError(
        f"{len(found)} MIDI {kind}s match {pattern!r}: "
        + ", ".join(repr(n) for n in found)
        + ". Give more of the name."
    )


class MidiInput:
    """An open input that hands each note message, with its arrival time, to a handler.

    rtmidi calls back on its own thread; the handler must be quick and thread-safe. Closing
    stops the callbacks before the port goes.
    """

    def __init__(
        self,
        port: mido.ports.BaseInput,
        handler: MessageHandler | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._port = port
        self._clock = clock
        self.handler = handler
        port.callback = self._receive

    @property
    def name(self) -> str:
        return str(getattr(self._port, "name", ""))

    def _receive(self, message: mido.Message) -> None:
        if message.type not in NOTE_TYPES or self.handler is None:
            return
        try:
            self.handler(message, self._clock())
        except Exception:  # a failing handler must not kill rtmidi's thread
            log.exception("Handling the MIDI input message %s failed", message)

    def close(self) -> None:
        self.handler = None
        self._port.callback = None
        close_port(self._port)


def open_input(
    pattern: str,
    handler: MessageHandler | None = None,
    backend: str | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> MidiInput:
    """Open the input matched by `pattern`, or create the virtual input when `pattern` is
    its name ("JazzGUI In") and no port of that name exists; PortError otherwise."""
    names = list_input_names(backend)
    if pattern.casefold() == VIRTUAL_INPUT_NAME.casefold() and pattern not in names:
        return open_virtual_input(handler, backend=backend, clock=clock)
    name = match_port(pattern, names, "input")
    selected = _backend(backend)
    try:
        with jack_graph_change(selected), quiet_stderr():
            port = selected.open_input(name)
    except Exception as error:  # rtmidi reports a vanished port with its own exception types
        raise PortError(f"The MIDI input {name!r} cannot be opened: {_reason(error)}.") from error
    log.info("Opened MIDI input %r", name)
    return MidiInput(port, handler, clock)


def open_virtual_input(
    handler: MessageHandler | None = None,
    name: str = VIRTUAL_INPUT_NAME,
    backend: str | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> MidiInput:
    """Create an input other programs and keyboards connect to (ALSA, JACK, CoreMIDI)."""
    advice = "Pick your keyboard's input directly, or route another program through loopMIDI."
    return MidiInput(create_virtual_port("input", name, backend, advice), handler, clock)
