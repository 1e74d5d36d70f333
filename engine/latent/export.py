"""Pictures in and out of the explorer: an interpolation strip as PNG or animated GIF, and a
person's image file brought to the model's data shape for encoding.

Frames are enlarged by whole pixels (nearest neighbour), so a 28x28 digit stays crisp in a GIF. The
GIF plays the path forwards then back, so its loop has no jump. Writes are atomic.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from engine.atomic import write_bytes_atomic
from engine.data.images import decode
from engine.errors import GenLabError
from engine.render import png_bytes, upscale

MAX_GIF_SIDE = 512


def frame_scale(h: int, target: int = 128) -> int:
    """Whole-pixel enlargement so a frame is about ``target`` pixels high."""
    return max(1, min(16, target // max(1, h)))


def save_strip_png(picture: np.ndarray, path, scale: int | None = None, text: dict | None = None) -> Path:
    """Save the strip (uint8 (H, W) or (H, W, 3)) as a PNG, enlarged by ``scale``."""
    picture = np.ascontiguousarray(picture, dtype=np.uint8)
    s = frame_scale(picture.shape[0], 96) if scale is None else int(scale)
    return write_bytes_atomic(Path(path), png_bytes(upscale(picture, s), text))


def gif_bytes(frames: np.ndarray, duration_ms: int = 80, bounce: bool = True, scale: int | None = None) -> bytes:
    """An animated GIF of ``frames`` (uint8 (n, H, W) or (n, H, W, 3)), looping forever."""
    frames = np.asarray(frames, dtype=np.uint8)
    if frames.ndim not in (3, 4) or len(frames) == 0:
        raise GenLabError(f"a GIF needs frames shaped (n, H, W[, 3]), got {frames.shape}")
    h = frames.shape[1]
    s = frame_scale(h) if scale is None else int(scale)
    s = max(1, min(s, MAX_GIF_SIDE // max(1, max(frames.shape[1:3]))))
    seq = list(frames)
    if bounce and len(seq) > 2:
        seq = seq + seq[-2:0:-1]
    mode = "L" if frames.ndim == 3 else "RGB"
    images = [Image.fromarray(upscale(np.ascontiguousarray(f), s), mode) for f in seq]
    if mode == "RGB":
        images = [im.convert("P", palette=Image.Palette.ADAPTIVE, colors=256) for im in images]
    buf = io.BytesIO()
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], duration=int(duration_ms),
                   loop=0, disposal=2, optimize=False)
    return buf.getvalue()


def save_gif(frames: np.ndarray, path, duration_ms: int = 80, bounce: bool = True, scale: int | None = None) -> Path:
    return write_bytes_atomic(Path(path), gif_bytes(frames, duration_ms, bounce, scale))


def load_image_for(spec, path) -> np.ndarray:
    """A person's image file as one example of ``spec`` (float32 (C, H, W) on the spec's grey levels),
    or a ``GenLabError`` naming the file and what is wrong with it."""
    path = Path(path)
    if spec.kind != "image":
        raise GenLabError(f"{path.name}: this model was trained on points; only image models encode picture files")
    if not path.is_file():
        raise GenLabError(f"{path}: no such file")
    c, h, w = spec.shape
    try:
        arr, _ = decode(path, c, (h, w), "fit")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as e:
        raise GenLabError(f"{path.name}: not a readable image ({e})") from None
    levels = int(spec.levels or 256)
    x = np.round(arr.astype(np.float32) / 255.0 * (levels - 1)) / (levels - 1)
    return x.astype(np.float32)
