"""``genlab sample --mcmc METHOD``: a run's samples drawn by MCMC on its density or score instead of its own
sampler (``engine.sampling.mcmc``), with the acceptance rate, the step size, and both sets' energy
distance to the held-out data on one axis."""

from __future__ import annotations

import json
import math

import torch

from engine.errors import GenLabError
from engine.runs.load import load_run_model
from engine.sampling.mcmc import default_step, sample_model, sample_quality

MAX_CHAINS = 100_000
MAX_STEPS = 100_000


def sample_by_mcmc(args, commands) -> int:
    """``commands`` is ``engine.cli.commands`` (its output and data helpers), passed by the caller."""
    if not 1 <= args.n <= MAX_CHAINS:
        raise GenLabError(f"genlab sample --mcmc: -n (chains) must be from 1 to {MAX_CHAINS}, got {args.n}")
    if not 1 <= args.mcmc_steps <= MAX_STEPS:
        raise GenLabError(f"genlab sample --mcmc-steps: must be from 1 to {MAX_STEPS}, got {args.mcmc_steps}")
    if args.step_size is not None and not (math.isfinite(args.step_size) and args.step_size > 0):
        raise GenLabError(f"genlab sample --step-size: must be a number above 0, got {args.step_size}")
    out = commands._check_output(args.output, (".png", ".npy"))
    config, model, ckpt = load_run_model(args.run, commands._resolve(args.device))
    if model.spec.kind != "points":
        raise GenLabError(f"{args.run}: MCMC sampling is for models trained on 2-D points; this one was "
                          "trained on images")
    ds = commands.load_data_with_progress(config.data)
    reference = ds.x_test[:5000]
    step = args.step_size if args.step_size is not None else default_step(args.mcmc, float(reference.std(0).mean()))
    gen = torch.Generator().manual_seed(args.seed)
    chains = sample_model(model, args.mcmc, args.n, args.mcmc_steps, step, gen)
    quality = sample_quality(model, chains, reference.numpy(), gen)
    commands.write_output(out, torch.from_numpy(chains.samples).float(), "points")
    result = {"family": config.family, "data": config.data.name, "step": ckpt.step, "method": chains.method,
              "chains": args.n, "transitions": chains.steps, "step_size": chains.step_size,
              "acceptance": chains.acceptance, "energy_mcmc": quality["mcmc_energy"],
              "energy_own_sampler": quality["own_energy"], "n_reference": quality["n_reference"]}
    if args.json:
        print(json.dumps(result))
    else:
        acc = "-" if chains.acceptance is None else f"{chains.acceptance:.3f}"
        print(f"method          {chains.method} ({chains.steps} transitions, {args.n} chains)")
        print(f"step size       {chains.step_size:.4g}")
        print(f"acceptance      {acc}")
        print("energy distance to held-out data (0: same distribution)")
        print(f"  MCMC          {quality['mcmc_energy']:.4f}")
        print(f"  own sampler   {quality['own_energy']:.4f}")
    commands._err(f"genlab: wrote {args.n} MCMC samples of step {ckpt.step} to {out}")
    return commands.EXIT_OK
