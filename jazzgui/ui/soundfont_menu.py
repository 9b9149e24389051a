"""Playback menu: the built-in synth's sound, a SoundFont (found or picked) or its own voices."""

from __future__ import annotations

import threading

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
        # Loading a SoundFont takes about a second: not while the window is coming up.
        self._check(settings.soundfont)
        threading.Thread(
            target=self.choose, args=(settings.soundfont, True), name="soundfont", daemon=True
        ).start()

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

    def choose(self, choice: str, quiet: bool = False) -> None:
        """Play the built-in synth through `choice` and remember it; a bad file is told."""
        try:
            sound = self._audio.set_soundfont(choice)
        except AudioError as error:
            self.status.emit(f"{error} Using the automatic choice.")
            choice, sound = "", self._audio.set_soundfont("")
        self._settings.soundfont = choice
        if not quiet:
            self._check(choice)
            self.status.emit(f"Built-in synth: {sound}")

    def _check(self, choice: str) -> None:
        action = {"": self.automatic, NO_SOUNDFONT: self.own_voices}.get(choice, self.chosen)
        action.setChecked(True)
