"""The Generate panel's Play Along box: trade bars or call-and-response from a MIDI keyboard.

The box picks the person's MIDI input (what mido lists, plus the virtual "JazzGUI In" where
the system can make one) and how to play; the changes, tempo, choruses, band, model and output
are the Generate panel's own, read through its public methods. The session runs in
`PlayAlongRunner`; whose turn it is shows in the box and the status bar, the person's notes and
the answers appear on the piano roll as they are played, and the finished (or stopped)
session joins the take list as a take with tracks "You" and "Solo" beside the band.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from jazzgui.errors import JazzGUIError
from jazzgui.ui.play_along_session import PlayAlongRunner
from jazzgui.ui.settings_store import GenerateSettings
from jazzgui.ui.workers import describe_error

if TYPE_CHECKING:
    from jazzgui.music.events import Take
    from jazzgui.playback.midi_in import MidiInput
    from jazzgui.ui.generate_panel import GeneratePanel

log = logging.getLogger(__name__)

TRADE_MODE, CALL_MODE = "trade", "call"  # the engine's mode names (playback.play_along)
_TURN_WORDS = {
    "count-in": "Count-in…",
    "you": "Your turn",
    "answer": "JazzGUI answers",
    "done": "Done",
}


def _list_inputs() -> list[str]:
    from jazzgui.playback.midi_in import list_input_names

    return list_input_names()


def _virtual_input_supported() -> bool:
    from jazzgui.playback.ports import virtual_ports_supported

    try:
        return virtual_ports_supported()
    except Exception:  # a broken MIDI system: simply no virtual input to offer
        log.info("cannot tell whether virtual MIDI inputs are supported", exc_info=True)
        return False


def _open_input(name: str) -> MidiInput:
    from jazzgui.playback.midi_in import open_input

    return open_input(name)


class PlayAlongBox(QGroupBox):
    """A collapsible group: tick its title to show the controls."""

    def __init__(
        self, panel: GeneratePanel, settings: GenerateSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__("Play along", parent)
        self._panel = panel
        self._settings = settings
        self._shut_down = False
        self._changes: Any = None  # the session's changes, choruses repeated
        self.runner = PlayAlongRunner(self)
        self.setCheckable(True)
        self.setChecked(False)
        self.setToolTip(
            "Play a MIDI keyboard with the band: trade bars with JazzGUI, or let it answer "
            "whenever you pause. Uses the changes, tempo, model and output above."
        )
        self._content = QWidget()
        content = QVBoxLayout(self._content)
        content.setContentsMargins(0, 0, 0, 0)
        content.addLayout(self._build_form())
        content.addLayout(self._build_buttons())
        self.turn_label = QLabel("")
        self.turn_label.setProperty("role", "hint")
        content.addWidget(self.turn_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self._content)
        self._content.setVisible(False)
        self._connect()
        self._on_mode_changed()
        self._update_buttons()

    def _build_form(self) -> QFormLayout:
        self.input_combo = QComboBox()
        self.input_combo.setToolTip(
            "Your keyboard (or a program's output). JazzGUI In is a virtual input a keyboard "
            "or program connects to."
        )
        self.input_refresh = QPushButton("Refresh")
        self.input_refresh.setToolTip("List the MIDI inputs again (after plugging a keyboard in).")
        inputs = QHBoxLayout()
        inputs.addWidget(self.input_combo, 1)
        inputs.addWidget(self.input_refresh)
        self.pass_through_check = QCheckBox("Hear my notes")
        self.pass_through_check.setToolTip(
            "Play your notes on the output (channel 4, electric piano); untick it when your "
            "keyboard makes its own sound."
        )
        self.mode_combo = QComboBox()
        self.mode_combo.addItem("Trade bars", TRADE_MODE)
        self.mode_combo.addItem("Call and response", CALL_MODE)
        self.mode_combo.setToolTip(
            "Trade: you play some bars, JazzGUI the next as many. Call and response: JazzGUI "
            "answers whenever you pause; play to cut it short."
        )
        self.bars_combo = QComboBox()
        for bars in (2, 4, 8):
            self.bars_combo.addItem(f"{bars} bars", bars)
        self.bars_combo.setCurrentIndex(1)
        self.bars_combo.setToolTip("Bars per turn when trading: you first, then JazzGUI.")
        self.silence_spin = QDoubleSpinBox()
        self.silence_spin.setRange(0.25, 8.0)
        self.silence_spin.setSingleStep(0.25)
        self.silence_spin.setValue(1.0)
        self.silence_spin.setSuffix(" beats")
        self.silence_spin.setToolTip("Call and response: the rest after which JazzGUI answers.")
        self.count_in_check = QCheckBox("Count-in bar")
        self.count_in_check.setToolTip("One bar of clicks before the form starts.")
        self.clock_check = QCheckBox("Send MIDI clock")
        self.clock_check.setToolTip(
            "Send MIDI clock (24 per beat), Start and Stop on the output, so a DAW follows."
        )
        form = QFormLayout()
        form.addRow("Input", inputs)
        form.addRow("", self.pass_through_check)
        form.addRow("Mode", self.mode_combo)
        form.addRow("Turns", self.bars_combo)
        form.addRow("Answer after", self.silence_spin)
        checks = QHBoxLayout()
        checks.addWidget(self.count_in_check)
        checks.addWidget(self.clock_check)
        form.addRow("", checks)
        return form

    def _build_buttons(self) -> QHBoxLayout:
        self.start_button = QPushButton("Start playing along")
        self.start_button.setToolTip("The band starts; play when the box says it is your turn.")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop the session; it joins the takes as far as it went.")
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button, 2)
        buttons.addWidget(self.stop_button, 1)
        return buttons

    def _connect(self) -> None:
        self.toggled.connect(self._on_expanded)
        self.input_refresh.clicked.connect(self.refresh_inputs)
        self.input_combo.activated.connect(self._on_input_chosen)
        self.pass_through_check.toggled.connect(self._on_pass_through)
        self.mode_combo.currentIndexChanged.connect(self._on_mode_changed)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        panel = self._panel
        panel.panic_button.clicked.connect(self.stop)
        panel.playing_changed.connect(self._on_panel_playing)
        panel.ports.port_changed.connect(self.runner.set_port)
        runner = self.runner
        runner.note.connect(lambda note: panel.piano_roll.add_events([note]))
        runner.answer_bar.connect(panel.piano_roll.add_events)
        runner.position.connect(self._on_position)
        runner.turn.connect(self._on_turn)
        runner.error.connect(self._on_error)
        runner.finished.connect(self._on_finished)
        self.pass_through_check.setChecked(self._settings.pass_through)

    # Inputs -----------------------------------------------------------------------------------
    def _on_expanded(self, expanded: bool) -> None:
        self._content.setVisible(expanded)
        if expanded and self.input_combo.count() == 0:
            self.refresh_inputs()

    def refresh_inputs(self) -> None:
        """List the inputs again, keeping the current (or remembered) one when it is there."""
        from jazzgui.playback.midi_in import VIRTUAL_INPUT_NAME
        from jazzgui.playback.ports import VIRTUAL_PORT_NAME

        keep = self.input_combo.currentData() or self._settings.midi_input
        try:
            names = _list_inputs()
        except (JazzGUIError, OSError) as error:
            names = []
            self._panel.status.emit(f"No MIDI inputs: {error}")
        # JazzGUI's own ports are left out: its virtual output as an input would feed the band
        # back in as the person's notes.
        names = [name for name in names if VIRTUAL_PORT_NAME not in name]
        if _virtual_input_supported():
            names.append(VIRTUAL_INPUT_NAME)
        self.input_combo.clear()
        for name in names:
            self.input_combo.addItem(name, name)
        if not names:
            self.input_combo.addItem("No MIDI input found: connect one, then Refresh", "")
        index = self.input_combo.findData(keep) if keep else -1
        self.input_combo.setCurrentIndex(max(index, 0))
        self._update_buttons()

    def _on_input_chosen(self, _index: int) -> None:
        name = self.input_combo.currentData()
        if name:
            self._settings.midi_input = name
        self._update_buttons()

    def _on_pass_through(self, checked: bool) -> None:
        self._settings.pass_through = checked

    def _on_mode_changed(self, _index: int = 0) -> None:
        trading = self.mode_combo.currentData() == TRADE_MODE
        self.bars_combo.setEnabled(trading)
        self.silence_spin.setEnabled(not trading)

    # The session ------------------------------------------------------------------------------
    @property
    def is_running(self) -> bool:
        return self.runner.running

    def start(self) -> None:
        """Start the band and the session with the panel's changes, model and output."""
        if self.runner.running:
            return
        name = self.input_combo.currentData()
        if not name:
            self._problem("Pick the MIDI input you play on first (connect it, then Refresh).")
            return
        try:
            request, model = self._panel.play_along_request()
        except JazzGUIError as error:
            self._problem(str(error))
            return
        self._panel.stop()
        try:
            self._start_session(name, request, model)
        except (JazzGUIError, RuntimeError, ValueError) as error:
            self._problem(f"Cannot play along: {describe_error(error)}")
            return
        self._settings.midi_input = name
        self._update_buttons()

    def _start_session(self, name: str, request: Any, model: Any) -> None:
        from jazzgui.model.trading import PhraseAnswerer
        from jazzgui.music.events import Provenance
        from jazzgui.playback.play_along import PlayAlongSettings

        changes = request.progression.repeated(request.choruses)
        answerer = PhraseAnswerer(model, changes, request.sampler, seed=request.sampler.seed)
        settings = PlayAlongSettings(
            mode=self.mode_combo.currentData(), bars=int(self.bars_combo.currentData()),
            tempo_bpm=request.tempo_bpm, swing=request.swing,
            count_in=self.count_in_check.isChecked(),
            pass_through=self.pass_through_check.isChecked(),
            silence_beats=self.silence_spin.value(), band_seed=answerer.seed,
            comp=request.comp, bass=request.bass,
        )  # fmt: skip
        problems = settings.validate()
        if problems:
            raise JazzGUIError("; ".join(problems))
        provenance = Provenance(
            model=request.model_name or model.name, seed=answerer.seed,
            temperature=request.sampler.temperature,
            progression=request.progression.text.strip() or request.progression.to_text(),
            extra={"choruses": str(request.choruses)},
        )  # fmt: skip
        midi_input = _open_input(name)
        self._changes = changes
        self._show_frame(changes)
        try:
            self.runner.start(
                self._panel.ports.port, midi_input, changes, answerer, settings,
                midi_clock=self.clock_check.isChecked(), provenance=provenance,
            )  # fmt: skip
        except Exception:
            midi_input.close()
            raise
        self._panel.status.emit(f"Playing along: your notes from {midi_input.name!r}.")
        self._panel.now_playing.setText("Playing along")

    def _show_frame(self, changes: Any) -> None:
        roll = self._panel.piano_roll
        roll.clear(changes.length_beats, changes.beats_per_bar)
        roll.set_chords((s.start_beat, s.duration, str(s.chord)) for s in changes.spans())

    def stop(self) -> None:
        """Stop the session at once; every note is released and the take is kept."""
        if self.runner.running:
            self.runner.stop()
        self._update_buttons()

    def _on_panel_playing(self, playing: bool) -> None:
        if playing:  # the person pressed Generate or Replay: one thing plays at a time
            self.stop()

    def _on_position(self, beat: float) -> None:
        if beat >= 0:
            self._panel.piano_roll.set_playhead(beat)

    def _on_turn(self, role: str) -> None:
        words = _TURN_WORDS.get(role, role)
        self.turn_label.setText(words)
        if role != "done":
            self._panel.status.emit(f"Playing along: {words.lower().rstrip('…')}")

    def _on_error(self, message: str) -> None:
        self.stop()
        self._problem(f"Playing along stopped: {message}")

    def _on_finished(self, take: Take) -> None:
        from jazzgui.music.events import SOLO_CHANNEL, YOU_CHANNEL

        entry = self._panel.add_take(take)
        self._show_frame(self._changes)
        self._panel.piano_roll.add_events(take.events)
        self._panel.now_playing.setText("")
        self.turn_label.setText(f"Take {entry.number} is in the list")
        self._panel.status.emit(
            f"Take {entry.number}: {len(take.part(YOU_CHANNEL))} notes of yours (You), "
            f"{len(take.part(SOLO_CHANNEL))} of JazzGUI (Solo) over {take.bars} bars."
        )
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.runner.running
        self.start_button.setEnabled(not running and bool(self.input_combo.currentData()))
        self.stop_button.setEnabled(running)
        for widget in (self.input_combo, self.input_refresh, self.mode_combo):
            widget.setEnabled(not running)

    def _problem(self, message: str) -> None:
        self._panel.status.emit(message)
        if self._shut_down:
            return  # late news from a session after the window closed: no new windows
        box = QMessageBox(
            QMessageBox.Icon.Warning, "JazzGUI", message, QMessageBox.StandardButton.Ok, self
        )
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()  # not exec(): the band keeps time while the message shows

    def shutdown(self) -> None:
        """Stop the session (every note released) before the window closes."""
        self._shut_down = True
        self.runner.stop()
