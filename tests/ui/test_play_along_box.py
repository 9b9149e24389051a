"""The Play Along box driven through its own controls: a fake keyboard plays the person's part
into the window (as rtmidi would, from another thread), the band and the answers go to a
recording fake output, and the session ends up in the take list."""

from __future__ import annotations

import math
import threading
import time

import mido
import pytest
from PySide6.QtCore import Qt

from jazzgui.music.events import COMP_CHANNEL, SOLO_CHANNEL, YOU_CHANNEL
from jazzgui.playback.midi_in import MidiInput
from jazzgui.ui import play_along_box

LEFT = Qt.MouseButton.LeftButton
TEMPO = 300
BEAT_S = 60.0 / TEMPO


class FakeKeyboard(mido.ports.BaseInput):
    """A MIDI input whose notes a test plays; like rtmidi, it calls back on the caller's thread."""

    def _open(self, **kwargs) -> None:
        self.callback = None

    def play(self, message: mido.Message) -> None:
        if self.callback is not None:
            self.callback(message)


@pytest.fixture
def keyboards(monkeypatch):
    """Two fake keyboards the box lists and opens instead of the system's inputs."""
    made = {name: FakeKeyboard(name) for name in ("First keys", "Second keys")}
    monkeypatch.setattr(play_along_box, "_list_inputs", lambda: list(made))
    monkeypatch.setattr(play_along_box, "_virtual_input_supported", lambda: False)
    monkeypatch.setattr(play_along_box, "_open_input", lambda name: MidiInput(made[name]))
    return made


@pytest.fixture
def box_window(make_window, qtbot, tiny_model_path, keyboards):
    window = make_window()
    panel = window.generate_panel
    panel.add_model(str(tiny_model_path))
    qtbot.waitUntil(lambda: panel._model is not None, timeout=10000)
    panel.tempo_spin.setValue(TEMPO)
    panel.choruses_spin.setValue(1)
    panel.progression_edit.setPlainText("Dm7 | G7 | Cmaj7 | A7 |")
    box = panel.play_along_box
    box.setChecked(True)  # open the collapsed group, as ticking its title does
    return window, panel, box


def _choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))
    combo.activated.emit(combo.currentIndex())


def _start(qtbot, box, keyboard_name: str):
    _choose(box.input_combo, keyboard_name)
    qtbot.mouseClick(box.start_button, LEFT)
    assert box.is_running, box.turn_label.text()
    session = box.runner.session
    qtbot.waitUntil(lambda: session.beat_zero_time is not None, timeout=5000)
    return session


def _play(keyboard: FakeKeyboard, origin: float, notes: list[tuple[float, float, int]]) -> None:
    """(beat, length in beats, pitch) played in time from `origin` (the clock time of beat 1)."""
    messages = []
    for beat, length, pitch in notes:
        messages.append((beat, mido.Message("note_on", note=pitch, velocity=90)))
        messages.append((beat + length, mido.Message("note_off", note=pitch)))
    for beat, message in sorted(messages, key=lambda item: item[0]):
        delay = origin + beat * BEAT_S - time.monotonic()
        if delay > 0:
            threading.Event().wait(delay)
        keyboard.play(message)


def _in_thread(target, *args) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def test_trading_two_bars_answers_in_the_answer_bars_and_lists_the_take(
    box_window, qtbot, fake_port, keyboards
):
    window, panel, box = box_window
    _choose(box.mode_combo, "trade")
    _choose(box.bars_combo, 2)
    session = _start(qtbot, box, "First keys")
    assert box.turn_label.text() in ("Your turn", "")
    # Eighth notes through the person's two bars, ending before the answer is asked (beat 7).
    phrase = [(k * 0.5, 0.4, 60 + (k * 5) % 12) for k in range(13)]
    person = _in_thread(_play, keyboards["First keys"], session.beat_zero_time, phrase)
    qtbot.waitUntil(lambda: box.turn_label.text() == "JazzGUI answers", timeout=10000)
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=15000)
    person.join(timeout=5)

    take = panel.takes[0].take
    you, solo = take.part(YOU_CHANNEL), take.part(SOLO_CHANNEL)
    assert len(you) == len(phrase)
    assert {math.floor(n.start_beat / 4) for n in you} == {0, 1}
    assert solo and {math.floor(n.start_beat / 4) for n in solo} <= {2, 3}
    assert take.part(COMP_CHANNEL) and take.bars == 4
    # What was heard: the person passed through on their channel, the answer, and at the end
    # nothing left sounding.
    heard = [m for m in fake_port.notes() if m.type == "note_on" and m.velocity]
    assert sum(m.channel == YOU_CHANNEL for m in heard) == len(phrase)
    assert any(m.channel == SOLO_CHANNEL for m in heard)
    assert fake_port.sounding() == set()
    # The take is in the list like any other, the piano roll shows the person's notes, and the
    # box is ready again.
    assert panel.take_table.rowCount() == 1
    assert "tiny" in panel.take_table.item(0, 2).text()
    shown = panel.piano_roll.canvas.events
    assert sum(e.channel == YOU_CHANNEL for e in shown) == len(phrase)
    assert any(e.channel == SOLO_CHANNEL for e in shown)
    assert not box.is_running and box.start_button.isEnabled()
    assert "notes of yours" in window.status_label.text()


