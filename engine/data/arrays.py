"""A person's own arrays: ``.npy``/``.npz`` of points (N, 2) or images (N, H, W[, C]).

Validation happens here, with messages that name the file: wrong rank or dtype, NaN or Inf, zero
variance, too many examples, absurd sizes, bad labels. Loading never unpickles
(``allow_pickle=False``). Every image source (arrays, IDX, folders, downloads) ends in
``images_dataset``, so the checks and the preparation record are the same for all of them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import torch
from numpy.lib import format as npformat

from engine.budget import available, size_text
from engine.data import imageops
from engine.data.spec import DataSpec, Dataset
from engine.errors import DataError

TEST_FRACTION = 0.1
SPLIT_SEED = 1234
MAX_CLASSES = 1000
MAX_SIDE = 4096
MAX_TENSOR_BYTES = 8 * 2**30          # float32 bytes of one split's tensor
MAX_NPZ_MEMBER_BYTES = 8 * 2**30      # uncompressed size of one array inside a .npz
_READ_ERRORS = (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError, IndexError, TypeError,
                OverflowError, MemoryError, RuntimeError, UnicodeDecodeError)


def check_room(nbytes: int, float_bytes: int, where: str, what: str,
               hint: str = "lower data.max_items or data.image_size") -> None:
    """Refuse, before allocating, data whose float32 tensors would pass ``MAX_TENSOR_BYTES`` or whose
    loading (``nbytes`` in all) would take more memory than is free. Sizes come from headers and
    settings, so a file cannot lie its way past: its data is read only after this."""
    if float_bytes > MAX_TENSOR_BYTES:
        raise DataError(f"{where}: {what} would need {size_text(float_bytes)} as float32 tensors, more than "
                        f"{size_text(MAX_TENSOR_BYTES)}; {hint}")
    have = available()
    if nbytes > have:
        raise DataError(f"{where}: {what} would need {size_text(nbytes)} of memory to load, more than the "
                        f"{size_text(have)} free; {hint}")


def check_images(n: int, c: int, h: int, w: int, where: str, what: str) -> None:
    """n images held as uint8 and then as the float32 tensor every model reads."""
    count = int(n) * int(c) * int(h) * int(w)
    check_room(count * 5, count * 4, where, what)


def check_array_header(shape, dtype, where: str, max_items: int) -> None:
    """Judge an array by its header alone: examples, and the memory of its copy plus the float32
    tensor it becomes. Called before any of its data is read."""
    shape = tuple(int(d) for d in shape)
    if shape and shape[0] > max_items:
        raise DataError(f"{where}: {shape[0]} examples is more than the limit of {max_items} "
                        "(raise data.max_items to allow it)")
    count = 1
    for d in shape:
        count *= d
    check_room(count * (np.dtype(dtype).itemsize + 5), count * 4, where, f"an array of shape {shape} ({np.dtype(dtype)})")


def split_indices(n: int, seed: int = SPLIT_SEED, test_fraction: float = TEST_FRACTION):
    """A seeded train/test split; a tiny set still gets one test example and one training one."""
    order = np.random.default_rng(seed).permutation(n)
    n_test = min(max(1, int(round(n * test_fraction))), max(n - 1, 1))
    if n == 1:
        return order, order
    return order[n_test:], order[:n_test]


def check_labels(y, n: int, where: str) -> np.ndarray:
    """Labels as int64 class indices 0..K-1 with K <= MAX_CLASSES, one per example."""
    y = np.asarray(y)
    if y.dtype.kind not in "biu" and not (y.dtype.kind == "f" and np.isfinite(y).all()
                                            and np.array_equal(y, np.round(y))):
        raise DataError(f"{where}: labels must be whole numbers, got dtype {y.dtype}")
    if y.ndim != 1 or len(y) != n:
        raise DataError(f"{where}: expected {n} labels (one per example), got shape {y.shape}")
    if n and (y.min() < 0 or y.max() >= MAX_CLASSES):
        raise DataError(f"{where}: labels must lie in 0..{MAX_CLASSES - 1}, found {y.min()}..{y.max()}")
    return y.astype(np.int64)


def check_count(n: int, where: str, max_items: int) -> None:
    if n == 0:
        raise DataError(f"{where}: the array is empty")
    if n > max_items:
        raise DataError(f"{where}: {n} examples is more than the limit of {max_items} "
                        "(raise data.max_items to allow it)")


def _check_numeric(arr: np.ndarray, where: str) -> None:
    if arr.dtype == object or arr.dtype.kind not in "biuf" or arr.dtype.fields is not None:
        raise DataError(f"{where}: arrays of dtype {arr.dtype} are not supported; use numbers (uint8 or float)")


def _channels_first(arr: np.ndarray, where: str) -> np.ndarray:
    if arr.ndim == 3:
        return arr[:, None]
    if arr.ndim == 4 and arr.shape[-1] in (1, 3, 4) and arr.shape[1] not in (1, 3, 4):
        return np.transpose(arr, (0, 3, 1, 2))
    if arr.ndim == 4 and arr.shape[1] in (1, 3, 4):
        return arr
    raise DataError(f"{where}: expected (N, 2) points or (N, H, W[, C]) images with C = 1, 3 or 4, "
                    f"got shape {arr.shape}")


def images_to_u8(arr: np.ndarray, where: str) -> tuple[np.ndarray, dict]:
    """Validate image values and return uint8 (N, C, H, W) plus how the values were mapped."""
    _check_numeric(arr, where)
    arr = _channels_first(arr, where)
    c, h, w = arr.shape[1:]
    if h < 2 or w < 2 or h > MAX_SIDE or w > MAX_SIDE:
        raise DataError(f"{where}: image size {h}x{w} is out of range (2 to {MAX_SIDE} pixels a side)")
    if arr.dtype.kind == "b":
        return np.ascontiguousarray(arr, dtype=np.uint8) * np.uint8(255), {"values": "booleans to 0 and 1"}
    if arr.dtype.kind == "f":
        finite = np.isfinite(arr)
        if not finite.all():
            raise DataError(f"{where}: contains {int((~finite).sum())} NaN or infinite values")
        lo, hi = float(arr.min()), float(arr.max())
        if lo >= 0 and hi <= 1:
            scale, text = 255.0, "floats in [0, 1] rounded to 256 levels"
        elif lo >= 0 and hi <= 255:
            scale, text = 1.0, "floats in [0, 255] rounded to whole levels"
        else:
            raise DataError(f"{where}: float images must lie in [0, 1] or [0, 255], found [{lo:.3g}, {hi:.3g}]")
        return np.rint(np.asarray(arr, dtype=np.float64) * scale).astype(np.uint8), {"values": text}
    lo, hi = int(arr.min()), int(arr.max())
    if lo < 0 or hi > 255:
        raise DataError(f"{where}: integer images must lie in 0..255, found {lo}..{hi}")
    return np.ascontiguousarray(arr, dtype=np.uint8), {"values": "integers 0..255"}


def _u8_tensor(u8: np.ndarray, where: str) -> torch.Tensor:
    if u8.size * 4 > MAX_TENSOR_BYTES:
        raise DataError(f"{where}: {u8.shape} images need {u8.size * 4 / 2**30:.1f} GB as floats, more than "
                        f"{MAX_TENSOR_BYTES // 2**30} GB; lower data.image_size or data.max_items")
    return torch.from_numpy(u8).to(torch.float32).div_(255.0)


def images_dataset(where: str, train: np.ndarray, test: np.ndarray, cfg=None, y_train=None, y_test=None,
                   class_names=None, name: str | None = None, preparation: dict | None = None,
                   reporter=None, source: str | None = None) -> Dataset:
    """uint8 (N, C, H, W) splits -> a Dataset, after the person's size and channel settings."""
    prep = dict(preparation or {})
    notes = []
    n_all = len(train) + len(test)
    if cfg is not None and (cfg.image_size or cfg.channels):
        size = (cfg.image_size, cfg.image_size) if cfg.image_size else None
        h, w = size or train.shape[2:]
        check_images(n_all, cfg.channels or train.shape[1], h, w, where, f"{n_all} images at {w}x{h}")
        try:
            train, n1 = imageops.conform(train, size, cfg.channels, cfg.resize, reporter)
            test, n2 = imageops.conform(test, size, cfg.channels, cfg.resize, reporter)
        except imageops.SizeMismatch as e:
            raise DataError(f"{where}: {e}") from None
        if n1 + n2:
            notes.append(f"resized {n1 + n2} images to {train.shape[3]}x{train.shape[2]} ({cfg.resize})")
            prep.update(resize=cfg.resize, resample=imageops.RESAMPLE.name.lower())
        prep.update(imageops.CONVERSION_RECORD if cfg.channels else {})
    for split, arr in (("train", train), ("test", test)):
        if len(arr) == 0:
            raise DataError(f"{where}: the {split} split is empty")
    x_train, x_test = _u8_tensor(train, where), _u8_tensor(test, where)
    lo, hi = float(x_train.min()), float(x_train.max())
    if len(x_train) + len(x_test) > 1 and lo == hi and float(x_test.min()) == lo and float(x_test.max()) == lo:
        raise DataError(f"{where}: every pixel of every image has the same value ({lo * 255:.0f})")
    c, h, w = x_train.shape[1:]
    kw = {}
    if y_train is not None and y_test is not None:
        y_train, y_test = torch.from_numpy(y_train), torch.from_numpy(y_test)
        k = int(max(y_train.max().item() if len(y_train) else 0, y_test.max().item() if len(y_test) else 0)) + 1
        names = tuple(class_names)[:k] if class_names else ()
        names = names + tuple(str(i) for i in range(len(names), k))
        kw = dict(num_classes=k, class_names=names)
    else:
        y_train = y_test = None
    spec = DataSpec(kind="image", shape=(c, h, w), value_range=(0.0, 1.0), levels=256,
                    name=name or Path(where).stem, **kw)
    prep.update(kind="image", size=[int(h), int(w)], channels=int(c), levels=256)
    return Dataset(spec=spec, x_train=x_train, x_test=x_test, y_train=y_train, y_test=y_test,
                   source=source or where, notes=notes, preparation=prep)


