"""Keeping libraries' start-up chatter off the terminal, and nothing else.

TensorFlow writes a dozen lines as it starts, from C++ and before its log level can take
effect: which CPU instructions it was built for, that oneDNN is on, that no CUDA driver was
found and, on every machine without a GPU, "E0000 ... failed call to cuInit: CUDA error".
ALSA's library writes "open /dev/snd/seq failed" on a machine without the MIDI sequencer,
which JazzGUI then explains in words of its own. While such a library starts, the process's
standard error is caught in a file; afterwards what was caught is written back without those
lines, so anything else (a real error, a warning of ours from another thread) is still seen.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator

CHATTER = (
    # absl's INFO and WARNING lines: "I0000 00:00:1796182058.625520    2657 port.cc:153] ..."
    re.compile(r"^[IW]\d{4} \S+\s+\d+ [\w.\-/]+:\d+\]"),
    re.compile(r"^WARNING: All log messages before absl::InitializeLog\(\) is called"),
    re.compile(r"^To enable the following instructions: .*rebuild TensorFlow"),
    # A machine without an NVIDIA driver: TensorFlow runs on the CPU, as intended.
    re.compile(r"^E\d{4} \S+\s+\d+ cuda_\w+\.cc:\d+\] failed call to cuInit"),
    # No ALSA sequencer: the MIDI port listing says so, with what to do.
    re.compile(r"^ALSA lib seq_hw\.c:\d+:\(snd_seq_hw_open\) open /dev/snd/seq failed"),
)

_catching = threading.Lock()


def quiet_lines(text: str) -> str:
    """`text` without the known chatter (every other line kept, in order)."""
    kept = [
        line
        for line in text.splitlines(keepends=True)
        if not any(pattern.match(line) for pattern in CHATTER)
    ]
    return "".join(kept)


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Run the block with standard error caught, then write back what was caught less the
    chatter. While another thread is catching, the block's lines go to that catch (and are
    written back by it); a process without standard error runs the block as it is."""
    if not _catching.acquire(blocking=False):
        yield
        return
    try:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (AttributeError, OSError, ValueError):  # no standard error at all (pythonw)
            yield
            return
        with tempfile.TemporaryFile(mode="w+b") as caught:
            os.dup2(caught.fileno(), 2)
            try:
                yield
            finally:
                with contextlib.suppress(AttributeError, OSError, ValueError):
                    sys.stderr.flush()
                os.dup2(saved, 2)
                os.close(saved)
                caught.seek(0)
                data = quiet_lines(caught.read().decode("utf-8", errors="replace")).encode()
                while data:
                    data = data[os.write(2, data) :]
    finally:
        _catching.release()
