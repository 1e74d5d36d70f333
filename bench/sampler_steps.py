"""Sample quality against sampler steps: DDPM ancestral, DDIM and Heun on the denoising objective, Euler
and Heun on flow matching, each trained the same way on the same 2D data.

Two diffusion-family models are trained on the same toy for the same number of steps (same batch, seed,
learning rate, network and EMA; one thread): ``objective=denoising`` (the family's defaults: v
prediction, log-normal noise levels) and ``objective=flow-matching`` (the straight path; t ~ U(0, 1) by
default, ``--fm-time log-normal`` for the logit-normal draws). Then for every number of sampler steps in
``--steps`` each sampler draws ``--n`` points from the EMA weights, and the quality is the **energy
distance** (``engine.metrics.energy_distance``, the figure bench/quality.py reports for the 2D toys)
between those points and as many held-out points. The estimator is unbiased, so a perfect sampler scores
about 0, sometimes below: the **noise level** beside it is twice the standard deviation of the same
distance for real training points (10 disjoint sets of ``--n``) against the held-out ones. Below that
level a sampler is as good as real data can show at this sample size; the chart draws such points on
the noise line (hollow), the table and JSON keep every raw value.

Network evaluations (NFE) per sample: ddpm, ddim, euler: one per step; heun on flow matching: two per
step; heun on the DDPM chain: 2 steps - 1 (its last step is Euler: the network knows no t = 0).

The chart (NFE on a log2 axis, energy distance on a log axis) goes to
bench/results/sampler_steps.png, the numbers to bench/results/sampler_steps.json; the last line printed
is the same JSON.

    python bench/sampler_steps.py [--data 8gaussians] [--train-steps 2000] [--steps 1,2,4,...,128]
"""

from __future__ import annotations

import argparse
import time

from common import RESULTS, emit_json, print_table

import torch

from engine.config import DataConfig, RunConfig
from engine.data import load_dataset
from engine.data.preprocess import Preprocess
from engine.devices import set_torch_threads
from engine.metrics import energy_distance
from engine.models.base import Batch
from engine.models.registry import build_model, model_class

from line_chart import line_chart

FAMILY = "diffusion"
# (curve, objective, sampler)
CURVES = (("DDPM ancestral", "denoising", "ddpm"), ("DDIM", "denoising", "ddim"),
          ("DDPM-chain Heun", "denoising", "heun"), ("FM Euler", "flow-matching", "euler"),
          ("FM Heun", "flow-matching", "heun"))


def train(ds, pre, objective: str, fm_time: str, train_steps: int, batch: int, lr: float, seed: int):
    cfg = {"objective": objective}
    if objective == "flow-matching":
        cfg["time_sampling"] = fm_time
    model = build_model(FAMILY, ds.spec, model_class(FAMILY).config_class(**cfg), pre.to_dict())
    model.configure_optimizers(lr)
    gen = torch.Generator().manual_seed(seed)
    t0 = time.perf_counter()
    for _ in range(train_steps):
        idx = torch.randint(0, len(ds.x_train), (batch,), generator=gen)
        losses = model.training_step(Batch(ds.x_train[idx]), gen)
    return model, time.perf_counter() - t0, float(losses["loss"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="8gaussians")
    ap.add_argument("--train-steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--steps", default="1,2,4,8,16,32,64,128")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--fm-time", default="uniform", choices=("uniform", "log-normal"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(RESULTS / "sampler_steps.png"))
    args = ap.parse_args()
    set_torch_threads(1)
    step_list = [int(s) for s in args.steps.split(",")]
    ds = load_dataset(DataConfig(name=args.data, n_train=20000, n_test=args.n, seed=args.seed))
    pre = Preprocess.fit(ds.x_train, "standardize")
    lr = RunConfig().train.lr
    models, train_info = {}, {}
    for objective in ("denoising", "flow-matching"):
        models[objective], secs, loss = train(ds, pre, objective, args.fm_time, args.train_steps, args.batch, lr,
                                              args.seed)
        train_info[objective] = {"train_s": round(secs, 1), "last_loss": loss}
    test = ds.x_test[:args.n].numpy()
    real = [energy_distance(ds.x_train[i * args.n:(i + 1) * args.n].numpy(), test)
            for i in range(min(10, len(ds.x_train) // args.n))]
    floor = 2 * float(torch.tensor(real, dtype=torch.float64).std())
    rows, series = [], {}
    for curve, objective, sampler in CURVES:
        series[curve] = []
        for steps in step_list:
            t0 = time.perf_counter()
            x = models[objective].sample(args.n, generator=torch.Generator().manual_seed(args.seed + 1),
                                         sampler=sampler, steps=steps, eta=0.0)
            secs = time.perf_counter() - t0
            ok = torch.isfinite(x).all(1)
            e = energy_distance(x[ok].numpy(), test)
            k = models[objective].sampler_evaluations({"sampler": sampler}, steps)
            series[curve].append((k, e))
            rows.append({"curve": curve, "objective": objective, "sampler": sampler, "steps": steps, "nfe": k,
                         "energy": e, "energy_over_noise": e / floor, "sample_s": round(secs, 3)})
    print_table(["curve", "steps", "NFE", "energy", "/noise", "sample s"],
                [[r["curve"], r["steps"], r["nfe"], r["energy"], r["energy_over_noise"], r["sample_s"]] for r in rows])
    print(f"noise level (2 sd of real vs held-out over {len(real)} sets of {args.n}): {floor:.4g}; "
          f"training: {train_info}")
    first = {c: next((k for k, e in series[c] if e <= floor), None) for c in series}
    print("fewest network evaluations reaching the noise level:", first)
    line_chart(series, args.out,
               title=f"Sample quality vs network evaluations: {args.data}, {args.train_steps} training steps each",
               xlabel="network evaluations per sample", ylabel="energy distance to held-out (lower is better)",
               hlines={"noise level": floor}, floor=floor)
    emit_json({"bench": "sampler_steps", "data": args.data, "train_steps": args.train_steps, "batch": args.batch,
               "lr": lr, "fm_time": args.fm_time, "n": args.n, "noise_level": floor,
               "real_vs_real": real, "first_nfe_at_noise_level": first, "train": train_info,
               "chart": str(args.out), "rows": rows}, "sampler_steps")


if __name__ == "__main__":
    main()