def points_tensor(arr: np.ndarray, where: str, min_points: int = 3, check_variance: bool = True) -> torch.Tensor:
    """Validated (N, 2) coordinates as float32: finite, not absurd, varying in both coordinates."""
    finite = np.isfinite(arr)
    if not finite.all():
        raise DataError(f"{where}: contains {int((~finite).sum())} NaN or infinite values")
    n = arr.shape[0]
    if n < min_points:
        raise DataError(f"{where}: {n} points is too few; a point set needs at least {min_points}")
    x64 = np.asarray(arr, dtype=np.float64)
    if np.abs(x64).max() > 1e15:
        raise DataError(f"{where}: coordinates reach {np.abs(x64).max():.3g}; rescale them below 1e15")
    if check_variance and (x64.std(0) == 0).any():
        raise DataError(f"{where}: a coordinate has zero variance (all points share it)")
    return torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32))


def points_spec(where: str, name: str | None, labels) -> DataSpec:
    kw = {}
    if labels is not None:
        k = int(max(int(y.max()) for y in labels if len(y))) + 1
        kw = dict(num_classes=k, class_names=tuple(str(i) for i in range(k)))
    return DataSpec(kind="points", shape=(2,), value_range=(-float("inf"), float("inf")),
                    name=name or Path(where).stem, **kw)


