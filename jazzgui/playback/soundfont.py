"""The built-in synth through a General MIDI SoundFont (tinysoundfont), when one can be found.

`engine_factory` picks the sound the built-in synth makes: the SoundFont the person chose, else
the first GM SoundFont found where Debian, Homebrew and MuseScore install them, else the numpy
voices of jazzgui.playback.synth. Live play and WAV export both take it from here, so a WAV
sounds like what was heard.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import mido
import numpy as np

from jazzgui.errors import AudioError
from jazzgui.music.events import BASS_CHANNEL, COMP_CHANNEL, SOLO_CHANNEL, Take
from jazzgui.playback.synth import SAMPLE_RATE, TAIL_S, SynthEngine, render_take
from jazzgui.playback.timing import beat_to_seconds

log = logging.getLogger(__name__)

NO_SOUNDFONT = "none"  # the person's choice of the numpy voices even where a SoundFont exists
_DRUM_CHANNEL = 9
_GAIN_DB = -6.0  # a trio at full velocity stays below clipping


def candidate_paths() -> list[Path]:
    """Where General MIDI SoundFonts are usually installed on this kind of system, best first."""
    home = Path.home()
    if sys.platform == "darwin":
        return [
            Path("/Applications/MuseScore 4.app/Contents/Resources/sound/MS Basic.sf3"),
            Path("/Applications/MuseScore 3.app/Contents/Resources/sound/MuseScore_General.sf3"),
            Path("/opt/homebrew/share/fluid-synth/sf2/VintageDreamsWaves-v2.sf2"),
            home / "Library/Audio/Sounds/Banks/FluidR3_GM.sf2",
        ]
    if sys.platform.startswith("win"):
        programs = Path(os.environ.get("PROGRAMFILES", r"C:\Program Files"))
        return [
            programs / "MuseScore 4/sound/MS Basic.sf3",
            programs / "MuseScore 3/sound/MuseScore_General.sf3",
        ]
    return [
        Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),  # Debian fluid-soundfont-gm
        Path("/usr/share/soundfonts/FluidR3_GM.sf2"),  # Fedora, Arch
        Path("/usr/share/sounds/sf2/TimGM6mb.sf2"),  # Debian timgm6mb-soundfont
        Path("/usr/share/soundfonts/default.sf2"),
        Path("/usr/share/mscore3/sound/MuseScore_General.sf3"),
        Path("/usr/share/musescore/sound/MuseScore_General.sf3"),
    ]


def find_soundfont(choice: str = "", candidates: Iterable[Path] | None = None) -> Path | None:
    """The SoundFont to use: the chosen file, none (`NO_SOUNDFONT`), or the first one found."""
    if choice == NO_SOUNDFONT:
        return None
    if choice:
        path = Path(choice).expanduser()
        if not path.is_file():
            raise AudioError(
                f"The SoundFont {path} does not exist. Pick another .sf2 file, or choose "
                "'Automatic' to use one found on this computer."
            )
        return path
    return next((p for p in (candidates or candidate_paths()) if p.is_file()), None)


class SoundFontEngine:
    """A GM SoundFont played live: MIDI messages in (any thread), stereo blocks out."""

    def __init__(self, path: str | Path, sample_rate: int = SAMPLE_RATE) -> None:
        try:
            import tinysoundfont
        except ImportError as error:
            raise AudioError(
                "SoundFonts need the tinysoundfont package: pip install tinysoundfont"
            ) from error
        self.sample_rate = sample_rate
        self.path = Path(path)
        self._lock = threading.Lock()
        self._synth = tinysoundfont.Synth(gain=_GAIN_DB, samplerate=sample_rate)
        try:
            self._font = self._synth.sfload(str(self.path))
        except Exception as error:  # the library raises its own error for unreadable files
            raise AudioError(
                f"{self.path}: not a SoundFont that can be read ({error}). Pick another .sf2 file."
            ) from error
        for channel in range(16):
            self._synth.program_select(
                channel, self._font, 128 if channel == _DRUM_CHANNEL else 0, 0
            )

    def handle(self, message: mido.Message) -> None:
        """Apply a MIDI message: notes, program changes, controllers, reset."""
        with self._lock:
            synth, kind = self._synth, message.type
            if kind == "note_on" and message.velocity > 0:
                synth.noteon(message.channel, message.note, message.velocity)
            elif kind in ("note_on", "note_off"):
                synth.noteoff(message.channel, message.note)
            elif kind == "program_change":
                synth.program_change(
                    message.channel, message.program, is_drums=message.channel == _DRUM_CHANNEL
                )
            elif kind == "control_change" and message.control == 120:
                synth.sounds_off(message.channel)
            elif kind == "control_change" and message.control == 123:
                synth.notes_off(message.channel)
            elif kind == "control_change":
                synth.control_change(message.channel, message.control, message.value)
            elif kind == "reset":
                synth.sounds_off()

    def render(self, frames: int) -> np.ndarray:
        """The next `frames` stereo frames as float32, shape (frames, 2)."""
        with self._lock:
            data = self._synth.generate(frames)
        return np.frombuffer(data, dtype=np.float32).reshape(frames, 2).copy()

    def close(self) -> None:
        """Silence every note (the loaded SoundFont stays, so the engine can play again)."""
        with self._lock:
            self._synth.sounds_off()


def engine_factory(choice: str = "") -> tuple[Callable[[], SynthEngine | SoundFontEngine], str]:
    """How to make the built-in synth's engine for `choice`, and what it sounds like in words."""
    path = find_soundfont(choice)
    if path is not None:
        try:
            engine = SoundFontEngine(path)  # loaded once, here: fails in words, not mid-play
        except AudioError as error:
            if choice:
                raise
            log.warning("%s; using the numpy voices", error)
        else:
            return (lambda: engine), f"SoundFont {path.name}"
    return SynthEngine, "JazzGUI's own voices"


