"""The window's handle on the built-in synth: a QObject owning the Qt-free `LiveAudio`.

The sound itself is made and streamed below ui/ (jazzgui.playback.audio_out); this adapter only
ties it to the window's lifetime and carries the SoundFont the person picked.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from jazzgui.playback.audio_out import BUILT_IN_SYNTH_NAME, BuiltInSynthPort, Engine, LiveAudio

__all__ = ["BUILT_IN_SYNTH_NAME", "AudioOutput"]


class AudioOutput(QObject):
    """Starts and stops the built-in synth's audio stream with the window."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.live = LiveAudio()

    @property
    def engine(self) -> Engine:
        return self.live.engine

    @property
    def problem(self) -> str:
        return self.live.problem

    def start(self) -> bool:
        """Start sound; False (with `problem` in words) when no audio output can be used."""
        return self.live.start()

    def stop(self) -> None:
        self.live.stop()

    def set_soundfont(self, choice: str) -> str:
        """Play through `choice` ("" automatic, "none", a path); its sound in words.

        Raises AudioError (in words) when the chosen SoundFont cannot be read.
        """
        from jazzgui.playback.soundfont import engine_factory

        factory, sound = engine_factory(choice)
        self.live.set_engine_factory(factory)
        return sound

    def open_port(self) -> BuiltInSynthPort:
        return self.live.open_port()
