"""``RunRecorder``: what a run leaves in its folder while it trains, apart from the checkpoints.

The ``Trainer`` owns one and tells it, with explicit values, what happened; the recorder never reads
the trainer. It keeps:

- ``status.json`` and the run lock (``engine.runs.status``), so a runs list tells running, paused,
  finished, stopped, failed and killed runs apart without reading big files;
- ``metrics.jsonl``: a record per loss report, evaluation, rollback, resume and the run's end;
- the display-sample pictures in ``samples/``.

A write that fails (disk full, a folder made read-only) never stops training. It is reported once per
kind ("metrics", "samples", "status", "checkpoint") until that kind of write works again: a
``WriteFailed`` event, which the window reacts to, and a ``LogMessage`` with the line the Log and the
CLI show. Reports wait in the recorder until ``Trainer.events`` hands them on just before its next
event (``reports``), so they come in the order things happened. Checkpoints are atomic, so a failed
one leaves the earlier ones intact.

The recorder also answers the two faults that end or rewind a run: running out of memory (the
message that says what to change; the status says "failed, out of memory") and rollback (the newest
checkpoint at or before this step that verifies and holds only finite weights, and its record).
Everything here runs on the training thread.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from pathlib import Path

import torch

from engine.errors import CheckpointError, GenLabError, TrainingError
from engine.events import LogMessage, WriteFailed
from engine.faults import out_of_memory_message
from engine.i18n import QT_TRANSLATE_NOOP, message
from engine.runs.checkpoint import list_checkpoints, load_checkpoint
from engine.runs.folder import RunFolder
from engine.runs.status import StatusWriter
from engine.tensorboard import EventWriter, metrics_scalars

FINISHED_REASONS = ("completed", "time limit")  # a run that ended so is "finished"; any other end is "stopped"


class OutOfMemory(TrainingError):
    """Training ran out of memory; the message says what was saved and what to change."""


class RunRecorder:
    """Status, lock, metrics, sample pictures and write-failure reports of one run.

    ``run`` is the run's folder (None: a run without one, nothing is written); ``writes`` is False on
    the ranks of a distributed job other than rank 0, which write nothing."""

    def __init__(self, run: RunFolder | None, writes: bool = True, tensorboard: bool = False):
        self.run = run
        self.writes = run is not None and writes
        self._tensorboard = TensorBoardMirror(run.path / "tensorboard") if self.writes and tensorboard else None
        self._status: StatusWriter | None = None
        self._ended = False
        self._failing: set[str] = set()     # kinds of write that failed and have not worked since
        self._pending: list = []            # reports not yet handed on

    # ---- the run's lifetime -------------------------------------------------------------------------
    @contextmanager
    def keeping(self, status: dict, resumed_at: int | None = None, elapsed: float = 0.0):
        """Lock the run and keep its ``status.json`` while the ``with`` body trains.

        ``status`` holds the fields a runs list shows (family, data, step, best...). The body ends the
        run with ``finished``; if it ends otherwise the status says how: the consumer stopped reading
        the events ("closed"), Ctrl+C ("interrupted"), out of memory, or an error."""
        if self.writes:
            ckpts = list_checkpoints(self.run.checkpoints_dir)
            self._status = StatusWriter(self.run.path, {
                **status, "checkpoint_step": int(ckpts[-1].name[5:14]) if ckpts else None})
            self._status.start()   # raises RunBusyError when another process holds the run
            self._ended = False
            self._status_written(status.get("step", 0))
            if resumed_at is not None:
                self._append({"event": "resumed", "step": resumed_at, "time": round(elapsed, 4)}, resumed_at)
        try:
            yield self
        except GeneratorExit:
            self._end("stopped", "closed", "the program stopped reading this run's events")
            raise
        except KeyboardInterrupt:
            self._end("stopped", "interrupted", "interrupted before a checkpoint was saved")
            raise
        except OutOfMemory as e:
            self._end("failed", "out of memory", str(e))
            raise
        except Exception as e:
            self._end("failed", "error", str(e) if isinstance(e, GenLabError) else f"{type(e).__name__}: {e}")
            raise
        self._end("stopped", "stopped")  # the body returned without finishing the run (not the loop's way)

    def finished(self, step: int, elapsed: float, reason: str) -> None:
        """The run ended ("completed", "time limit" or "stopped"): its last metrics record, the metrics
        file flushed to disk, the status final and the lock released."""
        self._append({"event": "finished", "step": step, "time": round(elapsed, 4), "reason": reason}, step)
        if self.writes:
            self.run.close()
        if self._tensorboard is not None:
            self._tensorboard.close()
        self._end("finished" if reason in FINISHED_REASONS else "stopped", reason)

    def _end(self, state: str, reason: str, text: str | None = None) -> None:
        if self._status is None or self._ended:
            return
        self._ended = True
        self._status.finish(state, reason, text)
        self._status_written(self._status.state.get("step") or 0)

    # ---- what happened ------------------------------------------------------------------------------
    def losses(self, step: int, elapsed: float, losses: dict[str, float]) -> None:
        """A loss report: the mean of each term since the previous one."""
        self._append({"event": "train", "step": step, "time": round(elapsed, 4), **losses}, step)
        if self._status is not None:
            self._status.record_losses(step, elapsed, losses)
            self._status_written(step)

    def evaluation(self, step: int, elapsed: float, metrics: dict, best_nll: float, best_step: int | None) -> None:
        """An evaluation, with the run's best test NLL so far (and the step it was measured at)."""
        self._append({"event": "eval", "step": step, "time": round(elapsed, 4),
                      **{k: v for k, v in metrics.items() if k != "step"}}, step)
        if self._status is None:
            return
        best = best_record(best_nll, best_step)
        if best is not None:
            if best_step == step:
                best.update(nll_kind=metrics.get("nll_kind"), bits_per_dim=metrics.get("bits_per_dim"))
            elif isinstance(self._status.state.get("best"), dict):
                best = {**self._status.state["best"], **best}
        self._status.record_eval(step, metrics, best)
        self._status_written(step)

    def state(self, state: str, step: int) -> None:
        """The run was paused ("paused") or goes on ("running")."""
        self._update_status(step, state=state, step=step)

    def checkpoint_saved(self, step: int) -> None:
        self._failing.discard("checkpoint")
        self._update_status(step, checkpoint_step=step, step=step)

    def checkpoint_failed(self, step: int, error: OSError) -> None:
        reason = error.strerror or str(error)
        self._failed("checkpoint", step, self.run.checkpoints_dir, reason, message(QT_TRANSLATE_NOOP(
            "engine", "could not save a checkpoint at step {step} in {folder}: {error}; training continues and "
                      "earlier checkpoints are intact"), step=step, folder=self.run.checkpoints_dir, error=reason))

    def write_samples(self, step: int, image, points=None) -> str | None:
        """Write a sample picture (and its points); its path, or None when it could not be written."""
        if not self.writes:
            return None
        try:
            path = str(self.run.write_sample_png(step, image, points=points))
        except OSError as e:
            reason = e.strerror or str(e)
            self._failed("samples", step, self.run.samples_dir, reason,
                         f"could not write samples to {self.run.samples_dir}: {reason}; training continues")
            return None
        self._failing.discard("samples")
        if self._tensorboard is not None:
            self._pending += self._tensorboard.picture(step, path, image)
        return path

    def write_text_samples(self, step: int, lines, novel) -> str | None:
        """Text: the generated strings, one a line (novel ones marked "+"), in samples/step_<step>.txt."""
        if not self.writes:
            return None
        try:
            return str(self.run.write_sample_text(step, [("+ " if new else "  ") + s for s, new in zip(lines, novel)]))
        except OSError as e:
            reason = e.strerror or str(e)
            self._failed("samples", step, self.run.samples_dir, reason,
                         f"could not write samples to {self.run.samples_dir}: {reason}; training continues")
            return None

    # ---- the write-failure reports ------------------------------------------------------------------
    def reports(self) -> list:
        """The ``WriteFailed`` and ``LogMessage`` events not yet handed on, oldest first."""
        pending, self._pending = self._pending, []
        return pending

    def _failed(self, what: str, step: int, path, reason: str, line: str, level: str = "error") -> None:
        if what in self._failing:
            return
        self._failing.add(what)
        self._pending += [WriteFailed(step, what, str(path), reason), LogMessage(level, line, step)]

    def _append(self, record: dict, step: int) -> None:
        if not self.writes:
            return
        try:
            self.run.append_metrics(record)
        except OSError as e:
            reason = e.strerror or str(e)
            self._failed("metrics", step, self.run.metrics_path, reason,
                         f"could not append to {self.run.metrics_path}: {reason}; training continues")
            return
        self._failing.discard("metrics")
        if self._tensorboard is not None:
            self._pending += self._tensorboard.scalars(record)

    def _update_status(self, step: int, /, **values) -> None:
        if self._status is not None:
            self._status.update(force=True, **values)
            self._status_written(step)

    def _status_written(self, step: int) -> None:
        """Report a status write that failed (a warning: status.json only serves the runs list)."""
        status = self._status
        if status.write_error:
            self._failed("status", step, status.path, status.write_error_reason or status.write_error,
                         status.write_error + "; training continues", level="warning")
        else:
            self._failing.discard("status")

    # ---- faults -------------------------------------------------------------------------------------
    def out_of_memory(self, detail: str, *, activity: str, step: int, batch_size: int, device: str,
                      saved: int | None) -> OutOfMemory:
        """The error that ends a run that ran out of memory while ``activity``; ``saved`` is the step
        whose state the trainer saved (None: the newest checkpoint is what there is)."""
        if saved is None and self.writes:
            ckpts = list_checkpoints(self.run.checkpoints_dir)
            saved = int(ckpts[-1].name[5:14]) if ckpts else None
        return OutOfMemory(out_of_memory_message(activity, step, batch_size, device, detail, saved,
                                                 str(self.run.path) if self.run is not None else None))

    def last_good_checkpoint(self, step: int):
        """The newest checkpoint at or before ``step`` that verifies and holds only finite weights."""
        if self.run is None:
            return None
        for sidecar in reversed(list_checkpoints(self.run.checkpoints_dir)):
            try:
                ckpt = load_checkpoint(sidecar)
            except CheckpointError:
                continue
            if ckpt.step > step:
                continue
            if all(bool(torch.isfinite(v).all()) for v in ckpt.model_state.values() if v.is_floating_point()):
                return ckpt
        return None

    def rollback_target(self, step: int):
        """``last_good_checkpoint``, or a ``TrainingError`` that says there is nothing to go back to."""
        ckpt = self.last_good_checkpoint(step)
        if ckpt is None:
            where = f" in {self.run.checkpoints_dir}" if self.run is not None else " (this run has no folder)"
            raise TrainingError(f"nothing to roll back to: no good checkpoint{where}; reset the run and "
                                "start again with a lower learning rate")
        return ckpt

    def rolled_back(self, step: int, from_step: int, elapsed: float, lr: float) -> None:
        self._append({"event": "rollback", "step": step, "from_step": from_step, "time": round(elapsed, 4),
                      "lr": lr}, step)
        self._update_status(step, step=step, state="running")


