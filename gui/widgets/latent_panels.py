"""The Latent dock's smaller parts: sliders for the first latent dimensions, the interpolation strip,
the encode panel, and the data-space view used when the data are 2-D points.

Each panel only holds widgets and shows what it is given; the dock wires them to the explorer.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSlider, QSpinBox,
                               QVBoxLayout, QWidget)

from gui.widgets.live_image import LiveImageView
from gui.widgets.views import DATA_BRUSH, plane_plot

SLIDER_RANGE = 4.0        # +- this many units (standard deviations of the prior)
SLIDER_STEPS = 400        # ticks per side
MAX_SLIDERS = 8


class SlidersPanel(QWidget):
    """One slider per latent dimension, for the first ``MAX_SLIDERS``; moves with the handle."""

    value_changed = Signal(int, float)      # dimension, value

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(2, 2, 2, 2)
        self.sliders: list[QSlider] = []
        self.values: list[QLabel] = []
        self.note = QLabel("")
        self.note.setWordWrap(True)

    def set_dims(self, d: int, prefix: str = "z") -> None:
        n = min(int(d), MAX_SLIDERS)
        if n == len(self.sliders):
            return
        while self.grid.count():
            w = self.grid.takeAt(0).widget()
            if w is not None:
                w.setParent(None)
        self.sliders, self.values = [], []
        for i in range(n):
            name = QLabel(f"{prefix}{i + 1}")
            s = QSlider(Qt.Orientation.Horizontal)
            s.setRange(-SLIDER_STEPS, SLIDER_STEPS)
            s.setObjectName(f"latent_slider_{i}")
            s.setToolTip(self.tr("Latent dimension {i}, from -{range:g} to +{range:g}; the handle on the plane follows.")
                         .format(i=i + 1, range=SLIDER_RANGE))
            v = QLabel("0.00")
            v.setMinimumWidth(44)
            s.valueChanged.connect(lambda tick, i=i: self._on_slider_value_changed(i, tick))
            self.grid.addWidget(name, i, 0)
            self.grid.addWidget(s, i, 1)
            self.grid.addWidget(v, i, 2)
            self.sliders.append(s)
            self.values.append(v)
        more = int(d) - n
        self.note.setText(self.tr("(and {more} more dimensions, moved by the handle)").format(more=more) if more > 0 else "")
        self.grid.addWidget(self.note, n, 0, 1, 3)

    def _on_slider_value_changed(self, i: int, tick: int) -> None:
        value = tick / SLIDER_STEPS * SLIDER_RANGE
        self.values[i].setText(f"{value:+.2f}")
        self.value_changed.emit(i, value)

    def set_values(self, z: np.ndarray) -> None:
        """Show ``z`` (the first dimensions) without emitting ``value_changed``."""
        z = np.asarray(z).ravel()
        for i, (s, v) in enumerate(zip(self.sliders, self.values)):
            value = float(z[i]) if i < len(z) else 0.0
            s.blockSignals(True)
            s.setValue(int(round(np.clip(value, -SLIDER_RANGE, SLIDER_RANGE) / SLIDER_RANGE * SLIDER_STEPS)))
            s.blockSignals(False)
            v.setText(f"{value:+.2f}")

    def value(self, i: int) -> float:
        return self.sliders[i].value() / SLIDER_STEPS * SLIDER_RANGE


class InterpolationPanel(QWidget):
    """Ends A and B (from the handle or drawn at random), a path between them, decoded as a strip."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        row = QHBoxLayout()
        self.set_a = QPushButton(self.tr("A = handle"))
        self.set_b = QPushButton(self.tr("B = handle"))
        self.random_a = QPushButton(self.tr("A random"))
        self.random_b = QPushButton(self.tr("B random"))
        for b, tip in ((self.set_a, self.tr("Mark the handle's latent as end A")),
                       (self.set_b, self.tr("Mark the handle's latent as end B")),
                       (self.random_a, self.tr("Draw end A from the model's prior (where its samples start)")),
                       (self.random_b, self.tr("Draw end B from the model's prior (where its samples start)"))):
            b.setToolTip(tip)
            row.addWidget(b)
        layout.addLayout(row)
        row = QHBoxLayout()
        self.mode = QComboBox()
        self.mode.addItem(self.tr("linear (lerp)"), "lerp")
        self.mode.addItem(self.tr("spherical (slerp)"), "slerp")
        self.mode.setToolTip(self.tr("Linear suits the VAE's latent; spherical keeps Gaussian noise (GAN, flow, diffusion) at "
                             "a typical length all the way."))
        self.steps = QSpinBox()
        self.steps.setRange(2, 32)
        self.steps.setValue(10)
        self.steps.setToolTip(self.tr("Pictures on the path, both ends included"))
        self.go = QPushButton(self.tr("Interpolate"))
        self.save_png = QPushButton(self.tr("Save PNG…"))
        self.save_gif = QPushButton(self.tr("Save GIF…"))
        self.save_png.setEnabled(False)
        self.save_gif.setEnabled(False)
        row.addWidget(self.mode)
        row.addWidget(QLabel(self.tr("steps")))
        row.addWidget(self.steps)
        row.addWidget(self.go)
        row.addStretch(1)
        row.addWidget(self.save_png)
        row.addWidget(self.save_gif)
        layout.addLayout(row)
        self.strip = LiveImageView()
        self.strip.setMinimumHeight(60)
        layout.addWidget(self.strip, 1)
        self.caption = QLabel(self.tr("Mark two ends, then Interpolate."))
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)

    def set_mode(self, mode: str) -> None:
        self.mode.setCurrentIndex(max(0, self.mode.findData(mode)))


