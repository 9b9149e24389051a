"""MIDI output ports through mido's python-rtmidi backend: list, pick a default, open."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import mido

from jazzgui.errors import PortError
from jazzgui.quiet import quiet_stderr

log = logging.getLogger(__name__)

DEFAULT_BACKEND = "mido.backends.rtmidi"
JACK_BACKEND = "mido.backends.rtmidi/UNIX_JACK"
VIRTUAL_PORT_NAME = "JazzGUI"

# Substrings (lower case) of port names that are synthesizers, best first, with the reason.
_SYNTH_HINTS: tuple[tuple[str, str], ...] = (
    ("fluidsynth", "FluidSynth is a General MIDI software synth"),
    ("timidity", "TiMidity is a General MIDI software synth"),
    ("microsoft gs wavetable", "the Microsoft GS Wavetable Synth is built into Windows"),
    ("synth", "its name says it is a synthesizer"),
    ("iac", "an IAC bus routes MIDI to a synth app on macOS"),
    ("loopmidi", "loopMIDI routes MIDI to a synth app on Windows"),
)
# Ports that exist on most systems but make no sound of their own.
_PASSIVE_HINTS = ("midi through", "through port", VIRTUAL_PORT_NAME.lower())

_ADVICE = (
    "Start a software synth (for example `fluidsynth -a pulseaudio -m alsa_seq "
    "/usr/share/sounds/sf2/FluidR3_GM.sf2` on Linux, SimpleSynth with an IAC bus on macOS, "
    "or use the Microsoft GS Wavetable Synth on Windows), or use the built-in synth."
)


def backend_name() -> str:
    """The mido backend in use: MIDO_BACKEND if set (e.g. ``mido.backends.rtmidi/UNIX_JACK``)."""
    return os.environ.get("MIDO_BACKEND", "").strip() or DEFAULT_BACKEND


def _backend(name: str | None = None) -> mido.Backend:
    try:
        return mido.Backend(name or backend_name(), load=True)
    except (ImportError, ValueError, OSError) as error:
        raise PortError(
            f"The MIDI backend {name or backend_name()!r} cannot be loaded ({error}). "
            "Set MIDO_BACKEND to mido.backends.rtmidi (optionally /LINUX_ALSA, /UNIX_JACK, "
            "/MACOSX_CORE or /WINDOWS_MM) and check that python-rtmidi is installed."
        ) from error


def list_output_names(backend: str | None = None) -> list[str]:
    """Names of the MIDI outputs the backend sees (empty when it sees none).

    Raises PortError when the MIDI system itself cannot be reached (no ALSA sequencer, JACK
    server not running), with what to do about it.
    """
    selected = _backend(backend)
    try:
        with quiet_stderr():  # ALSA's own line when there is no sequencer: ours says more
            names = list(selected.get_output_names())
    except Exception as error:  # rtmidi raises its own SystemError types for a missing system
        raise PortError(
            f"The MIDI system of backend {backend or backend_name()!r} cannot be reached: "
            f"{_reason(error)}. " + _system_advice(selected)
        ) from error
    log.info("MIDI outputs on %s: %s", backend or backend_name(), names)
    return names


def _reason(error: BaseException) -> str:
    return str(error).strip().rstrip(".") or type(error).__name__


def _system_advice(backend: mido.Backend) -> str:
    api = (backend.api or "").upper()
    if "JACK" in api:
        return "Start a JACK server (for example `jackd -d alsa` or `jackd -d dummy`) first."
    if sys.platform.startswith("linux"):
        return (
            "The ALSA sequencer (/dev/snd/seq) is missing: load the snd-seq module or run "
            "a JACK server and set MIDO_BACKEND=mido.backends.rtmidi/UNIX_JACK. "
            "The built-in synth works without any MIDI system."
        )
    return "Check the system's MIDI setup. The built-in synth works without any MIDI system."


def default_output_name(names: list[str]) -> tuple[str | None, str]:
    """The output that most looks like a synthesizer, and why it was picked."""
    if not names:
        return None, "no MIDI outputs were found. " + _ADVICE
    for hint, reason in _SYNTH_HINTS:
        for name in names:
            if hint in name.lower():
                return name, f"{name!r}: {reason}"
    for name in names:
        if not any(passive in name.lower() for passive in _PASSIVE_HINTS):
            return name, f"{name!r}: the first output that is not a pass-through port"
    return None, (
        "only pass-through ports were found ("
        + ", ".join(names)
        + "), which make no sound on their own. "
        + _ADVICE
    )


def open_output(name: str, backend: str | None = None) -> mido.ports.BaseOutput:
    """Open the MIDI output called `name`; PortError if it is missing or cannot be opened."""
    names = list_output_names(backend)
    if name not in names:
        available = ", ".join(repr(n) for n in names) or "none"
        raise PortError(
            f"The MIDI output {name!r} is not there (available: {available}). "
            "Check that the synth is running, or pick another output."
        )
    selected = _backend(backend)
    try:
        with jack_graph_change(selected), quiet_stderr():
            port = selected.open_output(name)
    except Exception as error:  # rtmidi reports a vanished port with its own exception types
        raise PortError(f"The MIDI output {name!r} cannot be opened: {_reason(error)}.") from error
    log.info("Opened MIDI output %r on %s", name, backend or backend_name())
    return port


# A message sent to an rtmidi output leaves a moment later (JACK writes it at its next period,
# 23 ms at 1024 frames, later on a busy machine): closing the port at once can drop the last
# note-offs and leave notes stuck in the synth.
CLOSE_DRAIN_S = 0.15


# JACK (jack2) keeps each client's list of ports without a lock: unregistering a port while
# the client's notification thread walks that list, as it does after every change of the
# graph (a port opened or closed, a connection made), crashes the whole process with a
# segmentation fault. rtmidi unregisters a port when it closes it. So the JACK ports this
# process opens and closes change the graph one at a time, and a port is closed only once
# the graph has been still for a while (the notifications take well under a millisecond
# on an idle machine; CI's loaded runs needed more).
JACK_SETTLE_S = 0.1
_jack_lock = threading.Lock()
_jack_changed_at = float("-inf")
_clock: Callable[[], float] = time.monotonic


def _on_jack(api: object) -> bool:
    return "JACK" in str(api or "").upper()


@contextmanager
def jack_graph_change(backend_or_port: Any) -> Iterator[None]:
    """Open or close a port of `backend_or_port` as this process's only JACK graph change
    of the moment, once the previous one has settled; nothing extra for other MIDI systems."""
    global _jack_changed_at
    if not _on_jack(getattr(backend_or_port, "api", None)):
        yield
        return
    with _jack_lock:
        wait = _jack_changed_at + JACK_SETTLE_S - _clock()
        if wait > 0:
            threading.Event().wait(wait)
        try:
            yield
        finally:
            _jack_changed_at = _clock()


def close_port(port: Any) -> None:
    """Close a MIDI input or output (once; closing again does nothing), on JACK only when
    the graph is still (see JACK_SETTLE_S)."""
    if getattr(port, "closed", False):
        return
    with jack_graph_change(port):
        port.close()


def close_output(port: Any) -> None:
    """Close a MIDI output once what was sent to it has had time to leave."""
    if getattr(port, "closed", False):
        return
    if type(port).__module__.startswith("mido.backends.rtmidi"):
        threading.Event().wait(CLOSE_DRAIN_S)
    close_port(port)


def virtual_ports_supported(backend: str | None = None) -> bool:
    """Whether the backend can create a port that other programs connect to (not Windows MM)."""
    selected = _backend(backend)
    api = (selected.api or "").upper()
    if api:
        return "WINDOWS" not in api
    return not sys.platform.startswith("win")


def open_virtual_output(
    name: str = VIRTUAL_PORT_NAME, backend: str | None = None
) -> mido.ports.BaseOutput:
    """Create a virtual output that synths and DAWs can connect to (ALSA, JACK, CoreMIDI)."""
    return create_virtual_port(
        "output",
        name,
        backend,
        "Install loopMIDI (https://www.tobias-erichsen.de/software/loopmidi.html), create a "
        "port there, pick it as JazzGUI's output and select it as the input of your synth or "
        "DAW.",
    )


def create_virtual_port(direction: str, name: str, backend: str | None, windows_advice: str) -> Any:
    """Create a virtual "input" or "output" other programs connect to (ALSA, JACK, CoreMIDI);
    PortError in words where the system cannot (Windows: `windows_advice` says what to do)."""
    if not virtual_ports_supported(backend):
        raise PortError(f"Windows cannot create virtual MIDI ports. {windows_advice}")
    selected = _backend(backend)
    opener = selected.open_input if direction == "input" else selected.open_output
    try:
        with jack_graph_change(selected), quiet_stderr():
            port = opener(name, virtual=True)
    except Exception as error:  # rtmidi raises its own SystemError types for a missing system
        raise PortError(
            f"The virtual MIDI {direction} {name!r} cannot be created: {_reason(error)}. "
            + _system_advice(selected)
        ) from error
    log.info("Created virtual MIDI %s %r on %s", direction, name, backend or backend_name())
    return port
