"""``EngineBridge``: turns a runner's events into Qt signals on the GUI thread.

A QTimer drains ``Runner.poll()`` every 25 ms. All ``StepCompleted`` events of one tick become one
``steps_completed(list)`` emission, so a fast model that logs hundreds of times a second costs the
window one update per tick. Heavy payloads (sample grids, snapshots) come from the runner's
latest-wins mailbox, so at most one of each per tick. Order is kept where it matters: steps are
flushed before any other light event, and the final ``training_finished``/``training_failed`` is
emitted after the last samples. The bridge never waits on the engine; when the runner's thread has
ended and everything is drained, the timer stops.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from engine.events import (CheckpointSaved, EvaluationCompleted, LogMessage, NonFiniteLoss, RolledBack, RunStarted,
                           SamplesReady, SnapshotPublished, StepCompleted, TrainingFailed, TrainingFinished,
                           TrainingPaused, TrainingResumed, WriteFailed)
from engine.events import Diagnosed
from gui.i18n import engine_text

POLL_MS = 25
MAX_EVENTS_PER_TICK = 5000


class EngineBridge(QObject):
    run_started = Signal(object)            # RunStarted
    steps_completed = Signal(object)        # list[StepCompleted], oldest first
    samples_ready = Signal(object)          # SamplesReady
    snapshot_published = Signal(object)     # Snapshot
    evaluation_completed = Signal(object)   # EvaluationCompleted
    checkpoint_saved = Signal(object)       # CheckpointSaved
    message_logged = Signal(str, str)       # level, text
    training_paused = Signal(int)           # step
    training_resumed = Signal(int)          # step
    non_finite_loss = Signal(object)        # NonFiniteLoss
    rolled_back = Signal(object)            # RolledBack
    write_failed = Signal(object)           # WriteFailed (its line for the Log comes as a LogMessage)
    training_finished = Signal(object)      # TrainingFinished
    training_failed = Signal(object)        # TrainingFailed
    diagnosed = Signal(object)              # Diagnosed (each new alarm's line for the Log comes as a LogMessage)

    def __init__(self, parent=None, interval_ms: int = POLL_MS):
        super().__init__(parent)
        self.runner = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.ticks = 0

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def attach(self, runner) -> None:
        """Start draining ``runner`` (replacing any previous one, whose leftovers are dropped)."""
        self.runner = runner
        self._timer.start()

    def detach(self) -> None:
        self._timer.stop()
        self.runner = None

    def drain(self) -> None:
        """Process whatever is waiting now (also called by the timer)."""
        self._on_timer_timeout()

    def _on_timer_timeout(self) -> None:
        runner = self.runner
        if runner is None:
            self._timer.stop()
            return
        self.ticks += 1
        finished_before = runner.finished.is_set()
        events = runner.poll(MAX_EVENTS_PER_TICK)
        steps: list[StepCompleted] = []
        final = []
        for ev in events:
            if isinstance(ev, StepCompleted):
                steps.append(ev)
                continue
            if isinstance(ev, (TrainingFinished, TrainingFailed)):
                final.append(ev)
                continue
            if steps and not isinstance(ev, (SamplesReady, SnapshotPublished)):
                self.steps_completed.emit(steps)
                steps = []
            self._emit(ev)
        if steps:
            self.steps_completed.emit(steps)
        for ev in final:
            self._emit(ev)
        if finished_before and not events and runner is self.runner:
            self._timer.stop()

    def _emit(self, ev) -> None:
        if isinstance(ev, SamplesReady):
            self.samples_ready.emit(ev)
        elif isinstance(ev, SnapshotPublished):
            self.snapshot_published.emit(ev.snapshot)
        elif isinstance(ev, RunStarted):
            self.run_started.emit(ev)
        elif isinstance(ev, LogMessage):
            self.message_logged.emit(ev.level, engine_text(ev.text))  # translated here: Qt strings drop the template
        elif isinstance(ev, CheckpointSaved):
            self.checkpoint_saved.emit(ev)
        elif isinstance(ev, EvaluationCompleted):
            self.evaluation_completed.emit(ev)
        elif isinstance(ev, TrainingPaused):
            self.training_paused.emit(ev.step)
        elif isinstance(ev, TrainingResumed):
            self.training_resumed.emit(ev.step)
        elif isinstance(ev, NonFiniteLoss):
            self.non_finite_loss.emit(ev)
        elif isinstance(ev, RolledBack):
            self.rolled_back.emit(ev)
        elif isinstance(ev, WriteFailed):
            self.write_failed.emit(ev)
        elif isinstance(ev, TrainingFinished):
            self.training_finished.emit(ev)
        elif isinstance(ev, TrainingFailed):
            self.training_failed.emit(ev)
        elif isinstance(ev, Diagnosed):
            self.diagnosed.emit(ev)
