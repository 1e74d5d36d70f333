"""The runner's thread: pause, resume, single steps, stop, live changes, failures."""

import threading
import time

import torch

from engine.events import (SamplesReady, SnapshotPublished, StepCompleted, TrainingFailed, TrainingFinished,
                           TrainingPaused, TrainingResumed)
from engine.training.runner import Runner
from tests.helpers import small_config


def drain_until(runner, predicate, timeout=30.0):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for ev in runner.poll():
            seen.append(ev)
            if predicate(ev):
                return seen
        time.sleep(0.01)
    raise AssertionError(f"timed out; saw {[type(e).__name__ for e in seen][-10:]}")


def test_pause_resume_step_and_stop_from_another_thread(tmp_path):
    runner = Runner(small_config(steps=100_000, log_every=5), tmp_path / "run")
    runner.start()
    drain_until(runner, lambda e: isinstance(e, StepCompleted))
    threading.Thread(target=runner.pause, name="other").start()
    drain_until(runner, lambda e: isinstance(e, TrainingPaused))
    step = runner.trainer.step
    time.sleep(0.3)
    assert runner.trainer.step == step  # paused means no steps
    runner.step(1)
    drain_until(runner, lambda e: isinstance(e, StepCompleted) and e.step == step + 1)
    time.sleep(0.2)
    assert runner.trainer.step == step + 1
    runner.resume_training()
    drain_until(runner, lambda e: isinstance(e, TrainingResumed))
    drain_until(runner, lambda e: isinstance(e, StepCompleted) and e.step > step + 20)
    t0 = time.monotonic()
    threading.Thread(target=runner.stop, name="other").start()
    events = drain_until(runner, lambda e: isinstance(e, TrainingFinished))
    assert time.monotonic() - t0 < 5
    assert events[-1].reason == "stopped"
    assert runner.join(5)
    assert not runner.alive
    assert (tmp_path / "run" / "checkpoints").glob("*.safetensors")


def test_stop_while_paused_ends_the_thread(tmp_path):
    runner = Runner(small_config(steps=1000), tmp_path / "run")
    runner.start(paused=True)
    drain_until(runner, lambda e: isinstance(e, TrainingPaused))
    runner.stop()
    drain_until(runner, lambda e: isinstance(e, TrainingFinished))
    assert runner.join(5)


def test_samples_and_snapshots_reach_the_mailbox(tmp_path):
    runner = Runner(small_config(steps=60, sample_every=20), tmp_path / "run")
    runner.start()
    seen = drain_until(runner, lambda e: isinstance(e, TrainingFinished))
    assert any(isinstance(e, SamplesReady) for e in seen)
    snaps = [e for e in seen if isinstance(e, SnapshotPublished)]
    assert snaps and snaps[-1].snapshot.step <= 60
    assert len(list((tmp_path / "run" / "samples").glob("step_*.png"))) >= 2
    runner.join(5)


def test_live_learning_rate_change_reaches_the_optimiser(tmp_path):
    runner = Runner(small_config(steps=100_000, lr_schedule="constant"), tmp_path / "run")
    runner.start()
    try:
        check_live_change(runner)
    finally:
        runner.stop_and_join()


def check_live_change(runner):
    drain_until(runner, lambda e: isinstance(e, StepCompleted))
    runner.set_live("train", "lr", 0.0123)
    runner.set_live("model", "beta", 0.5)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lrs = [g["lr"] for g in runner.trainer.model.optimizers["main"].param_groups]
        if lrs == [0.0123] and runner.trainer.model.cfg.beta == 0.5:
            break
        time.sleep(0.02)
    assert lrs == [0.0123]
    assert runner.trainer.model.cfg.beta == 0.5


def test_a_failure_is_reported_not_raised(tmp_path):
    cfg = small_config()
    cfg.data.name = str(tmp_path / "missing.npy")
    runner = Runner(cfg, tmp_path / "run")
    runner.start()
    seen = drain_until(runner, lambda e: isinstance(e, TrainingFailed))
    assert "missing.npy" in seen[-1].message
    assert runner.join(5)


def test_display_sampling_does_not_change_training(tmp_path):
    """Looking never changes what is learned: same losses with frequent and with no display draws."""
    def losses(sample_every):
        cfg = small_config(steps=40, log_every=1, sample_every=sample_every, sample_budget=1.0)
        runner = Runner(cfg, tmp_path / f"run{sample_every}")
        runner.start()
        seen = drain_until(runner, lambda e: isinstance(e, TrainingFinished))
        runner.join(5)
        return [e.losses["loss"] for e in seen if isinstance(e, StepCompleted)]
    assert losses(1) == losses(10_000)
