"""Text: character-level models on the built-in names, for a fixed CPU budget.

Each model trains with the window's first-run preset for its family on text
(``resources/presets/<family>-text.json``) plus the row's own settings, on ONE torch thread, for a
budget of *thread CPU time* (so other work on a shared machine does not shorten a run). Then, on the
1000 held-out names:

- test NLL in nats per character (characters and the end token, as makemore counts them) and per name;
- the share of 1000 sampled names (temperature 1) that are not in the training set, and that are
  not empty;
- samples per second (1000 names drawn in one batch, after training).

The sequence VAE's figure is its importance-weighted bound (64 samples), an upper bound on its NLL.

Anchor: makemore's Transformer (about 200K parameters) reports a test loss of about 1.92 nats per
character after long training; its bigram about 2.45.

Results go to bench/results/text.json; the last line printed is the same JSON.

    python bench/text.py [--budget 60] [--models transformer,gru] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import time

from common import emit_json, print_table

import torch

from engine.config import RunConfig
from engine.data.text import decode_tokens, known_lines
from engine.evaluate import evaluate_nll
from engine.resources import resource_path
from engine.training.loop import Controls, Trainer, UNLIMITED_STEPS

# name -> (family, settings over the family's text preset)
MODELS = {
    "transformer": ("ar", []),
    "gru": ("ar", ["model.network=gru"]),
    "transformer-small": ("ar", ["model.width=32", "model.layers=2"]),
    "vae": ("vae", []),
}
N_SAMPLES = 1000


def preset_overrides(family: str) -> list[str]:
    path = resource_path("presets", f"{family}-text.json")
    if not path.is_file():
        return []
    preset = json.loads(path.read_text(encoding="utf-8"))
    return [f"{section}.{name}={json.dumps(value)}" for section in ("model", "train")
            for name, value in preset.get(section, {}).items()
            if not (section == "train" and name in ("steps", "sample_every", "time_limit"))]


def train_for(family: str, budget: float, seed: int, overrides: list[str]) -> Trainer:
    cfg = RunConfig(family=family)
    cfg.data.name = "names"
    cfg.train.seed = seed
    cfg.train.threads = 1
    cfg.train.sample_every = 10_000_000
    cfg.train.steps = UNLIMITED_STEPS
    cfg.train.time_limit = budget
    cfg = cfg.with_overrides(preset_overrides(family) + overrides)
    trainer = Trainer(cfg, None)
    trainer.clock = time.thread_time
    for ev in trainer.events(Controls(interactive=False)):
        if type(ev).__name__ == "TrainingFinished":
            break
    return trainer


def row(name: str, budget: float, seed: int) -> dict:
    family, overrides = MODELS[name]
    trainer = train_for(family, budget, seed, overrides)
    model, ds = trainer.model, trainer.dataset
    gen = torch.Generator().manual_seed(seed + 7)
    m = evaluate_nll(model, ds.x_test, None, len(ds.x_test), gen)
    t0 = time.perf_counter()
    x = model.sample(N_SAMPLES, generator=gen, temperature=1.0, top_k=0)
    seconds = time.perf_counter() - t0
    lines = decode_tokens(x, ds.spec.vocab)
    known = known_lines(ds)
    return {"model": name, "family": family, "params": sum(p.numel() for p in model.parameters()),
            "steps": trainer.step, "cpu_s": round(trainer.elapsed, 1),
            "nats_per_char": m["nats_per_char"], "nats_per_name": m["test_nll_nats"],
            "novel_share": sum(s not in known for s in lines) / len(lines),
            "empty_share": sum(not s for s in lines) / len(lines),
            "samples_per_s": N_SAMPLES / seconds, "examples": lines[:8]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=60.0, help="CPU seconds of training per model")
    ap.add_argument("--models", default="transformer,gru,vae", help="comma-separated: " + ", ".join(MODELS))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    rows = [row(name.strip(), args.budget, args.seed) for name in args.models.split(",") if name.strip()]
    print_table(["model", "params", "steps", "cpu s", "nats/char", "nats/name", "novel", "samples/s"],
                [[r["model"], r["params"], r["steps"], r["cpu_s"], r["nats_per_char"], r["nats_per_name"],
                  r["novel_share"], round(r["samples_per_s"])] for r in rows])
    for r in rows:
        print(f"{r['model']}: " + ", ".join(r["examples"]))
    emit_json({"benchmark": "text", "data": "names", "budget_cpu_s": args.budget, "threads": 1,
               "anchor_makemore_transformer_nats_per_char": 1.92, "rows": rows}, name=f"text_{int(args.budget)}s")


if __name__ == "__main__":
    main()
