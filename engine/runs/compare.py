"""Compare runs trained on the same data: curves, held-out metrics on one axis, samples from one noise bank.

``compare_runs`` takes two or more run folders of any families and returns, per run, its metric
records (``read_curves``), its newest held-out figure in one unit for all (bits per dimension for
images, nats per example for points, with "exact" / "bound" / "ode" / "estimate" named), and a sample
grid. Samples come from one noise bank shared by every family: each sample's row of the bank is
``BANK_SIZE`` independent standard normal numbers drawn once from ``seed``, and a latent of shape S
takes the first prod(S) of them, reshaped (a prefix of independent normals is itself a standard normal
draw, so every family decodes a fair draw from its own prior). So runs whose latents have the same
shape decode the very same z; runs whose latent has the data's shape (a flow's base noise, a diffusion
model's starting noise) start from the same points in data space, which makes their cells comparable
one by one; and runs with latents of other sizes share only a prefix, a fair draw for each but with no
meaning shared between their axes (a VAE's z1 is not a GAN's z1), which the notes say. A family without
a latent (autoregressive) samples with a generator seeded the same way and shares nothing; so does a
latent larger than the bank. Class-conditional models get one shared label bank (cell i is class i mod K).
For points, where a cell-by-cell match means nothing, each run draws its own samples (so a VAE shows
its noisy samples, not its decoder's means) from a generator seeded with ``seed``, and the scatters
share one set of axes.

Everything is read through the run folders' safe paths: configs through the validated schema,
weights through verified safetensors checkpoints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

from engine.errors import GenLabError
from engine.data.text import decode_tokens
from engine.render import display_scale, image_grid, scatter_image, text_picture, upscale
from engine.runs.folder import RunFolder
from engine.runs.load import load_run_model
from engine.runs.workspace import read_curves


@dataclass
class RunComparison:
    path: Path
    name: str
    family: str
    data: str
    step: int                          # the checkpoint the samples come from
    curves: list[dict]
    metric: dict                       # {"value", "unit", "kind", "se", "step", "nats"} (value None: none)
    samples: np.ndarray                # uint8 picture: (H, W) grey or (H, W, 3)
    points: np.ndarray | None = None   # the raw points (points data only), float32 (N, 2)
    shared_noise: bool = False         # decoded from the shared latent bank (else its own seeded draw)


@dataclass
class Comparison:
    runs: list[RunComparison]
    unit: str                          # "bits/dim" or "nats"
    kind: str                          # "image" or "points"
    seed: int
    notes: list[str] = field(default_factory=list)

    def table(self) -> list[dict]:
        """One row per run for a metrics table: name, family, value, unit, kind, step."""
        return [{"run": r.name, "family": r.family, "value": r.metric["value"], "unit": self.unit,
                 "kind": r.metric["kind"], "se": r.metric["se"], "step": r.metric["step"]} for r in self.runs]


def data_identity(config, resolved: dict) -> tuple:
    """What makes two runs' data the same: the data settings and, when known, the prepared shape."""
    d = config.data
    spec = (resolved or {}).get("spec") or {}
    return (d.name, d.seed, d.n_train, d.n_test, d.normalize, d.image_size, d.channels, d.resize,
            tuple(spec.get("shape") or ()), tuple(tuple(p) for p in d.points))


def held_out_metric(curves: list[dict], kind: str, dim: int) -> dict:
    """The newest evaluation in the comparison's unit (bits/dim for images, nats for points)."""
    evals = [r for r in curves if r.get("event") == "eval" and _finite(r.get("test_nll_nats"))]
    if not evals:
        return {"value": None, "unit": None, "kind": None, "se": None, "step": None, "nats": None}
    rec = evals[-1]
    nats, se = float(rec["test_nll_nats"]), rec.get("nll_se")
    if kind == "image":
        scale = 1.0 / (max(1, dim) * math.log(2))
        return {"value": nats * scale, "unit": "bits/dim", "kind": rec.get("nll_kind"),
                "se": se * scale if _finite(se) else None, "step": rec.get("step"), "nats": nats}
    return {"value": nats, "unit": "nats", "kind": rec.get("nll_kind"), "se": se if _finite(se) else None,
            "step": rec.get("step"), "nats": nats}


