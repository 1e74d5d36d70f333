"""A run on disk: ``config.json``, ``env.json``, ``metrics.jsonl``, ``checkpoints/``, ``samples/``.

Everything a window or a script needs to reopen a run is in the folder; nothing in it is ever
unpickled. Metrics are appended one JSON object per line and flushed; a torn last line (the process
was killed mid-write) is skipped on read.
"""

from __future__ import annotations

import io
import errno
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

import engine
from engine.atomic import write_bytes_atomic, write_text_atomic
from engine.config import RunConfig
from engine.errors import CheckpointError, ConfigError
from engine.render import png_bytes
from engine.runs.checkpoint import latest_checkpoint, list_checkpoints
from engine.runs.layout import SAMPLES_DIR, sample_grids, sample_name
from engine.safe_io import ReadRefused, is_regular_file, open_regular, parse_json, read_json

MAX_METRICS_BYTES = 512 * 1024 * 1024
MAX_CONFIG_BYTES = 1_000_000  # as RunConfig.load; checked before reading, so a huge file is never read


def environment(device: str, threads: int) -> dict:
    return {
        "genlab": engine.__version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "device": device,
        "cuda": torch.version.cuda,
        "threads": threads,
        "cpu_count": os.cpu_count(),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


class RunFolder:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._metrics_fh = None
        self._metrics_torn = False  # a write failed part-way: start the next record on a new line

    # ---- layout ------------------------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        return self.path / "config.json"

    @property
    def metrics_path(self) -> Path:
        return self.path / "metrics.jsonl"

    @property
    def checkpoints_dir(self) -> Path:
        return self.path / "checkpoints"

    @property
    def samples_dir(self) -> Path:
        return self.path / SAMPLES_DIR

    # ---- writing ----------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, config: RunConfig, resolved: dict | None = None) -> "RunFolder":
        run = cls(path)
        try:
            run.path.mkdir(parents=True, exist_ok=True)
            run.checkpoints_dir.mkdir(exist_ok=True)
            run.samples_dir.mkdir(exist_ok=True)
        except OSError as e:
            raise CheckpointError(f"{run.path}: cannot create the run folder ({e.strerror})") from None
        run.write_config(config, resolved)
        return run

    def write_config(self, config: RunConfig, resolved: dict | None = None) -> None:
        d = config.to_dict()
        if resolved:
            d["resolved"] = resolved
        write_text_atomic(self.config_path, json.dumps(d, indent=2))

    def write_env(self, env: dict) -> None:
        write_text_atomic(self.path / "env.json", json.dumps(env, indent=2))

    def append_metrics(self, record: dict) -> None:
        """Append one record and flush. A failed write (disk full) raises OSError and leaves at most a
        torn line, which readers skip; the next record then starts on a fresh line."""
        line = json.dumps(record, allow_nan=True) + "\n"
        try:
            if self._metrics_fh is None:
                if os.path.lexists(self.metrics_path) and not is_regular_file(self.metrics_path):
                    raise OSError(errno.EINVAL, f"{self.metrics_path} is not a regular file")
                self._metrics_torn = self._metrics_torn or _ends_mid_line(self.metrics_path)
                self._metrics_fh = open(self.metrics_path, "a", encoding="utf-8")
            if self._metrics_torn:
                line = "\n" + line
            self._metrics_fh.write(line)
            self._metrics_fh.flush()
        except OSError:
            self._metrics_torn = True
            fh, self._metrics_fh = self._metrics_fh, None
            if fh is not None:
                try:
                    fh.close()
                except OSError:
                    pass
            raise
        self._metrics_torn = False

    def close(self) -> None:
        if self._metrics_fh is not None:
            try:
                os.fsync(self._metrics_fh.fileno())
            except OSError:
                pass
            self._metrics_fh.close()
            self._metrics_fh = None

    def write_sample_png(self, step: int, image: np.ndarray, points: np.ndarray | None = None) -> Path:
        path = self.samples_dir / sample_name(step)
        write_bytes_atomic(path, png_bytes(image))
        if points is not None:
            buf = _npy_bytes(points.astype(np.float32))
            write_bytes_atomic(path.with_suffix(".npy"), buf)
        return path

    def write_sample_text(self, step: int, lines: list[str]) -> Path:
        """Text samples, one a line (UTF-8)."""
        path = self.samples_dir / sample_name(step, ".txt")
        write_bytes_atomic(path, "".join(line + "\n" for line in lines).encode("utf-8"))
        return path

    # ---- reading ----------------------------------------------------------------------------------
    def read_config(self) -> RunConfig:
        if not os.path.lexists(self.config_path):
            raise CheckpointError(f"{self.path}: not a GenLab run folder (no config.json)")
        return RunConfig.load(self.config_path)  # a regular file under 1 MB, guarded JSON

    def read_raw_config(self) -> dict:
        try:
            d = read_json(self.config_path, MAX_CONFIG_BYTES, "run config")
        except OSError as e:
            raise ConfigError(str(self.config_path), "unreadable", f"a readable JSON file ({e.strerror or e})") from None
        except ReadRefused as e:
            raise ConfigError(str(self.config_path), "unreadable", f"a JSON run config ({e})") from None
        return d if isinstance(d, dict) else {}

    def read_metrics(self) -> list[dict]:
        """All metric records; a torn or garbled line (killed mid-write), or one nested or numbered
        beyond what GenLab writes, is skipped. Read with a bound, from a regular file only."""
        if not os.path.lexists(self.metrics_path):
            return []
        out = []
        try:
            with open_regular(self.metrics_path) as fh:
                data = fh.read(MAX_METRICS_BYTES + 1)
        except (OSError, ReadRefused) as e:
            raise CheckpointError(f"{self.metrics_path}: cannot be read ({getattr(e, 'strerror', None) or e})") from None
        if len(data) > MAX_METRICS_BYTES:
            raise CheckpointError(f"{self.metrics_path}: larger than {MAX_METRICS_BYTES // 2**20} MB")
        for line in data.split(b"\n"):
            rec = metrics_record(line)
            if rec is not None:
                out.append(rec)
        return out

    def sample_files(self) -> list[Path]:
        """The stored sample grids (regular files named step_*.png), oldest first."""
        return [path for _step, path in sample_grids(self.path) if path.suffix == ".png"]

    def checkpoints(self) -> list[Path]:
        return list_checkpoints(self.checkpoints_dir)

    def latest_checkpoint(self, map_location: str = "cpu"):
        return latest_checkpoint(self.checkpoints_dir, map_location)


def metrics_record(line: bytes | str) -> dict | None:
    """One metrics line as a dict, or None for an empty, torn, garbled or hostile one."""
    if isinstance(line, bytes):
        line = line.decode("utf-8", errors="replace")
    line = line.strip()
    if not line:
        return None
    try:
        rec = parse_json(line, "metrics line", max_depth=8)
    except ReadRefused:
        return None
    return rec if isinstance(rec, dict) else None


def _ends_mid_line(path: Path) -> bool:
    """True when a killed writer left a partial last line (so the next record must start a new one)."""
    try:
        with open_regular(path) as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() == 0:
                return False
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) != b"\n"
    except (OSError, ReadRefused):
        return False


def _npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()
