"""The built-in synth's live engines: notes sound and stop, the same voices as WAV, SoundFonts."""

from __future__ import annotations

import mido
import numpy as np
import pytest

from jazzgui.errors import AudioError
from jazzgui.music.events import NoteEvent, Take
from jazzgui.playback.audio_out import BUILT_IN_SYNTH_NAME, LiveAudio
from jazzgui.playback.soundfont import (
    NO_SOUNDFONT,
    SoundFontEngine,
    engine_factory,
    find_soundfont,
    render_take_as_heard,
)
from jazzgui.playback.synth import LIVE_FIRST_S, LIVE_HOLD_S, SAMPLE_RATE, SynthEngine

SR = SAMPLE_RATE
TIMGM = "/usr/share/sounds/sf2/TimGM6mb.sf2"


def note_on(note: int, channel: int = 0, velocity: int = 100) -> mido.Message:
    return mido.Message("note_on", note=note, velocity=velocity, channel=channel)


def strongest_hz(audio: np.ndarray, low: float = 50.0, high: float = 2000.0) -> float:
    """The strongest frequency between low and high (the fundamental's octave when given)."""
    mono = audio[:, 0].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(mono.size), 1 << 20))
    freqs = np.fft.rfftfreq(1 << 20, 1 / SR)
    band = np.nonzero((freqs >= low) & (freqs <= high))[0]
    return float(freqs[band[np.argmax(spectrum[band])]])


