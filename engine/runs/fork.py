"""Fork: a new run that starts from any saved checkpoint of another, with changed settings.

The fork gets its own folder: a validated ``config.json`` whose ``parent`` names the source run (and
whose ``resolved.forked_from`` records the step), the source's metric records up to that step (so
its curves show where it came from), and one checkpoint, the source's tensor file copied byte for
byte with a new sidecar. Training it is then an ordinary resume. What may change: training settings
and any model setting that keeps the weights' shapes (a beta, a loss, a sampler); the family and the
data may not, since the weights and the batch order belong to them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from pathlib import Path

from engine.atomic import write_bytes_atomic, write_text_atomic
from engine.config import RunConfig
from engine.errors import CheckpointError, ConfigError, GenLabError
from engine.models.registry import model_from_init_args
from engine.runs.checkpoint import latest_checkpoint, load_checkpoint, read_sidecar, read_tensor_file
from engine.runs.folder import RunFolder
from engine.runs.status import write_status
from engine.runs.workspace import checkpoint_sidecar, read_curves

_SPEC_RE = re.compile(r"^(.*):(\d+)$")


def parse_fork_spec(text: str) -> tuple[Path, int | None]:
    """``RUN_DIR`` or ``RUN_DIR:STEP`` -> (folder, step or None for the newest checkpoint)."""
    m = _SPEC_RE.match(text)
    if m and not Path(text).exists():
        return Path(m.group(1)), int(m.group(2))
    return Path(text), None


def fork_run(source: str | Path, out: str | Path, step: int | None = None,
             overrides: list[str] | tuple[str, ...] = (), more_steps: int | None = None) -> RunConfig:
    """Create the fork in ``out`` and return its config; train it with ``Trainer(config, out, resume=True)``.

    ``overrides`` are ``--set`` strings; ``more_steps`` sets the fork's length from the checkpoint on."""
    src = RunFolder(source)
    dst = Path(out)
    if not src.path.is_dir():
        raise CheckpointError(f"{src.path}: no such run folder")
    if (dst / "config.json").exists():
        raise GenLabError(f"{dst}: already holds a run; choose a new folder for the fork")
    if step is None:
        ckpt = latest_checkpoint(src.checkpoints_dir)
        if ckpt is None:
            raise CheckpointError(f"{src.path}: has no checkpoint that can be loaded to fork from")
    else:
        ckpt = load_checkpoint(checkpoint_sidecar(src.path, step))  # verifies size and SHA-256
    base = _checkpoint_config(ckpt) or src.read_config()
    sets = list(overrides)
    if more_steps is not None:
        if more_steps < 1:
            raise ConfigError("steps", more_steps, "a positive number of steps after the fork")
        sets = [f"train.steps={ckpt.step + more_steps}", "train.time_limit=0"] + sets
    config = base.with_overrides(sets)
    config.parent = str(src.path.resolve())
    _check_allowed(base, config)

    init_args = dict(ckpt.init_args)
    init_args["config"] = json.loads(json.dumps(dataclasses.asdict(config.model)))
    _check_weights_fit(ckpt, init_args, base, config)

    raw = src.read_raw_config()
    resolved = dict(raw.get("resolved") or {})
    resolved["forked_from"] = {"run": config.parent, "step": ckpt.step}
    run = RunFolder.create(dst, config, resolved)
    _copy_checkpoint(ckpt, init_args, run.checkpoints_dir, config)
    for rec in read_curves(src.path):
        if rec["step"] <= ckpt.step and rec.get("event") != "finished":
            run.append_metrics(rec)
    run.append_metrics({"event": "forked", "step": ckpt.step, "parent": config.parent})
    run.close()
    write_status(dst, "stopped", "forked", family=config.family, data=config.data.name, parent=config.parent,
                 step=ckpt.step, checkpoint_step=ckpt.step, total_steps=config.train.steps,
                 kind=(resolved.get("spec") or {}).get("kind"), elapsed=ckpt.trainer.get("elapsed", 0.0))
    return config


def _checkpoint_config(ckpt) -> RunConfig | None:
    saved = ckpt.trainer.get("config")
    if not isinstance(saved, dict):
        return None
    try:
        return RunConfig.from_dict(saved)
    except ConfigError:
        return None


def _check_allowed(base: RunConfig, config: RunConfig) -> None:
    if config.family != base.family:
        raise ConfigError("family", config.family, f"'{base.family}' (a fork keeps its parent's family)")
    before, after = dataclasses.asdict(base.data), dataclasses.asdict(config.data)
    for key in before:
        if json.dumps(before[key]) != json.dumps(after[key]):
            raise ConfigError(f"data.{key}", after[key], f"{before[key]!r}: a fork trains on its parent's data "
                                                          "(start a new run for other data)")


def _check_weights_fit(ckpt, init_args: dict, base: RunConfig, config: RunConfig) -> None:
    try:
        model = model_from_init_args(ckpt.family, init_args)
        model.load_state_dict(ckpt.model_state)
    except (RuntimeError, ValueError, KeyError) as e:
        old, new = dataclasses.asdict(base.model), dataclasses.asdict(config.model)
        changed = [k for k in new if json.dumps(new[k]) != json.dumps(old.get(k))] or ["(model)"]
        raise ConfigError(f"model.{changed[0]}", new.get(changed[0]),
                          f"{old.get(changed[0])!r}: it changes the shape of the weights, which a fork keeps "
                          f"(start a new run instead; {str(e).splitlines()[0][:100]})") from None


def _copy_checkpoint(ckpt, init_args: dict, folder: Path, config: RunConfig) -> None:
    """The same tensor bytes under the fork's folder, with a sidecar that carries the new settings."""
    meta = read_sidecar(ckpt.path)
    blob = read_tensor_file(ckpt.path.with_name(meta["file"]), meta["bytes"])
    if hashlib.sha256(blob).hexdigest() != meta["sha256"]:
        raise CheckpointError(f"{ckpt.path}: changed while it was being forked")
    trainer = dict(meta.get("trainer") or {})
    trainer.update(best_nll=None, best_step=None, config=config.to_dict())
    meta.update(init_args=init_args, trainer=trainer)
    write_bytes_atomic(folder / meta["file"], blob)
    write_text_atomic(folder / ckpt.path.name, json.dumps(meta, indent=1))
