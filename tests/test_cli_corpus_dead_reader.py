"""`jazzgui corpus` when a reading process dies (killed, out of memory): the files it took
down with it are read again, each alone, and only a file that kills its reader again fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SOLOS = Path(__file__).resolve().parents[1] / "data" / "solos"


def _readers(parent: int) -> set[int]:
    """The reading processes (spawned Pythons) of process `parent`."""
    found = set()
    try:
        tasks = list(Path(f"/proc/{parent}/task").iterdir())
    except OSError:  # it has ended
        return found
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except OSError:  # a thread that has just ended
            continue
        for child in children:
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in command:
                found.add(int(child))
    return found


def _wait_for_new_reader(parent: int, known: set[int], timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = _readers(parent) - known
        if new:
            return min(new)
        time.sleep(0.02)
    raise AssertionError("no reading process appeared")


def _corpus(tmp_path) -> subprocess.Popen:
    env = {**os.environ, "JAZZGUI_CACHE_DIR": str(tmp_path / "cache")}  # nothing cached yet
    return subprocess.Popen(
        [sys.executable, "-m", "jazzgui", "corpus", str(SOLOS), "--jobs", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_a_killed_reader_costs_no_file_and_a_file_that_kills_twice_alone_fails(tmp_path):
    if not Path("/proc/self/task").exists():
        import pytest

        pytest.skip("finds the reading processes through /proc (Linux)")
    files = len(list(SOLOS.glob("*.musicxml")))

    # Killed once, as the out-of-memory killer would: every file is still read.
    corpus = _corpus(tmp_path)
    os.kill(_wait_for_new_reader(corpus.pid, set()), signal.SIGKILL)
    out, err = corpus.communicate(timeout=300)
    assert corpus.returncode == 0, err
    assert "Traceback" not in err
    assert f"{files} files read, 0 failed" in out
    assert "a reading process ended abruptly" in out and "read again, each alone" in out

    # Killed, and killed again while the file is read alone: that file alone fails.
    corpus = _corpus(tmp_path / "twice")
    first = _wait_for_new_reader(corpus.pid, set())
    pool = {first, _wait_for_new_reader(corpus.pid, {first})}  # both of --jobs 2
    os.kill(first, signal.SIGKILL)
    os.kill(_wait_for_new_reader(corpus.pid, pool), signal.SIGKILL)
    out, err = corpus.communicate(timeout=300)
    assert "Traceback" not in err
    failed = [line for line in out.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and "ended abruptly, twice" in failed[0], out
    assert f"{files - 1} files read, 1 failed" in out
