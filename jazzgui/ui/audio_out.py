"""Audio output of the built-in synth through QtMultimedia, for when no MIDI port exists.

A `QAudioSink` in pull mode asks `_SynthDevice` for samples on the GUI thread. numpy, mido and
QtMultimedia load on first use, so they cost nothing before the window shows.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QIODevice, QObject

if TYPE_CHECKING:
    from jazzgui.ui.synth_engine import BuiltInSynthPort, SynthEngine

log = logging.getLogger(__name__)

BUILT_IN_SYNTH_NAME = "Built-in synth"
SAMPLE_RATE = 44100


class _SynthDevice(QIODevice):
    """Read-only device that QAudioSink pulls rendered samples from."""

    def __init__(self, engine: SynthEngine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine = engine

    def readData(self, maxlen: int) -> bytes:
        frames = min(maxlen // 8, 2048)  # 8 bytes a stereo float frame
        if frames <= 0:
            return b""
        return self._engine.render(frames).tobytes()

    def writeData(self, data: bytes) -> int:
        return -1

    def bytesAvailable(self) -> int:
        return 8 * 4096 + super().bytesAvailable()

    def isSequential(self) -> bool:
        return True


class AudioOutput(QObject):
    """Owns the synth engine and, where a sound device exists, the QAudioSink that plays it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine: SynthEngine | None = None
        self._sink: Any = None
        self._device: _SynthDevice | None = None
        self.problem = ""

    @property
    def engine(self) -> SynthEngine:
        if self._engine is None:
            from jazzgui.ui.synth_engine import SynthEngine

            self._engine = SynthEngine(SAMPLE_RATE)
        return self._engine

    def start(self) -> bool:
        """Start sound; False (with `problem` in words) when no audio device can be used."""
        if self._sink is not None:
            return True
        from PySide6.QtMultimedia import QAudio, QAudioFormat, QAudioSink, QMediaDevices

        device = QMediaDevices.defaultAudioOutput()
        if device.isNull():
            self.problem = "no audio output device was found, so the built-in synth is silent"
            return False
        fmt = QAudioFormat()
        fmt.setSampleRate(SAMPLE_RATE)
        fmt.setChannelCount(2)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Float)
        if not device.isFormatSupported(fmt):
            self.problem = f"the audio device {device.description()} cannot play float stereo"
            return False
        self._device = _SynthDevice(self.engine, self)
        self._device.open(QIODevice.OpenModeFlag.ReadOnly)
        self._sink = QAudioSink(device, fmt, self)
        self._sink.setBufferSize(SAMPLE_RATE // 10 * 8)  # ~100 ms keeps latency low
        self._sink.start(self._device)
        if self._sink.error() != QAudio.Error.NoError:
            self.problem = f"the audio device {device.description()} could not be opened"
            self.stop()
            return False
        return True

    def stop(self) -> None:
        if self._sink is not None:
            self._sink.stop()
            self._sink.deleteLater()
            self._sink = None
        if self._device is not None:
            self._device.close()
            self._device = None

    def open_port(self) -> BuiltInSynthPort:
        from jazzgui.ui.synth_engine import BuiltInSynthPort

        return BuiltInSynthPort(self.engine)
