"""``genlab diagnose``: open a run folder and ask every detector that applies (``engine.diagnose``).

The model comes from the newest checkpoint that verifies, the data from the run's own config, the
training records from ``metrics.jsonl`` as the run's history stands (``read_curves``). A run with no
checkpoint yet is still diagnosed from its records, and the answer says what was left out.
"""

from __future__ import annotations

from pathlib import Path

from engine.data import load_dataset
from engine.diagnose.detectors import diagnose
from engine.diagnose.signals import gradients, loss_plateau
from engine.errors import GenLabError
from engine.models.registry import model_class
from engine.runs.folder import RunFolder
from engine.runs.load import load_run_model
from engine.runs.workspace import read_curves


def diagnose_run(run_dir: str | Path, n: int | None = None, seed: int = 0, device: str = "cpu",
                 progress=None, cache: bool = True) -> dict:
    """{"run", "family", "data", "step", "findings": [Finding.to_dict(), ...], "notes": [...]}"""
    path = Path(run_dir)
    if not (path / "config.json").is_file():
        raise GenLabError(f"{path}: not a GenLab run folder (no config.json)")
    records = read_curves(path)
    run = RunFolder(path)
    if run.latest_checkpoint() is None:
        config = run.read_config()
        cls = model_class(config.family)
        plateau = loss_plateau(records, minimised=not cls.training_phases, value=cls.plateau_value)
        found = [f for f in (gradients(records), plateau) if f is not None]
        return {"run": str(path), "family": config.family, "data": config.data.name, "step": None,
                "findings": [f.to_dict() for f in found],
                "notes": ["no checkpoint yet: only the training records were read (no samples, so no "
                          "memorisation, collapse or critic detectors)"]}
    config, model, ckpt = load_run_model(path, device)
    ds = load_dataset(config.data, progress=progress)
    found = diagnose(model, ds, records, n=n, seed=seed, cache=cache)
    return {"run": str(path), "family": config.family, "data": config.data.name, "step": ckpt.step,
            "findings": [f.to_dict() for f in found], "notes": []}
