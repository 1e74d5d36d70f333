"""``lazy_module``: a module that loads on its first attribute access.

Docks built before PyTorch loads (the window paints first, then warms the engine up) name engine
modules that import torch at their top; they reach them through this so building a dock costs nothing.
"""

from __future__ import annotations

import importlib


class _LazyModule:
    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr):
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name}>"


def lazy_module(name: str):
    """The module ``name``, imported when one of its attributes is first read."""
    return _LazyModule(name)
