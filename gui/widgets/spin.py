"""Spin boxes for real-valued knobs: compact ``%g`` text, and multiplicative steps for log knobs.

``QDoubleSpinBox`` rounds to a fixed number of decimals and shows ``0.00100000`` for a learning
rate. This one keeps 10 decimals internally, prints significant digits (``0.001``, ``3e-05``), and
for knobs declared ``log=True`` steps by a factor (x2 / x2.5 / x2: 1e-3 -> 2e-3 -> 5e-3 -> 1e-2),
which is how people actually move a learning rate.
"""

from __future__ import annotations

import math

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox

NICE_MANTISSAS = (1.0, 2.0, 5.0)
BIG = 1e12


class FloatSpinBox(QDoubleSpinBox):
    def __init__(self, minimum: float | None, maximum: float | None, log: bool = False, parent=None):
        super().__init__(parent)
        self.log = log
        self.setDecimals(10)
        lo = -BIG if minimum is None else float(minimum)
        hi = BIG if maximum is None else float(maximum)
        self.setRange(lo, hi)
        self.setKeyboardTracking(False)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        self.setSingleStep(0.1)

    def set_step_for(self, value: float) -> None:
        """A linear step that suits the default's magnitude (0.1 for 1.0, 0.01 for 0.05)."""
        if not self.log:
            mag = abs(value) if value else 1.0
            self.setSingleStep(10.0 ** math.floor(math.log10(mag)) if mag > 0 else 0.1)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        text = text.strip().removesuffix(self.suffix().strip()).strip()
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        body = text.strip().removesuffix(self.suffix().strip()).strip()
        if body in ("", "-", "+", ".", "-.", "e", "E") or body.lower().endswith(("e", "e-", "e+")):
            return QValidator.State.Intermediate, text, pos
        try:
            value = float(body)
        except ValueError:
            return QValidator.State.Invalid, text, pos
        if value < self.minimum() or value > self.maximum():
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Acceptable, text, pos

    def stepBy(self, steps: int) -> None:
        if not self.log:
            super().stepBy(steps)
            return
        value = self.value()
        for _ in range(abs(steps)):
            value = _next_nice(value, up=steps > 0)
        self.setValue(min(max(value, self.minimum()), self.maximum()))


def _next_nice(value: float, up: bool) -> float:
    """The next value on the 1-2-5 ladder above or below ``value`` (which need not be on it)."""
    if value <= 0:
        return 1e-6 if up else value
    exp = math.floor(math.log10(value))
    ladder = [m * 10.0 ** e for e in (exp - 1, exp, exp + 1) for m in NICE_MANTISSAS]
    if up:
        bigger = [v for v in ladder if v > value * (1 + 1e-9)]
        return min(bigger)
    smaller = [v for v in ladder if v < value * (1 - 1e-9)]
    return max(smaller)