def _finite(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


BANK_SIZE = 3 * 64 * 64        # numbers per sample: a 64x64 colour image's worth


def shared_bank(n: int, seed: int) -> torch.Tensor:
    """(n, BANK_SIZE) standard normal numbers, drawn once from ``seed``: the bank every family shares."""
    gen = torch.Generator().manual_seed(int(seed))
    return torch.randn((n, BANK_SIZE), generator=gen)


def noise_bank(shape: tuple[int, ...], n: int, seed: int, bank: torch.Tensor | None = None) -> torch.Tensor | None:
    """The bank mapped into a latent of ``shape`` by the fixed rule: the first prod(shape) numbers of each
    row, reshaped. None when the latent is larger than the bank (it cannot share)."""
    size = math.prod(shape)
    if size > BANK_SIZE:
        return None
    bank = shared_bank(n, seed) if bank is None else bank
    return bank[:n, :size].reshape(n, *shape).clone()


def compare_runs(run_dirs: list[str | Path], n: int | None = None, seed: int = 0, device: str = "cpu",
                 allow_mixed_data: bool = False) -> Comparison:
    """Compare the newest checkpoints of ``run_dirs`` (see the module's docstring).

    ``n``: samples per run (default 64 images, 2000 points). Runs on different data are refused
    unless ``allow_mixed_data`` (then a note says so)."""
    if len(run_dirs) < 2:
        raise GenLabError("compare needs at least two runs")
    loaded = []
    for run_dir in run_dirs:
        config, model, ckpt = load_run_model(run_dir, device)
        resolved = RunFolder(run_dir).read_raw_config().get("resolved") or {}
        loaded.append((Path(run_dir), config, model, ckpt, resolved))
    notes = []
    ids = {data_identity(c, r) for _, c, _, _, r in loaded}
    kinds = {m.spec.kind for _, _, m, _, _ in loaded}
    if len(ids) > 1 or len(kinds) > 1:
        names = ", ".join(sorted({c.data.name for _, c, _, _, _ in loaded}))
        if not allow_mixed_data or len(kinds) > 1:
            raise GenLabError(f"these runs were trained on different data ({names}); compare runs on the same "
                              "data, or their figures mean different things")
        notes.append(f"the runs' data settings differ ({names}); figures may not be comparable")
    kind = kinds.pop()
    n = int(n or (2000 if kind == "points" else 64))
    bank = shared_bank(n, seed) if kind == "image" else None
    sharing: dict[str, list[str]] = {"data": [], "prefix": [], "none": []}
    out, all_points = [], []
    for path, config, model, ckpt, _ in loaded:
        curves = read_curves(path)
        metric = held_out_metric(curves, kind, model.spec.dim)
        labels = None
        if model.conditional:  # one shared label bank too: cell i shows class i mod K in every run
            labels = torch.arange(n, device=model.device) % model.spec.num_classes
        z = (noise_bank(tuple(model.latent_shape()), n, seed, bank)
             if model.has("latent") and kind == "image" and model.samples_start_from_standard_noise else None)
        shared = z is not None
        if kind == "image":
            how = "none" if not shared else ("data" if tuple(z.shape[1:]) == tuple(model.spec.shape) else "prefix")
            sharing[how].append(f"{path.name} ({config.family})")
        if shared:
            x = model.decode(z.to(model.device), labels=labels)
        else:
            gen = torch.Generator(device=model.device if model.device.type == "cuda" else "cpu").manual_seed(seed)
            x = model.sample(n, generator=gen, labels=labels)
        x = x.detach().float().cpu()
        points = None
        if kind == "points":
            points = np.ascontiguousarray(x.numpy().astype(np.float32))
            all_points.append(points)
            picture = None
        elif kind == "text":
            picture = text_picture(decode_tokens(x, model.spec.vocab))
        else:
            picture = upscale(image_grid(x), display_scale(model.spec.shape[1]))
        out.append(RunComparison(path=path, name=path.name, family=config.family, data=config.data.name,
                                 step=ckpt.step, curves=curves, metric=metric, samples=picture,
                                 points=points, shared_noise=shared))
    if kind == "points":
        bounds = _shared_bounds(np.concatenate(all_points))
        for r in out:
            r.samples = scatter_image(r.points, bounds=bounds)
    if kind == "points":
        notes.append(f"points: each run's own samples, from a generator seeded with {seed}")
    else:
        notes += fairness_notes(sharing, {tuple(m.latent_shape()) for _, _, m, _, _ in loaded if m.has("latent")})
    return Comparison(runs=out, unit="bits/dim" if kind == "image" else "nats", kind=kind, seed=seed, notes=notes)


def fairness_notes(sharing: dict[str, list[str]], shapes: set) -> list[str]:
    """Where the shared bank makes the comparison fair cell by cell, and where it cannot."""
    notes = []
    if len(sharing["data"]) > 1:
        notes.append(f"{', '.join(sharing['data'])} start from the same noise of the data's shape: cells compare one by one")
    if sharing["prefix"] and (len(shapes) > 1 or sharing["data"]):
        notes.append(f"{', '.join(sharing['prefix'])} decode the same bank's first numbers into latents of other "
                     "sizes or meanings: each a fair draw, but cells do not correspond across families")
    if sharing["none"]:
        notes.append(f"{', '.join(sharing['none'])}: no latent to share (one larger than the bank, or a prior other "
                     "than the standard normal); sampled with a generator seeded the same way, so only the sample "
                     "sets compare, not cells")
    return notes


def _shared_bounds(points: np.ndarray) -> tuple[float, float, float, float]:
    pts = points[np.isfinite(points).all(1)]
    if len(pts) == 0:
        return (-1.0, 1.0, -1.0, 1.0)
    lo, hi = np.percentile(pts, 0.5, axis=0), np.percentile(pts, 99.5, axis=0)
    centre, half = (lo + hi) / 2, max(float((hi - lo).max()) / 2 * 1.15, 1e-6)
    return (centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half)


def comparison_picture(cmp: Comparison, gap: int = 8) -> np.ndarray:
    """The runs' sample pictures side by side on white, each captioned with its run and family (RGB uint8)."""
    tiles = []
    for r in cmp.runs:
        img = Image.fromarray(r.samples).convert("RGB")
        band = Image.new("RGB", (img.width, img.height + 16), (255, 255, 255))
        band.paste(img, (0, 16))
        ImageDraw.Draw(band).text((2, 2), f"{r.name} ({r.family})"[: max(8, img.width // 6)], fill=(0, 0, 0))
        tiles.append(band)
    height = max(t.height for t in tiles)
    canvas = Image.new("RGB", (sum(t.width for t in tiles) + gap * (len(tiles) - 1), height), (255, 255, 255))
    x = 0
    for t in tiles:
        canvas.paste(t, (x, 0))
        x += t.width + gap
    return np.ascontiguousarray(np.asarray(canvas, dtype=np.uint8))
