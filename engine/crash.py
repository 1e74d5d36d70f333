"""Crash logs: full tracebacks go to a file in the user's state folder, never into the window."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path


def _home() -> Path:
    """The user's home folder. Without HOME (a bare environment, a service) Python asks the password
    database; without that too, the temporary folder, never the working directory (which may be ``/``
    or a folder the person never chose)."""
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):
        home = Path("~")
    return home if str(home) not in ("~", "") else Path(tempfile.gettempdir())


def user_dir(kind: str) -> Path:
    """Platform user folder for ``kind`` in ("data", "cache", "state"), without extra dependencies."""
    home = _home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
        return base / "GenLab" / ("Cache" if kind == "cache" else "")
    if sys.platform == "darwin":
        base = home / "Library"
        return base / {"data": "Application Support", "cache": "Caches", "state": "Logs"}[kind] / "GenLab"
    env = {"data": "XDG_DATA_HOME", "cache": "XDG_CACHE_HOME", "state": "XDG_STATE_HOME"}[kind]
    default = {"data": ".local/share", "cache": ".cache", "state": ".local/state"}[kind]
    return Path(os.environ.get(env) or home / default) / "genlab"


def write_crash_log(text: str, context: str = "") -> Path | None:
    """Write ``text`` to a new crash log and return its path (None if nothing could be written)."""
    folder = Path(os.environ.get("GENLAB_CRASH_DIR") or user_dir("state") / "crash")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
        path.write_text(f"GenLab crash ({context})\n{time.ctime()}\n\n{text}", encoding="utf-8")
        return path
    except OSError:
        return None
