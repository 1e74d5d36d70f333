"""Completion mode for the autoregressive family (it has no latent): keep the top rows of an image,
or draw on it, let the model fill in the rest, and replay the filling pixel by pixel.

The model generates in raster order, and each pixel is final once drawn, so replaying the finished
image by revealing its unknown pixels in that order shows exactly the order of generation. Left drag
paints white, right drag paints black; painted pixels count as known wherever they are (a pixel
painted *below* unknown ones is kept but, in raster order, cannot steer them: the model only looks
back).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtWidgets import (QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QSlider, QSpinBox, QVBoxLayout,
                               QWidget)

from gui.widgets.live_image import LiveImageView, TimedImageItem

REPLAY_FRAMES = 90
REPLAY_TICK_MS = 30
UNKNOWN_SHADE = 0.25


class _PaintBox(pg.ViewBox):
    def __init__(self, on_paint):
        super().__init__(lockAspect=True, invertY=True, enableMenu=False)
        self.setMouseEnabled(False, False)
        self._on_paint = on_paint

    def mouseDragEvent(self, ev, axis=None):
        if ev.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            ev.accept()
            p = self.mapSceneToView(ev.scenePos())
            self._on_paint(p.x(), p.y(), ev.button() == Qt.MouseButton.LeftButton)
        else:
            ev.ignore()

    def mouseClickEvent(self, ev):
        if ev.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            ev.accept()
            p = self.mapSceneToView(ev.scenePos())
            self._on_paint(p.x(), p.y(), ev.button() == Qt.MouseButton.LeftButton)


class CompletionPanel(QWidget):
    complete_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.x: np.ndarray | None = None          # (C, H, W) float32 in [0, 1]
        self.painted: np.ndarray | None = None    # (H, W) bool
        self.levels = 256
        self.result = None                        # engine.latent.jobs.Completion
        self.source = None                        # training images (N, C, H, W) in [0, 1]
        self.shape: tuple[int, ...] | None = None
        self.rng = np.random.default_rng(0)
        self.replay_frame = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("example")))
        self.index = QSpinBox()
        self.index.setRange(0, 0)
        self.index.setObjectName("completion_index")
        self.index.valueChanged.connect(self.show_example)
        self.random = QPushButton(self.tr("Random"))
        self.random.clicked.connect(self._on_random_clicked)
        self.blank = QPushButton(self.tr("Blank"))
        self.blank.clicked.connect(self._on_blank_clicked)
        self.blank.setToolTip(self.tr("Start from a black image and draw on it"))
        row.addWidget(self.index)
        row.addWidget(self.random)
        row.addWidget(self.blank)
        row.addWidget(QLabel(self.tr("keep rows")))
        self.keep = QSlider(Qt.Orientation.Horizontal)
        self.keep.setObjectName("completion_keep_rows")
        self.keep.setToolTip(self.tr("Rows from the top that stay as they are; the model fills in the rest"))
        self.keep.valueChanged.connect(lambda _: self._update_input())
        row.addWidget(self.keep, 1)
        self.keep_label = QLabel("")
        row.addWidget(self.keep_label)
        layout.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("temperature")))
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.05, 3.0)
        self.temperature.setSingleStep(0.05)
        self.temperature.setValue(1.0)
        self.temperature.setToolTip(self.tr("Below 1: more typical completions; above 1: more varied"))
        row.addWidget(self.temperature)
        self.count = QSpinBox()
        self.count.setRange(1, 8)
        self.count.setValue(4)
        self.count.setToolTip(self.tr("Completions drawn at once"))
        row.addWidget(QLabel(self.tr("draws")))
        row.addWidget(self.count)
        self.complete = QPushButton(self.tr("Complete"))
        self.complete.clicked.connect(self.complete_requested.emit)
        self.replay = QPushButton(self.tr("Replay"))
        self.replay.setToolTip(self.tr("Replay the filling pixel by pixel, in the order the model drew them"))
        self.replay.setEnabled(False)
        self.replay.clicked.connect(self.start_replay)
        row.addWidget(self.complete)
        row.addWidget(self.replay)
        row.addStretch(1)
        layout.addLayout(row)
        views = QHBoxLayout()
        self.input_view = pg.GraphicsLayoutWidget()
        self.input_box = _PaintBox(self._paint)
        self.input_view.addItem(self.input_box)
        self.input_item = TimedImageItem()
        self.input_box.addItem(self.input_item)
        self.input_view.setToolTip(self.tr("Left drag paints white, right drag black; painted pixels are kept"))
        views.addWidget(self.input_view, 1)
        self.output_view = LiveImageView()
        views.addWidget(self.output_view, 3)
        layout.addLayout(views, 1)
        self.caption = QLabel(self.tr("Pick an example, choose how many rows to keep, and press Complete."))
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.timer = QTimer(self)
        self.timer.setInterval(REPLAY_TICK_MS)
        self.timer.timeout.connect(self._on_timer_timeout)

    # ---- input -------------------------------------------------------------------------------------------
    def set_source(self, images, shape, levels: int) -> None:
        """The training images to pick examples from (or None: draw on a blank image)."""
        self.source = images
        self.shape = tuple(shape)
        self.levels = int(levels or 256)
        n = 0 if images is None else len(images)
        self.index.blockSignals(True)
        self.index.setRange(0, max(0, n - 1))
        self.index.blockSignals(False)

    def show_example(self, index: int) -> None:
        if self.source is not None and len(self.source):
            self.set_image(np.asarray(self.source[index]), self.levels)
        elif self.shape is not None:
            self._on_blank_clicked()

    def _on_random_clicked(self) -> None:
        self.index.setValue(int(self.rng.integers(0, self.index.maximum() + 1)))

    def _on_blank_clicked(self) -> None:
        if self.shape is not None:
            self.set_image(np.zeros(self.shape, np.float32), self.levels)
            self.keep.setValue(0)

    def set_image(self, x: np.ndarray, levels: int) -> None:
        """A new input image (C, H, W) in [0, 1]; painting and results start over."""
        self.x = np.array(x, dtype=np.float32, copy=True)
        self.levels = int(levels or 256)
        h = self.x.shape[1]
        self.painted = np.zeros(self.x.shape[1:], dtype=bool)
        if self.keep.maximum() != h:
            self.keep.blockSignals(True)
            self.keep.setRange(0, h)
            self.keep.setValue(h // 2)
            self.keep.blockSignals(False)
        self.input_item.setRect(QRectF(0, 0, self.x.shape[2], h))
        self._update_input()
        self.input_box.autoRange(padding=0.02)

    def known(self) -> np.ndarray:
        """(C, H, W) bool: the kept rows and every painted pixel."""
        c, h, w = self.x.shape
        rows = (np.arange(h) < self.keep.value())[:, None] | self.painted
        return np.broadcast_to(rows[None], (c, h, w)).copy()

    def _paint(self, px: float, py: float, white: bool) -> None:
        if self.x is None:
            return
        c, h, w = self.x.shape
        r0, c0 = int(math.floor(py)), int(math.floor(px))
        for r in (r0, r0 + 1):
            for cc in (c0, c0 + 1):
                if 0 <= r < h and 0 <= cc < w:
                    self.x[:, r, cc] = 1.0 if white else 0.0
                    self.painted[r, cc] = True
        self._update_input()

    def _update_input(self) -> None:
        if self.x is None:
            return
        self.keep_label.setText(self.tr("{kept} of {total}").format(kept=self.keep.value(), total=self.x.shape[1]))
        known = self.known()
        shown = np.where(known, self.x, self.x * UNKNOWN_SHADE)
        self.input_item.setImage(_uint8(shown), autoLevels=False, levels=(0, 255))

    # ---- results -------------------------------------------------------------------------------------------
    def show_completion(self, result) -> None:
        self.result = result
        self.timer.stop()
        self.replay_frame = REPLAY_FRAMES
        self.output_view.set_image(_strip(result.images))
        self.replay.setEnabled(len(result.order) > 0)
        self.caption.setText(self.tr("{n} completions at temperature {temperature:g}; {n2} pixels filled in raster order (row by row). Replay shows them being drawn.").format(n=len(result.images), temperature=result.temperature, n2=len(result.order)))

    def start_replay(self) -> None:
        if self.result is None:
            return
        self.replay_frame = 0
        self.timer.start()
        self._on_timer_timeout()

    def replay_picture(self, frame: int) -> np.ndarray:
        """The strip with the first ``frame / REPLAY_FRAMES`` of the unknown pixels drawn, the rest black."""
        r = self.result
        n_drawn = int(math.ceil(len(r.order) * min(frame, REPLAY_FRAMES) / REPLAY_FRAMES))
        images = r.images
        h, w = images.shape[1:3]
        drawn = np.zeros(h * w, dtype=bool)
        drawn[r.order[:n_drawn]] = True
        unknown = np.zeros(h * w, dtype=bool)
        unknown[r.order] = True
        show = (~unknown | drawn).reshape(h, w)
        mask = show if images.ndim == 3 else show[..., None]
        frames = np.where(mask[None], images, 0)
        return _strip(frames)

    def _on_timer_timeout(self) -> None:
        if self.result is None:
            self.timer.stop()
            return
        self.replay_frame += 1
        self.output_view.set_image(self.replay_picture(self.replay_frame))
        if self.replay_frame >= REPLAY_FRAMES:
            self.timer.stop()


def _uint8(x: np.ndarray) -> np.ndarray:
    """(C, H, W) in [0, 1] -> uint8 (H, W) or (H, W, 3)."""
    img = np.clip(x * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(img[0] if img.shape[0] == 1 else img[:3].transpose(1, 2, 0))


def _strip(images: np.ndarray, pad: int = 1) -> np.ndarray:
    """(n, H, W[, 3]) uint8 side by side with a grey gap."""
    n, h, w = images.shape[:3]
    shape = (h, n * (w + pad) - pad) + images.shape[3:]
    out = np.full(shape, 128, np.uint8)
    for i in range(n):
        out[:, i * (w + pad):i * (w + pad) + w] = images[i]
    return out
