"""Data dock: the training data as the model sees it, and what it is.

A grid of the first training images or a scatter of up to 5000 training points, with the dataset's
size, shape, value range and class balance, and the files that were skipped with their reasons (a
list to read and copy). It only displays a ``Dataset`` it is given; where the data comes from is the
setup dock's business, and the dock asks for things by signals: ``draw_requested`` (the "Draw your
own" button), ``drawing_changed`` (a stroke, an undo or a clear on the canvas), ``cancel_requested``
(the Cancel beside a load's progress) and ``open_file_requested``/``open_folder_requested`` (offered
when a download fails, so the person can load the same set from disk).

In drawing mode the picture is a ``PointPainter`` with its brush, Undo and Clear in ``self.tools``.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QApplication, QDockWidget, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QProgressBar, QPushButton, QSpinBox, QStackedWidget, QVBoxLayout, QWidget)

from gui.widgets.text_views import lines_picture
from gui.widgets.point_painter import PointPainter
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
    # lazy: engine.render loads PyTorch, kept out of the window's first paint
    from engine.render import image_grid, scatter_image
    if dataset.spec.kind == "image":
        return image_grid(dataset.x_train[:n_images])
    if dataset.spec.kind == "text":
        # lazy: engine.data loads PyTorch, kept out of the window's first paint
        from engine.data.text import decode_tokens
        return lines_picture(decode_tokens(dataset.x_train[:48], dataset.spec.vocab))
    return scatter_image(dataset.x_train[:2000].numpy(), None, size=160)


class DataDock(QDockWidget):
    draw_requested = Signal()
    drawing_changed = Signal(object)     # (N, 2) float64 points
    cancel_requested = Signal()
    open_file_requested = Signal()
    open_folder_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(self.tr("Data"), parent)
        self.setObjectName("dock_data")
        self.dataset = None
        self.summary: dict | None = None
        self.drawing = False
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.tools = QHBoxLayout()  # data tools: drawing points (dropping files works anywhere on the window)
        layout.addLayout(self.tools)
        self._build_tools()
        progress_row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        progress_row.addWidget(self.progress, 1)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("data_cancel")
        self.cancel_button.setToolTip(self.tr("Stop loading or downloading (a download resumes where it stopped next time)"))
        self.cancel_button.clicked.connect(self.cancel_requested)
        progress_row.addWidget(self.cancel_button)
        self._progress_box = QWidget()
        self._progress_box.setLayout(progress_row)
        progress_row.setContentsMargins(0, 0, 0, 0)
        self._progress_box.hide()
        layout.addWidget(self._progress_box)
        self._build_local_offer(layout)
        row = QHBoxLayout()
        self.stack = QStackedWidget()
        self.image_view = ImageGridView()
        self.scatter_view = ScatterView()
        self.scatter_view.data_item.setBrush(pg.mkBrush(40, 90, 200, 90))
        self.painter = PointPainter()
        self.painter.points_changed.connect(self._on_painter_points_changed)
        self.stack.addWidget(self.scatter_view)
        self.stack.addWidget(self.image_view)
        self.stack.addWidget(self.painter)
        row.addWidget(self.stack, 3)
        side = QVBoxLayout()
        self.info = QLabel(self.tr("No data loaded yet."))
        self.info.setObjectName("data_info")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        side.addWidget(self.info)
        self.balance = pg.PlotWidget()
        self.balance.setMenuEnabled(False)
        self.balance.setMouseEnabled(False, False)
        self.balance.setTitle(self.tr("class balance"), size="8pt")
        self.balance.setMaximumHeight(140)
        self.balance.hideButtons()
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush="#4a7bd0")
        self.balance.addItem(self.bars)
        self.balance.hide()
        side.addWidget(self.balance)
        side.addStretch(1)
        row.addLayout(side, 2)
        layout.addLayout(row, 1)
        self._build_skipped_list(layout)
        self.setWidget(body)

    # ---- construction ---------------------------------------------------------------------------------
    def _build_tools(self) -> None:
        self.draw_button = QPushButton(self.tr("Draw your own…"))
        self.draw_button.setObjectName("data_draw")
        self.draw_button.setToolTip(self.tr("Paint a 2D point set with the mouse and train on it (kept in the run's config)"))
        self.draw_button.clicked.connect(self.draw_requested)
        self.tools.addWidget(self.draw_button)
        self.brush_label = QLabel(self.tr("Brush"))
        self.brush_spin = QSpinBox()
        self.brush_spin.setObjectName("data_brush")
        self.brush_spin.setRange(0, 60)
        self.brush_spin.setValue(12)
        self.brush_spin.setSuffix(self.tr(" px"))
        self.brush_spin.setToolTip(self.tr("How widely a dab sprays points (0: one point exactly under the pointer)"))
        self.brush_spin.valueChanged.connect(lambda v: self.painter.set_brush(v))
        self.undo_button = QPushButton(self.tr("Undo"))
        self.undo_button.setToolTip(self.tr("Take back the last stroke (or the last Clear)"))
        self.undo_button.clicked.connect(lambda: self.painter.undo())
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.setToolTip(self.tr("Remove every point (Undo brings them back)"))
        self.clear_button.clicked.connect(lambda: self.painter.clear_points())
        for w in (self.brush_label, self.brush_spin, self.undo_button, self.clear_button):
            self.tools.addWidget(w)
            w.hide()
        self.tools.addStretch(1)
        self.drop_hint = QLabel(self.tr("or drop a file or folder on the window"))
        self.drop_hint.setStyleSheet("color: #777")
        self.tools.addWidget(self.drop_hint)

    def _build_local_offer(self, layout) -> None:
        """Shown when a download fails: load the same set from files on disk instead."""
        self.local_offer = QWidget()
        self.local_offer.setObjectName("data_local_offer")
        row = QHBoxLayout(self.local_offer)
        row.setContentsMargins(0, 0, 0, 0)
        label = QLabel(self.tr("Load it from files on disk instead:"))
        row.addWidget(label)
        self.local_file_button = QPushButton(self.tr("Open file…"))
        self.local_file_button.setToolTip(self.tr("An archive or an IDX file you downloaded yourself"))
        self.local_file_button.clicked.connect(self.open_file_requested)
        self.local_folder_button = QPushButton(self.tr("Open folder…"))
        self.local_folder_button.setToolTip(self.tr("The folder holding the set's files (MNIST's IDX files, or CIFAR-10's "
                                            "cifar-10-batches-bin)"))
        self.local_folder_button.clicked.connect(self.open_folder_requested)
        row.addWidget(self.local_file_button)
        row.addWidget(self.local_folder_button)
        row.addStretch(1)
        self.local_offer.hide()
        layout.addWidget(self.local_offer)

    def _build_skipped_list(self, layout) -> None:
        """Under the picture, full width: each skipped file with its reason (hover: the full path)."""
        self.skipped_box = QWidget()
        box = QHBoxLayout(self.skipped_box)
        box.setContentsMargins(0, 0, 0, 0)
        head = QVBoxLayout()
        self.skipped_label = QLabel()
        self.skipped_label.setStyleSheet("color: #b06000")
        head.addWidget(self.skipped_label)
        self.copy_skipped_button = QPushButton(self.tr("Copy"))
        self.copy_skipped_button.setToolTip(self.tr("Copy every skipped file with its full path and reason"))
        self.copy_skipped_button.clicked.connect(self.copy_skipped)
        head.addWidget(self.copy_skipped_button)
        head.addStretch(1)
        box.addLayout(head)
        self.skipped_list = QListWidget()
        self.skipped_list.setObjectName("data_skipped")
        self.skipped_list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.skipped_list.setMaximumHeight(96)
        box.addWidget(self.skipped_list, 1)
        self.skipped_box.hide()
        layout.addWidget(self.skipped_box)

    # ---- loading --------------------------------------------------------------------------------------
    def show_loading(self, name: str, done: int = 0, total: int = 0, text: str = "") -> None:
        self.local_offer.hide()
        self._progress_box.show()
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done)
        amount = (self.tr(" ({done:.1f} of {total:.1f} MB)").format(done=done / 1e6, total=total / 1e6)
                  if total > 1_000_000 else "")
        shown = "{}: {}{}".format(_short(name), text or self.tr("loading"), amount)
        self.progress.setFormat(shown + (" %p%" if total else ""))

    def show_error(self, message: str, offer_local: bool = False) -> None:
        """A load failed: say why; ``offer_local`` adds buttons to load the set from disk instead."""
        self._progress_box.hide()
        self.info.setText("<span style='color:#b00020'>{}</span>".format(_escape(message)))
        self.local_offer.setVisible(offer_local)

    def show_cancelled(self, name: str) -> None:
        self._progress_box.hide()
        self.info.setText(self.tr("Loading {name} was cancelled. Choose it again to retry (a download resumes where it stopped).").format(name=_escape(_short(name))))

    def show_hint(self, text: str) -> None:
        self._progress_box.hide()
        self.local_offer.hide()
        self.info.setText(_escape(text))

    # ---- drawing ----------------------------------------------------------------------------------------
    def set_drawing(self, on: bool) -> None:
        """Drawing mode: the canvas and its brush, Undo and Clear; else the data's picture."""
        self.drawing = on
        for w in (self.brush_label, self.brush_spin, self.undo_button, self.clear_button):
            w.setVisible(on)
        self.draw_button.setVisible(not on)
        if on:
            self.stack.setCurrentWidget(self.painter)
        elif self.summary is not None:
            self.stack.setCurrentWidget(self.image_view if self.summary["kind"] in ("image", "text")
                                        else self.scatter_view)

    def _on_painter_points_changed(self, n: int) -> None:
        self.undo_button.setEnabled(self.painter.can_undo())
        self.drawing_changed.emit(self.painter.points())

    # ---- skipped files ----------------------------------------------------------------------------------
    def _show_skipped(self, skipped: list[dict]) -> None:
        self.skipped_list.clear()
        for entry in skipped:
            path, reason = str(entry["path"]), str(entry["reason"])
            item = QListWidgetItem(f"{_tail(path)}: {reason}")
            item.setToolTip(f"{path}\n{reason}")
            self.skipped_list.addItem(item)
        n = len(skipped)
        self.skipped_label.setText((self.tr("1 file\nskipped:") if n == 1 else self.tr("{n} files\nskipped:").format(n=n)))
        self.skipped_box.setVisible(n > 0)

    def skipped_text(self) -> str:
        """The skipped files, one "path: reason" line each (what Copy puts on the clipboard)."""
        skipped = (self.summary or {}).get("skipped") or []
        return "\n".join(f"{e['path']}: {e['reason']}" for e in skipped)

    def copy_skipped(self) -> None:
        QApplication.clipboard().setText(self.skipped_text())

    # ---- the data ---------------------------------------------------------------------------------------
    def show_dataset(self, dataset) -> None:
        self._progress_box.hide()
        self.local_offer.hide()
        self.dataset = dataset
        s = self.summary = dataset_summary(dataset)
        self._show_skipped(s.get("skipped") or [])
        if self.drawing and s.get("name") == "drawn":
            pass  # the canvas stays: the person is still drawing
        elif s["kind"] in ("image", "text"):
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
        translate = QCoreApplication.translate
        kind = {"points": translate("DataDock", "2D points"), "text": translate("DataDock", "text, one example a line")}.get(
            s["kind"], translate("DataDock", "images"))
        lines = ["<b>{}</b> ({})".format(_escape(s.get("name") or translate("DataDock", "data")), kind),
                 translate("DataDock", "{train:,} training, {test:,} held-out").format(train=s["n_train"], test=s["n_test"]),
                 (translate("DataDock", "{n} coordinates").format(n=s["shape"][0]) if s["kind"] == "points"
                  else translate("DataDock", "lines of up to {n} characters").format(n=s["shape"][0] - 1)
                  if s["kind"] == "text" else translate("DataDock", "shape {shape}").format(shape=shape))
                 + (translate("DataDock", ", {levels} levels per channel").format(levels=s["levels"]) if s.get("levels") else ""),
                 translate("DataDock", "values {low} to {high}").format(low=_num(lo), high=_num(hi))]
        classes = s.get("classes") or []
        if classes:
            counts = [c["count"] for c in classes]
            lines.append(translate("DataDock", "{n} classes, {least:,} to {most:,} each").format(n=len(classes), least=min(counts),
                                                                              most=max(counts)))
        for note in s.get("notes") or []:
            lines.append(f"<i>{_escape(note)}</i>")
        if s.get("source"):
            lines.append(f"<span style='color:#666'>{_escape(s['source'])}</span>")
        return "<br>".join(lines)


def _num(v: float) -> str:
    return f"{v:.4g}" if math.isfinite(v) else str(v)


def _tail(path: str) -> str:
    """The last two parts of a path (``cats/broken.jpg``): enough to find it, short enough to read."""
    parts = path.replace("\\", "/").rstrip("/").split("/")
    return "/".join(parts[-2:])


def _short(path: str, keep: int = 40) -> str:
    return path if len(path) <= keep else "…" + path[-(keep - 1):]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
