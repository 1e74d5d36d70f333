"""Every family on the device this machine has (CUDA, MPS or the CPU): speed against a bare PyTorch loop,
host syncs per step, peak memory, bits/dim, on MNIST and on CIFAR-10-shaped data.

For each family and dataset, for ``--seconds`` each:

- GenLab: the real ``Trainer`` (batch sampling from the device-resident or host-resident set as the
  device policy decides, loss meters, reports every ``log_every`` steps, the family's defaults and the
  run's AMP policy; display samples and checkpoints off, so the figure is the loop's own cost);
- bare: a fresh model of the same settings on the same device calling its ``training_step`` on one fixed
  batch, nothing else; the clock is read after synchronising the device;
- the ratio of the two (target >= 0.95); images/s = steps/s x batch;
- host syncs per step, outside the reports, counted by ``engine.device_audit`` over one report interval
  of a further run of the same trainer (the count the tests hold at 0);
- peak device memory (CUDA ``max_memory_allocated``; MPS allocated memory; on the CPU the process's peak
  resident set, which only grows across the table);
- bits/dim on 200 held-out images for the families with a likelihood (the images quality figure that
  exists for them; the Fréchet distance of ``bench/quality.py`` needs minutes per family).

Data: MNIST from ../shared/datasets/mnist or the GenLab cache; CIFAR-10 from the GenLab cache when it is
there, else a synthetic 32x32x3 set of smooth random images with random labels (same shape and size
class, no download). The default (12 s per half, 10 pairs) finishes within 8 minutes on one GPU.

    python bench/gpu.py [--seconds 12] [--families vae,gan] [--data mnist,cifar10] [--small] [--device auto]
"""

from __future__ import annotations

import argparse
import resource
import time

from common import ROOT, emit_json, print_table

import numpy as np
import torch

from engine.config import DataConfig, RunConfig
from engine.data import load_dataset
from engine.data.arrays import images_dataset
from engine.data.download import cache_root
from engine.device_audit import DeviceAudit, optimizer_host_tensors
from engine.devices import (describe_device, device_generator, peak_memory_bytes, resolve_device,
                            set_torch_threads, synchronize)
from engine.events import StepCompleted
from engine.models.base import Batch
from engine.models.registry import build_model, families
from engine.training.loop import UNLIMITED_STEPS, Controls, Trainer

# ../shared/datasets/mnist beside the checkout (or beside the folder of worktrees it sits in)
MNIST_DIRS = [base / "shared" / "datasets" / "mnist" for base in (ROOT.parent, ROOT.parent.parent)]
# --small: sizes for a smoke run on a CPU (the defaults are what a person trains).
SMALL = {
    "vae": dict(hidden=32, depth=2, width=8), "gan": dict(hidden=32, depth=2, width=8),
    "ar": dict(width=32, layers=1, heads=2), "flow": dict(layers=2, hidden=32, depth=1, width=8, steps=1, scales=2),
    "diffusion": dict(hidden=32, depth=1, width=8, timesteps=100, ll_timesteps=4, likelihood="bound"),
}
AUDIT_STEPS = 5


def mnist():
    for folder in MNIST_DIRS:
        if (folder / "train-images-idx3-ubyte.gz").exists():
            return load_dataset(DataConfig(name=str(folder))), f"mnist ({folder})"
    if (cache_root() / "mnist").is_dir():
        return load_dataset(DataConfig(name="mnist")), "mnist (cache)"
    return None, "mnist: not present"


def cifar(n_train: int = 10000, n_test: int = 1000):
    if (cache_root() / "cifar10").is_dir():
        try:
            return load_dataset(DataConfig(name="cifar10")), "cifar10 (cache)"
        except Exception as e:   # a partial cache: fall back to the synthetic set, and say why
            note = f"cifar10 cache unusable ({e}); synthetic"
    else:
        note = "synthetic 32x32x3 (no CIFAR-10 cached)"
    rng = np.random.default_rng(0)
    n = n_train + n_test
    coarse = rng.uniform(0, 255, size=(n, 3, 4, 4))
    images = np.clip(coarse.repeat(8, 2).repeat(8, 3) + rng.normal(0, 12, size=(n, 3, 32, 32)), 0, 255)
    images = images.astype(np.uint8)
    labels = rng.integers(0, 10, size=n).astype(np.int64)
    ds = images_dataset("synthetic-cifar10", images[:n_train], images[n_train:], y_train=labels[:n_train],
                        y_test=labels[n_train:], name="cifar10-shaped")
    return ds, note


def config(family: str, device: str, small: bool) -> RunConfig:
    cfg = RunConfig(family=family)
    for key, value in (SMALL.get(family, {}) if small else {}).items():
        if hasattr(cfg.model, key):
            setattr(cfg.model, key, value)
    tc = cfg.train
    # reports every 20 steps (every 5 for --small on a CPU, where a step of a large picture can take a second)
    tc.device, tc.steps, tc.log_every = device, UNLIMITED_STEPS, 5 if small else 20
    tc.sample_every, tc.eval_every, tc.checkpoint_seconds = 10 ** 7, 0, 0
    if small:
        tc.batch_size = 64
    return cfg


