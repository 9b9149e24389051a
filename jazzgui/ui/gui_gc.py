"""Python's garbage collection on the GUI thread only, while the window lives.

A collection starts in whichever thread happens to allocate: a QThread of a worker, Qt's own
threads, an audio or MIDI callback. If it frees the last Python reference to a Qt object
there, the object is deleted off its own thread and the process can crash (seen in CI as a
segmentation fault in "Garbage-collecting" on a thread with no Python frame). So automatic
collection is switched off while the window is open, and the GUI thread collects on a timer,
one generation at a time, whenever the thresholds Python would use are passed.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

COLLECT_INTERVAL_MS = 250


class GuiThreadCollector(QObject):
    """Turns automatic collection off and collects from the GUI thread's event loop."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(COLLECT_INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> int:
        """Collect the oldest generation whose threshold is passed; objects freed."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if thresholds[generation] and counts[generation] > thresholds[generation]:
                return gc.collect(generation)
        return 0

    def stop(self) -> None:
        """Give collection back to Python (as it was before), after a last full collection."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
