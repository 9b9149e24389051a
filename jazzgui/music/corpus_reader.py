"""Reading many solo files at once: worker processes on every core, through the corpus cache.

`read_files` yields each file's result as soon as it is ready (from the cache, or read in a
worker process), so a caller can fill a table file by file; `should_stop()` is asked between
files and ends the reading early. Errors stay per file. At most two files per worker are in
flight and workers are replaced after a number of files, so memory stays bounded however
large the corpus; the workers' peak memory is reported in ReadStats.
"""

from __future__ import annotations

import concurrent.futures as futures
import logging
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from jazzgui.errors import JazzGUIError
from jazzgui.music import leadsheet
from jazzgui.music.corpus_cache import CachedRead, CorpusCache, file_digest
from jazzgui.music.grammar import tokenize
from jazzgui.music.snapping import snap_melody
from jazzgui.music.wording import plural

log = logging.getLogger(__name__)

# Below this many files to read, starting worker processes (a Python and its imports each)
# costs more than it saves: they are read in this process.
MIN_PARALLEL_FILES = 4
FILES_PER_WORKER = 200  # then the worker is replaced, returning whatever memory it grew
BROKEN_POOL_END_S = 10.0  # how long a broken pool's processes are ended for, at most
_PATH_MARK = "\x00path\x00"  # where a cached error names its file (the same bytes elsewhere)


@dataclass(frozen=True)
class ReadOptions:
    """How each file is read: melody track, bar range, chord source and chord track, and
    whether an unquantized melody is first put on the grid that fits it (music.snapping)."""

    track: int | str | None = None
    bars: tuple[int, int] | None = None
    chords: str = "auto"
    chord_track: int | str | None = None
    snap: bool = False


@dataclass
class ReadStats:
    """What a read cost: files from the cache and read anew, processes, time, peak memory."""

    files: int = 0
    cached: int = 0
    read: int = 0
    workers: int = 0  # processes used to read (0: read in this process)
    seconds: float = 0.0
    worker_peak_mb: float = 0.0  # largest resident memory of a reading process
    read_again: int = 0  # files in flight when a reading process died, read again alone

    def describe(self) -> str:
        where = plural(self.workers, "process") if self.workers else "this process"
        memory = f", reader peak {self.worker_peak_mb:.0f} MB" if self.worker_peak_mb else ""
        again = (
            f"; a reading process ended abruptly, so {plural(self.read_again, 'file')} "
            "in its pool were read again, each alone"
            if self.read_again
            else ""
        )
        return (
            f"{plural(self.files, 'file')} in {self.seconds:.1f} s: {self.cached} from the cache, "
            f"{self.read} read with {where}{memory}{again}"
        )


