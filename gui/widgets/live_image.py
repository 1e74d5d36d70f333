"""A picture view that knows when it was last painted, and with what.

The latent explorer's figure of merit is the time from a pointer move to the decoded picture on
screen, so the image item notes the time of each paint and the tag of the picture it painted (a
request id). One ``ImageItem`` made once, uint8 with fixed levels 0..255, updated with ``setImage``.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF


class TimedImageItem(pg.ImageItem):
    def __init__(self):
        super().__init__(axisOrder="row-major")
        self.setAutoDownsample(False)
        self.tag = None              # tag of the picture set last
        self.painted_tag = None      # tag of the picture painted last
        self.painted_at = 0.0        # time.perf_counter() of the last paint
        self.paints = 0
        self.paint_log: list | None = None   # a benchmark sets a list: (tag, time) of every paint

    def paint(self, painter, *args):
        super().paint(painter, *args)
        self.painted_at = time.perf_counter()
        self.painted_tag = self.tag
        self.paints += 1
        if self.paint_log is not None:
            self.paint_log.append((self.tag, self.painted_at))


class LiveImageView(pg.GraphicsLayoutWidget):
    """A uint8 picture (grey or RGB) kept at its aspect ratio, white around it."""

    def __init__(self, parent=None, background: str = "w"):
        super().__init__(parent)
        self.view = self.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.view.setMouseEnabled(False, False)
        self.view.setBackgroundColor(background)
        self.item = TimedImageItem()
        self.view.addItem(self.item)
        self.image: np.ndarray | None = None
        self._shape = None

    def set_image(self, img: np.ndarray, tag=None, now: bool = False) -> None:
        """Show ``img``; ``now`` paints it before returning (the explorer's decoded picture: one trip
        through the event loop less between a result and the screen)."""
        img = np.ascontiguousarray(img, dtype=np.uint8)
        self.image = img
        self.item.tag = tag
        self.item.setImage(img, autoLevels=False, levels=(0, 255))
        h, w = img.shape[:2]
        if self._shape != (h, w):
            self._shape = (h, w)
            self.item.setRect(QRectF(0, 0, w, h))
            self.view.autoRange(padding=0.02)
        if now and self.isVisible():
            self.viewport().repaint()

    def clear_picture(self) -> None:
        self.image = None
        self._shape = None
        self.item.tag = None
        self.item.clear()
