"""A real synth: the player drives FluidSynth on a JACK server through mido's JACK backend.

tests/run_all.sh starts `jackd -d dummy` and FluidSynth (JACK audio + JACK MIDI) and sets
JAZZGUI_TEST_JACK=1, so in CI an unreachable JACK fails these tests. Run alone, the fixture
starts JACK and FluidSynth itself when they are installed, and skips only when they are not.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import mido
import numpy as np
import pytest
from playback_fakes import unmatched_notes

from jazzgui.cli import main
from jazzgui.errors import PortError
from jazzgui.music.accompaniment import band_for_bar
from jazzgui.music.events import NoteEvent
from jazzgui.music.progression import parse_progression
from jazzgui.playback import ports
from jazzgui.playback.player import Player
from jazzgui.playback.tracker import ALL_NOTES_OFF, ALL_SOUND_OFF

pytestmark = pytest.mark.jack

_DUMP_LINE = re.compile(r"^\s*\d+:\s+((?:[0-9a-f]{2} ?)+)")
SOUNDFONT = Path("/usr/share/sounds/sf2/TimGM6mb.sf2")
SR = 44100


def _jack_up() -> bool:
    try:
        return subprocess.run(["jack_lsp"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _fluidsynth_up() -> bool:
    try:
        listing = subprocess.run(["jack_lsp"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "fluidsynth" in listing and "midi" in listing


def _wait_for(check, seconds: float) -> bool:
    pause = threading.Event()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        pause.wait(0.2)
    return check()


def _unavailable(reason: str) -> None:
    if os.environ.get("JAZZGUI_TEST_JACK") == "1":
        pytest.fail(f"JAZZGUI_TEST_JACK=1 but {reason} (tests/run_all.sh starts JACK + FluidSynth)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def fluidsynth_on_jack(tmp_path_factory) -> Iterator[str]:
    """The FluidSynth MIDI input on a running JACK server (started here if need be)."""
    started: list[subprocess.Popen] = []
    logs = tmp_path_factory.mktemp("jack-logs")
    if not _jack_up():
        if shutil.which("jackd") is None:
            _unavailable("jackd is not installed (Debian: apt-get install jackd2 fluidsynth)")
        # Realtime first: a JACK client that misses its cycle on a busy machine loses MIDI.
        for mode in (["-R", "-P", "70"], ["--no-realtime"]):
            with open(logs / "jackd.log", "wb") as log:
                jackd = subprocess.Popen(
                    ["jackd", *mode, "-d", "dummy", "-r", str(SR), "-p", "1024"],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            if _wait_for(_jack_up, 10):
                started.append(jackd)
                break
            _stop([jackd])
        else:
            _unavailable("the JACK server could not be started")
    if not _fluidsynth_up():
        if shutil.which("fluidsynth") is None or not SOUNDFONT.exists():
            _stop(started)
            _unavailable("FluidSynth or the TimGM6mb soundfont is not installed")
        with open(logs / "fluidsynth.log", "wb") as log:
            started.append(
                subprocess.Popen(
                    [
                        "fluidsynth",
                        "-a",
                        "jack",
                        "-m",
                        "jack",
                        "-i",
                        "-s",
                        "-g",
                        "0.8",
                        "-o",
                        "audio.jack.autoconnect=0",
                        str(SOUNDFONT),
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        if not _wait_for(_fluidsynth_up, 15):
            _stop(started)
            _unavailable("FluidSynth did not appear on the JACK server")
    try:
        names = ports.list_output_names(ports.JACK_BACKEND)
    except PortError as error:
        _stop(started)
        _unavailable(f"mido's JACK backend cannot reach the server: {error}")
    name, why = ports.default_output_name(names)
    if name is None or "fluidsynth" not in name.lower():
        _stop(started)
        _unavailable(f"no FluidSynth MIDI port among {names}")
    assert "FluidSynth" in why
    yield name
    _stop(started)


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in reversed(processes):
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _connections() -> str:
    return subprocess.run(["jack_lsp", "-c"], capture_output=True, text=True, timeout=10).stdout


def _read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as recorded:
        assert recorded.getsampwidth() == 2
        frames = recorded.readframes(recorded.getnframes())
        channels = recorded.getnchannels()
    return np.frombuffer(frames, "<i2").reshape(-1, channels).astype(np.float64) / 32768.0


def _rms(audio: np.ndarray, start_s: float, end_s: float) -> float:
    chunk = audio[max(0, int(start_s * SR)) : int(end_s * SR)]
    return float(np.sqrt(np.mean(chunk**2))) if chunk.size else 0.0


def _bars(progression, seed: int):
    """Solo eighths plus the band, one bar at a time, forever (the test stops it)."""
    rng = np.random.default_rng(seed)
    index = 0
    while True:
        start = index * 4
        chord = progression.chord_at(start)
        tones = sorted(p for p in range(64, 82) if p % 12 in chord.tones)
        solo = [
            NoteEvent(start + k * 0.5, 0.5, tones[k % len(tones)], velocity=96) for k in range(8)
        ]
        yield solo + band_for_bar(progression, index, rng)
        index += 1


def _midi_dump_messages(text: str) -> list[mido.Message]:
    """Messages from jack_midi_dump's lines like `  34816: 92 26 57 note on (channel 2)...`."""
    messages = []
    for line in text.splitlines():
        match = _DUMP_LINE.match(line)
        if match:
            messages.append(mido.Message.from_bytes(bytes.fromhex(match.group(1))))
    return messages


