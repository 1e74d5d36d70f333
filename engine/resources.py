"""Find files under ``resources/`` from a source checkout, an editable install or a frozen bundle.

This is the one place that knows where resources live, so the PyInstaller build only has to copy
the folder next to the executable's internals (``sys._MEIPASS``).
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
