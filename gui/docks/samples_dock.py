"""Samples dock: what the model draws now, and a scrubber through every grid the run has drawn.

Live: each ``SamplesReady`` replaces the picture (an image grid from the fixed noise bank, or the
model's points over the held-out data, or for text the generated lines with the new ones marked).
History: the engine writes every grid to the run's
``samples/step_*.png`` (points also as ``.npy``), and the scrubber reads those files, so it reaches
every snapshot of the run however long it is (text: ``samples/step_*.txt``, new lines marked "+"). Moving the scrubber off the end stops following; the
"Live" button returns to it.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDockWidget, QHBoxLayout, QLabel, QPushButton, QSlider, QStackedWidget,
                               QVBoxLayout, QWidget)

from engine.errors import GenLabError
from engine.runs.layout import sample_grids
from engine.safe_io import ReadRefused, read_bytes
from gui.visibility import on_screen, when_shown
from gui.widgets.text_views import TextSamplesView
from gui.widgets.views import ImageGridView, ScatterView

# The readout estimates when the figure reaches the next of these many floors below it, and then the top of
# the range real images score (1 + their spread): "how long does the next step of quality take?"
QUALITY_STEPS = (32.0, 16.0, 8.0, 4.0, 2.0)


def read_png(path: Path) -> np.ndarray:
    """A stored grid, through the engine's guarded picture reader (a regular file of bounded size and
    pixel count: a FIFO or a device in a run folder from elsewhere never blocks the window)."""
    # lazy: engine.runs.export loads PyTorch and Pillow; grids are read only after the first paint
    from engine.runs.export import read_sample_image
    try:
        return read_sample_image(path)
    except GenLabError as e:
        raise ValueError(str(e)) from None


def read_text_samples(path: Path) -> tuple[list[str], np.ndarray]:
    """Stored text samples: one line each, "+ " before a new one (at most 16 MB, UTF-8)."""
    try:
        rows = read_bytes(path, 16 * 2**20, "sample file").decode("utf-8").splitlines()
    except (ReadRefused, UnicodeDecodeError) as e:
        raise ValueError(f"{path}: {e}") from None
    return [r[2:] for r in rows], np.array([r.startswith("+") for r in rows], dtype=bool)


def read_points(path: Path) -> np.ndarray:
    """Stored sample points (.npy beside a grid): a regular file of at most 64 MB, no pickles."""
    try:
        return np.load(io.BytesIO(read_bytes(path, 64 * 2**20, "sample file")), allow_pickle=False)
    except (ReadRefused, EOFError, ValueError) as e:
        raise ValueError(f"{path}: {e}") from None


class SamplesDock(QDockWidget):
    # A sample was clicked: its index and what is shown of it (an image's uint8 picture, a point's coordinates).
    cell_clicked = Signal(int, object)

    def __init__(self, parent=None):
        super().__init__(self.tr("Samples"), parent)
        self.setObjectName("dock_samples")
        self.kind: str | None = None
        self.run_dir: Path | None = None         # the run whose samples/ the scrubber reads
        self.history: list[tuple[int, Path]] = []
        self.live = True
        self.live_step: int | None = None
        self.updates = 0
        self._live_shape: tuple[int, int] | None = None
        self._live_event = None
        self.cell_shape: tuple[int, int] | None = None   # (H, W) of one image sample, set when a run starts

        body = QWidget()
        layout = QVBoxLayout(body)
        self._layout = layout
        layout.setContentsMargins(4, 4, 4, 4)
        self.caption = QLabel(self.tr("Samples appear here when training starts."))
        self.caption.setObjectName("samples_caption")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.stack = QStackedWidget()
        self.image_view = ImageGridView()
        self.scatter_view = ScatterView()
        self.stack.addWidget(self.scatter_view)
        self.stack.addWidget(self.image_view)
        self.text_view = TextSamplesView()
        self.stack.addWidget(self.text_view)
        layout.addWidget(self.stack, 1)
        row = QHBoxLayout()
        self.scrubber = QSlider(Qt.Orientation.Horizontal)
        self.scrubber.setObjectName("samples_scrubber")
        self.scrubber.setRange(0, 0)
        self.scrubber.setMinimumWidth(90)
        self.scrubber.setEnabled(False)
        self.scrubber.setToolTip(self.tr("Every sample grid this run has drawn, oldest on the left (read from the "
                                 "run's samples folder)."))
        self.scrubber.valueChanged.connect(self._on_scrubber_value_changed)
        row.addWidget(self.scrubber, 1)
        self.scrub_label = QLabel("")
        self.scrub_label.setMinimumWidth(110)
        row.addWidget(self.scrub_label)
        self.live_button = QPushButton(self.tr("Live"))
        self.live_button.setCheckable(True)
        self.live_button.setChecked(True)
        self.live_button.setToolTip(self.tr("Follow the newest samples"))
        self.live_button.toggled.connect(self._on_live_button_toggled)
        row.addWidget(self.live_button)
        layout.addLayout(row)
        self.quality_label = QLabel("")
        self.quality_label.setObjectName("samples_quality")
        self.quality_label.setWordWrap(True)
        self.quality_label.setToolTip(self.tr(
            "Fréchet distance between the features of the model's samples and of held-out images, in a small "
            "classifier trained on this run's training images (lower is better). The floor is the same distance "
            "for as many real training images: about 1x the floor is as good as real data. With labelled data, "
            "also the share of samples the classifier recognises: it is sure of their class (probability 0.9 or "
            "more) and they lie among real images in its features; beside the same share of real training "
            "images."))
        self.quality_label.hide()
        layout.addWidget(self.quality_label)
        self._quality_history: list[tuple[float, float]] = []
        self.setWidget(body)
        self.image_view.scene().sigMouseClicked.connect(self._on_image_scene_clicked)
        self.scatter_view.scene().sigMouseClicked.connect(self._on_scatter_scene_clicked)
        self.visibilityChanged.connect(self._on_visibility_changed)

    # ---- the quality figure ------------------------------------------------------------------------------
    def show_quality(self, step: int, metrics: dict) -> None:
        """An evaluation with the quality figure (``engine.quality``): the figure, its floor, where real images
        score, and how long the run needs at its current rate to reach the next step (``next_quality_step``)."""
        ratio = metrics.get("frechet_ratio")
        if metrics.get("frechet") is None or ratio is None:
            return
        # lazy: engine.quality loads PyTorch; this dock is built before the warm-up
        from engine.quality import time_to_ratio
        if metrics.get("frechet_time") is not None:
            self._quality_history.append((float(metrics["frechet_time"]), float(ratio)))
        text = self.tr("Quality at step {step:,}: Fréchet {value:.3g} = {ratio:.1f}x the real-vs-real floor "
                       "({floor:.3g}).").format(step=step, value=metrics["frechet"], ratio=ratio,
                                                floor=metrics["frechet_floor"])
        spread = None
        sd = metrics.get("frechet_floor_sd")
        if sd is not None and metrics["frechet_floor"] > 0:   # how far real images themselves stray from 1x
            spread = sd / metrics["frechet_floor"]
            text += " " + self.tr("Real images score {low:.1f}-{high:.1f}x.").format(low=max(0.0, 1 - spread),
                                                                                 high=1 + spread)
        if metrics.get("recognised") is not None and metrics.get("recognised_real") is not None:
            text += " " + self.tr("The classifier recognises {share:.0%} of the samples (real images: {real:.0%})."
                                  ).format(share=metrics["recognised"], real=metrics["recognised_real"])
        target = next_quality_step(ratio, spread)
        eta = time_to_ratio(self._quality_history, target) if target is not None else None
        if target is None:
            text += " " + self.tr("As close as real images get at this many samples.")
        elif eta is not None:
            text += " " + self.tr("At this rate, {target:.2g}x the floor in about {time} more.").format(
                target=target, time=_duration(eta))
        elif len(self._quality_history) < 2:
            text += " " + self.tr("A time estimate follows the next evaluation.")
        else:
            text += " " + self.tr("Not improving since the last evaluation: no time estimate.")
        self.quality_label.setText(text)
        self.quality_label.show()

    # ---- run lifecycle --------------------------------------------------------------------------------
    def start_run(self, run_dir: Path | None, kind: str, reference: np.ndarray | None = None) -> None:
        """A new run: clear the pictures, remember where its samples are written."""
        self.kind = kind
        self.run_dir = Path(run_dir) if run_dir else None
        self._quality_history = []
        self.quality_label.setText(self.tr("Sample quality: measured at each evaluation.") if kind == "image" else "")
        self.quality_label.setVisible(kind == "image")
        self.history = []
        self.live_step = None
        self._live_shape = None
        self._live_event = None
        self.image_view.clear_picture()
        self.scatter_view.clear_points()
        self.stack.setCurrentWidget(self._view_for(kind))
        if kind == "points":
            self.scatter_view.set_reference(reference)
        self.caption.setText(self.tr("Waiting for the first samples…"))
        self._sync_scrubber()
        self.live_button.setChecked(True)

    def _view_for(self, kind: str | None) -> QWidget:
        return {"image": self.image_view, "text": self.text_view}.get(kind or "", self.scatter_view)

    def set_reference(self, reference: np.ndarray | None) -> None:
        if self.kind == "points":
            self.scatter_view.set_reference(reference)

    def clear(self) -> None:
        self.kind = None
        self.run_dir = None
        self.history = []
        self._live_event = None
        self.image_view.clear_picture()
        self.scatter_view.clear_points()
        self.text_view.clear()
        self.caption.setText(self.tr("Samples appear here when training starts."))
        self._sync_scrubber()

    # ---- live samples -----------------------------------------------------------------------------------
    def show_samples(self, ev) -> None:
        """A ``SamplesReady`` event from the bridge."""
        if self.kind != ev.kind:
            self.kind = ev.kind
            self.stack.setCurrentWidget(self._view_for(ev.kind))
        if ev.path:
            path = Path(ev.path)
            if not self.history or self.history[-1][0] < ev.step:
                self.history.append((ev.step, path))
            if self.run_dir is None:
                self.run_dir = path.parent.parent     # <run>/samples/step_*.png
        self.live_step = ev.step
        self._live_event = ev
        if ev.kind == "image":
            self._live_shape = tuple(ev.data.shape[:2])
        if self.live and on_screen(self):  # a tab behind the Latent dock draws the newest when shown
            self._draw_live()
        self._sync_scrubber()
        self.updates += 1

    def _draw_live(self) -> None:
        ev = self._live_event
        if ev is not None and self.live:
            self._draw(ev.kind, ev.data, novel=ev.novel)
            self.caption.setText(self._caption(ev.step, ev.kind, ev.data, live=True, novel=ev.novel))

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible:
            when_shown(self, self._draw_live)

    def _draw(self, kind: str, data: np.ndarray, rect_like=None, novel=None) -> None:
        if kind == "text":
            self.text_view.set_lines(data, novel)
        elif kind == "image":
            self.image_view.set_image(data, rect_like)
        else:
            self.scatter_view.set_samples(data)

    def _caption(self, step: int, kind: str, data, live: bool, novel=None) -> str:
        what = self.tr("{n} points").format(n=len(data)) if kind == "points" else self.tr("image grid")
        if kind == "text":
            what = self.tr("{n} lines, {k} new (★: not in the training set)").format(
                n=len(data), k=int(np.sum(novel)) if novel is not None else 0)
        text = self.tr("Live: step {step:,}, {what}") if live else self.tr("Stored: step {step:,}, {what}")
        return text.format(step=step, what=what)

    def add_below(self, widget: QWidget) -> None:
        """A panel under the samples (the nearest training neighbours of a clicked sample)."""
        self._layout.addWidget(widget)

    def cell_at(self, x: float, y: float) -> tuple[int, np.ndarray] | None:
        """(index, picture) of the live grid's sample at picture coordinates (x, y), or None (padding,
        no grid, points, or a stored grid, which is upscaled)."""
        ev = self._live_event
        if ev is None or ev.kind != "image" or self.cell_shape is None or not self.live:
            return None
        h, w = self.cell_shape
        grid = ev.data
        col, row = int(x - 1) // (w + 1), int(y - 1) // (h + 1)
        ncol = (grid.shape[1] - 1) // (w + 1)
        x0, y0 = 1 + col * (w + 1), 1 + row * (h + 1)
        if x < 1 or y < 1 or not (x0 <= x < x0 + w and y0 <= y < y0 + h) or col >= ncol or y0 + h > grid.shape[0]:
            return None
        return row * ncol + col, np.ascontiguousarray(grid[y0:y0 + h, x0:x0 + w])

    def _on_image_scene_clicked(self, event) -> None:
        pos = self.image_view.item.mapFromScene(event.scenePos())
        found = self.cell_at(pos.x(), pos.y())
        if found is not None:
            self.cell_clicked.emit(*found)

    def point_at(self, x: float, y: float) -> tuple[int, np.ndarray] | None:
        """(index, coordinates) of the shown sample point nearest to (x, y) in data units, or None."""
        pts = self.scatter_view.samples
        if self.kind != "points" or pts is None or not len(pts):
            return None
        i = int(np.argmin(((pts - np.array([x, y])) ** 2).sum(1)))
        return i, np.array(pts[i], dtype=np.float32)

    def _on_scatter_scene_clicked(self, event) -> None:
        pos = self.scatter_view.getPlotItem().vb.mapSceneToView(event.scenePos())
        found = self.point_at(pos.x(), pos.y())
        if found is not None:
            self.cell_clicked.emit(*found)

    # ---- history -------------------------------------------------------------------------------------
    def refresh_history(self) -> None:
        """Re-read the run's samples folder (a run that was resumed or opened)."""
        if self.run_dir is not None:
            self.history = sample_grids(self.run_dir)
        self._sync_scrubber()

    def _sync_scrubber(self) -> None:
        n = len(self.history)
        self.scrubber.blockSignals(True)
        self.scrubber.setRange(0, max(0, n - 1))
        if self.live:
            self.scrubber.setValue(max(0, n - 1))
        self.scrubber.blockSignals(False)
        self.scrubber.setEnabled(n > 1)
        self._update_scrub_label()

    def _update_scrub_label(self) -> None:
        n = len(self.history)
        if n == 0:
            self.scrub_label.setText("")
            return
        i = self.scrubber.value()
        self.scrub_label.setText(self.tr("{i} of {n}: step {step:,}").format(i=i + 1, n=n, step=self.history[i][0]))

    def show_history(self, index: int) -> None:
        """Show stored grid number ``index`` (0 is the oldest) from the run's samples folder."""
        if not self.history:
            return
        index = max(0, min(index, len(self.history) - 1))
        step, path = self.history[index]
        try:
            novel = None
            if path.suffix == ".txt":
                data, novel = read_text_samples(path)
                self._draw("text", data, novel=novel)
            elif self.kind == "points" and path.with_suffix(".npy").is_file():
                data = read_points(path.with_suffix(".npy"))
                self._draw("points", data)
            else:
                data = read_png(path)
                self._draw("image", data, rect_like=self._live_shape)
        except (OSError, ValueError) as e:
            self.caption.setText(self.tr("Cannot read {name}: {e}").format(name=path.name, e=e))
            return
        self.caption.setText(self._caption(step, self.kind or "image", data, live=False, novel=novel))

    def _on_scrubber_value_changed(self, index: int) -> None:
        at_end = index >= len(self.history) - 1
        if not at_end and self.live:
            self.live_button.setChecked(False)
        self._update_scrub_label()
        self.show_history(index)

    def _on_live_button_toggled(self, live: bool) -> None:
        self.live = live
        if live:
            self._sync_scrubber()
            ev = self._live_event
            if ev is not None:
                self._draw(ev.kind, ev.data, novel=ev.novel)
                self.caption.setText(self._caption(ev.step, ev.kind, ev.data, live=True, novel=ev.novel))


def next_quality_step(ratio: float, spread: float | None) -> float | None:
    """The next quality step below ``ratio``: the largest of ``QUALITY_STEPS`` under it, then the top of real
    images' range (1 + ``spread``); None once the figure is within that range."""
    for step in QUALITY_STEPS:
        if ratio > step:
            return step
    top = 1.0 + (spread or 0.0)
    return top if ratio > top else None


def _duration(seconds: float) -> str:
    """A rough duration for a person: 40 s, 3 min, 1.5 h."""
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
