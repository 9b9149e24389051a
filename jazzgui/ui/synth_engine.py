"""The built-in synth's engine: a mido output port whose notes become samples (numpy, no Qt).

The player sends MIDI messages to `BuiltInSynthPort` from its own thread; the audio output pulls
rendered samples from the GUI thread. A lock guards the voices between them.
"""

from __future__ import annotations

import threading

import mido
import numpy as np

from jazzgui.ui.audio_out import BUILT_IN_SYNTH_NAME, SAMPLE_RATE

_MAX_VOICES = 48
# Partial amplitudes per channel: solo reedy, comping mellow, bass round.
_PARTIALS: dict[int, tuple[float, ...]] = {
    0: (1.0, 0.45, 0.25, 0.12),
    1: (1.0, 0.3, 0.1),
    2: (1.0, 0.5, 0.08),
}


class _Voice:
    __slots__ = ("age", "channel", "frequency", "gain", "phase", "release_level", "released")

    def __init__(self, channel: int, pitch: int, velocity: int) -> None:
        self.channel = channel
        self.frequency = 440.0 * 2.0 ** ((pitch - 69) / 12.0)
        self.gain = (velocity / 127.0) ** 1.5 * 0.22
        self.phase = 0.0
        self.age = 0  # samples since the note began
        self.released: int | None = None  # samples since the note ended
        self.release_level = 1.0


class SynthEngine:
    """A small additive synth: soft sine partials with an attack/decay envelope per channel."""

    def __init__(self, sample_rate: int = SAMPLE_RATE) -> None:
        self.sample_rate = sample_rate
        self._lock = threading.Lock()
        self._voices: dict[tuple[int, int], _Voice] = {}
        self._fading: list[_Voice] = []

    @property
    def sounding(self) -> int:
        with self._lock:
            return len(self._voices)

    def handle(self, message: mido.Message) -> None:
        with self._lock:
            if message.type == "note_on" and message.velocity > 0:
                key = (message.channel, message.note)
                old = self._voices.pop(key, None)
                if old is not None:
                    self._release(old)
                if len(self._voices) + len(self._fading) >= _MAX_VOICES and self._fading:
                    self._fading.pop(0)
                self._voices[key] = _Voice(message.channel, message.note, message.velocity)
            elif message.type in ("note_off", "note_on"):
                voice = self._voices.pop((message.channel, message.note), None)
                if voice is not None:
                    self._release(voice)
            elif message.type == "control_change" and message.control in (120, 123):
                if message.control == 120:  # all sound off: silence at once
                    self._fading = [v for v in self._fading if v.channel != message.channel]
                for key in [k for k in self._voices if k[0] == message.channel]:
                    self._release(self._voices.pop(key))
            elif message.type == "reset":
                self._voices.clear()
                self._fading.clear()

    def _release(self, voice: _Voice) -> None:
        voice.release_level = self._envelope(voice.age)
        voice.released = 0
        self._fading.append(voice)

    def _envelope(self, age: int) -> float:
        attack = 0.008 * self.sample_rate
        if age < attack:
            return age / attack
        return float(0.35 + 0.65 * np.exp(-(age - attack) / (0.5 * self.sample_rate)))

    def render(self, frames: int) -> np.ndarray:
        """`frames` stereo frames as float32 in [-1, 1]."""
        out = np.zeros(frames, dtype=np.float64)
        t = np.arange(frames, dtype=np.float64)
        release_len = 0.09 * self.sample_rate
        with self._lock:
            voices = [*self._voices.values(), *self._fading]
            for voice in voices:
                step = 2.0 * np.pi * voice.frequency / self.sample_rate
                phase = voice.phase + step * t
                wave = np.zeros(frames)
                for n, amp in enumerate(_PARTIALS.get(voice.channel, (1.0, 0.3)), start=1):
                    wave += amp * np.sin(n * phase)
                ages = voice.age + t
                attack = 0.008 * self.sample_rate
                env = np.where(
                    ages < attack,
                    ages / attack,
                    0.35 + 0.65 * np.exp(-(ages - attack) / (0.5 * self.sample_rate)),
                )
                if voice.released is not None:
                    rel = voice.released + t
                    env = voice.release_level * np.clip(1.0 - rel / release_len, 0.0, 1.0)
                    voice.released += frames
                out += voice.gain * env * wave
                voice.phase = float((voice.phase + step * frames) % (2.0 * np.pi))
                voice.age += frames
            self._fading = [
                v for v in self._fading if v.released is not None and v.released < release_len
            ]
        mono = np.tanh(out).astype(np.float32)
        return np.column_stack((mono, mono))


class BuiltInSynthPort(mido.ports.BaseOutput):
    """A mido output port that feeds the built-in synth."""

    def __init__(self, engine: SynthEngine) -> None:
        self.engine = engine
        super().__init__(name=BUILT_IN_SYNTH_NAME)

    def _send(self, msg: mido.Message) -> None:
        self.engine.handle(msg)
