"""The bridge between the Generate panel and the player: takes in, Qt signals out.

The player (no Qt, its own threads) reports through plain callbacks; `TakePlayer` turns them
into signals the panel's slots receive on the GUI thread, and runs a take stream on the
player's feeder thread so bars are improvised a bar or two ahead of what is heard.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from jazzgui.music.events import NoteEvent, Take
from jazzgui.ui.take_list import TakeEntry
from jazzgui.ui.workers import describe_error

if TYPE_CHECKING:
    import mido

    from jazzgui.model.takes import TakeStream


class TakePlayer(QObject):
    """Owns the player (made on first use) and plays streams and finished takes on a port."""

    position = Signal(float)
    error = Signal(str)
    finished = Signal()
    bar_ready = Signal(object)  # list[NoteEvent] of one bar, as the feeder hands it to the player
    take_done = Signal(object)  # the TakeEntry whose take is complete

    def __init__(self, port: Callable[[], mido.ports.BaseOutput], parent: Any = None) -> None:
        super().__init__(parent)
        self._port = port  # the open output, asked for when it is needed
        self._player: Any = None
        self.feeding = False
        # The beat the player reached last (None before the first): where a stop cuts a take.
        self.last_beat: float | None = None
        self._stream: TakeStream | None = None  # the stream playing; a stopped one goes quiet
        self._heard: set[NoteEvent] = set()  # the stream's notes whose note-on was sent

    @property
    def is_playing(self) -> bool:
        return self._player is not None and bool(self._player.is_playing)

    @property
    def is_generating(self) -> bool:
        return self.feeding and self.is_playing

    def _ensure_player(self) -> Any:
        if self._player is None:
            from jazzgui.playback.player import Player

            self._player = Player(
                self._port(),
                on_error=self._on_error,
                on_position=self._on_position,
                on_note=self._on_note,
                on_finished=self.finished.emit,
            )
        return self._player

    def _on_note(self, event: NoteEvent, on: bool) -> None:
        if on and self._stream is not None:
            self._heard.add(event)

    @property
    def heard(self) -> set[NoteEvent]:
        """The notes of the stream playing (or just stopped) that were sent to the output."""
        return set(self._heard)

    def _on_position(self, beat: float) -> None:
        self.last_beat = float(beat)
        self.position.emit(float(beat))

    def _on_error(self, error: object) -> None:
        self.error.emit(describe_error(error) if isinstance(error, BaseException) else str(error))

    def set_port(self, port: mido.ports.BaseOutput) -> None:
        if self._player is not None:
            self._player.set_port(port)

    def stream(self, entry: TakeEntry, stream: TakeStream) -> None:
        """Improvise and play the take at once; `take_done` brings the entry when complete."""
        take = entry.take
        self.last_beat = None
        self._stream = stream
        self._heard = set()
        self._ensure_player().stream(
            self._bars(entry, stream),
            tempo_bpm=take.tempo_bpm,
            swing=take.swing,
            seed=stream.seed,
            programs=take.programs,
            beats_per_bar=take.meter_map if take.bar_meters else take.beats_per_bar,
        )
        self.feeding = True

    def _bars(self, entry: TakeEntry, stream: TakeStream) -> Iterator[list[NoteEvent]]:
        """Bars as they are sampled, run by the player's feeder thread a bar or two ahead."""
        for bar in stream:
            if stream is not self._stream:
                return  # stopped while this bar was improvised: it was never heard
            events = bar.events
            self.bar_ready.emit(events)
            yield events
        if stream is self._stream:
            self.take_done.emit(entry)

    def play(self, take: Take) -> None:
        """Play a finished take from its start."""
        self.last_beat = None
        self._stream = None
        self._ensure_player().play(take)

    def stop(self) -> None:
        """Stop generating and playing; the player sends the note-offs."""
        self.feeding = False
        self._stream = None
        if self._player is not None:
            self._player.stop()

    def panic(self) -> None:
        """Stop, then silence every channel of the output, whatever it still holds."""
        self.stop()
        if self._player is not None:
            self._player.panic()
        else:
            port = self._port()
            if not port.closed:
                port.panic()

    def close(self) -> None:
        """Stop, send every note-off and end the player's thread."""
        if self._player is not None:
            self._player.stop()
            self._player.close()
            self._player = None
