"""Samples drawn at a run's evaluation moments (the quality figure, the detectors), kept within a share
of the training time.

``engine.quality`` scores samples; this decides when a run pays for them and how many it can afford.
Samples cost what the family's sampler costs (a PixelCNN draws one sub-pixel per network pass: 64 of
its 32x32 colour images take minutes of a CPU), priced from the last display grid's cost per image:

- a periodic quality readout is skipped when it would take the time spent on evaluation samples above
  ``SHARE`` of the training time so far;
- the run's final readout is measured unless it alone would cost more than ``FINAL_SHARE`` of the
  training time and more than ``FINAL_FREE_S`` (a few seconds are worth a figure even after a short run): then
  it is skipped with a note that says why and how to measure it afterwards
  (``genlab eval RUN --quality N``), instead of a 60-second run spending minutes on its last look;
- the detectors' samples (``engine.diagnose.live_findings``) reuse the readout's when it drew at this
  moment, else take as many of ``LOOK_SAMPLES`` as the share leaves (none under ``MIN_LOOK_SAMPLES``).
"""

from __future__ import annotations

import math
import time

import torch

from engine.quality import QualityJudge, draw_samples

SHARE = 0.1
FINAL_SHARE = 0.5
FINAL_FREE_S = 10.0
LOOK_SAMPLES = 128       # the detectors' sample count when sampling is cheap
MIN_LOOK_SAMPLES = 32    # fewer make the copying share too noisy to report


class QualityReadout:
    def __init__(self, dataset, samples: int, n_display: int = 64, clock=time.perf_counter):
        self.dataset = dataset
        self.clock = clock                        # the run's clock (prices are shares of its training time)
        self.n_display = max(1, int(n_display))   # images in a display grid, to price one sample
        self.samples = int(samples)
        self.priced = dataset.spec.kind == "image"   # points and characters are cheap to draw
        self.enabled = self.priced and self.samples >= 2 and len(dataset.x_test) >= 2
        self.spent = 0.0
        self.judge: QualityJudge | None = None
        self.drawn: tuple[float, torch.Tensor] | None = None   # (training seconds, samples) of the last readout
        self.note = ""            # why the last due readout was skipped ("" when it was not)

    def due(self, elapsed: float, final: bool, cost_per_image: float | None) -> bool:
        if not self.enabled:
            return False
        if cost_per_image is None:
            return True
        cost = cost_per_image * self.samples
        if final:
            return cost <= max(FINAL_SHARE * max(elapsed, 0.0), FINAL_FREE_S)
        return self.spent + cost <= SHARE * max(elapsed, 0.0)

    def per_image(self, schedule) -> float | None:
        """Seconds per sampled image, from the last display grid of the loop's ``SampleSchedule``."""
        return schedule.last_cost / self.n_display if schedule.last_cost else None

    def readout(self, model, generator: torch.Generator | None, elapsed: float, final: bool, schedule) -> dict:
        """The figure (with ``frechet_time``, the training seconds it was measured at) when ``due``, judging
        the cost from the last display grid; else {} (and, for a final readout, ``note`` says why)."""
        per_image = self.per_image(schedule)
        self.note = ""
        if not self.due(elapsed, final, per_image):
            if final:
                self.note = (f"no quality figure at the end of this run: {self.samples} samples would take about "
                             f"{per_image * self.samples:.0f} s, more than {FINAL_SHARE:.0%} of its "
                             f"{elapsed:.0f} s of training; measure it with genlab eval RUN --quality "
                             f"{self.samples}")
            return {}
        return {**self.measure(model, generator, elapsed), "frechet_time": elapsed}

    def measure(self, model, generator: torch.Generator | None, elapsed: float = 0.0) -> dict:
        """Samples from ``model`` (display options) scored against the held-out images."""
        t0 = self.clock()
        try:
            if self.judge is None:
                ds = self.dataset
                self.judge = QualityJudge.for_dataset(ds.x_train, ds.y_train, ds.x_test, ds.spec.num_classes)
            samples = draw_samples(model, self.samples, generator, **model.display_options())
            self.drawn = (elapsed, samples)
            return self.judge.score(samples)
        finally:
            self.spent += self.clock() - t0

    def look_samples(self, elapsed: float, schedule) -> tuple[torch.Tensor | None, int | None]:
        """What the detectors sample at this moment: (samples drawn by this moment's readout, None), or
        (None, how many they may draw; 0: none), or (None, None) where sampling is not priced."""
        if self.drawn is not None and self.drawn[0] == elapsed:
            return self.drawn[1][:LOOK_SAMPLES], None
        if not self.priced:
            return None, None
        per_image = self.per_image(schedule)
        if per_image is None:
            return None, LOOK_SAMPLES
        n = min(LOOK_SAMPLES, math.floor(max(SHARE * max(elapsed, 0.0) - self.spent, 0.0) / per_image))
        return None, (n if n >= MIN_LOOK_SAMPLES else 0)
