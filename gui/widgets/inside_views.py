"""Views for "inside the models" on 2-D data: a data-space map with a heat map, overlays of lines and
particles, and the VAE's latent plane with posterior ellipses.

The heat map is one uint8 ``ImageItem`` with fixed levels 0..255 and a viridis lookup table; the
engine's arrays (rows going up in y) are placed on the data's coordinates with ``setRect``. Line
overlays are one ``PlotCurveItem`` with NaN breaks (``connect="finite"``), so a warped grid of any
size is one item.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QGraphicsItem

from gui.widgets.plane_view import PALETTE
from gui.widgets.views import DATA_BRUSH, plane_plot

LOG_FLOOR = 12.0        # log scale: show log p down to this many nats below the maximum


def heat_uint8(values: np.ndarray, kind: str, log_scale: bool) -> np.ndarray:
    """Engine values (n, n) -> uint8 (n, n) for a fixed 0..255 colour scale.
    log_density: density relative to its maximum (or log-density over the top ``LOG_FLOOR`` nats);
    discriminator: min..max of the grid (D(x) in [0, 1] keeps its scale)."""
    v = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(v)
    if not finite.any():
        return np.zeros(v.shape, np.uint8)
    v = np.where(finite, v, np.nanmin(np.where(finite, v, np.nan)))
    if kind == "log_density":
        top = v.max()
        if log_scale:
            u = np.clip((v - (top - LOG_FLOOR)) / LOG_FLOOR, 0, 1)
        else:
            u = np.exp(v - top)
    elif kind == "discriminator" and v.min() >= 0 and v.max() <= 1:
        u = v
    else:
        lo, hi = v.min(), v.max()
        u = (v - lo) / (hi - lo) if hi > lo else np.zeros_like(v)
    return np.ascontiguousarray((u * 255 + 0.5).astype(np.uint8))


def polylines(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(L, P, 2) polylines -> x, y with NaN between lines (for ``connect="finite"``)."""
    lines = np.asarray(lines, dtype=np.float64)
    nan = np.full((lines.shape[0], 1, 2), np.nan)
    xy = np.concatenate([lines, nan], 1).reshape(-1, 2)
    return xy[:, 0], xy[:, 1]


def show_polylines(item, lines: np.ndarray | None) -> int:
    """Draw (L, P, 2) polylines in a plot item (none: clear it); the number of lines drawn."""
    if lines is None or len(lines) == 0:
        item.setData([], [])
        return 0
    x, y = polylines(lines)
    item.setData(x, y, connect="finite")
    return len(lines)


def arrow_polylines(points: np.ndarray, vectors: np.ndarray, cell: float) -> np.ndarray:
    """(m, 5, 2) arrows for a vector field on a grid of spacing ``cell``: tail, tip, one barb, tip, the
    other barb. Directions are exact; lengths grow with the square root of the magnitude, scaled together
    so the 90th percentile spans 0.9 of a cell and the longest at most 1.2 cells (a score grows like
    distance / noise^2, so linear lengths would show the far arrows only)."""
    p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    v = np.asarray(vectors, dtype=np.float64).reshape(-1, 2)
    mag = np.linalg.norm(v, axis=1)
    ref = float(np.percentile(mag, 90)) if len(mag) else 0.0
    if ref <= 0:
        return np.zeros((0, 5, 2))
    length = np.minimum(0.9 * cell * np.sqrt(mag / ref), 1.2 * cell)
    unit = v / np.where(mag > 0, mag, 1.0)[:, None]
    tail = p - 0.5 * length[:, None] * unit           # centred on the grid point
    tip = p + 0.5 * length[:, None] * unit
    head = 0.3 * length[:, None]
    normal = np.stack([-unit[:, 1], unit[:, 0]], 1)
    left = tip - head * unit + 0.5 * head * normal
    right = tip - head * unit - 0.5 * head * normal
    return np.stack([tail, tip, left, tip, right], 1)


def ellipse(mean: np.ndarray, std: np.ndarray, k: float = 2.0, points: int = 64) -> np.ndarray:
    """(points, 2): the k-sigma contour of an axis-aligned Gaussian in the first two dimensions."""
    t = np.linspace(0, 2 * np.pi, points)
    sx = std[0]
    sy = std[1] if len(std) > 1 else 0.0
    my = mean[1] if len(mean) > 1 else 0.0
    return np.stack([mean[0] + k * sx * np.cos(t), my + k * sy * np.sin(t)], 1)


