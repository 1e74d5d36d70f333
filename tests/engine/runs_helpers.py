"""Helpers for the runs, export, faults and security tests: tiny configs of every family, quick runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from engine.events import StepCompleted
from engine.training.loop import Controls, Trainer
from tests.helpers import small_config

ROOT = Path(__file__).resolve().parents[2]


def train_elsewhere(run: Path, *settings: str, env: dict | None = None) -> subprocess.Popen:
    """A real ``genlab train`` of a small VAE on moons in its own process, for a long time, with
    ``settings`` ("section.key=value") on top; stderr is piped (read it when the process fails)."""
    cmd = [sys.executable, str(ROOT / "main.py"), "train", "--data", "moons", "--model", "vae", "--steps", "1000000",
           "--out", str(run), "--quiet", "--set", "train.threads=1", "--set", "model.hidden=32"]
    for setting in settings:
        cmd += ["--set", setting]
    return subprocess.Popen(cmd, cwd=ROOT, env=dict(os.environ, PYTHONIOENCODING="utf-8", **(env or {})),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for_checkpoint(run: Path, proc: subprocess.Popen, step: int | None = None, timeout: float = 120.0) -> None:
    """Until ``train_elsewhere``'s process has saved the checkpoint at ``step`` (None: any); fails with its
    stderr if it ends first."""
    folder = run / "checkpoints"
    deadline = time.monotonic() + timeout
    while not ((folder / f"ckpt_{step:09d}.json").exists() if step is not None else list(folder.glob("ckpt_*.json"))):
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline, f"no checkpoint {'at step ' + str(step) if step is not None else ''} in time"
        time.sleep(0.05)


# Small enough that a few dozen steps take well under a second on one CPU thread.
TINY_MODELS = {
    "vae": dict(hidden=32, depth=2, width=8, iw_samples=8),
    "gan": dict(hidden=32, depth=2, width=8),
    "ar": dict(width=32, layers=1, heads=2, bins=64),
    "flow": dict(layers=2, hidden=32, depth=1, bins=8, width=8, steps=1, scales=2),
    "diffusion": dict(hidden=32, depth=1, width=8, timesteps=100, display_steps=4, sample_steps=8,
                      ode_steps=8, likelihood="bound", ll_timesteps=4),
}


def tiny_config(family: str = "vae", data: str = "moons", steps: int = 40, **train):
    cfg = small_config(family, data=data, steps=steps, **train)
    for key, value in TINY_MODELS.get(family, {}).items():
        if hasattr(cfg.model, key):
            setattr(cfg.model, key, value)
    return cfg


def train(cfg, run_dir: Path | str | None, resume: bool = False, controls: Controls | None = None,
          stop_at: int | None = None):
    """Run a Trainer to its end (or ask it to stop after step ``stop_at``); (trainer, events)."""
    trainer = Trainer(cfg, run_dir, resume=resume)
    controls = controls or Controls(interactive=False)
    events = []
    for ev in trainer.events(controls):
        events.append(ev)
        if stop_at is not None and isinstance(ev, StepCompleted) and ev.step >= stop_at:
            controls.request_stop()
    return trainer, events


def steps_of(events) -> list[StepCompleted]:
    return [e for e in events if isinstance(e, StepCompleted)]
