"""Resume equivalence for every family, the best checkpoint kept, and resuming with changed settings."""

import json

import pytest

from engine.errors import ConfigError
from engine.models.registry import available_families
from engine.runs.checkpoint import latest_checkpoint, list_checkpoints
from engine.runs.workspace import resume_config
from engine.training.loop import Controls
from tests.engine.runs_helpers import steps_of, tiny_config, train


@pytest.mark.parametrize("family", available_families())
def test_resumed_run_continues_with_the_losses_of_an_uninterrupted_run(tmp_path, family):
    """Stop at step 12, resume in the window's (interactive) mode, which also draws samples at once:
    every loss after the stop equals the uninterrupted run's, so optimiser, schedule, EMA and every
    random stream were saved and restored."""
    def cfg():
        return tiny_config(family, steps=24, log_every=1, sample_every=5, sample_budget=1.0, n_display=4)
    _, full = train(cfg(), tmp_path / "full")
    half, _ = train(cfg(), tmp_path / "half", stop_at=12)
    assert half.step == 12 and latest_checkpoint(tmp_path / "half" / "checkpoints").step == 12
    _, rest = train(cfg(), tmp_path / "half", resume=True, controls=Controls(interactive=True))
    full_steps, rest_steps = steps_of(full), steps_of(rest)
    assert [e.step for e in rest_steps] == list(range(13, 25))
    assert [e.losses for e in rest_steps] == [e.losses for e in full_steps[12:]]


def test_the_best_checkpoint_is_kept_even_off_the_checkpoint_grid(tmp_path):
    """Evaluations at steps 7, 14, ... while checkpoints fall every 10 steps: the best evaluation's
    weights are saved when it happens and survive pruning to the last one. (A learning rate this high
    makes the first evaluation the best, so the best is not simply the newest.)"""
    cfg = tiny_config("vae", steps=60, eval_every=7, checkpoint_every=10, keep_checkpoints=1, eval_limit=200,
                      lr=0.2, lr_schedule="constant")
    cfg.model.kl_warmup = 0
    trainer, events = train(cfg, tmp_path / "run")
    assert trainer.best_step is not None and trainer.best_step % 7 == 0 and trainer.best_step < 60
    steps = [int(p.name[5:14]) for p in list_checkpoints(tmp_path / "run" / "checkpoints")]
    assert trainer.best_step in steps and 60 in steps and len(steps) <= 2
    status = json.loads((tmp_path / "run" / "status.json").read_text())
    assert status["best"]["step"] == trainer.best_step
    assert status["best"]["test_nll_nats"] == pytest.approx(trainer.best_nll)


def test_resume_config_extends_the_run_and_keeps_live_changes(tmp_path):
    cfg = tiny_config("vae", steps=20, lr_schedule="constant", log_every=1)
    trainer, _ = train(cfg, tmp_path / "run", stop_at=5)
    # a live change made in the window is part of the checkpoint's config, not of config.json
    trainer.config.train.lr = 0.002
    trainer.save_checkpoint()
    more = resume_config(tmp_path / "run", more_steps=7)
    assert more.train.steps == 12 and more.train.lr == 0.002
    changed = resume_config(tmp_path / "run", overrides=["train.lr=0.0005", "model.beta=0.5"])
    resumed, events = train(changed, tmp_path / "run", resume=True, stop_at=6)
    assert [g["lr"] for g in resumed.model.optimizers["main"].param_groups] == [0.0005]
    assert resumed.model.cfg.beta == 0.5
    with pytest.raises(ConfigError, match="model.latent_dim"):
        train(resume_config(tmp_path / "run", overrides=["model.latent_dim=5"]), tmp_path / "run", resume=True)
