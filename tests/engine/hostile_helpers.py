"""Helpers for the hostile-input tests: the CLI in a subprocess with its peak memory and wall time, and
run folders whose files are replaced by special files.

``run_cli`` follows the child's own peak resident memory (``VmHWM`` in ``/proc/PID/status``: the high-water
mark of the program's memory after exec, read until it exits), so each test can assert a bound on the
memory the refused input cost, and kills a child that runs past its time limit (a hang is a failure with the
partial output, not a stuck suite). ``ru_maxrss`` from ``wait4`` is the fallback where ``/proc`` is missing:
on Linux it also counts the parent's memory copied at fork, so a big test worker would inflate it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The CLI with PyTorch imported peaks near 300 MB here; a refused hostile input may add little to it.
PEAK_MB = 1000
SECONDS = 90.0   # generous for a loaded 2-core machine; a hang or a 10 GB read takes far longer


@dataclass
class CliResult:
    rc: int
    stdout: str
    stderr: str
    peak_mb: float
    seconds: float

    def check_refused(self, *words: str, rc: int = 2) -> None:
        """Exit status ``rc``, one clear message naming ``words``, no crash log, within the bounds."""
        assert self.rc == rc, f"exit {self.rc}, expected {rc}:\n{self.stderr[-2000:]}"
        for w in words:
            assert w in self.stderr, f"'{w}' not in: {self.stderr[-2000:]}"
        assert "Traceback" not in self.stderr and "crash" not in self.stderr.lower()
        self.check_bounds()

    def check_bounds(self) -> None:
        assert self.peak_mb < PEAK_MB, f"peak memory {self.peak_mb:.0f} MB >= {PEAK_MB} MB"
        assert self.seconds < SECONDS, f"took {self.seconds:.1f} s"


def run_cli(args: list[str], env: dict | None = None, timeout: float = SECONDS, cwd: Path = ROOT) -> CliResult:
    full_env = dict(os.environ, PYTHONIOENCODING="utf-8", **(env or {}))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), *args], cwd=cwd, env=full_env,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        high_water_kb = 0
        while True:
            high_water_kb = max(high_water_kb, _high_water_kb(proc.pid))
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                proc.send_signal(signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
                out.seek(0), err.seek(0)
                raise AssertionError(f"genlab {' '.join(args)} ran past {timeout} s (a hang):\n"
                                     f"{err.read().decode(errors='replace')[-2000:]}")
            time.sleep(0.02)
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        return CliResult(proc.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                         (high_water_kb or usage.ru_maxrss) / 1024, seconds)


def _high_water_kb(pid: int) -> int:
    """The process's peak resident memory so far in kB (0 when /proc cannot tell)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def copy_run(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, symlinks=True)
    return dest


def make_special(path: Path, kind: str) -> Path:
    """Replace ``path`` by a symlink to /dev/zero ("zero") or a named pipe nobody writes ("fifo")."""
    if path.exists() or path.is_symlink():
        path.unlink()
    if kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        raise ValueError(kind)
    return path


def newest(folder: Path, pattern: str) -> Path:
    return sorted(folder.glob(pattern))[-1]
