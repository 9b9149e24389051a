"""The Generate panel: pick a model and changes, improvise, hear it bar by bar, keep the takes.

The panel composes its parts and runs the take: `GenerateControls` (what to improvise),
`TakePlayer` (playing while improvising), the piano roll, and `TakeList` (takes and exports).
The take itself comes from `jazzgui.model.takes`, exactly as `jazzgui generate` makes it.
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QWidget,
)

from jazzgui.errors import JazzGUIError
from jazzgui.music.events import SOLO_CHANNEL, NoteEvent, Take
from jazzgui.ui.audio_out import AudioOutput
from jazzgui.ui.generate_controls import GenerateControls
from jazzgui.ui.model_slot import ModelSlot
from jazzgui.ui.piano_roll import PianoRollBox
from jazzgui.ui.play_along_box import PlayAlongBox
from jazzgui.ui.ports_widget import PortLister, PortOpener, PortsWidget
from jazzgui.ui.settings_store import GenerateSettings
from jazzgui.ui.take_list import TakeEntry, TakeList, played_part
from jazzgui.ui.take_player import TakePlayer
from jazzgui.ui.workers import WorkerHandle, describe_error

log = logging.getLogger(__name__)

# The parts' widgets, reached through the panel by the window's shortcuts and by tests.
_CONTROL_WIDGETS = (
    "model_combo", "model_info", "form_combo", "meter_combo", "choruses_spin",
    "progression_edit", "progression_error", "progression_info", "tempo_spin", "swing_spin",
    "temperature_spin", "seed_spin", "seed_lock", "seed_dice", "network_only_check",
    "instrument_combo", "comp_check", "bass_check", "generate_button", "stop_button",
    "panic_button",
)  # fmt: skip
_TAKE_LIST_WIDGETS = (
    "replay_button", "star_button", "export_midi_button", "export_xml_button",
    "export_wav_button", "midi_swing_check",
)  # fmt: skip


def _count(number: int, noun: str) -> str:
    """'1 bar', '24 bars'."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _summary(entry: TakeEntry) -> str:
    """'64 solo notes over 24 bars (seed 5)'."""
    solo = sum(1 for e in entry.take.events if e.channel == SOLO_CHANNEL)
    bars = _count(entry.take.bars, "bar")
    return f"{_count(solo, 'solo note')} over {bars} (seed {entry.seed})"


