"""The Latent dock's explorer page, laid out: plane controls, the plane, the decoded picture (or, for
2-D data, the data-space view) above the manifold, and tabs for sliders, interpolation and encoding.
Widgets only; ``gui.docks.latent_dock`` connects them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QSplitter, QStackedWidget,
                               QTabWidget, QVBoxLayout, QWidget)

from gui.widgets.latent_panels import DataSpaceView, EncodePanel, InterpolationPanel, SlidersPanel
from gui.widgets.live_image import LiveImageView
from gui.widgets.plane_view import PlaneView

PAGE_WIDGETS = ("plane_combo", "new_plane", "fit_view", "k_spin", "class_label", "class_combo", "steps_label",
                "preview_steps", "refined_label", "refined_steps", "plane_view", "outputs", "decoded_view",
                "data_view", "manifold_view", "tabs", "sliders", "interp", "encode_panel")


class LatentPage(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._controls())
        split = QSplitter(Qt.Orientation.Horizontal)
        self.plane_view = PlaneView()
        split.addWidget(self.plane_view)
        right = QSplitter(Qt.Orientation.Vertical)
        self.outputs = QStackedWidget()
        self.decoded_view = LiveImageView()
        self.data_view = DataSpaceView()
        self.outputs.addWidget(self.decoded_view)
        self.outputs.addWidget(self.data_view)
        right.addWidget(self.outputs)
        self.manifold_view = LiveImageView()
        right.addWidget(self.manifold_view)
        split.addWidget(right)
        split.setSizes([500, 400])
        main = QSplitter(Qt.Orientation.Vertical)
        main.addWidget(split)
        self.tabs = QTabWidget()
        self.sliders = SlidersPanel()
        self.interp = InterpolationPanel()
        self.encode_panel = EncodePanel()
        self.tabs.addTab(self.sliders, self.tr("Sliders"))
        self.tabs.addTab(self.interp, self.tr("Interpolate"))
        self.tabs.addTab(self.encode_panel, self.tr("Encode"))
        main.addWidget(self.tabs)
        main.setStretchFactor(0, 4)
        main.setStretchFactor(1, 1)
        main.setSizes([640, 170])           # the pictures get the room; the tabs can be dragged taller
        layout.addWidget(main, 1)

    def _controls(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Plane")))
        self.plane_combo = QComboBox()
        self.plane_combo.setToolTip(self.tr("Which plane through the latent the view shows"))
        self.plane_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        row.addWidget(self.plane_combo)
        self.new_plane = QPushButton(self.tr("Refit"))
        self.new_plane.setToolTip(self.tr("Encode the training data again and refit the principal components, or draw new "
                                  "random directions"))
        row.addWidget(self.new_plane)
        self.fit_view = QPushButton(self.tr("Fit view"))
        self.fit_view.setToolTip(self.tr("Show the encoded data again (zooming or panning stops the view following it)"))
        row.addWidget(self.fit_view)
        row.addWidget(QLabel(self.tr("grid")))
        self.k_spin = QSpinBox()
        self.k_spin.setRange(2, 16)
        self.k_spin.setValue(8)
        self.k_spin.setToolTip(self.tr("The manifold view decodes a k x k grid over the visible square of the plane"))
        row.addWidget(self.k_spin)
        self.class_label = QLabel(self.tr("class"))
        self.class_combo = QComboBox()
        self.class_combo.setToolTip(self.tr("Conditional models: the class the latent is decoded as"))
        row.addWidget(self.class_label)
        row.addWidget(self.class_combo)
        self.steps_label = QLabel(self.tr("Steps: preview"))   # a family names its steps (DDIM) in its own words
        self.preview_steps = QSpinBox()
        self.preview_steps.setRange(1, 10)
        self.preview_steps.setValue(4)
        self.preview_steps.setToolTip(self.tr("Denoising steps while the pointer moves (fast, rough)"))
        self.refined_label = QLabel(self.tr("rest"))
        self.refined_steps = QSpinBox()
        self.refined_steps.setRange(1, 1000)
        self.refined_steps.setValue(25)
        self.refined_steps.setToolTip(self.tr("Denoising steps once the pointer rests (slower, sharper), and for "
                                      "encoding by DDIM inversion"))
        for w in (self.steps_label, self.preview_steps, self.refined_label, self.refined_steps):
            row.addWidget(w)
        row.addStretch(1)
        return row

    def show_decode_steps(self, steps: tuple[int, int] | None, label: str, reset: bool) -> None:
        """The two step counts (pointer moving, at rest) of a family whose decode takes steps, under its
        ``label``; hidden when ``steps`` is None. ``reset`` puts the family's own counts in."""
        for w in (self.steps_label, self.preview_steps, self.refined_label, self.refined_steps):
            w.setVisible(steps is not None)
        if steps is not None and reset:
            if label:
                self.steps_label.setText(label)
            self.preview_steps.setValue(steps[0])
            self.refined_steps.setValue(steps[1])
