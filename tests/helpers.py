"""Shared helpers for tests."""

from __future__ import annotations


def small_config(family: str = "vae", data: str = "moons", steps: int = 50, **train):
    """A quick run config for tests."""
    from engine.config import RunConfig
    cfg = RunConfig(family=family)
    cfg.data.name = data
    cfg.data.n_train = 2000
    cfg.data.n_test = 500
    cfg.train.steps = steps
    cfg.train.batch_size = 64
    cfg.train.threads = 1
    cfg.train.eval_limit = 100
    for k, v in train.items():
        setattr(cfg.train, k, v)
    return cfg
