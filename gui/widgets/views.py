"""Two picture views built from pyqtgraph items made once and updated in place.

``ImageGridView``: one ``ImageItem`` holding a uint8 grid with fixed levels 0..255 (no histogram, no
auto-levels: ``ImageView``'s histogram made a prototype stall). ``ScatterView``: held-out data in
grey under the model's samples in orange, in a view whose range follows the data, not the samples,
so a diverging model cannot zoom the picture out to nothing.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsItem

MAX_POINTS = 5000
DATA_BRUSH = (150, 150, 150, 110)
SAMPLE_BRUSH = (230, 110, 20, 170)


def cache_axes(plot: pg.PlotWidget) -> None:
    """Cache each axis (with its grid lines, it spans the whole plot) as a pixmap.

    pyqtgraph replays an axis's recorded drawing on every repaint of anything under it, ~10 ms per axis
    per frame; cached, a repaint is a copy until the range changes. The window holds Python's lock
    while it paints, so every millisecond saved here is one the training thread can use."""
    for name in ("left", "bottom"):
        plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)



def plane_plot(plot: pg.PlotWidget) -> None:
    """The look of every plot of a plane (data, latent, density): equal axes, a faint grid, no context
    menu or auto-range button, cached axes."""
    plot.setAspectLocked(True)
    plot.showGrid(x=True, y=True, alpha=0.15)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    cache_axes(plot)

class ImageGridView(pg.GraphicsLayoutWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.view = self.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.view.setBackgroundColor("w")
        self.item = pg.ImageItem(axisOrder="row-major")
        self.item.setAutoDownsample(False)
        self.view.addItem(self.item)
        self.image: np.ndarray | None = None
        self._shape = None

    def set_image(self, img: np.ndarray, rect_like: tuple[int, int] | None = None) -> None:
        """Show a uint8 (H, W) or (H, W, 3) picture; ``rect_like`` keeps the on-screen size of a
        picture of that (H, W), so a stored, upscaled grid lands exactly over the live one."""
        img = np.ascontiguousarray(img)
        self.image = img
        self.item.setImage(img, autoLevels=False, levels=(0, 255))
        h, w = rect_like if rect_like is not None else img.shape[:2]
        self.item.setRect(QRectF(0, 0, w, h))
        if self._shape != (h, w):
            self._shape = (h, w)
            self.view.autoRange(padding=0.01)

    def clear_picture(self) -> None:
        # not ``clear``: GraphicsLayoutWidget replaces that name with its layout's clear() per instance
        self.image = None
        self._shape = None
        self.item.clear()


class ScatterView(pg.PlotWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAspectLocked(True)
        self.showGrid(x=True, y=True, alpha=0.15)
        self.setMenuEnabled(False)
        self.data_item = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(*DATA_BRUSH), pxMode=True)
        self.sample_item = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(*SAMPLE_BRUSH), pxMode=True)
        self.addItem(self.data_item)
        self.addItem(self.sample_item)
        self.data_item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # the held-out data is static
        cache_axes(self)
        self.samples: np.ndarray | None = None
        self.reference: np.ndarray | None = None

    def set_reference(self, points: np.ndarray | None) -> None:
        if points is None or len(points) == 0:
            self.reference = None
            self.data_item.setData(x=[], y=[])
            return
        pts = np.asarray(points, dtype=np.float64)[:MAX_POINTS]
        pts = pts[np.isfinite(pts).all(1)]
        self.reference = pts
        self.data_item.setData(pts[:, 0], pts[:, 1])
        lo = np.percentile(pts, 0.5, axis=0)
        hi = np.percentile(pts, 99.5, axis=0)
        pad = (hi - lo) * 0.12 + 1e-6
        self.setRange(xRange=(lo[0] - pad[0], hi[0] + pad[0]), yRange=(lo[1] - pad[1], hi[1] + pad[1]),
                      padding=0)
        self.disableAutoRange()

    def set_samples(self, points: np.ndarray | None) -> None:
        if points is None or len(points) == 0:
            self.samples = None
            self.sample_item.setData(x=[], y=[])
            return
        pts = np.asarray(points, dtype=np.float64)[:MAX_POINTS]
        pts = pts[np.isfinite(pts).all(1)]
        self.samples = pts
        self.sample_item.setData(pts[:, 0], pts[:, 1])
        if self.reference is None:
            self.autoRange()

    def clear_points(self) -> None:
        # not ``clear``: PlotWidget replaces that name with PlotItem.clear() (removes every item)
        self.set_samples(None)
        self.set_reference(None)
