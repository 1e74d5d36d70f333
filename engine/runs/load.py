"""Open a finished (or still running) run for sampling, evaluation and exploration."""

from __future__ import annotations

from pathlib import Path

import torch

from engine.config import RunConfig
from engine.errors import CheckpointError
from engine.models.registry import model_from_init_args
from engine.runs.folder import RunFolder


def load_run_model(run_dir: str | Path, device: str | torch.device = "cpu"):
    """(config, model, checkpoint) from the newest checkpoint that verifies."""
    run = RunFolder(run_dir)
    if not run.path.is_dir():
        raise CheckpointError(f"{run.path}: no such run folder")
    config = run.read_config()
    ckpt = run.latest_checkpoint()
    if ckpt is None:
        raise CheckpointError(f"{run.path}: has no checkpoint that can be loaded yet")
    model = model_from_init_args(ckpt.family, ckpt.init_args)
    model.load_state_dict(ckpt.model_state)
    model.to(device).eval()
    return config, model, ckpt
