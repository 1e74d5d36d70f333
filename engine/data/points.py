"""2D point sets from a person: CSV files, and point clouds drawn with the mouse.

CSV: one point per line, ``x,y`` (commas, semicolons, tabs or spaces), an optional header line,
optional third column of integer class labels, ``#`` comments. Errors name the file and the line.

Drawn sets: the window paints points and stores them in ``DataConfig.points`` with
``name = "drawn"`` (see ``engine.config.drawn_config``; ``engine.point_list`` parses and checks such a
list without loading PyTorch, so the config validates it). The points therefore live in the run's ``config.json``
(and in every checkpoint's sidecar), so the run reproduces and its evaluation can be repeated from
the run folder alone, wherever it is copied. ``write_points_csv`` exports a drawing as a CSV that
loads back with ``--data FILE.csv`` to the very same float32 values.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from engine.atomic import write_text_atomic
from engine.data.arrays import array_to_dataset
from engine.data.spec import Dataset
from engine.errors import DataError
from engine.point_list import MAX_DRAWN_POINTS, parse_point_list

MAX_CSV_BYTES = 512 * 1024 * 1024
DRAWN_NAME = "drawn"
_SPLIT = re.compile(r"[,;\t ]+")


def load_drawn(cfg) -> Dataset:
    """The drawn points in ``cfg.points`` as a dataset, split into train and test by ``cfg.seed``."""
    try:
        arr = parse_point_list(cfg.points).astype(np.float32)
    except ValueError as e:
        raise DataError(f"drawn points: data.points must be [x, y] pairs of finite numbers ({e})") from None
    if len(arr) == 0:
        raise DataError("drawn points: there are no points yet; draw some first (at least 3)")
    if len(arr) > MAX_DRAWN_POINTS:
        raise DataError(f"drawn points: {len(arr)} points is more than the {MAX_DRAWN_POINTS} a drawing may hold")
    ds = array_to_dataset(arr, "drawn points", cfg.max_items, seed=cfg.seed, name=DRAWN_NAME)
    ds.source = f"{len(arr)} drawn points (kept in the run config)"
    ds.preparation = {"format": "drawn points", "stored_in": "data.points", "dtype": "float32"}
    return ds


# ---- CSV ------------------------------------------------------------------------------------------------
def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def read_points_csv(path: Path, max_items: int) -> tuple[np.ndarray, np.ndarray | None]:
    """(N, 2) float64 coordinates and optional int64 labels from a CSV file, validated line by line."""
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise DataError(f"{path}: {size / 2**20:.0f} MB is too large for a CSV of points "
                            f"(limit {MAX_CSV_BYTES // 2**20} MB); save it as .npy instead")
        raw = path.read_bytes()
    except OSError as e:
        raise DataError(f"{path}: cannot be read ({e.strerror or e})") from None
    if b"\x00" in raw[:65536]:
        raise DataError(f"{path}: is a binary file, not a CSV of points")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: is not UTF-8 text (byte {e.start}); expected a CSV of x,y points") from None
    coords, labels = [], []
    columns = None
    first = True
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        cells = [c.strip().strip('"\'') for c in _SPLIT.split(line) if c.strip()]
        if first:
            first = False
            if not all(_is_number(c) for c in cells[:2]):
                continue  # a header line such as "x,y"
        if columns is None:
            if len(cells) not in (2, 3):
                raise DataError(f"{path}: line {lineno}: expected 2 columns (x, y) or 3 (x, y, label), "
                                f"found {len(cells)}")
            columns = len(cells)
        if len(cells) != columns:
            raise DataError(f"{path}: line {lineno}: expected {columns} values like the lines before, found {len(cells)}")
        try:
            x, y = float(cells[0]), float(cells[1])
        except ValueError:
            bad = next(c for c in cells[:2] if not _is_number(c))
            raise DataError(f"{path}: line {lineno}: '{bad[:40]}' is not a number") from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise DataError(f"{path}: line {lineno}: contains NaN or infinite values")
        coords.append((x, y))
        if columns == 3:
            lab = cells[2]
            if not re.fullmatch(r"\d{1,9}", lab):
                raise DataError(f"{path}: line {lineno}: label '{lab[:40]}' is not a non-negative integer")
            labels.append(int(lab))
        if len(coords) > max_items:
            raise DataError(f"{path}: more than {max_items} points, the limit "
                            "(raise data.max_items to allow more)")
    if not coords:
        raise DataError(f"{path}: holds no points (expected lines of x,y)")
    y_arr = np.asarray(labels, dtype=np.int64) if columns == 3 else None
    return np.asarray(coords, dtype=np.float64), y_arr


def load_csv(path: Path, cfg, reporter=None) -> Dataset:
    coords, labels = read_points_csv(path, cfg.max_items)
    ds = array_to_dataset(coords, str(path), cfg.max_items, labels=labels, seed=cfg.seed)
    ds.preparation = {"format": "csv points", "dtype": "float32", "labels": labels is not None}
    return ds


def write_points_csv(path: str | Path, points, labels=None) -> Path:
    """Write points (and optional labels) as a CSV that ``load_csv`` reads back exactly (float32 values)."""
    arr = np.asarray(points, dtype=np.float32)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise DataError(f"{path}: points must have shape (N, 2), got {arr.shape}")
    header = "x,y,label" if labels is not None else "x,y"
    lines = [header]
    labs = None if labels is None else np.asarray(labels, dtype=np.int64)
    for i, (x, y) in enumerate(arr):
        # repr of the float32 value as a Python float: parses back to the same float32
        row = f"{float(x)!r},{float(y)!r}"
        lines.append(row if labs is None else f"{row},{int(labs[i])}")
    path = Path(path)
    write_text_atomic(path, "\n".join(lines) + "\n")
    return path