def default_workers() -> int:
    """One reading process per core this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # macOS and Windows
        return max(os.cpu_count() or 1, 1)


def read_files(
    paths: Sequence[Path],
    options: ReadOptions,
    *,
    workers: int | None = None,
    cache: CorpusCache | None = None,
    should_stop: Callable[[], bool] | None = None,
    stats: ReadStats | None = None,
) -> Iterator[tuple[int, CachedRead]]:
    """(index into `paths`, result) for each file as it is ready, cached files first.

    `cache` None reads every file anew and stores nothing. `workers` None uses every core.
    """
    stats = stats if stats is not None else ReadStats()
    stats.files = len(paths)
    started = time.perf_counter()
    stop = should_stop or (lambda: False)
    misses: list[tuple[int, str | None]] = []
    option_key = asdict(options)
    for index, path in enumerate(paths):
        if stop():
            return
        try:
            digest: str | None = file_digest(path)
        except OSError:
            digest = None  # the reader says what is wrong with it
        hit = cache.get(cache.key(digest, option_key)) if cache and digest else None
        if hit is None:
            misses.append((index, digest))
            continue
        stats.cached += 1
        yield index, _restore(hit, path)
    workers = default_workers() if workers is None else max(workers, 1)
    if workers > 1 and len(misses) >= MIN_PARALLEL_FILES:
        results = _read_in_workers(paths, misses, options, workers, stop, stats)
    else:
        results = ((i, d, _read_one(paths[i], options)) for i, d in misses)
    for index, digest, (result, cacheable) in results:
        stats.read += 1
        if cache is not None and digest is not None and cacheable:
            cache.put(cache.key(digest, option_key), _portable(result, paths[index]))
        stats.seconds = time.perf_counter() - started
        yield index, result
        if stop():
            return
    if cache is not None and stats.read:
        cache.prune()
    stats.seconds = time.perf_counter() - started


def _read_in_workers(
    paths: Sequence[Path],
    misses: list[tuple[int, str | None]],
    options: ReadOptions,
    workers: int,
    stop: Callable[[], bool],
    stats: ReadStats,
) -> Iterator[tuple[int, str | None, tuple[CachedRead, bool]]]:
    """Results of the missed files, read by a pool with at most two files per worker queued.

    A worker that dies (killed, out of memory, a crash in a library) breaks the whole pool and
    fails every file it had in flight, most of them innocent: those files are read again
    afterwards, each alone in a fresh process, so only a file that kills its reader again is
    reported as failed; the rest go on in a new pool.
    """
    workers = min(workers, len(misses))
    stats.workers = workers
    pending = iter(misses)
    again: list[tuple[int, str | None]] = []  # in flight when a worker died
    pool = _pool(workers)
    running: dict[futures.Future, tuple[int, str | None]] = {}
    try:
        while True:
            try:
                while len(running) < 2 * workers and (item := next(pending, None)) is not None:
                    running[pool.submit(_read_in_worker, paths[item[0]], options)] = item
            except (futures.BrokenExecutor, OSError):  # `item` did not go in: it goes again
                # A pool that is breaking may also refuse with OSError("handle is closed"):
                # submit starts a replacement worker (max_tasks_per_child) and hands it the
                # task queue the dying pool has just closed.
                again.append(item)
            if not running:
                break
            done, _ = futures.wait(running, return_when=futures.FIRST_COMPLETED)
            for future in done:
                index, digest = running.pop(future)
                if isinstance(future.exception(), futures.BrokenExecutor):
                    again.append((index, digest))
                    continue
                result, cacheable, peak_mb = _worker_result(future, paths[index])
                stats.worker_peak_mb = max(stats.worker_peak_mb, peak_mb)
                yield index, digest, (result, cacheable)
                if stop():
                    return
            if again and not running:  # the pool is broken: the rest go on in a new one
                _end(pool)
                pool = _pool(workers)
                yield from _read_alone(paths, again, options, stop, stats)
                again = []
                if stop():
                    return
        yield from _read_alone(paths, again, options, stop, stats)
    finally:
        _end(pool)


def _pool(workers: int) -> futures.ProcessPoolExecutor:
    # spawn, not fork: the caller may run threads (the window, TensorFlow) that fork would copy
    # in an arbitrary state.
    return futures.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init,
        max_tasks_per_child=FILES_PER_WORKER,
    )


def _end(pool: futures.ProcessPoolExecutor) -> None:
    """Shut a pool down; a broken one without waiting on it, its processes ended.

    Python 3.11's executor, once a worker has died, stops the others with SIGTERM and then
    waits for every worker it knows, and a worker it started while breaking is never stopped:
    shutdown(wait=True) would wait for ever, and so would the interpreter's exit.
    """
    if not getattr(pool, "_broken", False):
        pool.shutdown(wait=True, cancel_futures=True)
        return
    processes = getattr(pool, "_processes", None) or {}  # the executor's own (private) table
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + BROKEN_POOL_END_S
    while time.monotonic() < deadline:
        for process in list(processes.values()):
            if process.is_alive():
                process.kill()
        if manager is None or not manager.is_alive():
            return
        manager.join(0.05)
    log.warning("A broken pool of reading processes did not end in %.0f s", BROKEN_POOL_END_S)


def _read_alone(
    paths: Sequence[Path],
    items: list[tuple[int, str | None]],
    options: ReadOptions,
    stop: Callable[[], bool],
    stats: ReadStats,
) -> Iterator[tuple[int, str | None, tuple[CachedRead, bool]]]:
    """Read each file again in a process of its own (they were in flight when a reading
    process died): one that fails again is reported, and no other file goes with it."""
    for index, digest in items:
        if stop():
            return
        log.warning("A reading process ended abruptly; reading %s again", paths[index])
        stats.read_again += 1
        alone = _pool(1)
        try:
            future = alone.submit(_read_in_worker, paths[index], options)
            futures.wait([future])
        finally:
            _end(alone)
        if isinstance(future.exception(), futures.BrokenExecutor):  # alone, it died again
            log.warning("The process reading %s ended abruptly, twice", paths[index])
            message = (
                f"{paths[index]}: the process reading it ended abruptly, twice (it ran out of "
                "memory, was killed or crashed). Read fewer of its bars (--bars) or leave it out."
            )
            yield index, digest, (CachedRead(None, [], message, 0.0), False)
            continue
        result, cacheable, peak_mb = _worker_result(future, paths[index])
        stats.worker_peak_mb = max(stats.worker_peak_mb, peak_mb)
        yield index, digest, (result, cacheable)


def _worker_result(future: futures.Future, path: Path) -> tuple[CachedRead, bool, float]:
    try:
        return future.result()
    except Exception as exc:  # the result could not come back: this file's error
        log.warning("The process reading %s failed: %r", path, exc)
        return CachedRead(None, [], f"{path}: the reading process failed ({exc!r})", 0.0), False, 0


def _worker_init() -> None:
    """Ctrl-C goes to the parent, which stops the reading; workers do not print tracebacks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _read_in_worker(path: Path, options: ReadOptions) -> tuple[CachedRead, bool, float]:
    result, cacheable = _read_one(path, options)
    return result, cacheable, _peak_memory_mb()


