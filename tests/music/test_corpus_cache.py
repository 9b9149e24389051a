"""The corpus cache and parallel reading: hits, what changes the key, damage, concurrency,
pruning, worker processes, stopping, and `jazzgui corpus` reading a folder twice."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from midi_factory import band_file

from jazzgui.cli import main
from jazzgui.music import corpus_cache
from jazzgui.music.corpus import build_corpus
from jazzgui.music.corpus_cache import CachedRead, CorpusCache, default_cache_dir
from jazzgui.music.corpus_reader import MIN_PARALLEL_FILES, ReadStats

REPO = Path(__file__).resolve().parents[2]


def _folder(root: Path, count: int) -> Path:
    """`count` different band files (tempos differ, so their bytes do)."""
    root.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        band_file(root / f"take{index:02}.mid", tempos=((0, 100 + index),))
    return root


def _read(paths, **options) -> tuple[list, ReadStats]:
    stats = ReadStats()
    corpus = build_corpus(paths, stats=stats, **options)
    return corpus.entries, stats


def _entries_on_disk() -> list[Path]:
    return sorted(CorpusCache().folder.glob("*.entry"))


def test_the_cache_lives_where_jazzgui_cache_dir_says(tmp_path, monkeypatch):
    assert default_cache_dir() == tmp_path / "cache"  # set for every test by conftest
    monkeypatch.delenv("JAZZGUI_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert default_cache_dir() == tmp_path / "xdg" / "jazzgui"


def test_a_second_read_comes_from_the_cache_with_the_same_result(tmp_path):
    folder = _folder(tmp_path / "solos", 3)
    first, stats = _read([folder])
    assert (stats.files, stats.cached, stats.read) == (3, 0, 3)
    assert len(_entries_on_disk()) == 3
    second, stats = _read([folder])
    assert (stats.cached, stats.read) == (3, 0)
    assert [e.path for e in second] == [e.path for e in first]
    assert [e.bars for e in second] == [e.bars for e in first]
    assert [e.sheet.progression.to_text() for e in second] == [
        e.sheet.progression.to_text() for e in first
    ]
    assert all(e.sheet.path == e.path for e in second)


def test_a_copy_of_a_file_elsewhere_hits_and_carries_its_own_path(tmp_path):
    (tmp_path / "a").mkdir()
    original = band_file(tmp_path / "a" / "solo.mid")
    broken = tmp_path / "a" / "broken.mid"
    broken.write_bytes(b"MThd not really")
    _read([original, broken])
    copies = tmp_path / "b"
    copies.mkdir()
    for path in (original, broken):
        (copies / path.name).write_bytes(path.read_bytes())
    entries, stats = _read([copies / "broken.mid", copies / "solo.mid"])
    assert stats.cached == 2
    assert entries[0].error.startswith(str(copies / "broken.mid")) and str(original) not in (
        entries[0].error
    )
    assert entries[1].sheet.path == copies / "solo.mid"


def test_options_content_and_reader_version_change_the_key(tmp_path, monkeypatch):
    path = band_file(tmp_path / "solo.mid")
    _read([path])
    assert _read([path])[1].cached == 1
    assert _read([path], track="piano")[1].cached == 0
    assert _read([path], bars=(1, 2))[1].cached == 0
    assert _read([path], chords="melody")[1].cached == 0
    assert _read([path], track="piano")[1].cached == 1
    band_file(path, tempos=((0, 90),))  # edited in place
    assert _read([path])[1].cached == 0
    monkeypatch.setattr(corpus_cache, "reader_version", lambda: "a newer reader")
    entries, stats = _read([path])
    assert stats.cached == 0 and entries[0].ok


def test_no_cache_neither_reads_nor_writes_it(tmp_path):
    path = band_file(tmp_path / "solo.mid")
    _, stats = _read([path], use_cache=False)
    assert stats.read == 1 and not _entries_on_disk()


def test_damaged_entries_are_ignored_and_replaced(tmp_path, caplog):
    folder = _folder(tmp_path / "solos", 3)
    expected = [e.bars for e in _read([folder])[0]]
    flipped, truncated, foreign = _entries_on_disk()
    data = bytearray(flipped.read_bytes())
    data[-10] ^= 0xFF
    flipped.write_bytes(bytes(data))
    truncated.write_bytes(truncated.read_bytes()[:40])
    foreign.write_bytes(b"something another program left here")
    entries, stats = _read([folder])
    assert (stats.cached, stats.read) == (0, 3)
    assert [e.bars for e in entries] == expected
    assert "damaged cache entry" in caplog.text
    assert _read([folder])[1].cached == 3


def test_concurrent_writers_never_leave_a_partial_entry(tmp_path):
    cache = CorpusCache()
    key = cache.key("0" * 64, {"track": None})
    big = [["C,1"] * 50] * 400
    seen: list[object] = []

    def write(n: int) -> None:
        for _ in range(30):
            cache.put(key, CachedRead(None, big, f"writer {n}", 0.0))

    def read() -> None:
        for _ in range(200):
            seen.append(cache.get(key))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    threads.append(threading.Thread(target=read))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    hits = [entry for entry in seen if entry is not None]
    assert hits and all(entry.bars == big for entry in hits)
    assert [p.name for p in cache.folder.iterdir()] == [f"{key}.entry"]  # no temporary left


def test_two_commands_filling_one_cache_at_once(tmp_path):
    folder = _folder(tmp_path / "solos", 6)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "jazzgui", "corpus", str(folder), "--jobs", "1"]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in "ab"]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    assert all("Corpus: 6 files read, 0 failed" in out for out in outputs)
    assert len(_entries_on_disk()) == 6
    _, stats = _read([folder])
    assert stats.cached == 6


def test_pruning_keeps_the_most_recently_used_entries_under_the_limit(tmp_path):
    cache = CorpusCache(max_bytes=10**9)
    keys = [cache.key(f"{n:064}", {}) for n in range(5)]
    for age, key in enumerate(keys):
        cache.put(key, CachedRead(None, [["C,1"] * 200], None, 0.0))
        os.utime(cache.folder / f"{key}.entry", (1000 + age, 1000 + age))
    assert cache.get(keys[0]) is not None  # used now: the newest
    one = (cache.folder / f"{keys[1]}.entry").stat().st_size
    cache.max_bytes = 2 * one
    assert cache.prune() == 3
    assert cache.size() <= cache.max_bytes
    assert [cache.get(k) is not None for k in keys] == [True, False, False, False, True]


def test_workers_read_in_parallel_with_errors_per_file_in_path_order(tmp_path):
    folder = _folder(tmp_path / "solos", MIN_PARALLEL_FILES + 1)
    (folder / "take01.mid").write_bytes(b"not a MIDI file")
    (folder / "take03.mid").unlink()
    band_file(folder / "take03.mid", tempos=((0, 200),))
    seen = []
    parallel, stats = _read([folder], workers=2, on_entry=seen.append, use_cache=False)
    assert stats.workers == 2 and stats.read == 5 and stats.worker_peak_mb > 10
    assert sorted(e.path for e in seen) == [e.path for e in parallel]
    assert [e.path.name for e in parallel] == [f"take{n:02}.mid" for n in range(5)]
    assert not parallel[1].ok and "take01.mid" in parallel[1].error
    single, stats = _read([folder], workers=1, use_cache=False)
    assert stats.workers == 0
    assert [(e.path, e.bars, e.error) for e in single] == [
        (e.path, e.bars, e.error) for e in parallel
    ]


def test_should_stop_ends_the_reading_with_the_files_read_so_far(tmp_path):
    folder = _folder(tmp_path / "solos", MIN_PARALLEL_FILES + 2)
    seen = []
    entries, stats = _read(
        [folder], workers=2, on_entry=seen.append, should_stop=lambda: len(seen) >= 2
    )
    assert len(entries) == 2 == stats.read and all(e.ok for e in entries)
    _, stats = _read([folder])
    assert stats.cached == 2  # what was read before the stop is kept


def test_corpus_command_reads_a_folder_then_answers_from_the_cache(tmp_path, capsys):
    folder = _folder(tmp_path / "solos", MIN_PARALLEL_FILES)
    assert main(["corpus", str(folder), "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == str(folder / "take00.mid")  # reports in path order
    assert "4 files in" in out and "0 from the cache, 4 read with 2 processes" in out
    assert main(["corpus", str(folder)]) == 0
    assert "4 from the cache, 0 read" in capsys.readouterr().out
    assert main(["corpus", str(folder), "--no-cache", "--jobs", "1"]) == 0
    assert "0 from the cache, 4 read with this process" in capsys.readouterr().out


def test_a_pool_that_refuses_a_file_while_breaking_costs_no_file(tmp_path, monkeypatch):
    """A pool whose worker has just died can refuse the next file with OSError("handle is
    closed") instead of BrokenProcessPool (seen with `jazzgui corpus` when a reader was
    killed): the file is read again, like the files the dead worker had in flight."""
    from jazzgui.music import corpus_reader

    made = []

    class Refusing:  # a real pool whose third submit fails as a breaking pool's did
        def __init__(self, workers):
            self.pool = real_pool(workers)
            self.submits = 0
            made.append(self)

        def submit(self, *args):
            self.submits += 1
            if len(made) == 1 and self.submits == 3:
                raise OSError("handle is closed")
            return self.pool.submit(*args)

        def shutdown(self, **options):
            self.pool.shutdown(**options)

    real_pool = corpus_reader._pool
    monkeypatch.setattr(corpus_reader, "_pool", Refusing)
    folder = _folder(tmp_path / "solos", MIN_PARALLEL_FILES + 2)
    entries, stats = _read([folder], workers=2, use_cache=False)
    assert [e.path.name for e in entries] == [f"take{n:02}.mid" for n in range(6)]
    assert all(e.ok for e in entries) and stats.read == 6
    assert stats.read_again >= 1 and len(made) >= 2  # read alone, in a new pool
