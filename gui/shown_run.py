"""The run the window shows, live or opened: one owner of its folder and its newest weights.

A run being trained and a run opened from the Runs dock are the same thing to the views: a run
folder (samples, curves) and a snapshot of weights (the Latent, Inside and Learn docks decode from
it). Before this object, a live run's snapshot came from the bridge and an opened run's was pushed
through the bridge's signal as if training had published it; the training session and the runs
controller each kept their own idea of which run was shown. Now both paths go through ``show`` and
``set_snapshot`` here, and the views listen only to ``snapshot_changed``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal


class ShownRun(QObject):
    snapshot_changed = Signal(object)   # engine.training.snapshot.Snapshot: the views decode from it
    run_changed = Signal()              # another run is shown, or the shown one stopped being live

    def __init__(self, parent=None):
        super().__init__(parent)
        self.path: Path | None = None
        self.family: str | None = None
        self.live = False               # trained by this window right now
        self.snapshot = None

    def show(self, path, family: str | None, live: bool) -> None:
        """Show the run in ``path`` (None: a run without a folder yet); its old snapshot is dropped."""
        self.path = Path(path) if path is not None else None
        self.family = family
        self.live = live
        self.snapshot = None
        self.run_changed.emit()

    def end_live(self) -> None:
        """The shown run's training ended: it stays shown, as an opened run."""
        if self.live:
            self.live = False
            self.run_changed.emit()

    def clear(self) -> None:
        self.show(None, None, live=False)

    def is_shown(self, path) -> bool:
        return self.path is not None and path is not None and Path(path) == self.path

    def set_snapshot(self, snapshot) -> None:
        """Newest weights of the shown run (published by training, or loaded from a checkpoint)."""
        self.snapshot = snapshot
        self.snapshot_changed.emit(snapshot)
