"""Calibration of ``genlab diagnose``: each detector on runs made to fail and on healthy runs.

Trains the runs of ``tests/engine/test_diagnose.py`` (tiny models, 2D toys; a few hundred steps each)
with ``--threads`` torch threads, diagnoses each and prints, per run and detector, alarm or not and the
figure the detector judges by, with the time training and diagnosis took. Expected: an alarm exactly
where the run was made to fail (the "made to fail" column), none on the healthy runs.

    python bench/diagnose_calibration.py [--threads 1]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import emit_json, print_table

from engine.runs.diagnose import diagnose_run
from tests.engine.runs_helpers import tiny_config, train
from tests.engine.test_diagnose import RUNS

FAILS = {"vae_huge_beta": "posterior_collapse", "gan_hot_critic": "discriminator_saturation",
         "ar_eight_points": "memorization", "vae_exploding": "gradients", "vae_frozen": "loss_plateau"}
FIGURE = {"memorization": ("coordinates", "share_closer"), "mode_collapse": ("mass_covered",),
          "posterior_collapse": ("active_units",), "discriminator_saturation": ("auc_real_vs_samples",),
          "gradients": None, "loss_plateau": ("progress",)}


def figure(f: dict):
    path = FIGURE.get(f["detector"])
    if path is None:
        return "-"
    v = f["evidence"]
    for key in path:
        v = v.get(key) if isinstance(v, dict) else None
    return v if v is not None else "-"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    rows, out = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (family, data, steps, model, train_set, data_set) in RUNS.items():
            cfg = tiny_config(family, data=data, steps=steps, **train_set)
            cfg.train.threads = args.threads
            for k, v in model.items():
                setattr(cfg.model, k, v)
            for k, v in data_set.items():
                setattr(cfg.data, k, v)
            t0 = time.perf_counter()
            train(cfg, Path(tmp) / name)
            t1 = time.perf_counter()
            result = diagnose_run(Path(tmp) / name)
            t2 = time.perf_counter()
            alarms = [f["detector"] for f in result["findings"] if f["alarm"]]
            out[name] = {"alarms": alarms, "train_s": round(t1 - t0, 2), "diagnose_s": round(t2 - t1, 2)}
            for f in result["findings"]:
                rows.append([name, FAILS.get(name, "healthy"), f["detector"], "ALARM" if f["alarm"] else "ok",
                             figure(f), round(t1 - t0, 1), round(t2 - t1, 1)])
    print_table(["run", "made to fail", "detector", "verdict", "figure", "train s", "diagnose s"], rows)
    wanted = all(FAILS[n] in out[n]["alarms"] for n in FAILS)
    emit_json({"bench": "diagnose_calibration", "threads": args.threads, "failing_runs_caught": wanted, "runs": out})


if __name__ == "__main__":
    main()
