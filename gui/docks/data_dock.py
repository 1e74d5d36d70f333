"""Data dock: the training data as the model sees it, and what it is.

A grid of the first training images or a scatter of up to 5000 training points, with the dataset's
size, shape, value range and class balance. It only displays a ``Dataset`` it is given; where the
data comes from is the setup dock's business. Later additions (drawing points, dropping files) go in
``self.tools``, a row kept above the picture for them.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDockWidget, QHBoxLayout, QLabel, QProgressBar, QStackedWidget, QVBoxLayout,
                               QWidget)

from gui.widgets.views import ImageGridView, ScatterView

GRID_IMAGES = 64


def dataset_summary(dataset) -> dict:
    """Counts, shape, value range and class counts of a Dataset, as plain values."""
    summary = getattr(dataset, "summary", None)
    if callable(summary):
        return summary()
    x = dataset.x_train
    classes = []
    if dataset.y_train is not None and dataset.spec.num_classes:
        counts = np.bincount(dataset.y_train.numpy(), minlength=dataset.spec.num_classes)
        names = dataset.spec.class_names or tuple(str(i) for i in range(dataset.spec.num_classes))
        classes = [{"name": n, "count": int(c)} for n, c in zip(names, counts)]
    return {"name": dataset.spec.name, "kind": dataset.spec.kind, "source": dataset.source,
            "n_train": len(x), "n_test": len(dataset.x_test), "shape": list(dataset.spec.shape),
            "levels": dataset.spec.levels, "range": [float(x.min()), float(x.max())], "classes": classes,
            "skipped": [{"path": p, "reason": r} for p, r in dataset.skipped], "notes": []}


def preview_picture(dataset, n_images: int = GRID_IMAGES) -> np.ndarray:
    """A uint8 picture of the data: an image grid, or a scatter rendered by the engine."""
    from engine.render import image_grid, scatter_image
    if dataset.spec.kind == "image":
        return image_grid(dataset.x_train[:n_images])
    return scatter_image(dataset.x_train[:2000].numpy(), None, size=160)


class DataDock(QDockWidget):
    def __init__(self, parent=None):
        super().__init__("Data", parent)
        self.setObjectName("dock_data")
        self.dataset = None
        self.summary: dict | None = None
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.tools = QHBoxLayout()  # a place for data tools (drawing points, dropping files)
        layout.addLayout(self.tools)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.hide()
        layout.addWidget(self.progress)
        row = QHBoxLayout()
        self.stack = QStackedWidget()
        self.image_view = ImageGridView()
        self.scatter_view = ScatterView()
        self.scatter_view.data_item.setBrush(pg.mkBrush(40, 90, 200, 90))
        self.stack.addWidget(self.scatter_view)
        self.stack.addWidget(self.image_view)
        row.addWidget(self.stack, 3)
        side = QVBoxLayout()
        self.info = QLabel("No data loaded yet.")
        self.info.setObjectName("data_info")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        side.addWidget(self.info)
        self.balance = pg.PlotWidget()
        self.balance.setMenuEnabled(False)
        self.balance.setMouseEnabled(False, False)
        self.balance.setTitle("class balance", size="8pt")
        self.balance.setMaximumHeight(140)
        self.balance.hideButtons()
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush="#4a7bd0")
        self.balance.addItem(self.bars)
        self.balance.hide()
        side.addWidget(self.balance)
        side.addStretch(1)
        row.addLayout(side, 2)
        layout.addLayout(row, 1)
        self.setWidget(body)

    def show_loading(self, name: str, done: int = 0, total: int = 0, text: str = "") -> None:
        self.progress.show()
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done)
        self.progress.setFormat(f"{name}: {text or 'loading'}" + (" %p%" if total else ""))

    def show_error(self, message: str) -> None:
        self.progress.hide()
        self.info.setText(f"<span style='color:#b00020'>{_escape(message)}</span>")

    def show_dataset(self, dataset) -> None:
        self.progress.hide()
        self.dataset = dataset
        s = self.summary = dataset_summary(dataset)
        if s["kind"] == "image":
            self.stack.setCurrentWidget(self.image_view)
            self.image_view.set_image(preview_picture(dataset))
        else:
            self.stack.setCurrentWidget(self.scatter_view)
            self.scatter_view.set_reference(dataset.x_train[:5000].numpy())
        self.info.setText(self._info_html(s))
        classes = s.get("classes") or []
        if classes:
            counts = [c["count"] for c in classes]
            self.bars.setOpts(x=np.arange(len(counts)), height=counts, width=0.8)
            ticks = [(i, c["name"]) for i, c in enumerate(classes)] if len(classes) <= 20 else None
            self.balance.getAxis("bottom").setTicks([ticks] if ticks else None)
            self.balance.setXRange(-0.6, len(counts) - 0.4, padding=0)
            self.balance.setYRange(0, max(counts) * 1.1 if counts else 1, padding=0)
            self.balance.show()
        else:
            self.balance.hide()

    @staticmethod
    def _info_html(s: dict) -> str:
        shape = " x ".join(str(d) for d in s["shape"])
        lo, hi = s["range"]
        kind = "2D points" if s["kind"] == "points" else "images"
        lines = [f"<b>{_escape(s.get('name') or 'data')}</b> ({kind})",
                 f"{s['n_train']:,} training, {s['n_test']:,} held-out",
                 (f"{s['shape'][0]} coordinates" if s["kind"] == "points" else f"shape {shape}")
                 + (f", {s['levels']} levels per channel" if s.get("levels") else ""),
                 f"values {_num(lo)} to {_num(hi)}"]
        classes = s.get("classes") or []
        if classes:
            counts = [c["count"] for c in classes]
            lines.append(f"{len(classes)} classes, {min(counts):,} to {max(counts):,} each")
        if s.get("skipped"):
            lines.append(f"<span style='color:#b06000'>{len(s['skipped'])} files skipped</span>")
        for note in s.get("notes") or []:
            lines.append(f"<i>{_escape(note)}</i>")
        if s.get("source"):
            lines.append(f"<span style='color:#666'>{_escape(s['source'])}</span>")
        return "<br>".join(lines)


def _num(v: float) -> str:
    return f"{v:.4g}" if math.isfinite(v) else str(v)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