def test_player_drives_fluidsynth_and_stop_leaves_silence(fluidsynth_on_jack, tmp_path):
    backend = mido.Backend(ports.JACK_BACKEND)
    sources_before = set(backend.get_input_names())
    port = ports.open_output(fluidsynth_on_jack, ports.JACK_BACKEND)
    ours = sorted(set(backend.get_input_names()) - sources_before)
    assert len(ours) == 1, f"cannot tell our JACK MIDI port among {ours}"

    # The monitor is jack_midi_dump: python-rtmidi's JACK input mangles bursts of messages.
    monitor_name = f"jazzgui-test-monitor-{os.getpid()}"
    dump_path = tmp_path / "midi_dump.txt"
    recording = tmp_path / "fluidsynth.wav"
    record_s = 7
    with open(dump_path, "w") as dump_file:
        monitor = subprocess.Popen(
            ["jack_midi_dump", monitor_name], stdout=dump_file, stderr=subprocess.STDOUT
        )
    recorder = subprocess.Popen(
        [
            "jack_rec",
            "-f",
            str(recording),
            "-d",
            str(record_s),
            "fluidsynth-midi:left",
            "fluidsynth-midi:right",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    first_note: list[float] = []
    errors: list[BaseException] = []
    player = Player(
        port,
        on_note=lambda ev, on: (
            first_note.append(time.monotonic()) if on and not first_note else None
        ),
        on_error=errors.append,
    )
    try:
        assert _wait_for(lambda: f"{monitor_name}:input" in _connections(), 10)
        subprocess.run(["jack_connect", ours[0], f"{monitor_name}:input"], check=True, timeout=10)
        assert _wait_for(lambda: "jackrec" in _connections(), 10), "jack_rec did not connect"
        progression = parse_progression("Dm7 | G7 | Cmaj7 | A7alt")
        player.stream(_bars(progression, seed=3), tempo_bpm=160, swing=0.6)
        assert _wait_for(lambda: bool(first_note), 5), "no note was sent"
        threading.Event().wait(2.5)
        stopped = time.monotonic()
        player.stop()
        assert not player.is_playing
        recorder.wait(timeout=record_s + 10)
    finally:
        player.close()
        ports.close_output(port)
        for process in (recorder, monitor):
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
    assert errors == []

    # The MIDI monitor saw every note-on matched by a note-off, then the all-off controllers.
    heard = _midi_dump_messages(dump_path.read_text())
    notes_on = [m for m in heard if m.type == "note_on" and m.velocity > 0]
    assert len(notes_on) > 20
    assert {m.channel for m in notes_on} == {0, 1, 2}
    assert unmatched_notes(heard) == []
    controls = {(m.channel, m.control) for m in heard if m.type == "control_change"}
    assert {(ch, cc) for ch in (0, 1, 2) for cc in (ALL_NOTES_OFF, ALL_SOUND_OFF)} <= controls

    # FluidSynth's audio: sound while the notes play, silence within a second of stop.
    audio = _read_wav(recording)
    level = np.abs(audio).max(axis=1)
    onset = int(np.argmax(level > 0.01)) / SR
    assert level.max() > 0.05, "FluidSynth stayed silent"
    stop_at = onset + (stopped - first_note[0])
    playing = [_rms(audio, t, t + 0.25) for t in np.arange(onset + 0.1, stop_at - 0.25, 0.25)]
    assert playing and min(playing) > 0.003, playing
    assert stop_at + 1.5 < audio.shape[0] / SR, "the recording ended too early to judge"
    assert _rms(audio, stop_at + 1.0, stop_at + 1.5) < 0.001


def test_cli_plays_a_test_note_on_fluidsynth(fluidsynth_on_jack, capsys):
    assert main(["ports", "--jack"]) == 0
    listing = capsys.readouterr().out
    assert f"* {fluidsynth_on_jack}" in listing and "FluidSynth" in listing
    assert main(["ports", "--jack", "--test", fluidsynth_on_jack]) == 0
    assert "Played a C major arpeggio" in capsys.readouterr().out


def test_virtual_output_appears_on_jack(fluidsynth_on_jack):
    name = f"JazzGUI-test-{os.getpid()}"
    port = ports.open_virtual_output(name, backend=ports.JACK_BACKEND)
    try:
        sources = mido.Backend(ports.JACK_BACKEND).get_input_names()
        assert any(source.endswith(f":{name}") for source in sources), sources
    finally:
        ports.close_port(port)


def test_generate_play_sends_a_balanced_take_to_fluidsynth(
    fluidsynth_on_jack, tmp_path, monkeypatch, capsys
):
    from jazzgui.model.config import ModelConfig
    from jazzgui.model.modelfile import JazzModel, save_model, weight_shapes

    tokens = sorted(["C,1/2", "C,1/2,<+5,-1>", "S,1/2,<+1,-5>", "A,1/2,<+2,-4>", "R,1", "C,1"])
    config = ModelConfig(n_a=8, tx=4)
    rng = np.random.default_rng(0)
    weights = {
        n: rng.standard_normal(s).astype(np.float32)
        for n, s in weight_shapes(tokens, config).items()
    }
    model_path = save_model(
        JazzModel(tokens, config, weights, {}, [tokens[:2]]), tmp_path / "m.jazzmodel"
    )

    # Open the real JACK port as the CLI asks, and tap it with jack_midi_dump before it plays.
    monkeypatch.setenv("MIDO_BACKEND", ports.JACK_BACKEND)
    backend = mido.Backend(ports.JACK_BACKEND)
    monitor_name = f"jazzgui-cli-monitor-{os.getpid()}"
    dump_path = tmp_path / "dump.txt"
    with open(dump_path, "w") as dump_file:
        monitor = subprocess.Popen(["jack_midi_dump", monitor_name], stdout=dump_file)
    real_open = ports.open_output

    def open_and_tap(name, backend_name=None):
        before = set(backend.get_input_names())
        port = real_open(name, backend_name)
        (ours,) = sorted(set(backend.get_input_names()) - before)
        assert _wait_for(lambda: f"{monitor_name}:input" in _connections(), 10)
        subprocess.run(["jack_connect", ours, f"{monitor_name}:input"], check=True, timeout=10)
        return port

    monkeypatch.setattr(ports, "open_output", open_and_tap)
    try:
        code = main([
            "generate", "--model", str(model_path), "--progression", "Dm7 G7 | Cmaj7 |",
            "--tempo", "240", "--seed", "5", "-o", str(tmp_path / "take.mid"), "--play",
        ])  # fmt: skip
        assert code == 0
        pause = threading.Event()
        pause.wait(1.5)  # let JACK deliver the last cycles to the monitor, even when busy
    finally:
        monitor.terminate()
        monitor.wait(timeout=10)
    assert f"playing on {fluidsynth_on_jack!r}" in capsys.readouterr().out
    messages = _midi_dump_messages(dump_path.read_text())
    note_ons = [m for m in messages if m.type == "note_on" and m.velocity > 0]
    assert len(note_ons) >= 4
    assert unmatched_notes(messages) == []
