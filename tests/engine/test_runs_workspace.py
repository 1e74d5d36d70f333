"""The workspace list (states, metrics, parents), curves across resumes, forks, and "Copy as command"."""

import dataclasses
import json

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cli.train_line import config_from_command
from engine.config import RunConfig, TrainConfig
from engine.errors import CheckpointError, ConfigError, TrainingError
from engine.events import TrainingPaused
from engine.knobs import field_info
from engine.runs.command import changed_settings, train_command
from engine.runs.fork import fork_run, parse_fork_spec
from engine.runs.status import RunBusyError
from engine.runs.workspace import delete_run, list_runs, read_curves, summarize_run
from engine.training.runner import Runner
from tests.engine.runs_helpers import steps_of, tiny_config, train


def test_the_list_tells_every_state_apart_with_metrics_and_parent(tmp_path):
    ws = tmp_path / "ws"
    train(tiny_config("vae", steps=20, eval_every=10), ws / "finished")
    train(tiny_config("gan", steps=200, log_every=5), ws / "stopped", stop_at=10)
    failing = tiny_config("vae", steps=30, log_every=5)
    from engine.training.loop import Trainer
    trainer = Trainer(failing, ws / "failed")
    with torch.no_grad():
        next(trainer.model.parameters()).fill_(float("nan"))
    with pytest.raises(TrainingError):
        list(trainer.events())
    fork_run(ws / "finished", ws / "forked", more_steps=5)
    runner = Runner(tiny_config("vae", steps=1000), ws / "running")
    runner.start(paused=True)
    try:
        deadline = 0
        while not any(isinstance(e, TrainingPaused) for e in runner.poll()) and deadline < 3000:
            deadline += 1
            import time
            time.sleep(0.01)
        rows = {r.name: r for r in list_runs(ws)}
        with pytest.raises(RunBusyError):         # nobody else may train or delete a run being trained
            Trainer(tiny_config("vae", steps=1000), ws / "running", resume=True)
        with pytest.raises(RunBusyError):
            delete_run(ws / "running")
    finally:
        runner.stop_and_join()
    assert {n: r.state for n, r in rows.items()} == {"finished": "finished", "stopped": "stopped",
                                                     "failed": "failed", "forked": "stopped", "running": "paused"}
    fin = rows["finished"]
    assert (fin.family, fin.data, fin.kind, fin.step, fin.total_steps, fin.checkpoint_step) == \
        ("vae", "moons", "points", 20, 20, 20)
    assert fin.best_nll is not None and fin.nll_kind == "bound" and fin.best_step in (10, 20)
    assert fin.last_loss is not None and fin.started_at and fin.updated_at
    assert rows["stopped"].step == 10 and rows["stopped"].family == "gan" and rows["stopped"].best_nll is None
    assert "non-finite" in rows["failed"].message
    assert rows["forked"].parent == str((ws / "finished").resolve()) and rows["forked"].checkpoint_step == 20
    assert summarize_run(ws / "running").state == "stopped"   # the runner has ended
    delete_run(ws / "running")
    assert not (ws / "running").exists()
    with pytest.raises(CheckpointError, match="not a GenLab run folder"):
        delete_run(tmp_path)


def test_a_run_without_status_file_is_read_from_its_metrics_tail(tmp_path):
    train(tiny_config("vae", steps=20, eval_every=10), tmp_path / "old")
    (tmp_path / "old" / "status.json").unlink()
    (tmp_path / "old" / "train.lock").unlink()
    row = summarize_run(tmp_path / "old")
    assert row.state == "finished" and row.step == 20 and row.best_nll is not None and row.last_loss is not None


def test_curves_keep_one_history_across_resume_and_rollback(tmp_path):
    run = tmp_path / "run"
    train(tiny_config("vae", steps=40, log_every=5, checkpoint_every=10), run, stop_at=25)
    # the stop saved step 25; pretend the process had been killed after logging step 30 too
    with open(run / "metrics.jsonl", "a") as fh:
        fh.write(json.dumps({"event": "train", "step": 30, "time": 1.0, "loss": 99.0}) + "\n")
    train(tiny_config("vae", steps=40, log_every=5, checkpoint_every=10), run, resume=True)
    curves = read_curves(run)
    steps = [r["step"] for r in curves if r["event"] == "train"]
    assert steps == [5, 10, 15, 20, 25, 30, 35, 40]
    assert all(r["loss"] != 99.0 for r in curves if r["event"] == "train")


def test_a_fork_without_changes_continues_exactly_as_its_parent(tmp_path):
    parent = tmp_path / "parent"
    cfg = tiny_config("gan", steps=30, log_every=1, checkpoint_every=15, keep_checkpoints=5)
    _, events = train(cfg, parent)
    assert parse_fork_spec(f"{parent}:15") == (parent, 15)
    forked = fork_run(parent, tmp_path / "fork", step=15)
    assert forked.parent == str(parent.resolve())
    _, fork_events = train(forked, tmp_path / "fork", resume=True)
    assert [e.losses for e in steps_of(fork_events)] == [e.losses for e in steps_of(events)[15:]]
    curves = read_curves(tmp_path / "fork")
    assert [r["step"] for r in curves if r["event"] == "train"] == list(range(1, 31))
    raw = json.loads((tmp_path / "fork" / "config.json").read_text())
    assert raw["resolved"]["forked_from"]["step"] == 15


