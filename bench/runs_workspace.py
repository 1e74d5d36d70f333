"""How fast the runs list is: ``list_runs`` over 100 run folders whose metrics files are long.

Each run is a copy of one real tiny run whose ``metrics.jsonl`` is padded to ``--metrics-lines``
records (a long run's history), so a lister that read metrics files would show it. Measured: the list
with ``status.json`` (the normal case), and without it (runs from before status files, read from the
tail of ``metrics.jsonl``), the median of ``--repeats`` listings each.

    python bench/runs_workspace.py [--runs 100] [--metrics-lines 20000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import emit_json, print_table  # noqa: E402


def make_workspace(root: Path, runs: int, lines: int) -> int:
    from engine.config import RunConfig
    from engine.training.loop import Trainer
    cfg = RunConfig(family="vae")
    cfg.data.n_train, cfg.data.n_test = 2000, 500
    cfg.train.steps, cfg.train.batch_size, cfg.train.threads, cfg.train.eval_limit = 20, 64, 1, 100
    template = root / "template"
    for _ in Trainer(cfg, template).events():
        pass
    record = {"event": "train", "step": 0, "time": 0.0, "loss": 1.2345678, "recon": 1.0, "kl": 0.2345678}
    padding = "".join(json.dumps({**record, "step": i}) + "\n" for i in range(lines))
    with open(template / "metrics.jsonl", "a", encoding="utf-8") as fh:
        fh.write(padding)
    ws = root / "ws"
    ws.mkdir()
    for i in range(runs):
        shutil.copytree(template, ws / f"run-{i:03d}")
    return (template / "metrics.jsonl").stat().st_size


def time_listing(ws: Path, repeats: int) -> tuple[float, int]:
    from engine.runs.workspace import list_runs
    times, count = [], 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        count = len(list_runs(ws))
        times.append(time.perf_counter() - t0)
    return statistics.median(times), count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--metrics-lines", type=int, default=20000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="genlab-bench-runs-") as tmp:
        root = Path(tmp)
        metrics_bytes = make_workspace(root, args.runs, args.metrics_lines)
        ws = root / "ws"
        with_status, n1 = time_listing(ws, args.repeats)
        for run in ws.iterdir():
            (run / "status.json").unlink()
        legacy, n2 = time_listing(ws, args.repeats)
    rows = [["with status.json", n1, with_status * 1000, with_status * 1000 / max(1, n1)],
            ["from metrics tail", n2, legacy * 1000, legacy * 1000 / max(1, n2)]]
    print(f"{args.runs} runs, metrics.jsonl of {metrics_bytes / 1e6:.1f} MB each, median of {args.repeats}")
    print_table(["listing", "runs", "total ms", "ms per run"], rows)
    emit_json({"bench": "runs_workspace", "runs": args.runs, "metrics_mb_per_run": round(metrics_bytes / 1e6, 2),
               "list_ms_with_status": round(with_status * 1000, 2), "list_ms_legacy": round(legacy * 1000, 2)},
              name="runs_workspace")


if __name__ == "__main__":
    main()
