"""A settings form generated from a config dataclass's knob metadata (``engine.knobs.field_info``).

Each knob becomes the widget its type asks for (spin box with range and unit, log spin box, combo
for choices, check box, line edit), with a tooltip that says what it does, its range, and whether it
can change while training runs. The form knows nothing about training: it reports edits with
``value_edited(section, name, value, live)`` and lets the owner decide (a live change for the
runner, or a "restart needed" note). Values are checked with the engine's own ``coerce_value``, so
the form accepts exactly what a config file and ``--set`` accept.
"""

from __future__ import annotations

import typing

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QWidget)

from engine.knobs import coerce_value, field_info
from gui.i18n import knob_text
from gui.widgets.spin import FloatSpinBox

INT_LIMIT = 2**31 - 1


def knob_tooltip(info: dict) -> str:
    """Help text, range, unit, and whether the knob changes live, as rich text for a tooltip.

    The help, label and unit come from the engine, marked for translation there (``engine.i18n``)."""
    translate = QCoreApplication.translate
    parts = [f"<b>{knob_text(info['label'])}</b>", knob_text(info.get("help", ""))]
    lo, hi, unit = info.get("min"), info.get("max"), knob_text(info.get("unit", ""))
    if info.get("choices"):
        parts.append(translate("KnobForm", "Choices: {choices}").format(choices=", ".join(str(c) for c in info["choices"])))
    elif lo is not None or hi is not None:
        rng = translate("KnobForm", "{low} to {high}").format(low=lo if lo is not None else "-inf", high=hi if hi is not None else "inf")
        parts.append(translate("KnobForm", "Range: {range}").format(range=rng) + ((" " + unit) if unit else ""))
    parts.append(translate("KnobForm", "Default: {default}").format(default=info["default"]))
    parts.append(translate("KnobForm", "<i>Takes effect immediately, even while training.</i>") if info.get("live")
                 else translate("KnobForm", "<i>Takes effect at the next Train (a restart is needed).</i>"))
    return "<p>" + "<br>".join(p for p in parts if p) + "</p>"


def representable(info: dict) -> bool:
    """Whether a knob fits a form row: scalars and flat lists do; a list of pairs (drawn points) does not,
    and is left to a tool made for it (its default stands unless that tool sets it)."""
    origin = typing.get_origin(info["type"])
    if origin in (list, tuple):
        return not any(typing.get_origin(a) in (list, tuple) for a in typing.get_args(info["type"]))
    return True


