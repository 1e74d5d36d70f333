"""A trained model exported as a self-describing folder, and shell completion that runs nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from engine.errors import CheckpointError, GenLabError
from engine.models.registry import families
from engine.runs.load import load_run_model
from engine.runs.model_folder import export_model_folder, load_model_folder
from tests.engine.runs_helpers import tiny_config, train

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    path = tmp_path_factory.mktemp("mf") / "run"
    train(tiny_config("vae", data="digits", steps=20, eval_every=20), path)
    return path


def test_folder_holds_weights_config_card_licence(run, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, str(ROOT / "main.py"), "export", "--run", str(run), "--what", "model",
                          "-o", str(tmp_path / "m")], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    out = tmp_path / "m"
    assert sorted(p.name for p in out.iterdir()) == ["LICENSE", "README.md", "config.json", "model.safetensors",
                                                      "samples.png"]
    meta = json.loads((out / "config.json").read_text())
    assert meta["family"] == "vae" and meta["step"] == 20 and meta["figures"]["nll_kind"] == "bound"
    weights = load_file(out / "model.safetensors")
    _, model, _ = load_run_model(run)
    assert set(weights) == set(model.state_dict())                # the weights, nothing of the optimiser
    card = (out / "README.md").read_text()
    for needed in ("digits", "CC BY 4.0", "20 steps", "nats per example", "samples.png", "MIT"):
        assert needed in card
    assert "MIT License" in (out / "LICENSE").read_text()


def test_the_folder_alone_rebuilds_the_model(run, tmp_path):
    export_model_folder(run, tmp_path / "m")
    again = load_model_folder(tmp_path / "m")
    _, model, _ = load_run_model(run)
    a = again.sample(8, generator=torch.Generator().manual_seed(3))
    b = model.sample(8, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


def test_bad_folders_are_refused(run, tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("mine")
    with pytest.raises(GenLabError, match="not an empty folder"):
        export_model_folder(run, tmp_path / "busy")
    export_model_folder(run, tmp_path / "m")
    bad = tmp_path / "bad"
    shutil.copytree(tmp_path / "m", bad)
    meta = json.loads((bad / "config.json").read_text())
    meta["init_args"]["config"]["hidden"] = 10 ** 9                 # an absurd network: refused before it is built
    (bad / "config.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="hidden"):
        load_model_folder(bad)
    meta["init_args"]["config"]["hidden"] = 128
    meta["init_args"]["config"]["width"] = 16                        # fits the schema, not the weights
    (bad / "config.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="does not fit"):
        load_model_folder(bad)
    with pytest.raises(CheckpointError, match="not a readable model folder"):
        load_model_folder(tmp_path / "nowhere")


def test_completion_needs_no_torch_and_completes():
    code = ("import sys; sys.modules['torch'] = None\n"
            "from engine.cli.main import main\nsys.exit(main(['completion', 'bash']))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=str(ROOT))
    assert res.returncode == 0, res.stderr
    script = res.stdout
    if shutil.which("bash") is None:
        return
    def complete(*words):
        line = " ".join(words)
        probe = (script + f"\nCOMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _genlab; "
                 "printf '%s\\n' \"${COMPREPLY[@]}\"")
        out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        return set(out.stdout.split())
    assert {"train", "diagnose", "completion"} <= complete("genlab", "")
    assert complete("genlab", "train", "--model", "") == set(families())   # every registered family
    assert "moons" in complete("genlab", "train", "--data", "")
    assert complete("genlab", "export", "--what", "t") == {"tensorboard", "torch-export"}
    assert "--json" in complete("genlab", "diagnose", "--")
