"""The built-in synth: a small numpy jazz trio (sax, electric piano, plucked bass), live and WAV.

Every voice is built from whole-array operations (no per-sample Python loops): the sax is an
additive reed tone with a scoop, delayed vibrato and breath noise; the comping is a two-operator
FM electric piano; the bass is a plucked string made of harmonics that die away faster the
higher they are. A4 is exactly 440 Hz; note times go through the same swing-aware
beats-to-seconds function as the live player, and the render keeps the whole release and
reverb tail. `SynthEngine` plays the same voices live: each note-on renders its voice ahead of
time (outside the audio lock) and a note-off cuts it with the same release.
"""

from __future__ import annotations

import logging
import threading
import wave
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO

import mido
import numpy as np

from jazzgui.files import atomic_write
from jazzgui.music.events import BASS_CHANNEL, COMP_CHANNEL, SOLO_CHANNEL, NoteEvent, Take
from jazzgui.playback.timing import STRAIGHT, beat_to_seconds

log = logging.getLogger(__name__)

A4_HZ = 440.0
SAMPLE_RATE = 44100
RELEASE_S = 0.12  # every voice fades out over this after its note-off
TAIL_S = 1.5  # silence kept after the last note for releases and the reverb
_PAN = {SOLO_CHANNEL: 0.2, COMP_CHANNEL: -0.4, BASS_CHANNEL: 0.0}  # -1 left .. +1 right
_LEVEL = {SOLO_CHANNEL: 0.9, COMP_CHANNEL: 0.32, BASS_CHANNEL: 0.8}


def midi_to_hz(pitch: float) -> float:
    """Equal temperament with A4 (MIDI 69) at exactly 440 Hz."""
    return A4_HZ * 2.0 ** ((pitch - 69) / 12.0)


def _envelope(n: int, sr: int, attack_s: float, hold_n: int, release_s: float) -> np.ndarray:
    """Raised-cosine attack, flat until `hold_n` samples, then a raised-cosine release."""
    env = np.ones(n)
    attack = min(n, max(1, int(attack_s * sr)))
    env[:attack] = 0.5 - 0.5 * np.cos(np.pi * np.arange(attack) / attack)
    release = max(1, int(release_s * sr))
    start = min(hold_n, n)
    end = min(n, start + release)
    env[start:end] *= 0.5 + 0.5 * np.cos(np.pi * np.arange(end - start) / release)
    env[end:] = 0.0
    return env


def _bandpassed_noise(n: int, rng: np.random.Generator, short: int, long: int) -> np.ndarray:
    """White noise through the difference of two moving averages: a cheap band-pass."""
    noise = rng.standard_normal(n + long)
    csum = np.concatenate(([0.0], np.cumsum(noise)))
    fast = (csum[short:] - csum[:-short]) / short
    slow = (csum[long:] - csum[:-long]) / long
    return fast[long - short : long - short + n] - slow[:n]


def _sax(
    freq: float, velocity: float, hold_s: float, sr: int, rng: np.random.Generator
) -> np.ndarray:
    n = int((hold_s + RELEASE_S) * sr) + 1
    t = np.arange(n) / sr
    # A quick scoop up from a little flat, then vibrato fading in after the attack.
    cents = -35.0 * np.exp(-t / 0.025)
    depth = 14.0 * np.clip((t - 0.18) / 0.25, 0.0, 1.0)
    cents = cents + depth * np.sin(2 * np.pi * 5.3 * t)
    inst = freq * 2.0 ** (cents / 1200.0)
    phase = 2 * np.pi * np.cumsum(inst) / sr
    brightness = 0.55 - 0.3 * velocity
    ks = np.arange(1, int(min(16, (sr / 2.2) / freq)) + 1)
    amps = ks**-1.0 * np.exp(-(ks - 1) * brightness)
    amps[1::2] *= 0.75  # a reed's even harmonics are weaker than the odd ones
    tone = _harmonic_sum(phase, amps) / amps.sum()
    tone = np.tanh(1.8 * tone) / np.tanh(1.8)  # reedy edge; only adds harmonics of f0
    breath = _bandpassed_noise(n, rng, 3, 12)
    breath *= 0.10 * np.exp(-t / 0.06) + 0.025
    env = _envelope(n, sr, 0.03, int(hold_s * sr), RELEASE_S)
    env *= 0.85 + 0.15 * np.exp(-t / 0.4)
    return (tone + breath) * env * (0.35 + 0.65 * velocity)