class KnobForm(QWidget):
    value_edited = Signal(str, str, object, bool)   # section, name, value, live

    def __init__(self, cls, section: str, exclude: tuple[str, ...] = (), basic: tuple[str, ...] | None = None,
                 parent=None):
        """``basic``: when given, only these knobs show without "advanced" (others are advanced too)."""
        super().__init__(parent)
        self.cls = cls
        self.basic = basic
        self.section = section
        self.infos = {i["name"]: i for i in field_info(cls) if i["name"] not in exclude and representable(i)}
        self.widgets: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}
        self._show_advanced = False
        self._hidden: frozenset[str] = frozenset()
        self._updating = False
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._layout = layout
        for name, info in self.infos.items():
            widget = self._make_widget(info)
            tip = knob_tooltip(info)
            label_text = knob_text(info["label"])
            text = label_text[:1].upper() + label_text[1:] + (" \u26a1" if info.get("live") else "")
            label = QLabel(text)
            label.setToolTip(tip)
            widget.setToolTip(tip)
            widget.setObjectName(f"knob_{section}_{name}")
            label.setBuddy(widget)
            layout.addRow(label, widget)
            self.widgets[name] = widget
            self.labels[name] = label
        self.set_values({n: i["default"] for n, i in self.infos.items()})
        self._apply_visibility()

    # ---- widgets ---------------------------------------------------------------------------------
    def _make_widget(self, info: dict) -> QWidget:
        tp, unit = info["type"], info.get("unit", "")
        name = info["name"]
        if info.get("choices"):
            w = QComboBox()
            for c in info["choices"]:
                w.addItem(str(c), c)
            w.currentIndexChanged.connect(lambda _i, n=name: self._emit(n))
        elif tp is bool:
            w = QCheckBox()
            w.toggled.connect(lambda _v, n=name: self._emit(n))
        elif tp is int:
            w = QSpinBox()
            lo = info.get("min")
            hi = info.get("max")
            w.setRange(int(lo) if lo is not None else -INT_LIMIT, int(min(hi, INT_LIMIT)) if hi is not None else INT_LIMIT)
            w.setKeyboardTracking(False)
            w.setGroupSeparatorShown(True)
            if unit:
                w.setSuffix(" " + knob_text(unit))
            w.valueChanged.connect(lambda _v, n=name: self._emit(n))
        elif tp is float:
            w = FloatSpinBox(info.get("min"), info.get("max"), log=bool(info.get("log")))
            w.set_step_for(float(info["default"] or 0.0))
            if unit:
                w.setSuffix(" " + knob_text(unit))
            w.valueChanged.connect(lambda _v, n=name: self._emit(n))
        else:  # str, lists and anything else: text
            w = QLineEdit()
            w.editingFinished.connect(lambda n=name: self._emit(n))
        return w

    def _emit(self, name: str) -> None:
        if self._updating:
            return
        try:
            value = self.value(name)
        except Exception:  # noqa: BLE001 - an invalid entry is shown by values(), not here
            return
        self.value_edited.emit(self.section, name, value, bool(self.infos[name].get("live")))

    # ---- values ----------------------------------------------------------------------------------
    def raw_value(self, name: str):
        w = self.widgets[name]
        info = self.infos[name]
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, (QSpinBox, FloatSpinBox)):
            return w.value()
        text = w.text().strip()
        if typing.get_origin(info["type"]) in (list, tuple):
            return [t.strip() for t in text.split(",") if t.strip()]
        if info.get("optional") and text == "":
            return None
        return text

    def value(self, name: str):
        """The knob's value, checked by the engine (raises ``ConfigError`` naming the field)."""
        return coerce_value(self.cls, name, self.raw_value(name), self.section)

    def values(self) -> dict:
        return {name: self.value(name) for name in self.widgets}

    def set_values(self, values: dict) -> list[str]:
        """Show ``values`` (unknown names are ignored and returned); emits nothing."""
        unknown = []
        self._updating = True
        try:
            for name, value in values.items():
                if name not in self.widgets:
                    unknown.append(name)
                    continue
                w = self.widgets[name]
                if isinstance(w, QComboBox):
                    idx = w.findData(value)
                    if idx >= 0:
                        w.setCurrentIndex(idx)
                elif isinstance(w, QCheckBox):
                    w.setChecked(bool(value))
                elif isinstance(w, QSpinBox):
                    w.setValue(int(value))
                elif isinstance(w, FloatSpinBox):
                    w.setValue(float(value))
                else:
                    if isinstance(value, (list, tuple)):
                        value = ", ".join(str(v) for v in value)
                    w.setText("" if value is None else str(value))
        finally:
            self._updating = False
        return unknown

    # ---- appearance --------------------------------------------------------------------------------
    def set_show_advanced(self, show: bool) -> None:
        self._show_advanced = show
        self._apply_visibility()

    def set_hidden(self, names) -> None:
        """Hide these knobs whatever the "advanced" setting (a family ignores them); their values stay."""
        self._hidden = frozenset(names)
        self._apply_visibility()

    def _apply_visibility(self) -> None:
        for name, info in self.infos.items():
            advanced = info.get("advanced") or (self.basic is not None and name not in self.basic)
            visible = (self._show_advanced or not advanced) and name not in self._hidden
            self._layout.setRowVisible(self.widgets[name], visible)

    def mark_pending(self, names: set[str]) -> None:
        """Underline knobs whose new value waits for the next Train."""
        for name, label in self.labels.items():
            font = label.font()
            font.setItalic(name in names)
            label.setFont(font)
