"""Sampling options compared on one trained run: the same weights, other samplers, steps or temperatures.

``bench/images.py`` keeps its run folders (with their last checkpoint) under the temporary directory
(``genlab_bench_images/<data>_<family>-<label>_<budget>s``). This loads one, draws ``--n`` samples per
variant with two seeds (the quality figure scatters from draw to draw, the weights do not), scores them
with the same quality judge the benchmark uses (the Fréchet distance in a small classifier's features,
over its real-vs-real floor at the same count) and saves a grid of 64 per variant as
bench/results/resample_<run>_<variant>.png. A variant is a JSON object of sampling options on top of the
model's own display options, for example ``{"sampler": "heun", "steps": 10}`` (diffusion) or
``{"temperature": 0.8}`` (flow).

Prints a table, then one JSON line (also saved as bench/results/resample_<run>.json).

    python bench/resample.py RUN_FOLDER --data ../shared/datasets/mnist \\
        --variant '{}' --variant '{"sampler": "heun", "steps": 10}'
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from common import RESULTS, emit_json, print_table

import torch

from engine.config import DataConfig
from engine.data import load_dataset
from engine.devices import set_torch_threads
from engine.quality import QualityJudge, draw_samples
from engine.render import image_grid, png_bytes, upscale
from engine.runs.load import load_run_model

SEEDS = (100, 101)


def variant_name(options: dict) -> str:
    return "_".join(f"{k}{v}" for k, v in sorted(options.items())) or "own"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run", help="a run folder written by bench/images.py")
    ap.add_argument("--data", required=True, help="the data the run trained on (the judge's training set)")
    ap.add_argument("--variant", action="append", default=[], help="JSON object of sampling options")
    ap.add_argument("--n", type=int, default=256)
    args = ap.parse_args()
    set_torch_threads(1)
    variants = [json.loads(v) for v in (args.variant or ["{}"])]
    ds = load_dataset(DataConfig(name=args.data))
    judge = QualityJudge.for_dataset(ds.x_train, ds.y_train, ds.x_test, ds.spec.num_classes)
    _config, model, ckpt = load_run_model(args.run)
    own = model.display_options()
    run_name = Path(args.run).name
    rows, results = [], []
    for options in variants:
        merged = {**own, **options}
        ratios, recognised, seconds = [], [], 0.0
        for seed in SEEDS:
            t0 = time.perf_counter()
            with torch.no_grad():
                x = draw_samples(model, args.n, torch.Generator().manual_seed(seed), **merged)
            seconds += time.perf_counter() - t0
            score = judge.score(x)
            ratios.append(score["frechet_ratio"])
            recognised.append(score.get("recognised"))
            if seed == SEEDS[0]:
                grid = upscale(image_grid(x[:64], nrow=8), 2)
                (RESULTS / f"resample_{run_name}_{variant_name(options)}.png").write_bytes(png_bytes(grid))
        rows.append([variant_name(options), *[round(r, 3) for r in ratios], recognised[0], round(seconds / len(SEEDS), 1)])
        results.append({"options": merged, "frechet_ratios": ratios, "recognised": recognised,
                        "seconds_per_draw": seconds / len(SEEDS)})
    print_table(["variant", "ratio seed 100", "ratio seed 101", "recognised", f"s per {args.n}"], rows)
    emit_json({"benchmark": "resample", "run": run_name, "step": ckpt.step, "n": args.n, "variants": results},
              f"resample_{run_name}")


if __name__ == "__main__":
    main()