def points_dataset(where: str, arr: np.ndarray, seed: int, labels=None, name: str | None = None) -> Dataset:
    """Validated (N, 2) coordinates -> a Dataset split into train and test by ``seed``."""
    x = points_tensor(arr, where)
    n = len(x)
    train, test = split_indices(n, seed)
    y_train = y_test = None
    if labels is not None:
        y = torch.from_numpy(check_labels(labels, n, where))
        y_train, y_test = y[train], y[test]
    spec = points_spec(where, name, None if labels is None else [y_train, y_test])
    return Dataset(spec=spec, x_train=x[train], x_test=x[test], y_train=y_train, y_test=y_test, source=where,
                   preparation={"kind": "points", "dtype": "float32", "split_seed": seed})


def array_to_dataset(arr: np.ndarray, where: str, max_items: int, labels: np.ndarray | None = None,
                     seed: int = SPLIT_SEED, cfg=None, name: str | None = None, reporter=None,
                     class_names=None) -> Dataset:
    """Validate an array of points or images (with optional labels) and split it into train and test."""
    arr = np.asarray(arr)
    _check_numeric(arr, where)
    if arr.ndim < 2:
        raise DataError(f"{where}: expected (N, 2) points or (N, H, W[, C]) images, got shape {arr.shape}")
    n = arr.shape[0]
    check_count(n, where, max_items)
    if labels is not None:
        labels = check_labels(labels, n, where)
    if arr.ndim == 2:
        if arr.shape[1] != 2:
            raise DataError(f"{where}: expected (N, 2) points or (N, H, W[, C]) images, got shape {arr.shape}")
        return points_dataset(where, arr, seed, labels, name)
    u8, prep = images_to_u8(arr, where)
    train, test = split_indices(n, seed)
    prep["split_seed"] = seed
    return images_dataset(where, u8[train], u8[test], cfg, None if labels is None else labels[train],
                          None if labels is None else labels[test], class_names, name, prep, reporter)


