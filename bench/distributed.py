"""Distributed training under torchrun: speed, and how close N processes stay to one process.

For each family the same global batch G is trained three ways: one plain ``genlab train`` process
(batch G), ``torchrun --nproc_per_node=1`` (batch G: what the per-step collectives cost), and
``torchrun --nproc_per_node=N`` (batch G/N each). Reported per way: training steps per second and
examples per second over the run (rank 0's training clock, which leaves out start-up), and the largest
absolute difference between the final weights and the plain run's (float rounding only: N processes
with batch G/N compute what one process with batch G computes). ``--threads`` CPU threads are shared
by the processes of each way. On a machine with few cores N processes are not faster; the figures to
read there are the cost of the collectives and the equality of the weights.

    python bench/distributed.py [--families gan,diffusion] [--procs 2] [--batch 256] [--steps 300]
        [--device cpu]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, emit_json, print_table

import torch


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def train(run: Path, family: str, batch: int, steps: int, device: str, procs: int | None, threads: int) -> None:
    args = ["train", "--model", family, "--data", "moons", "--steps", str(steps), "--out", str(run), "--quiet",
            "--set", f"train.batch_size={batch}", "--set", f"train.device={device}",
            "--set", f"train.threads={max(1, threads // (procs or 1))}",
            "--set", "train.sample_every=1000000", "--set", "train.eval_limit=200"]
    if procs is None:
        cmd = [sys.executable, str(ROOT / "main.py"), *args]
    else:
        cmd = [sys.executable, "-m", "torch.distributed.run", f"--nproc_per_node={procs}", "--nnodes=1",
               "--master_addr", "127.0.0.1", "--master_port", str(_free_port()), str(ROOT / "main.py"), *args]
    env = dict(os.environ, GLOO_SOCKET_IFNAME=os.environ.get("GLOO_SOCKET_IFNAME", "lo"))
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")


def figures(run: Path, batch_global: int) -> tuple[int, float]:
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines() if line.strip()]
    last = [r for r in records if r.get("event") == "train"][-1]
    return last["step"], last["time"]


def weights(run: Path) -> dict:
    from engine.runs.load import load_run_model
    _, model, _ = load_run_model(run)
    return {k: v.double() for k, v in model.state_dict().items() if v.is_floating_point() and v.numel()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--families", default="gan,diffusion")
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=256, help="global batch")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=max(1, (os.cpu_count() or 2) - 1),
                    help="CPU threads in all, shared by the processes (default: cores - 1)")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="genlab-bench-dist-"))
    rows, out = [], {"procs": a.procs, "global_batch": a.batch, "steps": a.steps, "device": a.device,
                     "threads": a.threads, "cores": os.cpu_count(), "load_average": os.getloadavg()[0],
                     "torch": torch.__version__, "results": []}
    for family in a.families.split(","):
        ways = [("plain, 1 process", None, a.batch), ("torchrun, 1 process", 1, a.batch),
                (f"torchrun, {a.procs} processes", a.procs, a.batch // a.procs)]
        reference = None
        for label, procs, batch in ways:
            run = tmp / f"{family}-{procs or 0}"
            train(run, family, batch, a.steps, a.device, procs, a.threads)
            steps, seconds = figures(run, a.batch)
            w = weights(run)
            if reference is None:
                reference = w
            diff = max(float((w[k] - reference[k]).abs().max()) for k in w)
            rec = {"family": family, "way": label, "batch_per_process": batch, "steps_per_s": steps / seconds,
                   "examples_per_s": steps * a.batch / seconds, "max_weight_diff_vs_plain": diff}
            out["results"].append(rec)
            rows.append([family, label, batch, rec["steps_per_s"], rec["examples_per_s"], diff])
    shutil.rmtree(tmp, ignore_errors=True)
    print_table(["family", "way", "batch/process", "steps/s", "examples/s", "max |w - w_plain|"], rows)
    emit_json(out, "distributed")


if __name__ == "__main__":
    main()
