"""Background workers: QObjects moved to QThreads, turning domain callbacks into Qt signals.

Wiring follows the usual Qt recipe: thread.started -> worker.run, worker.done -> thread.quit,
worker.done -> worker.deleteLater, thread.finished -> thread.deleteLater. Cancel is a
threading.Event the GUI sets directly, because a queued slot would only run after the work ends.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from jazzgui.errors import JazzGUIError

if TYPE_CHECKING:  # training loads TensorFlow when it runs, not when the window opens
    from jazzgui.model.training import EpochLog

log = logging.getLogger(__name__)


# Niceness added to threads that train or load TensorFlow: the threads TensorFlow starts from
# them inherit it, so on a busy machine the window's thread gets a core first.
BACKGROUND_NICENESS = 10


def run_in_background_priority() -> None:
    """Lower the calling thread's CPU priority (Linux and macOS; elsewhere nothing happens)."""
    if not hasattr(os, "setpriority"):
        return
    try:
        current = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        os.setpriority(
            os.PRIO_PROCESS, threading.get_native_id(), min(19, current + BACKGROUND_NICENESS)
        )
    except OSError as error:
        log.info("Could not lower the priority of thread %s: %s", threading.get_ident(), error)


def describe_error(error: BaseException) -> str:
    """A message in words for any error; typed errors already carry file, problem and advice."""
    if isinstance(error, JazzGUIError):
        return str(error)
    if isinstance(error, MemoryError):
        return (
            "The computer ran out of memory. Try a smaller model, fewer files or a smaller batch."
        )
    if isinstance(error, OSError):
        where = f" ({error.filename})" if getattr(error, "filename", None) else ""
        return f"A file or device could not be used{where}: {error.strerror or error}."
    return f"Something went wrong: {type(error).__name__}: {error}"


