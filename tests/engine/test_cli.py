"""The CLI end to end: exit codes, outputs, stdout/stderr discipline.

Training, signals and the final summary go through real subprocesses (``genlab``); commands whose
whole behaviour is argument parsing and one result (help, bad arguments, sample/eval/data on a run
folder) call the same ``main`` in this process (``genlab_here``), which skips a 2.5 s PyTorch import each.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def genlab(*args, timeout=240, **kw):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env=env, **kw)


def genlab_here(capsys, *args):
    """``main.py ARGS`` in this process: what the process would exit with, and its stdout and stderr."""
    from engine.cli.main import main
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)


@pytest.fixture(scope="module")
def moons_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("cli") / "run"
    out = genlab("train", "--data", "moons", "--model", "vae", "--steps", "200", "--out", run,
                 "--set", "train.log_every=20")
    assert out.returncode == 0, out.stderr
    return run, out


def test_train_writes_a_complete_run_folder_and_prints_final_metrics(moons_run):
    run, out = moons_run
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["step"] == 200 and summary["nll_kind"] == "bound"
    assert "it/s" in out.stderr and "ETA" in out.stderr
    for name in ("config.json", "metrics.jsonl", "env.json"):
        assert (run / name).is_file(), name
    assert list((run / "checkpoints").glob("ckpt_*.safetensors"))
    assert list((run / "checkpoints").glob("ckpt_*.json"))
    assert list((run / "samples").glob("step_*.png"))
    env = json.loads((run / "env.json").read_text())
    assert env["threads"] >= 1 and "torch" in env


def test_sample_png_and_npy(moons_run, tmp_path):
    run, _ = moons_run
    out = genlab("sample", "--run", run, "-n", "500", "-o", tmp_path / "s.npy")
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
    arr = np.load(tmp_path / "s.npy")
    assert arr.shape == (500, 2) and np.isfinite(arr).all()
    out = genlab("sample", "--run", run, "-n", "500", "-o", tmp_path / "s.png")
    assert out.returncode == 0
    assert Image.open(tmp_path / "s.png").size[0] > 100


def test_eval_json_is_the_only_thing_on_stdout(moons_run):
    run, _ = moons_run
    out = genlab("eval", "--run", run, "--json", "--limit", "200")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result) == {"family", "data", "step", "test_nll_nats", "nll_kind", "bits_per_dim", "nll_se", "n_test"}
    assert result["family"] == "vae" and result["nll_kind"] == "bound" and result["n_test"] == 200
    assert np.isfinite(result["test_nll_nats"])


def test_digits_end_to_end_and_data_export(tmp_path, capsys):
    run = tmp_path / "digits"
    out = genlab("train", "--data", "digits", "--model", "vae", "--steps", "30", "--out", run, "--quiet")
    assert out.returncode == 0, out.stderr
    out = genlab_here(capsys, "sample", "--run", run, "-n", "16", "-o", tmp_path / "d.npy")
    assert out.returncode == 0
    assert np.load(tmp_path / "d.npy").shape == (16, 1, 8, 8)
    out = genlab_here(capsys, "eval", "--run", run, "--json")
    res = json.loads(out.stdout)
    assert res["bits_per_dim"] is not None and res["bits_per_dim"] > 0
    out = genlab_here(capsys, "data", "--data", "digits", "--split", "test", "-n", "5", "-o", tmp_path / "x.npy")
    assert out.returncode == 0, out.stderr
    x = np.load(tmp_path / "x.npy")
    assert x.shape == (5, 1, 8, 8) and x.min() >= 0 and x.max() <= 1


def test_data_export_matches_training_points(tmp_path, capsys):
    out = genlab_here(capsys, "data", "--data", "moons", "-n", "100", "-o", tmp_path / "m.npy")
    assert out.returncode == 0, out.stderr
    from engine.data.toys import sample_toy
    assert np.array_equal(np.load(tmp_path / "m.npy"), sample_toy("moons", 20000, 0)[:100])


@pytest.mark.parametrize("args,needle", [
    (["train", "--data", "moons", "--model", "rbm", "--out", "x"], "invalid choice"),
    (["train", "--data", "nope", "--model", "vae", "--out", "{tmp}/r"], "not a built-in dataset"),
    (["train", "--data", "moons", "--model", "vae", "--out", "{tmp}/r", "--set", "train.lr=-2"], "train.lr"),
    (["train", "--data", "moons", "--model", "vae"], "--out"),
    (["sample", "--run", "{tmp}/none", "-o", "{tmp}/s.png"], "no such run folder"),
    (["eval"], "--run"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_exit_2_with_one_clear_line(tmp_path, capsys, args, needle):
    out = genlab_here(capsys, *[a.format(tmp=tmp_path) for a in args])
    assert out.returncode == 2, (out.returncode, out.stderr)
    errors = [l for l in out.stderr.strip().splitlines() if "error" in l]
    assert len(errors) == 1, out.stderr  # progress lines may precede it; one error line
    assert needle in errors[0]
    assert "Traceback" not in out.stderr


def test_help_explains_every_command(capsys):
    out = genlab("--help")  # once through a real process
    assert out.returncode == 0
    for cmd in ("train", "sample", "eval", "data"):
        assert cmd in out.stdout
        sub = genlab_here(capsys, cmd, "--help")
        assert sub.returncode == 0 and "usage" in sub.stdout


def test_sigterm_saves_a_checkpoint_and_exits_130(tmp_path):
    run = tmp_path / "run"
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "train", "--data", "moons", "--model", "vae",
                             "--steps", "1000000", "--out", str(run), "--set", "train.checkpoint_every=1000000",
                             "--set", "train.checkpoint_seconds=0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    metrics = run / "metrics.jsonl"
    while time.monotonic() < deadline and not (metrics.exists() and metrics.stat().st_size > 200):
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "--resume" in err
    assert list((run / "checkpoints").glob("ckpt_*.safetensors"))
    resumed = genlab("train", "--resume", run, "--steps", "20", "--quiet")
    assert resumed.returncode == 0, resumed.stderr


SUBCOMMANDS = ("train", "sample", "eval", "data", "export", "compare", "runs", "selftest")


def test_help_answers_without_importing_pytorch(tmp_path):
    """``--help`` of the program and of every command never imports PyTorch: a ``torch`` that raises on
    import comes first on the path, and every help still answers (through ``python -m genlab`` too)."""
    fake = tmp_path / "fake"
    (fake / "torch").mkdir(parents=True)
    (fake / "torch" / "__init__.py").write_text("raise ImportError('torch must not be imported by --help')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(fake), str(ROOT)]), PYTHONIOENCODING="utf-8")
    for args in [("--help",)] + [(sub, "--help") for sub in SUBCOMMANDS]:
        for entry in ([str(ROOT / "main.py")], ["-m", "genlab"]):
            done = subprocess.run([sys.executable, *entry, *args], cwd=tmp_path, env=env, capture_output=True,
                                  text=True, timeout=60)
            assert done.returncode == 0 and "usage: genlab" in done.stdout, (entry, args, done.stderr[-2000:])
            assert "torch must not be imported" not in done.stderr


def test_python_m_genlab_is_the_same_program(capsys):
    done = subprocess.run([sys.executable, "-m", "genlab", "--version"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    from engine import __version__
    assert done.returncode == 0 and done.stdout.strip() == f"GenLab {__version__}"
    bad = subprocess.run([sys.executable, "-m", "genlab", "train", "--model", "nope"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("genlab: error:")


def test_the_name_catalogue_matches_the_loaders():
    from engine.catalogue import BUILTIN_IMAGES, DOWNLOADABLE, POINT_TOYS
    from engine.data.remote import REMOTE_SETS
    from engine.data.toys import TOYS
    assert tuple(TOYS) == POINT_TOYS and tuple(REMOTE_SETS) == DOWNLOADABLE
    from engine.data import load_dataset
    from engine.config import DataConfig
    for name in BUILTIN_IMAGES:
        assert load_dataset(DataConfig(name=name, n_train=20, n_test=10)).spec.kind == "image"
