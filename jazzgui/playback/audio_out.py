"""The built-in synth heard: a Qt-free audio stream on the system's sound server, and its port.

On Linux the stream goes straight to PulseAudio (or PipeWire's PulseAudio service) through
libpulse-simple, which every desktop has: a writer thread renders small blocks and the server
keeps only `TARGET_LATENCY_S` of them queued, so a note sounds within tens of milliseconds.
Elsewhere, or when no PulseAudio server answers, PortAudio through `sounddevice` (its wheels
carry PortAudio on macOS and Windows) pulls the same blocks from a callback.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import mido
import numpy as np

from jazzgui.errors import AudioError
from jazzgui.playback.synth import SAMPLE_RATE, SynthEngine

log = logging.getLogger(__name__)

BUILT_IN_SYNTH_NAME = "Built-in synth"
BLOCK_FRAMES = 256  # 5.8 ms at 44.1 kHz: how often the synth is asked for sound
TARGET_LATENCY_S = 0.05  # audio queued at the server ahead of what is heard


class Engine(Protocol):
    """What the audio stream plays: the numpy synth or a SoundFont synth."""

    sample_rate: int

    def handle(self, message: mido.Message) -> None: ...
    def render(self, frames: int) -> np.ndarray: ...
    def close(self) -> None: ...


class _BufferAttr(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_uint32) for name in ("maxlength", "tlength", "prebuf", "minreq", "fragsize")
    ]


class _SampleSpec(ctypes.Structure):
    _fields_ = [("format", ctypes.c_int), ("rate", ctypes.c_uint32), ("channels", ctypes.c_uint8)]


_PA_STREAM_PLAYBACK = 1
_PA_SAMPLE_FLOAT32LE = 5


class _PulseStream:
    """A playback stream on the PulseAudio server via libpulse-simple, fed by a writer thread.

    The writer thread raises its priority first and then opens the stream, so libpulse's own
    thread, which it starts from there, inherits the priority: on a busy machine a starved
    libpulse thread is heard as gaps even when the writer is on time.
    """

    def __init__(self, render: Callable[[int], np.ndarray], sample_rate: int) -> None:
        name = ctypes.util.find_library("pulse-simple")
        if name is None:
            raise AudioError("libpulse-simple is not installed (Debian: libpulse0)")
        self._lib = ctypes.CDLL(name)
        self._lib.pa_simple_new.restype = ctypes.c_void_p
        self._lib.pa_strerror.restype = ctypes.c_char_p
        self._render = render
        self._handle: int | None = None
        self._problem = ""
        self._opened = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(sample_rate,), name="audio-out", daemon=True
        )
        self._thread.start()
        self._opened.wait()
        if not self._handle:
            self._thread.join()
            raise AudioError(f"the PulseAudio server did not accept a stream: {self._problem}")

    def _why(self, error: ctypes.c_int) -> str:
        return self._lib.pa_strerror(error.value).decode(errors="replace")

    def _open(self, sample_rate: int) -> None:
        spec = _SampleSpec(_PA_SAMPLE_FLOAT32LE, sample_rate, 2)
        frame = 8
        target = int(TARGET_LATENCY_S * sample_rate) * frame
        attr = _BufferAttr(0xFFFFFFFF, target, 0xFFFFFFFF, BLOCK_FRAMES * frame, 0xFFFFFFFF)
        error = ctypes.c_int(0)
        self._handle = self._lib.pa_simple_new(
            None, b"JazzGUI", _PA_STREAM_PLAYBACK, None, b"Built-in synth",
            ctypes.byref(spec), None, ctypes.byref(attr), ctypes.byref(error),
        )  # fmt: skip
        if not self._handle:
            self._problem = self._why(error)

    def _run(self, sample_rate: int) -> None:
        from jazzgui.playback.player import raise_thread_priority

        raise_thread_priority()  # a late block is a gap a person hears
        try:
            self._open(sample_rate)
        finally:
            self._opened.set()
        if not self._handle:
            return
        error = ctypes.c_int(0)
        handle = ctypes.c_void_p(self._handle)
        while not self._stop.is_set():
            data = np.ascontiguousarray(self._render(BLOCK_FRAMES), dtype="<f4").tobytes()
            # Blocks while the server's queue is full: that wait is what paces the synth.
            if self._lib.pa_simple_write(handle, data, len(data), ctypes.byref(error)):
                log.error("the audio stream broke: %s", self._why(error))
                return

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        error = ctypes.c_int(0)
        handle = ctypes.c_void_p(self._handle)
        self._lib.pa_simple_flush(handle, ctypes.byref(error))
        self._lib.pa_simple_free(handle)


class _PortAudioStream:
    """A PortAudio output stream (python-sounddevice) whose callback pulls blocks from the synth."""

    def __init__(self, render: Callable[[int], np.ndarray], sample_rate: int) -> None:
        try:
            import sounddevice
        except (ImportError, OSError) as error:
            raise AudioError(f"PortAudio is not available ({error})") from error

        def callback(out: np.ndarray, frames: int, _time: object, _status: object) -> None:
            out[:] = render(frames)

        try:
            self._stream = sounddevice.OutputStream(
                samplerate=sample_rate, channels=2, dtype="float32", blocksize=BLOCK_FRAMES,
                latency=TARGET_LATENCY_S, callback=callback,
            )  # fmt: skip
            self._stream.start()
        except sounddevice.PortAudioError as error:
            raise AudioError(f"PortAudio could not open the default output ({error})") from error

    def close(self) -> None:
        self._stream.stop()
        self._stream.close()


def _pulse_server_expected() -> bool:
    """Whether a PulseAudio (or PipeWire-Pulse) server is the sound system to try first."""
    if os.environ.get("PULSE_SERVER"):
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return sys.platform.startswith("linux") and bool(runtime) and Path(runtime, "pulse").exists()


class LiveAudio:
    """The built-in synth's engine and the stream that plays it on the default audio output."""

    def __init__(self, engine_factory: Callable[[], Engine] | None = None) -> None:
        self._factory = engine_factory or SynthEngine
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()  # the player's thread and the audio thread
        # What the player has set up, so a new engine takes over a take mid-way without a gap.
        self._programs: dict[int, mido.Message] = {}
        self._held: dict[tuple[int, int], mido.Message] = {}
        self._stream: _PulseStream | _PortAudioStream | None = None
        self.backend = ""
        self.problem = ""

    @property
    def engine(self) -> Engine:
        with self._engine_lock:
            return self._current()

    def _current(self) -> Engine:
        if self._engine is None:
            self._engine = self._factory()
        return self._engine

    def set_engine_factory(self, factory: Callable[[], Engine]) -> None:
        """Use another synth (e.g. a SoundFont) at once; sounding notes go on in the new one.

        The stored SoundFont is loaded while the window comes up and may arrive after the
        person pressed Generate: the new engine gets the take's programs and held notes, so
        the take goes on without a gap instead of falling silent until the next notes.
        """
        with self._engine_lock:
            old, self._factory = self._engine, factory
            self._engine = factory() if old is not None else None
            if self._engine is not None and self._engine is not old:
                for message in [*self._programs.values(), *self._held.values()]:
                    self._engine.handle(message)
        if old is not None and old is not self._engine:
            old.close()

    def handle(self, message: mido.Message) -> None:
        """Play a MIDI message on the current engine, remembering what a new one must take over."""
        kind, channel = message.type, getattr(message, "channel", None)
        with self._engine_lock:
            if kind == "program_change":
                self._programs[channel] = message
            elif kind == "note_on" and message.velocity > 0:
                self._held[(channel, message.note)] = message
            elif kind in ("note_on", "note_off"):
                self._held.pop((channel, message.note), None)
            elif kind == "reset" or (kind == "control_change" and message.control in (120, 123)):
                self._held = {k: m for k, m in self._held.items() if channel not in (None, k[0])}
            self._current().handle(message)

    def start(self) -> bool:
        """Start sound; False (with `problem` in words) when no audio output can be used."""
        if self._stream is not None:
            return True
        tries = [_PulseStream, _PortAudioStream]
        if not _pulse_server_expected():
            tries.reverse()
        problems = []
        for kind in tries:
            try:
                self._stream = kind(self._render, SAMPLE_RATE)
            except AudioError as error:
                problems.append(str(error))
                continue
            self.backend = "PulseAudio" if kind is _PulseStream else "PortAudio"
            self.problem = ""
            log.info("built-in synth playing through %s", self.backend)
            return True
        self.problem = (
            "no audio output could be opened, so the built-in synth is silent: "
            + "; ".join(problems)
        )
        return False

    def _render(self, frames: int) -> np.ndarray:
        return self.engine.render(frames)

    def stop(self) -> None:
        """Close the stream and the synth (notes still sounding are cut)."""
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        if self._engine is not None:
            self._engine.close()
            self._engine = None

    def open_port(self) -> BuiltInSynthPort:
        return BuiltInSynthPort(self)


class BuiltInSynthPort(mido.ports.BaseOutput):
    """A mido output port that plays on the built-in synth (whichever engine is current)."""

    def __init__(self, audio: LiveAudio) -> None:
        self.audio = audio
        super().__init__(name=BUILT_IN_SYNTH_NAME)

    def _send(self, msg: mido.Message) -> None:
        self.audio.handle(msg)