def _peak_memory_mb() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _read_one(path: Path, options: ReadOptions) -> tuple[CachedRead, bool]:
    """One file as a lead sheet and token bars, or its error; and whether it may be cached
    (not when the failure is unexpected or the file could not be opened, which may pass)."""
    started = time.perf_counter()
    cacheable = True
    try:
        sheet = leadsheet.load_lead_sheet(
            path,
            track=options.track,
            bars=options.bars,
            chords=options.chords,
            chord_track=options.chord_track,
        )
        report = None
        if options.snap:
            melody, report = snap_melody(sheet.melody)
            sheet = replace(sheet, melody=melody)
        sheet_bars = tokenize(sheet)
        error = None if sheet_bars else f"{path}: no bars of music were found"
        result = CachedRead(sheet, sheet_bars, error, 0.0, report)
    except JazzGUIError as exc:
        cacheable = path.is_file()
        result = CachedRead(None, [], str(exc), 0.0)
    except Exception as exc:  # one odd file must not stop a corpus of hundreds
        log.exception("Unexpected failure reading %s", path)
        cacheable = False
        result = CachedRead(None, [], f"{path}: unexpected {type(exc).__name__}: {exc}", 0.0)
    return replace(result, seconds=time.perf_counter() - started), cacheable


def _portable(result: CachedRead, path: Path) -> CachedRead:
    """The result with its file's name taken out, so a copy of the file elsewhere can use it."""
    error = result.error.replace(str(path), _PATH_MARK) if result.error else None
    return replace(result, error=error)


def _restore(cached: CachedRead, path: Path) -> CachedRead:
    """A cached result for the file at `path` (the same bytes may have been read elsewhere)."""
    sheet = replace(cached.sheet, path=path) if cached.sheet is not None else None
    error = cached.error.replace(_PATH_MARK, str(path)) if cached.error else None
    return replace(cached, sheet=sheet, error=error)