class GeneratePanel(QWidget):
    """Controls on the left, the piano roll and the take list on the right."""

    status = Signal(str)
    model_status = Signal(str)
    playing_changed = Signal(bool)

    def __init__(
        self,
        settings: GenerateSettings,
        audio: AudioOutput,
        port_lister: PortLister | None = None,
        port_opener: PortOpener | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._shut_down = False
        self._was_busy = False
        self._pending_generate = False
        self._current: TakeEntry | None = None
        self._stream: Any = None  # the TakeStream being improvised, until its take is listed
        self._playhead_beat: float | None = None

        self.ports = PortsWidget(audio, settings.port_name, port_lister, port_opener)
        self.controls = GenerateControls(settings, self.ports)
        self.take_list = TakeList(settings)
        self.player = TakePlayer(lambda: self.ports.port, self)
        for name in _CONTROL_WIDGETS:
            setattr(self, name, getattr(self.controls, name))
        for name in _TAKE_LIST_WIDGETS:
            setattr(self, name, getattr(self.take_list, name))
        self.takes = self.take_list.takes
        self.take_table = self.take_list.table
        self.models = ModelSlot(self.controls, settings, self)
        roll_box = PianoRollBox()
        self.piano_roll, self.now_playing = roll_box.piano_roll, roll_box.now_playing
        self._layout(roll_box)
        self._connect()
        self.play_along_box = PlayAlongBox(self, settings)
        controls_layout = self.controls.layout()
        controls_layout.insertWidget(controls_layout.count() - 1, self.play_along_box)

        self._playhead_timer = QTimer(self)
        self._playhead_timer.setInterval(33)
        self._playhead_timer.timeout.connect(self._tick)
        self.controls.apply_settings(settings)
        self._set_tab_order()
        self._update_buttons()

    def _layout(self, roll_box: QGroupBox) -> None:
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setMinimumWidth(370)
        scroll.setMaximumWidth(460)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(roll_box)
        right.addWidget(self.take_list)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        right.setSizes([520, 220])
        right.setChildrenCollapsible(False)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)

    def _connect(self) -> None:
        self.ports.message.connect(self.status)
        self.ports.problem.connect(self._show_problem)
        self.ports.port_changed.connect(self._on_port_changed)
        controls = self.controls
        controls.changes_edited.connect(self._update_buttons)
        self.models.model_status.connect(self.model_status)
        self.models.problem.connect(self._show_problem)
        self.models.hint.connect(self.status)
        self.models.changed.connect(self._update_buttons)
        self.models.ready.connect(self._on_model_ready)
        self.models.failed.connect(self._on_model_failed)
        controls.generate_button.clicked.connect(self.generate)
        controls.stop_button.clicked.connect(self.stop)
        controls.panic_button.clicked.connect(self.panic)
        self.take_list.replay_requested.connect(self.replay_selected)
        self.take_list.selection_changed.connect(self._update_buttons)
        self.take_list.status.connect(self.status)
        self.take_list.problem.connect(self._show_problem)
        self.player.position.connect(self._on_position)
        self.player.error.connect(self._on_player_error)
        self.player.finished.connect(self._on_played_to_the_end)
        self.player.bar_ready.connect(self._on_bar_generated)
        self.player.take_done.connect(self._on_take_generated)

    def _set_tab_order(self) -> None:
        """Tab moves top to bottom through the controls as they appear, then to the takes."""
        c, ports = self.controls, self.ports
        chain = [
            c.model_combo, c.form_combo, c.meter_combo, c.choruses_spin, c.progression_edit,
            c.tempo_spin, c.swing_spin, c.temperature_spin, c.seed_spin, c.seed_lock,
            c.seed_dice, c.network_only_check, c.instrument_combo, c.comp_check, c.bass_check,
            ports.combo, ports.refresh_button, ports.test_button, c.generate_button,
            c.stop_button, c.panic_button,
            self.take_list.table, *self.take_list.buttons,
        ]  # fmt: skip
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def store_settings(self) -> None:
        """Write the panel's values into the settings dataclass it was given."""
        self.controls.store_settings()

    # Models -----------------------------------------------------------------------------------
    @property
    def _model(self) -> Any:
        return self.models.model

    @property
    def _model_key(self) -> str | None:
        return self.models.key

    @property
    def model_name(self) -> str:
        """The loaded model as the status bar names it ("" when none is loaded)."""
        return self.models.name

    def add_model(self, path: str) -> None:
        """Load a model file and select it, e.g. one just trained; it joins the recent models
        once it has loaded."""
        self.models.load(path)

    def browse_model(self) -> None:
        self.models.browse()

    def start(self) -> None:
        """Called once the window shows: list the outputs, load the model in the background."""
        self.ports.refresh()
        self.models.load_selected()

    def _on_model_ready(self) -> None:
        if self._pending_generate:
            self._pending_generate = False
            self.generate()

    def _on_model_failed(self) -> None:
        self._pending_generate = False

    # Generating -------------------------------------------------------------------------------
    @property
    def is_generating(self) -> bool:
        return self.player.is_generating

    @property
    def is_playing(self) -> bool:
        return self.player.is_playing

    def generate(self) -> None:
        """Improvise a new take with the panel's settings and play it as it is generated."""
        if self.controls.progression is None:  # checked as typed: None while there is an error
            self._show_problem(f"Fix the chord changes first: {self.progression_error.text()}")
            return
        if self._model is None or self.models.loading_key is not None:
            if self.models.loading_key is None:
                self.models.load_selected()
            self._pending_generate = True
            self.status.emit("Generating as soon as the model is loaded…")
            return
        self.stop()
        if not self.seed_lock.isChecked():
            self.controls.new_seed()
        from jazzgui.model.takes import TakeStream

        stream = TakeStream(self._model, self.controls.take_request(self._model_key))
        entry = TakeEntry(len(self.takes) + 1, stream.take)
        self._show_take_frame(stream.changes)
        self._current, self._stream = entry, stream
        try:
            self.player.stream(entry, stream)
        except (JazzGUIError, RuntimeError, ValueError) as error:
            self._stream = None
            self._show_problem(describe_error(error))
            return
        self._playhead_beat = 0.0
        self._playhead_timer.start()
        self.status.emit(f"Take {entry.number}: improvising with seed {stream.seed}…")
        self._update_buttons()

    def _show_take_frame(self, progression: Any) -> None:
        self.piano_roll.clear(progression.length_beats, progression.meter_map)
        self.piano_roll.set_chords(
            (span.start_beat, span.duration, str(span.chord)) for span in progression.spans()
        )

    def _on_bar_generated(self, events: list[NoteEvent]) -> None:
        self.piano_roll.add_events(events)

    def _on_take_generated(self, entry: TakeEntry) -> None:
        if entry is not self._current or self._listed(entry):
            return  # stopped meanwhile: its played part is listed already
        self.player.feeding = False
        self._stream = None
        self.take_list.add(entry)
        playing = "; playing" if self.is_playing else ""
        self.status.emit(f"Take {entry.number}: {_summary(entry)}{playing}.")
        self._update_buttons()

    def _listed(self, entry: TakeEntry) -> bool:
        return any(listed is entry for listed in self.takes)

    def _keep_played_part(self, why: str) -> str:
        """List what was heard of the take being improvised, marked `why` ("stopped"); returns
        what the status bar says about it ("" if no take was being improvised)."""
        entry, stream = self._current, self._stream
        self._stream = None
        if entry is None or stream is None or self._listed(entry):
            return ""
        entry.take = played_part(
            stream.take, stream.changes, self.player.last_beat, self.player.heard
        )
        entry.stopped = why
        if not entry.take.bars:
            return f"Take {entry.number} {why} before its first bar: nothing to keep."
        self.take_list.add(entry)
        return (
            f"Take {entry.number} {why} after {entry.take.bars} of {stream.take.bars} bars; "
            "what was played is in the take list."
        )

    def _on_played_to_the_end(self) -> None:
        entry = self._current
        if entry is not None and self._listed(entry) and not self.is_generating:
            self.status.emit(f"Take {entry.number} played to the end: {_summary(entry)}.")
        self._update_buttons()

    def play_along_request(self) -> tuple[Any, Any]:
        """(the TakeRequest the controls ask for, the loaded model) for playing along;
        JazzGUIError says what to do first when the changes have an error or no model is ready."""
        if not self.controls.validate_progression():
            raise JazzGUIError(f"Fix the chord changes first: {self.progression_error.text()}")
        if self._model is None:
            raise JazzGUIError("The model is not loaded yet: wait for it, or pick another one.")
        if not self.seed_lock.isChecked():
            self.controls.new_seed()
        return self.controls.take_request(self._model_key), self._model

    def add_take(self, take: Take) -> TakeEntry:
        """List a take made elsewhere (a play-along session) like a generated one."""
        entry = TakeEntry(len(self.takes) + 1, take)
        self.take_list.add(entry)
        self._update_buttons()
        return entry

    # Playback ---------------------------------------------------------------------------------
    def _tick(self) -> None:
        if self._playhead_beat is not None:
            self.piano_roll.set_playhead(self._playhead_beat)
        if not self.is_playing and not self.is_generating:
            self._playhead_timer.stop()
            self.now_playing.setText("")
            self._update_buttons()
        elif self._current is not None:
            self.now_playing.setText(f"Playing take {self._current.number}")

    def _on_position(self, beat: float) -> None:
        self._playhead_beat = beat

    def _on_player_error(self, message: str) -> None:
        self.player.feeding = False
        kept = self._keep_played_part("interrupted")
        self._show_problem(f"Playback stopped: {message} {kept}".strip())
        self._update_buttons()

    def _on_port_changed(self, port: Any) -> None:
        self.player.set_port(port)
        self._settings.port_name = self.ports.port_name

    def stop(self) -> None:
        """Stop generating and playing (the player sends the note-offs); a take stopped while
        it was improvised joins the list with the bars that were played."""
        was_busy = self.is_playing
        self.player.stop()
        kept = self._keep_played_part("stopped")
        if kept:
            self.status.emit(kept)
        elif was_busy and self._current is not None:
            self.status.emit(f"Take {self._current.number} stopped.")
        self._update_buttons()

    def panic(self) -> None:
        """Stop, then silence every channel of the output, whatever it still holds."""
        self.player.panic()
        kept = self._keep_played_part("stopped")
        self._update_buttons()
        self.status.emit(f"Panic: every note silenced. {kept}".strip())

    def selected_entry(self) -> TakeEntry | None:
        return self.take_list.selected_entry()

    def replay_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        self.stop()
        from jazzgui.music.progression import parse_progression

        take = entry.take
        try:
            progression = parse_progression(take.progression_text, take.beats_per_bar)
            choruses = max(take.bars // max(len(progression), 1), 1)
            self._show_take_frame(progression.repeated(choruses))
            self.piano_roll.add_events(take.events)
            self.player.play(take)
        except (JazzGUIError, RuntimeError, ValueError) as error:
            self._show_problem(describe_error(error))
            return
        self._playhead_beat = 0.0
        self._current = entry
        self._playhead_timer.start()
        self.status.emit(f"Replaying take {entry.number}.")
        self._update_buttons()

    def toggle_star(self) -> None:
        self.take_list.toggle_star()

    def export_selected(self, kind: str) -> None:
        self.take_list.export_selected(kind)

    def export_take(self, take: Take, kind: str, path: str) -> WorkerHandle:
        """Write a take in the background; the status bar says when it is done."""
        return self.take_list.export_take(take, kind, path)

    # State ------------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        busy = self.is_generating or self.is_playing
        if busy != self._was_busy:
            self._was_busy = busy
            self.playing_changed.emit(busy)
        has_model = self._model is not None or self.models.loading_key is not None
        self.generate_button.setEnabled(self.controls.progression is not None and has_model)
        self.stop_button.setEnabled(busy)
        self.take_list.update_buttons()

    def _show_problem(self, message: str) -> None:
        self.status.emit(message)
        if self._shut_down:
            return  # late news from a worker after the window closed: no new windows
        box = QMessageBox(
            QMessageBox.Icon.Warning, "JazzGUI", message, QMessageBox.StandardButton.Ok, self
        )
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()  # not exec(): the app keeps running (and tests keep going)

    def shutdown(self) -> None:
        """Stop generating and playing, send every note-off, and close the player and port."""
        self._shut_down = True
        self._pending_generate = False
        self._playhead_timer.stop()
        self.play_along_box.shutdown()
        self.player.close()
        self.take_list.shutdown()
        self.ports.close_port()