def test_the_built_in_synth_sounds_and_stops():
    engine = SynthEngine(SR)
    port = LiveAudio(lambda: engine).open_port()
    assert port.name == BUILT_IN_SYNTH_NAME
    assert np.abs(engine.render(512)).max() == 0.0
    port.send(note_on(60))
    sound = engine.render(4410)
    assert sound.shape == (4410, 2)
    assert np.abs(sound).max() > 0.01
    port.send(mido.Message("note_off", note=60, velocity=0, channel=0))
    engine.render(SR // 5)  # the release fades within a fifth of a second
    assert engine.sounding == 0
    assert np.abs(engine.render(512)).max() == 0.0
    port.send(note_on(64, channel=1))
    port.send(mido.Message("control_change", control=120, value=0, channel=1))
    assert engine.sounding == 0
    assert np.abs(engine.render(512)).max() == 0.0
    engine.close()


@pytest.mark.parametrize(
    ("channel", "pitch", "hz"), [(0, 69, 440.0), (1, 69, 440.0), (2, 45, 110.0)]
)
def test_a_live_note_has_its_pitch_and_lasts_past_its_first_part(channel, pitch, hz):
    engine = SynthEngine(SR)
    engine.handle(note_on(pitch, channel))
    engine._pool.shutdown(wait=True)  # the whole note has been rendered and swapped in
    audio = np.concatenate([engine.render(512) for _ in range(int(1.5 * SR / 512))])
    assert strongest_hz(audio[: SR // 2], 0.8 * hz, 1.2 * hz) == pytest.approx(hz, abs=2.0)
    if channel == 0:  # the sax sustains: still sounding well after the first part
        assert engine.sounding == 1
        tail = audio[int((LIVE_FIRST_S + 0.5) * SR) :]
        assert np.sqrt(np.mean(tail**2)) > 0.02


def test_the_first_part_is_the_start_of_the_whole_note():
    """Swapping the whole note in after the first part is seamless: same samples up to there."""
    engine = SynthEngine(SR)
    seed = np.random.SeedSequence(7)
    for channel, pitch in ((0, 70), (1, 60), (2, 40)):
        first = engine._sound(channel, pitch, 90, LIVE_FIRST_S, seed)
        whole = engine._sound(channel, pitch, 90, LIVE_HOLD_S, seed)
        n = int(LIVE_FIRST_S * SR) - 1
        np.testing.assert_allclose(first[:n], whole[:n], atol=1e-6)
    engine.close()


def test_the_numpy_voices_are_chosen_when_asked_or_when_no_soundfont_exists(tmp_path):
    assert find_soundfont(NO_SOUNDFONT) is None
    assert find_soundfont("", candidates=[tmp_path / "missing.sf2"]) is None
    factory, words = engine_factory(NO_SOUNDFONT)
    assert factory is SynthEngine
    assert "own voices" in words


def test_a_missing_or_broken_soundfont_is_reported_in_words(tmp_path):
    with pytest.raises(AudioError, match=r"missing\.sf2 does not exist"):
        find_soundfont(str(tmp_path / "missing.sf2"))
    broken = tmp_path / "broken.sf2"
    broken.write_bytes(b"RIFF not really a soundfont")
    with pytest.raises(AudioError, match="not a SoundFont"):
        engine_factory(str(broken))


@pytest.fixture
def gm_soundfont():
    path = find_soundfont(TIMGM)
    pytest.importorskip("tinysoundfont")
    return path


def test_a_soundfont_plays_the_note_asked_for_and_stops(gm_soundfont):
    engine = SoundFontEngine(gm_soundfont)
    engine.handle(mido.Message("program_change", channel=1, program=0))
    engine.handle(note_on(69, channel=1))
    audio = engine.render(SR // 2)
    assert np.abs(audio).max() > 0.01
    assert strongest_hz(audio) == pytest.approx(440.0, abs=3.0)
    engine.handle(mido.Message("control_change", channel=1, control=120, value=0))
    engine.render(SR // 10)
    assert np.abs(engine.render(1024)).max() < 1e-4
    engine.close()


def test_the_wav_export_uses_the_soundfont_that_is_heard_live(gm_soundfont):
    take = Take(
        events=[NoteEvent(0.0, 2.0, 69, 100, 0), NoteEvent(2.0, 2.0, 45, 100, 2)],
        progression_text="A7 |",
        tempo_bpm=120,
        swing=0.5,
    )
    audio = render_take_as_heard(take, str(gm_soundfont))
    assert audio.shape[1] == 2
    assert audio.shape[0] >= 2 * SR  # two seconds of notes plus the tail
    assert strongest_hz(audio[: SR // 2]) == pytest.approx(440.0, abs=3.0)
    assert strongest_hz(audio[SR + SR // 10 : 2 * SR], 90, 130) == pytest.approx(110.0, abs=3.0)
    assert np.abs(audio).max() <= 1.0


class _Recording(SoundFontEngine):
    """A real SoundFont engine that also keeps the messages it was given."""

    def __init__(self, path) -> None:
        super().__init__(path)
        self.messages: list[mido.Message] = []

    def handle(self, message: mido.Message) -> None:
        self.messages.append(message)
        super().handle(message)


def test_a_soundfont_arriving_mid_take_takes_over_the_notes_that_sound(gm_soundfont):
    """The stored SoundFont loads while the window comes up; Generate may come first."""
    audio = LiveAudio(SynthEngine)
    port = audio.open_port()
    port.send(mido.Message("program_change", channel=0, program=65))
    port.send(note_on(69))
    port.send(mido.Message("note_off", note=69, channel=0))
    port.send(note_on(64))
    port.send(note_on(40, channel=2))
    port.send(mido.Message("control_change", channel=2, control=123, value=0))
    assert np.abs(audio.engine.render(SR // 10)).max() > 0.01
    soundfont = _Recording(gm_soundfont)
    audio.set_engine_factory(lambda: soundfont)
    assert audio.engine is soundfont
    assert [(m.type, getattr(m, "note", None)) for m in soundfont.messages] == [
        ("program_change", None),
        ("note_on", 64),
    ]
    assert soundfont.messages[0].program == 65
    heard = soundfont.render(SR // 2)  # the held note goes on, no gap until the next note
    assert np.abs(heard[:1024]).max() > 0.01
    assert strongest_hz(heard) == pytest.approx(329.6, abs=3.0)
    port.send(mido.Message("note_off", note=64, channel=0))
    soundfont.render(SR)
    assert np.abs(soundfont.render(1024)).max() < 1e-4
    soundfont.close()


def test_choosing_the_same_soundfont_again_does_not_cut_or_double_its_notes(gm_soundfont):
    soundfont = _Recording(gm_soundfont)
    audio = LiveAudio(lambda: soundfont)
    audio.open_port().send(note_on(69))
    audio.set_engine_factory(lambda: soundfont)
    assert [m.type for m in soundfont.messages] == ["note_on"]
    assert np.abs(soundfont.render(SR // 4)[-1024:]).max() > 0.01
    soundfont.close()
