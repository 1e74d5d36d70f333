"""Compare dock: two or more runs side by side, from ``engine.runs.compare.compare_runs``.

Three views of one ``Comparison`` (computed off the GUI thread by ``gui.runs_controller``):

- curves overlaid, one colour per run, for a chosen training-loss term or the held-out NLL (in the
  comparison's unit: bits/dim for images, nats for points), so families whose losses mean different
  things still meet on one axis;
- the runs' sample pictures side by side (``comparison_picture``): image grids decoded from one noise
  bank where the latents have the same shape, point scatters on shared axes;
- a table of held-out figures on that one axis, each marked exact, bound, ode or estimate.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDockWidget, QHBoxLayout, QHeaderView, QLabel,
                               QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from engine.i18n import QT_TRANSLATE_NOOP
from gui.docks.losses_dock import PALETTE
from gui.widgets.views import ImageGridView, cache_axes

HELD_OUT = "held-out NLL"  # the metric combo's key (shown translated)
TABLE_COLUMNS = (QT_TRANSLATE_NOOP("CompareDock", "Run"), QT_TRANSLATE_NOOP("CompareDock", "Family"),
                 QT_TRANSLATE_NOOP("CompareDock", "Held-out"), QT_TRANSLATE_NOOP("CompareDock", "Unit"),
                 QT_TRANSLATE_NOOP("CompareDock", "Kind"), QT_TRANSLATE_NOOP("CompareDock", "± s.e."),
                 QT_TRANSLATE_NOOP("CompareDock", "At step"))


def curve(records: list[dict], key: str, kind: str, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values) of ``key`` in a run's train records, or its held-out NLL in the comparison's unit."""
    if key == HELD_OUT:
        recs = [r for r in records if r.get("event") == "eval" and _finite(r.get("test_nll_nats"))]
        scale = 1.0 / (max(1, dim) * math.log(2)) if kind == "image" else 1.0
        return (np.array([r["step"] for r in recs], dtype=np.float64),
                np.array([r["test_nll_nats"] * scale for r in recs], dtype=np.float64))
    recs = [r for r in records if r.get("event") == "train" and key in r]
    values = [r[key] if _finite(r[key]) else math.nan for r in recs]
    return (np.array([r["step"] for r in recs], dtype=np.float64), np.array(values, dtype=np.float64))


def loss_keys(comparison) -> list[str]:
    """Training-loss terms that at least one run logged, "loss" first."""
    keys: list[str] = []
    for r in comparison.runs:
        for rec in r.curves:
            if rec.get("event") == "train":
                for k, v in rec.items():
                    if k not in ("event", "step", "time") and k not in keys and isinstance(v, (int, float)):
                        keys.append(k)
    return sorted(keys, key=lambda k: (k != "loss", k))


