"""The training loop as a generator of events.

``Trainer`` holds one run's state (data, model, random generators, counters, run folder) and its
``events(controls)`` generator trains, yielding only at log, sample, evaluation and checkpoint
moments. It checks the stop and pause flags every step and calls ``.item()`` only when it logs, so
the loop costs almost nothing over a bare PyTorch loop. The CLI iterates it on the main thread; the
window's ``Runner`` iterates it on a background thread.

Randomness: training noise and batch order come from ``gen_train``; display samples from
``gen_sample``, reseeded to the same value before every draw (a fixed noise bank, so grid cells
evolve instead of jumping); evaluation from ``gen_eval``. Looking never changes what is learned.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from engine.config import RunConfig
from engine.data import Dataset, load_dataset
from engine.data.preprocess import Preprocess
from engine.devices import describe_device, resolve_device, set_torch_threads
from engine.errors import ConfigError, GenLabError, Interrupted, TrainingError
from engine.evaluate import evaluate_nll
from engine.events import (CheckpointSaved, EvaluationCompleted, LogMessage, NonFiniteLoss, RunStarted,
                           SamplesReady, SnapshotPublished, StepCompleted, TrainingFinished,
                           TrainingPaused, TrainingResumed)
from engine.i18n import QT_TRANSLATE_NOOP, message
from engine.interrupt import interruptible
from engine.models.base import Batch, noise_shard
from engine.models.registry import build_model, model_class
from engine.models.size_guard import check_training_fits
from engine.render import display_scale, image_grid, scatter_image, upscale
from engine.runs.checkpoint import prune_checkpoints, restore_model, save_checkpoint
from engine.runs.folder import RunFolder, environment
from engine.runs.status import RunBusyError, lock_state
from engine.training.recovery import RunKeeping, model_for_resume
from engine.training.snapshot import take_snapshot

UNLIMITED_STEPS = 100_000_000  # a time-limited run's step count
DISPLAY_SEED = 20240601  # the fixed noise bank for display samples
MAX_DISPLAY_POINTS = 5000


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


class BatchSampler:
    """Shuffled batches without replacement; rank ``r`` of ``world`` takes every world-th index."""

    def __init__(self, n: int, batch_size: int, generator: torch.Generator, rank: int = 0, world: int = 1):
        self.n, self.batch_size, self.generator = n, batch_size, generator
        self.rank, self.world = rank, world
        self._order = torch.empty(0, dtype=torch.long)
        self._pos = 0

    def next(self) -> torch.Tensor:
        need = self.batch_size * self.world
        if self._pos + need > len(self._order):
            rest = self._order[self._pos:]
            fresh = torch.randperm(self.n, generator=self.generator)
            while len(rest) + len(fresh) < need:  # a dataset smaller than a global batch
                fresh = torch.cat([fresh, torch.randperm(self.n, generator=self.generator)])
            self._order, self._pos = torch.cat([rest, fresh]), 0
        idx = self._order[self._pos:self._pos + need]
        self._pos += need
        return idx[self.rank::self.world]

    def state(self) -> dict:
        return {"order": self._order.tolist(), "pos": self._pos}

    def load_state(self, state: dict) -> None:
        order = torch.tensor(state.get("order", []), dtype=torch.long)
        if len(order) and (int(order.min()) < 0 or int(order.max()) >= self.n):
            order = torch.empty(0, dtype=torch.long)  # another dataset size: start a fresh epoch
        self._order = order
        self._pos = min(int(state.get("pos", 0)), len(order))


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


class Trainer(RunKeeping):
    """One run: build or resume everything, then train through ``events``."""

    def __init__(self, config: RunConfig, run_dir=None, dataset: Dataset | None = None,
                 resume: bool = False, progress=None, rank: int = 0, world: int = 1, distributed=None):
        self.config = config
        # ``distributed`` (engine.training.distributed.Distributed, under torchrun) gives rank and world
        # and the collectives; see that module for how the ranks stay in step.
        self.dist = distributed
        if distributed is not None:
            rank, world = distributed.rank, distributed.world
        self.rank, self.world = rank, world
        tc = config.train
        self.threads = set_torch_threads(tc.threads or (distributed.default_threads() if distributed else 0))
        self.device = resolve_device(tc.device)
        if distributed is not None:
            self.device = distributed.bind_device(self.device)
        self.dataset = dataset if dataset is not None else load_dataset(config.data, progress=progress)
        ds = self.dataset
        self.preprocess = Preprocess.fit(ds.x_train, config.data.normalize) if ds.spec.kind == "points" else Preprocess()
        self.batch_size = max(1, min(tc.batch_size, len(ds.x_train)))
        self.resolved = {"spec": ds.spec.to_dict(), "preprocess": self.preprocess.to_dict(),
                         "batch_size": self.batch_size, "n_train": len(ds.x_train), "n_test": len(ds.x_test),
                         "source": ds.source, "preparation": getattr(ds, "preparation", {})}
        if world > 1:
            self.resolved["distributed"] = {"world": world, "global_batch": self.batch_size * world}
        torch.manual_seed(tc.seed)
        # The same on every rank: the sampler deals shards of one global order, and training noise is
        # drawn for the global batch and sharded the same way (``noise_shard``).
        self.gen_train = torch.Generator().manual_seed(tc.seed * 1000)
        self.gen_model = _device_generator(self.device, tc.seed * 1000 + 1)
        self.gen_sample = _device_generator(self.device, DISPLAY_SEED)
        self.gen_eval = _device_generator(self.device, tc.seed * 1000 + 2)
        self.step = 0
        self.elapsed = 0.0
        self.best_nll = math.inf
        self.best_step = None
        self.sampler = BatchSampler(len(ds.x_train), self.batch_size, self.gen_train, rank, world)
        self.x_train = ds.x_train.to(self.device)
        self.y_train = ds.y_train.to(self.device) if ds.y_train is not None else None

        self.run = RunFolder(run_dir) if run_dir is not None else None
        ckpt = None
        if resume:
            if self.run is None:
                raise GenLabError("resume needs a run folder")
            if lock_state(self.run.path):
                raise RunBusyError(f"{self.run.path}: is being trained by another process right now; "
                                   "stop it first or fork the run")
            ckpt = self.run.latest_checkpoint()
            if ckpt is None:
                raise GenLabError(f"{self.run.path}: has no checkpoint that can be loaded")
            if ckpt.family != config.family:
                raise ConfigError("family", config.family, f"'{ckpt.family}', the family of the run's checkpoint")
            check_training_fits(model_class(config.family), config.model, ckpt.init_args, self.batch_size, self.device, self.run.path)
            self.model = model_for_resume(ckpt, config)
        else:
            check_training_fits(model_class(config.family), config.model, {"spec": ds.spec.to_dict(), "preprocess": self.preprocess.to_dict()},
                                self.batch_size, self.device, run_dir or "this run")
            self.model = build_model(config.family, ds.spec, config.model, self.preprocess.to_dict())
        self.model.to(self.device)
        self.model.grad_clip = tc.grad_clip
        self.model.amp = tc.amp
        self.model.configure_optimizers(tc.lr)
        lr_factor = None
        if ckpt is not None:
            restore_model(self.model, ckpt)
            self._restore_trainer(ckpt)
            if ckpt.trainer.get("lr") == tc.lr:
                lr_factor = ckpt.trainer.get("lr_factor")  # exactly where the uninterrupted run would be
            elif tc.lr_schedule == "constant":
                self.model.set_lr(tc.lr)                    # a new learning rate asked for on resume
        if self.dist is not None:
            self.dist.prepare_model(self.model, tc.seed, self.step)
        if self.run is not None and self.is_writer:
            if not resume:
                RunFolder.create(self.run.path, config, self.resolved)
            env = environment(describe_device(self.device), self.threads)
            self.run.write_env(self.dist.environment(env, self.batch_size) if self.dist else env)
        self.schedule = SampleSchedule(tc.sample_every, tc.sample_budget)
        # Training time is measured with this clock; a benchmark may swap in time.thread_time to
        # budget CPU time, so other processes on a busy machine do not shorten a run.
        self.clock = time.perf_counter
        self._lr_factor = lr_factor
        self._last_ckpt_time = time.perf_counter()
        self._last_ckpt_step = self.step
        self.resumed_from = ckpt.step if ckpt is not None else None
        self._last_eval: EvaluationCompleted | None = None
        self._activity = "training"
        self._write_failures: set[str] = set()
        self._sample_write_error: str | None = None

    @property
    def is_writer(self) -> bool:
        return self.rank == 0

    # ---- state for checkpoints -----------------------------------------------------------------
    def generators(self) -> dict[str, torch.Generator]:
        return {"train": self.gen_train, "model": self.gen_model, "sample": self.gen_sample, "eval": self.gen_eval}

    def _trainer_state(self) -> dict:
        return {"step": self.step, "elapsed": self.elapsed, "best_nll": _finite_or_none(self.best_nll),
                "best_step": self.best_step, "sampler": self.sampler.state(),
                "lr": self.config.train.lr, "lr_factor": self._lr_factor, "config": self.config.to_dict()}

    def _restore_trainer(self, ckpt) -> None:
        t = ckpt.trainer
        self.step = int(t.get("step", ckpt.step))
        self.elapsed = float(t.get("elapsed", 0.0))
        self.best_nll = t.get("best_nll") if t.get("best_nll") is not None else math.inf
        self.best_step = t.get("best_step")
        self.sampler.load_state(t.get("sampler", {}))
        for name, gen in self.generators().items():
            if name in ckpt.rng_states:
                gen.set_state(ckpt.rng_states[name])
        if "torch_global" in ckpt.rng_states:
            torch.set_rng_state(ckpt.rng_states["torch_global"])

    def save_checkpoint(self) -> str | None:
        if self.run is None or not self.is_writer:
            return None
        path = save_checkpoint(self.run.checkpoints_dir, self.step, self.model, self.generators(),
                               self._trainer_state())
        protect = {self.best_step} if self.best_step is not None else set()
        prune_checkpoints(self.run.checkpoints_dir, self.config.train.keep_checkpoints, protect)
        self._last_ckpt_time = time.perf_counter()
        self._last_ckpt_step = self.step
        return str(path)

    # ---- pieces of the loop ------------------------------------------------------------------------
    def next_batch(self) -> Batch:
        idx = self.sampler.next().to(self.device)
        x = self.x_train.index_select(0, idx)
        y = self.y_train.index_select(0, idx) if self.y_train is not None else None
        return Batch(x, y)

    def draw_samples(self) -> SamplesReady:
        """Display samples from the fixed noise bank, written to the run's samples/."""
        t0 = time.perf_counter()
        self.gen_sample.manual_seed(DISPLAY_SEED)
        spec = self.dataset.spec
        tc = self.config.train
        if spec.kind == "points":
            n = min(MAX_DISPLAY_POINTS, tc.n_display * 16)
            pts = self.model.sample(n, generator=self.gen_sample, **self.model.display_options()).cpu().numpy().astype(np.float32)
            path = None
            if self.run is not None and self.is_writer:
                ref = self.dataset.x_test[:MAX_DISPLAY_POINTS].numpy()
                path = self._write_samples(scatter_image(pts, ref), pts)
            data = np.ascontiguousarray(pts)
        else:
            imgs = self.model.sample(tc.n_display, generator=self.gen_sample, **self.model.display_options())
            data = image_grid(imgs)
            path = None
            if self.run is not None and self.is_writer:
                path = self._write_samples(upscale(data, display_scale(spec.shape[1])))
        t1 = time.perf_counter()
        return SamplesReady(step=self.step, kind=spec.kind, data=data, path=path, seconds=t1 - t0)

    def evaluate(self, limit: int | None = None) -> dict:
        ds = self.dataset
        self.gen_eval.manual_seed(self.config.train.seed * 1000 + 2)
        metrics = evaluate_nll(self.model, ds.x_test, ds.y_test if self.model.conditional else None,
                               limit or self.config.train.eval_limit, self.gen_eval)
        metrics.update(step=self.step, data=self.config.data.name)
        nll = metrics.get("test_nll_nats")
        if nll is not None and math.isfinite(nll) and nll < self.best_nll:
            self.best_nll, self.best_step = nll, self.step
        return metrics

    def progress(self) -> float:
        """How far the run is, 0..1: by steps, or by time when a time limit is set."""
        tc = self.config.train
        p = self.step / tc.steps if tc.steps else 0.0
        if tc.time_limit:
            p = max(p if tc.steps < UNLIMITED_STEPS else 0.0, self.elapsed / tc.time_limit)
        return min(1.0, p)

    def _apply_lr_schedule(self) -> None:
        """Cosine decay of the learning rate over the run (to 0 at the end); constant leaves it alone."""
        if self.config.train.lr_schedule != "cosine":
            return
        factor = 0.5 * (1.0 + math.cos(math.pi * self.progress()))
        if self._lr_factor is None or abs(factor - self._lr_factor) > 1e-4:
            self._lr_factor = factor
            self.model.set_lr(self.config.train.lr * factor)

    def apply_live_changes(self, changes) -> list[str]:
        notes = []
        for section, name, value in changes:
            if section == "train" and name == "lr":
                self.config.train.lr = float(value)
                self._lr_factor = None
                self.model.set_lr(float(value) * (1.0 if self.config.train.lr_schedule == "constant" else
                                                  0.5 * (1.0 + math.cos(math.pi * self.progress()))))
            elif section == "train" and name == "grad_clip":
                self.model.grad_clip = float(value)
                self.config.train.grad_clip = float(value)
            elif section == "train" and name == "sample_every":
                self.schedule.every = int(value)
                self.config.train.sample_every = int(value)
            elif section == "model":
                self.model.set_live(name, value)
                setattr(self.config.model, name, value)
            else:
                raise KeyError(f"{section}.{name}")
            notes.append(f"{section}.{name} = {value}")
        return notes

    def _log_record(self, losses: dict) -> dict:
        return {"event": "train", "step": self.step, "time": round(self.elapsed, 4), **losses}

    # ---- the loop ------------------------------------------------------------------------------------
    def events(self, controls: Controls | None = None):
        """Train, yielding events. While it runs the run folder is locked and its ``status.json`` kept
        current (``RunKeeping.kept_events``); running out of memory stops training with the last good
        state saved and a ``TrainingError`` that says what to change, never a crash."""
        controls = controls or Controls(interactive=False)
        # Distributed ranks stop only at a step they agreed on, never inside sampling or evaluation,
        # so no rank leaves the others waiting in a collective.
        with interruptible(controls.stop if self.dist is None else threading.Event()):
            yield from self.kept_events(self._events(controls))

    def _events(self, controls: Controls):
        tc = self.config.train
        total = tc.steps
        yield RunStarted(run_dir=str(self.run.path) if self.run else "", family=self.model.family,
                         config=self.config.to_dict(), spec=self.dataset.spec.to_dict(),
                         device=describe_device(self.device), threads=self.threads, start_step=self.step,
                         total_steps=total, time_limit=tc.time_limit)
        if self.step == 0 or controls.interactive:
            yield from self._sample_events()
        acc: dict[str, torch.Tensor] = {}
        acc_n = 0
        last_log_time = time.perf_counter()
        last_log_step = self.step
        reason = "completed"
        paused_announced = False
        seg_start = self.clock()
        base_elapsed = self.elapsed
        while True:
            self.elapsed = base_elapsed + (self.clock() - seg_start)
            stop = controls.stop.is_set()
            if self.dist is not None:
                # Every rank acts on the flag they agreed on: a signal that lands after the all-reduce
                # waits for the next step on all ranks alike (acting on the local flag, one rank would
                # leave while the others went on into a step's all-reduce).
                self.elapsed, stop = self.dist.agree(self.elapsed, stop)
                if stop and not controls.stop.is_set():
                    controls.request_stop()
            if self.step >= total:
                break
            if tc.time_limit and self.elapsed >= tc.time_limit:
                reason = "time limit"
                break
            if stop:
                reason = "stopped"
                break
            changes = controls.take_live_changes()
            if changes:
                for note in self.apply_live_changes(changes):
                    yield LogMessage("info", message(QT_TRANSLATE_NOOP("engine", "changed {change} at step {step}"),
                                                     change=note, step=self.step), self.step)
            request = controls.take_rollback()
            if request is not None:
                try:
                    ev = self.rollback(request[0])
                except GenLabError as e:
                    yield LogMessage("error", str(e), self.step)
                else:
                    acc, acc_n = {}, 0
                    last_log_time, last_log_step = time.perf_counter(), self.step
                    yield ev
                    yield LogMessage("info", message(QT_TRANSLATE_NOOP(
                        "engine", "rolled back from step {from_step} to the checkpoint at step {step}; learning rate "
                                  "now {lr:.3g}"), from_step=ev.from_step, step=ev.step, lr=ev.lr), self.step)
                    try:
                        yield from self._sample_events()
                    except Interrupted:
                        reason = "stopped"
                        break
                    if request[1]:
                        controls.request_resume()
                continue
            if controls.paused.is_set():
                if not paused_announced:
                    paused_announced = True
                    if acc_n:
                        yield from self._log_events(acc, acc_n, last_log_time, last_log_step, total)
                        acc, acc_n = {}, 0
                    yield TrainingPaused(self.step)
                pause_start = self.clock()
                may_step = controls.wait_while_paused()
                seg_start += self.clock() - pause_start  # paused time is not training time
                last_log_time = time.perf_counter()
                last_log_step = self.step
                if not may_step:
                    continue
                single = controls.paused.is_set()
                if not single and paused_announced:
                    paused_announced = False
                    yield TrainingResumed(self.step)
            else:
                single = False
                if paused_announced:
                    paused_announced = False
                    yield TrainingResumed(self.step)
            self._apply_lr_schedule()
            self.model.progress = self.progress()
            self._activity = "training"
            try:
                phase = controls.take_step_phase() if single else None
                with noise_shard(self.rank, self.world):
                    if phase is not None and phase in self.model.training_phases:
                        losses = self.model.training_step(self.next_batch(), self.gen_model, phase=phase)
                    else:
                        losses = self.model.training_step(self.next_batch(), self.gen_model)
            except Interrupted:
                reason = "stopped"
                break
            self.step += 1
            for k, v in losses.items():
                acc[k] = acc[k] + v if k in acc else v.detach().clone()
            acc_n += 1
            if acc_n >= tc.log_every or single or self.step >= total:
                bad = yield from self._log_events(acc, acc_n, last_log_time, last_log_step, total)
                acc, acc_n = {}, 0
                last_log_time, last_log_step = time.perf_counter(), self.step
                if bad:
                    yield NonFiniteLoss(self.step, tuple(bad))
                    msg = message(QT_TRANSLATE_NOOP("engine", "non-finite loss ({terms}) at step {step}; training "
                                                              "paused. Roll back to the last checkpoint and lower the "
                                                              "learning rate."), terms=", ".join(bad), step=self.step)
                    if not controls.interactive:
                        raise TrainingError(msg.replace("training paused. ", "training stopped. "))
                    yield LogMessage("error", msg, self.step)
                    controls.request_pause()
                    continue
            now = time.perf_counter()
            if single or self.schedule.due(self.step, now):
                try:
                    yield from self._sample_events()
                except Interrupted:
                    reason = "stopped"
                    break
            if tc.eval_every and self.step % tc.eval_every == 0:
                try:
                    yield self._eval_event()
                except Interrupted:
                    reason = "stopped"
                    break
                if self.best_step == self.step and self._last_ckpt_step != self.step:
                    yield from self._checkpoint_events()  # keep the best weights, not only their score
            if self._checkpoint_due():
                yield from self._checkpoint_events()
        self.elapsed = base_elapsed + (self.clock() - seg_start)
        if acc_n:
            yield from self._log_events(acc, acc_n, last_log_time, last_log_step, total)
        if self.dist is not None:
            yield from self.dist.check_in_step(self)
        metrics = {}
        if reason != "stopped":
            try:
                if self.schedule.last_step != self.step:
                    yield from self._sample_events()
                if self._last_eval is not None and self._last_eval.step == self.step:
                    metrics = self._last_eval.metrics  # evaluated at this very step already
                else:
                    ev = self._eval_event()
                    metrics = ev.metrics
                    yield ev
            except Interrupted:
                reason = "stopped"
        if self.run is not None and (self._last_ckpt_step != self.step or not self.run.checkpoints()):
            yield from self._checkpoint_events()
        if self.run is not None and self.is_writer:
            note = self._append_metrics({"event": "finished", "step": self.step, "time": round(self.elapsed, 4),
                                         "reason": reason})
            if note:
                yield LogMessage("error", note, self.step)
            self.run.close()
        yield TrainingFinished(step=self.step, reason=reason, metrics=metrics,
                               run_dir=str(self.run.path) if self.run else None)

    def _checkpoint_due(self) -> bool:
        tc = self.config.train
        if self.run is None or self.step == self._last_ckpt_step:
            return False
        if self.step - self._last_ckpt_step >= tc.checkpoint_every:
            return True
        return bool(tc.checkpoint_seconds) and time.perf_counter() - self._last_ckpt_time >= tc.checkpoint_seconds

    def _checkpoint_events(self):
        if self.run is None or not self.is_writer:
            return
        try:
            path = self.save_checkpoint()
        except OSError as e:
            self._last_ckpt_time = time.perf_counter()
            self._last_ckpt_step = self.step
            yield LogMessage("error", message(QT_TRANSLATE_NOOP(
                "engine", "could not save a checkpoint at step {step} in {folder}: {error}; training continues and "
                          "earlier checkpoints are intact"), step=self.step, folder=self.run.checkpoints_dir,
                error=e.strerror or e), self.step)
            return
        yield CheckpointSaved(self.step, path)

    def _log_events(self, acc, n, since_time, since_step, total):
        if self.dist is not None:
            acc = self.dist.mean_losses(acc)  # the global batch's losses, the same on every rank
        losses = {k: float(v.item()) / n for k, v in acc.items()}
        dt = time.perf_counter() - since_time
        sps = (self.step - since_step) / dt if dt > 0 else 0.0
        bad = [k for k, v in losses.items() if not math.isfinite(v)]
        note = self._append_metrics(self._log_record(losses))
        if note:
            yield LogMessage("error", note, self.step)
        yield StepCompleted(step=self.step, elapsed=self.elapsed, losses=losses, steps_per_second=sps,
                            total_steps=total)
        return bad

    def _sample_events(self):
        if self.dist is not None and not self.is_writer:  # rank 0 draws; the others wait at the next step
            self.schedule.record(self.step, 0.0, 0.0)
            return
        started = time.perf_counter()
        self._activity = "drawing samples"
        ev = self.draw_samples()
        if self._sample_write_error:
            note = self._write_failed("samples", self._sample_write_error)
            if note:
                yield LogMessage("error", note, self.step)
        else:
            self._write_failures.discard("samples")
        snap = take_snapshot(self.model, self.step)
        self.schedule.record(self.step, started, time.perf_counter())
        yield ev
        yield SnapshotPublished(snap)

    def _eval_event(self) -> EvaluationCompleted:
        if self.dist is not None and not self.is_writer:  # rank 0 evaluates and records
            return EvaluationCompleted(self.step, {})
        self._activity = "evaluating"
        metrics = self.evaluate()
        self._append_metrics({"event": "eval", "step": self.step, "time": round(self.elapsed, 4),
                              **{k: v for k, v in metrics.items() if k not in ("step",)}})
        self._last_eval = EvaluationCompleted(self.step, metrics)
        return self._last_eval


def _takes_phase(model) -> bool:
    """Whether the family's ``training_step`` accepts ``phase`` (one GAN player per step)."""
    import inspect
    return "phase" in inspect.signature(model.training_step).parameters


def _device_generator(device: torch.device, seed: int) -> torch.Generator:
    if device.type == "cuda":
        return torch.Generator(device=device).manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def _finite_or_none(v):
    return v if isinstance(v, (int, float)) and math.isfinite(v) else None
