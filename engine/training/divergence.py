"""A loss that blows up but stays finite: told apart from noise, so the loop can roll back.

The non-finite guard (``Trainer._non_finite_loss``) catches NaN and infinity. A run can also diverge with
finite numbers: a 30-minute flow run on MNIST (bench/results/images.md, round 3) went from 1.6 to 24
bits/dim after one gradient spike and never came back, and nothing noticed. ``DivergenceGuard`` watches
the reported training loss of a family whose loss is minimised (not the adversarial players of a GAN,
whose losses rise and fall by design) and says the run diverged when the loss has climbed back by at
least ``GIVE_BACK`` of what the run had learned, and by more than ``NOISE_SIGMAS`` times the
report-to-report noise, for ``CONFIRM`` reports running. A single noisy batch or a warm-up's rise cannot
do both; a collapse does. It also names the last report before the climb, so the rollback goes to a
checkpoint from before it, not to one saved while the loss was already rising.

Pure bookkeeping over floats, no torch: the loop feeds it and decides what to do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.i18n import QT_TRANSLATE_NOOP, Message, message

WINDOW = 5            # reports in the running median that defines the run's level
MIN_REPORTS = 12      # reports before the guard arms (the start of a run moves fast)
CONFIRM = 3           # consecutive reports above the threshold
GIVE_BACK = 0.5       # share of what was learned that the loss must give back
NOISE_SIGMAS = 10.0   # and how many report-to-report noise widths
NOISE_REPORTS = 50    # recent reports that estimate the noise
MAX_AUTO_ROLLBACKS = 3   # a run that keeps diverging at halved rates needs a person, not a fourth


@dataclass
class Divergence:
    """The loss climbed from ``best`` to ``now`` (threshold ``threshold``); ``healthy_step`` is the step
    of the last report at or under the threshold."""
    step: int
    best: float
    now: float
    threshold: float
    healthy_step: int


class DivergenceGuard:
    def __init__(self):
        self.steps: list[int] = []
        self.values: list[float] = []
        self.best = math.inf          # the lowest running median so far
        self.start = math.nan         # the first running median: where the run began

    def reset(self) -> None:
        """Forget the history: after a live change (a new beta or learning rate may move the loss on
        purpose) or a rollback (to a checkpoint that may lie far behind the best level) the guard
        re-arms on what follows."""
        self.__init__()

    def add(self, step: int, loss: float) -> Divergence | None:
        """Record one report; a ``Divergence`` when this report confirms one, else None."""
        if not math.isfinite(loss):
            return None                   # the non-finite guard's case
        self.steps.append(int(step))
        self.values.append(float(loss))
        if len(self.values) > 4 * NOISE_REPORTS:
            del self.steps[:NOISE_REPORTS], self.values[:NOISE_REPORTS]
        if len(self.values) < WINDOW:
            return None
        level = float(np.median(self.values[-WINDOW:]))
        if math.isnan(self.start):
            self.start = level
        if len(self.values) < MIN_REPORTS:
            self.best = min(self.best, level)
            return None
        threshold = self.threshold()
        recent = self.values[-CONFIRM:]
        if all(v > threshold for v in recent):
            healthy = [s for s, v in zip(self.steps, self.values) if v <= threshold]
            if healthy:
                return Divergence(self.steps[-1], self.best, float(np.median(recent)), threshold, healthy[-1])
            return None
        if self.values[-1] <= threshold:
            self.best = min(self.best, level)
        return None

    def threshold(self) -> float:
        learned = max(self.start - self.best, 0.0)
        return self.best + max(GIVE_BACK * learned, NOISE_SIGMAS * self.noise())

    def noise(self) -> float:
        """The spread of one report around the trend: the median absolute report-to-report change,
        scaled to a standard deviation (robust to the trend and to spikes, as ``loss_plateau``'s)."""
        d = np.diff(np.asarray(self.values[-NOISE_REPORTS:], dtype=np.float64))
        if len(d) < 2:
            return 0.0
        return 1.4826 * float(np.median(np.abs(d - np.median(d)))) / math.sqrt(2)


def divergence_message(found: Divergence, outcome, used: int) -> Message:
    """What the Log says: ``outcome`` is the ``RolledBack`` event, the reason a rollback failed (text),
    or None when the automatic rollbacks are used up."""
    facts = {"best": found.best, "now": found.now, "threshold": found.threshold, "step": found.step}
    if outcome is None:
        return message(QT_TRANSLATE_NOOP(
            "engine", "the loss climbed from {best:.4g} to {now:.4g} by step {step} (past {threshold:.4g}): the run "
                      "is diverging. The {max} automatic rollbacks are used up; training goes on. Lower the "
                      "learning rate or set a gradient clip."), max=MAX_AUTO_ROLLBACKS, **facts)
    if isinstance(outcome, str):
        return message(QT_TRANSLATE_NOOP(
            "engine", "the loss climbed from {best:.4g} to {now:.4g} by step {step} (past {threshold:.4g}): the run "
                      "is diverging, and it could not be rolled back ({error}); training goes on."),
            error=outcome, **facts)
    return message(QT_TRANSLATE_NOOP(
        "engine", "the loss climbed from {best:.4g} to {now:.4g} by step {step} (past {threshold:.4g}): the run "
                  "was diverging. Rolled back to the checkpoint at step {back} with the learning rate halved to "
                  "{lr:.3g} (automatic rollback {used} of {max})."),
        back=outcome.step, lr=outcome.lr, used=used, max=MAX_AUTO_ROLLBACKS, **facts)
