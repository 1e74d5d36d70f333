"""``Controls``: what the window or the CLI asks of a training loop running on another thread.

Every request is thread-safe and takes effect at the loop's next step; ``Trainer._obey`` in
``engine.training.loop`` is the one place that carries them out. The stop flag is also what
``engine.interrupt`` watches, so Stop cuts a long sampler or evaluation short.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Controls:
    """Thread-safe requests from outside the loop: stop, pause, single steps and live changes."""

    interactive: bool = True           # pause on a non-finite loss (window) or fail (CLI)
    stop: threading.Event = field(default_factory=threading.Event)
    paused: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _wake: threading.Condition = None
    _step_credit: int = 0
    _step_phase: str | None = None     # a GAN's "d" or "g" for the requested single steps (None: both)
    _live: list = field(default_factory=list)
    _rollback: tuple | None = None     # (lr_factor, resume afterwards) asked for by the window

    def __post_init__(self):
        self._wake = threading.Condition(self._lock)

    def request_stop(self):
        with self._wake:
            self.stop.set()
            self._wake.notify_all()

    def request_pause(self):
        self.paused.set()

    def request_resume(self):
        with self._wake:
            self.paused.clear()
            self._wake.notify_all()

    def request_steps(self, n: int = 1, phase: str | None = None):
        """Run ``n`` steps and pause again (the toolbar's Step). ``phase`` ("d" or "g") asks a family
        whose ``training_step`` takes a ``phase`` (the GAN) for one player's update only."""
        with self._wake:
            self.paused.set()
            self._step_credit += n
            self._step_phase = phase
            self._wake.notify_all()

    def take_step_phase(self) -> str | None:
        with self._lock:
            phase, self._step_phase = self._step_phase, None
        return phase

    def request_live_change(self, section: str, name: str, value):
        with self._wake:
            self._live.append((section, name, value))
            self._wake.notify_all()

    def take_live_changes(self) -> list:
        with self._lock:
            changes, self._live = self._live, []
        return changes

    def request_rollback(self, lr_factor: float = 0.5, resume: bool = True):
        """Go back to the last good checkpoint, scale the learning rate by ``lr_factor`` and (by
        default) continue; carried out by the training thread at its next step."""
        with self._wake:
            self._rollback = (float(lr_factor), bool(resume))
            self._wake.notify_all()

    def take_rollback(self) -> tuple | None:
        with self._lock:
            request, self._rollback = self._rollback, None
        return request

    def wait_while_paused(self) -> bool:
        """Block while paused; True if one step may run now (a Step credit or resumed)."""
        with self._wake:
            while self.paused.is_set() and not self.stop.is_set():
                if self._step_credit > 0:
                    self._step_credit -= 1
                    return True
                if self._live or self._rollback is not None:
                    return False
                self._wake.wait(0.1)
            return not self.stop.is_set()
