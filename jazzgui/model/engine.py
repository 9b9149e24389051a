"""Loading the training engine (TensorFlow and Keras) once, without its start-up chatter.

TensorFlow writes a dozen lines to the terminal as it starts, from C++ and before its log
level can take effect: which CPU instructions it was built for, that oneDNN is on, that no
CUDA driver was found and, on every machine without a GPU, "E0000 ... failed call to cuInit:
CUDA error". None of it is the person's concern, and the last reads like a failure. While
TensorFlow loads, the process's standard error is caught in a file; once it has loaded, what
was caught is written back to standard error without those lines, so anything else (a real
error, a warning of our own from another thread) is still seen. A person who sets
TF_CPP_MIN_LOG_LEVEL=0 sees everything, as TensorFlow wrote it.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading
from types import ModuleType

# Lines TensorFlow writes while it starts that say nothing the person needs to know.
_CHATTER = (
    # absl's INFO and WARNING lines: "I0000 00:00:1796182058.625520    2657 port.cc:153] ..."
    re.compile(r"^[IW]\d{4} \S+\s+\d+ [\w.\-/]+:\d+\]"),
    re.compile(r"^WARNING: All log messages before absl::InitializeLog\(\) is called"),
    re.compile(r"^To enable the following instructions: .*rebuild TensorFlow"),
    # A machine without an NVIDIA driver: TensorFlow runs on the CPU, as intended.
    re.compile(r"^E\d{4} \S+\s+\d+ cuda_\w+\.cc:\d+\] failed call to cuInit"),
)

_lock = threading.Lock()


def quiet_lines(text: str) -> str:
    """`text` without TensorFlow's start-up chatter (every other line kept, in order)."""
    kept = [
        line
        for line in text.splitlines(keepends=True)
        if not any(pattern.match(line) for pattern in _CHATTER)
    ]
    return "".join(kept)


def load_tensorflow() -> ModuleType:
    """Import TensorFlow and Keras (once per process; later calls return at once) and let
    TensorFlow find its devices, keeping its start-up chatter off standard error."""
    with _lock:
        if "tensorflow" in sys.modules and "keras" in sys.modules:
            return sys.modules["tensorflow"]
        if os.environ.get("TF_CPP_MIN_LOG_LEVEL", "").strip() == "0":  # asked for it all
            return _import()
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # later INFO and WARNING lines too
        return _import_caught()


def _import() -> ModuleType:
    import keras  # noqa: F401 - loaded here with TensorFlow, not later on its own
    import tensorflow as tf

    tf.config.list_physical_devices()  # the devices are looked for now (the cuInit line)
    return tf


def _import_caught() -> ModuleType:
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (AttributeError, OSError, ValueError):  # no standard error at all (pythonw)
        return _import()
    with tempfile.TemporaryFile(mode="w+b") as caught:
        os.dup2(caught.fileno(), 2)
        try:
            return _import()
        finally:
            with contextlib.suppress(AttributeError, OSError, ValueError):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            rest = quiet_lines(caught.read().decode("utf-8", errors="replace"))
            data = rest.encode("utf-8")
            while data:
                data = data[os.write(2, data) :]
