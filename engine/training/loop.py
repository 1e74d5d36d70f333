"""The training loop as a generator of events.

``Trainer`` holds one run's state (data, model, random generators, counters, run folder) and its
``events(controls)`` generator trains, yielding only at log, sample, evaluation and checkpoint
moments. The CLI iterates it on the main thread; the window's ``Runner`` iterates it on a background
thread.

The loop reads top to bottom in ``_events`` and ``_train``; each part they call has one job:
``_reason_to_end`` (steps, time limit, Stop), ``_obey`` (the one place that carries out the
``Controls``), ``_train_step``, ``LossMeter`` (losses summed on the device, ``.item()`` only when
reported: the loop costs almost nothing over a bare PyTorch loop), ``_until_interrupted`` (the one
place an ``Interrupted`` from sampling, evaluation or a step becomes a "stopped" run), ``_finish``.
What the run leaves in its folder besides checkpoints is ``RunRecorder``'s job.

Randomness: training noise and batch order come from ``gen_train``; display samples from
``gen_sample``, reseeded to the same value before every draw (a fixed noise bank, so grid cells
evolve instead of jumping); evaluation from ``gen_eval``. Looking never changes what is learned.
"""

from __future__ import annotations

import math
import threading
import time

import torch

from engine.config import RunConfig
from engine.data import Dataset, load_dataset
from engine.data.preprocess import Preprocess
from engine.devices import (amp_policy, apply_backend_flags, backend_flags, describe_device, device_caps,
                            device_generator, family_device, keep_data_on_device, resolve_device,
                            set_torch_threads)
from engine.errors import ConfigError, GenLabError, Interrupted, TrainingError
from engine.events import (CheckpointSaved, EvaluationCompleted, LogMessage, NonFiniteLoss, RolledBack, RunStarted,
                           StepCompleted, TrainingFinished, TrainingPaused,
                           TrainingResumed)
from engine.faults import is_out_of_memory, release_memory
from engine.i18n import QT_TRANSLATE_NOOP, message
from engine.interrupt import interruptible
from engine.models.base import Batch, noise_shard
from engine.models.registry import model_class
from engine.runs.checkpoint import prune_checkpoints, restore_generators, restore_model, save_checkpoint
from engine.runs.folder import RunFolder, environment
from engine.training.batches import BatchSampler, BatchSource
from engine.training.controls import Controls
from engine.training.divergence import MAX_AUTO_ROLLBACKS, DivergenceGuard, divergence_message
from engine.training.meters import (LossMeter, SampleSchedule, TrainingClock, finite_or_none, lr_factor,
                                    run_progress)
from engine.training.quality_readout import QualityReadout
from engine.training.recorder import RunRecorder, best_record
from engine.training.model_setup import lr_factor_on_resume, prepare_model, run_facts
from engine.training.recovery import checkpoint_to_resume
from engine.training.watch import Watch
from engine.training.looks import DISPLAY_SEED, MAX_DISPLAY_POINTS, Looks, Outcome

__all__ = ["Trainer", "Controls", "BatchSampler", "SampleSchedule", "LossMeter", "UNLIMITED_STEPS",
           "DISPLAY_SEED", "MAX_DISPLAY_POINTS"]

UNLIMITED_STEPS = 100_000_000  # a time-limited run's step count

STOPPED = "stopped"
# What ``Trainer._obey`` lets the loop do next.
STEP, SINGLE_STEP, LOOK_AGAIN = "step", "single step", "look again"