# ---- files ------------------------------------------------------------------------------------------------
def _read_npy(path: Path, max_items: int) -> np.ndarray:
    try:
        arr = np.load(path, allow_pickle=False, mmap_mode="r")
    except ValueError as e:
        raise DataError(f"{path}: not a plain NumPy array ({e})") from None
    except _READ_ERRORS as e:
        raise DataError(f"{path}: cannot be read as a .npy file ({type(e).__name__}: {e})") from None
    if not isinstance(arr, np.ndarray):
        raise DataError(f"{path}: not a single NumPy array")
    _check_numeric(arr, str(path))
    check_array_header(arr.shape, arr.dtype, str(path), max_items)  # from the header; nothing read yet
    try:
        return np.array(arr)
    except _READ_ERRORS as e:
        raise DataError(f"{path}: cannot be read as a .npy file ({type(e).__name__}: {e})") from None


def load_npy(path: Path, cfg, reporter=None) -> Dataset:
    arr = _read_npy(path, cfg.max_items)
    ds = array_to_dataset(arr, str(path), cfg.max_items, seed=cfg.seed, cfg=cfg, reporter=reporter)
    ds.preparation["format"] = "npy"
    return ds


NPZ_IMAGE_KEYS = ("x", "images", "points", "data", "X", "arr_0")
NPZ_LABEL_KEYS = ("y", "labels", "targets", "Y", "arr_1")


def _member_header(npz, info, path: Path, key: str):
    """(shape, dtype) from the .npy header at the start of a zip member: a few hundred bytes are
    decompressed, never the data, so a zip bomb is judged by what it promises."""
    try:
        with npz.zip.open(info) as fh:
            version = npformat.read_magic(fh)
            if version == (1, 0):
                shape, _fortran, dtype = npformat.read_array_header_1_0(fh)
            else:
                shape, _fortran, dtype = npformat.read_array_header_2_0(fh)
    except _READ_ERRORS as e:
        raise DataError(f"{path}: array '{key}' has no readable .npy header ({type(e).__name__}: {e})") from None
    return shape, dtype


def _npz_member(npz, key: str, path: Path, max_items: int) -> np.ndarray:
    names = set(npz.zip.namelist())
    info = npz.zip.getinfo(key + ".npy" if key + ".npy" in names else key)
    if info.file_size > MAX_NPZ_MEMBER_BYTES:
        raise DataError(f"{path}: array '{key}' is {info.file_size / 2**30:.1f} GB uncompressed, over the "
                        f"{MAX_NPZ_MEMBER_BYTES // 2**30} GB limit")
    shape, dtype = _member_header(npz, info, path, key)
    if dtype.hasobject:
        raise DataError(f"{path}: array '{key}' holds Python objects (dtype {dtype}); only numbers are read")
    check_array_header(shape, dtype, f"{path} [{key}]", max_items)
    try:
        arr = npz[key]
    except ValueError as e:
        raise DataError(f"{path}: array '{key}' is not a plain NumPy array ({e})") from None
    except _READ_ERRORS as e:
        raise DataError(f"{path}: array '{key}' cannot be read ({type(e).__name__}: {e})") from None
    if not isinstance(arr, np.ndarray):
        raise DataError(f"{path}: member '{key}' is not a NumPy array")
    _check_numeric(arr, f"{path} [{key}]")
    if arr.shape and arr.shape[0] > max_items:
        raise DataError(f"{path}: array '{key}' has {arr.shape[0]} examples, more than the limit of {max_items} "
                        "(raise data.max_items to allow it)")
    return arr


