"""Piano roll of a take: notes coloured by grammar type, band muted, chord lane, playhead."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from jazzgui.music.events import (
    KIND_APPROACH,
    KIND_CHORD,
    KIND_OTHER,
    KIND_SCALE,
    SOLO_CHANNEL,
    YOU_CHANNEL,
    NoteEvent,
)
from jazzgui.music.meter import FOUR_FOUR, MeterMap, meter_for_beats

# Grammar types as a person reads them, with colours that stay apart for colour-blind eyes.
KIND_COLOURS: dict[str, QColor] = {
    KIND_CHORD: QColor("#2f7de1"),
    KIND_SCALE: QColor("#2bb673"),
    KIND_APPROACH: QColor("#f0a020"),
    KIND_OTHER: QColor("#d9455f"),
}
KIND_NAMES: dict[str, str] = {
    KIND_CHORD: "chord tone",
    KIND_SCALE: "scale tone",
    KIND_APPROACH: "approach",
    KIND_OTHER: "other",
}
_SOLO_UNKNOWN = QColor("#7a5cd6")
# The person's own notes when playing along: hollow, with a dark outline, so they stand apart
# from the solo's colours by shape as well as by colour.
YOU_FILL = QColor("#ffffff")
YOU_OUTLINE = QColor("#1f2a3c")
_BAND = QColor(150, 160, 175, 110)
_BACKGROUND = QColor("#fbfbfd")
_BLACK_KEY_ROW = QColor("#eef0f5")
_GRID_BAR = QColor("#b9bfcc")
_GRID_BEAT = QColor("#e1e4ec")
_CHORD_LANE = QColor("#273450")
_PLAYHEAD = QColor("#e0304e")
_BLACK_PCS = {1, 3, 6, 8, 10}

CHORD_LANE_HEIGHT = 26
LEFT_MARGIN = 34


class PianoRollCanvas(QWidget):
    """Draws the notes; sits inside PianoRoll, which scrolls it and follows the playhead."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.pixels_per_beat = 22.0
        self._events: list[NoteEvent] = []
        self._chords: list[tuple[float, float, str]] = []
        self._length_beats = 16.0
        self._bars = MeterMap.uniform(FOUR_FOUR, 1)  # where bar lines fall
        self._playhead: float | None = None
        self._low, self._high = 48, 84

    # Data -----------------------------------------------------------------------------------
    def clear(self, length_beats: float = 16.0, beats_per_bar: int | MeterMap = 4) -> None:
        """Empty the roll for a take of `length_beats`, with bar lines every `beats_per_bar`
        beats, or at the bar starts of a MeterMap (bars of differing meters)."""
        self._events = []
        self._chords = []
        if not isinstance(beats_per_bar, MeterMap):
            beats_per_bar = MeterMap.uniform(meter_for_beats(beats_per_bar), 1)
        self._bars = beats_per_bar
        self._length_beats = max(float(length_beats), float(self._bars.beats(0)))
        self._playhead = None
        self._low, self._high = 48, 84
        self._resize_to_content()
        self.update()

    def bar_starts(self) -> list[float]:
        """The beats where bar lines are drawn, up to the end of the take."""
        starts, index = [], 0
        while (start := self._bars.start(index)) <= self._length_beats:
            starts.append(start)
            index += 1
        return starts

    def set_chords(self, chords: Iterable[tuple[float, float, str]]) -> None:
        """Chord lane entries: (start beat, duration, symbol)."""
        self._chords = list(chords)
        if self._chords:
            end = max(start + length for start, length, _ in self._chords)
            self._length_beats = max(self._length_beats, end)
        self._resize_to_content()
        self.update()

    def add_events(self, events: Iterable[NoteEvent]) -> None:
        new = list(events)
        if not new:
            return
        self._events.extend(new)
        pitches = [e.pitch for e in self._events]
        self._low = min(min(pitches) - 2, 48)
        self._high = max(max(pitches) + 2, 72)
        end = max(e.end_beat for e in new)
        if end > self._length_beats:
            self._length_beats = float(end)
            self._resize_to_content()
        self.update()

    @property
    def events(self) -> list[NoteEvent]:
        return list(self._events)

    @property
    def playhead(self) -> float | None:
        return self._playhead

    def set_playhead(self, beat: float | None) -> None:
        old = self._playhead
        self._playhead = beat
        # Repaint only the strips the playhead left and entered; cheap enough at 30 Hz.
        for value in (old, beat):
            if value is not None:
                x = int(self.beat_to_x(value))
                self.update(x - 3, 0, 6, self.height())

    def zoom(self, factor: float) -> None:
        self.pixels_per_beat = min(max(self.pixels_per_beat * factor, 6.0), 120.0)
        self._resize_to_content()
        self.update()

    def beat_to_x(self, beat: float) -> float:
        return LEFT_MARGIN + beat * self.pixels_per_beat

    def _resize_to_content(self) -> None:
        width = int(self.beat_to_x(self._length_beats)) + 12
        self.setMinimumWidth(width)

    def sizeHint(self) -> QSize:
        return QSize(int(self.beat_to_x(self._length_beats)) + 12, 260)

    # Painting -------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        rect = QRectF(self.rect())
        painter.fillRect(rect, _BACKGROUND)
        top = float(CHORD_LANE_HEIGHT)
        rows = self._high - self._low + 1
        row_height = max((rect.height() - top) / rows, 1.0)

        def pitch_y(pitch: int) -> float:
            return top + (self._high - pitch) * row_height

        for pitch in range(self._low, self._high + 1):
            if pitch % 12 in _BLACK_PCS:
                painter.fillRect(
                    QRectF(LEFT_MARGIN, pitch_y(pitch), rect.width(), row_height), _BLACK_KEY_ROW
                )
        label_font = QFont(self.font())
        label_font.setPointSizeF(max(label_font.pointSizeF() * 0.8, 6.0))
        painter.setFont(label_font)
        painter.setPen(QColor("#6b7385"))
        for pitch in range(self._low, self._high + 1):
            if pitch % 12 == 0:
                y = pitch_y(pitch)
                painter.drawText(
                    QRectF(2, y - 2, LEFT_MARGIN - 4, row_height + 4),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    f"C{pitch // 12 - 1}",
                )
        # Only the exposed strip is drawn: a long take is thousands of beats wide, the playhead
        # repaints a few pixels thirty times a second, and drawing the whole take each time
        # would hold the interpreter from the player and play-along threads.
        first, last = self._exposed_beats(QRectF(event.rect()))
        beat = first
        while beat <= min(last, self._length_beats):
            x = self.beat_to_x(beat)
            on_bar = self._bars.start(self._bars.index_at(beat)) == beat
            painter.setPen(QPen(_GRID_BAR if on_bar else _GRID_BEAT, 1))
            painter.drawLine(QPointF(x, top), QPointF(x, rect.height()))
            beat += 1
        self._paint_chord_lane(painter, rect, first, last)
        shown = [e for e in self._events if e.end_beat >= first and e.start_beat <= last]
        band = [e for e in shown if e.channel not in (SOLO_CHANNEL, YOU_CHANNEL)]
        solo = [e for e in shown if e.channel == SOLO_CHANNEL]
        you = [e for e in shown if e.channel == YOU_CHANNEL]
        painter.setPen(Qt.PenStyle.NoPen)
        for note in band:
            painter.setBrush(_BAND)
            painter.drawRect(self._note_rect(note, pitch_y, row_height))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for note in solo:
            colour = KIND_COLOURS.get(note.kind, _SOLO_UNKNOWN)
            painter.setBrush(colour)
            painter.setPen(QPen(colour.darker(140), 1))
            painter.drawRoundedRect(self._note_rect(note, pitch_y, row_height), 2, 2)
        painter.setBrush(YOU_FILL)
        painter.setPen(QPen(YOU_OUTLINE, 2))
        for note in you:
            painter.drawRect(self._note_rect(note, pitch_y, row_height))
        if self._playhead is not None:
            x = self.beat_to_x(self._playhead)
            painter.setPen(QPen(_PLAYHEAD, 2))
            painter.drawLine(QPointF(x, 0), QPointF(x, rect.height()))
        painter.end()

    def _exposed_beats(self, exposed: QRectF) -> tuple[int, int]:
        """The whole beats whose grid lines or notes may show in the `exposed` rectangle."""
        first = math.floor((exposed.left() - LEFT_MARGIN) / self.pixels_per_beat) - 1
        last = math.ceil((exposed.right() - LEFT_MARGIN) / self.pixels_per_beat) + 1
        return max(first, 0), last

    def _note_rect(self, note: NoteEvent, pitch_y, row_height: float) -> QRectF:
        x = self.beat_to_x(note.start_beat)
        width = max(note.duration_beats * self.pixels_per_beat - 1, 2.0)
        return QRectF(x, pitch_y(note.pitch) + 0.5, width, max(row_height - 1, 1.0))

    def _paint_chord_lane(self, painter: QPainter, rect: QRectF, first: int, last: int) -> None:
        painter.fillRect(QRectF(0, 0, rect.width(), CHORD_LANE_HEIGHT), _CHORD_LANE)
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        for start, length, symbol in self._chords:
            if start > last or start + length < first:
                continue
            x = self.beat_to_x(start)
            painter.setPen(QPen(QColor("#4c5a7a"), 1))
            painter.drawLine(QPointF(x, 4), QPointF(x, CHORD_LANE_HEIGHT - 4))
            painter.setPen(QColor("#f3f5fa"))
            painter.drawText(
                QRectF(x + 4, 0, max(length * self.pixels_per_beat - 6, 8), CHORD_LANE_HEIGHT),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                symbol,
            )


