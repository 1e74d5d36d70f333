"""Pixel conversions shared by every image source: modes to 1, 3 or 4 channels, and resizing.

Everything ends as ``uint8``, so an image dataset always holds the 256 grey levels k / 255 that the
likelihoods are defined over, and a sample maps back to a file exactly (``round(x * 255)``).
Decisions that change pixels are fixed here and written into the run config's ``preparation``:
alpha is composited onto black; grey comes from colour by ITU-R 601-2 luma (Pillow's "L");
16-bit pixels are scaled by 1/257; resampling is Lanczos.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageOps

RESIZE_POLICIES = ("fit", "crop", "pad", "none")
RESAMPLE = Image.Resampling.LANCZOS
GREY_MODES = {"1", "L", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"}
ALPHA_MODES = {"LA", "La", "RGBA", "RGBa", "PA"}
CONVERSION_RECORD = {"alpha": "composited onto black", "grey": "ITU-R 601-2 luma (Pillow 'L')",
                     "sixteen_bit": "divided by 257", "resample": "lanczos", "values": "uint8 / 255"}


class SizeMismatch(ValueError):
    """An image's size differs from the target and the policy is 'none'."""


def palette_is_grey(img: Image.Image) -> bool:
    pal = img.getpalette() or []
    rgb = np.asarray(pal[: len(pal) // 3 * 3], dtype=np.int32).reshape(-1, 3)
    return bool(len(rgb)) and bool((rgb[:, 0] == rgb[:, 1]).all() and (rgb[:, 1] == rgb[:, 2]).all())


def mode_kind(img: Image.Image) -> str:
    """'grey', 'rgba' or 'rgb': what a file's pixels are, for choosing channels when none are set."""
    mode = img.mode
    if mode in GREY_MODES or mode == "LA" or (mode == "P" and palette_is_grey(img)
                                             and "transparency" not in img.info):
        return "grey"
    if mode == "RGBA":
        return "rgba"
    return "rgb"


def _scaled_to_l(img: Image.Image) -> Image.Image:
    """32-bit integer, 16-bit and float pixels to 8-bit grey without silent clipping."""
    arr = np.asarray(img)
    if img.mode == "F":
        if not np.isfinite(arr).all():
            raise ValueError("float pixels contain NaN or infinite values")
        lo, hi = float(arr.min()), float(arr.max())
        if lo >= 0 and hi <= 1:
            arr = arr * 255.0
        elif lo < 0 or hi > 255:
            raise ValueError(f"float pixels range from {lo:.3g} to {hi:.3g}, outside [0, 1] and [0, 255]")
    elif img.mode.startswith("I;16") or (img.mode == "I" and arr.max() > 255):
        if arr.min() < 0 or arr.max() > 65535:
            raise ValueError(f"integer pixels range from {arr.min()} to {arr.max()}, outside 0..65535")
        arr = arr / 257.0
    elif arr.min() < 0:
        raise ValueError(f"negative pixel values ({arr.min()})")
    return Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8), "L")


def _normalise_mode(img: Image.Image) -> Image.Image:
    """Any Pillow mode to one of L, LA, RGB, RGBA."""
    mode = img.mode
    if mode in ("L", "LA", "RGB", "RGBA"):
        return img
    if mode == "1":
        return img.convert("L")
    if mode in ("I", "F") or mode.startswith("I;16"):
        return _scaled_to_l(img)
    if mode in ("P", "PA"):
        return img.convert("RGBA" if mode == "PA" or "transparency" in img.info else "RGB")
    if mode == "La":
        return img.convert("LA")
    if mode == "RGBa":
        return img.convert("RGBA")
    return img.convert("RGB")  # CMYK, YCbCr, LAB, HSV, RGBX


def _onto_black(img: Image.Image) -> Image.Image:
    rgba = img.convert("RGBA")
    black = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
    return Image.alpha_composite(black, rgba).convert("RGB")


def to_channels(img: Image.Image, channels: int) -> Image.Image:
    """``img`` as L (1), RGB (3) or RGBA (4); alpha is composited onto black when dropped."""
    img = _normalise_mode(img)
    if channels == 4:
        return img if img.mode == "RGBA" else img.convert("RGBA")
    if img.mode in ("LA", "RGBA"):
        img = _onto_black(img)
    if channels == 1:
        return img if img.mode == "L" else img.convert("L")
    return img if img.mode == "RGB" else img.convert("RGB")


def resize(img: Image.Image, size: tuple[int, int], policy: str) -> Image.Image:
    """Bring ``img`` to ``size`` = (height, width) by ``policy`` (fit, crop, pad, none)."""
    h, w = size
    if img.size == (w, h):
        return img
    if policy == "none":
        raise SizeMismatch(f"size {img.size[0]}x{img.size[1]} differs from {w}x{h} (data.resize is 'none')")
    if policy == "fit":
        return img.resize((w, h), RESAMPLE, reducing_gap=3.0)
    if policy == "crop":
        return ImageOps.fit(img, (w, h), RESAMPLE)
    if policy == "pad":
        fill = 0 if img.mode == "L" else (0,) * len(img.getbands())
        return ImageOps.pad(img, (w, h), RESAMPLE, color=fill)
    raise ValueError(f"unknown resize policy {policy!r}")


def to_chw(img: Image.Image) -> np.ndarray:
    """A converted image as uint8 (C, H, W)."""
    arr = np.asarray(img, dtype=np.uint8)
    if arr.ndim == 2:
        arr = arr[None]
    else:
        arr = np.transpose(arr, (2, 0, 1))
    return np.ascontiguousarray(arr)


def from_chw(arr: np.ndarray) -> Image.Image:
    c = arr.shape[0]
    if c == 1:
        return Image.fromarray(arr[0], "L")
    return Image.fromarray(np.ascontiguousarray(np.transpose(arr, (1, 2, 0))), "RGB" if c == 3 else "RGBA")


def conform(images: np.ndarray, size: tuple[int, int] | None, channels: int, policy: str,
            reporter=None) -> tuple[np.ndarray, int]:
    """uint8 (N, C, H, W) arrays (IDX, .npy) to a target size and channel count.

    Returns the new array and how many images had to be resampled. With nothing to change the input
    comes back untouched.
    """
    n, c, h, w = images.shape
    target = size or (h, w)
    want_c = channels or c
    if tuple(target) == (h, w) and want_c == c:
        return images, 0
    if policy == "none" and tuple(target) != (h, w):
        raise SizeMismatch(f"images are {w}x{h}, not {target[1]}x{target[0]}, and data.resize is 'none'")
    out = np.empty((n, want_c, target[0], target[1]), dtype=np.uint8)
    for i in range(n):
        if reporter is not None and i % 256 == 0:
            reporter.step(i, n, "converting images")
        img = to_channels(from_chw(images[i]), want_c)
        out[i] = to_chw(resize(img, tuple(target), policy))
    return out, (n if tuple(target) != (h, w) else 0)
