"""Playing along in the window: answer latency and event-loop stalls while the Play Along box
trades with a fake keyboard.

Usage: python bench/play_along_window.py [--tempo 160] [--choruses 2] [--bars 2]

Drives the real main window (offscreen unless QT_QPA_PLATFORM says otherwise) with the starter
model: the box trades --bars bars over the F blues, a thread plays the person's part into a
fake MIDI input (eighth notes in each of the person's turns, as rtmidi would deliver them),
and the output is a port that swallows messages. Printed: the session's answer latencies
(from the person's phrase closing, a beat before the answer's bar line, to the answer's first
bar ready: target < 20 ms at p99), the set-up time of the Start button (answerer warm-up, input
and player), and the lateness of a 10 ms precise timer on the GUI thread during the session
(target: worst under 50 ms). The load average is printed: the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import mido
from PySide6.QtWidgets import QApplication

sys.path.insert(0, os.path.dirname(__file__))
from ui_stall import NullPort, StallMeter, run_for, summary


class FakeKeyboard(mido.ports.BaseInput):
    """A MIDI input whose notes the bench plays, calling back as rtmidi does."""

    def _open(self, **kwargs) -> None:
        self.callback = None

    def play(self, message: mido.Message) -> None:
        if self.callback is not None:
            self.callback(message)


def play_person(keys: FakeKeyboard, session, bars: int, total_bars: int, tempo: float) -> None:
    """Eighth notes through every turn of the person's, released before the answer is asked."""
    beat_s = 60.0 / tempo
    stop = threading.Event()
    for first in range(0, total_bars, 2 * bars):
        for k in range(bars * 8 - 3):
            beat = first * 4 + k * 0.5
            pitch = 60 + (k * 5) % 12
            for offset, message in (
                (0.0, mido.Message("note_on", note=pitch, velocity=90)),
                (0.4, mido.Message("note_off", note=pitch)),
            ):
                delay = session.beat_zero_time + (beat + offset) * beat_s - time.monotonic()
                if delay > 0 and stop.wait(delay):
                    return
                keys.play(message)


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(int(len(ordered) * 0.99), len(ordered) - 1)]
    return (
        f"median {statistics.median(ordered) * 1e3:.1f} ms, p99 {p99 * 1e3:.1f} ms, "
        f"max {ordered[-1] * 1e3:.1f} ms ({len(ordered)} answers)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tempo", type=int, default=160)
    parser.add_argument("--choruses", type=int, default=2)
    parser.add_argument("--bars", type=int, default=2, choices=(2, 4, 8))
    args = parser.parse_args()
    os.environ["JAZZGUI_CONFIG_DIR"] = tempfile.mkdtemp(prefix="jazzgui-play-along-")

    from jazzgui.music.events import SOLO_CHANNEL, YOU_CHANNEL
    from jazzgui.playback.midi_in import MidiInput
    from jazzgui.ui import play_along_box
    from jazzgui.ui.main_window import MainWindow

    keys = FakeKeyboard("Bench keys")
    play_along_box._list_inputs = lambda: [keys.name]
    play_along_box._virtual_input_supported = lambda: False
    play_along_box._open_input = lambda name: MidiInput(keys)

    QApplication(sys.argv[:1])
    port = NullPort(name="Null synth")
    window = MainWindow(
        port_lister=lambda: [port.name], port_opener=lambda name: port, load_tensorflow=False
    )
    window.show()
    panel = window.generate_panel
    run_for(30, until=lambda: panel._model is not None)
    panel.form_combo.setCurrentIndex(panel.form_combo.findData("blues-f"))
    panel.form_combo.activated.emit(panel.form_combo.currentIndex())
    panel.tempo_spin.setValue(args.tempo)
    panel.choruses_spin.setValue(args.choruses)
    box = panel.play_along_box
    box.setChecked(True)
    box.bars_combo.setCurrentIndex(box.bars_combo.findData(args.bars))

    meter = StallMeter()
    pressed = time.perf_counter()
    box.start_button.click()
    setup_s = time.perf_counter() - pressed
    meter.start()  # the session's own stalls, after the set-up timed above
    session = box.runner.session
    if session is None:
        print(f"the session did not start: {window.status_label.text()}", file=sys.stderr)
        return 1
    run_for(5, until=lambda: session.beat_zero_time is not None)
    total_bars = 12 * args.choruses
    person = threading.Thread(
        target=play_person, args=(keys, session, args.bars, total_bars, args.tempo), daemon=True
    )
    person.start()
    run_for(total_bars * 4 * 60 / args.tempo + 10, until=lambda: len(panel.takes) == 1)
    stalls = meter.stop()
    person.join(timeout=5)
    window.close()

    count, mean, p99, worst = summary(stalls)
    take = panel.takes[0].take if panel.takes else None
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"Start button: session set up in {setup_s * 1e3:.1f} ms (answerer warm-up included)")
    print(f"answers: {_ms(session.answer_latencies)}")
    print(f"GUI timer lateness: {count} ticks, mean {mean:.1f} ms, p99 {p99:.0f}, max {worst:.0f}")
    if take is not None:
        you, solo = len(take.part(YOU_CHANNEL)), len(take.part(SOLO_CHANNEL))
        print(f"take: {you} notes of the person (You), {solo} of JazzGUI (Solo)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