class PianoRoll(QScrollArea):
    """A scrolling piano roll that keeps the playhead in view; Ctrl+wheel zooms."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = PianoRollCanvas()
        self.setWidget(self.canvas)
        self.setWidgetResizable(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumHeight(200)
        self.setToolTip(
            "The take as it is played: blue chord tones, green scale tones, orange approach "
            "notes, red other notes; grey notes are the band, hollow ones yours when playing "
            "along. Ctrl+wheel zooms."
        )

    def clear(self, length_beats: float = 16.0, beats_per_bar: int | MeterMap = 4) -> None:
        self.canvas.clear(length_beats, beats_per_bar)
        self.horizontalScrollBar().setValue(0)

    def set_chords(self, chords: Sequence[tuple[float, float, str]]) -> None:
        self.canvas.set_chords(chords)

    def add_events(self, events: Iterable[NoteEvent]) -> None:
        self.canvas.add_events(events)

    def set_playhead(self, beat: float | None) -> None:
        self.canvas.set_playhead(beat)
        if beat is None:
            return
        x = int(self.canvas.beat_to_x(beat))
        bar = self.horizontalScrollBar()
        visible = self.viewport().width()
        if x < bar.value() or x > bar.value() + visible * 0.8:
            bar.setValue(max(x - visible // 5, 0))

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
            self.canvas.zoom(factor)
            event.accept()
            return
        super().wheelEvent(event)


class PianoRollBox(QGroupBox):
    """The piano roll with its colour legend and a line saying what plays."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Piano roll", parent)
        self.piano_roll = PianoRoll()
        legend = QHBoxLayout()
        legend.setContentsMargins(2, 0, 2, 0)
        for kind, colour in KIND_COLOURS.items():
            swatch = QLabel()
            swatch.setFixedSize(12, 12)
            swatch.setStyleSheet(f"background: {colour.name()}; border-radius: 2px;")
            legend.addWidget(swatch)
            legend.addWidget(QLabel(KIND_NAMES[kind]))
            legend.addSpacing(8)
        band_swatch = QLabel()
        band_swatch.setFixedSize(12, 12)
        band_swatch.setStyleSheet("background: rgba(150,160,175,140); border-radius: 2px;")
        legend.addWidget(band_swatch)
        legend.addWidget(QLabel("band"))
        legend.addSpacing(8)
        you_swatch = QLabel()
        you_swatch.setFixedSize(12, 12)
        you_swatch.setStyleSheet(
            f"background: {YOU_FILL.name()}; border: 2px solid {YOU_OUTLINE.name()};"
        )
        legend.addWidget(you_swatch)
        legend.addWidget(QLabel("you"))
        legend.addStretch(1)
        self.now_playing = QLabel("")
        self.now_playing.setProperty("role", "hint")
        legend.addWidget(self.now_playing)

        layout = QVBoxLayout(self)
        layout.addWidget(self.piano_roll, 1)
        layout.addLayout(legend)
