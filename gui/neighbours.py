"""Click a sample, see whether it is a copy: its three nearest training images and the verdict.

A panel under the Samples dock's grid. A click on a live image sample sends its picture to
``engine.diagnose.lookup.NeighbourFinder`` on a background thread (the first click of a run builds
the held-out yardstick, a second or two on MNIST); the answer shows the sample, its three nearest
training images, their distances and the verdict with its reason.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from gui.background import BackgroundTasks

TASK = "nearest-training-images"
PICTURE_HEIGHT = 72


def _finder(dataset):
    # lazy: engine.diagnose loads PyTorch, kept out of the window's first paint
    from engine.diagnose.lookup import NeighbourFinder
    return NeighbourFinder(dataset)


class NeighbourPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("neighbour_panel")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.picture = QLabel()
        self.picture.setObjectName("neighbour_picture")
        row.addWidget(self.picture)
        self.text = QLabel()
        self.text.setObjectName("neighbour_text")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setMinimumHeight(PICTURE_HEIGHT)
        self.text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.text, 1)
        self.tasks = BackgroundTasks(self)
        self.tasks.finished.connect(self._on_tasks_finished)
        self.tasks.failed.connect(self._on_tasks_failed)
        self._finder = None
        self._dataset = None
        self.result: dict | None = None
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.hide()

    def start_run(self, dataset) -> None:
        """A new run: its data is the training set to search (images only; points have no picture to click)."""
        self.tasks.forget(TASK)
        self._dataset = dataset
        self._finder = None
        self.result = None
        self.hide()

    def look_up(self, index: int, cell: np.ndarray) -> None:
        if self._dataset is None:
            return
        if self._finder is None:
            self._finder = _finder(self._dataset)
        self.show()
        self.picture.clear()
        self.text.setText(self.tr("Looking for the training examples nearest to sample {n}…").format(n=index + 1))
        self._index = index
        self.tasks.submit(TASK, self._finder.find, cell)

    def _on_tasks_finished(self, name: str, result: dict) -> None:
        self.result = result
        d = result["train_distance"]
        if result["picture"] is None:      # a point: its neighbours' coordinates say it
            self.picture.hide()
            self.setMinimumHeight(0)
            near = "; ".join(f"({x:.3g}, {y:.3g})" for x, y in result["neighbours"])
            self.text.setText(self.tr("Point {n}: nearest training points {near} (distances {d}; nearest held-out "
                                      "point {h:.3g}). {verdict}").format(
                n=self._index + 1, near=near, d=", ".join(f"{v:.3g}" for v in d), h=result["held_out_distance"],
                verdict=self._verdict(result)))
            return
        self.picture.show()
        img = np.ascontiguousarray(result["picture"])
        fmt = QImage.Format.Format_Grayscale8 if img.ndim == 2 else QImage.Format.Format_RGB888
        qimg = QImage(img.data, img.shape[1], img.shape[0], img.strides[0], fmt).copy()
        pixmap = QPixmap.fromImage(qimg)
        if pixmap.height() > PICTURE_HEIGHT:      # large images: shrink; small ones come upscaled already
            pixmap = pixmap.scaledToHeight(PICTURE_HEIGHT, Qt.TransformationMode.SmoothTransformation)
        self.picture.setPixmap(pixmap)
        self.picture.setFixedSize(pixmap.size())
        self.setMinimumHeight(max(PICTURE_HEIGHT, pixmap.height()) + 4)
        self.layout().invalidate()
        self.text.setText(self.tr("Sample {n}, then its 3 nearest training images (distances {d}; nearest "
                                  "held-out image {h:.3g}). {verdict}").format(
            n=self._index + 1, d=", ".join(f"{v:.3g}" for v in d), h=result["held_out_distance"],
            verdict=self._verdict(result)))

    def _verdict(self, result: dict) -> str:
        d = result["train_distance"]
        if result["verdict"] == "copy":
            verdict = self.tr("Copy: nearer to a training example ({d:.3g}) than 95% of held-out examples are "
                              "({t:.3g}).").format(d=d[0], t=result["threshold"])
        else:
            verdict = self.tr("Novel: its nearest training example is {d:.3g} away, no nearer than held-out examples "
                              "come (5% of them within {t:.3g}).").format(d=d[0], t=result["threshold"])
        return verdict

    def _on_tasks_failed(self, name: str, message: str) -> None:
        self.text.setText(self.tr("Could not search the training data: {message}").format(message=message))
