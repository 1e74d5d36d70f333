"""``genlab export --what tensorboard``: a run's records and sample pictures as TensorBoard event files.

For runs trained without ``train.tensorboard`` (or before it existed): the loss reports, gradient
norms and evaluations of ``metrics.jsonl`` (as the run's history stands, ``read_curves``) become
scalars, every ``samples/step_*.png`` an image at its step. Wall times are the run's start (the
config's modification time) plus its seconds of training, so TensorBoard's relative axis reads true.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

from engine.errors import GenLabError
from engine.tensorboard import EventWriter, metrics_scalars
from engine.runs.folder import RunFolder
from engine.runs.workspace import read_curves

STEP_PNG = re.compile(r"^step_(\d{9})\.png$")
PNG_CHANNELS = {0: 1, 2: 3, 3: 3, 4: 2, 6: 4}   # PNG colour type -> channels


def png_size(data: bytes) -> tuple[int, int, int]:
    """(height, width, channels) from a PNG's header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return height, width, PNG_CHANNELS.get(data[25], 3)


def export_tensorboard(run_dir: str | Path, out_dir: str | Path | None = None) -> Path:
    run = RunFolder(run_dir)
    if not run.config_path.is_file():
        raise GenLabError(f"{run.path}: not a GenLab run folder (no config.json)")
    out = Path(out_dir) if out_dir is not None else run.path / "tensorboard"
    if out.exists() and not out.is_dir():
        raise GenLabError(f"{out}: exists and is not a folder; TensorBoard export writes a folder")
    if out.is_dir() and any(p.name.startswith("events.out.tfevents.") for p in out.iterdir()):
        raise GenLabError(f"{out}: already holds TensorBoard event files; export to another folder "
                          "(-o) or remove them, or TensorBoard shows every curve twice")
    start = run.config_path.stat().st_mtime
    times: dict[int, float] = {}
    try:
        writer = EventWriter(out, wall_time=start)
    except OSError as e:
        raise GenLabError(f"{out}: cannot write there ({e.strerror or e})") from None
    with writer:
        for rec in read_curves(run.path):
            step, seconds, values = metrics_scalars(rec)
            if values:
                wall = start + (seconds or 0.0)
                times[step] = wall
                writer.add_scalars(step, values, wall_time=wall)
        folder = run.path / "samples"
        names = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        for name in names:
            m = STEP_PNG.match(name)
            if not m:
                continue
            data = (folder / name).read_bytes()
            try:
                h, w, c = png_size(data)
            except ValueError:
                continue                      # a torn picture: left out, the rest still exported
            step = int(m.group(1))
            writer.add_png(step, "samples", data, h, w, c, wall_time=times.get(step, start))
    return out
