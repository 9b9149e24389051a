"""`jazzgui trade` on real JACK MIDI ports: a person's part played into a port on a schedule.

The command runs as a person would start it (a subprocess). This test plays the person on a
virtual JACK output that `--input` picks by part of its name, and `--output` is a
jack_midi_dump client, which stamps every message with the JACK frame it arrived in; its
line-buffered output shows the Start the person's part keeps time with.

JACK MIDI from rtmidi is written at the start of the next process cycle, so on the receiving
side arrival times are whole periods (here 1024 frames, 23.2 ms at 44.1 kHz): the MIDI clock's
own timing is what the command reports on the sending side; here every pulse must arrive
within two periods and a millisecond of its due frame, 24 to the beat, Start first and Stop
last; the spread is shown in the test's output.
"""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import mido
import pytest
from playback_fakes import unmatched_notes
from test_fluidsynth_jack import (  # noqa: F401 - the fixture starts JACK when it is not up
    _connections,
    _wait_for,
    fluidsynth_on_jack,
)

from jazzgui.music.events import COMP_CHANNEL, SOLO_CHANNEL, YOU_CHANNEL
from jazzgui.music.midifile import read_take_midi
from jazzgui.playback.midi_in import open_virtual_input
from jazzgui.playback.ports import (
    JACK_BACKEND,
    close_output,
    open_output,
    open_virtual_output,
)

pytestmark = pytest.mark.jack

REPO = Path(__file__).resolve().parents[2]
TEMPO = 150.0
BEAT_S = 60.0 / TEMPO
RATE = 44100
FRAMES_PER_BEAT = RATE * BEAT_S
_DUMP_LINE = re.compile(r"^\s*(\d+):\s+((?:[0-9a-f]{2} ?)+)")
# The person's bars when trading 2 bars over 8: JazzGUI answers bars 3-4 and 7-8.
YOUR_BARS, ANSWER_BARS = (0, 1, 4, 5), (2, 3, 6, 7)


def _dump(text: str) -> list[tuple[int, mido.Message]]:
    """(frame, message) from jack_midi_dump -a lines such as `  34816: 92 26 57`."""
    found = []
    for line in text.splitlines():
        match = _DUMP_LINE.match(line)
        if match:
            message = mido.Message.from_bytes(bytes.fromhex(match.group(2)))
            found.append((int(match.group(1)), message))
    return found


def _period_frames() -> int:
    out = subprocess.run(["jack_bufsize"], capture_output=True, text=True, timeout=10).stdout
    match = re.search(r"(\d+)", out)
    return int(match.group(1)) if match else 1024


def _play_person(port: mido.ports.BaseOutput, start: float) -> None:
    """Eighth notes through the person's bars, each ending before JazzGUI is asked."""
    for first_bar in (0, 4):
        for k in range(13):
            beat = first_bar * 4 + k * 0.5
            pitch = 62 + (k * 3) % 12
            for offset, message in (
                (0.0, mido.Message("note_on", note=pitch, velocity=90)),
                (0.4, mido.Message("note_off", note=pitch)),
            ):
                delay = start + (beat + offset) * BEAT_S - time.monotonic()
                if delay > 0:
                    threading.Event().wait(delay)
                port.send(message)


