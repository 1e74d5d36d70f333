"""Where the window keeps its settings and its runs, with guards that keep tests off the user's files.

Settings (dock layout, last setup) live in ``QSettings``; a test or the self-test passes its own
temporary file, and when ``GENLAB_TEST`` is set and nobody did, a throw-away file is used so a test
can never overwrite the person's layout. Runs go to the workspace folder: the one chosen in the
window (``runs/workspace`` in the settings), else the engine's ``default_workspace()``
(``GENLAB_WORKSPACE`` when set, else ``runs`` under the platform's user data folder), the same folder
``genlab runs`` lists. ``close/ask`` (Preferences) makes closing during training ask what to do.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings

SETTINGS_VERSION = 1
WORKSPACE_KEY = "runs/workspace"
CLOSE_ASK_KEY = "close/ask"


def open_settings(path: str | os.PathLike | None = None) -> QSettings:
    """The settings store: ``path`` (an INI file) if given, ``GENLAB_SETTINGS`` if set, else the user's."""
    path = path or os.environ.get("GENLAB_SETTINGS")
    if not path and os.environ.get("GENLAB_TEST"):
        path = Path(tempfile.mkdtemp(prefix="genlab-settings-")) / "settings.ini"
    if path:
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "GenLab", "GenLab")


def workspace_dir(settings: QSettings | None = None) -> Path:
    """The folder new runs are written to (created on demand): the window's choice, else the engine's."""
    # lazy: engine.runs.workspace loads PyTorch, kept out of the window's first paint
    from engine.runs.workspace import default_workspace
    chosen = read_value(settings, WORKSPACE_KEY, "") if settings is not None else ""
    if chosen:
        return Path(chosen).expanduser()
    if os.environ.get("GENLAB_TEST") and not os.environ.get("GENLAB_WORKSPACE"):
        return Path(tempfile.mkdtemp(prefix="genlab-workspace-"))  # never the person's own runs
    return default_workspace()


def ask_on_close(settings: QSettings) -> bool:
    """Preferences: ask what to do with a training run when the window closes (else stop and save)."""
    return str(settings.value(CLOSE_ASK_KEY, "false")).lower() == "true"


def new_run_dir(data_name: str, family: str, root: Path | None = None) -> Path:
    """A fresh, readable run folder name: ``20240601-141502-moons-vae`` (suffixed if taken)."""
    root = Path(root) if root is not None else workspace_dir()
    stem = Path(data_name).stem if ("/" in data_name or "\\" in data_name) else data_name
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem)[:40] or "data"
    base = f"{time.strftime('%Y%m%d-%H%M%S')}-{stem}-{family}"
    path = root / base
    n = 2
    while path.exists():
        path = root / f"{base}-{n}"
        n += 1
    return path


def read_value(settings: QSettings, key: str, default=None):
    """A settings value, with ``default`` for a missing key or a value of another type."""
    value = settings.value(key, default)
    if default is not None and value is not None and not isinstance(value, type(default)):
        return default
    return value
