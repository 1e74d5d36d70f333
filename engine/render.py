"""Turn samples into pictures: image grids and point scatters as C-contiguous uint8 arrays, and PNGs.

Images leave the engine as uint8 so the window can show them with fixed levels and no conversion.
The scatter renderer is plain NumPy (no plotting library), so the CLI and the run folder's
``samples/`` stay cheap to write from the training thread.
"""

from __future__ import annotations

import io
import math

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont, PngImagePlugin


def to_uint8_images(x: torch.Tensor | np.ndarray) -> np.ndarray:
    """(N, C, H, W) in [0, 1] -> (N, H, W, C) uint8."""
    if isinstance(x, torch.Tensor):
        x = x.detach().float().cpu().numpy()
    x = np.clip(np.nan_to_num(x, nan=0.0), 0.0, 1.0)
    return np.ascontiguousarray((x * 255.0 + 0.5).astype(np.uint8).transpose(0, 2, 3, 1))


def image_grid(x: torch.Tensor | np.ndarray, nrow: int | None = None, pad: int = 1,
               pad_value: int = 40) -> np.ndarray:
    """Tile images into one uint8 picture: (H, W) for grey, (H, W, 3) for colour."""
    imgs = to_uint8_images(x)
    n, h, w, c = imgs.shape
    if c == 4:
        imgs, c = imgs[..., :3], 3
    nrow = nrow or max(1, int(math.ceil(math.sqrt(n))))
    ncol_rows = int(math.ceil(n / nrow))
    out = np.full((ncol_rows * (h + pad) + pad, nrow * (w + pad) + pad, c), pad_value, np.uint8)
    for i in range(n):
        r, k = divmod(i, nrow)
        y0, x0 = pad + r * (h + pad), pad + k * (w + pad)
        out[y0:y0 + h, x0:x0 + w] = imgs[i]
    if c == 1:
        out = out[..., 0]
    return np.ascontiguousarray(out)


def upscale(img: np.ndarray, factor: int) -> np.ndarray:
    if factor <= 1:
        return img
    return np.ascontiguousarray(np.repeat(np.repeat(img, factor, 0), factor, 1))


def scatter_image(points: np.ndarray, reference: np.ndarray | None = None, size: int = 400,
                  bounds: tuple[float, float, float, float] | None = None) -> np.ndarray:
    """Points as an RGB picture: reference (held-out data) in grey, samples in orange."""
    pts = np.asarray(points, dtype=np.float64)
    pts = pts[np.isfinite(pts).all(1)] if pts.size else pts.reshape(0, 2)
    if bounds is None:
        ref = reference if reference is not None and len(reference) else pts
        if len(ref) == 0:
            ref = np.array([[-1.0, -1.0], [1.0, 1.0]])
        lo = np.percentile(ref, 0.5, axis=0)
        hi = np.percentile(ref, 99.5, axis=0)
        centre, half = (lo + hi) / 2, max((hi - lo).max() / 2 * 1.15, 1e-6)
        bounds = (centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half)
    x0, x1, y0, y1 = bounds
    img = np.full((size, size, 3), 255, np.uint8)

    def plot(p, colour):
        if len(p) == 0:
            return
        cx = ((p[:, 0] - x0) / (x1 - x0) * (size - 1)).round().astype(int)
        cy = ((y1 - p[:, 1]) / (y1 - y0) * (size - 1)).round().astype(int)
        ok = (cx >= 0) & (cx < size) & (cy >= 0) & (cy < size)
        cx, cy = cx[ok], cy[ok]
        for dx, dy in ((0, 0), (1, 0), (0, 1), (1, 1)):
            img[np.clip(cy + dy, 0, size - 1), np.clip(cx + dx, 0, size - 1)] = colour

    if reference is not None:
        plot(np.asarray(reference, dtype=np.float64), (190, 190, 190))
    plot(pts, (230, 110, 20))
    return img


def png_bytes(img: np.ndarray, text: dict[str, str] | None = None) -> bytes:
    """Encode a uint8 picture as PNG, with optional text chunks (a run's config, for example)."""
    info = None
    if text:
        info = PngImagePlugin.PngInfo()
        for k, v in text.items():
            info.add_itxt(k, v)
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(img)).save(buf, format="PNG", pnginfo=info)
    return buf.getvalue()


def display_scale(h: int) -> int:
    """Integer upscaling so small images (8x8 digits) are visible in a saved grid."""
    return max(1, 64 // max(h, 1)) if h < 32 else 1


def text_picture(lines: list[str], columns: int = 4, cell: tuple[int, int] = (120, 18)) -> np.ndarray:
    """Text samples as a uint8 grey picture, in columns (for exports and comparisons; the window lists
    them itself). Pillow's built-in font: characters it lacks show as boxes."""
    rows = max(1, math.ceil(len(lines) / columns))
    img = Image.new("L", (columns * cell[0] + 8, rows * cell[1] + 8), 250)
    draw = ImageDraw.Draw(img)
    try:
        font = ImageFont.load_default(size=13)
    except TypeError:   # an older Pillow without scalable default fonts
        font = ImageFont.load_default()
    for i, line in enumerate(lines):
        c, r = divmod(i, rows)
        draw.text((4 + c * cell[0], 4 + r * cell[1]), line or "(end)", fill=20, font=font)
    return np.ascontiguousarray(np.asarray(img, dtype=np.uint8))
