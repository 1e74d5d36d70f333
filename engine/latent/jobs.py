"""The explorer's jobs: decode, grid, interpolate, encode, embed (encode a training subsample for the
plane), complete (autoregressive) and a draw from the model's prior. Each factory takes NumPy inputs and
returns ``job(context)``, which the explorer runs on its own thread and model; every job returns NumPy
values only.

Latents travel flattened, (n, d) with d = prod(latent_shape), so a diffusion model's data-shaped
noise and a VAE's code go through the same plane and slider code. Long jobs work in chunks and call
``check_interrupt`` between them, so a newer request can cut them short.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from engine.interrupt import check_interrupt
from engine.latent import plane as planes
from engine.render import image_grid, to_uint8_images


def _chunk(ctx) -> int:
    """Examples per forward pass in long jobs (grids, embeddings): the family's ``latent_view.chunk``. A
    newer or more urgent request can cut a job short only between chunks, so a chunk must take about as
    long as one decode the person waits for (small where each decode is many network passes)."""
    return max(1, int(ctx.model.latent_view.chunk))


@dataclass(frozen=True)
class Decoded:
    kind: str                     # "image" or "points"
    values: np.ndarray            # uint8 (n, H, W) / (n, H, W, 3) images, or float32 (n, 2) points
    latents: np.ndarray           # float64 (n, d): what was decoded
    picture: np.ndarray | None = None   # grid and interpolate: one uint8 picture of all the images
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Embedded:
    latents: np.ndarray           # float32 (n, d)
    labels: np.ndarray | None     # int64 (n,) or None
    indices: np.ndarray           # which training examples they are
    plane: planes.Plane | None    # PCA plane of these latents (None when d <= 2)


@dataclass(frozen=True)
class Completion:
    images: np.ndarray            # uint8 (n, H, W) / (n, H, W, 3): the completed images
    order: np.ndarray             # int64: flat H*W pixel positions the model filled, in generation order
    temperature: float


def images_uint8(x: torch.Tensor) -> np.ndarray:
    """(n, C, H, W) in [0, 1] -> uint8 (n, H, W) for grey, (n, H, W, 3) for colour."""
    out = to_uint8_images(x)
    if out.shape[-1] == 1:
        out = out[..., 0]
    elif out.shape[-1] == 4:
        out = out[..., :3]
    return np.ascontiguousarray(out)


def picture(x) -> np.ndarray:
    """One data-space image (C, H, W) in [0, 1] as uint8 (H, W) or (H, W, 3), for a thumbnail."""
    return images_uint8(torch.as_tensor(np.asarray(x, dtype=np.float32))[None])[0]


def describe(ctx) -> dict:
    """What a view needs to know about the model before it lays itself out (a job)."""
    m = ctx.model
    latent = m.has("latent")
    return {"family": ctx.family, "latent": latent, "encode": m.has("encode"), "completion": m.has("completion"),
            "latent_shape": tuple(m.latent_shape()) if latent else (), "conditional": bool(m.conditional),
            "kind": ctx.spec.kind}


def prior_draw(seed: int):
    """One latent (d,) from the prior the model's samples start from (``prior_latents``: a VAE's mixture
    fitted to its codes, else N(0, I)), drawn with ``seed``: a random end of an interpolation that looks
    like the model's samples, not a code between the training images' codes."""
    def job(ctx) -> np.ndarray:
        z = ctx.model.prior_latents(1, torch.Generator().manual_seed(int(seed)))
        return z.reshape(-1).float().cpu().numpy().astype(np.float64)
    return job


def _labels(ctx, n: int, label):
    if label is None or not getattr(ctx.model, "conditional", False):
        return None
    return torch.full((n,), int(label), dtype=torch.long, device=ctx.model.device)


def _latents(ctx, z) -> torch.Tensor:
    shape = tuple(ctx.model.latent_shape())
    z = np.asarray(z, dtype=np.float32)
    z = z.reshape(-1, int(np.prod(shape)))
    return torch.from_numpy(np.ascontiguousarray(z)).to(ctx.model.device).view(-1, *shape)


def _decode_values(ctx, z: torch.Tensor, label, options) -> np.ndarray:
    x = ctx.model.decode(z, labels=_labels(ctx, z.shape[0], label), **options)
    if ctx.spec.kind == "image":
        return images_uint8(x)
    return x.float().cpu().numpy().astype(np.float32)


def decode(z, label=None, **options):
    """Decode one latent (d,) or several (n, d)."""
    z = np.array(z, dtype=np.float64, copy=True)

    def job(ctx) -> Decoded:
        values = _decode_values(ctx, _latents(ctx, z), label, options)
        return Decoded(ctx.spec.kind, values, z.reshape(len(values), -1), None, dict(options))
    return job


def _decode_chunked(ctx, flat: np.ndarray, label, options) -> np.ndarray:
    chunk = _chunk(ctx)
    parts = []
    for i in range(0, len(flat), chunk):
        check_interrupt()
        parts.append(_decode_values(ctx, _latents(ctx, flat[i:i + chunk]), label, options))
    return np.concatenate(parts, 0)


def decode_grid(latents, nrow: int, label=None, **options):
    """Decode (n, d) latents laid out as a grid of ``nrow`` columns (the manifold view)."""
    flat = np.array(latents, dtype=np.float64, copy=True)

    def job(ctx) -> Decoded:
        values = _decode_chunked(ctx, flat, label, options)
        picture = _picture(values, nrow) if ctx.spec.kind == "image" else None
        return Decoded(ctx.spec.kind, values, flat.reshape(len(values), -1), picture, dict(options))
    return job


def _picture(values: np.ndarray, nrow: int) -> np.ndarray:
    x = values.astype(np.float32) / 255.0
    x = x[:, None] if x.ndim == 3 else x.transpose(0, 3, 1, 2)
    return image_grid(x, nrow=nrow, pad=1, pad_value=128)


def interpolate(a, b, n: int, mode: str, label=None, **options):
    """``n`` latents from ``a`` to ``b`` (``mode`` "lerp" or "slerp"), decoded; both ends exact."""
    path = planes.interpolate(np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel(),
                              n, mode)

    def job(ctx) -> Decoded:
        values = _decode_chunked(ctx, path, label, options)
        picture = _picture(values, len(values)) if ctx.spec.kind == "image" else None
        return Decoded(ctx.spec.kind, values, path, picture, {"mode": mode, **options})
    return job


def _data_tensor(ctx, x) -> torch.Tensor:
    x = torch.as_tensor(np.asarray(x, dtype=np.float32)).to(ctx.model.device)
    shape = tuple(ctx.spec.shape)
    if tuple(x.shape[1:]) != shape:
        x = x.reshape(-1, *shape)
    return x


def encode(x, labels=None, **options):
    """Data-space examples (n, *shape) -> latents (n, d) float64 (VAE: posterior mean; flow: exact
    inverse; diffusion: DDIM inversion with ``steps``)."""
    x = np.array(x, dtype=np.float32, copy=True)
    lab = None if labels is None else np.asarray(labels, dtype=np.int64)

    def job(ctx) -> np.ndarray:
        xt = _data_tensor(ctx, x)
        yt = torch.as_tensor(lab, device=ctx.model.device) if lab is not None and ctx.model.conditional else None
        z = ctx.model.encode(xt, labels=yt, generator=ctx.generator, **options)
        return z.reshape(z.shape[0], -1).float().cpu().numpy().astype(np.float64)  # float64 only on the host
    return job


def embed(x, labels=None, max_points: int = 5000, seed: int = 0, **options):
    """Encode a random subsample (at most ``max_points``) of training examples for the plane, with
    the PCA plane of their latents when the latent has more than two dimensions."""
    x = np.asarray(x)
    n = len(x)
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(n, min(n, int(max_points)), replace=False)) if n > max_points else np.arange(n)
    xs = np.array(x[idx], dtype=np.float32, copy=True)
    ys = None if labels is None else np.asarray(labels)[idx].astype(np.int64)

    def job(ctx) -> Embedded:
        chunk = _chunk(ctx)
        parts = []
        for i in range(0, len(xs), chunk):
            check_interrupt()
            xt = _data_tensor(ctx, xs[i:i + chunk])
            yt = (torch.as_tensor(ys[i:i + chunk], device=ctx.model.device)
                  if ys is not None and ctx.model.conditional else None)
            z = ctx.model.encode(xt, labels=yt, generator=ctx.generator, **options)
            parts.append(z.reshape(z.shape[0], -1).float().cpu().numpy())
        z = np.concatenate(parts, 0) if parts else np.zeros((0, 1), np.float32)
        plane = planes.pca_plane(z) if z.shape[1] > 2 and len(z) >= 2 else None
        return Embedded(z, ys, idx, plane)
    return job


def complete(x, known, n: int = 4, temperature: float = 1.0):
    """Autoregressive completion: ``n`` draws of the image ``x`` (C, H, W) in [0, 1] where ``known``
    (C, H, W) bool is False, with the order the pixels were filled in (raster order)."""
    x = np.array(x, dtype=np.float32, copy=True)
    known = np.array(known, dtype=bool, copy=True)

    def job(ctx) -> Completion:
        xt = torch.from_numpy(np.repeat(x[None], n, 0)).to(ctx.model.device)
        kt = torch.from_numpy(np.repeat(known[None], n, 0)).to(ctx.model.device)
        out = ctx.model.complete(xt, kt, generator=ctx.generator, temperature=float(temperature))
        pixel_unknown = (~known).any(0).ravel()            # (H*W,), raster order = generation order
        order = np.flatnonzero(pixel_unknown).astype(np.int64)
        return Completion(images_uint8(out), order, float(temperature))
    return job
