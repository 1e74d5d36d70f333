"""Steps per second of GenLab's training loop versus a bare PyTorch loop over the same model and batch.

The bare loop calls the model's own ``training_step`` on one fixed batch, nothing else. The GenLab
side is the real ``Trainer`` with its defaults: batch sampling, loss accumulation, logging to
metrics.jsonl, display samples (capped at 10% of the time), checkpoints, a run folder. Both run in
this process with the same torch thread count, alternated over several rounds; the ratio of medians
is reported. Target: >= 0.95.

    python bench/throughput.py [--family vae] [--data moons] [--steps 1500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from common import emit_json, print_table

import torch

from engine.config import RunConfig
from engine.devices import set_torch_threads
from engine.models.base import Batch
from engine.training.loop import Controls, Trainer


def bare_loop(trainer: Trainer, steps: int) -> float:
    model = trainer.model
    batch = trainer.next_batch()
    batch = Batch(batch.x.clone(), None if batch.y is None else batch.y.clone())
    gen = torch.Generator().manual_seed(0)
    for _ in range(20):
        model.training_step(batch, gen)
    t0 = time.perf_counter()
    for _ in range(steps):
        model.training_step(batch, gen)
    return steps / (time.perf_counter() - t0)


def genlab_loop(config: RunConfig, steps: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        config.train.steps = steps + 20
        trainer = Trainer(config, f"{tmp}/run")
        events = trainer.events(Controls(interactive=False))
        t_start = None
        for ev in events:
            if t_start is None and trainer.step >= 20:
                t_start, s0 = time.perf_counter(), trainer.step
            if trainer.step >= steps + 20 and t_start is not None:
                t_end = time.perf_counter()
                events.close()
                break
        return (trainer.step - s0) / (t_end - t_start)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--family", default="vae")
    ap.add_argument("--data", default="moons")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    threads = set_torch_threads(args.threads)

    def config():
        cfg = RunConfig(family=args.family)
        cfg.data.name = args.data
        cfg.train.threads = threads
        return cfg

    probe = Trainer(config(), None)
    bare, ours = [], []
    for _ in range(args.rounds):
        bare.append(bare_loop(probe, args.steps))
        ours.append(genlab_loop(config(), args.steps))
    b, o = statistics.median(bare), statistics.median(ours)
    ratio = o / b
    print(f"throughput: {args.family} on {args.data}, batch {probe.batch_size}, {threads} thread(s), "
          f"{args.steps} steps x {args.rounds} rounds")
    print_table(["loop", "steps/s (median)", "rounds"],
                [["bare PyTorch", b, ", ".join(f"{v:.1f}" for v in bare)],
                 ["GenLab Trainer", o, ", ".join(f"{v:.1f}" for v in ours)],
                 ["ratio", ratio, "target >= 0.95"]])
    emit_json({"family": args.family, "data": args.data, "threads": threads, "bare_steps_per_s": round(b, 2),
               "genlab_steps_per_s": round(o, 2), "ratio": round(ratio, 4)}, name="throughput")


if __name__ == "__main__":
    main()
