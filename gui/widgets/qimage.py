"""NumPy uint8 pictures to QImage/QPixmap (grey or RGB), copying so Qt owns the memory."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap


def to_qimage(img: np.ndarray) -> QImage:
    img = np.ascontiguousarray(img, dtype=np.uint8)
    h, w = img.shape[:2]
    if img.ndim == 2:
        q = QImage(img.data, w, h, w, QImage.Format.Format_Grayscale8)
    elif img.shape[2] == 3:
        q = QImage(img.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    elif img.shape[2] == 4:
        q = QImage(img.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
    else:
        raise ValueError(f"cannot show a picture of shape {img.shape}")
    return q.copy()


def to_pixmap(img: np.ndarray, size: int | None = None) -> QPixmap:
    """A pixmap, scaled to fit ``size`` x ``size`` with crisp pixels for small pictures."""
    pm = QPixmap.fromImage(to_qimage(img))
    if size:
        mode = Qt.TransformationMode.FastTransformation if max(img.shape[:2]) < size else \
            Qt.TransformationMode.SmoothTransformation
        pm = pm.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, mode)
    return pm
