"""The Qt adapter of a play-along session: the engine's plain callbacks in, signals out.

`PlayAlong` (no Qt) reports from the player's, the session's and the MIDI input's threads;
`PlayAlongRunner` owns the session with its player and input and re-emits those reports as
signals, which Qt delivers to the window's slots on the GUI thread. When the session ends
(last chorus, Stop, an error or the window closing) every note is released, the input is
closed and `finished` brings the take.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal

from jazzgui.ui.workers import describe_error

if TYPE_CHECKING:
    import mido

    from jazzgui.music.events import NoteEvent, Provenance
    from jazzgui.music.progression import Progression
    from jazzgui.playback.midi_in import MidiInput
    from jazzgui.playback.play_along import Answerer, PlayAlong, PlayAlongSettings

log = logging.getLogger(__name__)


class PlayAlongRunner(QObject):
    """Runs one session at a time on its own player; safe to stop from anywhere, twice."""

    note = Signal(object)  # a NoteEvent of the person's, once released (beats of the changes)
    answer_bar = Signal(object)  # list[NoteEvent]: one bar of JazzGUI's answer as it is made
    position = Signal(float)  # the beat of the changes heard now (negative in the count-in)
    turn = Signal(str)  # the role of the bar that starts: count-in, you, answer, done
    error = Signal(str)
    finished = Signal(object)  # the session's Take, once it ended and every note is off
    _ended = Signal(object)  # the PlayAlong that ended, from its threads to the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session: PlayAlong | None = None
        self._player: Any = None
        self._input: MidiInput | None = None
        self._offset = 0.0
        self._switch_interval: float | None = None  # the interpreter's, while a session runs
        self._ended.connect(self._on_ended, type=Qt.ConnectionType.QueuedConnection)

    @property
    def running(self) -> bool:
        return self.session is not None

    def start(
        self,
        port: mido.ports.BaseOutput,
        midi_input: MidiInput,
        changes: Progression,
        answer: Answerer,
        settings: PlayAlongSettings,
        midi_clock: bool = False,
        provenance: Provenance | None = None,
    ) -> None:
        """Start the band and the session; the input's notes go to the session from now on.
        The runner owns `midi_input` from here, and closes it when the session ends."""
        from jazzgui.cli.trade import SWITCH_INTERVAL_S
        from jazzgui.playback.clock import MidiClock
        from jazzgui.playback.play_along import PlayAlong
        from jazzgui.playback.player import Player

        if self.session is not None:
            raise RuntimeError("A play-along session is already running: stop it first")
        self._offset = float(changes.beats_per_bar if settings.count_in else 0)
        self._player = Player(
            port,
            on_error=lambda error: self.error.emit(describe_error(error)),
            on_position=lambda beat: self.position.emit(float(beat) - self._offset),
        )
        session = PlayAlong(
            self._player, changes, self._reporting(answer), settings,
            midi_clock=MidiClock(self._player.send) if midi_clock else None,
            provenance=provenance,
        )  # fmt: skip
        session.on_note = self._on_note
        session.on_state = lambda role: self._on_state(session, role)
        session.on_error = lambda error: self.error.emit(describe_error(error))
        self.session, self._input = session, midi_input
        # As in `jazzgui trade`: the threads that keep time and answer get the interpreter
        # back at once when they wake, not after the GUI thread's 5 ms slice.
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        midi_input.handler = session.person_message
        try:
            session.start()
        except Exception:
            midi_input.handler = None
            session.stop()
            self._close(keep=False)
            raise

    def _reporting(self, answer: Answerer) -> Answerer:
        """The answerer, with each bar it makes also shown (the piano roll draws it)."""

        def answer_and_show(
            phrase: Sequence[NoteEvent], phrase_bars: range, answer_bars: range
        ) -> Iterator[Sequence[NoteEvent]]:
            for events in answer(phrase, phrase_bars, answer_bars):
                self.answer_bar.emit(list(events))
                yield events

        return answer_and_show

    def _on_note(self, note: NoteEvent, pressed: bool) -> None:
        if not pressed:
            self.note.emit(note)

    def _on_state(self, session: PlayAlong, role: str) -> None:
        from jazzgui.playback.play_along import DONE

        self.turn.emit(role)
        if role == DONE:
            self._ended.emit(session)

    def _on_ended(self, session: PlayAlong) -> None:
        if session is self.session:  # not news of a session already closed by stop()
            self._close()

    def set_port(self, port: mido.ports.BaseOutput) -> None:
        """Follow the output the person picked (the player releases its notes on the old one)."""
        if self._player is not None:
            self._player.set_port(port)

    def stop(self) -> None:
        """Stop now: answers, band, clock and the person's pass-through; every note released."""
        if self._input is not None:
            self._input.handler = None  # no note passed through after the note-offs
        if self.session is not None:
            self.session.stop()
        self._close()

    def _close(self, keep: bool = True) -> None:
        """Release the session's input and player; `finished` brings its take if `keep`."""
        session, self.session = self.session, None
        if session is None:
            return
        session.stop()  # a finished session is already stopped: this only joins its thread
        if self._input is not None:
            self._input.close()
            self._input = None
        if self._player is not None:
            self._player.close()
            self._player = None
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None
        if keep:
            self.finished.emit(session.take())
