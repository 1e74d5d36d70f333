"""Sample and likelihood quality of every family on the 2D toys and on images, for a fixed CPU budget.

Each (family, dataset) pair trains with the family's default config under the window's first-run
preset (resources/presets/<family>-<kind>.json: model settings, batch size, learning rate) on ONE torch
thread for a fixed
budget of *thread CPU time* (default 60 s per toy), so other work on a busy machine does not shorten
a run. Then, on held-out data:

- test NLL (exact or bound, as the family reports it) beside the NLL of a 128-component Gaussian
  mixture fitted by EM to 20000 points of the same generator (the reference; cached per toy and seed);
- on 8gaussians: modes covered (of 8), the smallest mode's share of samples, and the share of samples
  within 3 standard deviations of a mode;
- energy distance between 2000 samples and 2000 held-out points, beside the real-vs-real distance at the
  same size (training points vs held-out points);
- images (digits, and MNIST when ../shared/datasets/mnist exists): bits/dim where defined, and the
  Fréchet distance of samples in the hidden features of a small classifier trained on that dataset,
  beside the real-vs-real floor at the same sample size, and how many classes the samples look like.

Results go to bench/results/quality.json; the last line printed is the same JSON.

    python bench/quality.py [--families vae,flow] [--toys moons,8gaussians] [--images digits] [--budget 60]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

from common import RESULTS, ROOT, emit_json, print_table

import numpy as np
import torch

from engine.config import RunConfig
from engine.data import load_dataset
from engine.data.toys import EIGHT_GAUSSIAN_CENTRES, EIGHT_GAUSSIAN_STD, TOYS, sample_toy
from engine.devices import set_torch_threads
from engine.evaluate import evaluate_nll
from engine.metrics import energy_distance
from engine.models.registry import available_families
from engine.resources import resource_path
from engine.training.loop import Controls, Trainer, UNLIMITED_STEPS

import fid
from gmm import fit_gmm, gmm_nll

MNIST_DIR = ROOT.parent / "shared" / "datasets" / "mnist"
REFERENCE_CACHE = RESULTS / "reference_nll.json"
N_EVAL = 2000


def reference_nll(toy: str, seed: int) -> float:
    cache = json.loads(REFERENCE_CACHE.read_text()) if REFERENCE_CACHE.exists() else {}
    key = f"{toy}/{seed}"
    if key not in cache:
        params = fit_gmm(torch.from_numpy(sample_toy(toy, 20000, seed, "train")), 128)
        cache[key] = gmm_nll(torch.from_numpy(sample_toy(toy, 5000, seed, "test")), params)
        RESULTS.mkdir(parents=True, exist_ok=True)
        REFERENCE_CACHE.write_text(json.dumps(cache, indent=1))
    return cache[key]


def preset_overrides(family: str, kind: str) -> list[str]:
    """The window's first-run preset for this family and kind of data, as --set lines.

    The benchmark judges what a person gets on the first click: the family's defaults under the preset
    the window applies. Run length and display cadence are the benchmark's own (a CPU-time budget).
    """
    path = resource_path("presets", f"{family}-{kind}.json")
    if not path.is_file():
        return []
    preset = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for section in ("model", "train"):
        for name, value in preset.get(section, {}).items():
            if section == "train" and name in ("steps", "sample_every", "time_limit"):
                continue
            out.append(f"{section}.{name}={json.dumps(value)}")
    return out


def train_for(family: str, data: str, budget: float, seed: int, overrides: list[str]) -> Trainer:
    """Train with the family's defaults and the window's preset for ``budget`` s of this thread's CPU time."""
    kind = "points" if data in TOYS else "image"
    overrides = preset_overrides(family, kind) + list(overrides)
    cfg = RunConfig(family=family)
    cfg.data.name = data
    cfg.data.seed = seed
    cfg.train.seed = seed
    cfg.train.threads = 1
    cfg.train.sample_every = 10_000_000
    cfg.train.steps = UNLIMITED_STEPS
    cfg.train.time_limit = budget
    cfg = cfg.with_overrides(overrides)
    trainer = Trainer(cfg, None)
    trainer.clock = time.thread_time
    controls = Controls(interactive=False)
    for ev in trainer.events(controls):
        if type(ev).__name__ == "TrainingFinished":
            break
    return trainer


