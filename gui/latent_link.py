"""``ExplorerLink``: a ``LatentExplorer`` whose results arrive as a Qt signal on the GUI thread.

The explorer calls back on its own thread; this emits ``result_ready`` with a queued connection, so
the docks' slots always run on the GUI thread and never wait on the explorer. The explorer's thread
starts with the first snapshot and ends in ``close`` (the window calls it when it closes). The
explorer itself (which loads PyTorch) is made on first use, so building the docks never delays the
window's first paint.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal


class ExplorerLink(QObject):
    result_ready = Signal(object)       # engine.latent.Result
    _delivered = Signal(object)         # emitted on the explorer's thread, queued to the GUI thread

    def __init__(self, parent=None, name: str = "genlab-latent", threads: int = 1, seed: int = 0):
        super().__init__(parent)
        self._delivered.connect(self.result_ready.emit, Qt.ConnectionType.QueuedConnection)
        self._options = dict(threads=threads, seed=seed, name=name)
        self._explorer = None
        self._closed = False

    @property
    def explorer(self):
        if self._explorer is None:
            # lazy: engine.latent.explorer loads PyTorch, kept out of the window's first paint
            from engine.latent.explorer import LatentExplorer
            self._explorer = LatentExplorer(self._delivered.emit, **self._options)
            if self._closed:          # asked for after the window closed: one that does nothing
                self._explorer.close(0)
        return self._explorer

    def set_snapshot(self, snapshot) -> None:
        self.explorer.set_snapshot(snapshot)

    @property
    def snapshot(self):
        return None if self._explorer is None else self._explorer.snapshot

    def close(self, timeout: float = 2.0) -> bool:
        self._closed = True
        return True if self._explorer is None else self._explorer.close(timeout)
