"""Export a run: its sample grid as a PNG that carries the run's config, a GIF of how the samples
evolved, and its metrics as CSV. (Networks as ONNX or ``torch.export`` programs: ``export_model``.)

The PNG's text chunks hold the run's full ``config.json`` (``genlab.config``), its step and the
``genlab train`` line that reproduces it, so a picture found later can rebuild its run:
``config_from_png`` reads the config back through the validated schema (with size limits; Pillow's
own caps on text chunks and pixel counts apply too), and ``genlab train --config picture.png``
accepts such a picture.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

import engine
from engine.atomic import write_bytes_atomic
from engine.config import RunConfig
from engine.errors import CheckpointError, ConfigError, GenLabError
from engine.data.text import decode_tokens
from engine.render import display_scale, image_grid, png_bytes, scatter_image, text_picture, upscale
from engine.runs.command import train_command
from engine.runs.folder import RunFolder
from engine.runs.load import load_run_model
from engine.runs.workspace import read_curves
from engine.safe_io import read_bytes, ReadRefused
from engine.training.loop import DISPLAY_SEED, MAX_DISPLAY_POINTS

CONFIG_KEY = "genlab.config"
MAX_PNG_BYTES = 64 * 1024 * 1024
MAX_FRAME_PIXELS = 16_000_000
MAX_GIF_FRAMES = 120


class ExportError(GenLabError):
    """An export could not be made (nothing to export, a file that is not ours, an unwritable place)."""


# ---- reading pictures safely ---------------------------------------------------------------------------
def _open_png(path: Path):
    """A picture as Pillow sees it, read from a regular file of at most ``MAX_PNG_BYTES`` (so a FIFO or a
    device never blocks or streams), with its pixel count checked from the header before decoding."""
    try:
        data = read_bytes(path, MAX_PNG_BYTES, "GenLab picture")
    except OSError as e:
        raise ExportError(f"{path}: cannot be read ({e.strerror or e})") from None
    except ReadRefused as e:
        raise ExportError(str(e)) from None
    try:
        img = Image.open(io.BytesIO(data))
    except Exception as e:  # Pillow raises several types for files that are not images
        raise ExportError(f"{path}: not a readable image ({type(e).__name__}: {e})") from None
    if img.format != "PNG":
        img.close()
        raise ExportError(f"{path}: is {img.format or 'not an image'}, not a PNG")
    if img.width * img.height > MAX_FRAME_PIXELS:
        img.close()
        raise ExportError(f"{path}: {img.width}x{img.height} pixels is too large")
    return img


def read_sample_image(path: Path) -> np.ndarray:
    """A sample grid from a run's ``samples/`` as a uint8 array ((H, W) grey or (H, W, 3))."""
    with _open_png(path) as img:
        try:
            img.load()
        except Exception as e:
            raise ExportError(f"{path}: damaged picture ({e})") from None
        if img.mode not in ("L", "RGB"):
            img = img.convert("RGB")
        return np.ascontiguousarray(np.asarray(img, dtype=np.uint8))


def config_from_png(path: str | Path) -> RunConfig:
    """The exact RunConfig embedded in a PNG exported by GenLab (validated; nothing is executed)."""
    path = Path(path)
    with _open_png(path) as img:
        text = img.info.get(CONFIG_KEY)
        if text is None:
            try:
                text = getattr(img, "text", {}).get(CONFIG_KEY)  # chunks after the pixels
            except Exception as e:
                raise ExportError(f"{path}: damaged picture ({e})") from None
    if not isinstance(text, str):
        raise ConfigError(str(path), "a picture without a GenLab config", "a PNG exported by GenLab "
                                                                         "(genlab export --what png)")
    if len(text) > 1_000_000:
        raise ConfigError(str(path), f"{len(text)} characters of config", "a config under 1 MB")
    return RunConfig.from_json(text, source=f"{path} ({CONFIG_KEY})")


# ---- the PNG with its config ---------------------------------------------------------------------------
def _latest_grid(run: RunFolder, step: int | None) -> tuple[np.ndarray, int]:
    files = run.sample_files()
    if step is not None:
        chosen = [p for p in files if p.stem == f"step_{int(step):09d}"]
        if not chosen:
            have = ", ".join(p.stem[5:].lstrip("0") or "0" for p in files[-10:]) or "none"
            raise ExportError(f"{run.path}: no sample grid at step {step} (latest: {have})")
        return read_sample_image(chosen[0]), int(step)
    if files:
        return read_sample_image(files[-1]), int(files[-1].stem[5:])
    return _draw_grid(run)