def reset_peak(device) -> None:
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def peak_text(device) -> tuple[str, int]:
    peak = peak_memory_bytes(device)
    if peak is None:   # the CPU: the process's peak resident set (Linux: KiB, macOS: bytes)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return f"{peak / 2 ** 20:.0f} MiB RSS", peak
    return f"{peak / 2 ** 20:.0f} MiB", peak


def genlab_rate(trainer: Trainer, seconds: float) -> float:
    """Steps per second of the real loop, between its first report and the first report after ``seconds``."""
    events = trainer.events(Controls(interactive=False))
    start = None
    for ev in events:
        if not isinstance(ev, StepCompleted):
            continue
        now = time.perf_counter()
        if start is None:
            start = (ev.step, now)
        elif now - start[1] >= seconds:
            events.close()
            return (ev.step - start[0]) / (now - start[1])
    raise RuntimeError("the run ended before the time was up")


def syncs_per_step(trainer: Trainer) -> float:
    """Host syncs per training step outside the reports, over one report interval of ``AUDIT_STEPS``."""
    trainer.config.train.log_every = AUDIT_STEPS
    events = trainer.events(Controls(interactive=False))
    next(ev for ev in events if isinstance(ev, StepCompleted))
    with DeviceAudit(optimizer_host_tensors(trainer.model.optimizers.values())) as report:
        ev = next(events)
    events.close()
    inside = [o for o in report.syncs if "engine/training/meters.py" not in o.where]
    return len(inside) / AUDIT_STEPS


def bare_rate(cfg: RunConfig, ds, device, batch_size: int, amp, seconds: float) -> float:
    model = build_model(cfg.family, ds.spec, cfg.model).to(device)
    model.amp = amp
    model.configure_optimizers(cfg.train.lr)
    x = ds.x_train[:batch_size].to(device)
    y = ds.y_train[:batch_size].to(device) if ds.y_train is not None else None
    batch, gen = Batch(x, y), device_generator(device, 0)
    for _ in range(5):
        model.training_step(batch, gen)
    synchronize(device)
    steps, t0 = 0, time.perf_counter()
    while True:
        for _ in range(10):
            model.training_step(batch, gen)
        steps += 10
        synchronize(device)
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds:
            return steps / elapsed


def run_pair(family: str, ds, data: str, args, device) -> dict:
    cfg = config(family, args.device, args.small)
    reset_peak(device)
    trainer = Trainer(cfg, None, dataset=ds)
    ours = genlab_rate(trainer, args.seconds)
    syncs = syncs_per_step(trainer)
    bits = None
    if trainer.model.has("log_likelihood"):
        bits = trainer.evaluate(limit=200).get("bits_per_dim")
    peak, peak_bytes = peak_text(device)
    bare = bare_rate(cfg, ds, device, trainer.batch_size, trainer.amp, args.seconds)
    return {"family": family, "data": data, "batch": trainer.batch_size, "amp": trainer.amp.describe(),
            "steps_per_s": ours, "images_per_s": ours * trainer.batch_size, "bare_steps_per_s": bare,
            "ratio": ours / bare, "syncs_per_step": syncs, "peak": peak, "peak_bytes": peak_bytes,
            "bits_per_dim": bits}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=12.0, help="seconds of GenLab and of the bare loop, each")
    ap.add_argument("--families", default=",".join(families()))
    ap.add_argument("--data", default="mnist,cifar10")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--small", action="store_true", help="small models (a smoke run on a CPU)")
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    threads = set_torch_threads(args.threads)
    device = resolve_device(args.device)
    t_start = time.perf_counter()
    sets, notes = {}, []
    for name in args.data.split(","):
        ds, note = mnist() if name == "mnist" else cifar()
        notes.append(note)
        if ds is not None:
            sets[name] = ds
    rows = []
    for data, ds in sets.items():
        for family in args.families.split(","):
            rows.append(run_pair(family, ds, data, args, device))
            r = rows[-1]
            print(f"{family:>9} {data:>8}: {r['steps_per_s']:.1f} steps/s, ratio {r['ratio']:.2f}", flush=True)
    print(f"\ndevice: {describe_device(device)}; threads {threads}; data: {'; '.join(notes)}")
    print_table(["family", "data", "batch", "amp", "steps/s", "images/s", "bare steps/s", "ratio", "syncs/step",
                 "peak memory", "bits/dim"],
                [[r["family"], r["data"], r["batch"], r["amp"], r["steps_per_s"], r["images_per_s"],
                  r["bare_steps_per_s"], r["ratio"], r["syncs_per_step"], r["peak"],
                  "-" if r["bits_per_dim"] is None else r["bits_per_dim"]] for r in rows])
    emit_json({"bench": "gpu", "device": describe_device(device), "threads": threads, "seconds": args.seconds,
               "small": args.small, "data": notes, "rows": rows, "wall_s": time.perf_counter() - t_start})


if __name__ == "__main__":
    main()
