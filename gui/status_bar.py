"""Status bar: device, step, steps per second, time left, memory in use, and the run's state.

Values come from the session (updated by the bridge); the bar re-reads them twice a second, so a
fast model does not repaint the status bar hundreds of times. Memory is the process's resident set
(psutil) plus, on CUDA (and ROCm) or Apple's MPS, the memory torch has allocated on the GPU.
"""

from __future__ import annotations

import math
import sys

import psutil
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QStatusBar

from engine.i18n import QT_TRANSLATE_NOOP

STATE_TEXT = {"starting": QT_TRANSLATE_NOOP("StatusBar", "starting PyTorch…"), "idle": QT_TRANSLATE_NOOP("StatusBar", "ready"),
              "running": QT_TRANSLATE_NOOP("StatusBar", "training"), "paused": QT_TRANSLATE_NOOP("StatusBar", "paused"),
              "stopping": QT_TRANSLATE_NOOP("StatusBar", "stopping…")}


def format_duration(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return "–"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def memory_in_use(torch_ready: bool = True, device: str = "") -> str:
    """Resident memory of this process, and GPU memory when torch uses a GPU: CUDA's (ROCm's) allocated
    memory once CUDA is initialised, MPS's allocated memory while the run trains on ``device`` "mps".

    ``torch_ready`` False while PyTorch is still being imported on the warm-up thread: touching the
    half-imported module would fail (or block on its import lock)."""
    try:
        rss = psutil.Process().memory_info().rss
        text = f"RAM {rss / 2**20:,.0f} MB"
    except Exception:  # noqa: BLE001 - the platform refuses: say nothing
        text = "RAM –"
    torch = sys.modules.get("torch") if torch_ready else None  # never import torch here
    if torch is not None and torch.cuda.is_available() and torch.cuda.is_initialized():
        text += f", GPU {torch.cuda.memory_allocated() / 2**20:,.0f} MB"
    elif torch is not None and device.startswith("mps"):
        try:
            text += f", GPU {torch.mps.current_allocated_memory() / 2**20:,.0f} MB"
        except Exception:  # noqa: BLE001 - an MPS build that cannot say: leave it out
            pass
    return text


class StatusBar(QStatusBar):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.state_label = QLabel()
        self.device_label = QLabel(self.tr("device –"))
        self.step_label = QLabel(self.tr("step –"))
        self.speed_label = QLabel(self.tr("– steps/s"))
        self.eta_label = QLabel(self.tr("ETA –"))
        self.memory_label = QLabel(self.tr("RAM –"))
        for w in (self.state_label, self.device_label, self.step_label, self.speed_label, self.eta_label,
                  self.memory_label):
            w.setContentsMargins(6, 0, 6, 0)
            self.addPermanentWidget(w)
        self.setAutoFillBackground(True)  # opaque: its twice-a-second text changes do not repaint the window
        self.eta_label.setToolTip(self.tr("Time left at the current speed (or until the time limit)"))
        self.memory_label.setToolTip(self.tr("Memory this process uses (resident set), and GPU memory on CUDA"))
        self._timer = QTimer(self)
        self._timer.setInterval(500)
        self._timer.timeout.connect(self._update_labels)
        self._timer.start()
        session.state_changed.connect(lambda _s: self._update_labels())
        self._update_labels()

    def _update_labels(self) -> None:
        s = self.session
        self.state_label.setText(self.tr(STATE_TEXT[s.state]) if s.state in STATE_TEXT else s.state)
        if s.device:
            self.device_label.setText(self.tr("device {device}").format(device=s.device))
        if s.runner is not None:
            self.step_label.setText(self.tr("step {step:,} / {total:,}").format(step=s.last_step, total=s.total_steps))
            sps = s.last_steps_per_second
            self.speed_label.setText(self.tr("{sps:,.0f} steps/s").format(sps=sps) if sps >= 10
                                     else self.tr("{sps:.2f} steps/s").format(sps=sps))
            left = (s.total_steps - s.last_step) / sps if sps > 0 and s.state == "running" else math.nan
            limit = s.runner.config.train.time_limit
            if limit and s.state == "running":
                left = min(left, max(0.0, limit - s.elapsed)) if math.isfinite(left) else max(0.0, limit - s.elapsed)
            self.eta_label.setText(self.tr("ETA {left}").format(left=format_duration(left)))
        self.memory_label.setText(memory_in_use(torch_ready=s.state != "starting", device=s.device or ""))
