"""Losses dock: one live curve per loss term, with smoothing, a log scale, steps or seconds, hover.

Points arrive from the bridge in batches; they go into ``LossSeries`` buffers at once, and the plot
is redrawn by a timer at most ``REFRESH_HZ`` times a second (``setData`` on views of the buffers,
never new plot items). pyqtgraph does the rest: peak downsampling keeps a million points cheap,
clip-to-view drops what is off screen when the person zooms in, and NaN values are drawn as gaps.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDockWidget, QHBoxLayout, QLabel, QSlider,
                               QVBoxLayout, QWidget)

from gui.plots.series import LossSeries, pick_linear_threshold
from gui.plots.symlog_axis import SymlogAxis
from gui.visibility import on_screen
from gui.widgets.views import cache_axes

REFRESH_HZ = 12
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
           "#7f7f7f", "#bcbd22"]
X_HEADROOM = 1.25   # while following, the x range runs 25% past the newest point, so it moves rarely
SMOOTHING_STEPS = 100  # slider positions: weight = position / 100, up to 0.99


class LossesDock(QDockWidget):
    non_finite_seen = Signal(str, int, int)   # term, step, total non-finite points of that term

    def __init__(self, parent=None):
        super().__init__(self.tr("Losses"), parent)
        self.setObjectName("dock_losses")
        self.series: dict[str, LossSeries] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.weight = 0.6
        self.axis_mode = "steps"
        self.threshold: float | None = None
        self._dirty = False
        self._recompute = False
        self._force_range = True
        self._headroom = X_HEADROOM
        self.redraws = 0

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("Smoothing")))
        self.smoothing_slider = QSlider(Qt.Orientation.Horizontal)
        self.smoothing_slider.setRange(0, 99)
        self.smoothing_slider.setValue(int(self.weight * SMOOTHING_STEPS))
        self.smoothing_slider.setToolTip(self.tr("Exponential moving average of the curves (0: raw values). "
                                         "The hover readout shows raw and smoothed values."))
        self.smoothing_slider.setMaximumWidth(160)
        self.smoothing_slider.setMinimumWidth(70)
        self.smoothing_slider.valueChanged.connect(self._on_smoothing_slider_changed)
        controls.addWidget(self.smoothing_slider)
        self.smoothing_label = QLabel(f"{self.weight:.2f}")
        self.smoothing_label.setMinimumWidth(32)
        controls.addWidget(self.smoothing_label)
        self.log_check = QCheckBox(self.tr("Log scale"))
        self.log_check.setToolTip(self.tr("Symmetric log scale: logarithmic for large magnitudes, linear near zero, "
                                  "so negative losses (GAN, NLL) are shown too."))
        self.log_check.toggled.connect(self._on_log_check_toggled)
        controls.addWidget(self.log_check)
        controls.addWidget(QLabel(self.tr("x axis")))
        self.axis_combo = QComboBox()
        self.axis_combo.addItem(self.tr("steps"), "steps")
        self.axis_combo.addItem(self.tr("seconds"), "seconds")
        self.axis_combo.currentIndexChanged.connect(self._on_axis_combo_changed)
        controls.addWidget(self.axis_combo)
        self.follow_check = QCheckBox(self.tr("Follow"))
        self.follow_check.setChecked(True)
        self.follow_check.setToolTip(self.tr("Keep the newest points in view. Turned off when you pan or zoom with the "
                                     "mouse (wheel, drag); tick it to follow again."))
        self.follow_check.toggled.connect(self._on_follow_check_toggled)
        controls.addWidget(self.follow_check)
        controls.addStretch(1)
        layout.addLayout(controls)

        self.left_axis = SymlogAxis("left")
        self.plot = pg.PlotWidget(axisItems={"left": self.left_axis})
        self.plot.setObjectName("losses_plot")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", self.tr("step"))
        self.plot.setLabel("left", self.tr("loss"))
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        cache_axes(self.plot)
        self.plot.setMenuEnabled(True)
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextSize="9pt", brush=pg.mkBrush(255, 255, 255, 200),
                                          pen=pg.mkPen("#ccc"))
        self.cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#888", style=Qt.PenStyle.DashLine))
        self.cursor.hide()
        self.plot.addItem(self.cursor, ignoreBounds=True)
        self.plot.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)
        self.plot.hideButtons()
        self.view_box = self.plot.getPlotItem().vb
        self.view_box.disableAutoRange()
        self.view_box.sigRangeChangedManually.connect(lambda *_: self.follow_check.setChecked(False))
        layout.addWidget(self.plot, 1)
        self.readout = QLabel(self.tr("Pick data and a model in Setup, then press Train (Ctrl+Return): the losses appear here."))
        self.readout.setObjectName("losses_readout")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.readout.setWordWrap(True)  # six GAN terms on one line would widen the dock and squeeze its neighbours
        # two lines, always: a label whose height follows its text re-lays out (and repaints) the plot
        self.readout.setFixedHeight(self.readout.fontMetrics().lineSpacing() * 2 + 4)
        self.readout.setAutoFillBackground(True)  # opaque: its 12 Hz text changes do not repaint the dock
        layout.addWidget(self.readout)
        self.setWidget(body)

        self._timer = QTimer(self)
        self._timer.setInterval(int(1000 / REFRESH_HZ))
        self._timer.timeout.connect(self._update_plot)
        self._timer.start()

    # ---- data in ---------------------------------------------------------------------------------
    def clear(self) -> None:
        for curve in self.curves.values():
            self.plot.removeItem(curve)
        self.legend.clear()
        self.series.clear()
        self.curves.clear()
        self.threshold = None
        self.left_axis.set_threshold(None)
        self.readout.setText(self.tr("Pick data and a model in Setup, then press Train (Ctrl+Return): the losses appear here."))
        self._dirty = True
        self._force_range = True
        self.follow_check.setChecked(True)

    def add_steps(self, steps: list) -> None:
        """Append a batch of ``StepCompleted`` events (oldest first)."""
        if not steps:
            return
        names: list[str] = []
        for ev in steps:
            for k in ev.losses:
                if k not in names:
                    names.append(k)
        x_steps = np.fromiter((ev.step for ev in steps), dtype=np.float64, count=len(steps))
        x_secs = np.fromiter((ev.elapsed for ev in steps), dtype=np.float64, count=len(steps))
        for name in names:
            values = np.fromiter((ev.losses.get(name, math.nan) for ev in steps), dtype=np.float64,
                                 count=len(steps))
            series = self.series.get(name)
            if series is None:
                series = self._add_series(name)
            before = series.non_finite
            series.extend(x_steps, x_secs, values, self.weight, self.threshold)
            if series.non_finite > before:
                bad = int(x_steps[~np.isfinite(values)][0])
                self.non_finite_seen.emit(name, bad, series.non_finite)
        if self.log_check.isChecked() and self.threshold is None:
            self._recompute = True
        self._dirty = True

    def _add_series(self, name: str) -> LossSeries:
        series = LossSeries(name)
        self.series[name] = series
        colour = PALETTE[(len(self.series) - 1) % len(PALETTE)]
        width = 2 if name == "loss" else 1
        curve = self.plot.plot(name=name, pen=pg.mkPen(colour, width=width))
        curve.setDownsampling(auto=True, method="peak")
        curve.setClipToView(True)
        curve.setSkipFiniteCheck(False)
        self.curves[name] = curve
        return series

    # ---- options -----------------------------------------------------------------------------------
    def set_smoothing(self, weight: float) -> None:
        self.smoothing_slider.setValue(int(round(weight * SMOOTHING_STEPS)))

    def set_log_scale(self, on: bool) -> None:
        self.log_check.setChecked(on)

    def set_axis(self, mode: str) -> None:
        self.axis_combo.setCurrentIndex(max(0, self.axis_combo.findData(mode)))

    def _on_smoothing_slider_changed(self, value: int) -> None:
        self.weight = value / SMOOTHING_STEPS
        self.smoothing_label.setText(f"{self.weight:.2f}")
        self._recompute = True
        self._dirty = True

    def _on_log_check_toggled(self, on: bool) -> None:
        self.threshold = None
        self._recompute = True
        self._dirty = True

    def _on_axis_combo_changed(self, _index: int) -> None:
        self.axis_mode = self.axis_combo.currentData()
        self.plot.setLabel("bottom", self.tr("step") if self.axis_mode == "steps" else self.tr("seconds of training"))
        self._dirty = True
        self._force_range = True

    # ---- drawing ------------------------------------------------------------------------------------
    def _update_plot(self) -> None:
        if not self._dirty or not on_screen(self):  # a tab behind another dock draws when shown
            return
        self._dirty = False
        if self._recompute:
            self._recompute = False
            if self.log_check.isChecked():
                joined = [s.smooth.view() for s in self.series.values() if len(s)]
                self.threshold = pick_linear_threshold(np.concatenate(joined)) if joined else None
            else:
                self.threshold = None
            for s in self.series.values():
                s.recompute(self.weight, self.threshold)
            self.left_axis.set_threshold(self.threshold)
            self.plot.setLabel("left", self.tr("loss (symmetric log)") if self.threshold else self.tr("loss"))
            self._force_range = True
        for name, s in self.series.items():
            self.curves[name].setData(s.x(self.axis_mode), s.shown.view())
        if not self.cursor.isVisible() and self.series:
            self._update_readout()
        if self.follow_check.isChecked():
            self._follow_data()
        self.redraws += 1

    def _update_readout(self) -> None:
        """The newest smoothed values (when the mouse is not over the plot)."""
        last = max(self.series.values(), key=lambda s: s.steps.view()[-1] if len(s) else -1)
        if not len(last):
            return
        step = int(last.steps.view()[-1])
        parts = [f"{n} {s.smooth.view()[-1]:.4g}" for n, s in self.series.items() if len(s)]
        self.readout.setText(self.tr("step {step:,}:  {values}   (hover for values)")
                             .format(step=step, values="   ".join(parts)))

    def _on_follow_check_toggled(self, on: bool) -> None:
        if on:
            self._force_range = True
            self._dirty = True

    def finish(self) -> None:
        """The run ended: fit the view to the data exactly (no room left for points that will not come)."""
        self._update_plot()
        if self.follow_check.isChecked():
            self._headroom = 1.0
            self._force_range = True
            self._dirty = True
            self._update_plot()
            self._headroom = X_HEADROOM

    def _follow_data(self) -> None:
        """Keep all data in view, changing the range only when the data leaves it or fills too little
        of it: a range that moves every frame makes pyqtgraph redraw the axes every frame."""
        xs = [s.x(self.axis_mode) for s in self.series.values() if len(s)]
        ys = [s.shown.view() for s in self.series.values() if len(s)]
        if not xs:
            return
        x_lo = min(float(x[0]) for x in xs)
        x_hi = max(float(x[-1]) for x in xs)
        with warnings.catch_warnings():  # an all-NaN curve (every value non-finite) has no range
            warnings.simplefilter("ignore", RuntimeWarning)
            lows = [float(np.nanmin(y)) for y in ys]
            highs = [float(np.nanmax(y)) for y in ys]
        lows = [v for v in lows if math.isfinite(v)]
        highs = [v for v in highs if math.isfinite(v)]
        if not lows:
            return
        y_lo, y_hi = min(lows), max(highs)
        (vx0, vx1), (vy0, vy1) = self.view_box.viewRange()
        force = self._force_range
        self._force_range = False
        if force or x_hi > vx1 or x_lo < vx0 or (x_hi - x_lo) < 0.5 * (vx1 - vx0):
            span = max(x_hi - x_lo, 1e-9)
            self.view_box.setXRange(x_lo, x_lo + span * self._headroom, padding=0.02)
        y_span = max(y_hi - y_lo, abs(y_hi) * 1e-3, 1e-9)
        if force or y_hi > vy1 or y_lo < vy0 or y_span < 0.6 * (vy1 - vy0):
            self.view_box.setYRange(y_lo - 0.08 * y_span, y_hi + 0.08 * y_span, padding=0)

    def point_count(self) -> int:
        return sum(len(s) for s in self.series.values())

    def _on_scene_mouse_moved(self, pos) -> None:
        vb = self.plot.getPlotItem().vb
        if not self.series or not self.plot.sceneBoundingRect().contains(pos):
            self.cursor.hide()
            return
        x = vb.mapSceneToView(pos).x()
        parts = []
        at = None
        for name, s in self.series.items():
            hit = s.value_at(x, self.axis_mode)
            if hit is None:
                continue
            at = hit[0] if at is None else at
            raw, smooth = hit[1], hit[2]
            text = f"{name} {raw:.4g}" if self.weight == 0 else f"{name} {raw:.4g} (smoothed {smooth:.4g})"
            parts.append(text)
        if at is None:
            return
        self.cursor.setPos(at)
        self.cursor.show()
        unit = "step" if self.axis_mode == "steps" else "s"
        where = f"step {int(at)}" if unit == "step" else f"{at:.1f} s"
        self.readout.setText(f"{where}:  " + "   ".join(parts))
