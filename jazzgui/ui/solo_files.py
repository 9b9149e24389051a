"""The Train panel's solo files: each file's report, its track and bar-range overrides.

Files are read in worker processes as they are added (ui/solo_reader.py), each row filling in
as its file finishes; a cell edited to another track or bar range reads its file again, and only
the answer to a file's latest request is shown. The overrides are kept with the file list in
the settings. The corpus to train on is assembled from these reports.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
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

from jazzgui.music.defaults import SOLO_SUFFIXES
from jazzgui.music.selection import BarRangeError, parse_bar_range, parse_track
from jazzgui.music.wording import plural
from jazzgui.ui.settings_store import FileOverride, TrainSettings
from jazzgui.ui.solo_reader import SoloReader
from jazzgui.ui.style import PALETTE

COL_FILE, COL_REPORT, COL_TRACK, COL_BARS, COL_NOTES, COL_CHORDS, COL_TRACK_SET, COL_RANGE = range(
    8
)
_HEADERS = ["File", "Report", "Melody track", "Bars", "Notes", "Chords", "Track", "Bar range"]


def _load_entry(
    path: str, track: int | str | None, bars: tuple[int, int] | None, snap: bool
) -> Any:
    from jazzgui.music.corpus import build_corpus

    return build_corpus([path], track=track, bars=bars, snap=snap, workers=1).entries[0]


class SoloFileList(QGroupBox):
    """The solo files table with its buttons and summary; `changed` after every update."""

    changed = Signal()
    status = Signal(str)
    problem = Signal(str)

    def __init__(self, settings: TrainSettings, parent: QWidget | None = None) -> None:
        super().__init__("Solo files", parent)
        self._settings = settings
        self._entries: dict[str, Any] = {}  # path -> CorpusEntry for its current overrides
        self._requests: dict[str, int] = {}  # path -> its latest read request, until answered
        self._batch = 0  # requests since the reading last went idle (the progress bar's total)
        self.snap = True  # the new kind of network learns from files put on their grid
        self.reader = SoloReader(parent=self)
        self.reader.entry_read.connect(self._on_entry_read)
        self._build()

    def _build(self) -> None:
        self.add_files_button = QPushButton("Add Files…")
        self.add_files_button.setToolTip(
            "Add MIDI or MusicXML solos (Ctrl+O). You can also drop files here."
        )
        self.add_folder_button = QPushButton("Add Folder…")
        self.add_folder_button.setToolTip(
            "Add every MIDI and MusicXML file in a folder and its subfolders."
        )
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected files from the list.")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove every file from the list.")
        buttons = QHBoxLayout()
        for button in (self.add_files_button, self.add_folder_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.clear_button)

        self.table = QTableWidget(0, len(_HEADERS))
        self.table.setHorizontalHeaderLabels(_HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_REPORT, QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip(
            "What JazzGUI read from each file. Edit Track (a number or name) or Bar range "
            "(like 9-40) to choose another melody track or only part of the solo."
        )
        for column, tip in (
            (
                COL_TRACK_SET,
                "Melody track override: a track number or name; blank picks automatically",
            ),
            (COL_RANGE, "Bars to learn from, like 9-40; blank takes the whole file"),
        ):
            self.table.horizontalHeaderItem(column).setToolTip(tip)
        self.summary = QLabel("Drop MIDI or MusicXML solos here, or use Add Files.")
        self.summary.setProperty("role", "hint")
        self.summary.setWordWrap(True)
        # A label, not a QProgressBar: a progress bar repaints the window at once on every
        # change, which stalled the event loop for up to 0.1 s while 19 files came in.
        self.reading_progress = QLabel()
        self.reading_progress.setToolTip("Files read so far; Remove or Clear stops their reading.")
        self.reading_progress.setVisible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.reading_progress)
        layout.addWidget(self.summary)

        self.add_files_button.clicked.connect(self.add_files_dialog)
        self.add_folder_button.clicked.connect(self.add_folder_dialog)
        self.remove_button.clicked.connect(self.remove_selected)
        self.clear_button.clicked.connect(self.clear_files)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._on_selection)

    def _on_selection(self) -> None:
        self.changed.emit()

    @property
    def has_usable(self) -> bool:
        """Whether a file can be trained on (usable, or still being read)."""
        return any(e.ok for e in self._entries.values()) or (
            self.table.rowCount() > len(self._entries)
        )

    @property
    def is_reading(self) -> bool:
        """Whether a file's report is still being read."""
        return bool(self._requests)

    @property
    def has_selection(self) -> bool:
        return bool(self.table.selectionModel().selectedRows())

    def paths(self) -> list[str]:
        return [
            self.table.item(row, COL_FILE).data(Qt.ItemDataRole.UserRole)
            for row in range(self.table.rowCount())
        ]

    def add_files_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Add solo files",
            self._settings.last_folder,
            f"Solos ({' '.join('*' + suffix for suffix in SOLO_SUFFIXES)});;All files (*)",
        )
        if files:
            self._settings.last_folder = str(Path(files[0]).parent)
            self.add_paths(files)

    def add_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Add a folder of solos", self._settings.last_folder
        )
        if folder:
            self._settings.last_folder = folder
            self.add_paths([folder])

    def add_paths(self, paths: list[str]) -> None:
        """Add files (folders are searched) and read each one's report in the background."""
        from jazzgui.music.corpus import expand_paths

        known = set(self.paths())
        new = [str(p) for p in expand_paths(paths) if str(p) not in known]
        if not new:
            self.status.emit("No new solo files found there.")
            return
        self.table.blockSignals(True)
        jobs = []
        for path in new:
            row = self.table.rowCount()
            self.table.insertRow(row)
            item = QTableWidgetItem(Path(path).name)
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, COL_FILE, item)
            for column in range(1, len(_HEADERS)):
                cell = QTableWidgetItem("reading…" if column == COL_REPORT else "")
                if column not in (COL_TRACK_SET, COL_RANGE):
                    cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, column, cell)
            jobs.append((path, *self._restore_overrides(row, path)))
        self.table.blockSignals(False)
        self._scan(jobs)
        self._update_summary()
        self.changed.emit()

    def _restore_overrides(
        self, row: int, path: str
    ) -> tuple[int | str | None, tuple[int, int] | None]:
        """Put the file's remembered overrides in its row; those that no longer parse go."""
        kept = self._settings.file_overrides.get(path, FileOverride())
        for column, text in ((COL_TRACK_SET, kept.track), (COL_RANGE, kept.bars)):
            self.table.item(row, column).setText(text)
        try:
            return self._overrides(row)
        except BarRangeError:
            self.table.item(row, COL_RANGE).setText("")
            return self._overrides(row)

    def _scan(self, jobs: list[tuple[str, Any, Any]]) -> None:
        """Ask for each file's report; a newer request for a file replaces an older one."""
        for path, track, bars in jobs:
            self._requests[path] = self.reader.request(path, track, bars, self.snap)
            self._batch += 1
        self._update_progress()

    def _update_progress(self) -> None:
        if not self._requests:
            self._batch = 0
        self.reading_progress.setVisible(bool(self._requests))
        done = self._batch - len(self._requests)
        self.reading_progress.setText(f"Reading: {done} of {plural(self._batch, 'file')} done…")

    def _on_entry_read(self, request_id: int, path: str, entry: Any) -> None:
        if self._requests.get(path) != request_id:
            return  # an older request's answer, or a file removed meanwhile: a newer one wins
        del self._requests[path]
        self._update_progress()
        self._on_entry((path, entry))

    def set_snap(self, snap: bool) -> None:
        """Read files for a network that wants them on their grid (snap) or as they are."""
        if snap == self.snap:
            return
        self.snap = snap
        for row in range(self.table.rowCount()):
            self._read_row_again(row)

    def _read_row_again(self, row: int) -> bool:
        path = self.table.item(row, COL_FILE).data(Qt.ItemDataRole.UserRole)
        try:
            track, bars = self._overrides(row)
        except BarRangeError as error:
            self.problem.emit(f"{Path(path).name}: {error}.")
            return False
        self._entries.pop(path, None)
        self.table.item(row, COL_REPORT).setText("reading…")
        self._scan([(path, track, bars)])
        self._update_summary()
        self.changed.emit()
        return True

    def _row_of(self, path: str) -> int:
        for row in range(self.table.rowCount()):
            if self.table.item(row, COL_FILE).data(Qt.ItemDataRole.UserRole) == path:
                return row
        return -1

    def _on_entry(self, item: tuple[str, Any]) -> None:
        path, entry = item
        row = self._row_of(path)
        if row < 0:
            return  # removed while it was being read
        self._entries[path] = entry
        self.table.blockSignals(True)
        report = self.table.item(row, COL_REPORT)
        if entry.ok:
            sheet = entry.sheet
            chords = len(sheet.progression.spans())
            report.setText(f"OK · {plural(entry.token_count, 'token')}")
            report.setForeground(QBrush(QColor(PALETTE["ok"])))
            report.setToolTip(
                f"Read in {entry.seconds:.2f} s; chords from {sheet.chord_source or 'the file'}; "
                f"first bar {sheet.first_bar}; {sheet.tempo_bpm:.0f} bpm"
            )
            self.table.item(row, COL_TRACK).setText(sheet.melody_track)
            self.table.item(row, COL_TRACK).setToolTip(sheet.track_reason or sheet.melody_track)
            self.table.item(row, COL_BARS).setText(str(sheet.bars))
            self.table.item(row, COL_NOTES).setText(str(sheet.note_count))
            self.table.item(row, COL_CHORDS).setText(str(chords))
        else:
            message = entry.error or "no music was found"
            # The row already names the file: show the problem and the advice.
            prefix = f"{entry.path}: "
            report.setText(message[len(prefix) :] if message.startswith(prefix) else message)
            report.setForeground(QBrush(QColor(PALETTE["danger"])))
            report.setToolTip(message)
            for column in (COL_TRACK, COL_BARS, COL_NOTES, COL_CHORDS):
                self.table.item(row, column).setText("")
        self.table.blockSignals(False)
        self.table.resizeRowToContents(row)
        self._update_summary()
        self.changed.emit()

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() not in (COL_TRACK_SET, COL_RANGE):
            return
        if not self._read_row_again(item.row()):
            self.table.blockSignals(True)
            item.setText("")
            self.table.blockSignals(False)
        self.store_overrides()

    def _overrides(self, row: int) -> tuple[int | str | None, tuple[int, int] | None]:
        track = parse_track(self.table.item(row, COL_TRACK_SET).text())
        return track, parse_bar_range(self.table.item(row, COL_RANGE).text())

    def remove_selected(self) -> None:
        rows = sorted(
            {index.row() for index in self.table.selectionModel().selectedRows()}, reverse=True
        )
        for row in rows:
            path = self.table.item(row, COL_FILE).data(Qt.ItemDataRole.UserRole)
            self._entries.pop(path, None)
            self._requests.pop(path, None)  # its answer, if it comes, is dropped
            self.table.removeRow(row)
        if not self._requests:
            self.reader.cancel_all()
        self.store_overrides()
        self._update_progress()
        self._update_summary()
        self.changed.emit()

    def clear_files(self) -> None:
        self.table.setRowCount(0)
        self._entries.clear()
        self._requests.clear()
        self.reader.cancel_all()
        self.store_overrides()
        self._update_progress()
        self._update_summary()
        self.changed.emit()

    def _update_summary(self) -> None:
        total = self.table.rowCount()
        if not total:
            self.summary.setText("Drop MIDI or MusicXML solos here, or use Add Files.")
            return
        ok = [e for e in self._entries.values() if e.ok]
        bad = sum(1 for e in self._entries.values() if not e.ok)
        waiting = total - len(self._entries)
        parts = [plural(total, "file"), f"{len(ok)} usable"]
        if bad:
            parts.append(f"{bad} with problems (skipped)")
        if waiting:
            parts.append(f"{waiting} being read")
        bars = sum(len(e.bars) for e in ok)
        tokens = sum(e.token_count for e in ok)
        self.summary.setText(
            ", ".join(parts) + f" · {plural(bars, 'bar')}, {plural(tokens, 'token')} to learn from"
        )

    def corpus_builder(self) -> Callable[[], Any]:
        """Assemble the corpus from the reports already read; read any still missing."""
        jobs = []
        for row in range(self.table.rowCount()):
            path = self.table.item(row, COL_FILE).data(Qt.ItemDataRole.UserRole)
            track, bars = self._overrides(row)
            jobs.append((path, track, bars, self._entries.get(path)))
        snap = self.snap

        def build() -> Any:
            from jazzgui.music.corpus import Corpus, Vocabulary

            entries = [
                entry or _load_entry(path, track, bars, snap) for path, track, bars, entry in jobs
            ]
            vocabulary = Vocabulary.from_bars(bar for e in entries if e.ok for bar in e.bars)
            return Corpus(entries, vocabulary)

        return build

    def store_overrides(self) -> None:
        """Keep each listed file's typed overrides in the settings (blank ones are not kept)."""
        kept = {}
        for row in range(self.table.rowCount()):
            path = self.table.item(row, COL_FILE).data(Qt.ItemDataRole.UserRole)
            track = self.table.item(row, COL_TRACK_SET).text().strip()
            bars = self.table.item(row, COL_RANGE).text().strip()
            if track or bars:
                kept[path] = FileOverride(track, bars)
        self._settings.file_overrides = kept

    def shutdown(self) -> None:
        """Forget the reads in progress and end their processes at once."""
        self._requests.clear()
        self.reader.shutdown()
