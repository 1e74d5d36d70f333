"""Resuming a run: the checkpoint to continue from and the model to continue with.

``Trainer(config, run_dir, resume=True)`` asks ``checkpoint_to_resume`` for the newest checkpoint that
loads (refusing a run another process trains, or one of another family) and ``model_for_resume`` for
the model, rebuilt with the run config's model settings where they may differ. What keeps a run safe
while it trains (status, lock, tolerant writes, out of memory, rollback) is ``RunRecorder``'s job, in
``engine.training.recorder``.
"""

from __future__ import annotations

import dataclasses
import json

from engine.config import RunConfig
from engine.errors import ConfigError, GenLabError
from engine.models.registry import model_from_init_args
from engine.runs.folder import RunFolder
from engine.runs.status import RunBusyError, lock_state


def checkpoint_to_resume(run: RunFolder | None, config: RunConfig):
    """The run's newest loadable checkpoint, or a clear error: no folder, a busy run, no checkpoint,
    another family."""
    if run is None:
        raise GenLabError("resume needs a run folder")
    if lock_state(run.path):
        raise RunBusyError(f"{run.path}: is being trained by another process right now; "
                           "stop it first or fork the run")
    ckpt = run.latest_checkpoint()
    if ckpt is None:
        raise GenLabError(f"{run.path}: has no checkpoint that can be loaded")
    if ckpt.family != config.family:
        raise ConfigError("family", config.family, f"'{ckpt.family}', the family of the run's checkpoint")
    return ckpt


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
