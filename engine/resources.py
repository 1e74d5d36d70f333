"""Find files under ``resources/`` from a source checkout, an installed wheel or a frozen bundle.

This is the one place that knows where resources live:
- a frozen bundle (PyInstaller) copies the folder next to its internals (``sys._MEIPASS/resources``);
- a source checkout or an editable install reads the repository's ``resources/`` beside ``engine/``;
- a wheel installs the same files as package data at ``genlab/resources`` beside ``engine/`` in
  site-packages (``pyproject.toml`` maps the folder there), since a top-level ``resources`` package
  would collide with any other project's.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    source = _HERE / "resources"
    if source.is_dir():
        return source
    return _HERE / "genlab" / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
