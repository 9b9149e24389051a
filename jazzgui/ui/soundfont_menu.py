"""Playback menu: the built-in synth's sound, a SoundFont (found or picked) or its own voices."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from jazzgui.errors import AudioError
from jazzgui.playback.soundfont import NO_SOUNDFONT
from jazzgui.ui.audio_out import AudioOutput
from jazzgui.ui.settings_store import GenerateSettings


class SoundFontMenu(QObject):
    """Applies the stored choice at start and keeps it in `GenerateSettings.soundfont`."""

    status = Signal(str)

    def __init__(self, audio: AudioOutput, settings: GenerateSettings, parent: QWidget) -> None:
        super().__init__(parent)
        self._audio = audio
        self._settings = settings
        self.menu = QMenu("Built-in Synth &Sound", parent)
        self.menu.setToolTipsVisible(True)
        group = QActionGroup(self)
        self.automatic = self._add(
            group,
            "&Automatic",
            "A General MIDI SoundFont found on this computer, else JazzGUI's own voices",
        )
        self.own_voices = self._add(
            group, "JazzGUI's &Own Voices", "The built-in numpy sax, electric piano and bass"
        )
        self.chosen = self._add(
            group, "&SoundFont File…", "Pick a .sf2 or .sf3 General MIDI SoundFont"
        )
        self.automatic.triggered.connect(lambda: self.choose(""))
        self.own_voices.triggered.connect(lambda: self.choose(NO_SOUNDFONT))
        self.chosen.triggered.connect(self.pick_file)
        self._check(settings.soundfont)  # the stored choice loads once the window shows
        self.status_text = ""  # what the last choice told the person

    def _add(self, group: QActionGroup, text: str, tip: str) -> QAction:
        action = QAction(text, self, checkable=True, toolTip=tip, statusTip=tip)
        group.addAction(action)
        self.menu.addAction(action)
        return action

    def pick_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.parent(),
            "Choose a SoundFont",
            self._settings.soundfont,
            "SoundFonts (*.sf2 *.sf3)",
        )
        if path:
            self.choose(path)
        else:
            self._check(self._settings.soundfont)

    def load_stored(self) -> None:
        """Load the remembered choice, on the GUI thread, before the built-in synth can play.

        tinysoundfont holds the GIL while it reads a SoundFont (about 2.5 ms per MB here: 20 ms
        for TimGM6mb, 350 ms for a FluidR3-sized font), so every thread stalls meanwhile. On a
        thread that load froze the window all the same and, landing after Generate, starved
        the audio stream: the take's first second was silent. Here no take can start first.
        """
        try:
            self._audio.set_soundfont(self._settings.soundfont)
        except AudioError as error:
            self.choose("")
            self.status_text = f"{error} {self.status_text}"
            self.status.emit(self.status_text)

    def choose(self, choice: str) -> None:
        """Play the built-in synth through `choice` and remember it; a bad file is told."""
        try:
            said = f"Built-in synth: {self._audio.set_soundfont(choice)}"
        except AudioError as error:
            choice = ""
            said = f"{error} Using {self._audio.set_soundfont(choice)} instead."
        self._settings.soundfont = choice
        self._check(choice)
        self.status_text = said
        self.status.emit(said)

    def _check(self, choice: str) -> None:
        action = {"": self.automatic, NO_SOUNDFONT: self.own_voices}.get(choice, self.chosen)
        action.setChecked(True)