def test_the_session_take_replays_and_exports_as_midi_with_a_you_track(
    box_window, qtbot, fake_port, keyboards, tmp_path
):
    from jazzgui.music.midifile import read_take_midi

    _window, panel, box = box_window
    _choose(box.mode_combo, "trade")
    _choose(box.bars_combo, 2)
    session = _start(qtbot, box, "First keys")
    _play(keyboards["First keys"], session.beat_zero_time, [(0.0, 1.0, 64), (2.0, 1.0, 67)])
    qtbot.mouseClick(box.stop_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=5000)

    path = tmp_path / "session.mid"
    handle = panel.export_take(panel.takes[0].take, "mid", str(path))
    qtbot.waitUntil(lambda: not handle.running, timeout=10000)
    names = [track.name for track in mido.MidiFile(path).tracks]
    assert "You" in names
    assert [n.pitch for n in read_take_midi(path).part(YOU_CHANNEL)] == [64, 67]

    before = len(fake_port.notes())
    qtbot.mouseClick(panel.replay_button, LEFT)
    assert panel.is_playing
    qtbot.waitUntil(lambda: not panel.is_playing, timeout=10000)
    replayed = [m for m in fake_port.notes()[before:] if m.type == "note_on" and m.velocity]
    assert sorted(m.note for m in replayed if m.channel == YOU_CHANNEL) == [64, 67]
    assert fake_port.sounding() == set()


def test_stop_in_call_and_response_releases_every_note_and_keeps_the_take(
    box_window, qtbot, fake_port, keyboards
):
    _window, panel, box = box_window
    _choose(box.mode_combo, "call")
    assert box.silence_spin.isEnabled() and not box.bars_combo.isEnabled()
    session = _start(qtbot, box, "First keys")
    keys = keyboards["First keys"]
    # Pressed once the form has begun (a note before beat 1 is not part of the take).
    qtbot.waitUntil(lambda: time.monotonic() > session.beat_zero_time + BEAT_S, timeout=5000)
    keys.play(mido.Message("note_on", note=65, velocity=80))  # held down through Stop
    qtbot.waitUntil(lambda: (YOU_CHANNEL, 65) in fake_port.sounding(), timeout=5000)
    qtbot.mouseClick(box.stop_button, LEFT)

    assert not box.is_running
    assert fake_port.sounding() == set()
    count = len(fake_port.notes())
    keys.play(mido.Message("note_on", note=70, velocity=80))  # after Stop: not passed through
    assert len(fake_port.notes()) == count
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=5000)
    you = panel.takes[0].take.part(YOU_CHANNEL)
    assert [n.pitch for n in you] == [65]  # the held note, ended where the session stopped
    assert session.take().provenance.extra["play_along"] == "call"


def test_closing_the_window_mid_session_leaves_nothing_sounding(
    box_window, qtbot, fake_port, keyboards
):
    window, _panel, box = box_window
    _start(qtbot, box, "Second keys")
    keyboards["Second keys"].play(mido.Message("note_on", note=72, velocity=90))
    qtbot.waitUntil(lambda: (YOU_CHANNEL, 72) in fake_port.sounding(), timeout=5000)
    window.close()
    assert not box.is_running
    assert fake_port.sounding() == set()


def test_the_input_and_pass_through_are_remembered(make_window, qtbot, keyboards, fake_port):
    window = make_window()
    box = window.generate_panel.play_along_box
    assert not box.input_combo.isVisible()  # collapsed until its title is ticked
    box.setChecked(True)
    assert box.input_combo.isVisible()
    assert [box.input_combo.itemData(i) for i in range(box.input_combo.count())] == [
        "First keys",
        "Second keys",
    ]
    _choose(box.input_combo, "Second keys")
    box.pass_through_check.click()
    assert not box.pass_through_check.isChecked()
    window.close()

    again = make_window()
    box = again.generate_panel.play_along_box
    box.setChecked(True)
    assert box.input_combo.currentData() == "Second keys"
    assert not box.pass_through_check.isChecked()


def test_without_pass_through_the_person_is_recorded_but_not_played(
    box_window, qtbot, fake_port, keyboards
):
    _window, panel, box = box_window
    box.pass_through_check.setChecked(False)
    session = _start(qtbot, box, "First keys")
    _play(keyboards["First keys"], session.beat_zero_time, [(0.5, 0.5, 62)])
    qtbot.mouseClick(box.stop_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=5000)
    assert [n.pitch for n in panel.takes[0].take.part(YOU_CHANNEL)] == [62]
    assert not any(m.channel == YOU_CHANNEL for m in fake_port.notes())


