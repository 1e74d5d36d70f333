"""``RunSession``: the one place that starts, steers and ends the window's training runs.

It owns the current ``Runner`` and the ``EngineBridge`` that drains it, and keeps a small state
machine the toolbar reads: ``starting`` (PyTorch is warming up), ``idle``, ``running``, ``paused``,
``stopping``. Every control is a call to the runner's thread-safe methods; nothing here waits on the
training thread except ``shutdown``, which the window calls when it closes (stop, checkpoint, join
with a deadline). Runs go to a fresh folder under ``workspace`` (the window sets it; the Runs dock
lists the same folder). ``train(..., resume=True)`` continues an existing run folder instead (the
window's Continue, and a fork), and ``rollback`` answers a non-finite loss.

Training runs in a process of its own (``engine.training.child.ChildRunner``, the same interface as
the in-process ``Runner``): the window's painting and the explorer never share an interpreter lock
with training, and a native crash in training ends that process, not the window. Once PyTorch is
warm here, a warm training process is started that has loaded PyTorch too and waits for its first
command, so Train starts at once; after each run the next one is made. ``in_process = True`` keeps
the old training thread (tests that reach into the live model's weights use it, and say so).
"""

from __future__ import annotations

import threading
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

    in_process = False                # True: train on a thread of this process (``Runner``)
    keep_warm = True                  # keep a training process waiting for the next Train

    def __init__(self, parent=None):
        super().__init__(parent)
        self.bridge = EngineBridge(self)
        self.runner = None
        self.dataset = None
        self.warm = None                  # a started training process waiting for its first run
        self.closing = False              # the window is closing: no new warm process
        self._early = None                # the thread starting the first process (start_early)
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
            self.warm_up_process()

    def start_early(self) -> None:
        """Start the first training process alongside the window's own warm-up (after the first paint), so
        it is ready about when Train is enabled. Started from a short thread: nothing on the GUI thread
        imports while the warm-up thread is importing PyTorch."""
        if self.in_process or not self.keep_warm or self.warm is not None:
            return

        def spawn():
            # lazy: engine.training.child (no PyTorch itself) is only needed once a process is wanted
            from engine.training.child import WorkerProcess
            try:
                warm = WorkerProcess()
            except OSError:  # set_ready tries again, and reports it
                return
            if self.warm is None and not self.closing:
                self.warm = warm
            else:
                warm.kill()
        self._early = threading.Thread(target=spawn, name="genlab-spawn", daemon=True)
        self._early.start()

    def warm_up_process(self) -> None:
        """Start the training process the next Train will use (PyTorch loads there meanwhile)."""
        if self.in_process or not self.keep_warm or self.closing or self.state == "starting":
            return
        if self._early is not None:
            self._early.join(10.0)     # the early one is being started: use it
            self._early = None
        if self.warm is not None and self.warm.usable:
            return
        # lazy: engine.training.child starts the process; the window asks for it after its warm-up
        from engine.training.child import WorkerProcess
        try:
            self.warm = WorkerProcess()
        except OSError as e:  # no process could be started: Train starts one (and says why if it fails)
            self.warm = None
            self.message_logged.emit("warning", self.tr("could not start a training process in advance: {e}")
                                     .format(e=e))

    def _take_warm(self):
        warm, self.warm = self.warm, None
        return warm if warm is not None and warm.usable else None

    @property
    def elapsed(self) -> float:
        """Seconds of training of the current run (as the run counts them)."""
        r = self.runner
        if r is None:
            return 0.0
        trainer = getattr(r, "trainer", None)
        return trainer.elapsed if trainer is not None else float(getattr(r, "elapsed", 0.0))

    def run_dataset(self, lookup=None):
        """The dataset the current run trains on as this window holds it: the one given to ``train``, an
        in-process trainer's, or ``lookup(config.data)`` (the window's loaded copy; a training process
        loads its own); None when this window has none."""
        r = self.runner
        if r is None:
            return None
        if r.dataset is not None:
            return r.dataset
        trainer = getattr(r, "trainer", None)
        if trainer is not None:
            return trainer.dataset
        return lookup(r.config.data) if lookup is not None else None

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
        if resume and run_dir is None:
            raise ValueError("resume needs the run folder to continue")
        self.run_dir = Path(run_dir) if run_dir is not None else new_run_dir(
            config.data.name, config.family, self.workspace or workspace_dir())
        if self.in_process:
            # lazy: engine.training.runner loads PyTorch, kept out of the window's first paint
            from engine.training.runner import Runner
            runner = Runner(config, self.run_dir, dataset=dataset, resume=resume)
        else:
            # lazy: engine.training.child loads PyTorch, kept out of the window's first paint
            from engine.training.child import ChildRunner
            runner = ChildRunner(config, self.run_dir, dataset=dataset, resume=resume, worker=self._take_warm())
        self.dataset = dataset
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
        """Stop the run, let it save its checkpoint, and wait up to ``timeout`` s for it to end (a
        training process that needs longer finishes its checkpoint on its own); the warm process ends."""
        self._end_warm()
        runner = self.runner
        if runner is None or not runner.alive:
            self.bridge.detach()
            return True
        if hasattr(runner, "close"):
            ended = runner.close(timeout)
        else:
            runner.stop()
            ended = runner.join(timeout)
        self.bridge.drain()
        self.bridge.detach()
        self._set_state("idle")
        return ended

    def keep_in_background(self) -> bool:
        """Closing with "keep training": the training process goes on headless, writing its run folder;
        False when there is no such process (an in-process run: the caller continues it another way)."""
        self._end_warm()
        runner = self.runner
        if runner is None or not runner.alive or not hasattr(runner, "detach"):
            return False
        runner.detach()
        self.bridge.detach()
        self._set_state("idle")
        return True

    def kill(self) -> bool:
        """End the run now, without a checkpoint (closing with "discard"); True when it has ended."""
        self._end_warm()
        runner = self.runner
        if runner is None or not (runner.alive or hasattr(runner, "kill")):
            self.bridge.detach()
            return True
        if hasattr(runner, "kill"):   # also after its last event: the folder's lock goes with the process
            runner.kill()
            ended = runner.join(5.0)
        else:
            runner.stop()
            ended = runner.join(10.0)
        self.bridge.drain()
        self.bridge.detach()
        self._set_state("idle")
        return ended

    def _end_warm(self) -> None:
        self.closing = True
        if self._early is not None:
            self._early.join(10.0)
            self._early = None
        warm, self.warm = self.warm, None
        if warm is not None:
            warm.kill()

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
        self.warm_up_process()