def mode_stats(samples: np.ndarray) -> dict:
    d = np.linalg.norm(samples[:, None, :] - EIGHT_GAUSSIAN_CENTRES[None], axis=2)
    nearest = d.argmin(1)
    near = d.min(1) <= 3 * EIGHT_GAUSSIAN_STD
    shares = np.bincount(nearest[near], minlength=8) / len(samples)
    return {"modes_covered": int((shares >= 0.06).sum()), "min_mode_share": float(shares.min()),
            "near_mode_share": float(near.mean())}


def toy_row(family, toy, budget, seed, overrides) -> dict:
    t0 = time.perf_counter()
    trainer = train_for(family, toy, budget, seed, overrides)
    model = trainer.model
    gen = torch.Generator().manual_seed(seed + 7)
    samples = model.sample(N_EVAL, generator=gen).numpy()
    test = trainer.dataset.x_test[:N_EVAL]
    metrics = evaluate_nll(model, test, None, N_EVAL, gen)
    ref = reference_nll(toy, seed)
    row = {"family": family, "data": toy, "steps": trainer.step, "cpu_s": round(trainer.elapsed, 1),
           "test_nll": metrics["test_nll_nats"], "nll_kind": metrics["nll_kind"], "nll_se": metrics["nll_se"],
           "reference_nll": ref,
           "nll_gap": None if metrics["test_nll_nats"] is None else metrics["test_nll_nats"] - ref,
           "energy": energy_distance(samples[np.isfinite(samples).all(1)], test.numpy()),
           "energy_floor": energy_distance(trainer.dataset.x_train[:N_EVAL].numpy(), test.numpy()),
           "wall_s": round(time.perf_counter() - t0, 1)}
    if toy == "8gaussians":
        row.update(mode_stats(samples))
    return row


_CLASSIFIERS: dict = {}


def image_context(data: str, seed: int) -> dict:
    """The dataset, a feature classifier trained on it, and the real-vs-real Fréchet floor."""
    if data in _CLASSIFIERS:
        return _CLASSIFIERS[data]
    from engine.config import DataConfig
    ds = load_dataset(DataConfig(name=data if data != "mnist" else str(MNIST_DIR)))
    secs = 10.0 if ds.spec.dim <= 64 else 90.0
    net = fid.train_classifier(ds.x_train, ds.y_train, ds.spec.num_classes, seconds=secs, seed=seed)
    n = min(len(ds.x_test), 2000)
    test_stats = fid.feature_stats(net, ds.x_test[:n])
    g = torch.Generator().manual_seed(seed)
    real = ds.x_train[torch.randperm(len(ds.x_train), generator=g)[:n]]
    ctx = {"ds": ds, "net": net, "n": n, "test_stats": test_stats,
           "floor": fid.frechet(fid.feature_stats(net, real), test_stats),
           "accuracy": fid.accuracy(net, ds.x_test, ds.y_test)}
    _CLASSIFIERS[data] = ctx
    return ctx


