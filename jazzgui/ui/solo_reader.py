"""Reading the Train panel's solo files in worker processes, one numbered request per file.

Each request runs `build_corpus` on one file (through the corpus cache) in a process of a
spawned pool, so no parse holds the window's thread or its interpreter lock, and a read that
is no longer wanted is simply forgotten. `cancel_all` and `shutdown` terminate the processes
at once: a long file never holds up Clear or quitting. Results come back as `entry_read`
(request id, path, CorpusEntry) on the GUI thread; the caller matches them to its latest request.

A process that dies while it reads (killed, out of memory, a crash in a library) takes its
task with it: the pool replaces the process but never answers the request. So each task says
which process reads it as it starts, a watchdog looks for the reading processes while requests
are out, and a request whose process has gone is answered with a report saying so.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.pool
import multiprocessing.queues
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from jazzgui.music.corpus import CorpusEntry, build_corpus
from jazzgui.music.corpus_reader import default_workers

log = logging.getLogger(__name__)

IDLE_MS = 60_000  # reading processes idle this long are ended (a new read starts them again)
TASKS_PER_PROCESS = 200  # then a process is replaced, returning whatever memory it grew
WATCH_MS = 500  # how often the reading processes are looked for while requests are out
# Missed this many looks in a row (a process that finished its last task leaves, and its
# answer arrives within milliseconds): its request is answered as lost.
LOOKS_GONE = 2

# In a reading process: where it says which request it has started on (set when it starts).
_started: multiprocessing.queues.SimpleQueue | None = None


def _start_reader(started: multiprocessing.queues.SimpleQueue) -> None:
    global _started
    _started = started


def _read_one(request_id: int, path: str, options: dict[str, Any]) -> CorpusEntry:
    """A reading process's task: say it has started, then read the one file."""
    if _started is not None:
        _started.put((request_id, os.getpid()))
    return build_corpus([path], **options).entries[0]


class ReadingProcessLost(RuntimeError):
    """The process reading a file ended before it answered."""


class SoloReader(QObject):
    """A pool of reading processes; `request` returns an id that `entry_read` carries back."""

    entry_read = Signal(int, str, object)  # request id, path, CorpusEntry
    reading_started = Signal(int, int)  # request id, id of the process reading it
    _delivered = Signal(int, object)  # from the pool's result thread, queued to the GUI thread

    def __init__(self, workers: int | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workers = workers or default_workers()
        self._pool: multiprocessing.pool.Pool | None = None
        self._started: multiprocessing.queues.SimpleQueue | None = None
        self._next_id = 0
        self._pending: dict[int, str] = {}  # request id -> path, until its answer arrives
        self._readers: dict[int, int] = {}  # request id -> process id, once it has started
        self._missed: dict[int, int] = {}  # request id -> looks its process was not found
        self._delivered.connect(self._on_delivered)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(IDLE_MS)
        self._idle.timeout.connect(self._end_pool)
        self._watch = QTimer(self)
        self._watch.setInterval(WATCH_MS)
        self._watch.timeout.connect(self._look_for_readers)

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
            self._started = context.SimpleQueue()
            self._pool = context.Pool(
                self._workers,
                initializer=_start_reader,
                initargs=(self._started,),
                maxtasksperchild=TASKS_PER_PROCESS,
            )
        self._idle.stop()
        self._watch.start()
        self._next_id += 1
        request_id = self._next_id
        self._pending[request_id] = path
        options = {"track": track, "bars": bars, "snap": snap, "workers": 1}
        self._pool.apply_async(
            _read_one,
            (request_id, path, options),
            callback=lambda entry: self._delivered.emit(request_id, entry),
            error_callback=lambda error: self._delivered.emit(request_id, error),
        )
        return request_id

    @Slot()
    def _look_for_readers(self) -> None:
        """Answer the requests whose reading process has gone (see the module's notes)."""
        started = self._started
        while started is not None and not started.empty():
            request_id, pid = started.get()
            if request_id in self._pending:
                self._readers[request_id] = pid
                self.reading_started.emit(request_id, pid)
        alive = {process.pid for process in multiprocessing.active_children()}
        for request_id, pid in list(self._readers.items()):
            if request_id not in self._pending:
                self._forget(request_id)
            elif pid in alive:
                self._missed.pop(request_id, None)
            else:
                self._missed[request_id] = self._missed.get(request_id, 0) + 1
                if self._missed[request_id] >= LOOKS_GONE:
                    self._on_delivered(
                        request_id,
                        ReadingProcessLost(
                            "the process reading it ended before it had read the file (it was "
                            "killed, ran out of memory or crashed). Remove the file and add it "
                            "again to try once more, or choose fewer of its bars."
                        ),
                    )
        if not self._pending:
            self._watch.stop()

    def _forget(self, request_id: int) -> None:
        self._readers.pop(request_id, None)
        self._missed.pop(request_id, None)

    @Slot(int, object)
    def _on_delivered(self, request_id: int, answer: Any) -> None:
        path = self._pending.pop(request_id, None)
        self._forget(request_id)
        if path is None:
            return  # cancelled, or answered as lost: its processes were ended or it had gone
        if not isinstance(answer, CorpusEntry):  # the process died or the result broke
            log.warning("Reading %s failed in its process: %r", path, answer)
            lost = isinstance(answer, ReadingProcessLost)
            why = str(answer) if lost else f"the reading process failed ({answer})"
            answer = CorpusEntry(Path(path), None, [], f"{path}: {why}")
        if not self._pending:
            self._idle.start()
        self.entry_read.emit(request_id, path, answer)

    def cancel_all(self) -> None:
        """Forget every request and end the reading processes at once."""
        self._pending.clear()
        self._readers.clear()
        self._missed.clear()
        self._watch.stop()
        self._end_pool()

    def shutdown(self) -> None:
        """End the reading processes and wait for them (used when the window closes)."""
        self._idle.stop()
        self.cancel_all()

    @Slot()
    def _end_pool(self) -> None:
        pool, self._pool = self._pool, None
        started, self._started = self._started, None
        if pool is not None:
            pool.terminate()  # SIGTERM to each process: a parse in progress ends now
            pool.join()
        if started is not None:
            started.close()
