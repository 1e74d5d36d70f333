"""Where a run folder keeps its sample grids, and how to list them: plain Python, no PyTorch.

The window's Samples dock lists a run's grids before PyTorch has loaded and while another process
writes them, so the listing lives here rather than in ``engine.runs.folder`` (which loads PyTorch):
one place names the files (``samples/step_<9 digits>.png``) for the writer and every reader.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from engine.safe_io import is_regular_file

SAMPLES_DIR = "samples"
_SAMPLE_NAME = re.compile(r"^step_(\d+)\.(?:png|txt)$")   # a picture, or generated text one per line


def sample_name(step: int, suffix: str = ".png") -> str:
    """The file name of the grid drawn at ``step`` (``.npy`` for the points beside a scatter picture)."""
    return f"step_{int(step):09d}{suffix}"


def sample_grids(run_dir: str | Path) -> list[tuple[int, Path]]:
    """(step, path) of every stored sample grid (or text sample list) of the run, in step order. Only regular files count:
    a FIFO or a device among them (a folder from elsewhere) is never opened by a reader."""
    folder = Path(run_dir) / SAMPLES_DIR
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = []
    for name in names:
        m = _SAMPLE_NAME.match(name)
        if m and is_regular_file(folder / name):
            found.append((int(m.group(1)), folder / name))
    return sorted(found)
