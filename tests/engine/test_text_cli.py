"""Text on the command line: train on names, eval's nats per character, sample to .txt, completion of a
prefix, data export, and families that cannot model text exiting 2 with one line."""

import json

import pytest

from tests.engine.test_cli import genlab, genlab_here


@pytest.fixture(scope="module")
def names_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("text") / "run"
    r = genlab("train", "--data", "names", "--model", "ar", "--steps", "40", "--out", out, "--quiet",
               "--set", "train.threads=1", "--set", "model.width=32", "--set", "model.layers=1",
               "--set", "train.eval_limit=200")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["nats_per_char"] > 0
    return out


def test_eval_json_reports_nats_per_char(names_run, capsys):
    r = genlab_here(capsys, "eval", "--run", names_run, "--json", "--limit", "300")
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)
    assert m["n_test"] == 300 and 0 < m["nats_per_char"] < m["test_nll_nats"]
    # per character x mean characters per line (names: about 6.1 letters + the end token) = per line
    assert 5.0 < m["test_nll_nats"] / m["nats_per_char"] < 9.0
    plain = genlab_here(capsys, "eval", "--run", names_run)
    assert "nats/char" in plain.stdout


def test_sample_writes_one_line_each_to_txt(names_run, capsys, tmp_path):
    out = tmp_path / "names.txt"
    r = genlab_here(capsys, "sample", "--run", names_run, "-n", "50", "-o", out, "--temperature", "0.8")
    assert r.returncode == 0, r.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 50 and all(set(s) <= set("abcdefghijklmnopqrstuvwxyz") and len(s) <= 15 for s in lines)
    assert len(set(lines)) > 10


def test_sample_completes_a_prefix(names_run, capsys, tmp_path):
    out = tmp_path / "jo.txt"
    r = genlab_here(capsys, "sample", "--run", names_run, "-n", "6", "-o", out, "--prefix", "jo", "--top-k", "5")
    assert r.returncode == 0, r.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 6 and all(s.startswith("jo") for s in lines)
    assert "log p =" in r.stderr
    bad = genlab_here(capsys, "sample", "--run", names_run, "-n", "2", "-o", out, "--prefix", "Jo")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "'J'" in bad.stderr
    png = genlab_here(capsys, "sample", "--run", names_run, "-o", tmp_path / "x.png")
    assert png.returncode == 2 and ".txt" in png.stderr


def test_data_exports_text_lines(capsys, tmp_path):
    out = tmp_path / "test.txt"
    r = genlab_here(capsys, "data", "--data", "names", "--split", "test", "-n", "20", "-o", out)
    assert r.returncode == 0, r.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 20 and all(s.isalpha() for s in lines)
    wrong = genlab_here(capsys, "data", "--data", "moons", "-n", "20", "-o", out)
    assert wrong.returncode == 2 and "holds text" in wrong.stderr


def test_a_family_that_cannot_model_text_exits_2_with_one_line(tmp_path):
    from engine.models.registry import families, model_class
    family = next(f for f in families() if model_class(f).data_kind_refusal("text"))
    r = genlab("train", "--data", "names", "--model", family, "--steps", "2", "--out", tmp_path / "r", "--quiet")
    assert r.returncode == 2
    errors = [line for line in r.stderr.splitlines() if line.startswith("genlab: error:")]
    assert len(errors) == 1 and "cannot model text data" in errors[0] and "Traceback" not in r.stderr


def test_compare_and_export_draw_text_runs_and_refuse_onnx_with_a_reason(names_run, capsys, tmp_path):
    from PIL import Image
    r = genlab_here(capsys, "compare", "--run", names_run, "--run", names_run, "-n", "16", "-o", tmp_path / "c.png")
    assert r.returncode == 0, r.stderr
    assert Image.open(tmp_path / "c.png").size[0] > 200
    r = genlab_here(capsys, "export", "--run", names_run, "--what", "png", "-o", tmp_path / "e.png")
    assert r.returncode == 0, r.stderr
    r = genlab_here(capsys, "export", "--run", names_run, "--what", "onnx", "-o", tmp_path / "m.onnx")
    assert r.returncode == 2 and r.stderr.count("genlab: error:") == 1 and "loop" in r.stderr
