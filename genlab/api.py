"""GenLab from Python (a notebook, a script): train, sample, evaluate and diagnose in a line each.

    import genlab
    run = genlab.train(data="moons", model="vae", seconds=10)
    x = genlab.sample(run, 64)             # a NumPy array in data units: (64, 2) points or (64, C, H, W) images
    genlab.evaluate(run)                   # {"test_nll_nats": ..., "nll_kind": "bound", ...}

Everything goes through the engine the window and the command line use, so a ``Run`` is an ordinary
run folder: ``genlab runs`` lists it, the window opens it, ``genlab train --resume`` continues it.
Settings are the same ``section.name`` keys as ``genlab train --set`` (``settings={"model.beta": 4}``).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from engine.config import RunConfig
from engine.data import load_dataset
from engine.evaluate import evaluate_nll
from engine.events import LogMessage, TrainingFinished
from engine.runs.diagnose import diagnose_run
from engine.runs.load import load_run_model
from engine.runs.workspace import default_workspace
from engine.training.loop import UNLIMITED_STEPS, Controls, Trainer


@dataclass
class Run:
    """A trained run: its folder, config and the metrics of its last evaluation. ``os.fspath(run)`` is
    the folder, so a ``Run`` goes wherever a path does."""

    path: Path
    config: RunConfig
    step: int = 0
    metrics: dict = field(default_factory=dict)
    log: list[str] = field(default_factory=list)   # the run's warnings and messages, in order

    def __fspath__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"Run({str(self.path)!r}, family={self.config.family!r}, data={self.config.data.name!r}, step={self.step})"


def _new_folder(data: str, family: str, root: Path) -> Path:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(data).stem if "/" in data or "\\" in data else data)[:40] or "data"
    base = root / f"{time.strftime('%Y%m%d-%H%M%S')}-{stem}-{family}"
    path, n = base, 2
    while path.exists():
        path, n = base.with_name(f"{base.name}-{n}"), n + 1
    return path


def train(data: str = "moons", model: str | None = None, seconds: float | None = None, steps: int | None = None,
          out: str | Path | None = None, seed: int = 0, settings: dict | None = None) -> Run:
    """Train a new run and return it. ``model``: a family name (None: the default family); ``seconds`` or ``steps`` (default: the config's 2000 steps);
    ``out`` the run folder (default: a new folder in the workspace, as the window names them);
    ``settings`` more ``section.name: value`` settings."""
    config = RunConfig(family=model) if model else RunConfig()       # None: the default family
    model = config.family
    sets = [f"data.name={json.dumps(data)}", f"train.seed={int(seed)}"]
    if seconds is not None and steps is not None:
        raise ValueError("give seconds or steps, not both")
    if seconds is not None:
        sets += [f"train.time_limit={float(seconds)}", f"train.steps={UNLIMITED_STEPS}"]
    elif steps is not None:
        sets += [f"train.steps={int(steps)}", "train.time_limit=0"]
    sets += [f"{k}={json.dumps(v)}" for k, v in (settings or {}).items()]
    config = config.with_overrides(sets)
    path = Path(out) if out is not None else _new_folder(data, model, default_workspace())
    if (path / "config.json").exists():
        raise FileExistsError(f"{path}: already holds a run")
    trainer = Trainer(config, path)
    log, finished = [], None
    for ev in trainer.events(Controls(interactive=False)):
        if isinstance(ev, LogMessage):
            log.append(f"{ev.level}: {ev.text}")
        elif isinstance(ev, TrainingFinished):
            finished = ev
    return Run(path=path, config=config, step=finished.step if finished else trainer.step,
               metrics=dict(finished.metrics) if finished else {}, log=log)


def open_run(path: str | Path) -> Run:
    """An existing run folder (trained here, in the window or by ``genlab train``)."""
    config, _, ckpt = load_run_model(path, "cpu")
    return Run(path=Path(path), config=config, step=ckpt.step)


def _path(run) -> Path:
    return Path(run.path if isinstance(run, Run) else run)


def sample(run, n: int = 64, seed: int = 0, label: int | None = None) -> np.ndarray:
    """``n`` samples from the run's newest checkpoint, float32 in data units."""
    _, model, _ = load_run_model(_path(run), "cpu")
    gen = torch.Generator().manual_seed(int(seed))
    labels = None if label is None else torch.full((n,), int(label), dtype=torch.long)
    return model.sample(int(n), generator=gen, labels=labels).cpu().numpy().astype(np.float32)


def evaluate(run, limit: int = 1000, seed: int = 0) -> dict:
    """Held-out negative log-likelihood of the newest checkpoint (nulls for a family without one)."""
    config, model, ckpt = load_run_model(_path(run), "cpu")
    ds = load_dataset(config.data)
    gen = torch.Generator().manual_seed(int(seed))
    metrics = evaluate_nll(model, ds.x_test, ds.y_test if model.conditional else None, limit, gen)
    return {**metrics, "step": ckpt.step}


def diagnose(run, n: int | None = None, seed: int = 0) -> dict:
    """What ``genlab diagnose --json`` prints: every detector that applies, with evidence and advice."""
    return diagnose_run(_path(run), n=n, seed=seed)
