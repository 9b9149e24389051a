"""The built-in synth: exact pitch, tempo with swing, the whole take, no clipping, a WAV."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from jazzgui.errors import OutputPathError
from jazzgui.music.accompaniment import band_bars
from jazzgui.music.events import BASS_CHANNEL, COMP_CHANNEL, SOLO_CHANNEL, NoteEvent, Take
from jazzgui.music.progression import parse_progression
from jazzgui.playback.synth import SAMPLE_RATE, TAIL_S, midi_to_hz, render_take, write_wav
from jazzgui.playback.timing import beat_to_seconds

SR = SAMPLE_RATE


def peak_frequency(signal: np.ndarray, low: float, high: float) -> float:
    """The strongest frequency between low and high (zero-padded FFT, parabolic peak)."""
    size = 1 << 21
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(signal.size), size))
    freqs = np.fft.rfftfreq(size, 1 / SR)
    band_idx = np.nonzero((freqs >= low) & (freqs <= high))[0]
    i = band_idx[np.argmax(spectrum[band_idx])]
    a, b, c = np.log(spectrum[i - 1 : i + 2] + 1e-12)
    return float(freqs[i] + (a - c) / (2 * (a - 2 * b + c)) * (freqs[1] - freqs[0]))


def one_note_take(pitch: int, channel: int, start: float = 0.0, beats: float = 4.0) -> Take:
    return Take(
        events=[NoteEvent(start, beats, pitch, velocity=100, channel=channel)],
        progression_text="A7 |",
        tempo_bpm=120,
        swing=0.5,
    )


def onset_seconds(audio: np.ndarray) -> float:
    """When the sound starts: the first 2 ms frame above a tenth of the loudest frame."""
    mono = np.abs(audio).sum(axis=1)
    frame = int(0.002 * SR)
    energy = mono[: mono.size // frame * frame].reshape(-1, frame).mean(axis=1)
    return float(np.argmax(energy > 0.1 * energy.max()) * frame / SR)


def test_midi_to_hz_is_concert_pitch():
    assert midi_to_hz(69) == 440.0
    assert midi_to_hz(57) == pytest.approx(220.0)
    assert midi_to_hz(60) == pytest.approx(261.6256, abs=1e-3)


@pytest.mark.parametrize(
    ("pitch", "channel", "expected"),
    [(69, SOLO_CHANNEL, 440.0), (69, COMP_CHANNEL, 440.0), (45, BASS_CHANNEL, 110.0)],
)
def test_pitch_is_exact(pitch, channel, expected):
    audio = render_take(one_note_take(pitch, channel))
    found = peak_frequency(audio[: 2 * SR, 0].astype(np.float64), expected * 0.8, expected * 1.2)
    assert found == pytest.approx(expected, abs=1.0)


def test_tempo_and_swing_place_notes_like_the_player():
    late = render_take(one_note_take(69, SOLO_CHANNEL, start=8.0, beats=1.0))
    assert onset_seconds(late) == pytest.approx(4.0, abs=0.015)
    swung = Take(
        events=[NoteEvent(2.5, 0.5, 69, channel=COMP_CHANNEL)],
        progression_text="A7 |",
        tempo_bpm=60,
        swing=0.66,
    )
    assert onset_seconds(render_take(swung)) == pytest.approx(2.66, abs=0.015)


def test_whole_take_with_tail_no_clipping_not_silent(tmp_path):
    progression = parse_progression("Dm7 | G7 | Cmaj7 | A7")
    solo = [NoteEvent(b * 0.5, 0.45, 62 + (b * 5) % 12, velocity=127) for b in range(32)]
    take = Take(
        events=solo + [e for bar in band_bars(progression, seed=1) for e in bar],
        progression_text=progression.to_text(),
        tempo_bpm=180,
        bars=4,
        swing=0.62,
    )
    audio = render_take(take)
    assert audio.dtype == np.float32 and audio.ndim == 2 and audio.shape[1] == 2
    last_end = max(take.length_beats, max(e.end_beat for e in take.events))
    expected = beat_to_seconds(last_end, take.tempo_bpm, take.swing) + TAIL_S
    assert audio.shape[0] / SR == pytest.approx(expected, abs=0.01)
    assert np.abs(audio).max() < 0.99
    rms = np.sqrt(np.mean(audio**2))
    assert rms > 0.05
    # Sound in every bar, both sides different (a stereo mix), and a tail that fades out.
    bar_s = beat_to_seconds(4, take.tempo_bpm)
    for bar in range(4):
        chunk = audio[int(bar * bar_s * SR) : int((bar + 1) * bar_s * SR)]
        assert np.sqrt(np.mean(chunk**2)) > 0.02
    assert not np.allclose(audio[:, 0], audio[:, 1])
    assert np.abs(audio[-int(0.05 * SR) :]).max() < 0.01

    path = tmp_path / "take.wav"
    write_wav(path, audio)
    with wave.open(str(path)) as written:
        assert written.getnchannels() == 2 and written.getframerate() == SR
        assert written.getnframes() == audio.shape[0]
    assert [p.name for p in tmp_path.iterdir()] == ["take.wav"]


def test_write_wav_leaves_no_partial_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "take.wav"
    write_wav(path, np.zeros((10, 2)))
    before = path.read_bytes()

    def disk_full(self, data):
        raise OSError("No space left on device")

    monkeypatch.setattr(wave.Wave_write, "writeframes", disk_full)
    with pytest.raises(OutputPathError, match=r"writing failed .No space"):
        write_wav(path, np.ones((100, 2)) * 0.5)
    assert [p.name for p in tmp_path.iterdir()] == ["take.wav"]
    assert path.read_bytes() == before
    with pytest.raises(ValueError, match="sample rate"):
        write_wav(path, np.zeros((10, 2)), sample_rate=0)