@pytest.mark.usefixtures("fluidsynth_on_jack")
def test_trade_on_jack_answers_in_its_bars_records_both_and_keeps_clock(tmp_path, capsys):
    tag = f"{os.getpid()}"
    person = open_virtual_output(f"person-{tag}", JACK_BACKEND)
    dump_path = tmp_path / "dump.txt"
    record = tmp_path / "trade.mid"
    with open(dump_path, "w") as dump_file:  # line-buffered: the Start is seen as it comes
        dump = subprocess.Popen(
            ["stdbuf", "-oL", "jack_midi_dump", "-a", f"dump-{tag}"], stdout=dump_file
        )
    trade = None
    try:
        assert _wait_for(lambda: f"dump-{tag}:input" in _connections(), 10)
        trade = subprocess.Popen(
            [
                sys.executable, "-m", "jazzgui", "trade", "--jack", "--input", f"person-{tag}",
                "--output", f"dump-{tag}", "--bars", "2", "--progression", "Dm7 | G7 | Cmaj7 | A7",
                "--choruses", "2", "--tempo", f"{TEMPO:g}", "--seed", "4", "--clock",
                "--record", str(record),
            ],
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        started = _wait_for_start(dump_path, trade)
        _play_person(person, started)
        out, err = trade.communicate(timeout=60)
        threading.Event().wait(0.3)  # the dump's last cycle
    finally:
        if trade is not None and trade.poll() is None:
            trade.kill()
        dump.terminate()
        dump.wait(timeout=10)
        close_output(person)
    assert trade.returncode == 0, err
    assert f"recorded {record}" in out

    messages = _dump(dump_path.read_text())
    kinds = [m.type for _, m in messages]
    start_frame = next(f for f, m in messages if m.type == "start")
    stop_index = kinds.index("stop")
    period = _period_frames()

    # JazzGUI's notes fall in its bars (early by humanising, late by up to two periods).
    late = 2 * period / FRAMES_PER_BEAT + 0.05
    solo = [
        (f - start_frame) / FRAMES_PER_BEAT
        for f, m in messages
        if m.type == "note_on" and m.velocity and m.channel == SOLO_CHANNEL
    ]
    assert len(solo) >= 8
    for beat in solo:
        assert any(b * 4 - 0.05 <= beat < (b + 1) * 4 + late for b in ANSWER_BARS), beat
    # The person was heard (passed through on their own channel) in their bars.
    assert sum(m.type == "note_on" and m.channel == YOU_CHANNEL for _, m in messages) == 26

    # MIDI clock: Start, 24 pulses a beat for the 8 bars, Stop; nothing sounds after Stop.
    pulses = [f for f, m in messages if m.type == "clock"]
    assert len(pulses) == 8 * 4 * 24
    due = [start_frame + k * FRAMES_PER_BEAT / 24 for k in range(len(pulses))]
    offsets = [f - d for f, d in zip(pulses, due)]
    spread_ms = (max(offsets) - min(offsets)) / RATE * 1000
    sent = next(line for line in out.splitlines() if line.startswith("MIDI clock:"))
    with capsys.disabled():  # the figure the issue asks for, shown in every run
        sys.stdout.write(
            f"\n[clock arrival spread {spread_ms:.2f} ms, {period}-frame JACK period; {sent}]\n"
        )
    # A pulse written during a cycle goes out at the start of the next (or, on a busy
    # machine, the one after): the spread is the period's, plus the send side's jitter.
    assert max(offsets) - min(offsets) <= 2 * period + RATE / 1000
    after_stop = [m for _, m in messages[stop_index:] if m.type == "note_on" and m.velocity]
    assert after_stop == []
    assert unmatched_notes([m for _, m in messages]) == []

    # The recording holds the person (track You), JazzGUI (Solo) and the band.
    take = read_take_midi(record)
    you, answers = take.part(YOU_CHANNEL), take.part(SOLO_CHANNEL)
    assert len(you) == 26 and {math.floor(n.start_beat / 4) for n in you} <= set(YOUR_BARS)
    assert answers and {math.floor(n.start_beat / 4) for n in answers} <= set(ANSWER_BARS)
    assert take.part(COMP_CHANNEL) and take.bars == 8
    names = [track.name for track in mido.MidiFile(record).tracks]
    assert "You" in names and "Solo" in names


def _wait_for_start(dump_path: Path, trade: subprocess.Popen) -> float:
    """The moment the command's Start (0xFA) reached the dump, as this process saw it."""
    pause = threading.Event()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if re.search(r"^\s*\d+:\s+fa\s*$", dump_path.read_text(), re.MULTILINE):
            return time.monotonic()
        if trade.poll() is not None:
            raise AssertionError(f"jazzgui trade ended early: {trade.communicate()}")
        pause.wait(0.002)
    raise AssertionError("no MIDI Start arrived")


@pytest.mark.usefixtures("fluidsynth_on_jack")
def test_call_and_response_on_jack_stopped_with_ctrl_c_leaves_nothing_sounding(tmp_path):
    tag = f"call-{os.getpid()}"
    person = open_virtual_output(f"person-{tag}", JACK_BACKEND)
    dump_path = tmp_path / "dump.txt"
    record = tmp_path / "call.mid"
    with open(dump_path, "w") as dump_file:
        dump = subprocess.Popen(
            ["stdbuf", "-oL", "jack_midi_dump", "-a", f"dump-{tag}"], stdout=dump_file
        )
    trade = None
    try:
        assert _wait_for(lambda: f"dump-{tag}:input" in _connections(), 10)
        trade = subprocess.Popen(
            [
                sys.executable, "-m", "jazzgui", "trade", "--jack", "--input", f"person-{tag}",
                "--output", f"dump-{tag}", "--mode", "call", "--form", "blues-f",
                "--tempo", f"{TEMPO:g}", "--seed", "9", "--clock", "--record", str(record),
            ],
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        started = _wait_for_start(dump_path, trade)
        # One bar of quarter notes, then silence: JazzGUI answers from about beat 6.
        for beat in range(4):
            for offset, message in (
                (0.0, mido.Message("note_on", note=60 + 2 * beat, velocity=90)),
                (0.9, mido.Message("note_off", note=60 + 2 * beat)),
            ):
                delay = started + (beat + offset) * BEAT_S - time.monotonic()
                if delay > 0:
                    threading.Event().wait(delay)
                person.send(message)
        # Stop (Ctrl-C) late in the answer (it may open with a rest), before its last beat.
        threading.Event().wait(max(0.0, started + 9.5 * BEAT_S - time.monotonic()))
        trade.send_signal(signal.SIGINT)
        out, err = trade.communicate(timeout=30)
        threading.Event().wait(0.3)
    finally:
        if trade is not None and trade.poll() is None:
            trade.kill()
        dump.terminate()
        dump.wait(timeout=10)
        close_output(person)
    assert trade.returncode == 130, err
    assert "interrupted" not in out and f"recorded {record}" in out

    messages = [m for _, m in _dump(dump_path.read_text())]
    kinds = [m.type for m in messages]
    solo_ons = [m for m in messages if m.type == "note_on" and m.velocity and m.channel == 0]
    assert solo_ons, "JazzGUI did not answer"
    assert unmatched_notes(messages) == []
    # Stop for the DAW, the all-off controllers, and not a note after them.
    assert "stop" in kinds
    last_off = max(
        i for i, m in enumerate(messages) if m.type == "control_change" and m.control == 123
    )
    assert not any(m.type == "note_on" and m.velocity for m in messages[last_off:])

    take = read_take_midi(record)
    assert [n.pitch for n in take.part(YOU_CHANNEL)] == [60, 62, 64, 66]
    assert take.part(SOLO_CHANNEL) and min(n.start_beat for n in take.part(SOLO_CHANNEL)) >= 4


@pytest.mark.usefixtures("fluidsynth_on_jack")
def test_the_virtual_input_takes_notes_from_another_program():
    name = f"JazzGUI In test {os.getpid()}"
    got: list[tuple[mido.Message, float]] = []
    midi = open_virtual_input(lambda message, when: got.append((message, when)), name, JACK_BACKEND)
    sender = None
    try:
        destinations = mido.Backend(JACK_BACKEND).get_output_names()
        (ours,) = [d for d in destinations if d.endswith(f":{name}")]
        sender = open_output(ours, JACK_BACKEND)
        sender.send(mido.Message("note_on", note=64, velocity=70))
        sender.send(mido.Message("note_off", note=64))
        assert _wait_for(lambda: len(got) == 2, 5)
    finally:
        if sender is not None:
            close_output(sender)
        midi.close()
    assert [(m.type, m.note) for m, _ in got] == [("note_on", 64), ("note_off", 64)]
    assert got[0][1] <= got[1][1]