class Trainer(Looks):
    """One run: build or resume everything, then train through ``events``.

    What the run leaves in its folder besides checkpoints (status, lock, metrics, sample pictures,
    write-failure reports) is kept by ``self.recorder``, a ``RunRecorder`` told what happens."""

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
        self.device, self.device_note = family_device(resolve_device(tc.device), config.family,
                                                      model_class(config.family).host_float64)
        if distributed is not None:
            self.device = distributed.bind_device(self.device)
        self.dataset = dataset if dataset is not None else load_dataset(config.data, progress=progress)
        ds = self.dataset
        self.preprocess = Preprocess.fit(ds.x_train, config.data.normalize) if ds.spec.kind == "points" else Preprocess()
        self.batch_size = max(1, min(tc.batch_size, len(ds.x_train)))
        self.resolved = run_facts(ds, self.preprocess, self.batch_size, world)
        torch.manual_seed(tc.seed)
        # The same on every rank: the sampler deals shards of one global order, and training noise is
        # drawn for the global batch and sharded the same way (``noise_shard``).
        self.seeds = {"train": tc.seed * 1000, "model": tc.seed * 1000 + 1, "sample": DISPLAY_SEED,
                      "eval": tc.seed * 1000 + 2}
        self.gen_train = torch.Generator().manual_seed(self.seeds["train"])
        self.gen_model, self.gen_sample, self.gen_eval = (device_generator(self.device, self.seeds[k])
                                                          for k in ("model", "sample", "eval"))
        self.step = 0
        self.elapsed = 0.0
        self.rng_notes: list[str] = []
        self.best_nll = math.inf
        self.best_step = None
        self.sampler = BatchSampler(len(ds.x_train), self.batch_size, self.gen_train, rank, world)
        caps = device_caps(self.device)
        apply_backend_flags(backend_flags(caps))
        data_bytes = ds.x_train.nbytes + (ds.y_train.nbytes if ds.y_train is not None else 0)
        self.batches = BatchSource(ds.x_train, ds.y_train, self.device, keep_data_on_device(caps, data_bytes))
        self.amp = amp_policy(caps, tc.amp)   # engine.devices: bf16, fp16 with a scaler, or off

        self.run = RunFolder(run_dir) if run_dir is not None else None
        ckpt = checkpoint_to_resume(self.run, config) if resume else None
        self.model = prepare_model(config, ds.spec, self.preprocess, ckpt, self.batch_size, self.device, self.amp,
                                   self.run.path if self.run is not None else "this run")
        lr_factor = None
        if ckpt is not None:
            restore_model(self.model, ckpt)
            self._restore_trainer(ckpt)
            lr_factor = lr_factor_on_resume(self.model, ckpt, config)
        if self.dist is not None:
            self.dist.prepare_model(self.model, tc.seed, self.step)
        if self.run is not None and self.is_writer:
            if not resume:
                RunFolder.create(self.run.path, config, self.resolved)
            env = environment(describe_device(self.device), self.threads)
            self.run.write_env(self.dist.environment(env, self.batch_size) if self.dist else env)
        self.schedule = SampleSchedule(tc.sample_every, tc.sample_budget)
        self.quality = QualityReadout(ds, tc.quality_samples, tc.n_display, clock=lambda: self.clock())
        # Training time is measured with this clock; a benchmark may swap in time.thread_time to
        # budget CPU time, so other processes on a busy machine do not shorten a run.
        self.clock = time.perf_counter
        self._lr_factor = lr_factor
        self._last_ckpt_time = time.perf_counter()
        self._last_ckpt_step = self.step
        self.resumed_from = ckpt.step if ckpt is not None else None
        self._last_eval: EvaluationCompleted | None = None
        self._last_eval_final = False
        self._activity = "training"          # what the loop does now, for an out-of-memory message
        self._pause_announced = False
        self.recorder = RunRecorder(self.run, writes=self.is_writer, tensorboard=tc.tensorboard)
        self.grad_meter = LossMeter(self.step)   # gradient norms, averaged like the losses, logged beside them
        self.watch = Watch()                     # the cheap detectors, at evaluation moments
        # A finite blow-up of a minimised loss (not a GAN's players) is rolled back by itself, a few times.
        self.guard = DivergenceGuard() if not self.model.training_phases else None
        self._divergence = None
        self._auto_rollbacks = 0

    @property
    def is_writer(self) -> bool:
        return self.rank == 0

    # ---- state for checkpoints -----------------------------------------------------------------
    def generators(self) -> dict[str, torch.Generator]:
        return {"train": self.gen_train, "model": self.gen_model, "sample": self.gen_sample, "eval": self.gen_eval}

    def _trainer_state(self) -> dict:
        return {"step": self.step, "elapsed": self.elapsed, "best_nll": finite_or_none(self.best_nll),
                "best_step": self.best_step, "sampler": self.sampler.state(),
                "lr": self.config.train.lr, "lr_factor": self._lr_factor, "config": self.config.to_dict()}

    def _restore_trainer(self, ckpt) -> None:
        t = ckpt.trainer
        self.step = int(t.get("step", ckpt.step))
        self.elapsed = float(t.get("elapsed", 0.0))
        self.best_nll = t.get("best_nll") if t.get("best_nll") is not None else math.inf
        self.best_step = t.get("best_step")
        self.sampler.load_state(t.get("sampler", {}))
        self.rng_notes = restore_generators(self.generators(), ckpt.rng_states, self.seeds, ckpt.step)
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
        return self.batches.batch(self.sampler.next())

    def progress(self) -> float:
        return run_progress(self.step, self.elapsed, self.config.train, UNLIMITED_STEPS)

    def _apply_lr_schedule(self) -> None:
        """Cosine decay of the learning rate over the run (to 0 at the end); constant keeps it (factor 1)."""
        factor = lr_factor(self.config.train.lr_schedule, self.progress())   # constant: always 1
        if self._lr_factor is None or abs(factor - self._lr_factor) > 1e-4:
            self._lr_factor = factor
            self.model.set_lr(self.config.train.lr * factor)

    def apply_live_changes(self, changes) -> list[str]:
        notes = []
        for section, name, value in changes:
            if self.guard is not None:
                self.guard.reset()        # the change may move the loss on purpose
            if section == "train" and name == "lr":
                self.config.train.lr = float(value)
                self._lr_factor = None
                self.model.set_lr(float(value) * lr_factor(self.config.train.lr_schedule, self.progress()))
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

    # ---- faults: rollback and out of memory --------------------------------------------------------
    def rollback(self, lr_factor: float = 0.5, before: int | None = None) -> RolledBack:
        """Go back to the last good checkpoint (at or before step ``before`` if given) and scale the
        learning rate by ``lr_factor``.

        Weights, optimiser, random and sampler states come from the checkpoint; the best metric and the
        training time do not go back (those evaluations and seconds happened). Raises ``TrainingError``
        when there is nothing to go back to."""
        if not 0.0 < lr_factor <= 1.0:
            raise ConfigError("lr_factor", lr_factor, "a number above 0 and at most 1")
        ckpt = self.recorder.rollback_target(self.step if before is None else min(before, self.step))
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
        self.watch.forget_after(self.step)
        if self.guard is not None:
            self.guard.reset()      # re-armed on what follows: the checkpoint may be far behind the best level
        self.grad_meter.restart(self.step)
        self.recorder.rolled_back(self.step, from_step, self.elapsed, tc.lr)
        return RolledBack(step=self.step, from_step=from_step, lr=tc.lr, checkpoint=str(ckpt.path))

    def _out_of_memory(self, exc: BaseException) -> TrainingError:
        """Free what the failed step held, save the state if it is good, and say what to change."""
        detail, activity = str(exc), self._activity
        release_memory(exc)
        for opt in self.model.optimizers.values():
            opt.zero_grad(set_to_none=True)
        return self.recorder.out_of_memory(detail, activity=activity, step=self.step, batch_size=self.batch_size,
                                           device=describe_device(self.device), saved=self._save_if_good())

    def _save_if_good(self) -> int | None:
        """This step if its state is in a checkpoint now (only finite weights are worth saving), else None."""
        if self.run is None or not self.is_writer:
            return None
        if self._last_ckpt_step == self.step and self.run.checkpoints():
            return self.step
        if not all(bool(torch.isfinite(p).all()) for p in self.model.state_dict().values() if p.is_floating_point()):
            return None
        try:
            self.save_checkpoint()
        except (OSError, RuntimeError, MemoryError):
            return None
        return self.step

    def _status_fields(self) -> dict:
        """What a runs list shows of this run before its first event."""
        tc = self.config.train
        return {"family": self.config.family, "data": self.config.data.name, "parent": self.config.parent,
                "step": self.step, "total_steps": tc.steps, "time_limit": tc.time_limit, "elapsed": self.elapsed,
                "best": best_record(self.best_nll, self.best_step), "kind": self.dataset.spec.kind}

    # ---- the loop ------------------------------------------------------------------------------------
    def events(self, controls: Controls | None = None):
        """Train, yielding events. While it runs the run folder is locked and its ``status.json`` kept
        current (``RunRecorder.keeping``); running out of memory stops training with the last good
        state saved and a ``TrainingError`` that says what to change, never a crash."""
        controls = controls or Controls(interactive=False)
        # Distributed ranks stop only at a step they agreed on, never inside sampling or evaluation,
        # so no rank leaves the others waiting in a collective.
        stop_flag = controls.stop if self.dist is None else threading.Event()
        resumed_at = self.step if self.resumed_from is not None else None
        with interruptible(stop_flag), self.recorder.keeping(self._status_fields(), resumed_at, self.elapsed):
            try:
                for ev in self._events(controls):
                    yield from self.recorder.reports()  # failed writes, in order, before what followed them
                    yield ev
            except Exception as e:
                if not is_out_of_memory(e):
                    raise
                raise self._out_of_memory(e) from None

    def _events(self, controls: Controls):
        """The run from its first event to ``TrainingFinished``."""
        yield self._run_started()
        if self.device_note:
            yield LogMessage("info", self.device_note, self.step)
        for note in self.rng_notes:   # generators re-seeded on resume (engine.runs.checkpoint.restore_generators)
            yield LogMessage("warning", note, self.step)
        meter, clock = LossMeter(self.step), TrainingClock(self.clock, self.elapsed)
        outcome = yield from self._until_interrupted(self._train(controls, meter, clock))
        self.elapsed = clock.now()
        yield from self._wind_down(meter)
        if outcome.reason != STOPPED:
            outcome = yield from self._until_interrupted(self._last_look(outcome.reason))
        yield from self._finish(outcome)

    def _train(self, controls: Controls, meter: LossMeter, clock: TrainingClock):
        """Step until every step is done, time is up or Stop is pressed; returns that ``Outcome``."""
        tc, total = self.config.train, self.config.train.steps
        if self.step == 0 or controls.interactive:
            yield from self._sample_events()     # the first grid, drawn before the clock starts
        clock.start()
        meter.restart(self.step)
        while True:
            reason = self._reason_to_end(controls, clock)
            if reason is not None:
                return Outcome(reason)
            turn = yield from self._obey(controls, meter, clock)
            if turn == LOOK_AGAIN:
                continue
            single = turn == SINGLE_STEP
            meter.add(self._train_step(controls.take_step_phase() if single else None))
            if single or meter.steps >= tc.log_every or self.step >= total:
                bad = yield from self._report_losses(meter)
                if bad:
                    yield from self._non_finite_loss(bad, controls)
                    continue
                if self._divergence is not None:
                    yield from self._diverged(meter)
                    continue
            if single or self.schedule.due(self.step, self.clock()):
                yield from self._sample_events()
            if tc.eval_every and self.step % tc.eval_every == 0:
                yield from self._evaluation_events()
            if self._checkpoint_due():
                yield from self._checkpoint_events()

    @staticmethod
    def _until_interrupted(part):
        """Run ``part`` of the loop; an ``Interrupted`` from inside it (Stop pressed while a family
        samples, evaluates or steps: ``engine.interrupt``) ends it, and the run, as "stopped". The one
        place where an interruption becomes an outcome."""
        try:
            return (yield from part)
        except Interrupted:
            return Outcome(STOPPED)

    # ---- parts of the loop, one job each -------------------------------------------------------------
    def _run_started(self) -> RunStarted:
        tc = self.config.train
        return RunStarted(run_dir=str(self.run.path) if self.run else "", family=self.model.family,
                          config=self.config.to_dict(), spec=self.dataset.spec.to_dict(),
                          device=describe_device(self.device), threads=self.threads, start_step=self.step,
                          total_steps=tc.steps, time_limit=tc.time_limit)

    def _reason_to_end(self, controls: Controls, clock: TrainingClock) -> str | None:
        """Why the run ends before the next step (all steps done, time limit, Stop), or None."""
        tc = self.config.train
        self.elapsed = clock.now()
        stop = controls.stop.is_set()
        if self.dist is not None:
            # Every rank acts on the flag they agreed on: a signal that lands after the all-reduce
            # waits for the next step on all ranks alike (acting on the local flag, one rank would
            # leave while the others went on into a step's all-reduce).
            self.elapsed, stop = self.dist.agree(self.elapsed, stop)
            if stop and not controls.stop.is_set():
                controls.request_stop()
        if self.step >= tc.steps:
            return "completed"
        if tc.time_limit and self.elapsed >= tc.time_limit:
            return "time limit"
        return STOPPED if stop else None

    def _obey(self, controls: Controls, meter: LossMeter, clock: TrainingClock):
        """Carry out what the controls ask before the next step: live changes, a rollback, pause,
        resume and single steps. Returns STEP, SINGLE_STEP (one step asked for while paused) or
        LOOK_AGAIN (no step now: check the stop flag and the limits first)."""
        for note in self.apply_live_changes(controls.take_live_changes()):
            yield LogMessage("info", message(QT_TRANSLATE_NOOP("engine", "changed {change} at step {step}"),
                                             change=note, step=self.step), self.step)
        request = controls.take_rollback()
        if request is not None:
            yield from self._roll_back(request, controls, meter)
            return LOOK_AGAIN
        if not controls.paused.is_set():
            if self._pause_announced:
                yield self._announce(paused=False)
            return STEP
        if not self._pause_announced:
            if meter.steps:
                yield from self._report_losses(meter)
            yield self._announce(paused=True)
        with clock.paused():                     # paused time is not training time
            may_step = controls.wait_while_paused()
        meter.restart(self.step)
        if not may_step:
            return LOOK_AGAIN
        if controls.paused.is_set():
            return SINGLE_STEP
        yield self._announce(paused=False)
        return STEP

    def _announce(self, paused: bool):
        """TrainingPaused or TrainingResumed, with status.json following."""
        self._pause_announced = paused
        self.recorder.state("paused" if paused else "running", self.step)
        return TrainingPaused(self.step) if paused else TrainingResumed(self.step)

    def _roll_back(self, request: tuple, controls: Controls, meter: LossMeter):
        """The window's "roll back": to the last good checkpoint with a lower learning rate."""
        lr_factor, resume = request
        try:
            ev = self.rollback(lr_factor)
        except GenLabError as e:
            yield LogMessage("error", str(e), self.step)
            return
        meter.restart(self.step)
        yield ev
        yield LogMessage("info", message(QT_TRANSLATE_NOOP(
            "engine", "rolled back from step {from_step} to the checkpoint at step {step}; learning rate "
                      "now {lr:.3g}"), from_step=ev.from_step, step=ev.step, lr=ev.lr), self.step)
        yield from self._sample_events()
        if resume:
            controls.request_resume()

    def _train_step(self, phase: str | None) -> dict[str, torch.Tensor]:
        """One optimisation step (``phase``: one GAN player's, for a single step asked for so)."""
        self._apply_lr_schedule()
        self.model.progress = self.progress()
        self._activity = "training"
        with noise_shard(self.rank, self.world):
            if phase is not None and phase in self.model.training_phases:
                losses = self.model.training_step(self.next_batch(), self.gen_model, phase=phase)
            else:
                losses = self.model.training_step(self.next_batch(), self.gen_model)
        self.step += 1
        self.grad_meter.add(self.model.grad_norms)
        return losses

    def _report_losses(self, meter: LossMeter):
        """Report the mean losses since the last report (the one ``.item()`` per term); returns the
        names of the terms that are not finite."""
        sums = self.dist.mean_losses(meter.sums) if self.dist is not None else meter.sums  # the global batch's
        losses, rate = meter.read(self.step, sums)
        grads, _ = self.grad_meter.read(self.step)
        self.grad_meter.restart(self.step)
        self.recorder.losses(self.step, self.elapsed, {**losses, **grads})
        self.watch.record(self.step, {**losses, **grads})
        yield StepCompleted(step=self.step, elapsed=self.elapsed, losses=losses, steps_per_second=rate,
                            total_steps=self.config.train.steps)
        meter.restart(self.step)
        if self.guard is not None and "loss" in losses:
            if self.model.loss_settled(self.step):
                self._divergence = self.guard.add(self.step, losses["loss"])
            else:
                self.guard.reset()
        return [k for k, v in losses.items() if not math.isfinite(v)]

    def _diverged(self, meter: LossMeter):
        """A finite loss blew up: roll back to a checkpoint from before the climb with half the learning
        rate, at most ``MAX_AUTO_ROLLBACKS`` times a run; past that, or with nothing to go back to (or
        several processes, which would each have to agree), say so and go on."""
        found, self._divergence = self._divergence, None
        if self._auto_rollbacks >= MAX_AUTO_ROLLBACKS or self.dist is not None:
            self.guard.reset()
            why = "several processes train this run: roll it back by hand" if self.dist is not None else None
            yield LogMessage("warning", divergence_message(found, why, self._auto_rollbacks), self.step)
            return
        try:
            ev = self.rollback(0.5, before=found.healthy_step)
        except GenLabError as e:
            self.guard.reset()
            yield LogMessage("warning", divergence_message(found, str(e), self._auto_rollbacks), self.step)
            return
        self._auto_rollbacks += 1
        meter.restart(self.step)
        yield ev
        yield LogMessage("warning", divergence_message(found, ev, self._auto_rollbacks), self.step)
        yield from self._sample_events()

    def _non_finite_loss(self, bad: list[str], controls: Controls):
        """Pause (the window offers a rollback) or, without a person to ask (the CLI), fail."""
        yield NonFiniteLoss(self.step, tuple(bad))
        msg = message(QT_TRANSLATE_NOOP("engine", "non-finite loss ({terms}) at step {step}; training "
                                                  "paused. Roll back to the last checkpoint and lower the "
                                                  "learning rate."), terms=", ".join(bad), step=self.step)
        if not controls.interactive:
            raise TrainingError(msg.replace("training paused. ", "training stopped. "))
        yield LogMessage("error", msg, self.step)
        controls.request_pause()

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
            self.recorder.checkpoint_failed(self.step, e)
            yield from self.recorder.reports()  # no event of its own follows a failed checkpoint
            return
        self.recorder.checkpoint_saved(self.step)
        yield CheckpointSaved(self.step, path)

    # ---- the end of a run ----------------------------------------------------------------------------
    def _wind_down(self, meter: LossMeter):
        """Report the losses not reported yet; a distributed job compares its ranks' weights."""
        if meter.steps:
            yield from self._report_losses(meter)
        if self.dist is not None:
            yield from self.dist.check_in_step(self)

    def _finish(self, outcome: Outcome):
        """The last checkpoint (unless this step has one), the run's last records, ``TrainingFinished``."""
        if self.run is not None and (self._last_ckpt_step != self.step or not self.run.checkpoints()):
            yield from self._checkpoint_events()
        self.recorder.finished(self.step, self.elapsed, outcome.reason)
        yield TrainingFinished(step=self.step, reason=outcome.reason, metrics=outcome.metrics,
                               run_dir=str(self.run.path) if self.run else None)