def image_row(family, data, budget, seed, overrides) -> dict:
    ctx = image_context(data, seed)
    t0 = time.perf_counter()
    trainer = train_for(family, data if data != "mnist" else str(MNIST_DIR), budget, seed, overrides)
    model = trainer.model
    gen = torch.Generator().manual_seed(seed + 7)
    samples = torch.cat([model.sample(min(250, ctx["n"] - i), generator=gen) for i in range(0, ctx["n"], 250)])
    ds = ctx["ds"]
    metrics = evaluate_nll(model, ds.x_test, ds.y_test if model.conditional else None, 1000, gen)
    fd = fid.frechet(fid.feature_stats(ctx["net"], samples), ctx["test_stats"])
    return {"family": family, "data": data, "steps": trainer.step, "cpu_s": round(trainer.elapsed, 1),
            "test_nll": metrics["test_nll_nats"], "nll_kind": metrics["nll_kind"],
            "bits_per_dim": metrics["bits_per_dim"], "frechet": fd, "frechet_floor": ctx["floor"],
            "frechet_ratio": fd / ctx["floor"], "classes_seen": fid.classes_seen(ctx["net"], samples),
            "classifier_accuracy": ctx["accuracy"], "wall_s": round(time.perf_counter() - t0, 1)}


def main():
    ap = argparse.ArgumentParser(description="GenLab quality benchmark")
    ap.add_argument("--families", default=",".join(available_families()))
    ap.add_argument("--toys", default=",".join(TOYS))
    ap.add_argument("--images", default="digits,mnist", help="image datasets ('' for none)")
    ap.add_argument("--budget", type=float, default=60.0, help="CPU seconds per toy")
    ap.add_argument("--image-budget", type=float, default=120.0, help="CPU seconds on digits")
    ap.add_argument("--mnist-budget", type=float, default=300.0, help="CPU seconds on MNIST")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], help="config override for every run, key=value")
    ap.add_argument("--out", default=str(RESULTS / "quality.json"))
    args = ap.parse_args()
    set_torch_threads(1)
    families = [f for f in args.families.split(",") if f]
    toys = [t for t in args.toys.split(",") if t]
    images = [d for d in args.images.split(",") if d]
    if "mnist" in images and not (MNIST_DIR / "train-images-idx3-ubyte.gz").exists():
        print(f"MNIST not found at {MNIST_DIR}; skipping it")
        images.remove("mnist")
    out_path = Path(args.out)
    previous = json.loads(out_path.read_text()) if out_path.exists() else {}
    results = {"toys": previous.get("toys", {}), "images": previous.get("images", {})}
    for family in families:
        for toy in toys:
            row = toy_row(family, toy, args.budget, args.seed, args.set)
            results["toys"][f"{family}/{toy}"] = row
            print(json.dumps(row), flush=True)
        for data in images:
            budget = args.mnist_budget if data == "mnist" else args.image_budget
            row = image_row(family, data, budget, args.seed, args.set)
            results["images"][f"{family}/{data}"] = row
            print(json.dumps(row), flush=True)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(json.dumps(results, indent=1))
    report(results)
    emit_json(results)


def _f(v, nd=3):
    return "-" if v is None else (f"{v:.{nd}f}" if isinstance(v, float) else str(v))


def report(results):
    rows = []
    for key, r in sorted(results["toys"].items()):
        rows.append([r["family"], r["data"], r["steps"], _f(r["test_nll"]), r["nll_kind"] or "-",
                     _f(r["reference_nll"]), _f(r["nll_gap"]), _f(r["energy"], 4), _f(r["energy_floor"], 4),
                     _f(r.get("modes_covered")), _f(r.get("min_mode_share")), _f(r.get("near_mode_share"))])
    print("\n2D toys (NLL in nats; gap = NLL - reference)")
    print_table(["family", "data", "steps", "NLL", "kind", "ref", "gap", "energy", "floor", "modes",
                 "min share", "near"], rows)
    rows = []
    for key, r in sorted(results["images"].items()):
        rows.append([r["family"], r["data"], r["steps"], _f(r["test_nll"], 1), r["nll_kind"] or "-",
                     _f(r["bits_per_dim"]), _f(r["frechet"], 2), _f(r["frechet_floor"], 2),
                     _f(r["frechet_ratio"], 2), r["classes_seen"]])
    print("\nImages (NLL in nats per image)")
    print_table(["family", "data", "steps", "NLL", "kind", "bits/dim", "Frechet", "floor", "ratio", "classes"], rows)


if __name__ == "__main__":
    main()
