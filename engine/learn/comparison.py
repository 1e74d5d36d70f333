"""The family comparison table, measured from the runs a person has made on the current data.

One row per family. Its figures come from that family's best run on the same data in the workspace
(lowest held-out NLL; else the newest with a checkpoint), never from a table typed in by hand:

- ``likelihood``: "exact", "bound", "ode", "estimate" or "none", as the loaded model declares it (a
  flow is exact on points and a bound on images, so this is read from the model instance);
- ``nll``: the newest held-out NLL in the run's ``metrics.jsonl`` (nats per example; bits/dim too for
  images), with the step it was measured at;
- ``samples_per_second`` and ``steps_to_sample``: measured by drawing samples from the run's newest
  checkpoint with the model's own sampling settings. A step is one sequential pass through the network
  that generates: the VAE's decoder, the GAN's generator, one pass through the whole flow, one token of
  the autoregressive model, one denoising step of diffusion (the family's declared ``sampling_pass``).
  They are counted by hooking that network while sampling, so a change of sampler settings shows;
- ``has_latent``: the model's declared ``latent`` capability.

``compare_families`` is slow (it loads models and samples) and runs off the GUI thread; ``cancelled``
(a callable) is checked between families.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch

from engine.errors import GenLabError
from engine.interrupt import Interrupted
from engine.models.registry import available_families
from engine.runs.folder import RunFolder
from engine.runs.load import load_run_model
from engine.runs.workspace import list_runs, read_curves

SAMPLE_BUDGET_S = 2.0   # aim for about this long a timed draw per family (after a two-sample probe)
MAX_IMAGES = 64
MAX_POINTS = 2000


@dataclass
class FamilyRow:
    family: str
    run: str | None = None                  # the run the figures come from
    run_path: str | None = None
    step: int | None = None                 # the checkpoint that was sampled
    likelihood: str | None = None           # exact / bound / ode / estimate / none
    nll_nats: float | None = None           # held-out NLL from the run's metrics
    bits_per_dim: float | None = None
    nll_step: int | None = None
    samples_per_second: float | None = None
    steps_to_sample: int | None = None
    has_latent: bool | None = None
    runs_on_data: int = 0                   # runs of this family on the current data
    note: str = ""                          # why a figure is missing

    @property
    def measured(self) -> bool:
        return self.run is not None


@dataclass
class FamilyComparison:
    data: str
    rows: list[FamilyRow] = field(default_factory=list)
    seconds: float = 0.0


def data_key(data_config) -> tuple:
    """What makes two runs' data the same (the settings that change the examples)."""
    d = data_config
    return (d.name, d.seed, d.n_train, d.n_test, d.normalize, d.image_size, d.channels, d.resize,
            tuple(tuple(p) for p in d.points))


def runs_on_data(workspace: str | Path, data_config) -> list[tuple[Path, object, list[dict]]]:
    """(path, config, curves) of every run in ``workspace`` trained on ``data_config``'s data."""
    want = data_key(data_config)
    out = []
    for summary in list_runs(workspace):
        try:
            config = RunFolder(summary.path).read_config()
        except (GenLabError, OSError, ValueError):
            continue
        if data_key(config.data) != want:
            continue
        try:
            curves = read_curves(summary.path)
        except (GenLabError, OSError, ValueError):
            curves = []
        out.append((summary.path, config, curves))
    return out


def _newest_eval(curves: list[dict]) -> dict | None:
    evals = [r for r in curves if r.get("event") == "eval" and _finite(r.get("test_nll_nats"))]
    return evals[-1] if evals else None


