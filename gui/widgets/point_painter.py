"""A canvas to paint a 2D point set with the mouse: the "draw your own" dataset.

Press and drag on the canvas to spray points around the pointer; the brush size is the spray's
radius in screen pixels (0: one point exactly where you click). Every press-drag-release is one
stroke, so Undo removes what one gesture added, and Clear empties the canvas (Undo brings it back).
The canvas shows a fixed square of data coordinates (``EXTENT`` each way, the range the 2D toys use)
and never pans or zooms, so a point lands where the pointer is. Points leave as float64 (N, 2) in
data units; the setup stores them in the run config (``data.points``) at float32 precision.

Spray positions come from a seeded generator, so the same gestures give the same drawing.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal

from engine.point_list import MAX_DRAWN_POINTS

EXTENT = 4.0
MAX_POINTS = MAX_DRAWN_POINTS   # what a run config accepts (engine.point_list)
SPACING_PX = 3.0               # a drag adds points about every this many pixels of pointer travel
POINTS_PER_DAB = 4             # points sprayed per dab at a brush size above zero
POINT_BRUSH = (40, 90, 200, 150)


class PointPainter(pg.PlotWidget):
    points_changed = Signal(int)    # number of points, after each stroke, undo or clear

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("point_painter")
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.setAspectLocked(True)
        self.showGrid(x=True, y=True, alpha=0.15)
        self.setRange(xRange=(-EXTENT, EXTENT), yRange=(-EXTENT, EXTENT), padding=0)
        self.disableAutoRange()
        self.item = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(*POINT_BRUSH), pxMode=True)
        self.addItem(self.item)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip(self.tr("Press and drag to paint points; the brush size sets how widely they spread."))
        self.brush_px = 12.0
        self._strokes: list[np.ndarray] = []      # each stroke's points, in order
        self._current: list[tuple[float, float]] | None = None
        self._last_px: QPointF | None = None
        self._cleared: list[list[np.ndarray]] = []  # what Clear removed, for Undo
        self._history: list[str] = []              # "stroke" or "clear", newest last
        self._rng = np.random.default_rng(0)

    # ---- the drawing ---------------------------------------------------------------------------------
    def points(self) -> np.ndarray:
        """Every point drawn, (N, 2) float64 in data units."""
        parts = list(self._strokes)
        if self._current:
            parts.append(np.asarray(self._current, dtype=np.float64))
        if not parts:
            return np.zeros((0, 2))
        return np.concatenate(parts).reshape(-1, 2)

    def count(self) -> int:
        return len(self.points())

    def set_points(self, points, emit: bool = False) -> None:
        """Replace the drawing (one stroke, so Undo clears it); used when a run or a setup is opened."""
        arr = np.asarray(points, dtype=np.float64).reshape(-1, 2) if len(points) else np.zeros((0, 2))
        self._strokes = [arr] if len(arr) else []
        self._history = ["stroke"] if len(arr) else []
        self._cleared = []
        self._current = None
        self._update_points()
        if emit:
            self.points_changed.emit(len(arr))

    def set_brush(self, px: float) -> None:
        self.brush_px = max(0.0, float(px))

    def undo(self) -> None:
        """Take back the last stroke, or bring back what the last Clear removed."""
        if not self._history:
            return
        what = self._history.pop()
        if what == "clear" and self._cleared:
            self._strokes = self._cleared.pop()
        elif self._strokes:
            self._strokes.pop()
        self._update_points()
        self.points_changed.emit(self.count())

    def clear_points(self) -> None:
        if not self._strokes:
            return
        self._cleared.append(self._strokes)
        self._strokes = []
        self._history.append("clear")
        self._update_points()
        self.points_changed.emit(0)

    def can_undo(self) -> bool:
        return bool(self._history)

    # ---- mouse -----------------------------------------------------------------------------------------
    def mousePressEvent(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        self._current = []
        self._last_px = ev.position()
        self._dab(ev.position())
        ev.accept()

    def mouseMoveEvent(self, ev) -> None:
        if self._current is None:
            ev.ignore()
            return
        pos = ev.position()
        last = self._last_px
        travel = math.hypot(pos.x() - last.x(), pos.y() - last.y()) if last is not None else SPACING_PX
        if travel >= SPACING_PX:
            n = max(1, int(travel // SPACING_PX))
            for i in range(1, n + 1):  # fill the path, so a fast drag leaves no gaps
                t = i / n
                self._dab(QPointF(last.x() + (pos.x() - last.x()) * t, last.y() + (pos.y() - last.y()) * t))
            self._last_px = pos
        ev.accept()

    def mouseReleaseEvent(self, ev) -> None:
        if self._current is None:
            ev.ignore()
            return
        stroke = np.asarray(self._current, dtype=np.float64).reshape(-1, 2)
        self._current = None
        self._last_px = None
        if len(stroke):
            self._strokes.append(stroke)
            self._history.append("stroke")
        self._update_points()
        self.points_changed.emit(self.count())
        ev.accept()

    def _dab(self, pos_px: QPointF) -> None:
        """Add points around a widget position (pixels): one at the centre, or a spray in the brush."""
        room = MAX_POINTS - self.count()
        if room <= 0 or self._current is None:
            return
        vb = self.getPlotItem().getViewBox()
        if self.brush_px <= 0:
            offsets = np.zeros((1, 2))
        else:
            k = min(POINTS_PER_DAB, room)
            r = self.brush_px * np.sqrt(self._rng.random(k))
            a = self._rng.random(k) * 2 * np.pi
            offsets = np.stack([r * np.cos(a), r * np.sin(a)], 1)
        for dx, dy in offsets[:room]:
            scene = self.mapToScene(int(round(pos_px.x() + dx)), int(round(pos_px.y() + dy)))
            p = vb.mapSceneToView(scene)
            if abs(p.x()) <= EXTENT and abs(p.y()) <= EXTENT:
                self._current.append((p.x(), p.y()))
        self._update_points()

    def _update_points(self) -> None:
        pts = self.points()
        self.item.setData(pts[:, 0], pts[:, 1]) if len(pts) else self.item.setData(x=[], y=[])