def _epiano(
    freq: float, velocity: float, hold_s: float, sr: int, rng: np.random.Generator
) -> np.ndarray:
    n = int((hold_s + RELEASE_S) * sr) + 1
    t = np.arange(n) / sr
    phase = 2 * np.pi * freq * t
    index = (0.4 + 1.6 * velocity) * np.exp(-t / 0.3) + 0.15
    tone = np.sin(phase + index * np.sin(phase))
    if freq * 14 < sr / 2.2:  # the metallic tine at the attack
        tone += 0.12 * velocity * np.sin(14 * phase) * np.exp(-t / 0.02)
    decay = 0.45 + 1.6 * np.exp(-(freq - 130.0) / 250.0)
    env = _envelope(n, sr, 0.004, int(hold_s * sr), RELEASE_S) * np.exp(-t / decay)
    return tone * env * (0.3 + 0.7 * velocity)


def _bass(
    freq: float, velocity: float, hold_s: float, sr: int, rng: np.random.Generator
) -> np.ndarray:
    """A plucked string (Karplus-Strong), computed a period at a time instead of per sample."""
    n = int((hold_s + RELEASE_S) * sr) + 1
    # The loop delays by the line, a fractional tap and the averaging filter's half sample.
    delay = sr / freq - 0.5
    line = int(delay)
    frac = delay - line
    c0, c1, c2 = 0.5 * (1 - frac), 0.5, 0.5 * frac
    loss = 10.0 ** (-3.0 / (2.5 * freq))  # the fundamental would fade by 60 dB in 2.5 s
    width = max(1, int(8 - 6 * velocity))  # softer plucks are darker
    excitation = np.convolve(rng.uniform(-1, 1, line + 2 + width), np.ones(width) / width, "valid")
    y = np.empty(n + line + 2)
    y[: line + 2] = excitation[: line + 2] - excitation[: line + 2].mean()
    pos = line + 2
    while pos < y.size:
        end = min(y.size, pos + line)
        b = end - pos
        y[pos:end] = loss * (
            c0 * y[pos - line : pos - line + b]
            + c1 * y[pos - line - 1 : pos - line - 1 + b]
            + c2 * y[pos - line - 2 : pos - line - 2 + b]
        )
        pos = end
    tone = y[:n] / (np.abs(excitation).max() or 1.0)
    env = _envelope(n, sr, 0.002, int(hold_s * sr), RELEASE_S)
    return tone * env * (0.4 + 0.6 * velocity)


def _harmonic_sum(phase: np.ndarray, amps: np.ndarray) -> np.ndarray:
    """sum_k amps[k-1] * sin(k * phase), by powers of one complex rotation (no per-k sin)."""
    base = np.exp(1j * phase)
    power = base.copy()
    total = amps[0] * power.imag
    for amp in amps[1:]:
        power *= base
        total += amp * power.imag
    return total


_VOICES = {SOLO_CHANNEL: _sax, COMP_CHANNEL: _epiano, BASS_CHANNEL: _bass}


