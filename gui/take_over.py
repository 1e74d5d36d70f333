"""Continuing here a run that another process on this machine is training.

Closing the window with "keep training in the background" leaves a detached ``genlab train``; reopened,
the window follows that run (``gui.followed_run``) but cannot pause, change or stop it, and continuing it
would find its folder locked. Continue on such a run asks first, then has that process stop the way
Ctrl+C stops it (``engine.runs.take_over``: it saves a checkpoint and lets go), off the GUI thread, and
continues the run here from that checkpoint with the usual question of how many more steps.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from engine.runs.take_over import stop_training_elsewhere, training_owner   # status files only, no PyTorch
from gui.background import BackgroundTasks
from gui.dialogs.confirm import confirm


class TakeOver(QObject):
    def __init__(self, controller):
        super().__init__(controller)
        self.controller = controller
        self.w = controller.w
        self._waiting: tuple[str, int | None] | None = None    # (run, more steps) while its owner stops
        self.tasks = BackgroundTasks(self)
        self.tasks.finished.connect(self._on_tasks_finished)
        self.tasks.failed.connect(self._on_tasks_failed)

    @property
    def busy(self) -> bool:
        return self._waiting is not None

    def first(self, path: str, more_steps: int | None, confirmed: bool | None = None) -> bool:
        """True when ``path`` is trained by another process here (this call then asks, unless
        ``confirmed`` says, and takes it over, continuing when it let go); False when nothing stands in
        the way of continuing it now."""
        pid = training_owner(path)
        if pid is None:
            return False
        name = Path(path).name
        if self.busy:
            self.w.log("info", self.tr("still waiting for {run} to stop in its other process")
                       .format(run=Path(self._waiting[0]).name))
            return True
        if confirmed is None:
            confirmed = self._ask(name, pid)
        if not confirmed:
            return True
        self.controller.followed.stop()
        self._waiting = (str(path), more_steps)
        self.w.log("info", self.tr("asking process {pid} to stop training {run}; it saves a checkpoint first…")
                   .format(pid=pid, run=name))
        self.w.statusBar().showMessage(self.tr("Waiting for process {pid} to stop…").format(pid=pid))
        self.tasks.submit("take-over", stop_training_elsewhere, str(path))
        return True

    def _ask(self, name: str, pid: int) -> bool:
        return confirm(self.w, "take_over", self.tr("Continue training here"),
                       self.tr("<b>{run}</b> is training in another process on this machine (process {pid}), "
                               "perhaps one kept on after this window closed. Stop it there and continue "
                               "here? It saves a checkpoint before it stops, so nothing is lost.")
                       .format(run=name, pid=pid), self.tr("Stop it there and continue here"))

    def _on_tasks_finished(self, _name: str, pid) -> None:
        path, more_steps = self._waiting
        self._waiting = None
        self.w.statusBar().clearMessage()
        self.w.log("info", self.tr("process {pid} stopped training {run}; continuing it here")
                   .format(pid=pid, run=Path(path).name))
        self.w.runs_dock.refresh()
        self.controller.continue_run(path, more_steps)

    def _on_tasks_failed(self, _name: str, message: str) -> None:
        self._waiting = None
        self.w.statusBar().clearMessage()
        self.controller._report(self.tr("take the run over"), message)
