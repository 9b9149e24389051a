"""Loading the training engine (TensorFlow and Keras) once, without its start-up chatter on
the terminal (see jazzgui.quiet). A person who sets TF_CPP_MIN_LOG_LEVEL=0 sees everything,
as TensorFlow wrote it."""

from __future__ import annotations

import os
import sys
import threading
from types import ModuleType

from jazzgui.quiet import quiet_stderr

_lock = threading.Lock()


def load_tensorflow() -> ModuleType:
    """Import TensorFlow and Keras (once per process; later calls return at once) and let
    TensorFlow find its devices, keeping its start-up chatter off standard error."""
    with _lock:
        if "tensorflow" in sys.modules and "keras" in sys.modules:
            return sys.modules["tensorflow"]
        if os.environ.get("TF_CPP_MIN_LOG_LEVEL", "").strip() == "0":  # asked for it all
            return _import()
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # later INFO and WARNING lines too
        with quiet_stderr():
            return _import()


def _import() -> ModuleType:
    import keras  # noqa: F401 - loaded here with TensorFlow, not later on its own
    import tensorflow as tf

    tf.config.list_physical_devices()  # the devices are looked for now (the cuInit line)
    return tf