def load_npz(path: Path, cfg, reporter=None) -> Dataset:
    """Keys x_train/x_test (+ y_train/y_test) give the splits; else one data array (x, images, ...)
    with optional labels (y, labels, ...) is split by ``cfg.seed``."""
    where = str(path)
    try:
        npz = np.load(path, allow_pickle=False)
    except _READ_ERRORS as e:
        raise DataError(f"{path}: cannot be read as a .npz archive ({type(e).__name__}: {e})") from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise DataError(f"{path}: is a single array, not a .npz archive; name it .npy")
    with npz:
        keys = list(npz.files)
        get = lambda k: _npz_member(npz, k, path, cfg.max_items)  # noqa: E731
        if "x_train" in keys and "x_test" in keys:
            xs = {s: get(f"x_{s}") for s in ("train", "test")}
            has_y = "y_train" in keys and "y_test" in keys
            ys = {s: get(f"y_{s}") for s in ("train", "test")} if has_y else None
            return _explicit_splits(where, xs, ys, cfg, reporter)
        data_key = next((k for k in NPZ_IMAGE_KEYS if k in keys), keys[0] if len(keys) == 1 else None)
        if data_key is None:
            raise DataError(f"{path}: holds arrays {', '.join(keys[:8]) or '(none)'}; expected x_train and x_test, "
                            f"or one of {', '.join(NPZ_IMAGE_KEYS)}")
        label_key = next((k for k in NPZ_LABEL_KEYS if k in keys and k != data_key), None)
        arr = get(data_key)
        labels = get(label_key) if label_key else None
    ds = array_to_dataset(arr, where, cfg.max_items, labels=labels, seed=cfg.seed, cfg=cfg, reporter=reporter)
    ds.preparation.update(format="npz", array=data_key, labels=label_key)
    return ds


def _explicit_splits(where: str, xs: dict, ys: dict | None, cfg, reporter) -> Dataset:
    for s, a in xs.items():
        _check_numeric(a, where)
        check_count(a.shape[0] if a.ndim else 0, f"{where} [x_{s}]", cfg.max_items)
    if xs["train"].ndim == 2:
        if xs["train"].shape[1:] != (2,) or xs["test"].shape[1:] != (2,):
            raise DataError(f"{where}: x_train {xs['train'].shape} and x_test {xs['test'].shape} must both be (N, 2)")
        x_tr = points_tensor(xs["train"], f"{where} [x_train]", min_points=2)
        x_te = points_tensor(xs["test"], f"{where} [x_test]", min_points=1, check_variance=False)
        y_tr = y_te = None
        if ys is not None:
            y_tr = torch.from_numpy(check_labels(ys["train"], len(x_tr), f"{where} [y_train]"))
            y_te = torch.from_numpy(check_labels(ys["test"], len(x_te), f"{where} [y_test]"))
        spec = points_spec(where, None, None if ys is None else [y_tr, y_te])
        return Dataset(spec=spec, x_train=x_tr, x_test=x_te, y_train=y_tr, y_test=y_te, source=where,
                       preparation={"kind": "points", "dtype": "float32", "format": "npz", "splits": "x_train/x_test"})
    u8 = {}
    for s in ("train", "test"):
        u8[s], prep = images_to_u8(xs[s], f"{where} [x_{s}]")
    if u8["train"].shape[1:] != u8["test"].shape[1:]:
        raise DataError(f"{where}: x_train images {u8['train'].shape[1:]} and x_test images "
                        f"{u8['test'].shape[1:]} differ in shape")
    y_tr = y_te = None
    if ys is not None:
        y_tr = check_labels(ys["train"], len(u8["train"]), f"{where} [y_train]")
        y_te = check_labels(ys["test"], len(u8["test"]), f"{where} [y_test]")
    prep.update(format="npz", splits="x_train/x_test")
    return images_dataset(where, u8["train"], u8["test"], cfg, y_tr, y_te, preparation=prep, reporter=reporter)
