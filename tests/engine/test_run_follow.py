"""RunFollower: reading a run folder while it is being written, as the window does for a run trained
elsewhere (a torchrun job, another ``genlab train``)."""

from __future__ import annotations

import json
import os

import torch

from engine.events import CheckpointSaved, SamplesReady, StepCompleted, TrainingFinished
from engine.runs.follow import RunFollower
from engine.runs.workspace import read_curves
from engine.training.loop import Controls, Trainer
from tests.engine.runs_helpers import tiny_config


def test_follower_sees_a_run_grow_and_finish(tmp_path):
    run = tmp_path / "run"
    cfg = tiny_config("vae", steps=60, log_every=10, checkpoint_every=20, checkpoint_seconds=0.0,
                      sample_every=20, sample_budget=1.0, keep_checkpoints=10)
    trainer = Trainer(cfg, run)
    follower = RunFollower(run)
    polls, saved, drawn, states = [], [], 0, set()
    for ev in trainer.events(Controls(interactive=False)):
        if isinstance(ev, CheckpointSaved):
            saved.append(ev.step)
        if isinstance(ev, SamplesReady) and ev.path:
            drawn += 1
        if isinstance(ev, (StepCompleted, CheckpointSaved, SamplesReady, TrainingFinished)):
            update = follower.poll()
            polls.append(update)
            states.add(update.state)
    last = follower.poll()
    polls.append(last)

    train_steps = [r["step"] for u in polls for r in u.records if r.get("event") == "train"]
    assert train_steps == [10, 20, 30, 40, 50, 60]            # each record once, in order
    assert sum(1 for u in polls if u.records) >= 6             # they came as the run wrote them
    assert not any(u.reset for u in polls)
    assert follower.curves == read_curves(run)
    assert [s for u in polls for s in u.checkpoints] == saved == follower.checkpoints == [20, 40, 60]
    assert len([p for u in polls for p in u.samples]) == drawn >= 3
    assert "running" in states and last.state == "finished" and not follower.live
    assert not last.changed and not follower.poll().changed   # nothing new: nothing reported

    snap = follower.latest_snapshot()
    assert snap.step == 60
    x = snap.build_model().sample(4, generator=torch.Generator().manual_seed(0))
    assert x.shape == (4, 2) and torch.isfinite(x).all()


def test_follower_sees_a_text_runs_sample_lists(tmp_path):
    """A text run writes its samples as step_<n>.txt: followed from elsewhere they appear like pictures."""
    run = tmp_path / "run"
    cfg = tiny_config("ar", data="names", steps=30, log_every=10, sample_every=10, sample_budget=1.0)
    follower = RunFollower(run)
    found = []
    for ev in Trainer(cfg, run).events(Controls(interactive=False)):
        if isinstance(ev, SamplesReady):
            found += follower.poll().samples
    found += follower.poll().samples
    assert found and all(p.suffix == ".txt" for p in found)
    assert sorted(p.name for p in found) == sorted(p.name for p in (run / "samples").iterdir())


def _rec(event, step, **kw):
    return json.dumps({"event": event, "step": step, **kw}) + "\n"


def test_partial_lines_wait_and_history_cuts_and_replaced_files_reset(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    metrics = run / "metrics.jsonl"
    follower = RunFollower(run, read_limit=1024)
    assert follower.poll().records == [] and follower.poll().state == "unknown"

    line = _rec("train", 20, loss=2.0)
    metrics.write_text(_rec("train", 10, loss=3.0) + line[:11])   # the writer is mid-line
    u = follower.poll()
    assert [r["step"] for r in u.records] == [10] and not u.reset
    with open(metrics, "a") as fh:
        fh.write(line[11:] + '{"event": "tr\n' + _rec("train", 30, loss=1.0))  # a torn line is skipped
    u = follower.poll()
    assert [r["step"] for r in u.records] == [20, 30] and not u.reset

    with open(metrics, "a") as fh:  # resumed from the checkpoint at step 20: step 30 never happened
        fh.write(_rec("resumed", 20) + _rec("train", 30, loss=1.5))
    u = follower.poll()
    assert u.reset and [(r["event"], r["step"]) for r in follower.curves] == [
        ("train", 10), ("train", 20), ("resumed", 20), ("train", 30)]
    assert follower.curves == read_curves(run)

    with open(metrics, "a") as fh:  # killed and resumed without a record: a step that goes back
        fh.write(_rec("train", 20, loss=9.0))
    assert follower.poll().reset and follower.curves == read_curves(run)

    tmp = run / "metrics.tmp"
    tmp.write_text(_rec("train", 5, loss=4.0))
    os.replace(tmp, metrics)                                        # a new file: read from its start
    u = follower.poll()
    assert u.reset and [r["step"] for r in u.records] == [5] and follower.curves == read_curves(run)

    big = "".join(_rec("train", s, loss=1.0, pad="x" * 200) for s in range(1, 101))
    metrics.write_text(big)                                         # larger than one poll reads
    updates = [follower.poll()]
    while updates[-1].more:
        updates.append(follower.poll())
    assert len(updates) > 1 and follower.curves == read_curves(run)
    assert [r["step"] for r in follower.curves] == list(range(1, 101))