def _finite(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _has_checkpoint(path: Path) -> bool:
    folder = path / "checkpoints"
    return folder.is_dir() and any(p.suffix == ".safetensors" for p in folder.iterdir())


def pick_run(candidates: list[tuple[Path, object, list[dict]]]):
    """The run that stands for its family: lowest newest held-out NLL among runs with a checkpoint,
    else the first (newest) with a checkpoint, else the first."""
    with_ckpt = [c for c in candidates if _has_checkpoint(c[0])]
    pool = with_ckpt or candidates
    scored = [(float(e["test_nll_nats"]), i) for i, c in enumerate(pool) if (e := _newest_eval(c[2])) is not None]
    if scored:
        return pool[min(scored)[1]]
    return pool[0] if pool else None


def count_sampling_passes(model, n: int, generator: torch.Generator | None = None, **options) -> tuple[int, torch.Tensor]:
    """Draw ``n`` samples and count the sequential passes of the generating network: calls of the
    family's ``sampling_pass``, a submodule (hooked) or a method of the model or of a submodule
    (wrapped on that instance)."""
    calls = [0]
    name = model.sampling_pass
    if not name:
        raise ValueError(f"the {model.family} family declares no sampling pass")
    try:
        module = model.get_submodule(name)
    except AttributeError:
        module = None
    if module is not None:
        handle = module.register_forward_hook(lambda *_: calls.__setitem__(0, calls[0] + 1))
        try:
            x = model.sample(n, generator=generator, **options)
        finally:
            handle.remove()
        return calls[0], x
    owner_name, _, method = name.rpartition(".")
    try:
        owner = model.get_submodule(owner_name) if owner_name else model
    except AttributeError:
        owner = None
    original = getattr(owner, method, None)
    if not callable(original):
        raise ValueError(f"the {model.family} family's sampling pass {name!r} is neither a submodule nor a method")

    def counted(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)
    setattr(owner, method, counted)      # on this instance only; the class is untouched
    try:
        x = model.sample(n, generator=generator, **options)
    finally:
        delattr(owner, method)
    return calls[0], x


def measure_sampling(model, seed: int = 0, budget_s: float = SAMPLE_BUDGET_S) -> tuple[float, int]:
    """(samples per second, steps to sample) from a two-sample probe and a timed draw sized to ``budget_s``."""
    gen = torch.Generator(device=model.device if model.device.type == "cuda" else "cpu").manual_seed(seed)
    t0 = time.perf_counter()
    steps, _ = count_sampling_passes(model, 2, gen)
    probe = max(time.perf_counter() - t0, 1e-4)
    cap = MAX_POINTS if model.spec.kind == "points" else MAX_IMAGES
    n = int(max(2, min(cap, 2 * budget_s / probe)))
    t0 = time.perf_counter()
    model.sample(n, generator=gen)
    took = max(time.perf_counter() - t0, 1e-9)
    return n / took, int(steps)


def compare_families(workspace: str | Path, data_config, device: str = "cpu", families=None,
                     cancelled: Callable[[], bool] | None = None,
                     budget_s: float = SAMPLE_BUDGET_S) -> FamilyComparison:
    """The comparison table for the runs in ``workspace`` on ``data_config``'s data (see the module);
    one row per family of ``families`` (default: every family the registry can load)."""
    if families is None:
        families = available_families()
    t_start = time.perf_counter()
    found = runs_on_data(workspace, data_config)
    table = FamilyComparison(data=data_config.name)
    for family in families:
        row = FamilyRow(family)
        mine = [c for c in found if c[1].family == family]
        row.runs_on_data = len(mine)
        table.rows.append(row)
        if not mine:
            row.note = "no run on this data yet"
            continue
        if cancelled is not None and cancelled():
            row.note = "cancelled"
            continue
        path, config, curves = pick_run(mine)
        row.run, row.run_path = path.name, str(path)
        ev = _newest_eval(curves)
        if ev is not None:
            row.nll_nats = float(ev["test_nll_nats"])
            row.bits_per_dim = float(ev["bits_per_dim"]) if _finite(ev.get("bits_per_dim")) else None
            row.nll_step = ev.get("step") if isinstance(ev.get("step"), int) else None
        try:
            _, model, ckpt = load_run_model(path, device)
        except (GenLabError, OSError, ValueError) as e:
            row.note = f"its weights could not be loaded: {e}"
            continue
        row.step = ckpt.step
        row.has_latent = model.has("latent")
        row.likelihood = model.likelihood_kind if model.has("log_likelihood") else "none"
        if ev is None and row.likelihood != "none":
            row.note = "no held-out evaluation in its metrics yet"
        try:
            row.samples_per_second, row.steps_to_sample = measure_sampling(model, budget_s=budget_s)
        except Interrupted:
            row.note = "cancelled"
        except (RuntimeError, ValueError) as e:
            row.note = f"sampling failed: {e}"
    table.seconds = time.perf_counter() - t_start
    return table
