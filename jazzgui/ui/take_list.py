"""The Generate panel's take list: every take with its settings, stars, and the exports."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from jazzgui.music.events import NoteEvent, Take
from jazzgui.music.progression import Progression
from jazzgui.playback.export import export_take
from jazzgui.ui.settings_store import GenerateSettings
from jazzgui.ui.workers import Worker, WorkerHandle, start_worker

# How long the last note heard of a stopped take is kept at most, in beats (a sixteenth).
_LAST_NOTE_BEATS = 0.25
# kind -> (file dialog filter, suffix)
EXPORTS = {
    "mid": ("MIDI files (*.mid)", ".mid"),
    "musicxml": ("MusicXML files (*.musicxml)", ".musicxml"),
    "wav": ("WAV audio (*.wav)", ".wav"),
}


@dataclass
class TakeEntry:
    """A take in the list, with what made it and whether the person starred it."""

    number: int
    take: Take
    starred: bool = False
    stopped: str = ""  # "stopped" or "interrupted" when the take holds only the bars played

    @property
    def model_name(self) -> str:
        return self.take.provenance.model

    @property
    def seed(self) -> int | None:
        return self.take.provenance.seed

    @property
    def temperature(self) -> float:
        return self.take.provenance.temperature or 0.0


def played_part(
    take: Take, changes: Progression, beat: float | None, heard: Collection[NoteEvent]
) -> Take:
    """What was heard of a take stopped at `beat`: the `heard` notes (those sent), cut at the
    stop, and the bars begun."""
    notes = [e for e in sorted(take.events) if e in heard]
    # Swing and humanising send some notes a little after their beat's position tick.
    stop = max(beat or 0.0, notes[-1].start_beat + _LAST_NOTE_BEATS if notes else 0.0)
    # Bars may differ in meter: the bar sounding at the stop, by the changes' bar starts.
    bars = min(changes.meter_map.index_at(stop - 1e-6) + 1 if stop > 0 else 0, len(changes))
    events = [
        dataclasses.replace(e, duration_beats=min(e.duration_beats, stop - e.start_beat))
        for e in notes
    ]
    played = changes.head(bars)
    extra = {**take.provenance.extra, "stopped": f"after {bars} of {take.bars} bars"}
    return dataclasses.replace(
        take,
        events=events,
        bars=bars,
        bar_meters=tuple(meter.text for meter in played.meters),
        progression_text=played.to_text() if bars else "",
        provenance=dataclasses.replace(take.provenance, extra=extra),
    )


class TakeList(QGroupBox):
    """The takes table with Replay, Star and the exports; writes files in the background."""

    replay_requested = Signal()
    status = Signal(str)
    problem = Signal(str)
    selection_changed = Signal()

    def __init__(self, settings: GenerateSettings, parent: QWidget | None = None) -> None:
        super().__init__("Takes", parent)
        self._settings = settings
        self.takes: list[TakeEntry] = []
        self._export_workers: list[WorkerHandle] = []
        self.table = self._build_table()
        self.replay_button = QPushButton("Replay")
        self.replay_button.setToolTip("Play the selected take again.")
        self.star_button = QPushButton("Star")
        self.star_button.setToolTip("Mark the selected take as a keeper (or unmark it).")
        self.export_midi_button = QPushButton("MIDI…")
        self.export_midi_button.setToolTip("Export the selected take as a MIDI file (Ctrl+E).")
        self.export_xml_button = QPushButton("MusicXML…")
        self.export_xml_button.setToolTip("Export the solo with chord symbols as MusicXML.")
        self.export_wav_button = QPushButton("WAV…")
        self.export_wav_button.setToolTip("Render the selected take to a WAV file.")
        self.midi_swing_check = QCheckBox("Swing in MIDI")
        self.midi_swing_check.setChecked(settings.midi_export_swing)
        self.midi_swing_check.setToolTip(
            "Checked: MIDI exports have the swing you heard in their note times, so a DAW or "
            "another synth plays them as heard. Unchecked: straight note times, with the swing "
            "ratio kept as a text event."
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.replay_button)
        buttons.addWidget(self.star_button)
        buttons.addStretch(1)
        buttons.addWidget(QLabel("Export:"))
        for button in (self.export_midi_button, self.export_xml_button, self.export_wav_button):
            buttons.addWidget(button)
        buttons.addWidget(self.midi_swing_check)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

        self.replay_button.clicked.connect(self.replay_requested)
        self.star_button.clicked.connect(self.toggle_star)
        self.export_midi_button.clicked.connect(lambda: self.export_selected("mid"))
        self.export_xml_button.clicked.connect(lambda: self.export_selected("musicxml"))
        self.export_wav_button.clicked.connect(lambda: self.export_selected("wav"))
        self.midi_swing_check.toggled.connect(self._on_midi_swing_toggled)
        self.table.itemSelectionChanged.connect(self.selection_changed)
        self.table.cellDoubleClicked.connect(lambda *_: self.replay_requested.emit())
        self.update_buttons()

    def _build_table(self) -> QTableWidget:
        table = QTableWidget(0, 8)
        table.setHorizontalHeaderLabels(
            ["★", "Take", "Model", "Seed", "Temp.", "Tempo", "Bars", "Changes"]
        )
        table.verticalHeader().setVisible(False)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)
        table.setToolTip("Every take with its settings. Double-click a take to replay it.")
        return table

    @property
    def buttons(self) -> tuple[QPushButton, ...]:
        """The buttons in tab order."""
        return (
            self.replay_button,
            self.star_button,
            self.export_midi_button,
            self.export_xml_button,
            self.export_wav_button,
        )

    def update_buttons(self) -> None:
        for button in self.buttons:
            button.setEnabled(bool(self.takes))

    def add(self, entry: TakeEntry) -> None:
        """List a finished take and select it."""
        self.takes.append(entry)
        row = self.table.rowCount()
        self.table.insertRow(row)
        take = entry.take
        values = [
            "",
            f"#{entry.number}",
            entry.model_name,
            str(entry.seed),
            f"{entry.temperature:.2f}",
            f"{take.tempo_bpm:g}",
            f"{take.bars} ({entry.stopped})" if entry.stopped else str(take.bars),
            take.provenance.progression,
        ]
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(take.provenance.describe())
            self.table.setItem(row, column, item)
        self.table.selectRow(row)
        self.update_buttons()

    def selected_entry(self) -> TakeEntry | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return self.takes[-1] if self.takes else None
        return self.takes[rows[0].row()]

    def toggle_star(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        entry.starred = not entry.starred
        row = self.takes.index(entry)
        self.table.item(row, 0).setText("★" if entry.starred else "")

    # Export -----------------------------------------------------------------------------------
    def _on_midi_swing_toggled(self, swung: bool) -> None:
        self._settings.midi_export_swing = swung
        self.status.emit(
            "MIDI exports carry the swing in their note times."
            if swung
            else "MIDI exports are written straight (the swing ratio kept as a text event)."
        )

    def export_selected(self, kind: str) -> None:
        """Ask where to write the selected take, then write it in the background."""
        entry = self.selected_entry()
        if entry is None:
            self.problem.emit("There is no take to export yet: press Generate first.")
            return
        file_filter, suffix = EXPORTS[kind]
        folder = Path(self._settings.export_folder or Path.home())
        suggested = folder / f"take-{entry.number}-seed{entry.seed}{suffix}"
        path, _ = QFileDialog.getSaveFileName(self, "Export take", str(suggested), file_filter)
        if not path:
            return
        self._settings.export_folder = str(Path(path).parent)
        if not path.lower().endswith(suffix):
            path += suffix
        self.export_take(entry.take, kind, path)

    def export_take(self, take: Take, kind: str, path: str) -> WorkerHandle:
        """Write a take in the background; the status bar says when it is done."""

        swing, soundfont = self._settings.midi_export_swing, self._settings.soundfont

        def work(report: Callable[[Any], None], cancel: threading.Event) -> str:
            export_take(take, kind, path, swing=swing, soundfont=soundfont)
            return path

        worker = Worker(work)
        worker.finished.connect(self._on_exported)
        worker.failed.connect(self._on_export_failed)
        handle = start_worker(worker, f"export-{kind}")
        self._export_workers = [h for h in self._export_workers if h.running] + [handle]
        self.status.emit(f"Exporting {Path(path).name}…")
        return handle

    def _on_exported(self, path: str) -> None:
        self.status.emit(f"Exported {path}")

    def _on_export_failed(self, message: str) -> None:
        self.problem.emit(f"The export failed. {message}")

    def shutdown(self) -> None:
        """Wait for the exports still being written."""
        for handle in self._export_workers:
            handle.stop_and_wait()
