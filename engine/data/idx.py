"""IDX files (MNIST's format), plain or gzipped, and folders in MNIST's layout.

An IDX file is a 4-byte magic (two zero bytes, a type code, the number of dimensions), one
big-endian uint32 per dimension, then the values. The header is checked against the bytes that
follow before anything is allocated, and a gzipped file is decompressed only up to the size its
header promises, so a hostile or damaged file can neither exhaust memory nor pass as a short one.

A folder in MNIST's layout holds ``train-images*`` and ``t10k-images*`` (and optional
``train-labels*``/``t10k-labels*``), which become the train and test splits as they are.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from engine.data.arrays import (array_to_dataset, check_array_header, check_count, check_labels, images_dataset,
                                images_to_u8)
from engine.data.spec import Dataset
from engine.errors import DataError

IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
MAX_IDX_BYTES = 4 * 2**30
GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 22


def looks_like_idx(head: bytes) -> bool:
    return len(head) >= 4 and head[0] == 0 and head[1] == 0 and head[2] in IDX_TYPES and 1 <= head[3] <= 4


def _read_exact(fh, n: int) -> bytes:
    """Up to ``n`` bytes, looping because gzip streams return short reads."""
    parts, got = [], 0
    while got < n:
        part = fh.read(min(_CHUNK, n - got))
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def read_idx(path: Path, max_items: int, reporter=None) -> np.ndarray:
    """The array in an IDX file (gzipped or not, told apart by content, not by name)."""
    gz = False
    try:
        with open(path, "rb") as raw:
            gz = raw.read(2) == GZIP_MAGIC
        opener = gzip.open if gz else open
        with opener(path, "rb") as fh:
            head = _read_exact(fh, 4)
            if not looks_like_idx(head):
                raise DataError(f"{path}: not an IDX file (its first bytes are {head.hex() or 'missing'}; "
                                "IDX starts with 00 00, a type code and the number of dimensions)")
            ndim = head[3]
            dims_raw = _read_exact(fh, 4 * ndim)
            if len(dims_raw) < 4 * ndim:
                raise DataError(f"{path}: truncated IDX header")
            dims = struct.unpack(f">{ndim}I", dims_raw)
            dtype = np.dtype(IDX_TYPES[head[2]])
            count = 1
            for d in dims:
                count *= d
            nbytes = count * dtype.itemsize
            if dims[0] > max_items:
                raise DataError(f"{path}: {dims[0]} examples is more than the limit of {max_items} "
                                "(raise data.max_items to allow it)")
            if nbytes > MAX_IDX_BYTES:
                raise DataError(f"{path}: the header promises {nbytes / 2**30:.1f} GB of data "
                                f"(shape {dims}), over the {MAX_IDX_BYTES // 2**30} GB limit")
            check_array_header(dims, dtype, str(path), max_items)  # the data, its copy and float32 tensor
            if reporter is not None:
                reporter.step(0, 1, f"reading {path.name}")
            data = _read_exact(fh, nbytes + 1)
    except DataError:
        raise
    except (OSError, EOFError, zlib.error) as e:
        raise DataError(f"{path}: cannot be read ({'damaged gzip data: ' if gz else ''}{e})") from None
    if len(data) < nbytes:
        raise DataError(f"{path}: truncated: the header promises {nbytes} bytes of data (shape {dims}), "
                        f"the file holds {len(data)}")
    if len(data) > nbytes:
        raise DataError(f"{path}: has bytes after the {nbytes} its header promises (shape {dims}); "
                        "the file is damaged or not IDX")
    return np.frombuffer(data, dtype=dtype).reshape(dims).astype(dtype.newbyteorder("="))


def load_idx_file(path: Path, cfg, reporter=None) -> Dataset:
    """One IDX file of images (N, H, W[, C]) or points (N, 2), split by ``cfg.seed``."""
    arr = read_idx(path, cfg.max_items, reporter)
    if arr.ndim == 1:
        raise DataError(f"{path}: holds a 1-D array of {len(arr)} values (labels?); give the images file, "
                        "or the folder holding both")
    ds = array_to_dataset(arr, str(path), cfg.max_items, seed=cfg.seed, cfg=cfg, reporter=reporter)
    ds.preparation["format"] = "idx"
    return ds


def _find(folder: Path, prefix: str) -> Path | None:
    """The one file starting with ``prefix`` (train-images, ...); plain beats .gz when both exist."""
    hits = sorted(p for p in folder.iterdir() if p.is_file() and p.name.lower().startswith(prefix)
                  and not p.name.startswith("."))
    if not hits:
        return None
    plain = [p for p in hits if not p.name.lower().endswith(".gz")]
    return (plain or hits)[0]


def _idx_head(path: Path) -> bool:
    """Whether the file starts like IDX, looking inside gzip when it is gzipped."""
    try:
        with open(path, "rb") as raw:
            gz = raw.read(2) == GZIP_MAGIC
        with (gzip.open if gz else open)(path, "rb") as fh:
            return looks_like_idx(fh.read(4))
    except (OSError, EOFError, zlib.error):
        return False


def is_idx_folder(folder: Path) -> bool:
    """A folder with a train-images* or t10k-images* file that really is IDX (not, say, a PNG so named)."""
    try:
        found = [_find(folder, "train-images"), _find(folder, "t10k-images")]
    except OSError:
        return False
    return any(p is not None and _idx_head(p) for p in found)


def read_idx_folder(folder: Path, max_items: int, reporter=None) -> dict:
    """{'train': (images, labels|None), 'test': (...)} from a folder in MNIST's layout."""
    found = {s: (_find(folder, f"{p}-images"), _find(folder, f"{p}-labels"))
             for s, p in (("train", "train"), ("test", "t10k"))}
    missing = [f"{p}-images" for s, p in (("train", "train"), ("test", "t10k")) if found[s][0] is None]
    if missing:
        raise DataError(f"{folder}: an IDX folder needs both train-images and t10k-images files; "
                        f"missing {', '.join(missing)}")
    out = {}
    for split, (img_path, lab_path) in found.items():
        images = read_idx(img_path, max_items, reporter)
        if images.ndim not in (3, 4):
            raise DataError(f"{img_path}: expected images (N, H, W), got shape {images.shape}")
        labels = None
        if lab_path is not None:
            labels = check_labels(read_idx(lab_path, max_items, reporter), len(images), str(lab_path))
        out[split] = (images, labels, img_path)
    has_labels = all(out[s][1] is not None for s in out)
    return {s: (im, lab if has_labels else None, p) for s, (im, lab, p) in out.items()}


def load_idx_folder(folder: Path, cfg, reporter=None, class_names=None, name: str | None = None,
                    source: str | None = None) -> Dataset:
    parts = read_idx_folder(folder, cfg.max_items, reporter)
    u8 = {}
    for split, (images, _, img_path) in parts.items():
        u8[split], prep = images_to_u8(images, str(img_path))
        check_count(len(images), str(img_path), cfg.max_items)
    if u8["train"].shape[1:] != u8["test"].shape[1:]:
        raise DataError(f"{folder}: train images {u8['train'].shape[1:]} and test images "
                        f"{u8['test'].shape[1:]} differ in shape")
    prep.update(format="idx folder", splits="train-* / t10k-* files")
    return images_dataset(str(folder), u8["train"], u8["test"], cfg, parts["train"][1], parts["test"][1],
                          class_names=class_names, name=name or folder.name, preparation=prep,
                          reporter=reporter, source=source)
