"""A person's own arrays: ``.npy`` files of points (N, 2) or images (N, H, W[, C]).

Validation happens here, with messages that name the file: wrong rank or dtype, NaN or Inf, zero
variance, too many examples. Loading never unpickles (``allow_pickle=False``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from engine.data.spec import DataSpec, Dataset
from engine.errors import DataError

TEST_FRACTION = 0.1
SPLIT_SEED = 1234


def split_indices(n: int, seed: int = SPLIT_SEED, test_fraction: float = TEST_FRACTION):
    """A seeded train/test split; a tiny set still gets one test example and one training one."""
    order = np.random.default_rng(seed).permutation(n)
    n_test = min(max(1, int(round(n * test_fraction))), max(n - 1, 1))
    if n == 1:
        return order, order
    return order[n_test:], order[:n_test]


def array_to_dataset(arr: np.ndarray, where: str, max_items: int, labels: np.ndarray | None = None,
                     seed: int = SPLIT_SEED) -> Dataset:
    """Validate an array of points or images and split it into train and test."""
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise DataError(f"{where}: arrays of dtype {arr.dtype} are not supported; use numbers (uint8 or float)")
    if arr.ndim < 2:
        raise DataError(f"{where}: expected (N, 2) points or (N, H, W[, C]) images, got shape {arr.shape}")
    n = arr.shape[0]
    if n == 0:
        raise DataError(f"{where}: the array is empty")
    if n > max_items:
        raise DataError(f"{where}: {n} examples is more than the limit of {max_items} "
                        "(raise data.max_items to allow it)")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = int((~np.isfinite(arr)).sum())
        raise DataError(f"{where}: contains {bad} NaN or infinite values")
    if arr.ndim == 2 and arr.shape[1] == 2:
        x = torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32))
        if n > 1 and bool((x.std(0) == 0).any()):
            raise DataError(f"{where}: a coordinate has zero variance (all points share it)")
        spec = DataSpec(kind="points", shape=(2,), value_range=(-float("inf"), float("inf")),
                        name=Path(where).stem)
        train, test = split_indices(n, seed)
        return Dataset(spec=spec, x_train=x[train], x_test=x[test], source=where)
    if arr.ndim == 3:
        arr = arr[:, None]
    elif arr.ndim == 4 and arr.shape[-1] in (1, 3, 4) and arr.shape[1] not in (1, 3, 4):
        arr = np.transpose(arr, (0, 3, 1, 2))
    elif arr.ndim != 4:
        raise DataError(f"{where}: expected (N, 2) points or (N, H, W[, C]) images, got shape {arr.shape}")
    c, h, w = arr.shape[1:]
    if h < 2 or w < 2 or h * w * c > 4096 * 4096:
        raise DataError(f"{where}: image size {h}x{w}x{c} is out of range")
    if arr.dtype.kind == "f":
        lo, hi = float(arr.min()), float(arr.max())
        if lo < 0 or hi > 1:
            if lo >= 0 and hi <= 255:
                arr = arr / 255.0
            else:
                raise DataError(f"{where}: float images must lie in [0, 1] or [0, 255], found [{lo:.3g}, {hi:.3g}]")
        levels_u8 = np.rint(np.asarray(arr, dtype=np.float64) * 255)
    else:
        if arr.min() < 0 or arr.max() > 255:
            raise DataError(f"{where}: integer images must lie in 0..255, found {arr.min()}..{arr.max()}")
        levels_u8 = arr
    x = torch.from_numpy(np.ascontiguousarray(levels_u8, dtype=np.float32) / 255.0)
    if n > 1 and float(x.std()) == 0.0:
        raise DataError(f"{where}: every pixel of every image has the same value")
    spec_kwargs = {}
    y = None
    if labels is not None:
        y = torch.from_numpy(np.asarray(labels, dtype=np.int64))
        k = int(y.max()) + 1
        spec_kwargs = dict(num_classes=k, class_names=tuple(str(i) for i in range(k)))
    spec = DataSpec(kind="image", shape=(c, h, w), value_range=(0.0, 1.0), levels=256,
                    name=Path(where).stem, **spec_kwargs)
    train, test = split_indices(n, seed)
    return Dataset(spec=spec, x_train=x[train], x_test=x[test],
                   y_train=None if y is None else y[train], y_test=None if y is None else y[test],
                   source=where)


def load_npy(path: Path, max_items: int) -> Dataset:
    try:
        arr = np.load(path, allow_pickle=False, mmap_mode="r")
    except ValueError as e:
        raise DataError(f"{path}: not a plain NumPy array ({e})") from None
    except (OSError, EOFError) as e:
        raise DataError(f"{path}: cannot be read as a .npy file ({e})") from None
    if arr.shape and arr.shape[0] > max_items:
        raise DataError(f"{path}: {arr.shape[0]} examples is more than the limit of {max_items} "
                        "(raise data.max_items to allow it)")
    return array_to_dataset(np.array(arr), str(path), max_items)
