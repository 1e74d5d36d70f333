"""What keeps a run safe while it trains: its status file, tolerant writes, out-of-memory, rollback.

``Trainer`` inherits these from ``RunKeeping`` so the loop itself stays about training. Everything
here runs on the training thread:

- ``status.json`` and the run lock (``engine.runs.status``) follow the loop's events, so a runs list
  tells running, paused, finished, stopped, failed and killed runs apart without reading big files;
- a metrics line or a sample picture that cannot be written (disk full, folder made read-only) is
  reported once in the log and training goes on; checkpoints are atomic, so an earlier one is never
  damaged by a failed write;
- running out of memory (GPU or host) frees what the failed step held, saves the state when it is
  good, and ends with a ``TrainingError`` that suggests a smaller batch;
- ``rollback`` goes back to the newest checkpoint that verifies and holds only finite weights and
  lowers the learning rate (the window's answer to a non-finite loss).
"""

from __future__ import annotations

import dataclasses
import json
import math
import time

import torch

from engine.config import RunConfig
from engine.devices import describe_device
from engine.errors import CheckpointError, ConfigError, GenLabError, TrainingError
from engine.events import (CheckpointSaved, EvaluationCompleted, LogMessage, RolledBack, StepCompleted,
                           TrainingFinished, TrainingPaused, TrainingResumed)
from engine.faults import is_out_of_memory, out_of_memory_message, release_memory
from engine.models.registry import model_from_init_args
from engine.runs.checkpoint import list_checkpoints, load_checkpoint, restore_model
from engine.runs.status import StatusWriter


