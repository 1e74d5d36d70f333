"""``ExplorerLink``: a ``LatentExplorer`` whose results arrive as a Qt signal on the GUI thread.

The explorer calls back on its own thread; this emits ``result_ready`` with a queued connection, so
the docks' slots always run on the GUI thread and never wait on the explorer. The explorer's thread
starts with the first snapshot and ends in ``close`` (the window calls it when it closes).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal

from engine.latent import LatentExplorer


class ExplorerLink(QObject):
    result_ready = Signal(object)       # engine.latent.Result
    _delivered = Signal(object)         # emitted on the explorer's thread, queued to the GUI thread

    def __init__(self, parent=None, name: str = "genlab-latent", threads: int = 1, seed: int = 0):
        super().__init__(parent)
        self._delivered.connect(self.result_ready.emit, Qt.ConnectionType.QueuedConnection)
        self.explorer = LatentExplorer(self._delivered.emit, threads=threads, seed=seed, name=name)

    def set_snapshot(self, snapshot) -> None:
        self.explorer.set_snapshot(snapshot)

    @property
    def snapshot(self):
        return self.explorer.snapshot

    def close(self, timeout: float = 2.0) -> bool:
        return self.explorer.close(timeout)