def _fast_length(n: int) -> int:
    """The smallest 2^a 3^b 5^c >= n: FFT sizes that are quick without padding to 2^k."""
    best = 1 << max(0, (n - 1).bit_length())
    five = 1
    while five < best:
        three = five
        while three < best:
            size = three << max(0, (-(-n // three) - 1).bit_length())
            best = min(best, size)
            three *= 3
        five *= 5
    return best


def _reverb(dry: np.ndarray, sr: int, rng: np.random.Generator, seconds: float = 1.2) -> np.ndarray:
    """A room: the dry signal convolved (by FFT) with decaying noise, decorrelated per side."""
    n_ir = int(seconds * sr)
    t = np.arange(n_ir) / sr
    wet = np.empty_like(dry)
    size = _fast_length(dry.shape[0] + n_ir)
    for side in range(2):
        ir = rng.standard_normal(n_ir) * np.exp(-t / (seconds / 6.9))
        ir[: int(0.012 * sr)] = 0.0  # pre-delay
        ir /= np.sqrt(np.sum(ir**2))
        spectrum = np.fft.rfft(dry[:, side], size) * np.fft.rfft(ir, size)
        wet[:, side] = np.fft.irfft(spectrum, size)[: dry.shape[0]]
    return wet


def _soft_limit(audio: np.ndarray, ceiling: float = 0.95) -> np.ndarray:
    """Bring the loud peaks to about -3 dB and round them off below the ceiling (no clipping)."""
    peak = float(np.percentile(np.abs(audio), 99.95)) if audio.size else 0.0
    if peak <= 0.0:
        return audio
    scaled = audio * (0.7 / peak)
    return ceiling * np.tanh(scaled / ceiling)


def render_events(
    events: Iterable[NoteEvent],
    tempo_bpm: float,
    swing: float = STRAIGHT,
    sample_rate: int = SAMPLE_RATE,
    length_beats: float | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Render notes (absolute beats) to stereo float32 audio, shape (samples, 2)."""
    notes = sorted(events)
    rng = np.random.default_rng(seed)
    end_beat = max([e.end_beat for e in notes] + [length_beats or 0.0])
    total_s = beat_to_seconds(end_beat, tempo_bpm, swing) + TAIL_S
    mix = np.zeros((int(np.ceil(total_s * sample_rate)), 2))
    for note in notes:
        if note.duration_beats <= 0:
            continue
        start_s = beat_to_seconds(note.start_beat, tempo_bpm, swing)
        hold_s = beat_to_seconds(note.end_beat, tempo_bpm, swing) - start_s
        voice = _VOICES.get(note.channel, _epiano)
        sound = voice(midi_to_hz(note.pitch), note.velocity / 127.0, hold_s, sample_rate, rng)
        start = round(start_s * sample_rate)
        sound = sound[: mix.shape[0] - start]
        angle = (_PAN.get(note.channel, 0.0) + 1.0) * np.pi / 4
        level = _LEVEL.get(note.channel, 0.4)
        mix[start : start + sound.size, 0] += sound * (level * np.cos(angle))
        mix[start : start + sound.size, 1] += sound * (level * np.sin(angle))
    mix += 0.2 * _reverb(mix, sample_rate, rng)
    return _soft_limit(mix).astype(np.float32)


def render_take(take: Take, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The whole take (every part, with swing and its release tail) as stereo float32."""
    return render_events(
        take.events,
        take.tempo_bpm,
        take.swing,
        sample_rate=sample_rate,
        length_beats=take.length_beats,
    )


def write_wav(path: str | Path, audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    """Write float audio (-1..1, mono or (n, 2)) as a 16-bit WAV; atomic (temp file + rename)."""
    if sample_rate <= 0:
        raise ValueError(f"sample rate {sample_rate} must be positive")
    target = Path(path)
    data = np.asarray(audio, dtype=np.float64)
    channels = 1 if data.ndim == 1 else data.shape[1]
    pcm = (np.clip(data, -1.0, 1.0) * 32767.0).round().astype("<i2")

    def write_frames(raw: IO[bytes]) -> None:
        with wave.open(raw, "wb") as out:
            out.setnchannels(channels)
            out.setsampwidth(2)
            out.setframerate(sample_rate)
            out.writeframes(pcm.tobytes())

    atomic_write(target, write_frames)


LIVE_HOLD_S = 4.0  # a live note is rendered this long; longer notes end here
LIVE_FIRST_S = 0.35  # rendered at note-on (a few ms); the rest follows from a helper thread
LIVE_GAIN = 0.45  # headroom for a trio playing at once before the soft limit
_MAX_VOICES = 48


class _LiveVoice:
    """One sounding note: its rendered sound, where playback is, and when it was let go."""

    __slots__ = ("channel", "gains", "pos", "release_at", "sound")

    def __init__(self, channel: int, sound: np.ndarray, gains: tuple[float, float]) -> None:
        self.channel = channel
        self.sound = sound
        self.gains = gains
        self.pos = 0
        self.release_at: int | None = None  # sample (in `sound`) where the release starts


class SynthEngine:
    """The built-in synth played live: MIDI messages in (any thread), stereo blocks out.

    A note-on renders only the note's first `LIVE_FIRST_S` so the sound starts at once; a helper
    thread renders the whole note with the same random seed (so the first part is identical)
    and swaps it in before the first part runs out.
    """

    def __init__(self, sample_rate: int = SAMPLE_RATE, seed: int = 0) -> None:
        self.sample_rate = sample_rate
        self._seeds = np.random.SeedSequence(seed)
        self._lock = threading.Lock()
        self._voices: dict[tuple[int, int], _LiveVoice] = {}
        self._fading: list[_LiveVoice] = []
        self._release_n = max(1, int(RELEASE_S * sample_rate))
        self._release = 0.5 + 0.5 * np.cos(np.pi * np.arange(self._release_n) / self._release_n)
        self._first_n = int(LIVE_FIRST_S * sample_rate)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="synth-render")

    @property
    def sounding(self) -> int:
        """How many notes are held (not counting releases that are fading out)."""
        with self._lock:
            return len(self._voices)

    def handle(self, message: mido.Message) -> None:
        """Apply a MIDI message: note on/off, all notes/sound off (CC 123/120), reset."""
        if message.type == "note_on" and message.velocity > 0:
            self._note_on(message.channel, message.note, message.velocity)
            return
        with self._lock:
            if message.type in ("note_off", "note_on"):
                self._let_go((message.channel, message.note))
            elif message.type == "control_change" and message.control in (120, 123):
                for key in [k for k in self._voices if k[0] == message.channel]:
                    self._let_go(key)
                if message.control == 120:  # all sound off: silence at once, no release
                    self._fading = [v for v in self._fading if v.channel != message.channel]
            elif message.type == "reset":
                self._voices.clear()
                self._fading.clear()

    def close(self) -> None:
        """Stop the helper thread (pending renders are dropped)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _note_on(self, channel: int, pitch: int, velocity: int) -> None:
        seed = self._seeds.spawn(1)[0]
        first = self._sound(channel, pitch, velocity, LIVE_FIRST_S, seed)
        angle = (_PAN.get(channel, 0.0) + 1.0) * np.pi / 4
        level = _LEVEL.get(channel, 0.4) * LIVE_GAIN
        voice = _LiveVoice(channel, first, (level * np.cos(angle), level * np.sin(angle)))
        with self._lock:
            self._let_go((channel, pitch))
            if len(self._voices) + len(self._fading) >= _MAX_VOICES and self._fading:
                self._fading.pop(0)
            self._voices[(channel, pitch)] = voice
        try:
            self._pool.submit(self._complete, voice, pitch, velocity, seed)
        except RuntimeError:  # closed: the note keeps its first part
            log.debug("synth closed; note %d keeps its first %.2f s", pitch, LIVE_FIRST_S)

    def _sound(
        self, channel: int, pitch: int, velocity: int, hold_s: float, seed: np.random.SeedSequence
    ) -> np.ndarray:
        voice = _VOICES.get(channel, _epiano)
        rng = np.random.default_rng(seed)
        return voice(midi_to_hz(pitch), velocity / 127.0, hold_s, self.sample_rate, rng).astype(
            np.float32
        )

    def _complete(
        self, voice: _LiveVoice, pitch: int, velocity: int, seed: np.random.SeedSequence
    ) -> None:
        whole = self._sound(voice.channel, pitch, velocity, LIVE_HOLD_S, seed)
        with self._lock:
            # Past the first part's own release, swapping would make the note swell again.
            if voice.pos < self._first_n:
                voice.sound = whole

    def _let_go(self, key: tuple[int, int]) -> None:
        voice = self._voices.pop(key, None)
        if voice is not None:
            voice.release_at = voice.pos
            self._fading.append(voice)

    def render(self, frames: int) -> np.ndarray:
        """The next `frames` stereo frames as float32 in [-1, 1], shape (frames, 2)."""
        mix = np.zeros((frames, 2), dtype=np.float32)
        with self._lock:
            for voice in [*self._voices.values(), *self._fading]:
                self._mix_voice(voice, mix)
            self._fading = [v for v in self._fading if not self._done(v)]
            for key in [k for k, v in self._voices.items() if v.pos >= v.sound.size]:
                del self._voices[key]
        return np.tanh(mix)

    def _mix_voice(self, voice: _LiveVoice, mix: np.ndarray) -> None:
        end = voice.sound.size if voice.release_at is None else voice.release_at + self._release_n
        end = min(end, voice.sound.size)
        chunk = voice.sound[voice.pos : min(voice.pos + mix.shape[0], end)]
        if voice.release_at is not None and chunk.size:
            offset = voice.pos - voice.release_at
            chunk = chunk * self._release[offset : offset + chunk.size]
        mix[: chunk.size, 0] += chunk * voice.gains[0]
        mix[: chunk.size, 1] += chunk * voice.gains[1]
        voice.pos += mix.shape[0]

    def _done(self, voice: _LiveVoice) -> bool:
        assert voice.release_at is not None
        return voice.pos >= min(voice.sound.size, voice.release_at + self._release_n)