class RunKeeping:
    """Mixed into ``Trainer``; uses its ``run``, ``model``, ``config``, ``step`` and friends."""

    def kept_events(self, events):
        """Pass the loop's ``events`` through, keeping ``status.json`` and the run lock current, and turn
        running out of memory into a ``TrainingError`` after saving the last good state."""
        status = self._status_writer()
        if status is not None:
            status.start()
            if self.resumed_from is not None:
                self._append_metrics({"event": "resumed", "step": self.step, "time": round(self.elapsed, 4)})
        finished = None
        try:
            for ev in events:
                if status is not None:
                    self._observe(status, ev)
                    if status.write_error and "status" not in self._write_failures:
                        self._write_failures.add("status")
                        yield LogMessage("warning", status.write_error + "; training continues", self.step)
                if isinstance(ev, TrainingFinished):
                    finished = ev
                yield ev
        except GeneratorExit:
            if status is not None:
                status.finish("stopped", "closed", "the program stopped reading this run's events")
            raise
        except KeyboardInterrupt:
            if status is not None:
                status.finish("stopped", "interrupted", "interrupted before a checkpoint was saved")
            raise
        except Exception as e:
            if is_out_of_memory(e):
                error = self._out_of_memory(e)
                if status is not None:
                    status.finish("failed", "out of memory", str(error))
                raise error from None
            if status is not None:
                text = str(e) if isinstance(e, GenLabError) else f"{type(e).__name__}: {e}"
                status.finish("failed", "error", text)
            raise
        if status is not None:
            reason = finished.reason if finished is not None else "stopped"
            status.finish("finished" if reason in ("completed", "time limit") else "stopped", reason)

    def _status_writer(self) -> StatusWriter | None:
        if self.run is None or not self.is_writer:
            return None
        tc = self.config.train
        ckpts = list_checkpoints(self.run.checkpoints_dir)
        best = None
        if self.best_step is not None and math.isfinite(self.best_nll):
            best = {"test_nll_nats": self.best_nll, "step": self.best_step}
        return StatusWriter(self.run.path, {
            "family": self.config.family, "data": self.config.data.name, "parent": self.config.parent,
            "step": self.step, "total_steps": tc.steps, "time_limit": tc.time_limit, "elapsed": self.elapsed,
            "checkpoint_step": int(ckpts[-1].name[5:14]) if ckpts else None, "best": best,
            "kind": self.dataset.spec.kind})

    def _observe(self, status: StatusWriter, ev) -> None:
        if isinstance(ev, StepCompleted):
            status.record_losses(ev.step, ev.elapsed, ev.losses)
        elif isinstance(ev, EvaluationCompleted):
            best = None
            if self.best_step is not None and math.isfinite(self.best_nll):
                best = {"test_nll_nats": self.best_nll, "step": self.best_step}
                if self.best_step == ev.step:
                    best.update(nll_kind=ev.metrics.get("nll_kind"), bits_per_dim=ev.metrics.get("bits_per_dim"))
                elif isinstance(status.state.get("best"), dict):
                    best = {**status.state["best"], **best}
            status.record_eval(ev.step, ev.metrics, best)
        elif isinstance(ev, CheckpointSaved):
            status.update(force=True, checkpoint_step=ev.step, step=ev.step)
        elif isinstance(ev, TrainingPaused):
            status.update(force=True, state="paused", step=ev.step)
        elif isinstance(ev, TrainingResumed):
            status.update(force=True, state="running", step=ev.step)
        elif isinstance(ev, RolledBack):
            status.update(force=True, step=ev.step, state="running")

    def _append_metrics(self, record: dict) -> str | None:
        """Append one metrics record; a full disk or a read-only folder is reported, not raised."""
        if self.run is None or not self.is_writer:
            return None
        try:
            self.run.append_metrics(record)
        except OSError as e:
            return self._write_failed("metrics", f"could not append to {self.run.metrics_path}: {e.strerror or e}")
        self._write_failures.discard("metrics")
        return None

    def _write_failed(self, kind: str, text: str) -> str | None:
        """The message to log for a failed write, once per kind until that kind of write works again."""
        if kind in self._write_failures:
            return None
        self._write_failures.add(kind)
        return text + "; training continues"

    def _out_of_memory(self, exc: BaseException) -> TrainingError:
        """Free what the failed step held, save the state if it is good, and say what to change."""
        detail = str(exc)
        activity = self._activity
        release_memory(exc)
        for opt in self.model.optimizers.values():
            opt.zero_grad(set_to_none=True)
        saved = None
        if self.run is not None and self.is_writer:
            if self._last_ckpt_step == self.step and self.run.checkpoints():
                saved = self.step
            elif all(bool(torch.isfinite(p).all()) for p in self.model.state_dict().values()
                     if p.is_floating_point()):
                try:
                    self.save_checkpoint()
                    saved = self.step
                except (OSError, RuntimeError, MemoryError):
                    saved = None
            if saved is None:
                ckpts = list_checkpoints(self.run.checkpoints_dir)
                saved = int(ckpts[-1].name[5:14]) if ckpts else None
        return TrainingError(out_of_memory_message(activity, self.step, self.batch_size, describe_device(self.device),
                                                   detail, saved, str(self.run.path) if self.run else None))

    def last_good_checkpoint(self):
        """The newest checkpoint at or before this step that verifies and holds only finite weights."""
        if self.run is None:
            return None
        for sidecar in reversed(list_checkpoints(self.run.checkpoints_dir)):
            try:
                ckpt = load_checkpoint(sidecar)
            except CheckpointError:
                continue
            if ckpt.step > self.step:
                continue
            if all(bool(torch.isfinite(v).all()) for v in ckpt.model_state.values() if v.is_floating_point()):
                return ckpt
        return None

    def rollback(self, lr_factor: float = 0.5) -> RolledBack:
        """Go back to the last good checkpoint and scale the learning rate by ``lr_factor``.

        Weights, optimiser, random and sampler states come from the checkpoint; the best metric and the
        training time do not go back (those evaluations and seconds happened). Raises ``TrainingError``
        when there is nothing to go back to."""
        if not 0.0 < lr_factor <= 1.0:
            raise ConfigError("lr_factor", lr_factor, "a number above 0 and at most 1")
        ckpt = self.last_good_checkpoint()
        if ckpt is None:
            where = f" in {self.run.checkpoints_dir}" if self.run is not None else " (this run has no folder)"
            raise TrainingError(f"nothing to roll back to: no good checkpoint{where}; reset the run and "
                                "start again with a lower learning rate")
        from_step, elapsed = self.step, self.elapsed
        best = (self.best_nll, self.best_step)
        restore_model(self.model, ckpt)
        self._restore_trainer(ckpt)
        self.elapsed = elapsed
        self.best_nll, self.best_step = best
        tc = self.config.train
        tc.lr = max(1e-7, tc.lr * lr_factor)
        self._lr_factor = None
        if tc.lr_schedule == "constant":
            self.model.set_lr(tc.lr)
        else:
            self._apply_lr_schedule()
        self._last_ckpt_step = self.step
        self._last_ckpt_time = time.perf_counter()
        self.schedule.last_step = -10 ** 9
        self._last_eval = None  # that evaluation was of weights that no longer exist
        self._append_metrics({"event": "rollback", "step": self.step, "from_step": from_step,
                              "time": round(self.elapsed, 4), "lr": tc.lr})
        return RolledBack(step=self.step, from_step=from_step, lr=tc.lr, checkpoint=str(ckpt.path))

    def _write_samples(self, image, points=None) -> str | None:
        try:
            path = str(self.run.write_sample_png(self.step, image, points=points))
        except OSError as e:
            self._sample_write_error = f"could not write samples to {self.run.samples_dir}: {e.strerror or e}"
            return None
        self._sample_write_error = None
        return path


def model_for_resume(ckpt, config: RunConfig):
    """The checkpoint's model, built with the run config's model settings where they differ (a live
    knob changed, or a setting that keeps the weights' shapes); a change of shape is a ConfigError."""
    init_args = dict(ckpt.init_args)
    wanted = json.loads(json.dumps(dataclasses.asdict(config.model)))
    have = json.loads(json.dumps(init_args.get("config", {})))
    changed = sorted(k for k in wanted if have.get(k) != wanted[k])
    if not changed:
        return model_from_init_args(ckpt.family, ckpt.init_args)
    init_args["config"] = {**have, **wanted}
    try:
        model = model_from_init_args(ckpt.family, init_args)
        model.load_state_dict(ckpt.model_state)
    except (RuntimeError, ValueError, KeyError) as e:
        name = changed[0]
        raise ConfigError(f"model.{name}", wanted[name],
                          f"{have.get(name)!r}, the value this run's weights were built with "
                          f"(changing {', '.join('model.' + c for c in changed)} needs a new run: {str(e)[:120]})"
                          ) from None
    return model
