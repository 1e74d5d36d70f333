"""Is a run alive? A lock held by the training process plus a small ``status.json`` it keeps current.

A trainer takes an exclusive, non-blocking lock on ``<run>/train.lock`` for as long as it trains
(``flock`` on POSIX, ``msvcrt.locking`` on Windows). The operating system drops the lock when the
process ends in any way, SIGKILL and power loss included, so a lister that can take the lock knows
nobody trains the run, and a ``status.json`` that still says "running" then means the process was
killed. No timeouts or clock comparisons are needed, and the same process (the window listing its
own run) sees its own lock as held, because each ``open`` gets its own lock.

``status.json`` is small (a few hundred bytes) and holds what a runs list shows: family, data, step,
state, last and best metric, times, parent. The trainer rewrites it atomically at most every few
seconds while training, and at once on a checkpoint, an evaluation, a pause and the end. Where the
file system refuses locks, ``status.json`` records ``"lock": false`` and readers fall back to the
process id (same host) and the age of the last heartbeat.
"""

from __future__ import annotations

import json
import math
import os
import platform
import time
from pathlib import Path

from engine.atomic import write_text_atomic
from engine.errors import GenLabError
from engine.safe_io import read_json, ReadRefused

STATUS_FILE = "status.json"
LOCK_FILE = "train.lock"
FORMAT = "genlab-status"
MAX_STATUS_BYTES = 256 * 1024
HEARTBEAT_SECONDS = 5.0
STALE_SECONDS = 120.0  # without a lock: a heartbeat this old from another host means the run is gone

try:  # POSIX
    import fcntl
except ImportError:  # Windows
    fcntl = None
try:
    import msvcrt
except ImportError:
    msvcrt = None


class RunBusyError(GenLabError):
    """Another process is training this run right now."""


# ---- the lock -------------------------------------------------------------------------------------------
def _try_lock(fd: int, exclusive: bool) -> bool | None:
    """True: locked; False: someone else holds it; None: this file system cannot lock."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
            return True
        if msvcrt is not None:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        return None
    except (BlockingIOError, PermissionError):
        return False
    except OSError as e:
        if getattr(e, "errno", None) in (11, 13, 35, 36):  # EAGAIN, EACCES, EWOULDBLOCK (BSD), EDEADLK
            return False
        return None


def _unlock(fd: int) -> None:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
        elif msvcrt is not None:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    except OSError:
        pass


class RunLock:
    """The trainer's claim on a run folder, held from the first step to the last write."""

    def __init__(self, run_dir: str | Path):
        self.path = Path(run_dir) / LOCK_FILE
        self._fd: int | None = None
        self.supported = True

    def acquire(self) -> None:
        """Take the lock or raise ``RunBusyError``; on a file system without locks, carry on unlocked."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            self.supported = False  # a read-only folder: nothing will be written either
            return
        got = _try_lock(fd, exclusive=True)
        if got is False:
            os.close(fd)
            raise RunBusyError(f"{self.path.parent}: is being trained by another process right now "
                               f"({_owner_text(self.path.parent)}); stop it first or fork the run")
        if got is None:
            self.supported = False
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            _unlock(self._fd)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def lock_state(run_dir: str | Path) -> bool | None:
    """True if some process holds the run's lock now, False if not, None if that cannot be known."""
    path = Path(run_dir) / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY if fcntl is not None else os.O_RDWR)
    except FileNotFoundError:
        return False
    except OSError:
        return None
    try:
        got = _try_lock(fd, exclusive=False)
        if got:
            _unlock(fd)
            return False
        return None if got is None else True
    finally:
        os.close(fd)


def _owner_text(run_dir: Path) -> str:
    st = read_status(run_dir) or {}
    pid, host = st.get("pid"), st.get("host")
    return f"pid {pid} on {host}" if pid else "owner unknown"


# ---- status.json ---------------------------------------------------------------------------------------
def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