class Worker(QObject):
    """Runs `work(report, cancel)` once in its thread; `report(x)` emits `progress`."""

    progress = Signal(object)
    failed = Signal(str)
    finished = Signal(object)
    done = Signal()  # after finished or failed, to end the thread

    def __init__(self, work: Callable[[Callable[[Any], None], threading.Event], Any]) -> None:
        super().__init__()
        self._work = work
        self.cancel_event = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop; safe to call from any thread, takes effect at its next check."""
        self.cancel_event.set()

    @Slot()
    def run(self) -> None:
        try:
            result = self._work(self.progress.emit, self.cancel_event)
        except Exception as error:  # every failure must reach the person, never a dead thread
            if not isinstance(error, JazzGUIError):
                log.exception("worker failed")
            self.failed.emit(describe_error(error))
        else:
            self.finished.emit(result)
        finally:
            self.done.emit()


class WorkerHandle(QObject):
    """A running worker and its thread, kept referenced by whoever started it until it ends.

    `ended` is emitted on the GUI thread once the thread has finished and `running` is False,
    so slots connected to it see a consistent state.
    """

    ended = Signal()

    def __init__(self, worker: Worker, thread: QThread) -> None:
        super().__init__()
        self.worker = worker
        self.thread = thread
        self.running = True
        thread.finished.connect(self._on_thread_finished)

    @Slot()
    def _on_thread_finished(self) -> None:
        self.running = False
        _live.discard(self)
        self.ended.emit()

    def cancel(self) -> None:
        if self.running:
            self.worker.cancel()

    def stop_and_wait(self, timeout_ms: int = 10000) -> bool:
        """Cancel, quit and wait for the thread (a negative timeout waits for as long as it
        takes); True if it ended in time."""
        if not self.running:
            return True
        self.worker.cancel()
        try:
            self.thread.quit()
            ended = self.thread.wait() if timeout_ms < 0 else self.thread.wait(timeout_ms)
        except RuntimeError:  # the C++ thread is already gone
            return True
        if ended:
            self.running = False
            _live.discard(self)
        return ended


_live: set[WorkerHandle] = set()


def start_worker(worker: Worker, name: str) -> WorkerHandle:
    """Move `worker` to a new QThread with the standard wiring and start it."""
    thread = QThread()
    thread.setObjectName(name)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.done.connect(thread.quit)
    worker.done.connect(worker.deleteLater)
    thread.finished.connect(thread.deleteLater)
    handle = WorkerHandle(worker, thread)
    # Python must keep both alive until the thread ends, whoever else drops them.
    _live.add(handle)
    thread.start()
    return handle


def stop_all_workers(timeout_ms: int = 10000) -> None:
    """Cancel and wait for every worker still running (used when the app closes)."""
    for handle in list(_live):
        handle.stop_and_wait(timeout_ms)


@dataclass(frozen=True)
class TrainProgress:
    """A finished epoch as the Train panel shows it: its log, the epochs asked for, time left."""

    log: EpochLog
    epochs: int
    eta_seconds: float

    @property
    def epoch(self) -> int:
        return self.log.epoch


class TrainWorker(Worker):
    """Builds the corpus, then trains; `should_stop` makes Keras stop within a batch."""

    epoch_finished = Signal(object)  # TrainProgress

    def __init__(
        self, corpus_builder: Callable[[], Any], model_config: Any, train_config: Any
    ) -> None:
        super().__init__(self._train)
        self._corpus_builder = corpus_builder
        self._model_config = model_config
        self._train_config = train_config

    def _train(self, report: Callable[[Any], None], cancel: threading.Event) -> Any:
        """The training result, or None when stopped before training began."""
        run_in_background_priority()
        from jazzgui.model.training import train

        # Loading TensorFlow takes seconds and cannot be interrupted: a stop asked meanwhile
        # is honoured as soon as it has loaded, before any corpus or network is built.
        _load_training_engine()
        if cancel.is_set():
            return None
        corpus = self._corpus_builder()
        if cancel.is_set():
            return None
        report(corpus)
        started = time.monotonic()
        epochs = int(self._train_config.epochs)

        def on_epoch(entry: EpochLog) -> None:
            per_epoch = (time.monotonic() - started) / max(entry.epoch, 1)
            eta = per_epoch * max(epochs - entry.epoch, 0)
            self.epoch_finished.emit(TrainProgress(entry, epochs, eta))

        return train(
            corpus,
            self._model_config,
            self._train_config,
            on_epoch=on_epoch,
            should_stop=cancel.is_set,
        )


class TrainRun(QObject):
    """A TrainWorker's news on the GUI thread, passed on while the window follows the run.

    The Train panel lets go of a run that cannot stop at once (TensorFlow's import and the first
    graph's tracing cannot be interrupted): `let_go()` silences it, so the run ends in the
    background and nothing it reports later reaches the panel.
    """

    corpus_ready = Signal(object)
    epoch_finished = Signal(object)  # TrainProgress
    finished = Signal(object)  # TrainResult, or None when stopped before training began
    failed = Signal(str)

    def __init__(self, worker: TrainWorker) -> None:
        super().__init__()  # made on the GUI thread, so the worker's signals queue to it
        self.followed = True
        worker.progress.connect(self._on_corpus_ready)
        worker.epoch_finished.connect(self._on_epoch_finished)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)

    def let_go(self) -> None:
        self.followed = False

    @Slot(object)
    def _on_corpus_ready(self, corpus: Any) -> None:
        if self.followed:
            self.corpus_ready.emit(corpus)

    @Slot(object)
    def _on_epoch_finished(self, progress: Any) -> None:
        if self.followed:
            self.epoch_finished.emit(progress)

    @Slot(object)
    def _on_finished(self, result: Any) -> None:
        if self.followed:
            self.finished.emit(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self.followed:
            self.failed.emit(message)


def _load_training_engine() -> None:
    """Import TensorFlow (the slow part of starting to train; nothing when already loaded)."""
    from jazzgui.model.training import make_strategy

    make_strategy()
