"""Output port chooser: the MIDI outputs mido finds, JazzGUI's own virtual output where the
system can make one, and the built-in synth; refresh, test note."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QWidget

from jazzgui.errors import PortError
from jazzgui.ui.audio_out import BUILT_IN_SYNTH_NAME, AudioOutput

if TYPE_CHECKING:
    import mido

log = logging.getLogger(__name__)

PortLister = Callable[[], list[str]]
# How often an open MIDI output is looked for among the system's outputs: rtmidi sends into a
# vanished destination without any error, so a synth that was closed is only seen this way.
PORT_CHECK_MS = 2000
PortOpener = Callable[[str], "mido.ports.BaseOutput"]
# The virtual output "JazzGUI" as the picker lists and the settings remember it. The port it
# creates is a source other programs read from, so it is never among the outputs listed.
VIRTUAL_OUTPUT = "JazzGUI (virtual output)"


def _list_ports() -> list[str]:
    from jazzgui.playback.ports import list_output_names

    return list_output_names()


def _open_port(name: str) -> mido.ports.BaseOutput:
    from jazzgui.playback.ports import open_output, open_virtual_output

    return open_virtual_output() if name == VIRTUAL_OUTPUT else open_output(name)


def _virtual_supported() -> bool:
    from jazzgui.playback.ports import virtual_ports_supported

    try:
        return virtual_ports_supported()
    except Exception:  # a broken MIDI system: simply no virtual output to offer
        log.info("cannot tell whether virtual MIDI outputs are supported", exc_info=True)
        return False


class PortsWidget(QWidget):
    """Picks and owns the open output port; the built-in synth is always offered."""

    port_changed = Signal(object)  # the newly opened mido output port
    message = Signal(str)  # something the person should read (status bar)
    problem = Signal(str)  # an error in words

    def __init__(
        self,
        audio: AudioOutput,
        preferred: str = "",
        lister: PortLister | None = None,
        opener: PortOpener | None = None,
        parent: QWidget | None = None,
        virtual_supported: Callable[[], bool] = _virtual_supported,
    ) -> None:
        super().__init__(parent)
        self._audio = audio
        self._lister = lister or _list_ports
        self._opener = opener or _open_port
        self._virtual_supported = virtual_supported
        self._port: mido.ports.BaseOutput | None = None
        self._port_name = ""
        self._preferred = preferred

        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(18)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setToolTip(
            "Where the solo is played: a MIDI output (a software or hardware synth), or the "
            "built-in synth when no MIDI output exists."
        )
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Look for MIDI outputs again (after starting a synth).")
        self.test_button = QPushButton("Test note")
        self.test_button.setToolTip("Play a short C major arpeggio on the selected output.")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.refresh_button)
        layout.addWidget(self.test_button)

        self._presence_timer = QTimer(self)
        self._presence_timer.setInterval(PORT_CHECK_MS)
        self._presence_timer.timeout.connect(self.check_port_present)

        self.refresh_button.clicked.connect(self.refresh)
        self.test_button.clicked.connect(self.test_note)
        self.combo.activated.connect(self._on_activated)

    # Listing ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """List the outputs again, keeping the current choice when it is still there."""
        keep = self._port_name or self._preferred
        try:
            names = self._lister()
        except PortError as error:
            names = []
            self.message.emit(f"No MIDI outputs: {error}")
        except Exception as error:  # a broken MIDI system must not stop the app
            log.exception("listing MIDI outputs failed")
            names = []
            self.message.emit(f"No MIDI outputs: {error}")
        self.combo.blockSignals(True)
        self.combo.clear()
        for name in names:
            self.combo.addItem(name, name)
        if self._virtual_supported():
            self.combo.addItem(VIRTUAL_OUTPUT, VIRTUAL_OUTPUT)
            self.combo.setItemData(
                self.combo.count() - 1,
                "A MIDI output named JazzGUI that a synth or DAW connects to (e.g. with aconnect, "
                "or as a DAW track's input)",
                Qt.ItemDataRole.ToolTipRole,
            )
        self.combo.addItem(BUILT_IN_SYNTH_NAME, BUILT_IN_SYNTH_NAME)
        self.combo.setItemData(
            self.combo.count() - 1,
            "JazzGUI's own simple synth, played through the computer's audio output (no MIDI "
            "needed)",
            Qt.ItemDataRole.ToolTipRole,
        )
        index = self.combo.findData(keep) if keep else -1
        if index < 0:
            index = self._default_index(names)
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)
        if self.combo.currentData() != self._port_name:
            self._select(self.combo.currentData())

    def _default_index(self, names: list[str]) -> int:
        from jazzgui.playback.ports import default_output_name

        name, why = default_output_name(names)
        if name is None:
            self.message.emit(f"Using the built-in synth: {why}")
            return self.combo.findData(BUILT_IN_SYNTH_NAME)
        self.message.emit(f"MIDI output {why}")
        return self.combo.findData(name)

    # Opening ----------------------------------------------------------------------------------
    def _on_activated(self, _index: int) -> None:
        self._select(self.combo.currentData())

    def _select(self, name: str) -> None:
        try:
            port = self._open(name)
        except PortError as error:
            port = self._open(BUILT_IN_SYNTH_NAME)
            name = BUILT_IN_SYNTH_NAME
            self.combo.setCurrentIndex(self.combo.findData(name))
            self.problem.emit(f"{error} Playing through the built-in synth instead.")
        old = self._port
        self._port, self._port_name = port, name
        if name in (BUILT_IN_SYNTH_NAME, VIRTUAL_OUTPUT):
            self._presence_timer.stop()  # ours: they cannot vanish under us
        else:
            self._presence_timer.start()
        self.port_changed.emit(port)
        if old is not None and old is not port:
            from jazzgui.playback.ports import close_output

            close_output(old)

    def _open(self, name: str) -> mido.ports.BaseOutput:
        if name == BUILT_IN_SYNTH_NAME:
            if not self._audio.start():
                self.message.emit(f"Built-in synth: {self._audio.problem}")
            return self._audio.open_port()
        return self._opener(name)

    @property
    def port(self) -> mido.ports.BaseOutput:
        """The open output (opening the chosen one on first use)."""
        if self._port is None:
            self.refresh()
        assert self._port is not None
        return self._port

    @property
    def port_name(self) -> str:
        return self._port_name

    def test_note(self) -> None:
        """A short arpeggio, so the person hears whether the output works."""
        port = self.port
        for i, note in enumerate((60, 64, 67, 72)):
            QTimer.singleShot(i * 140, lambda n=note: self._send(port, "note_on", n, 90))
            QTimer.singleShot(i * 140 + 400, lambda n=note: self._send(port, "note_off", n, 0))

    def _send(self, port: mido.ports.BaseOutput, kind: str, note: int, velocity: int) -> None:
        if port.closed:
            return
        import mido

        try:
            port.send(mido.Message(kind, note=note, velocity=velocity, channel=0))
        except Exception as error:  # a vanished port raises backend-specific errors
            self.problem.emit(f"The output {self._port_name!r} stopped working: {error}")

    def check_port_present(self) -> None:
        """Fall back to the built-in synth, and say so, when the open MIDI output has gone."""
        name = self._port_name
        if not name or name in (BUILT_IN_SYNTH_NAME, VIRTUAL_OUTPUT):
            return
        try:
            present = name in self._lister()
        except Exception:  # the MIDI system itself went away: the output is gone too
            log.info("listing MIDI outputs failed while checking %r", name, exc_info=True)
            present = False
        if present:
            return
        self.refresh()
        self.problem.emit(
            f"The MIDI output {name!r} has gone (the synth was closed or unplugged). "
            "Playing through the built-in synth instead; press Refresh once it is back."
        )

    def close_port(self) -> None:
        self._presence_timer.stop()
        if self._port is not None:
            from jazzgui.playback.ports import close_output

            close_output(self._port)
            self._port = None
            self._port_name = ""