def test_a_fork_may_change_training_and_shape_keeping_settings_only(tmp_path):
    parent = tmp_path / "parent"
    train(tiny_config("vae", steps=10, lr_schedule="constant"), parent)
    cfg = fork_run(parent, tmp_path / "a", overrides=["train.lr=0.0001", "model.beta=0.25"], more_steps=3)
    trainer, _ = train(cfg, tmp_path / "a", resume=True)
    assert trainer.step == 13 and trainer.model.cfg.beta == 0.25
    assert [g["lr"] for g in trainer.model.optimizers["main"].param_groups] == [0.0001]
    with pytest.raises(ConfigError, match="model.hidden"):
        fork_run(parent, tmp_path / "b", overrides=["model.hidden=16"])
    with pytest.raises(ConfigError, match="data.name"):
        fork_run(parent, tmp_path / "c", overrides=["data.name=circles"])
    assert not (tmp_path / "b").exists() and not (tmp_path / "c").exists()


def test_fork_from_the_command_line(tmp_path):
    from engine.cli.main import main
    parent = tmp_path / "parent"
    train(tiny_config("vae", steps=20, checkpoint_every=10, keep_checkpoints=5), parent)
    assert main(["train", "--fork", f"{parent}:10", "--out", str(tmp_path / "f"), "--steps", "4",
                 "--set", "train.lr=0.0002", "--quiet"]) == 0
    row = summarize_run(tmp_path / "f")
    assert row.state == "finished" and row.step == 14 and row.parent == str(parent.resolve())
    assert main(["train", "--fork", f"{parent}:7", "--out", str(tmp_path / "g")]) == 2  # no such step


# ---- copy as command -----------------------------------------------------------------------------------
def round_trip(cfg: RunConfig) -> RunConfig:
    return config_from_command(train_command(cfg, "runs/x"))


def same(a: RunConfig, b: RunConfig) -> bool:
    da, db = a.to_dict(), b.to_dict()
    da["parent"] = db["parent"] = None
    return json.dumps(da) == json.dumps(db)


def test_copy_as_command_lists_only_changes_and_round_trips():
    cfg = RunConfig(family="gan")
    assert train_command(cfg, "runs/x") == "genlab train --model gan --data moons --out runs/x"
    cfg.data.name = "/data/my points.npy"
    cfg.train.lr = 2.5e-4
    cfg.train.device = "cpu"
    cfg.model.loss = "hinge"
    cfg.data.mirrors = ("https://example.org/{dataset}/",)
    line = train_command(cfg, "runs/my run")
    assert "'/data/my points.npy'" in line and "'runs/my run'" in line and "--set train.lr=0.00025" in line
    assert "model.loss=hinge" in line and "train.steps" not in line
    assert [k for k, _ in changed_settings(cfg)] == ["data.name", "data.mirrors", "model.loss", "train.lr",
                                                     "train.device"]
    assert same(round_trip(cfg), cfg)
    drawn = RunConfig(family="flow")
    drawn.data.name, drawn.data.points = "drawn", ((0.5, -1.25), (2.0, 3.0))
    assert same(round_trip(drawn), drawn)
    tricky = RunConfig(family="vae")
    tricky.data.name = "123"            # a name that JSON would read as a number
    assert same(round_trip(tricky), tricky)


def _knob_values(cls):
    out = {}
    for info in field_info(cls):
        if info["choices"]:
            out[info["name"]] = st.sampled_from(info["choices"])
        elif info["type"] is bool:
            out[info["name"]] = st.booleans()
        elif info["type"] is int:
            lo = info["min"] if info["min"] is not None else 0
            out[info["name"]] = st.integers(lo, info["max"] if info["max"] is not None else lo + 10**6)
        elif info["type"] is float:
            lo = info["min"] if info["min"] is not None else -1e6
            out[info["name"]] = st.floats(lo, info["max"] if info["max"] is not None else 1e6, allow_nan=False,
                                          allow_infinity=False)
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_copy_as_command_round_trips_random_configs(data):
    from engine.models.registry import available_families, config_class
    family = data.draw(st.sampled_from(available_families()))
    cfg = RunConfig(family=family)
    for section, cls in (("train", TrainConfig), ("model", config_class(family))):
        knobs = _knob_values(cls)
        names = data.draw(st.lists(st.sampled_from(sorted(knobs)), max_size=4, unique=True))
        values = {n: data.draw(knobs[n]) for n in names}
        try:
            setattr(cfg, section, dataclasses.replace(getattr(cfg, section), **values))
            RunConfig.from_dict(cfg.to_dict())
        except ConfigError:
            return  # a combination the schema refuses (e.g. heads not dividing width) has no command
    assert same(round_trip(cfg), cfg)
