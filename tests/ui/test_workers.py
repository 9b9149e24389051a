"""Workers that train or load TensorFlow give way to the window's thread."""

from __future__ import annotations

import os
import threading

import pytest

from jazzgui.ui.workers import BACKGROUND_NICENESS, run_in_background_priority


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="thread priorities need POSIX")
def test_background_priority_lowers_only_the_calling_thread():
    main_before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: dict[str, int] = {}

    def work() -> None:
        tid = threading.get_native_id()
        before = os.getpriority(os.PRIO_PROCESS, tid)
        run_in_background_priority()
        seen["before"], seen["after"] = before, os.getpriority(os.PRIO_PROCESS, tid)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen["after"] == min(19, seen["before"] + BACKGROUND_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main_before