def test_no_input_or_a_bad_chord_is_told_without_starting(make_window, qtbot, monkeypatch):
    monkeypatch.setattr(play_along_box, "_list_inputs", lambda: [])
    monkeypatch.setattr(play_along_box, "_virtual_input_supported", lambda: False)
    window = make_window()
    panel = window.generate_panel
    box = panel.play_along_box
    box.setChecked(True)
    assert "No MIDI input" in box.input_combo.currentText()
    assert not box.start_button.isEnabled()

    monkeypatch.setattr(play_along_box, "_list_inputs", lambda: ["Keys"])
    qtbot.mouseClick(box.input_refresh, LEFT)
    assert box.start_button.isEnabled()
    panel.progression_edit.setPlainText("Dm7 | Qx9 |")
    qtbot.mouseClick(box.start_button, LEFT)
    assert not box.is_running
    assert "chord changes" in window.status_label.text()


def test_the_piano_roll_draws_the_persons_notes_in_their_own_colour(qtbot):
    from jazzgui.music.events import NoteEvent
    from jazzgui.ui.piano_roll import YOU_OUTLINE, PianoRoll

    roll = PianoRoll()
    qtbot.addWidget(roll)
    roll.resize(500, 260)
    roll.show()

    def outline_pixels() -> int:
        image = roll.canvas.grab().toImage()
        return sum(
            image.pixelColor(x, y) == YOU_OUTLINE
            for x in range(0, image.width(), 2)
            for y in range(image.height())
        )

    roll.add_events([NoteEvent(1.0, 2.0, 60, 90, SOLO_CHANNEL)])
    assert outline_pixels() == 0
    roll.add_events([NoteEvent(4.0, 2.0, 64, 90, YOU_CHANNEL)])
    assert outline_pixels() > 20


def test_count_in_and_midi_clock_from_the_box(box_window, qtbot, fake_port, keyboards):
    _window, panel, box = box_window
    turns: list[str] = []
    box.runner.turn.connect(turns.append)
    box.count_in_check.setChecked(True)
    box.clock_check.setChecked(True)
    _start(qtbot, box, "First keys")
    qtbot.waitUntil(lambda: "you" in turns, timeout=10000)
    qtbot.mouseClick(box.stop_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=5000)

    assert turns[0] == "count-in" and turns[-1] == "done"
    kinds = [m.type for m in fake_port.messages]
    assert "start" in kinds and kinds.count("clock") >= 24  # the count-in bar's beats at least
    assert kinds.index("start") < kinds.index("clock")
    assert fake_port.sounding() == set()
    # The count-in is not part of the take: it starts on the form's first beat.
    assert all(e.start_beat >= 0 for e in panel.takes[0].take.events)


def test_a_pickup_played_in_the_count_in_opens_the_recorded_take(
    box_window, qtbot, fake_port, keyboards
):
    _window, panel, box = box_window
    box.count_in_check.setChecked(True)
    session = _start(qtbot, box, "First keys")
    # Beat 1 of the form is a bar after the count-in starts: the last beat of the count-in first.
    _play(keyboards["First keys"], session.beat_zero_time, [(-1.0, 0.5, 62), (0.0, 1.0, 64)])
    qtbot.mouseClick(box.stop_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.takes) == 1, timeout=5000)

    take = panel.takes[0].take
    you = [(round(n.start_beat, 1), n.pitch) for n in take.part(YOU_CHANNEL)]
    assert you[:2] == [(3.0, 62), (4.0, 64)]  # the pickup kept, in a bar of its own
    assert take.progression_text.split("|")[0].strip() == "N.C."
    assert all(e.start_beat >= 4.0 for e in take.events if e.channel == COMP_CHANNEL)
    assert fake_port.sounding() == set()


def test_generate_while_playing_along_stops_the_session_first(
    box_window, qtbot, fake_port, keyboards
):
    _window, panel, box = box_window
    session = _start(qtbot, box, "First keys")
    qtbot.waitUntil(lambda: time.monotonic() > session.beat_zero_time + BEAT_S, timeout=5000)
    qtbot.mouseClick(panel.generate_button, LEFT)
    assert not box.is_running
    assert panel.is_playing
    qtbot.waitUntil(lambda: len(panel.takes) == 2, timeout=15000)
    assert panel.takes[0].take.provenance.extra.get("play_along") == "trade"
    qtbot.waitUntil(lambda: not panel.is_playing, timeout=10000)
    assert fake_port.sounding() == set()


def test_an_input_that_cannot_be_opened_is_told_and_nothing_starts(
    box_window, qtbot, fake_port, monkeypatch
):
    from jazzgui.errors import PortError

    def refuse(name):
        raise PortError(f"The MIDI input {name!r} cannot be opened: it is busy.")

    window, panel, box = box_window
    monkeypatch.setattr(play_along_box, "_open_input", refuse)
    _choose(box.input_combo, "First keys")
    qtbot.mouseClick(box.start_button, LEFT)
    assert not box.is_running
    assert "cannot be opened" in window.status_label.text()
    assert not panel.takes and box.start_button.isEnabled()
    assert not [m for m in fake_port.notes() if m.type == "note_on" and m.velocity]