class EncodePanel(QWidget):
    """Pick a training example (or open / drop an image file) and encode it onto the plane."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        left = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("training example")))
        self.index = QSpinBox()
        self.index.setRange(0, 0)
        self.index.setObjectName("latent_encode_index")
        row.addWidget(self.index)
        self.random = QPushButton(self.tr("Random"))
        row.addWidget(self.random)
        left.addLayout(row)
        row = QHBoxLayout()
        self.encode = QPushButton(self.tr("Encode"))
        self.encode.setToolTip(self.tr("Put this example's latent on the plane (VAE: encoder mean; flow: exact inverse; "
                               "diffusion: DDIM inversion). Then drag the handle to edit it."))
        self.open_file = QPushButton(self.tr("Open image…"))
        self.open_file.setToolTip(self.tr("Encode an image file (or drop one on this panel)"))
        row.addWidget(self.encode)
        row.addWidget(self.open_file)
        left.addLayout(row)
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        left.addWidget(self.caption)
        left.addStretch(1)
        layout.addLayout(left, 1)
        self.thumb = LiveImageView()
        self.thumb.setFixedSize(96, 96)
        layout.addWidget(self.thumb)


class DataSpaceView(pg.PlotWidget):
    """For 2-D data: the held-out data in grey, the manifold grid decoded into the plane of the data,
    an interpolation path, and the decoded handle as a large dot."""

    def __init__(self, parent=None):
        super().__init__(parent)
        plane_plot(self)
        self.data_item = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(*DATA_BRUSH), pxMode=True)
        self.grid_item = pg.PlotCurveItem(pen=pg.mkPen(40, 110, 200, 140, width=1), connect="finite")
        self.path_item = pg.PlotDataItem(pen=pg.mkPen(200, 40, 40, width=2), symbol="o", symbolSize=5,
                                         symbolBrush=(200, 40, 40))
        self.point_item = pg.ScatterPlotItem(size=14, pen=pg.mkPen(20, 20, 20, width=2),
                                             brush=pg.mkBrush(230, 110, 20, 230), pxMode=True)
        for item in (self.data_item, self.grid_item, self.path_item, self.point_item):
            self.addItem(item)
        self.point: np.ndarray | None = None
        self.tag = None

    def set_reference(self, points: np.ndarray | None) -> None:
        if points is None or len(points) == 0:
            self.data_item.setData(x=[], y=[])
            return
        pts = np.asarray(points, dtype=np.float64)[:5000]
        self.data_item.setData(pts[:, 0], pts[:, 1])
        lo, hi = np.percentile(pts, 0.5, axis=0), np.percentile(pts, 99.5, axis=0)
        pad = (hi - lo) * 0.15 + 1e-6
        self.setRange(xRange=(lo[0] - pad[0], hi[0] + pad[0]), yRange=(lo[1] - pad[1], hi[1] + pad[1]), padding=0)
        self.disableAutoRange()

    def set_point(self, xy: np.ndarray, tag=None) -> None:
        self.point = np.asarray(xy, dtype=np.float64).ravel()[:2]
        self.tag = tag
        self.point_item.setData([self.point[0]], [self.point[1]])

    def set_grid(self, values: np.ndarray | None, k: int) -> None:
        """Decoded grid (k * k, 2) in image-grid order, drawn as its rows and columns."""
        if values is None or len(values) != k * k:
            self.grid_item.setData([], [])
            return
        g = np.asarray(values, dtype=np.float64).reshape(k, k, 2)
        nan = np.full((k, 1, 2), np.nan)
        rows = np.concatenate([g, nan], 1).reshape(-1, 2)
        cols = np.concatenate([g.transpose(1, 0, 2), nan], 1).reshape(-1, 2)
        xy = np.concatenate([rows, cols], 0)
        self.grid_item.setData(xy[:, 0], xy[:, 1], connect="finite")

    def set_path(self, values: np.ndarray | None) -> None:
        if values is None or len(values) == 0:
            self.path_item.setData([], [])
            return
        v = np.asarray(values, dtype=np.float64)
        self.path_item.setData(v[:, 0], v[:, 1])
