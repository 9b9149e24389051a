"""Garbage is collected on the GUI thread while the window lives, and by Python again after."""

from __future__ import annotations

import gc
import weakref


class _Node:
    """An object in a reference cycle: only the cycle collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_the_window_collects_cycles_on_its_own_thread_and_gives_collection_back(make_window, qtbot):
    window = make_window()
    assert not gc.isenabled()  # no collection may start in a worker or audio thread
    node = _Node()
    freed = weakref.ref(node)
    del node
    # More cyclic garbage than the youngest generation's threshold: nothing frees it but the
    # collector, so the count Python would collect at stays passed until a collection runs.
    garbage = [_Node() for _ in range(2 * gc.get_threshold()[0])]
    del garbage
    qtbot.waitUntil(lambda: freed() is None, timeout=5000)  # the GUI thread's timer freed it
    window.close()
    assert gc.isenabled()
