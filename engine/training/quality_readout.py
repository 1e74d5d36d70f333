"""The quality figure at a run's evaluation moments, kept within a share of the training time.

``engine.quality`` scores samples; this decides when a run pays for it. The samples cost what the
family's sampler costs (a PixelCNN draws one sub-pixel per network pass), so a periodic readout is
skipped when its estimated cost (the last display grid's cost per image, times the count) would take
the time spent on readouts above ``SHARE`` of the training time; the run's final evaluation always has it.
"""

from __future__ import annotations

import time

import torch

from engine.quality import QualityJudge, quality_of_model

SHARE = 0.1


class QualityReadout:
    def __init__(self, dataset, samples: int, n_display: int = 64):
        self.dataset = dataset
        self.n_display = max(1, int(n_display))   # images in a display grid, to price one sample
        self.samples = int(samples)
        self.enabled = dataset.spec.kind == "image" and self.samples >= 2 and len(dataset.x_test) >= 2
        self.spent = 0.0
        self.judge: QualityJudge | None = None

    def due(self, elapsed: float, final: bool, cost_per_image: float | None) -> bool:
        if not self.enabled:
            return False
        if final or cost_per_image is None:
            return True
        return self.spent + cost_per_image * self.samples <= SHARE * max(elapsed, 0.0)

    def readout(self, model, generator: torch.Generator | None, elapsed: float, final: bool, schedule) -> dict:
        """The figure (with ``frechet_time``, the training seconds it was measured at) when ``due``, judging
        the cost from the last display grid of the loop's ``SampleSchedule``; else {}."""
        per_image = schedule.last_cost / self.n_display if schedule.last_cost else None
        if not self.due(elapsed, final, per_image):
            return {}
        return {**self.measure(model, generator), "frechet_time": elapsed}

    def measure(self, model, generator: torch.Generator | None) -> dict:
        """Samples from ``model`` (display options) scored against the held-out images."""
        t0 = time.perf_counter()
        try:
            if self.judge is None:
                ds = self.dataset
                self.judge = QualityJudge.for_dataset(ds.x_train, ds.y_train, ds.x_test, ds.spec.num_classes)
            return quality_of_model(model, self.judge, self.samples, generator, **model.display_options())
        finally:
            self.spent += time.perf_counter() - t0