class CompareDock(QDockWidget):
    def __init__(self, parent=None):
        super().__init__(self.tr("Compare"), parent)
        self.setObjectName("dock_compare")
        self.comparison = None
        self._dims: dict[str, int] = {}
        self.items: list[pg.PlotDataItem] = []

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.caption = QLabel(self.tr("Select two or more runs in Runs (Ctrl+click) and press Compare."))
        self.caption.setObjectName("compare_caption")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        vsplit = QSplitter(Qt.Orientation.Vertical)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Curve")))
        self.metric_combo = QComboBox()
        self.metric_combo.setObjectName("compare_metric")
        self.metric_combo.setToolTip(self.tr("Which curve to overlay: a training-loss term, or the held-out NLL (the "
                                     "one figure every family reports in the same unit)"))
        self.metric_combo.currentIndexChanged.connect(lambda _i: self._update_curves())
        row.addWidget(self.metric_combo, 1)
        lv.addLayout(row)
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setLabel("bottom", self.tr("step"))
        cache_axes(self.plot)
        lv.addWidget(self.plot, 1)
        split.addWidget(left)
        self.picture = ImageGridView()
        self.picture.setObjectName("compare_picture")
        self.picture.setToolTip(self.tr("Each run's samples; image runs with latents of one shape decode the same noise"))
        split.addWidget(self.picture)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        vsplit.addWidget(split)
        self.table = QTableWidget(0, len(TABLE_COLUMNS))
        self.table.setObjectName("compare_table")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in TABLE_COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setToolTip(self.tr("Held-out figures on one axis; each run's name is in its curve's colour"))
        vsplit.addWidget(self.table)
        vsplit.setStretchFactor(0, 3)
        vsplit.setStretchFactor(1, 1)
        layout.addWidget(vsplit, 1)
        self.notes = QLabel("")
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: #666")
        layout.addWidget(self.notes)
        self.setWidget(body)

    def present(self) -> None:
        """Show the dock where it can be read: docked in a space too small for three views, it floats
        over the window at a readable size (double-click its title to dock it again)."""
        self.show()
        window = self.parentWidget()
        if not self.isFloating() and window is not None and (self.width() < 700 or self.height() < 420):
            self.setFloating(True)
            geo = window.geometry()
            w, h = min(960, int(geo.width() * 0.8)), min(640, int(geo.height() * 0.85))
            self.setGeometry(geo.x() + (geo.width() - w) // 2, geo.y() + (geo.height() - h) // 2, w, h)
        self.raise_()

    def show_busy(self, names: list[str]) -> None:
        self.caption.setText(self.tr("Comparing {runs}… (loading each run's weights and drawing samples)").format(runs=', '.join(names)))

    def show_error(self, message: str) -> None:
        self.caption.setText(self.tr("<span style='color:#b00020'>Cannot compare: {message}</span>").format(message=_escape(message)))

    def show_comparison(self, cmp, dims: dict[str, int] | None = None, picture: np.ndarray | None = None) -> None:
        """Show ``cmp`` (a ``Comparison``); ``dims``: run name -> data dimension (for bits/dim curves);
        ``picture``: the side-by-side samples (``comparison_picture``), made off the GUI thread."""
        self.comparison = cmp
        self._dims = dict(dims or {})
        families = ", ".join(f"{r.name} ({r.family})" for r in cmp.runs)
        shared = [r.name for r in cmp.runs if r.shared_noise]
        noise = (self.tr("; {shared} of {n} decode one shared noise bank (seed {seed})")
                 .format(shared=len(shared), n=len(cmp.runs), seed=cmp.seed) if shared
                 else self.tr("; samples drawn with seed {seed}").format(seed=cmp.seed))
        self.caption.setText(self.tr("{n} runs on {data}: {families}{noise}")
                             .format(n=len(cmp.runs), data=cmp.runs[0].data, families=families, noise=noise))
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        self.metric_combo.addItem(self.tr("held-out NLL ({unit})").format(unit=cmp.unit), HELD_OUT)
        for key in loss_keys(cmp):
            self.metric_combo.addItem(self.tr("training {key}").format(key=key), key)
        has_eval = any(r.metric["value"] is not None for r in cmp.runs)
        self.metric_combo.setCurrentIndex(0 if has_eval else min(1, self.metric_combo.count() - 1))
        self.metric_combo.blockSignals(False)
        self._update_curves()
        self._update_table()
        if picture is not None:
            self.picture.set_image(picture)
        self.notes.setText("; ".join(cmp.notes))

    def _update_curves(self) -> None:
        for item in self.items:
            self.plot.removeItem(item)
        self.items = []
        cmp = self.comparison
        if cmp is None:
            return
        key = self.metric_combo.currentData() or HELD_OUT
        for i, r in enumerate(cmp.runs):
            x, y = curve(r.curves, key, cmp.kind, self._dims.get(r.name, 1))
            if not len(x):
                continue
            colour = PALETTE[i % len(PALETTE)]
            item = self.plot.plot(x, y, pen=pg.mkPen(colour, width=2),
                                  symbol="o" if key == HELD_OUT else None, symbolSize=6, symbolPen=None,
                                  symbolBrush=colour, connect="finite")
            item.setDownsampling(auto=True, method="peak")
            item.setClipToView(True)
            self.items.append(item)
        unit = cmp.unit if key == HELD_OUT else ""
        self.plot.setLabel("left", self.tr("held-out NLL ({unit})").format(unit=unit) if key == HELD_OUT else key)
        self.plot.enableAutoRange()

    def _update_table(self) -> None:
        cmp = self.comparison
        self.table.setRowCount(len(cmp.runs))
        for row, r in enumerate(cmp.runs):
            m = r.metric
            value = "–" if m["value"] is None else f"{m['value']:.4f}"
            se = "" if m["se"] is None else f"{m['se']:.4f}"
            cells = (r.name, r.family, value, cmp.unit, m["kind"] or "–", se, "" if m["step"] is None else
                     f"{m['step']:,}")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 0:  # the run's name in its curve's colour: the plot needs no legend
                    item.setForeground(QBrush(QColor(PALETTE[row % len(PALETTE)])))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if col == 4 and m["kind"]:
                    item.setToolTip({"exact": "the exact negative log-likelihood",
                                     "bound": "an upper bound on the NLL (the true figure is lower)",
                                     "ode": "exact up to the ODE solver's accuracy",
                                     "estimate": "a Monte Carlo estimate"}.get(m["kind"], m["kind"]))
                self.table.setItem(row, col, item)
        rows_height = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setMinimumHeight(min(240, self.table.horizontalHeader().height() + rows_height + 6))

    def table_rows(self) -> list[tuple[str, ...]]:
        """The table's text, row by row (what a person reads)."""
        return [tuple(self.table.item(r, c).text() for c in range(self.table.columnCount()))
                for r in range(self.table.rowCount())]


def _finite(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
