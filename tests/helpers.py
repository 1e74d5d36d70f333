"""Shared helpers for tests."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager

# says "go" once running, then spins; ends itself if left behind
SPIN = "import time\nprint('go', flush=True)\nend = time.time() + 60\nwhile time.time() < end:\n    pass\n"


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


@contextmanager
def busy_processor():
    """Other programs keeping busy the processor that this thread (and threads it starts) runs on: a real
    load, not a stand-in. On Linux this thread goes onto one CPU with three spinning processes (they inherit
    its affinity), so it gets about a quarter of that CPU; elsewhere twice as many spinning processes as
    CPUs share them all."""
    pinned = hasattr(os, "sched_setaffinity")
    if pinned:
        before = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(before)})
        count = 3
    else:
        count = 2 * (os.cpu_count() or 1)
    spinners = [subprocess.Popen([sys.executable, "-c", SPIN], stdout=subprocess.PIPE, text=True)
                for _ in range(count)]
    try:
        for p in spinners:    # every one is spinning (a fixed wait was too short on a loaded machine)
            p.stdout.readline()
        yield
    finally:
        for p in spinners:
            p.kill()
        for p in spinners:
            p.wait(timeout=30)
            p.stdout.close()
        if pinned:
            os.sched_setaffinity(0, before)
