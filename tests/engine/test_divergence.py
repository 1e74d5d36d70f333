"""The finite blow-up guard: noise, a warm-up's rise and a single spike pass; a collapse is caught after
``CONFIRM`` reports and named from the last report before the climb; and, in a real run whose weights
are thrown far off while it is paused, the loop rolls back by itself to a checkpoint from before the
climb with half the learning rate."""

import math
import time

import numpy as np
import pytest
import torch

from engine.events import CheckpointSaved, LogMessage, RolledBack, StepCompleted, TrainingPaused
from engine.runs.checkpoint import latest_checkpoint
from engine.training.divergence import CONFIRM, MIN_REPORTS, DivergenceGuard
from engine.training.runner import Runner
from tests.engine.runs_helpers import tiny_config
from tests.engine.test_faults import drain_until


def drain_all_until(runner, done, timeout=120.0):
    """Every event polled until ``done(events so far)`` (``drain_until`` drops the rest of a poll)."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen.extend(runner.poll())
        if done(seen):
            return seen
        time.sleep(0.01)
    raise AssertionError(f"timed out; saw {[type(e).__name__ for e in seen][-10:]}")


def trained_on_after_a_rollback(seen, steps=10) -> bool:
    back = [i for i, e in enumerate(seen) if isinstance(e, RolledBack)]
    return bool(back) and any(isinstance(e, StepCompleted) and e.step >= seen[back[0]].step + steps
                              for e in seen[back[0]:])


def learning_curve(n: int, seed: int = 0, noise: float = 0.05) -> np.ndarray:
    """A loss falling from 5 towards 1 with Gaussian report noise."""
    t = np.arange(n, dtype=np.float64)
    return 1.0 + 4.0 * np.exp(-t / 40.0) + np.random.default_rng(seed).normal(0.0, noise, n)


def feed(guard, values, first_step=10, every=10):
    found = []
    for i, v in enumerate(values):
        d = guard.add(first_step + i * every, float(v))
        if d is not None:
            found.append(d)
    return found


@pytest.mark.parametrize("seed", range(5))
def test_a_noisy_learning_curve_never_counts_as_diverging(seed):
    assert feed(DivergenceGuard(), learning_curve(400, seed, noise=0.2)) == []


def test_a_warm_up_that_gives_back_a_fifth_of_what_was_learned_is_not_divergence():
    v = learning_curve(300, 1)
    v[100:160] += np.linspace(0.0, 0.2 * (5.0 - 1.0), 60)     # a KL warm-up's rise, then it settles
    v[160:] += 0.2 * 4.0 * np.exp(-np.arange(140) / 20.0)
    assert feed(DivergenceGuard(), v) == []


def test_single_spikes_are_not_divergence():
    v = learning_curve(300, 2)
    v[150] = v[220] = 50.0
    v[221] = 30.0                                               # two reports running: still under CONFIRM
    assert CONFIRM > 2
    assert feed(DivergenceGuard(), v) == []


def test_a_collapse_is_caught_after_confirm_reports_from_the_last_healthy_one():
    v = learning_curve(200, 3)
    v[200 - 20:] = np.linspace(6.0, 24.0, 20)                   # the flow run's 1.6 -> 24 bits/dim, in shape
    guard = DivergenceGuard()
    found = feed(guard, v, first_step=10, every=10)
    assert found, "the collapse was not noticed"
    first = found[0]
    jump_step = 10 + 180 * 10
    assert first.step == jump_step + (CONFIRM - 1) * 10
    assert first.healthy_step == jump_step - 10
    assert first.best < 1.3 and first.now > 6.0 and first.best < first.threshold < 6.0


def test_the_guard_arms_only_after_enough_reports_and_a_reset_forgets_the_run():
    guard = DivergenceGuard()
    assert feed(guard, [5.0] * (MIN_REPORTS - CONFIRM) + [500.0] * (CONFIRM - 1)) == []
    guard = DivergenceGuard()
    feed(guard, learning_curve(100, 4))
    guard.reset()                                               # a live change: the loss may move on purpose
    assert feed(guard, [9.0] * 3, first_step=2000) == []
    assert math.isinf(guard.best)


def test_a_finite_blow_up_in_a_real_run_rolls_back_by_itself(tmp_path):
    cfg = tiny_config("vae", steps=100_000, log_every=5, checkpoint_every=20, lr_schedule="constant", lr=0.002)
    cfg.model.kl_warmup = 0.0                    # the guard waits out a warm-up (the last test)
    runner = Runner(cfg, tmp_path / "run")
    runner.start()
    try:
        drain_until(runner, lambda e: isinstance(e, CheckpointSaved) and e.step >= 5 * (MIN_REPORTS + 8))
        runner.pause()
        drain_until(runner, lambda e: isinstance(e, TrainingPaused))
        paused_at = runner.trainer.step
        good = latest_checkpoint(tmp_path / "run" / "checkpoints").step
        with torch.no_grad():                    # finite, but far from anything learned
            gen = torch.Generator().manual_seed(0)
            for p in runner.trainer.model.parameters():
                p.add_(torch.randn(p.shape, generator=gen) * 3.0)
        runner.resume_training()
        seen = drain_all_until(runner, trained_on_after_a_rollback)
        back = next(e for e in seen if isinstance(e, RolledBack))
        assert back.step <= paused_at and back.step == good and back.from_step > paused_at
        assert back.lr == pytest.approx(0.001)
        logs = [e.text for e in seen if isinstance(e, LogMessage)]
        assert any("was diverging" in t and f"checkpoint at step {good}" in t for t in logs), logs
        assert any(isinstance(e, LogMessage) and e.level == "warning" and "was diverging" in e.text for e in seen)
        after = seen[seen.index(back):]
        assert [e for e in after if isinstance(e, StepCompleted)]
        assert all(math.isfinite(e.losses["loss"]) for e in after if isinstance(e, StepCompleted))
        assert sum(isinstance(e, RolledBack) for e in seen) == 1
        assert [g["lr"] for g in runner.trainer.model.optimizers["main"].param_groups] == [pytest.approx(0.001)]
    finally:
        runner.stop_and_join()


def test_a_vae_warming_up_its_kl_term_keeps_the_guard_waiting():
    """The warm-up raises the loss on purpose: the guard is fed only once the whole ELBO is the loss."""
    from engine.training.loop import Trainer
    cfg = tiny_config("vae", steps=40)
    cfg.model.kl_warmup = 0.5
    trainer = Trainer(cfg, None)
    assert not trainer.model.loss_settled(0)
    trainer.model.progress = 0.5                 # half the run: the warm-up's share is over
    assert trainer.model.loss_settled(1)
    cfg = tiny_config("vae", steps=40)
    cfg.model.kl_warmup = 0.0
    assert Trainer(cfg, None).model.loss_settled(0)
