"""Every family on MNIST for a fixed CPU budget, at the sizes the budget-aware presets pick.

For each family: ``engine.presets.plan_run`` sizes the model for the budget on this machine (rates
measured once and cached in bench/results/calibration.json), then the run trains for that many seconds of
*thread CPU time* (``Trainer.clock = time.thread_time``: other programs on a shared machine do not shorten
it) at the default thread count, and is judged on held-out data:

- steps, images per second (of training examples seen);
- the quality figure (``engine.quality``: Fréchet distance to held-out images in the features of a small
  classifier trained on the training split), its real-vs-real floor at the same count, and their ratio;
- bits/dim where the family has a likelihood (exact or bound, as named);
- a grid of samples saved as bench/results/images_<family>_<budget>s.png (look at them).

Reference: the classic MLP VAE of PyTorch's examples (784-400-20, Bernoulli decoder, Adam 1e-3, batch
128) trained for the same CPU budget and threads; its samples are the decoder's means, judged alike.

A second reference with ``--ddpm``: the minimal DDPM of bench/ddpm_reference.py (small U-Net, linear
schedule, T = 1000, eps prediction, 64 1000-step ancestral samples), trained once through the budgets in
turn. ``time_to_reference`` in the JSON: for each family, the training seconds at which its quality
readouts (interpolated in log-ratio) first reached each reference's ratio at each budget, and the
ratio of that time to the reference's budget (below 1: GenLab got there sooner).

    python bench/images.py [--families vae,gan] [--budgets 60,300] [--data ../shared/datasets/mnist] [--ddpm]
    python bench/images.py --families diffusion --set model.local_width=0 --label no-local   # a variant

Prints a table, then one JSON line (also saved as bench/results/images_<data>_<budgets>_<families>.json).
The reference VAE has a 784-pixel input, so it runs on 28x28 grey data only.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import tempfile
import time
from pathlib import Path

from common import RESULTS, ROOT, emit_json, print_table
from ddpm_reference import MinimalDDPM

import torch
import torch.nn.functional as F
from torch import nn

from engine.config import RunConfig
from engine.data import load_dataset
from engine.config import DataConfig
from engine.devices import default_threads, set_torch_threads
from engine.events import TrainingFinished
from engine.presets import apply_plan, plan_run
from engine.quality import QualityJudge
from engine.render import image_grid, png_bytes, upscale
from engine.training.loop import Controls, Trainer

# ../shared from the main checkout, ../../shared from a worktree under wt/
MNIST = next((p / "shared" / "datasets" / "mnist" for p in (ROOT.parent, ROOT.parent.parent)
              if (p / "shared" / "datasets" / "mnist").is_dir()), ROOT.parent / "shared" / "datasets" / "mnist")
FAMILIES = ("vae", "gan", "ar", "flow", "diffusion")
# The minimal DDPM's 1000-step samples cost about 53 M multiply-adds per image and step (minutes of one CPU
# thread for 64 images), so it is judged on 64 samples: its floor is the real-vs-real distance at 64.
DDPM_SAMPLES = 64


def tag(data_name: str) -> str:
    """Short name of the data for result files: mnist, shapes-colour, ..."""
    return Path(data_name).name or data_name


def run_family(family, ds, data_name, budget, threads, out_dir, extra=(), label="", judge=None):
    """One family's run at the preset for ``budget``; ``extra`` (``section.key=value``) on top, for variants,
    named ``label`` in the result files."""
    plan = plan_run(family, ds.spec, budget, threads=threads, cache_path=RESULTS / "calibration.json")
    cfg = apply_plan(RunConfig(family=family).with_overrides([f"data.name={data_name}"]), plan,
                     keep=[f"train.threads={threads}", "train.checkpoint_seconds=0", "train.checkpoint_every=100000000",
                           *extra])
    name = family + (f"-{label}" if label else "")
    run_dir = out_dir / f"{tag(data_name)}_{name}_{int(budget)}s"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    trainer = Trainer(cfg, run_dir, dataset=ds)
    trainer.clock = time.thread_time
    final = None
    t0 = time.perf_counter()
    for ev in trainer.events(Controls(interactive=False)):
        if isinstance(ev, TrainingFinished):
            final = ev
    wall = time.perf_counter() - t0
    m = final.metrics
    # also judged on DDPM_SAMPLES samples, the count the minimal DDPM reference is judged on (the floor, and
    # so the ratio, depends on the count: compare ratios at equal counts only)
    small = {}
    if judge is not None:
        with torch.no_grad():
            imgs = trainer.model.sample(DDPM_SAMPLES, torch.Generator().manual_seed(5), **trainer.model.display_options())
        small = judge.score(imgs)
    grids = sorted((run_dir / "samples").glob("step_*.png"))
    png = RESULTS / f"images_{tag(data_name)}_{name}_{int(budget)}s.png"
    if grids:
        shutil.copyfile(grids[-1], png)
    history = [(e["train_seconds"], e["frechet_ratio"]) for e in _evaluations(run_dir) if e.get("frechet_ratio")]
    return {"family": name, "budget_s": budget, "size": plan.candidate, "overrides": list(extra),
            "ratio_history": history, "calibrated_steps_per_s": plan.rate, "calibrated_busy_share": plan.busy_share,
            "steps": final.step, "images_per_s": final.step * cfg.train.batch_size / budget,
            "frechet": m.get("frechet"), "frechet_floor": m.get("frechet_floor"),
            "frechet_floor_sd": m.get("frechet_floor_sd"), "frechet_ratio": m.get("frechet_ratio"),
            "frechet_n": m.get("frechet_n"), "bits_per_dim": m.get("bits_per_dim"), "nll_kind": m.get("nll_kind"),
            f"frechet_ratio_{DDPM_SAMPLES}": small.get("frechet_ratio"), "classifier_accuracy": m.get("classifier_accuracy"),
            "recognised": m.get("recognised"), "recognised_real": m.get("recognised_real"),
            "wall_s": wall, "grid": str(png.relative_to(ROOT))}


def _or_dash(value):
    return "-" if value is None else value


def _evaluations(run_dir):
    """The run's evaluation records (metrics.jsonl), with the training seconds each was taken at."""
    out = []
    for line in (run_dir / "metrics.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec.get("event") == "eval":
            out.append({**rec, "train_seconds": rec.get("frechet_time", rec.get("time"))})
    return out


class ExampleVAE(nn.Module):
    """PyTorch examples' vae/main.py: 784-400-20 encoder, 20-400-784 decoder, ReLU, sigmoid, BCE."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc21, self.fc22 = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
        self.fc3, self.fc4 = nn.Linear(20, 400), nn.Linear(400, 784)

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def forward(self, x):
        h = F.relu(self.fc1(x.view(-1, 784)))
        mu, logvar = self.fc21(h), self.fc22(h)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        return self.decode(z), mu, logvar


def run_reference(ds, budget, judge, data_name):
    torch.manual_seed(0)
    model = ExampleVAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = ds.x_train.view(-1, 784)
    gen = torch.Generator().manual_seed(0)
    steps, t0 = 0, time.thread_time()
    while time.thread_time() - t0 < budget:
        xb = x[torch.randint(0, len(x), (128,), generator=gen)]
        recon, mu, logvar = model(xb)
        bce = F.binary_cross_entropy(recon, xb, reduction="sum")
        kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        loss = (bce + kld) / len(xb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
    with torch.no_grad():
        samples = model.decode(torch.randn(256, 20, generator=gen)).view(-1, 1, 28, 28)
    q = judge.score(samples)
    png = RESULTS / f"images_{tag(data_name)}_reference-vae_{int(budget)}s.png"
    png.write_bytes(png_bytes(upscale(image_grid(samples[:64]), 2)))
    return {"family": "reference MLP VAE (784-400-20)", "budget_s": budget, "size": "pytorch-examples",
            "calibrated_steps_per_s": None, "steps": steps, "images_per_s": steps * 128 / budget,
            "frechet": q["frechet"], "frechet_floor": q["frechet_floor"], "frechet_floor_sd": q.get("frechet_floor_sd"),
            "frechet_ratio": q["frechet_ratio"],
            "frechet_n": q["frechet_n"], "bits_per_dim": None, "nll_kind": None, "wall_s": None,
            "recognised": q.get("recognised"), "recognised_real": q.get("recognised_real"),
            "grid": str(png.relative_to(ROOT))}


def time_to_reach(history, target):
    """Training seconds at which the readouts ``history`` [(seconds, ratio)] first reach ``target``,
    log-linear between readouts (from 0 s at no quality); None when they never do."""
    prev = None
    for t, r in history:
        if r <= target:
            if prev is None or prev[1] <= r:
                return t
            (t0, r0) = prev
            f = (math.log(r0) - math.log(target)) / (math.log(r0) - math.log(r))
            return t0 + f * (t - t0)
        prev = (t, r)
    return None


def time_to_reference(rows):
    """For each family run and reference: when its readouts reached the reference's ratio. Readouts are at
    the run's sample count; a reference judged at another count (the DDPM's 64) is compared with the run's
    own score at that count instead, which says only whether the run had reached it by its end."""
    out = []
    for ref in [r for r in rows if r["family"].startswith("reference")]:
        for row in [r for r in rows if r.get("ratio_history")]:
            rec = {"family": row["family"], "budget_s": row["budget_s"], "reference": ref["family"],
                   "reference_budget_s": ref["budget_s"], "reference_ratio": ref["frechet_ratio"],
                   "reference_n": ref["frechet_n"]}
            if ref["frechet_n"] == row["frechet_n"]:
                t = time_to_reach(row["ratio_history"], ref["frechet_ratio"])
                rec.update(seconds_to_reach=t, time_ratio=t / ref["budget_s"] if t is not None else None)
            else:
                mine = row.get(f"frechet_ratio_{ref['frechet_n']}")
                reached = mine is not None and mine <= ref["frechet_ratio"]
                rec.update(seconds_to_reach=row["budget_s"] if reached else None, at_most=True,
                           run_ratio_same_n=mine,
                           time_ratio=row["budget_s"] / ref["budget_s"] if reached else None)
            out.append(rec)
    return out


def run_ddpm_reference(ds, budget, judge, data_name, model=None):
    """The minimal DDPM (bench/ddpm_reference.py) trained to ``budget`` s of thread CPU time (continuing
    ``model`` when given, so 60 s and 300 s are one run), judged on 256 ancestral 1000-step samples."""
    model = model or MinimalDDPM()
    model.train_for(ds.x_train, budget - model.seconds)
    model.seconds = budget
    t0 = time.thread_time()
    samples = model.sample(DDPM_SAMPLES)
    sample_s = time.thread_time() - t0
    q = judge.score(samples)
    png = RESULTS / f"images_{tag(data_name)}_reference-ddpm_{int(budget)}s.png"
    png.write_bytes(png_bytes(upscale(image_grid(samples[:64]), 2)))
    return model, {"family": "reference minimal DDPM (U-Net 32/64, eps, linear, T=1000)", "budget_s": budget,
                   "size": "minimal-ddpm", "calibrated_steps_per_s": None, "steps": model.steps,
                   "images_per_s": model.steps * 128 / budget, "frechet": q["frechet"],
                   "frechet_floor": q["frechet_floor"], "frechet_ratio": q["frechet_ratio"], "frechet_n": q["frechet_n"],
                   "bits_per_dim": None, "nll_kind": None, "wall_s": None, "sample_cpu_s": sample_s,
                   f"frechet_ratio_{DDPM_SAMPLES}": q["frechet_ratio"],
                   "grid": str(png.relative_to(ROOT))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--budgets", default="60")
    ap.add_argument("--data", default=str(MNIST))
    ap.add_argument("--no-reference", action="store_true")
    ap.add_argument("--ddpm", action="store_true", help="also the minimal DDPM reference (28x28 grey)")
    ap.add_argument("--set", action="append", default=[], help="section.key=value on top of the preset (a variant)")
    ap.add_argument("--label", default="", help="name of the variant in result files")
    args = ap.parse_args()
    threads = set_torch_threads(default_threads())
    ds = load_dataset(DataConfig(name=args.data))
    out_dir = Path(tempfile.gettempdir()) / "genlab_bench_images"   # run folders (checkpoints): not kept
    judge = QualityJudge.for_dataset(ds.x_train, ds.y_train, ds.x_test, ds.spec.num_classes)
    rows = []
    ddpm = None
    for budget in [float(b) for b in args.budgets.split(",")]:
        if args.ddpm and tuple(ds.spec.shape) == (1, 28, 28):
            ddpm, row = run_ddpm_reference(ds, budget, judge, args.data, ddpm)
            rows.append(row)
            print(f"# {rows[-1]}", flush=True)
        for family in [f for f in args.families.split(",") if f]:
            rows.append(run_family(family, ds, args.data, budget, threads, out_dir, args.set, args.label, judge))
            print(f"# {rows[-1]}", flush=True)
        if not args.no_reference and tuple(ds.spec.shape) == (1, 28, 28):
            rows.append(run_reference(ds, budget, judge, args.data))
            print(f"# {rows[-1]}", flush=True)
    print_table(["family", "budget s", "size", "steps", "img/s", "frechet", "floor", "floor sd", "ratio", "n", "bits/dim",
                 "recognised", "real"],
                [[r["family"], r["budget_s"], r["size"], r["steps"], r["images_per_s"], r["frechet"], r["frechet_floor"],
                  r.get("frechet_floor_sd", "-"),
                  r["frechet_ratio"], r["frechet_n"], r["bits_per_dim"] if r["bits_per_dim"] is not None else "-",
                  _or_dash(r.get("recognised")), _or_dash(r.get("recognised_real"))]
                 for r in rows])
    reached = time_to_reference(rows)
    for r in reached:
        print(f"# {r['family']} ({r['budget_s']:.0f} s run) reaches {r['reference']} at {r['reference_budget_s']:.0f} s "
              f"(ratio {r['reference_ratio']:.1f}): "
              + ((f"after {'at most ' if r.get('at_most') else ''}{r['seconds_to_reach']:.0f} s, "
                  f"{'at most ' if r.get('at_most') else ''}{r['time_ratio']:.2f}x its time")
                 if r["seconds_to_reach"] is not None else "not within the run"))
    emit_json({"benchmark": "images", "data": args.data, "threads": threads, "clock": "thread CPU time",
               "machine": "shared with other jobs (wall time longer than CPU budget)", "runs": rows,
               "time_to_reference": reached},
              f"images_{tag(args.data)}_{args.budgets.replace(',', '-')}s_{args.families.replace(',', '-')}"
              + (f"-{args.label}" if args.label else ""))


if __name__ == "__main__":
    main()