_OPT_STR = (lambda v: v is None or isinstance(v, str), "text or null")
_OPT_NUM = (lambda v: v is None or _is_num(v), "a number or null")
_OPT_INT = (lambda v: v is None or (_is_int(v) and v >= 0), "a whole number or null")
_OPT_DICT = (lambda v: v is None or isinstance(v, dict), "an object or null")
STATES_WRITTEN = ("running", "paused", "finished", "stopped", "failed")
SCHEMA = {  # field -> (check, what it must be); unknown fields are left alone (newer versions may add some)
    "version": (_is_int, "a whole number"),
    "state": (lambda v: v in STATES_WRITTEN, "one of " + ", ".join(STATES_WRITTEN)),
    "reason": _OPT_STR, "message": _OPT_STR, "family": _OPT_STR, "data": _OPT_STR, "parent": _OPT_STR,
    "kind": (lambda v: v in (None, "points", "image", "text"), "'points', 'image', 'text' or null"),
    "host": _OPT_STR, "started_at": _OPT_STR, "created_at": _OPT_STR, "updated_at": _OPT_STR,
    "step": _OPT_INT, "total_steps": _OPT_INT, "checkpoint_step": _OPT_INT,
    "pid": (lambda v: v is None or (_is_int(v) and 0 < v < 2**31), "a process id or null"),
    "time_limit": _OPT_NUM, "elapsed": _OPT_NUM, "updated_unix": _OPT_NUM,
    "lock": (lambda v: isinstance(v, bool), "true or false"),
    "best": _OPT_DICT, "last": _OPT_DICT, "last_eval": _OPT_DICT,
}
NESTED = {  # inside best / last_eval
    "step": _OPT_INT, "test_nll_nats": _OPT_NUM, "bits_per_dim": _OPT_NUM, "nll_se": _OPT_NUM,
    "n_test": _OPT_INT, "nll_kind": _OPT_STR, "nats_per_char": _OPT_NUM,
}


def status_problem(d) -> str | None:
    """What is wrong with a parsed ``status.json`` (None when it is sound)."""
    if not isinstance(d, dict):
        return "is not a JSON object"
    if d.get("format") != FORMAT:
        return f"is not a GenLab status file (format {str(d.get('format'))[:40]!r})"
    for key, (ok, what) in SCHEMA.items():
        if key in d and not ok(d[key]):
            return f"field '{key}' is {str(d[key])[:40]!r}, expected {what}"
    for outer in ("best", "last_eval"):
        for key, (ok, what) in NESTED.items():
            inner = d.get(outer) or {}
            if key in inner and not ok(inner[key]):
                return f"field '{outer}.{key}' is {str(inner[key])[:40]!r}, expected {what}"
    for key, value in (d.get("last") or {}).items():
        if not (value is None or _is_num(value)):
            return f"field 'last.{key}' is {str(value)[:40]!r}, expected a number or null"
    return None


def read_status_checked(run_dir: str | Path) -> tuple[dict | None, str | None]:
    """(status, None) for a sound ``status.json``; (None, None) when there is none; (None, why) when it
    is damaged: not a regular file, too large, not JSON, too deeply nested, or a field of the wrong type."""
    path = Path(run_dir) / STATUS_FILE
    if not os.path.lexists(path):
        return None, None
    try:
        d = read_json(path, MAX_STATUS_BYTES, "status file")
    except FileNotFoundError:
        return None, None
    except OSError as e:
        return None, f"{path}: cannot be read ({e.strerror or e})"
    except ReadRefused as e:
        return None, str(e)
    problem = status_problem(d)
    return (None, f"{path}: {problem}") if problem else (d, None)


def read_status(run_dir: str | Path) -> dict | None:
    """The run's ``status.json`` as a dict, or None when it is missing, damaged or not ours."""
    return read_status_checked(run_dir)[0]


def _pid_alive(pid) -> bool | None:
    if not isinstance(pid, int) or pid <= 0:
        return None
    if os.name != "posix":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return None
    return True


