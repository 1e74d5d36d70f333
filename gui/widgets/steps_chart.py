"""Sample quality against sampler steps (``engine.latent.inside.StepsQuality``): one line per sampler,
network evaluations on a log2 axis, energy distance to held-out points on a log axis, and the real-data
floor dashed. The energy distance is unbiased, so a sampler as good as the data can score at or below 0:
such points are drawn on the floor line (a log axis has no room below zero)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt

from gui.widgets.plane_view import PALETTE


class StepsChart(pg.PlotWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMenuEnabled(False)
        self.hideButtons()
        self.showGrid(x=True, y=True, alpha=0.2)
        self.setLogMode(x=True, y=True)
        self.setLabel("bottom", QCoreApplication.translate("StepsChart", "network evaluations per sample"))
        self.setLabel("left", QCoreApplication.translate("StepsChart", "energy distance to held-out"))
        for side in ("left", "bottom"):
            self.getAxis(side).enableAutoSIPrefix(False)
        self.legend = self.addLegend(offset=(-10, 10))
        self.curves: list[pg.PlotDataItem] = []
        self.floor_line = pg.InfiniteLine(angle=0, pen=pg.mkPen(120, 120, 120, width=1, style=Qt.PenStyle.DashLine))
        self.addItem(self.floor_line)
        self.floor_line.hide()
        self.result = None

    def set_result(self, result) -> None:
        """Draw ``result`` (None clears the chart)."""
        for item in self.curves:
            self.removeItem(item)
        self.curves = []
        self.legend.clear()
        self.result = result
        if result is None:
            self.floor_line.hide()
            return
        values = [e for curve in result.curves.values() for _, _, e in curve if np.isfinite(e) and e > 0]
        floor = result.floor if result.floor > 0 else (min(values) if values else 1e-3)
        for i, (name, curve) in enumerate(result.curves.items()):
            x = np.array([k for _, k, _ in curve], dtype=np.float64)
            y = np.array([max(e, floor) if np.isfinite(e) else np.nan for _, _, e in curve], dtype=np.float64)
            colour = PALETTE[i % len(PALETTE)]
            item = self.plot(x, y, pen=pg.mkPen(*colour, width=2), symbol="o", symbolSize=6,
                             symbolBrush=pg.mkBrush(*colour), name=name)
            self.curves.append(item)
        self.floor_line.setPos(math.log10(floor))
        self.floor_line.show()
