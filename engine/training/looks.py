"""What a training run shows and measures: display samples, weight snapshots, evaluation, detectors.

``Looks`` is the part of ``Trainer`` (engine.training.loop) that looks at the model without changing
what it learns: the fixed-noise sample grids and the snapshot the explorer decodes, the held-out
likelihood and the quality figure (``QualityReadout``), and the cheap detectors (``Watch``). It is a
mixin because every look reads the run's state (model, data, generators, recorder, schedule) that the
trainer owns; keeping it apart keeps the loop's file to its control flow.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from engine.evaluate import evaluate_nll
from engine.events import EvaluationCompleted, LogMessage, SamplesReady, SnapshotPublished
from engine.render import display_scale, image_grid, scatter_image, upscale
from engine.training.snapshot import take_snapshot
from engine.training.text_samples import draw_text_samples

DISPLAY_SEED = 20240601  # the fixed noise bank for display samples
MAX_DISPLAY_POINTS = 5000


@dataclass(frozen=True)
class Outcome:
    """Why training ended ("completed", "time limit", "stopped"); the final evaluation's metrics."""

    reason: str
    metrics: dict = field(default_factory=dict)


class Looks:
    """Samples, snapshots, evaluations and detector looks of one run (mixed into ``Trainer``)."""

    def draw_samples(self) -> SamplesReady:
        """Display samples from the fixed noise bank, written to the run's samples/."""
        t0 = time.perf_counter()
        self.gen_sample.manual_seed(DISPLAY_SEED)
        spec = self.dataset.spec
        tc = self.config.train
        if spec.kind == "text":
            return draw_text_samples(self, t0)
        if spec.kind == "points":
            n = min(MAX_DISPLAY_POINTS, tc.n_display * 16)
            pts = self.model.sample(n, generator=self.gen_sample, **self.model.display_options()).cpu().numpy().astype(np.float32)
            path = None
            if self.run is not None and self.is_writer:
                ref = self.dataset.x_test[:MAX_DISPLAY_POINTS].numpy()
                path = self.recorder.write_samples(self.step, scatter_image(pts, ref), pts)
            data = np.ascontiguousarray(pts)
        else:
            imgs = self.model.sample(tc.n_display, generator=self.gen_sample, **self.model.display_options())
            data = image_grid(imgs)
            path = None
            if self.run is not None and self.is_writer:
                path = self.recorder.write_samples(self.step, upscale(data, display_scale(spec.shape[1])))
        t1 = time.perf_counter()
        return SamplesReady(step=self.step, kind=spec.kind, data=data, path=path, seconds=t1 - t0)

    def evaluate(self, limit: int | None = None, final: bool = True) -> dict:
        ds = self.dataset
        self.gen_eval.manual_seed(self.config.train.seed * 1000 + 2)
        metrics = evaluate_nll(self.model, ds.x_test, ds.y_test if self.model.conditional else None,
                               limit or self.config.train.eval_limit, self.gen_eval)
        metrics.update(self.quality.readout(self.model, self.gen_eval, self.elapsed, final, self.schedule))
        metrics.update(step=self.step, data=self.config.data.name)
        nll = metrics.get("test_nll_nats")
        if nll is not None and math.isfinite(nll) and nll < self.best_nll:
            self.best_nll, self.best_step = nll, self.step
        return metrics


    def _sample_events(self):
        if self.dist is not None and not self.is_writer:  # rank 0 draws; the others wait at the next step
            self.schedule.record(self.step, 0.0, 0.0)
            return
        started = self.clock()      # the run's clock: what the schedule's share is a share of
        self._activity = "drawing samples"
        ev = self.draw_samples()
        snap = take_snapshot(self.model, self.step)
        self.schedule.record(self.step, started, self.clock())
        yield ev
        yield SnapshotPublished(snap)

    def _evaluation_events(self):
        # the evaluation at the run's last step is its final one (with the quality figure), not repeated
        yield self._eval_event(final=self.step >= self.config.train.steps)
        yield from self._watch_events()
        if self.best_step == self.step and self._last_ckpt_step != self.step:
            yield from self._checkpoint_events()  # keep the best weights, not only their score

    def _eval_event(self, final: bool = True) -> EvaluationCompleted:
        if self.dist is not None and not self.is_writer:  # rank 0 evaluates and records
            return EvaluationCompleted(self.step, {})
        self._activity = "evaluating"
        metrics = self.evaluate(final=final)
        self.recorder.evaluation(self.step, self.elapsed, metrics, self.best_nll, self.best_step)
        self._last_eval = EvaluationCompleted(self.step, metrics)
        self._last_eval_final = final
        return self._last_eval


    def _last_look(self, reason: str):
        """The run's last samples and evaluation (unless made at this very step already)."""
        if self.schedule.last_step != self.step:
            yield from self._sample_events()
        # made at this step already, as a final one (its quality readout measured, or skipped for its cost)
        if (self._last_eval is not None and self._last_eval.step == self.step
                and (self._last_eval_final or "frechet" in self._last_eval.metrics or not self.quality.enabled)):
            return Outcome(reason, self._last_eval.metrics)
        ev = self._eval_event()
        yield ev
        yield from self._watch_events()
        return Outcome(reason, ev.metrics)

    def _watch_events(self):
        """Why this evaluation has no quality figure (when it was skipped for its cost), then what the cheap
        detectors see now (``engine.training.watch``) on the samples the readout drew or as many as the
        share of time left for evaluation samples affords; rank 0 only."""
        if self.quality.note:
            yield LogMessage("info", self.quality.note, self.step)
            self.quality.note = ""
        if self.is_writer:
            self._activity = "diagnosing"
            samples, n = self.quality.look_samples(self.elapsed, self.schedule)
            t0 = self.clock()
            events = self.watch.look(self.model, self.dataset, self.step, samples=samples, n=n)
            if n:
                self.quality.spent += self.clock() - t0
            yield from events
