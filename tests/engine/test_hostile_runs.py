"""Hostile run folders (issue 18, kinds 1-3): special files, JSON nested or numbered beyond reason, and
status files of the wrong types. Each is built here; the CLI refuses it with exit status 2 and a message
naming the file, within the memory and time bounds of ``hostile_helpers``, or lists the run as damaged;
a damaged run never hides the good one beside it, and nothing outside the run folder is touched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.runs.workspace import list_runs
from tests.engine.hostile_helpers import copy_run, make_special, newest, run_cli
from tests.engine.runs_helpers import tiny_config, train

DEEP = "[" * 100_000 + "]" * 100_000
HUGE_INT = "9" * 5000


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    run = tmp_path_factory.mktemp("hostile-runs") / "good"
    train(tiny_config("vae", steps=12, checkpoint_every=6, sample_every=6), run)
    return run


@pytest.fixture
def workspace(tmp_path, good):
    """A workspace holding the good run and a copy to spoil; (workspace, the copy)."""
    ws = tmp_path / "ws"
    copy_run(good, ws / "other")
    return ws, copy_run(good, ws / "bad")


def rows_by_name(ws: Path, cli_json: str) -> dict:
    rows = [json.loads(line) for line in cli_json.splitlines() if line.strip()]
    return {r["name"]: r for r in rows}


def snapshot_outside(ws: Path) -> dict:
    return {p: p.stat().st_mtime_ns for p in ws.parent.iterdir()}


# ---- 1. special files ------------------------------------------------------------------------------------
SPECIAL_TARGETS = ["status.json", "config.json", "metrics.jsonl", "env.json", "sidecar", "tensors", "sample"]


def target(run: Path, what: str) -> Path:
    if what == "sidecar":
        return newest(run / "checkpoints", "ckpt_*.json")
    if what == "tensors":
        return newest(run / "checkpoints", "ckpt_*.safetensors")
    if what == "sample":
        return newest(run / "samples", "step_*.png")
    return run / what


@pytest.mark.parametrize("kind", ["zero", "fifo"])
@pytest.mark.parametrize("what", SPECIAL_TARGETS)
def test_special_files_are_refused_in_process(workspace, kind, what, tmp_path):
    """Every reader, in process (a hang fails by pytest-timeout): listing, opening, loading, exporting."""
    from engine.errors import GenLabError
    from engine.runs.export import export_csv, export_png
    from engine.runs.load import load_run_model
    from engine.runs.workspace import open_run
    ws, bad = workspace
    make_special(target(bad, what), kind)
    rows = {r.name: r for r in list_runs(ws)}
    assert set(rows) == {"bad", "other"} and rows["other"].state == "finished"
    if what in ("status.json", "config.json"):
        assert rows["bad"].state == "damaged" and what in rows["bad"].message
        assert "not a regular file" in rows["bad"].message
    for call in (lambda: open_run(bad).snapshot(), lambda: load_run_model(bad),
                 lambda: export_png(bad, tmp_path / "x.png"), lambda: export_csv(bad, tmp_path / "x.csv")):
        try:
            call()
        except GenLabError as e:
            assert str(e).strip()


@pytest.mark.parametrize("what,kind", [("status.json", "zero"), ("config.json", "fifo"), ("metrics.jsonl", "zero")])
def test_genlab_runs_lists_every_run_in_bounded_time_and_memory(workspace, what, kind):
    ws, bad = workspace
    make_special(target(bad, what), kind)
    before = snapshot_outside(ws)
    r = run_cli(["runs", "--workspace", str(ws), "--json"])
    assert r.rc == 0, r.stderr
    r.check_bounds()
    rows = rows_by_name(ws, r.stdout)
    assert set(rows) == {"bad", "other"}
    if what != "metrics.jsonl":
        assert rows["bad"]["state"] == "damaged" and what in rows["bad"]["message"]
    assert snapshot_outside(ws) == before


@pytest.mark.parametrize("what,kind", [("tensors", "fifo"), ("sidecar", "zero"), ("config.json", "zero")])
def test_eval_and_sample_refuse_special_files_with_exit_2(workspace, what, kind, tmp_path):
    ws, bad = workspace
    for ckpt in sorted((bad / "checkpoints").glob("ckpt_*"))[:-2]:   # only the newest checkpoint is left
        ckpt.unlink()
    make_special(target(bad, what), kind)
    r = run_cli(["eval", "--run", str(bad), "--json", "--limit", "50"])
    r.check_refused(str(bad))
    r = run_cli(["sample", "--run", str(bad), "-n", "4", "-o", str(tmp_path / "s.npy")])
    r.check_refused(str(bad))
    assert not (tmp_path / "s.npy").exists()


def test_a_special_newest_checkpoint_falls_back_to_the_older_one(workspace):
    from engine.runs.load import load_run_model
    ws, bad = workspace
    steps = sorted(int(p.stem[5:]) for p in (bad / "checkpoints").glob("ckpt_*.json"))
    make_special(target(bad, "tensors"), "fifo")
    _, _, ckpt = load_run_model(bad)
    assert ckpt.step == steps[-2]


# ---- 2. JSON depth and numbers ---------------------------------------------------------------------------
def _spoil_json(path: Path, how: str) -> None:
    if how == "deep":
        path.write_text(DEEP)
    else:  # a number of thousands of digits where a number belongs
        d = json.loads(path.read_text())
        if path.name == "config.json":
            d["train"]["steps"] = "@"
        else:
            d["step"] = "@"
        path.write_text(json.dumps(d).replace('"@"', HUGE_INT))


@pytest.mark.parametrize("how", ["deep", "digits"])
@pytest.mark.parametrize("what", ["config.json", "status.json", "sidecar"])
def test_deep_json_and_huge_numbers_are_refused_and_listed_as_damaged(workspace, how, what):
    from engine.runs.load import load_run_model
    from engine.errors import GenLabError
    ws, bad = workspace
    path = target(bad, what)
    _spoil_json(path, how)
    rows = {r.name: r for r in list_runs(ws)}
    assert set(rows) == {"bad", "other"}
    if what != "sidecar":
        assert rows["bad"].state == "damaged"
        assert path.name in rows["bad"].message
        assert ("nested too deeply" if how == "deep" else "digits") in rows["bad"].message
    if what == "config.json":
        with pytest.raises(GenLabError, match="config.json"):
            load_run_model(bad)
    elif what == "sidecar":   # the older checkpoint is used
        assert load_run_model(bad)[2].step < int(path.stem[5:])


def test_a_deep_metrics_line_and_a_huge_number_in_one_are_skipped(workspace):
    from engine.runs.workspace import read_curves
    ws, bad = workspace
    with open(bad / "metrics.jsonl", "a") as fh:
        fh.write(DEEP + "\n")
        fh.write('{"event": "train", "step": ' + HUGE_INT + ', "loss": 1}\n')
        fh.write('{"event": "train", "step": 13, "loss": ' + HUGE_INT + '}\n')
    curves = read_curves(bad)
    assert curves and max(r["step"] for r in curves) <= 13
    r = run_cli(["export", "--run", str(bad), "--what", "csv", "-o", str(bad / "m.csv")])
    assert r.rc == 0, r.stderr
    r.check_bounds()


@pytest.mark.parametrize("how", ["deep", "digits"])
def test_the_cli_refuses_a_hostile_config_json_with_exit_2(tmp_path, how):
    cfg = tmp_path / "config.json"
    cfg.write_text(tiny_config("vae").to_json())
    _spoil_json(cfg, how)
    r = run_cli(["train", "--config", str(cfg), "--out", str(tmp_path / "r"), "--steps", "1"])
    r.check_refused(str(cfg))
    assert not (tmp_path / "r").exists()


# ---- 3. wrong types in status.json ----------------------------------------------------------------------------
WRONG_TYPES = [("step", "many"), ("state", 7), ("kind", 3), ("updated_at", 12345), ("created_at", [1]),
               ("best", "x"), ("last", {"loss": "low"}), ("pid", -1), ("lock", "yes"), ("best", {"step": "s"})]


@pytest.mark.parametrize("field,value", WRONG_TYPES)
def test_wrong_types_in_status_list_the_run_as_damaged_with_the_reason(workspace, field, value):
    ws, bad = workspace
    path = bad / "status.json"
    d = json.loads(path.read_text())
    d[field] = value
    path.write_text(json.dumps(d))
    rows = {r.name: r for r in list_runs(ws)}
    assert set(rows) == {"bad", "other"} and rows["other"].state == "finished"
    assert rows["bad"].state == "damaged" and f"'{field}" in rows["bad"].message
    assert rows["bad"].family == "vae"          # what could be read is still shown


def test_genlab_runs_shows_a_damaged_run_beside_the_others(workspace):
    ws, bad = workspace
    d = json.loads((bad / "status.json").read_text())
    d.update(step="many", updated_at=12345)
    (bad / "status.json").write_text(json.dumps(d))
    r = run_cli(["runs", "--workspace", str(ws)])
    assert r.rc == 0, r.stderr
    r.check_bounds()
    lines = {line.split()[0]: line for line in r.stdout.splitlines()[1:]}
    assert set(lines) == {"bad", "other"} and "damaged" in lines["bad"] and "finished" in lines["other"]
    assert "status.json" in r.stderr and "updated_at" in r.stderr     # the reason is printed too
