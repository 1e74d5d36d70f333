"""Following the shown run while another process trains it: a run opened from Runs that is still live.

A run this window trains arrives as engine events; a run trained elsewhere (``genlab train`` in a
terminal, or this window's own training process kept on in the background after a close) is the same
run folder, so opening it shows what is there and then follows it: every ``POLL_MS`` a
``RunFollower`` (``engine.runs.follow``) reads what was appended, off the GUI thread, and the Losses
dock grows, new sample grids show, and each new checkpoint becomes the shown run's snapshot (the
Latent, Inside and Learn docks decode from it). Following ends when the run ends, when another run is
shown, or when this window starts training.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from gui.background import BackgroundTasks
from gui.i18n import engine_word

POLL_MS = 500


class FollowedRun(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.follower = None
        self.updates = 0                 # polls that brought something new (tests read it)
        self._first = False
        self.tasks = BackgroundTasks(self)
        self.tasks.finished.connect(self._on_tasks_finished)
        self.tasks.failed.connect(lambda _name, message: self.w.log("warning", message))
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._on_timer_timeout)

    @property
    def active(self) -> bool:
        return self.follower is not None

    def follow(self, path) -> None:
        """Follow ``path`` (already opened and shown): what it holds now is the starting point."""
        # lazy: engine.runs.follow loads PyTorch; a run is opened only after the warm-up
        from engine.runs.follow import RunFollower
        self.stop()
        self.follower = RunFollower(path)
        self._first = True
        self.tasks.submit("follow-poll", self.follower.poll)   # catch up: the open showed this much already
        self.timer.start()
        self.w.log("info", self.tr("following run {run}: another process is training it")
                   .format(run=Path(path).name))

    def stop(self) -> None:
        self.timer.stop()
        self.follower = None
        self.tasks.forget("follow-poll")
        self.tasks.forget("follow-snapshot")

    def shutdown(self) -> None:
        self.stop()
        self.tasks.join(2.0)

    def _on_timer_timeout(self) -> None:
        f = self.follower
        if f is None or not self.w.shown.is_shown(f.path) or self.w.shown.live or self.w.session.busy:
            self.stop()
            return
        if not self.tasks.busy("follow-poll"):
            self.tasks.submit("follow-poll", f.poll)

    def _on_tasks_finished(self, name: str, result) -> None:
        f = self.follower
        if f is None:
            return
        if name == "follow-snapshot":
            if result is not None and self.w.shown.is_shown(f.path):
                self.w.shown.set_snapshot(result)
            return
        if self._first:                  # the catch-up poll: its content is on screen from the open
            self._first = False
            return
        # lazy: engine.runs.records is loaded with the follower (PyTorch already)
        from engine.runs.records import steps_from_records
        u, losses, samples = result, self.w.losses_dock, self.w.samples_dock
        if u.reset:
            losses.clear()
            losses.add_steps(steps_from_records(f.curves))
        elif u.records:
            losses.add_steps(steps_from_records(u.records))
        if u.samples:
            samples.refresh_history()
            if samples.history:
                samples.show_history(len(samples.history) - 1)
        if u.checkpoints:
            self.tasks.submit("follow-snapshot", f.latest_snapshot)
        self.updates += bool(u.changed)
        if not f.live:
            self.w.log("info", self.tr("run {run} is no longer training ({state})")
                       .format(run=f.path.name, state=engine_word(u.state)))
            self.timer.stop()
            self.follower = None
            self.w.runs_dock.refresh()
