"""Test setup: Qt offscreen, settings in a temporary folder, paths to the reference data."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parents[1]
REFERENCE_MIDI = REPO.parent / "shared" / "seed-data" / "original_metheny.mid"


@pytest.fixture
def reference_midi() -> Path:
    """The reference exercise's training file, read from ../shared (never copied here)."""
    if not REFERENCE_MIDI.exists():
        pytest.fail(f"{REFERENCE_MIDI} is missing: the repository must sit beside ../shared")
    return REFERENCE_MIDI


@pytest.fixture(autouse=True)
def _settings_in_tmp(tmp_path, monkeypatch):
    """Keep QSettings, user data and the corpus cache of every test in a temporary folder."""
    monkeypatch.setenv("JAZZGUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("JAZZGUI_CACHE_DIR", str(tmp_path / "cache"))


class SpeakerRecording:
    """What a person would hear: `parec` on the monitor of PulseAudio's null sink "speakers"."""

    RATE = 44100

    def __init__(self, path: Path) -> None:
        self.path = path
        self._proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.path, "wb") as out:
            self._proc = subprocess.Popen(
                ["parec", "-d", "speakers.monitor", "--format=s16le", f"--rate={self.RATE}",
                 "--channels=2", "--latency-msec=10"],
                stdout=out,
            )  # fmt: skip
        self._wait_for_bytes()

    def _wait_for_bytes(self) -> None:
        for _ in range(100):  # parec writes the monitor's silence at once once it is connected
            if self.path.stat().st_size > 0:
                return
            time.sleep(0.02)

    def stop(self) -> np.ndarray:
        """Stop recording; the left channel as float in [-1, 1]."""
        assert self._proc is not None
        self._proc.terminate()
        self._proc.wait(timeout=10)
        data = np.frombuffer(self.path.read_bytes(), dtype="<i2")
        return data[: data.size // 2 * 2].reshape(-1, 2)[:, 0] / 32768.0

    @staticmethod
    def rms_per_second(signal: np.ndarray, rate: int = RATE) -> np.ndarray:
        whole = signal[: signal.size // rate * rate].reshape(-1, rate)
        return np.sqrt(np.mean(whole**2, axis=1))

    @staticmethod
    def peak_hz(signal: np.ndarray, rate: int = RATE) -> float:
        """The strongest frequency in the signal (zero-padded FFT)."""
        size = 1 << 20
        spectrum = np.abs(np.fft.rfft(signal * np.hanning(signal.size), size))
        return float(np.argmax(spectrum) * rate / size)

    def elapsed(self) -> float:
        """Seconds recorded so far (from the file's size)."""
        return self.path.stat().st_size / (4 * self.RATE)


def _pulse_up() -> bool:
    if shutil.which("pactl") is None or shutil.which("parec") is None:
        return False
    done = subprocess.run(["pactl", "list", "short", "sinks"], capture_output=True, text=True)
    return done.returncode == 0 and "speakers" in done.stdout


@pytest.fixture
def speakers(tmp_path) -> SpeakerRecording:
    """A recorder of the null sink; needs the PulseAudio server tests/run_all.sh starts."""
    if not _pulse_up():
        message = (
            "no PulseAudio server with a null sink 'speakers' (tests/run_all.sh starts one; "
            "Debian: pulseaudio pulseaudio-utils)"
        )
        if os.environ.get("JAZZGUI_TEST_PULSE") == "1":
            pytest.fail(message)
        pytest.skip(message)
    subprocess.run(["pactl", "set-default-sink", "speakers"], check=True)
    return SpeakerRecording(tmp_path / "speakers.raw")