class _ClickBox(pg.ViewBox):
    def __init__(self, on_click):
        super().__init__(enableMenu=False)
        self._on_click = on_click

    def mouseClickEvent(self, ev):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            p = self.mapSceneToView(ev.scenePos())
            self._on_click(float(p.x()), float(p.y()))
        else:
            super().mouseClickEvent(ev)


class MapView(pg.PlotWidget):
    """Data space: heat map, held-out data, line overlay, particles and picked points."""

    clicked = Signal(float, float)

    def __init__(self, parent=None):
        self.box = _ClickBox(lambda x, y: self.clicked.emit(x, y))
        super().__init__(parent, viewBox=self.box)
        plane_plot(self)
        self.heat = pg.ImageItem(axisOrder="row-major")
        self.heat.setLookupTable(pg.colormap.get("viridis").getLookupTable(nPts=256))
        self.heat.setZValue(-10)
        self.data_item = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(*DATA_BRUSH), pxMode=True)
        self.data_item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.lines = pg.PlotCurveItem(pen=pg.mkPen(255, 255, 255, 200, width=1), connect="finite")
        self.particles = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(255, 120, 30, 210), pxMode=True)
        self.picks = pg.ScatterPlotItem(size=11, pxMode=True, symbol="x")
        self.chain_lines = pg.PlotCurveItem(pen=pg.mkPen(255, 80, 80, 170, width=1), connect="finite")
        self.chain_ends = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(255, 60, 60, 220), pxMode=True)
        self.chain_lines.setZValue(6)
        self.arrows = pg.PlotCurveItem(pen=pg.mkPen(255, 255, 255, 220, width=1.5), connect="finite")
        self.arrows.setZValue(4)
        self.addItem(self.arrows)
        self.arrow_count = 0
        self.chain_ends.setZValue(7)
        for item in (self.heat, self.data_item, self.lines, self.particles, self.picks, self.chain_lines,
                     self.chain_ends):
            self.addItem(item)
        self.heat_image: np.ndarray | None = None
        self.reference_points: np.ndarray | None = None
        self.line_count = 0
        self.particle_count = 0
        self.component_items: list[pg.PlotCurveItem] = []
        self.component_count = 0
        self.chain_count = 0

    def set_bounds(self, bounds) -> None:
        x0, x1, y0, y1 = bounds
        self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def set_reference(self, points: np.ndarray | None) -> None:
        self.reference_points = points
        if points is None or len(points) == 0:
            self.data_item.setData(x=[], y=[])
            return
        pts = np.asarray(points, dtype=np.float64)[:3000]
        self.data_item.setData(pts[:, 0], pts[:, 1], size=3, brush=pg.mkBrush(*DATA_BRUSH))

    def set_heat(self, img: np.ndarray | None, bounds=None) -> None:
        if img is None:
            self.heat_image = None
            self.heat.clear()
            return
        self.heat_image = img
        self.heat.setImage(img, autoLevels=False, levels=(0, 255))
        x0, x1, y0, y1 = bounds
        self.heat.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))

    def set_lines(self, lines: np.ndarray | None) -> None:
        self.line_count = show_polylines(self.lines, lines)

    def set_particles(self, pts: np.ndarray | None) -> None:
        if pts is None or len(pts) == 0:
            self.particle_count = 0
            self.particles.setData(x=[], y=[])
            return
        pts = np.asarray(pts, dtype=np.float64)
        self.particle_count = len(pts)
        self.particles.setData(pts[:, 0], pts[:, 1])

    def set_components(self, comp) -> None:
        """A mixture's components (``engine.latent.inside.Components``): one ellipse each, thicker for a
        larger weight, and the held-out points coloured by the component that owns them (paler where
        the responsibility is split); None clears them and gives the points back their plain colour."""
        if comp is None:
            for item in self.component_items:
                item.setData([], [])
            self.component_count = 0
            self.set_reference(self.reference_points)
            return
        k = len(comp.weights)
        while len(self.component_items) < k:
            item = pg.PlotCurveItem()
            item.setZValue(5)
            self.addItem(item)
            self.component_items.append(item)
        top = float(np.max(comp.weights)) if k else 1.0
        for i, item in enumerate(self.component_items):
            if i < k:
                width = 1.0 + 3.0 * float(comp.weights[i]) / top
                item.setPen(pg.mkPen(*PALETTE[i % len(PALETTE)], width=width))
                item.setData(comp.ellipses[i][:, 0], comp.ellipses[i][:, 1])
            else:
                item.setData([], [])
        self.component_count = k
        if len(comp.points):
            brushes = [[pg.mkBrush(*PALETTE[c % len(PALETTE)], a) for a in (70, 130, 200)] for c in range(k)]
            level = np.digitize(comp.confidence, (0.6, 0.9))
            self.data_item.setData(comp.points[:, 0], comp.points[:, 1], size=4,
                                   brush=[brushes[o][lv] for o, lv in zip(comp.owner, level)])

    def set_chains(self, chains) -> None:
        """MCMC chains (``engine.latent.inside.ChainPaths``): a few chains' paths as lines, every chain's
        last state as a dot; None clears them."""
        self.chain_count = 0 if chains is None else len(chains.samples)
        if chains is None:
            self.chain_lines.setData([], [])
            self.chain_ends.setData(x=[], y=[])
            return
        x, y = polylines(np.transpose(np.asarray(chains.path, dtype=np.float64), (1, 0, 2)))
        self.chain_lines.setData(x, y, connect="finite")
        self.chain_ends.setData(chains.samples[:, 0], chains.samples[:, 1])

    def set_arrows(self, field, cell: float = 1.0) -> None:
        """A vector field (``engine.latent.inside.VectorField``) as arrows on its grid of spacing ``cell``;
        None clears them."""
        lines = None if field is None else arrow_polylines(field.points, field.vectors, cell)
        self.arrow_count = show_polylines(self.arrows, lines)

    def set_picks(self, pts: list[tuple[float, float]]) -> None:
        if not pts:
            self.picks.setData(x=[], y=[])
            return
        xy = np.asarray(pts, dtype=np.float64)
        brushes = [pg.mkBrush(*PALETTE[i % len(PALETTE)]) for i in range(len(xy))]
        pens = [pg.mkPen(*PALETTE[i % len(PALETTE)], width=2) for i in range(len(xy))]
        self.picks.setData(xy[:, 0], xy[:, 1], brush=brushes, pen=pens)


