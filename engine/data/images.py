"""A folder of a person's own pictures: recursive, any format Pillow decodes, labels from subfolders.

Two passes. The first reads only headers (fast) to learn sizes and modes, so the target size and
channel count can be chosen before any pixel is decoded: the settings' values, else the files'
common size (at most ``MAX_KEEP_SIDE``) and mode, else RGB 32x32 by the resize policy. The second
decodes every image fully (a header that opens is not enough: truncated files fail here, and PNG
chunk checksums are verified), converts and resizes it. A file that fails is skipped with its
reason in ``Dataset.skipped``, or stops the load in strict mode. Both passes report progress and
honour cancellation between files. Hidden files and folders (names starting with '.') are ignored.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, UnidentifiedImageError

from engine.data import imageops
from engine.data.arrays import check_images, images_dataset, split_indices
from engine.data.progress import Reporter
from engine.data.spec import Dataset
from engine.errors import DataError

MAX_KEEP_SIDE = 128          # larger common sizes are brought down to DEFAULT_SIDE unless image_size says
DEFAULT_SIDE = 32
MAX_PIXELS = 80_000_000      # per image; more is a decompression bomb or not a picture for these models
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif", ".tif", ".tiff", ".ppm", ".pgm", ".pbm"}


def list_files(root: Path, max_files: int, reporter: Reporter) -> list[Path]:
    """Every non-hidden regular file under ``root``, sorted, not following symlinked folders."""
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=None, followlinks=False):
        reporter.check()
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name in ("Thumbs.db", "desktop.ini"):
                continue
            path = Path(dirpath) / name
            if path.is_file():
                files.append(path)
        if len(files) > max_files:
            raise DataError(f"{root}: holds more than {max_files} files, the limit "
                            "(raise data.max_items to allow more)")
        reporter.update(len(files), 0, f"listing files: {len(files)}")
    return files


def _reason(e: Exception) -> str:
    if isinstance(e, UnidentifiedImageError):
        return "not an image (no decoder recognises it)"
    if isinstance(e, Image.DecompressionBombError):
        return f"too large: {e}"
    text = str(e) or type(e).__name__
    return f"truncated or corrupt image: {text}" if isinstance(e, (OSError, SyntaxError, EOFError)) else \
        f"cannot be decoded ({type(e).__name__}: {text})"


def read_header(path: Path) -> tuple[tuple[int, int], str]:
    """((width, height), 'grey'|'rgb'|'rgba') from the header only; raises on a non-image."""
    with Image.open(path) as im:
        w, h = im.size
        if w < 1 or h < 1:
            raise ValueError(f"has size {w}x{h}")
        if w * h > MAX_PIXELS:
            raise Image.DecompressionBombError(f"{w}x{h} pixels (limit {MAX_PIXELS})")
        return (w, h), imageops.mode_kind(im)


def decode(path: Path, channels: int, size: tuple[int, int], policy: str) -> tuple[np.ndarray, bool]:
    """Fully decode the first frame, convert and resize; (uint8 (C, H, W), whether it was resampled)."""
    with Image.open(path) as im:
        if im.format == "PNG":
            im.verify()  # chunk CRCs: catches damage that still decompresses
    with Image.open(path) as im:
        im.seek(0)
        im.load()
        img = imageops.to_channels(im, channels)
        resized = img.size != (size[1], size[0])
        img = imageops.resize(img, size, policy)
        return imageops.to_chw(img), resized


def choose_target(sizes: list[tuple[int, int]], kinds: list[str], cfg) -> tuple[tuple[int, int], int, list[str]]:
    """Target (height, width), channels, and notes on what was chosen for the person."""
    notes = []
    kind_counts = Counter(kinds)
    if cfg.channels:
        channels = cfg.channels
    elif set(kind_counts) == {"grey"}:
        channels = 1
    elif set(kind_counts) == {"rgba"}:
        channels = 4
    else:
        channels = 3
        if len(kind_counts) > 1:
            notes.append(f"files mix {', '.join(sorted(kind_counts))} pixels: using RGB (set data.channels to choose)")
    size_counts = Counter(sizes)
    common = size_counts.most_common(1)[0][0]
    if cfg.image_size:
        size = (cfg.image_size, cfg.image_size)
    elif len(size_counts) == 1 and max(common) <= MAX_KEEP_SIDE:
        size = (common[1], common[0])
    elif cfg.resize == "none":
        size = (common[1], common[0])
        notes.append(f"files have {len(size_counts)} sizes: keeping the most common, {common[0]}x{common[1]}")
    else:
        size = (DEFAULT_SIDE, DEFAULT_SIDE)
        what = f"{len(size_counts)} different sizes" if len(size_counts) > 1 else f"size {common[0]}x{common[1]}"
        notes.append(f"files have {what}: using {DEFAULT_SIDE}x{DEFAULT_SIDE} ({cfg.resize}); "
                     "set data.image_size to choose")
    return size, channels, notes


def _labels(root: Path, paths: list[Path]) -> tuple[np.ndarray | None, tuple[str, ...], str]:
    """Class per image from its first subfolder; None unless every image sits in one and there are 2+."""
    tops = []
    for p in paths:
        parts = p.relative_to(root).parts
        if len(parts) < 2:
            return None, (), "images sit directly in the folder: no labels"
        tops.append(parts[0])
    names = tuple(sorted(set(tops)))
    if len(names) < 2:
        return None, (), "one subfolder: no labels"
    index = {n: i for i, n in enumerate(names)}
    return np.asarray([index[t] for t in tops], dtype=np.int64), names, f"labels from {len(names)} subfolder names"


def load_image_folder(root: Path, cfg, reporter: Reporter | None = None) -> Dataset:
    reporter = reporter or Reporter()
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # truncated files must fail, whatever another library set
    files = list_files(root, cfg.max_items, reporter)
    if not files:
        raise DataError(f"{root}: the folder is empty (no files, hidden ones aside)")
    skipped: list[tuple[str, str]] = []

    def skip(path: Path, reason: str) -> None:
        if cfg.strict:
            raise DataError(f"{path}: {reason} (strict mode stops at the first bad file)")
        skipped.append((str(path), reason))

    good, sizes, kinds = [], [], []
    for i, path in enumerate(files):
        reporter.step(i, len(files), "reading headers")
        try:
            size, kind = read_header(path)
        except Exception as e:  # any decoder error is a reason to skip this file, never a crash
            skip(path, _reason(e))
            continue
        good.append(path)
        sizes.append(size)
        kinds.append(kind)
    if not good:
        first = "; ".join(f"{Path(p).name}: {r}" for p, r in skipped[:3])
        raise DataError(f"{root}: none of its {len(files)} files is a readable image ({first})")
    size, channels, notes = choose_target(sizes, kinds, cfg)
    check_images(len(good), channels, size[0], size[1], str(root), f"{len(good)} images at {size[1]}x{size[0]}")
    out = np.empty((len(good), channels, size[0], size[1]), dtype=np.uint8)
    keep = np.zeros(len(good), dtype=bool)
    n_resized = 0
    for i, path in enumerate(good):
        reporter.step(i, len(good), "decoding images")
        try:
            out[i], resized = decode(path, channels, size, cfg.resize)
        except Exception as e:  # truncated, corrupt, unsupported pixel values, wrong size under 'none'
            reason = str(e) if isinstance(e, imageops.SizeMismatch) else _reason(e)
            skip(path, reason)
            continue
        keep[i] = True
        n_resized += resized
    reporter.update(len(good), len(good), "decoding images", force=True)
    kept = [p for p, k in zip(good, keep) if k]
    if not kept:
        first = "; ".join(f"{Path(p).name}: {r}" for p, r in skipped[:3])
        raise DataError(f"{root}: no image could be decoded ({first})")
    images = out[keep]
    labels, class_names, label_note = _labels(root, kept)
    train, test = split_indices(len(images), cfg.seed)
    if n_resized:
        notes.append(f"resized {n_resized} of {len(images)} images to {size[1]}x{size[0]} ({cfg.resize})")
    if skipped:
        notes.append(f"{len(skipped)} of {len(files)} files were left out (each is listed with its reason)")
    prep = {"format": "image folder", "files": len(files), "images": len(images), "skipped": len(skipped),
            "channels_from": "data.channels" if cfg.channels else "files", "resize": cfg.resize,
            "resized": n_resized, "labels": label_note, "split_seed": cfg.seed, **imageops.CONVERSION_RECORD}
    ds = images_dataset(str(root), images[train], images[test], None,
                        None if labels is None else labels[train], None if labels is None else labels[test],
                        class_names=class_names or None, name=root.name, preparation=prep)
    ds.skipped = skipped
    ds.notes = notes + ds.notes
    ds.source = f"image folder {root}"
    return ds