def render_take_as_heard(take: Take, choice: str = "") -> np.ndarray:
    """The take as the built-in synth plays it live (same SoundFont or voices), stereo float32."""
    factory, _ = engine_factory(choice)
    engine = factory()
    if isinstance(engine, SynthEngine):
        engine.close()
        return render_take(take)  # the same voices, with the room and limiter of an export
    try:
        return _render_offline(engine, take)
    finally:
        engine.close()


def _render_offline(engine: SoundFontEngine, take: Take) -> np.ndarray:
    """Step the engine through the take's messages at their exact sample times."""
    sr = engine.sample_rate
    messages: list[tuple[int, int, mido.Message]] = []
    programs = {
        SOLO_CHANNEL: take.solo_program, COMP_CHANNEL: take.comp_program,
        BASS_CHANNEL: take.bass_program,
    }  # fmt: skip
    for channel, program in programs.items():
        messages.append((0, 0, mido.Message("program_change", channel=channel, program=program)))
    for e in take.events:
        on = round(beat_to_seconds(e.start_beat, take.tempo_bpm, take.swing) * sr)
        off = round(beat_to_seconds(e.end_beat, take.tempo_bpm, take.swing) * sr)
        messages.append(
            (on, 2, mido.Message("note_on", channel=e.channel, note=e.pitch, velocity=e.velocity))
        )
        messages.append((off, 1, mido.Message("note_off", channel=e.channel, note=e.pitch)))
    messages.sort(key=lambda m: (m[0], m[1]))
    end = max([m[0] for m in messages] + [0]) + int(TAIL_S * sr)
    blocks, now = [], 0
    for at, _, message in [*messages, (end, 3, None)]:
        if at > now:
            blocks.append(engine.render(at - now))
            now = at
        if message is not None:
            engine.handle(message)
    audio = np.concatenate(blocks) if blocks else np.zeros((0, 2), np.float32)
    return np.clip(audio, -1.0, 1.0)
