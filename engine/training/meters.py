"""What the training loop measures and paces: its losses, its clock, and when to draw samples.

``LossMeter`` sums each loss term on the device and reads it only when it reports, so a step costs
no host synchronisation; ``TrainingClock`` counts seconds of training (earlier sessions of a resumed
run included, paused time left out); ``SampleSchedule`` keeps display samples within their share of
the training time.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager

import torch


class LossMeter:
    """The losses since the last report, summed as tensors where they were computed (families return
    detached terms: ``GenerativeModel.training_step``).

    ``add`` runs every step and only adds tensors (no ``.item()``, so no wait for the device);
    ``read`` converts the sums to floats once per report. ``restart`` begins a new interval (after a
    report, a pause or a rollback) for the steps-per-second figure."""

    def __init__(self, step: int = 0, clock=time.perf_counter):
        self._clock = clock
        self.restart(step)

    def add(self, losses: dict[str, torch.Tensor]) -> None:
        sums = self.sums
        for k, v in losses.items():
            sums[k] = sums[k] + v if k in sums else v.detach().clone()
        self.steps += 1

    def read(self, step: int, sums: dict[str, torch.Tensor] | None = None) -> tuple[dict[str, float], float]:
        """The mean of each term over the steps added since the restart (``sums``: these sums after
        combining, e.g. averaged over a distributed job's ranks) and the steps per second."""
        sums = self.sums if sums is None else sums
        n = max(self.steps, 1)
        losses = {k: float(v.item()) / n for k, v in sums.items()}
        seconds = self._clock() - self.since_time
        rate = (step - self.since_step) / seconds if seconds > 0 else 0.0
        return losses, rate

    def restart(self, step: int) -> None:
        self.sums: dict[str, torch.Tensor] = {}
        self.steps = 0
        self.since_step, self.since_time = step, self._clock()


class TrainingClock:
    """Seconds of training: ``elapsed`` (what a resumed run trained before) plus this session's time
    since ``start``, with paused time left out. ``clock`` may be ``time.thread_time`` to count CPU
    time (a benchmark on a busy machine)."""

    def __init__(self, clock, elapsed: float = 0.0):
        self._clock = clock
        self._base = elapsed
        self._start: float | None = None

    def start(self) -> None:
        self._start = self._clock()

    def now(self) -> float:
        if self._start is None:
            return self._base
        return self._base + (self._clock() - self._start)

    @contextmanager
    def paused(self):
        """Time spent inside the ``with`` body is not training time."""
        began = self._clock()
        try:
            yield
        finally:
            if self._start is not None:
                self._start += self._clock() - began


class SampleSchedule:
    """Display samples every ``every`` steps, but never more than ``budget`` of the training time.

    A draw that took c seconds delays the next by c (1 - b) / b; and from the second grid on, the grids
    drawn during training (all but the run's first, drawn before its clock starts and carrying one-off
    warm-up costs) must fit, with one more of the last one's cost, in ``budget`` of the time since the
    first grid ended. The spacing rule alone let a short run end above the budget; counting the first
    grid would starve the next ones after a slow warm-up. After a pause the spacing rule still keeps
    draws apart, so the time paused does not turn into a burst of grids.
    """

    def __init__(self, every: int, budget: float):
        self.every, self.budget = every, budget
        self.last_step = -10 ** 9
        self.next_time = 0.0
        self.clock_start: float | None = None   # when the first grid ended
        self.spent = 0.0                        # seconds of the grids drawn since
        self.last_cost = 0.0

    def _b(self) -> float:
        return min(max(self.budget, 1e-3), 1.0)

    def due(self, step: int, now: float) -> bool:
        if step - self.last_step < self.every or now < self.next_time:
            return False
        if self.clock_start is None or self.spent == 0.0:
            return True
        return self.spent + self.last_cost <= self._b() * (now - self.clock_start)

    def record(self, step: int, started: float, ended: float) -> None:
        self.last_step = step
        cost = ended - started
        if self.clock_start is None:
            self.clock_start = ended
        else:
            self.spent += cost
        self.last_cost = cost
        b = self._b()
        self.next_time = ended + cost * (1.0 - b) / b


def run_progress(step: int, elapsed: float, tc, unlimited_steps: int) -> float:
    """How far a run is, 0..1: by steps, or by time when a time limit is set (``tc``: its TrainConfig)."""
    p = step / tc.steps if tc.steps else 0.0
    if tc.time_limit:
        p = max(p if tc.steps < unlimited_steps else 0.0, elapsed / tc.time_limit)
    return min(1.0, p)


def lr_factor(schedule: str, progress: float) -> float:
    """The learning rate's factor at ``progress``: cosine decay to 0 at the end, or 1 (constant)."""
    return 0.5 * (1.0 + math.cos(math.pi * progress)) if schedule == "cosine" else 1.0


def finite_or_none(v):
    """A number for JSON: None for what is not a finite number (a best NLL before any evaluation)."""
    return v if isinstance(v, (int, float)) and math.isfinite(v) else None
