"""Cycles are freed on the GUI thread while a window lives (a collection in a worker thread can destroy Qt
objects there and deadlock against the GUI thread), and automatic collection returns when it closes."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from gui.main_thread_gc import MainThreadCollector


class _Node:
    pass


def test_cycles_made_in_a_worker_are_freed_on_the_gui_thread(qtbot, qapp):
    parent = QObject()
    collector = MainThreadCollector(parent, interval_ms=20)
    freed_in: list[int] = []
    try:
        assert not gc.isenabled()

        def make_cycles():
            for _ in range(3000):              # past the first generation's threshold (700) several times
                node = _Node()
                node.me = node
                weakref.finalize(node, lambda: freed_in.append(threading.get_ident()))

        worker = threading.Thread(target=make_cycles)
        worker.start()
        worker.join()
        assert freed_in == []                  # no collection ran in the worker
        qtbot.waitUntil(lambda: len(freed_in) == 3000, timeout=5000)
    finally:
        collector.stop()
    assert gc.isenabled()
    assert set(freed_in) == {threading.get_ident()}, "freed where the cycles were made, not on the GUI thread"


def test_collection_stays_off_until_the_last_window_closes(qapp):
    parents = QObject(), QObject()
    a, b = MainThreadCollector(parents[0]), MainThreadCollector(parents[1])
    a.stop()
    assert not gc.isenabled()
    a.stop()                                   # twice is harmless
    b.stop()
    assert gc.isenabled()