def _draw_grid(run: RunFolder) -> tuple[np.ndarray, int]:
    """No grid was saved yet: draw one from the newest checkpoint with the run's fixed noise bank."""
    config, model, ckpt = load_run_model(run.path)
    gen = torch.Generator().manual_seed(DISPLAY_SEED)
    if model.spec.kind == "points":
        n = min(MAX_DISPLAY_POINTS, config.train.n_display * 16)
        pts = model.sample(n, generator=gen, **model.display_options()).cpu().numpy()
        return scatter_image(pts), ckpt.step
    if model.spec.kind == "text":
        x = model.sample(config.train.n_display, generator=gen, **model.display_options())
        return text_picture(decode_tokens(x, model.spec.vocab)), ckpt.step
    grid = image_grid(model.sample(config.train.n_display, generator=gen, **model.display_options()))
    return upscale(grid, display_scale(model.spec.shape[1])), ckpt.step


def png_metadata(run: RunFolder, step: int) -> dict[str, str]:
    config = run.read_config()  # validated: only a config that loads is embedded
    raw = run.read_raw_config()
    return {CONFIG_KEY: json.dumps(raw, separators=(",", ":")), "genlab.step": str(step),
            "genlab.family": config.family, "genlab.data": config.data.name,
            "genlab.command": train_command(config, run.path.name),
            "Software": f"GenLab {engine.__version__}"}


def export_png(run_dir: str | Path, out: str | Path, step: int | None = None) -> Path:
    """The run's sample grid (newest, or at ``step``) as a PNG carrying the run's config."""
    run = _run(run_dir)
    grid, at = _latest_grid(run, step)
    return write_bytes_atomic(_out(out, ".png"), png_bytes(grid, png_metadata(run, at)))


# ---- GIF of the samples over the run -------------------------------------------------------------------
def _caption(img, text: str):
    band = 14
    canvas = Image.new(img.mode, (img.width, img.height + band), 255 if img.mode == "L" else (255, 255, 255))
    canvas.paste(img, (0, 0))
    ImageDraw.Draw(canvas).text((3, img.height + 1), text, fill=0 if img.mode == "L" else (0, 0, 0))
    return canvas


def export_gif(run_dir: str | Path, out: str | Path, max_frames: int = MAX_GIF_FRAMES,
               frame_ms: int = 120, label: bool = True) -> Path:
    """An animated GIF of the run's sample grids in step order (at most ``max_frames``, evenly spread,
    the last one held longer), each captioned with its step."""
    run = _run(run_dir)
    files = run.sample_files()
    if not files:
        raise ExportError(f"{run.path}: has no sample grids in samples/ yet")
    if len(files) > max_frames:
        idx = np.unique(np.linspace(0, len(files) - 1, max_frames).round().astype(int))
        files = [files[i] for i in idx]
    frames = []
    size = None
    for path in files:
        arr = read_sample_image(path)
        img = Image.fromarray(arr)
        if size is None:
            size = img.size
        elif img.size != size:
            img = img.resize(size, Image.NEAREST)
        step = int(path.stem[5:])
        frames.append(_caption(img, f"step {step}") if label else img)
    durations = [frame_ms] * (len(frames) - 1) + [max(frame_ms, 1500)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0,
                   optimize=False, disposal=1)
    return write_bytes_atomic(_out(out, ".gif"), buf.getvalue())


# ---- metrics as CSV --------------------------------------------------------------------------------------
def export_csv(run_dir: str | Path, out: str | Path) -> Path:
    """Every metrics record (as ``read_curves`` sees the run's history) as one CSV row; columns are
    event, step, time, then every other key in order of first appearance. Empty cells: not recorded."""
    run = _run(run_dir)
    records = read_curves(run.path)
    if not records:
        raise ExportError(f"{run.path}: has no metrics yet")
    columns = ["event", "step", "time"]
    for rec in records:
        for key in rec:
            if key not in columns:
                columns.append(key)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for rec in records:
        writer.writerow({k: _cell(v) for k, v in rec.items()})
    return write_bytes_atomic(_out(out, ".csv"), buf.getvalue().encode("utf-8"))


def _cell(v):
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return v


# ---- helpers -----------------------------------------------------------------------------------------------
def _run(run_dir) -> RunFolder:
    run = RunFolder(run_dir)
    if not run.config_path.is_file():
        raise CheckpointError(f"{run.path}: not a GenLab run folder (no config.json)")
    return run


def _out(out, suffix: str) -> Path:
    path = Path(out)
    if path.suffix.lower() != suffix:
        raise ExportError(f"{path}: the file name must end in {suffix}")
    if not path.parent.exists():
        raise ExportError(f"{path.parent}: folder does not exist")
    return path
