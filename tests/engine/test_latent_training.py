"""With training running, the explorer never alters or reads the training model: the trainer's
weights are bit-identical across a burst of explorer requests, training goes on, and a seeded run
learns exactly the same losses whether or not someone drags through its latent space meanwhile."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from engine.events import SnapshotPublished, StepCompleted, TrainingFinished
from engine.latent import LatentExplorer
from engine.training.runner import Runner
from tests.helpers import small_config

STEPS = 60


def _config(family: str):
    cfg = small_config(family, "moons", steps=STEPS, log_every=1, sample_every=2, sample_budget=0.5,
                       lr_schedule="constant")
    cfg.data.n_train = 512
    cfg.train.batch_size = 32
    if family == "ar":
        cfg.model.width, cfg.model.layers, cfg.model.heads, cfg.model.bins = 32, 1, 2, 32
        cfg.model.dropout = 0.2          # dropout draws from torch's global generator
    return cfg


def _train(family: str, explore: bool) -> tuple[list[dict], int]:
    """Losses of every step; with ``explore``, an explorer follows the snapshots and is kept busy."""
    got = []
    explorer = LatentExplorer(got.append) if explore else None
    runner = Runner(_config(family))
    runner.start()
    losses, snapshots = [], 0
    rng = np.random.default_rng(0)
    try:
        deadline = time.monotonic() + 120
        done = False
        while not done and time.monotonic() < deadline:
            for ev in runner.poll():
                if isinstance(ev, StepCompleted):
                    losses.append(ev.losses)
                elif isinstance(ev, SnapshotPublished) and explorer is not None:
                    snapshots += 1
                    explorer.set_snapshot(ev.snapshot)
                elif isinstance(ev, TrainingFinished):
                    done = True
            if explorer is not None and explorer.snapshot is not None:
                if family == "ar":   # no latent: draw samples from the explorer's copy instead
                    explorer.submit("decode", lambda ctx: ctx.model.sample(16, generator=ctx.generator).numpy())
                else:
                    explorer.decode(rng.standard_normal(2))
            time.sleep(0.002)
        assert done, "training did not finish"
    finally:
        runner.stop_and_join(10)
        if explorer is not None:
            assert explorer.close(5)
    if explore:
        assert snapshots >= 2 and len([r for r in got if r.kind == "decode" and r.error is None]) >= 2
    return losses, snapshots


@pytest.mark.parametrize("family", ["vae", "ar"])
def test_training_losses_are_the_same_with_and_without_the_explorer(family):
    plain, _ = _train(family, explore=False)
    watched, _ = _train(family, explore=True)
    assert len(plain) == STEPS
    assert watched == plain          # exactly: not a float of difference


def test_the_trainers_weights_are_untouched_by_a_burst_of_requests_and_training_goes_on():
    runner = Runner(_config("vae"))
    runner.start(paused=True)
    got = []
    explorer = LatentExplorer(got.append)
    try:
        snap = None
        deadline = time.monotonic() + 60
        while snap is None and time.monotonic() < deadline:
            snap = next((e.snapshot for e in runner.poll() if isinstance(e, SnapshotPublished)), None)
            time.sleep(0.01)
        assert snap is not None
        model = runner.trainer.model
        before = {k: v.detach().clone() for k, v in model.state_dict().items()}
        explorer.set_snapshot(snap)
        rng = np.random.default_rng(1)
        for _ in range(200):
            explorer.decode(rng.standard_normal(2))
        explorer.grid(rng.standard_normal((64, 2)), 8)
        explorer.encode(rng.standard_normal((32, 2)))
        assert explorer.wait_idle(60)
        after = model.state_dict()
        assert all(torch.equal(before[k], after[k]) for k in before)
        assert explorer.model is not model
        assert all(a.data_ptr() != b.data_ptr() for a, b in zip(explorer.model.parameters(), model.parameters()))
        assert {r.kind for r in got} == {"decode", "grid", "encode"} and all(r.error is None for r in got)
        step = runner.trainer.step
        runner.resume_training()
        deadline = time.monotonic() + 60
        while runner.trainer.step < step + 10 and time.monotonic() < deadline:
            runner.poll()
            time.sleep(0.01)
        assert runner.trainer.step >= step + 10
    finally:
        runner.stop_and_join(10)
        assert explorer.close(5)
