"""``RunSession``: the one place that starts, steers and ends the window's training runs.

It owns the current ``Runner`` and the ``EngineBridge`` that drains it, and keeps a small state
machine the toolbar reads: ``starting`` (PyTorch is warming up), ``idle``, ``running``, ``paused``,
``stopping``. Every control is a call to the runner's thread-safe methods; nothing here waits on the
training thread except ``shutdown``, which the window calls when it closes (stop, checkpoint, join
with a deadline). Runs go to a fresh folder under ``workspace`` (the window sets it; the Runs dock
lists the same folder). ``train(..., resume=True)`` continues an existing run folder instead (the
window's Continue, and a fork), and ``rollback`` answers a non-finite loss.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from gui.bridge import EngineBridge
from gui.settings import new_run_dir, workspace_dir

STATES = ("starting", "idle", "running", "paused", "stopping")


class RunSession(QObject):
    state_changed = Signal(str)
    run_created = Signal(object)      # the Runner, before its thread starts
    message_logged = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.bridge = EngineBridge(self)
        self.runner = None
        self.run_dir: Path | None = None
        self.state = "starting"
        self.last_step = 0
        self.total_steps = 0
        self.last_steps_per_second = 0.0
        self.device = ""
        self.started_at = 0.0
        self.workspace: Path | None = None
        b = self.bridge
        b.run_started.connect(self._on_bridge_run_started)
        b.steps_completed.connect(self._on_bridge_steps_completed)
        b.training_paused.connect(self._on_bridge_training_paused)
        b.training_resumed.connect(self._on_bridge_training_resumed)
        b.training_finished.connect(self._on_bridge_training_ended)
        b.training_failed.connect(self._on_bridge_training_ended)

    # ---- state ---------------------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def set_ready(self) -> None:
        """PyTorch is warm: Train may be pressed."""
        if self.state == "starting":
            self._set_state("idle")

    @property
    def busy(self) -> bool:
        return self.state in ("running", "paused", "stopping")

    # ---- controls ------------------------------------------------------------------------------------
    def train(self, config, dataset=None, paused: bool = False, run_dir: Path | None = None,
              resume: bool = False):
        """Start a new run of ``config`` (a validated RunConfig); returns the Runner. ``resume``: continue
        the run in ``run_dir`` from its newest checkpoint (``config`` from ``resume_config``)."""
        if self.state == "starting":
            raise RuntimeError("PyTorch is still starting")
        if self.busy:
            raise RuntimeError("a run is already in progress; stop it first")
        # lazy: engine.training.runner loads PyTorch, kept out of the window's first paint
        from engine.training.runner import Runner
        if resume and run_dir is None:
            raise ValueError("resume needs the run folder to continue")
        self.run_dir = Path(run_dir) if run_dir is not None else new_run_dir(
            config.data.name, config.family, self.workspace or workspace_dir())
        runner = Runner(config, self.run_dir, dataset=dataset, resume=resume)
        self.runner = runner
        self.last_step = 0
        self.total_steps = config.train.steps
        self.last_steps_per_second = 0.0
        self.started_at = time.monotonic()
        self.run_created.emit(runner)
        runner.start(paused=paused)
        self.bridge.attach(runner)
        self._set_state("paused" if paused else "running")
        return runner

    def pause(self) -> None:
        if self.runner is not None and self.state == "running":
            self.runner.pause()
            self._set_state("paused")

    def resume(self) -> None:
        if self.runner is not None and self.state == "paused":
            self.runner.resume_training()
            self._set_state("running")

    def toggle_pause(self) -> None:
        if self.state == "running":
            self.pause()
        elif self.state == "paused":
            self.resume()

    def step(self, n: int = 1, phase: str | None = None) -> None:
        """``n`` training steps, then pause; ``phase`` "d"/"g" is one GAN player's update."""
        if self.runner is not None and self.state in ("running", "paused"):
            self.runner.step(n, phase)
            self._set_state("paused")

    def stop(self) -> None:
        """Ask the run to stop; it saves a checkpoint and ends on its own thread."""
        if self.runner is not None and self.state in ("running", "paused"):
            self.runner.stop()
            self._set_state("stopping")

    def rollback(self, lr_factor: float = 0.5) -> bool:
        """Back to the last good checkpoint with a lower learning rate, then on (after a non-finite loss)."""
        if self.runner is None or not self.busy or self.state == "stopping":
            return False
        self.runner.rollback(lr_factor, resume=True)  # "running" follows from the run's own resumed event
        return True

    def set_live(self, section: str, name: str, value) -> bool:
        """Change a live knob of the running model; False when there is no run to change."""
        if self.runner is None or not self.busy:
            return False
        self.runner.set_live(section, name, value)
        return True

    def shutdown(self, timeout: float = 2.0) -> bool:
        """Stop the run, let it save its checkpoint, and wait up to ``timeout`` s for its thread."""
        runner = self.runner
        if runner is None or not runner.alive:
            self.bridge.detach()
            return True
        runner.stop()
        ended = runner.join(timeout)
        self.bridge.drain()
        self.bridge.detach()
        self._set_state("idle")
        return ended

    # ---- engine events -------------------------------------------------------------------------------
    def _on_bridge_run_started(self, ev) -> None:
        self.total_steps = ev.total_steps
        self.last_step = ev.start_step
        self.device = ev.device

    def _on_bridge_steps_completed(self, steps) -> None:
        last = steps[-1]
        self.last_step = last.step
        self.total_steps = last.total_steps
        self.last_steps_per_second = last.steps_per_second

    def _on_bridge_training_paused(self, step: int) -> None:
        self.last_step = step
        if self.state == "running":
            self._set_state("paused")

    def _on_bridge_training_resumed(self, step: int) -> None:
        if self.state == "paused" and self.runner is not None and not self.runner.paused:
            self._set_state("running")

    def _on_bridge_training_ended(self, ev) -> None:
        if getattr(ev, "step", None) is not None:
            self.last_step = ev.step
        self._set_state("idle")
