"""Warm PyTorch up after the window is on screen, so the first paint does not wait for it.

Importing torch and taking the first optimizer step costs over a second (several on a cold disk).
The window shows first, then this runs on a background thread and reports back with a Qt signal;
Train stays disabled until it has. Nothing on the GUI thread may import torch before ``ready``
fires, or it would block on the import lock: the window's modules import torch-using engine
modules only inside functions called after that.
"""

from __future__ import annotations

import threading
import time
import traceback

from PySide6.QtCore import QObject, Signal

from engine.errors import UnknownFamilyError
from engine.models.registry import config_class, families, model_class


def warm_up_torch() -> dict:
    """Import the engine's heavy modules and run one optimizer step on a tiny model."""
    t0 = time.perf_counter()
    # lazy: loading PyTorch and the engine on this thread, after the window's first paint, is the warm-up
    import torch

    import engine.training.runner  # noqa: F401  (the loop, checkpoints, rendering)
    from engine.data import builtin_names, downloadable_names
    from engine.devices import available_devices
    t_import = time.perf_counter()
    generator = torch.Generator().manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(32, 2, generator=generator)
    loss = (model(x) - x).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    families, broken = usable_families()
    downloads = downloadable_names()
    return {"families": families, "broken": broken, "datasets": builtin_names(), "downloads": downloads,
            "devices": available_devices(), "import_seconds": t_import - t0,
            "seconds": time.perf_counter() - t0}


def usable_families() -> tuple[list[str], dict[str, str]]:
    """Families that import and build their config, and why the others that exist do not.

    A family module that is present but broken (a half-finished file) is reported, not fatal: the
    window offers the families that work.
    """
    ok, broken = [], {}
    for family in families():
        try:
            model_class(family)
            config_class(family)()
        except UnknownFamilyError:
            continue
        except Exception as e:  # noqa: BLE001 - any failure here means "not usable", with the reason
            broken[family] = f"{type(e).__name__}: {e}"
            continue
        ok.append(family)
    return ok, broken


class TorchWarmup(QObject):
    """Runs ``warm_up_torch`` on a thread; emits ``ready(info)`` or ``failed(message, traceback)``."""

    ready = Signal(object)
    failed = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self.info: dict | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="genlab-warmup", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            info = warm_up_torch()
        except Exception as e:  # a broken install: tell the window, which stays usable
            self.failed.emit(f"{type(e).__name__}: {e}", traceback.format_exc())
            return
        self.info = info
        self.ready.emit(info)

    def join(self, timeout: float | None = None) -> bool:
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()