class PosteriorView(pg.PlotWidget):
    """The VAE's latent (first two dimensions): held-out posterior means, the prior's contours (N(0, I)'s 1- and
    2-sigma circles, or each fitted mixture component's 2-sigma ellipse), and a 2-sigma ellipse of q(z | x)
    for each picked point, in the pick's colour."""

    def __init__(self, parent=None):
        super().__init__(parent)
        plane_plot(self)
        self.setLabel("bottom", self.tr("z1"))
        self.setLabel("left", self.tr("z2"))
        self.cloud = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(*DATA_BRUSH), pxMode=True)
        self.prior = pg.PlotCurveItem(connect="finite", pen=pg.mkPen(120, 120, 120, width=1, style=Qt.PenStyle.DashLine))
        self.set_prior(np.stack([ellipse(np.zeros(2), np.ones(2), k) for k in (1.0, 2.0)]))
        self.addItem(self.cloud)
        self.addItem(self.prior)
        self.ellipses: list[pg.PlotCurveItem] = []
        self.setRange(xRange=(-3, 3), yRange=(-3, 3), padding=0)
        self.shown = 0

    def set_prior(self, contours: np.ndarray) -> None:
        """The prior's contours (K, P, 2), drawn dashed as one curve broken between them."""
        gap = np.full((len(contours), 1, 2), np.nan)
        line = np.concatenate([contours, gap], 1).reshape(-1, 2)[:-1]
        self.prior.setData(line[:, 0], line[:, 1])
        self.prior_count = len(contours)

    def set_posterior(self, post) -> None:
        self.set_prior(post.prior)
        if len(post.cloud):
            c = np.asarray(post.cloud, dtype=np.float64)
            self.cloud.setData(c[:, 0], c[:, 1] if c.shape[1] > 1 else np.zeros(len(c)))
        while len(self.ellipses) < len(post.mean):
            i = len(self.ellipses)
            item = pg.PlotCurveItem(pen=pg.mkPen(*PALETTE[i % len(PALETTE)], width=2))
            self.addItem(item)
            self.ellipses.append(item)
        for i, item in enumerate(self.ellipses):
            if i < len(post.mean):
                e = ellipse(post.mean[i], post.std[i])
                item.setData(e[:, 0], e[:, 1])
            else:
                item.setData([], [])
        self.shown = len(post.mean)
