"""Share of training time spent drawing the window's live samples, per family, on points and images.

Each family trains with its window preset in the window's (interactive) mode with a sample grid asked
for after every step (``sample_every=1``), so only the loop's time budget for display samples
(``SampleSchedule``, 10 % of wall time) holds the draws back. Over ``--seconds`` of wall time the
bench sums the seconds the loop reports for each draw (``SamplesReady.seconds``, which includes
writing the grid to the run folder) and divides by the loop's elapsed training time. The run's first
grid, drawn before training starts (with one-off warm-up costs), and the final evaluation are not counted. Target: at most 0.10 for every family.

    python bench/sampling_share.py [--families vae,ar] [--data moons,digits] [--seconds 20]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import emit_json, print_table

from engine.config import RunConfig
from engine.data.toys import TOYS
from engine.models.registry import available_families
from engine.training.loop import Controls, Trainer, UNLIMITED_STEPS

from quality import preset_overrides


def share_for(family: str, data: str, seconds: float, folder: Path) -> dict:
    kind = "points" if data in TOYS else "image"
    cfg = RunConfig(family=family)
    cfg.data.name = data
    cfg.train.threads = 1
    cfg.train.steps = UNLIMITED_STEPS
    cfg.train.time_limit = seconds
    cfg = cfg.with_overrides(preset_overrides(family, kind) + ["train.sample_every=1"])
    trainer = Trainer(cfg, folder / f"{family}-{data}")
    controls = Controls(interactive=True)
    drawn, draw_s, stepped = 0, 0.0, False
    for ev in trainer.events(controls):
        name = type(ev).__name__
        if name == "SamplesReady" and stepped:  # the run's first grid comes before training starts
            drawn += 1
            draw_s += ev.seconds
        elif name == "StepCompleted":
            stepped = True
        elif name == "TrainingFinished":
            break
    wall = trainer.elapsed  # the loop's own clock: training and the grids drawn meanwhile, not the evaluation
    return {"family": family, "data": data, "steps": trainer.step, "grids": drawn,
            "draw_s": round(draw_s, 2), "wall_s": round(wall, 2), "share": round(draw_s / wall, 4)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", default=",".join(available_families()))
    ap.add_argument("--data", default="moons,digits")
    ap.add_argument("--seconds", type=float, default=20.0)
    args = ap.parse_args()
    rows, out = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for family in args.families.split(","):
            for data in args.data.split(","):
                r = share_for(family, data, args.seconds, Path(tmp))
                out[f"{family}/{data}"] = r
                rows.append([family, data, r["steps"], r["grids"], r["draw_s"], r["wall_s"], r["share"]])
    print_table(["family", "data", "steps", "grids", "draw s", "wall s", "share"], rows)
    emit_json(out, "sampling_share")


if __name__ == "__main__":
    main()
