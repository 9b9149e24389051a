"""Reading the Train panel's solo files in worker processes, one numbered request per file.

Each request runs `build_corpus` on one file (through the corpus cache) in a process of a
spawned pool, so no parse holds the window's thread or its interpreter lock, and a read that
is no longer wanted is simply forgotten. `cancel_all` and `shutdown` terminate the processes
at once: a long file never holds up Clear or quitting. Results come back as `entry_read`
(request id, path, CorpusEntry) on the GUI thread; the caller matches them to its latest request.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.pool
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from jazzgui.music.corpus import CorpusEntry, build_corpus
from jazzgui.music.corpus_reader import default_workers

log = logging.getLogger(__name__)

IDLE_MS = 60_000  # reading processes idle this long are ended (a new read starts them again)
TASKS_PER_PROCESS = 200  # then a process is replaced, returning whatever memory it grew


class SoloReader(QObject):
    """A pool of reading processes; `request` returns an id that `entry_read` carries back."""

    entry_read = Signal(int, str, object)  # request id, path, CorpusEntry
    _delivered = Signal(int, object)  # from the pool's result thread, queued to the GUI thread

    def __init__(self, workers: int | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workers = workers or default_workers()
        self._pool: multiprocessing.pool.Pool | None = None
        self._next_id = 0
        self._pending: dict[int, str] = {}  # request id -> path, until its answer arrives
        self._delivered.connect(self._on_delivered)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(IDLE_MS)
        self._idle.timeout.connect(self._end_pool)

    @property
    def pending(self) -> int:
        """Requests still being read."""
        return len(self._pending)

    @property
    def running(self) -> bool:
        """Whether reading processes exist (reading, or idle and waiting for work)."""
        return self._pool is not None

    def request(
        self, path: str, track: int | str | None, bars: tuple[int, int] | None, snap: bool
    ) -> int:
        """Start reading `path` with these overrides; returns the request's id."""
        if self._pool is None:
            # spawn, not fork: the window runs threads that fork would copy in any state.
            context = multiprocessing.get_context("spawn")
            self._pool = context.Pool(self._workers, maxtasksperchild=TASKS_PER_PROCESS)
        self._idle.stop()
        self._next_id += 1
        request_id = self._next_id
        self._pending[request_id] = path
        self._pool.apply_async(
            build_corpus,
            ([path],),
            {"track": track, "bars": bars, "snap": snap, "workers": 1},
            callback=lambda corpus: self._delivered.emit(request_id, corpus.entries[0]),
            error_callback=lambda error: self._delivered.emit(request_id, error),
        )
        return request_id

    @Slot(int, object)
    def _on_delivered(self, request_id: int, answer: Any) -> None:
        path = self._pending.pop(request_id, None)
        if path is None:
            return  # cancelled: its processes were ended after it had answered
        if not isinstance(answer, CorpusEntry):  # the process died or the result broke
            log.warning("Reading %s failed in its process: %r", path, answer)
            answer = CorpusEntry(
                Path(path), None, [], f"{path}: the reading process failed ({answer})"
            )
        if not self._pending:
            self._idle.start()
        self.entry_read.emit(request_id, path, answer)

    def cancel_all(self) -> None:
        """Forget every request and end the reading processes at once."""
        self._pending.clear()
        self._end_pool()

    def shutdown(self) -> None:
        """End the reading processes and wait for them (used when the window closes)."""
        self._idle.stop()
        self.cancel_all()

    @Slot()
    def _end_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()  # SIGTERM to each process: a parse in progress ends now
            pool.join()