def live_state(run_dir: str | Path, status: dict | None) -> str:
    """The state a list should show: running / paused / finished / stopped / failed / killed / unknown."""
    recorded = (status or {}).get("state")
    held = lock_state(run_dir)
    if held:
        return "paused" if recorded == "paused" else "running"
    if recorded in ("running", "paused"):
        if held is False and (status or {}).get("lock", True):
            return "killed"
        # No lock to ask: the process id on this host, else the age of the heartbeat.
        if status.get("host") == platform.node():
            alive = _pid_alive(status.get("pid"))
            if alive is not None:
                return recorded if alive else "killed"
        age = time.time() - float(status.get("updated_unix") or 0)
        return recorded if age < STALE_SECONDS else "killed"
    return recorded or "unknown"


def _finite(v):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def write_status(run_dir: str | Path, state: str, reason: str | None = None, **fields) -> None:
    """A status for a run nobody trains yet (a fresh fork): written once, atomically."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    d = {"format": FORMAT, "version": 1, "state": state, "reason": reason, "message": None, **fields,
         "created_at": now, "updated_at": now, "updated_unix": round(time.time(), 3), "lock": True}
    write_text_atomic(Path(run_dir) / STATUS_FILE, json.dumps(d, indent=1, allow_nan=False, default=str))


class StatusWriter:
    """Keeps ``status.json`` current from the trainer's events (the trainer's thread only)."""

    def __init__(self, run_dir: str | Path, base: dict, interval: float = HEARTBEAT_SECONDS):
        self.path = Path(run_dir) / STATUS_FILE
        self.interval = interval
        self.lock = RunLock(run_dir)
        self.state = {"format": FORMAT, "version": 1, "state": "running", "reason": None, "message": None,
                      **base, "pid": os.getpid(), "host": platform.node(),
                      "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        previous = read_status(run_dir) or {}
        for key in ("created_at", "best", "last_eval", "last"):
            if previous.get(key) is not None and self.state.get(key) is None:
                self.state[key] = previous[key]
        old_best, new_best = previous.get("best"), self.state.get("best")
        if isinstance(old_best, dict) and isinstance(new_best, dict) and old_best.get("step") == new_best.get("step"):
            self.state["best"] = {**old_best, **new_best}  # keep its kind and bits/dim
        self.state.setdefault("created_at", self.state["started_at"])
        self._last_write = 0.0
        self.write_error: str | None = None    # the line to log when the last write failed
        self.write_error_reason: str | None = None  # the system's reason alone (for a WriteFailed event)

    def start(self) -> None:
        self.lock.acquire()
        self.state["lock"] = self.lock.supported
        self.write(force=True)

    def update(self, force: bool = False, **values) -> None:
        self.state.update(values)
        self.write(force)

    def write(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < self.interval:
            return
        self._last_write = now
        self.state["updated_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        self.state["updated_unix"] = round(time.time(), 3)
        try:
            write_text_atomic(self.path, json.dumps(self.state, indent=1, allow_nan=False, default=str))
            self.write_error = self.write_error_reason = None
        except (OSError, ValueError) as e:
            self.write_error_reason = str(getattr(e, 'strerror', None) or e)
            self.write_error = f"could not update {self.path}: {self.write_error_reason}"

    def finish(self, state: str, reason: str | None = None, message: str | None = None) -> None:
        self.state.update(state=state, reason=reason, message=message)
        self.write(force=True)
        self.lock.release()

    # ---- what the events say ------------------------------------------------------------------------
    def record_losses(self, step: int, elapsed: float, losses: dict) -> None:
        last = {k: _finite(v) for k, v in losses.items()}
        self.update(step=step, elapsed=round(elapsed, 3), last=last)

    def record_eval(self, step: int, metrics: dict, best: dict | None) -> None:
        keep = ("test_nll_nats", "nll_kind", "bits_per_dim", "nll_se", "n_test")
        self.update(force=True, step=step, last_eval={"step": step, **{k: _finite(metrics.get(k))
                                                                      if k != "nll_kind" else metrics.get(k)
                                                                      for k in keep}}, best=best)
