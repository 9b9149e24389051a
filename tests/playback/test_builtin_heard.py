"""The built-in synth heard on the system's audio server, proven by recording the null sink.

tests/run_all.sh starts PulseAudio with a null sink "speakers" as the default output; the
`speakers` fixture records its monitor with parec, which is what a person would hear.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import mido
import numpy as np
import pytest

from jazzgui.music.events import SOLO_CHANNEL, NoteEvent, Take
from jazzgui.playback.audio_out import LiveAudio
from jazzgui.playback.player import Player
from jazzgui.playback.soundfont import NO_SOUNDFONT, engine_factory

pytestmark = pytest.mark.pulse
NOISE_FLOOR = 1e-3  # RMS of a second of the null sink's monitor with nothing playing


# --play builtin; and --play alone on a machine with no MIDI system (a mido backend that is
# not there stands for one, on any machine), where the built-in synth plays it as the window's.
@pytest.mark.parametrize(
    ("play", "backend"),
    [(["--play", "builtin"], None), (["--play"], "mido.backends.no_midi_here")],
    ids=["builtin", "no-midi-system"],
)
def test_generate_play_builtin_is_heard_for_the_whole_take(speakers, tmp_path, play, backend):
    env = os.environ.copy()
    if backend:
        env["MIDO_BACKEND"] = backend
    speakers.start()
    script = "import sys; from jazzgui.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", script, "generate", "-o", str(tmp_path / "take.mid"),
         "--progression", "Dm7 G7 | Cmaj7 | Dm7 G7 | Cmaj7 |", "--tempo", "120",
         "--seed", "5", *play],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    time.sleep(1.0)  # a second of what follows the take
    heard = speakers.stop()
    assert done.returncode == 0, done.stderr
    assert "playing on the built-in synth" in done.stdout
    assert "Traceback" not in done.stderr
    if backend:
        assert "no MIDI synth to play on" in done.stdout and backend in done.stdout
    rms = speakers.rms_per_second(heard)
    loud = np.nonzero(rms > 10 * NOISE_FLOOR)[0]
    assert loud.size, f"nothing was heard: RMS per second {rms.round(4).tolist()}"
    take = rms[loud[0] : loud[-1] + 1]
    # Four bars at 120 BPM last 8 s: most of those seconds carry sound.
    assert loud.size >= 6
    assert np.mean(take > 10 * NOISE_FLOOR) >= 0.8
    after = heard[-speakers.RATE // 2 :]  # the last half second, after the command ended
    assert np.sqrt(np.mean(after**2)) < NOISE_FLOOR


@pytest.mark.parametrize("choice", [NO_SOUNDFONT, ""])
def test_a_test_note_is_heard_at_its_pitch_and_panic_silences_it(speakers, choice):
    factory, _ = engine_factory(choice)
    audio = LiveAudio(factory)
    assert audio.start(), audio.problem
    port = audio.open_port()
    speakers.start()
    try:
        start = speakers.elapsed()
        port.send(mido.Message("note_on", note=69, velocity=110, channel=1))
        time.sleep(0.8)
        port.panic()  # All Sound Off on every channel, as the Panic button sends
        stopped = speakers.elapsed()
        time.sleep(0.6)
    finally:
        port.close()
        audio.stop()
    heard = speakers.stop()
    rate = speakers.RATE
    note = heard[int((start + 0.15) * rate) : int((start + 0.65) * rate)]
    assert np.sqrt(np.mean(note**2)) > 10 * NOISE_FLOOR
    assert speakers.peak_hz(note) == pytest.approx(440.0, abs=3.0)
    after = heard[int((stopped + 0.3) * rate) :]
    assert np.sqrt(np.mean(after**2)) < NOISE_FLOOR


def test_stop_releases_every_note_of_the_player(speakers):
    audio = LiveAudio()
    assert audio.start(), audio.problem
    port = audio.open_port()
    player = Player(port)
    take = Take(
        events=[NoteEvent(beat, 1.0, 60 + beat, 100, SOLO_CHANNEL) for beat in range(16)],
        progression_text="C7 | C7 | C7 | C7 |",
        tempo_bpm=120,
        swing=0.5,
    )
    speakers.start()
    try:
        player.play(take)
        time.sleep(1.5)
        player.stop()
        stopped = speakers.elapsed()
        time.sleep(0.8)
    finally:
        player.close()
        port.close()
        audio.stop()
    heard = speakers.stop()
    rate = speakers.RATE
    assert np.sqrt(np.mean(heard[int(0.2 * rate) : int(1.2 * rate)] ** 2)) > 10 * NOISE_FLOOR
    after = heard[int((stopped + 0.3) * rate) :]
    assert np.sqrt(np.mean(after**2)) < NOISE_FLOOR


@pytest.mark.usefixtures("speakers")
def test_generate_play_builtin_without_an_audio_output_says_so(tmp_path, monkeypatch, capsys):
    from jazzgui.cli import main

    def no_output(self):
        self.problem = "no audio output could be opened (no PulseAudio server answered)"
        return False

    monkeypatch.setattr(LiveAudio, "start", no_output)
    code = main(["generate", "-o", str(tmp_path / "t.mid"), "--seed", "1", "--play", "builtin"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Cannot play the take on the built-in synth" in err
    assert "no PulseAudio server answered" in err
    assert "Traceback" not in err
