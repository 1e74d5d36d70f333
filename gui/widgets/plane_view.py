"""The latent plane: encoded training points coloured by class, a handle to drag, markers A, B, E.

Left button: press-and-drag (or click) puts the handle under the pointer and emits ``handle_moved``
for every move, so the dock can ask for a decode at once; right or middle drag pans; the wheel
zooms. Every item is made once and updated with ``setData``/``setPos``. ``viewport_point`` maps
plane coordinates to the viewport's pixels, which is where tests and the latency benchmark send
their mouse events.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QGraphicsItem

from gui.widgets.views import plane_plot

PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
           (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]
UNLABELLED = (90, 90, 90)
MARKER_COLOURS = {"A": (220, 30, 30), "B": (30, 90, 220), "E": (20, 150, 60)}


def class_brushes(labels: np.ndarray | None, n: int, alpha: int = 150) -> list:
    """One brush per point, by class (ten colours, repeating), or one grey for unlabelled data."""
    if labels is None:
        return [pg.mkBrush(*UNLABELLED, alpha)] * n
    cache = [pg.mkBrush(*c, alpha) for c in PALETTE]
    return [cache[int(k) % len(cache)] for k in labels]


class _PlaneViewBox(pg.ViewBox):
    def __init__(self, on_pick):
        super().__init__(enableMenu=False)
        self._on_pick = on_pick
        self.user_moved = False     # the person zoomed or panned: automatic fitting stops

    def wheelEvent(self, ev, axis=None):
        self.user_moved = True
        super().wheelEvent(ev, axis)

    def mouseClickEvent(self, ev):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._on_pick(self.mapSceneToView(ev.scenePos()), True)
        else:
            ev.ignore()

    def mouseDragEvent(self, ev, axis=None):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._on_pick(self.mapSceneToView(ev.scenePos()), ev.isFinish())
        elif ev.button() in (Qt.MouseButton.RightButton, Qt.MouseButton.MiddleButton):
            ev.accept()
            self.user_moved = True
            delta = self.mapSceneToView(ev.lastScenePos()) - self.mapSceneToView(ev.scenePos())
            self.translateBy(x=delta.x(), y=delta.y())
        else:
            super().mouseDragEvent(ev, axis)


class PlaneView(pg.PlotWidget):
    handle_moved = Signal(float, float, bool)     # a, b, whether the pointer was released
    region_changed = Signal()

    def __init__(self, parent=None):
        self.box = _PlaneViewBox(self._picked)
        super().__init__(parent, viewBox=self.box)
        plane_plot(self)
        self.points_item = pg.ScatterPlotItem(size=4, pen=None, pxMode=True)
        self.points_item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.markers_item = pg.ScatterPlotItem(size=12, pxMode=True, symbol="s")
        self.handle_item = pg.ScatterPlotItem([0.0], [0.0], size=18, pxMode=True, symbol="o",
                                              pen=pg.mkPen(20, 20, 20, width=2), brush=pg.mkBrush(255, 200, 0, 170))
        self.handle_item.setZValue(20)
        self.markers_item.setZValue(10)
        self.region_item = pg.PlotCurveItem(pen=pg.mkPen(60, 60, 60, 160, width=1, style=Qt.PenStyle.DashLine))
        self.region_item.setZValue(5)
        for item in (self.points_item, self.region_item, self.markers_item, self.handle_item):
            self.addItem(item)
        self.marker_texts: dict[str, pg.TextItem] = {}
        for name, colour in MARKER_COLOURS.items():
            text = pg.TextItem(name, color=colour, anchor=(-0.3, 1.2))
            text.setZValue(11)
            text.hide()
            self.addItem(text)
            self.marker_texts[name] = text
        self.markers: dict[str, tuple[float, float]] = {}
        self.handle = (0.0, 0.0)
        self.point_count = 0
        self.box.sigRangeChanged.connect(lambda *_: self.region_changed.emit())

    # ---- pointer ---------------------------------------------------------------------------------------
    def _picked(self, pos: QPointF, final: bool) -> None:
        a, b = float(pos.x()), float(pos.y())
        self.set_handle(a, b)
        self.handle_moved.emit(a, b, final)

    def viewport_point(self, a: float, b: float):
        """The viewport pixel (QPoint) showing plane coordinates (a, b)."""
        scene = self.box.mapViewToScene(QPointF(a, b))
        return self.mapFromScene(scene)

    # ---- items --------------------------------------------------------------------------------------------
    def set_handle(self, a: float, b: float) -> None:
        self.handle = (float(a), float(b))
        self.handle_item.setData([self.handle[0]], [self.handle[1]])

    def set_points(self, coords: np.ndarray | None, labels: np.ndarray | None = None) -> None:
        if coords is None or len(coords) == 0:
            self.point_count = 0
            self.points_item.setData(x=[], y=[])
            return
        coords = np.asarray(coords, dtype=np.float64)
        ok = np.isfinite(coords).all(1)
        coords = coords[ok]
        labels = None if labels is None else np.asarray(labels)[ok]
        self.point_count = len(coords)
        self.points_item.setData(coords[:, 0], coords[:, 1], brush=class_brushes(labels, len(coords)))

    def set_marker(self, name: str, ab: tuple[float, float] | None) -> None:
        if ab is None:
            self.markers.pop(name, None)
            self.marker_texts[name].hide()
        else:
            self.markers[name] = (float(ab[0]), float(ab[1]))
            self.marker_texts[name].setPos(*self.markers[name])
            self.marker_texts[name].show()
        names = list(self.markers)
        if not names:
            self.markers_item.setData(x=[], y=[])
            return
        xy = np.array([self.markers[n] for n in names])
        self.markers_item.setData(xy[:, 0], xy[:, 1],
                                  brush=[pg.mkBrush(*MARKER_COLOURS[n], 220) for n in names],
                                  pen=[pg.mkPen(255, 255, 255, width=1)] * len(names))

    def set_manifold_region(self, x_range, y_range) -> None:
        """Outline the region the manifold view decodes."""
        (x0, x1), (y0, y1) = x_range, y_range
        self.region_item.setData([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0])

    def square_region(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The largest square inside the visible region (its centre is the view's centre)."""
        (x0, x1), (y0, y1) = self.visible_region()
        half = min(x1 - x0, y1 - y0) / 2 * 0.96
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        return (cx - half, cx + half), (cy - half, cy + half)

    def set_axis_names(self, u: str, v: str) -> None:
        self.setLabel("bottom", u)
        self.setLabel("left", v)

    def visible_region(self) -> tuple[tuple[float, float], tuple[float, float]]:
        (x0, x1), (y0, y1) = self.box.viewRange()
        return (float(x0), float(x1)), (float(y0), float(y1))

    def set_region(self, x_range, y_range) -> None:
        """Show this region (and let automatic fitting resume)."""
        self.box.user_moved = False
        self.box.setRange(xRange=x_range, yRange=y_range, padding=0)

    @property
    def user_moved(self) -> bool:
        return self.box.user_moved