def best_record(nll: float, step: int | None) -> dict | None:
    """The run's best test NLL as ``status.json`` keeps it; None before there is a finite one."""
    return {"test_nll_nats": nll, "step": step} if step is not None and math.isfinite(nll) else None


class TensorBoardMirror:
    """What the run's ``metrics.jsonl`` and ``samples/`` receive, also as TensorBoard events
    (``TrainConfig.tensorboard``). The file opens at the first record; a write that fails turns the
    mirror off with one warning, and training goes on."""

    def __init__(self, folder):
        self.folder = folder
        self._writer: EventWriter | None = None
        self._off = False

    def scalars(self, record: dict) -> list:
        step, _, values = metrics_scalars(record)
        return self._do(lambda w: w.add_scalars(step, values)) if values else []

    def picture(self, step: int, path: str, image) -> list:
        h, w = image.shape[:2]
        channels = image.shape[2] if image.ndim == 3 else 1
        return self._do(lambda wr: wr.add_png(step, "samples", Path(path).read_bytes(), h, w, channels))

    def _do(self, action) -> list:
        if self._off:
            return []
        try:
            if self._writer is None:
                self._writer = EventWriter(self.folder)
            action(self._writer)
        except OSError as e:
            self._off = True
            self.close()
            return [LogMessage("warning", f"could not write TensorBoard events to {self.folder}: "
                                          f"{e.strerror or e}; they are off for this run, training continues")]
        return []

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
