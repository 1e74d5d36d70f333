"""A pyqtgraph axis that labels symmetric-log values in the data's own units.

The curves are plotted as ``symlog(y, c)`` (see ``gui.plots.series``). This axis puts major ticks at
0 and at +-c * 10^k and minor ticks at 2x and 5x those, labelled with the original values, so the
person reads losses, not logarithms. With the scale off it behaves as a plain axis.
"""

from __future__ import annotations

import math

import pyqtgraph as pg

from gui.plots.series import symlog, symlog_inverse


def _format(v: float) -> str:
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e5:
        return f"{v:.4g}"
    return f"{v:.0e}".replace("e+0", "e").replace("e-0", "e-")


class SymlogAxis(pg.AxisItem):
    def __init__(self, orientation: str = "left", **kwargs):
        super().__init__(orientation, **kwargs)
        self.threshold: float | None = None

    def set_threshold(self, c: float | None) -> None:
        """Label as symlog with linear threshold ``c``; None for a plain axis."""
        self.threshold = c
        self.picture = None
        self.update()

    def tickValues(self, minVal, maxVal, size):
        c = self.threshold
        if c is None:
            return super().tickValues(minVal, maxVal, size)
        lo, hi = sorted((minVal, maxVal))
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return []
        major, minor = [], []
        if lo <= 0 <= hi:
            major.append(0.0)
        top = max(abs(lo), abs(hi))
        k_max = int(math.ceil(abs(top))) + 1
        for k in range(0, k_max + 1):
            for sign in (1.0, -1.0):
                v = symlog(sign * c * 10.0 ** k, c)
                if lo <= v <= hi:
                    major.append(float(v))
                for m in (2.0, 5.0):
                    u = symlog(sign * c * m * 10.0 ** k, c)
                    if lo <= u <= hi:
                        minor.append(float(u))
        major = sorted(set(major))
        if len(major) > 8:  # too many decades: label every other one
            major = major[::2]
        if len(major) < 2:
            return super().tickValues(minVal, maxVal, size)
        spacing = (hi - lo) / max(len(major), 1)
        return [(spacing, major), (spacing / 3, sorted(set(minor)))]

    def tickStrings(self, values, scale, spacing):
        if self.threshold is None:
            return super().tickStrings(values, scale, spacing)
        real = symlog_inverse(values, self.threshold)
        return [_format(float(self._round(v))) for v in real]

    @staticmethod
    def _round(v: float) -> float:
        if v == 0 or not math.isfinite(v):
            return v
        digits = 3 - int(math.floor(math.log10(abs(v))))
        return round(v, digits)
