"""The notebook API: ``import genlab`` loads no PyTorch; train, sample, evaluate in three lines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_import_genlab_loads_no_torch():
    code = "import sys, genlab; print('torch' in sys.modules, callable(genlab.train))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=str(ROOT))
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["False", "True"]


def test_three_lines(tmp_path, monkeypatch):
    monkeypatch.setenv("GENLAB_WORKSPACE", str(tmp_path / "ws"))
    import genlab
    run = genlab.train(data="moons", model="vae", steps=30, settings={"train.threads": 1, "model.hidden": 32})
    x = genlab.sample(run, 64)
    m = genlab.evaluate(run, limit=200)
    assert run.path.parent == tmp_path / "ws" and (run.path / "config.json").is_file() and run.step == 30
    assert os.fspath(run) == str(run.path)
    assert isinstance(x, np.ndarray) and x.shape == (64, 2) and x.dtype == np.float32 and np.isfinite(x).all()
    assert m["nll_kind"] == "bound" and np.isfinite(m["test_nll_nats"]) and m["step"] == 30
    again = genlab.sample(run.path, 64)                          # a folder works too, and the seed fixes the draw
    assert np.array_equal(x, again)
    assert genlab.open_run(run.path).config.family == "vae"
    found = {f["detector"] for f in genlab.diagnose(run)["findings"]}
    assert {"memorization", "posterior_collapse"} <= found


def test_images_and_bad_settings(tmp_path):
    import genlab
    run = genlab.train(data="digits", model="gan", steps=5, out=tmp_path / "r",
                       settings={"train.threads": 1, "model.width": 8})
    x = genlab.sample(run, 4)
    assert x.shape == (4, 1, 8, 8) and 0 <= x.min() and x.max() <= 1
    from engine.errors import GenLabError
    with pytest.raises(GenLabError, match="latent_dim"):
        genlab.train(data="moons", model="vae", steps=5, out=tmp_path / "bad", settings={"model.latent_dim": -3})
    with pytest.raises(FileExistsError):
        genlab.train(data="digits", model="gan", steps=5, out=tmp_path / "r")
