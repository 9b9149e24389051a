"""The Train panel reads files in worker processes: rows fill in with progress, the newest
override wins, Clear and closing end the reading at once, overrides survive a restart."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading

import mido
import pytest

from jazzgui import limits
from jazzgui.ui.solo_files import COL_BARS, COL_RANGE, COL_REPORT, COL_TRACK_SET


def _write_solo(path, notes, gap_bars=0):
    """A one-track MIDI solo of `notes` eighth notes (and a last note `gap_bars` later)."""
    track = mido.MidiTrack([mido.MetaMessage("track_name", name="Tenor", time=0)])
    eighth = 240  # ticks at 480 per beat
    for i in range(notes):
        pitch = 60 + (i * 5) % 17
        track.append(mido.Message("note_on", note=pitch, velocity=90, time=0))
        track.append(mido.Message("note_off", note=pitch, velocity=0, time=eighth))
    if gap_bars:
        track.append(mido.Message("note_on", note=67, velocity=90, time=gap_bars * 4 * 480))
        track.append(mido.Message("note_off", note=67, velocity=0, time=eighth))
    mido.MidiFile(ticks_per_beat=480, tracks=[track]).save(path)
    return path


@pytest.fixture
def long_solo(tmp_path):
    """A file long enough that reading it takes a while (2,500 bars of eighth notes)."""
    return _write_solo(tmp_path / "marathon.mid", 20_000)


def _reading_threads():
    return [t for t in threading.enumerate() if "_handle_" in t.name]


def test_rows_fill_in_with_progress_and_a_file_too_long_for_a_solo_is_reported(
    make_window, qtbot, reference_midi, tmp_path
):
    too_long = _write_solo(tmp_path / "endless.mid", 8, gap_bars=limits.MAX_BARS + 100)
    panel = make_window().train_panel
    panel.add_paths([str(reference_midi), str(too_long)])
    files = panel.files
    assert files.is_reading
    assert not files.reading_progress.isHidden()
    assert files.reading_progress.text() == "Reading: 0 of 2 files done…"
    assert panel.table.item(1, COL_REPORT).text() == "reading…"
    qtbot.waitUntil(lambda: not files.is_reading, timeout=60000)

    assert files.reading_progress.isHidden()
    assert panel.table.item(0, COL_REPORT).text().startswith("OK")
    report = panel.table.item(1, COL_REPORT).text()
    assert f"more than {limits.MAX_BARS}" in report
    assert "Choose the bars" in report
    assert "2 files, 1 usable" in panel.summary.text()


def test_the_newest_override_wins_over_an_older_read(make_window, qtbot, reference_midi):
    panel = make_window().train_panel
    files = panel.files
    answers = []
    files.reader.entry_read.connect(lambda *answer: answers.append(answer))
    panel.add_paths([str(reference_midi)])
    # Typed while the first read runs: a bar range, then at once another one.
    panel.table.item(0, COL_RANGE).setText("20-59")
    panel.table.item(0, COL_RANGE).setText("1-8")
    qtbot.waitUntil(lambda: len(answers) == 3, timeout=60000)
    path = str(reference_midi)
    assert panel.table.item(0, COL_BARS).text() == "8"
    assert panel._entries[path].sheet.first_bar == 1

    # The older reads' answers arriving last (in any order) change nothing.
    newest = max(request for request, _, _ in answers)
    for request, answer_path, entry in [a for a in answers if a[0] != newest]:
        files.reader.entry_read.emit(request, answer_path, entry)
    assert panel.table.item(0, COL_BARS).text() == "8"
    assert panel._entries[path].sheet.first_bar == 1
    assert len(panel._entries[path].bars) == 8


def test_clear_during_a_long_read_ends_the_reading_processes(make_window, qtbot, long_solo):
    panel = make_window().train_panel
    panel.add_paths([str(long_solo)])
    qtbot.waitUntil(lambda: bool(multiprocessing.active_children()), timeout=10000)
    assert panel.files.is_reading
    qtbot.mouseClick(panel.clear_button, qtbot_left())
    assert panel.table.rowCount() == 0
    assert not panel.files.is_reading
    assert not panel.files.reader.running
    assert not multiprocessing.active_children()
    assert not _reading_threads()
    assert "Drop MIDI" in panel.summary.text()


def test_closing_the_window_during_a_long_read_ends_it_at_once(make_window, qtbot, long_solo):
    window = make_window()
    panel = window.train_panel
    panel.add_paths([str(long_solo)])
    qtbot.waitUntil(lambda: bool(multiprocessing.active_children()), timeout=10000)
    assert panel.table.item(0, COL_REPORT).text() == "reading…"
    window.close()
    assert not window.isVisible()
    assert not panel.files.reader.running
    assert not multiprocessing.active_children()
    assert not _reading_threads()


def test_a_reading_process_that_dies_gets_its_file_a_report_not_a_wait(
    make_window, qtbot, reference_midi, long_solo
):
    panel = make_window().train_panel
    files = panel.files
    started: dict[int, int] = {}
    files.reader.reading_started.connect(lambda request, pid: started.__setitem__(request, pid))
    panel.add_paths([str(long_solo), str(reference_midi)])
    marathon = files._requests[str(long_solo)]
    qtbot.waitUntil(lambda: marathon in started, timeout=30000)
    # Stopped mid-read, then killed, as the system's out-of-memory killer would.
    os.kill(started[marathon], signal.SIGSTOP)
    os.kill(started[marathon], signal.SIGKILL)

    qtbot.waitUntil(lambda: not files.is_reading, timeout=30000)
    report = panel.table.item(0, COL_REPORT).text()
    assert "ended before it had read the file" in report and "add it again" in report
    assert panel.table.item(1, COL_REPORT).text().startswith("OK")
    assert "2 files, 1 usable" in panel.summary.text()
    assert panel.train_button.isEnabled()

    # Added again, it is read by a new process (killed no more, it is read to the end).
    panel.table.selectRow(0)
    qtbot.mouseClick(panel.remove_button, qtbot_left())
    panel.add_paths([str(long_solo)])
    qtbot.waitUntil(lambda: not files.is_reading, timeout=60000)
    assert "ended before" not in panel.table.item(1, COL_REPORT).text()


def test_overrides_are_kept_with_the_files_across_a_restart(make_window, qtbot, reference_midi):
    path = str(reference_midi)
    window = make_window()
    panel = window.train_panel
    panel.add_paths([path])
    panel.table.item(0, COL_RANGE).setText("20-59")
    qtbot.waitUntil(lambda: panel.table.item(0, COL_BARS).text() == "40", timeout=60000)
    window.close()

    window = make_window()
    panel = window.train_panel
    assert panel.paths() == [path]
    assert panel.table.item(0, COL_RANGE).text() == "20-59"
    assert panel.table.item(0, COL_TRACK_SET).text() == ""
    qtbot.waitUntil(lambda: path in panel._entries, timeout=60000)
    assert panel.table.item(0, COL_BARS).text() == "40"
    assert panel._entries[path].sheet.first_bar == 20

    panel.table.selectRow(0)
    qtbot.mouseClick(panel.remove_button, qtbot_left())
    window.close()
    assert window.settings.train.file_overrides == {}
    assert window.settings.train.files == []


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
