"""Python's cyclic garbage collection on the GUI thread only, while a window is open.

The collector runs in whichever thread's allocation crosses its threshold. In a worker thread (the data
loader, the budget's calibration, an in-process training run) it can free Qt objects left in reference
cycles by the GUI, and PySide then destroys them there: seen as a deadlock in the test suite, the data
thread's collection holding a Qt mutex in ~QObject while waiting for the GIL, and the GUI thread holding
the GIL while deleting a menu, waiting for that mutex. So automatic collection is off while a window
lives, and a timer on the GUI thread collects each generation when its count passes the usual threshold
(pyqtgraph's GarbageCollector does the same; this one also turns collection back on when the last
window closes, so a test process or a script that closes its windows gets the default back).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500
_active = 0


class MainThreadCollector:
    """Keeps automatic collection off and collects on a timer owned by ``parent`` (the window)."""

    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS):
        global _active
        self._thresholds = gc.get_threshold()
        if _active == 0:
            gc.disable()
        _active += 1
        self._running = True
        self._timer = QTimer(parent)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(interval_ms)

    def collect_due(self) -> None:
        """Collect the generations whose counts passed their thresholds (gc's own rule, on this thread)."""
        counts = gc.get_count()
        for generation in range(3):
            if counts[generation] <= self._thresholds[generation]:
                break
            gc.collect(generation)

    def stop(self) -> None:
        """A last collection here, then automatic collection again once no window keeps it off."""
        global _active
        if not self._running:
            return
        self._running = False
        try:
            self._timer.stop()
        except RuntimeError:   # the window, and its timer with it, is already gone
            pass
        _active -= 1
        gc.collect()
        if _active == 0:
            gc.enable()
