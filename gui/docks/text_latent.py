"""The Latent dock for a latent model of text (the sequence VAE): drag through a 2-D latent plane and
read the line the decoder writes there, or morph one typed line into another.

Like ``TextProbe`` it keeps its own explorer (its own model copy, its own thread). The plane shows the
posterior means of a few hundred training lines (a few of them named) over the prior's 1- and 2-sigma
circles; the handle's position is decoded (the decoder's most likely line) with its likelihood bound
in nats per character. A latent of more than two dimensions is shown through its first two.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QListWidget, QPushButton, QVBoxLayout, QWidget

from gui.latent_link import ExplorerLink
from gui.widgets.text_views import shown

SPAN = 3.2         # the plane shows [-SPAN, SPAN] in both directions
NAMED = 24         # training lines written beside their dot
MORPH_STEPS = 9


class TextPlane(QWidget):
    """A square plane with dots (encoded lines), a draggable handle, and the morph path."""

    moved = Signal(float, float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("text_plane")
        self.setMinimumSize(220, 220)
        self.points = np.zeros((0, 2))
        self.labels: list[str] = []
        self.path = np.zeros((0, 2))
        self.handle = (0.0, 0.0)

    def set_points(self, points: np.ndarray, labels: list[str]) -> None:
        self.points, self.labels = np.asarray(points, dtype=float)[:, :2], list(labels)
        self.update()

    def set_path(self, path: np.ndarray) -> None:
        self.path = np.asarray(path, dtype=float)[:, :2] if len(path) else np.zeros((0, 2))
        self.update()

    def _side(self) -> float:
        return float(min(self.width(), self.height()) - 8)

    def _to_px(self, x: float, y: float) -> QPointF:
        s = self._side()
        return QPointF(4 + (x + SPAN) / (2 * SPAN) * s, 4 + (SPAN - y) / (2 * SPAN) * s)

    def _to_z(self, px: QPointF) -> tuple[float, float]:
        s = max(1.0, self._side())
        x = (px.x() - 4) / s * 2 * SPAN - SPAN
        y = SPAN - (px.y() - 4) / s * 2 * SPAN
        return float(np.clip(x, -SPAN, SPAN)), float(np.clip(y, -SPAN, SPAN))

    def mousePressEvent(self, event) -> None:
        self._drag(event)

    def mouseMoveEvent(self, event) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._drag(event)

    def _drag(self, event) -> None:
        self.handle = self._to_z(event.position())
        self.update()
        self.moved.emit(*self.handle)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        s = self._side()
        p.fillRect(QRectF(4, 4, s, s), QColor(252, 252, 252))
        p.setPen(QPen(QColor(190, 190, 190), 1, Qt.PenStyle.DashLine))
        centre = self._to_px(0, 0)
        for r in (1, 2):
            rp = r / (2 * SPAN) * s
            p.drawEllipse(centre, rp, rp)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(70, 130, 200, 110))
        for x, y in self.points:
            p.drawEllipse(self._to_px(x, y), 2.2, 2.2)
        font = QFont(self.font())
        font.setPixelSize(10)
        p.setFont(font)
        p.setPen(QColor(60, 60, 60))
        for (x, y), text in list(zip(self.points, self.labels))[:NAMED]:
            p.drawText(self._to_px(x, y) + QPointF(3, -3), text)
        if len(self.path) > 1:
            p.setPen(QPen(QColor(40, 150, 70), 2))
            for a, b in zip(self.path[:-1], self.path[1:]):
                p.drawLine(self._to_px(*a), self._to_px(*b))
        p.setPen(QPen(QColor(200, 60, 40), 2))
        p.setBrush(QColor(255, 255, 255))
        p.drawEllipse(self._to_px(*self.handle), 6, 6)
        p.end()


class TextLatentProbe(QWidget):
    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(f"text_latent_{name}")
        self.link = ExplorerLink(self, name=f"genlab-textz-{name}")
        self.link.result_ready.connect(self._on_link_result_ready)
        self.snapshot = self.forwarded = None
        self.x_train = None
        self.vocab: tuple[str, ...] = ()
        self.d = 2
        self.last_decoded = None
        self.last_morph = None
        self.embedded = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        caption = QLabel(self.tr("Drag on the plane through the VAE's latent code: the line shows what the decoder "
                                 "writes there. Dots are training lines where the encoder puts them; dashed circles "
                                 "are the prior's 1 and 2 sigma."))
        caption.setWordWrap(True)
        layout.addWidget(caption)
        self.plane = TextPlane()
        self.plane.moved.connect(self._on_plane_moved)
        layout.addWidget(self.plane, 3)
        self.decoded = QLabel("")
        self.decoded.setObjectName("text_decoded")
        font = QFont(self.decoded.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        self.decoded.setFont(font)
        layout.addWidget(self.decoded)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("From")))
        self.line_a = QLineEdit("emma")
        row.addWidget(self.line_a)
        row.addWidget(QLabel(self.tr("to")))
        self.line_b = QLineEdit("oliver")
        row.addWidget(self.line_b)
        self.go = QPushButton(self.tr("Morph"))
        self.go.setToolTip(self.tr("Decode the straight path between the two lines' codes"))
        self.go.clicked.connect(self.request_morph)
        row.addWidget(self.go)
        layout.addLayout(row)
        self.morph_list = QListWidget()
        self.morph_list.setObjectName("text_morph")
        layout.addWidget(self.morph_list, 2)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

    # ---- run lifecycle -------------------------------------------------------------------------------------
    def start_run(self, spec, dataset=None) -> None:
        self.vocab = tuple(spec.vocab)
        self.x_train = dataset.x_train if dataset is not None else None
        self.snapshot = self.forwarded = None
        self.embedded = False
        self.plane.set_points(np.zeros((0, 2)), [])
        self.plane.set_path(np.zeros((0, 2)))
        self.morph_list.clear()
        self.status.setText(self.tr("Waiting for the first weights of the run…"))

    def set_snapshot(self, snapshot) -> None:
        self.snapshot = snapshot
        if self.isVisible():
            self.forward_snapshot()

    def forward_snapshot(self) -> None:
        snap = self.snapshot
        if snap is None or snap is self.forwarded:
            return
        self.forwarded = snap
        self.link.set_snapshot(snap)
        self.d = int(np.prod(snap.init_args["config"].get("latent_dim", 2)))
        if self.x_train is not None and (not self.embedded or snap.step % 500 < 100):
            self.request_embedding()
        self.request_decode(*self.plane.handle)

    def shutdown(self, timeout: float = 2.0) -> bool:
        return self.link.close(timeout)

    # ---- requests ------------------------------------------------------------------------------------------
    def _z(self, x: float, y: float) -> np.ndarray:
        z = np.zeros((1, self.d), dtype=np.float32)
        z[0, :2] = (x, y)[:self.d]
        return z

    def _on_plane_moved(self, x: float, y: float) -> None:
        self.request_decode(x, y)

    def request_decode(self, x: float, y: float) -> None:
        if self.forwarded is None:
            return
        # lazy: engine.latent.text loads PyTorch; the docks are built before the window's first paint
        from engine.latent import text
        z = self._z(x, y)
        self.link.explorer.submit("textz:decode", lambda ctx: text.decode_text(ctx.model, z, 8, ctx.generator)[0])

    def request_embedding(self) -> None:
        # lazy: engine.latent.text loads PyTorch; the docks are built before the window's first paint
        from engine.latent import text
        x, vocab = self.x_train, self.vocab
        self.embedded = True
        self.link.explorer.submit("textz:embed", lambda ctx: tuple(
            v.numpy() if hasattr(v, "numpy") else v for v in text.embed_text(ctx.model, x, vocab)))

    def request_morph(self) -> None:
        if self.forwarded is None:
            return
        # lazy: engine.latent.text loads PyTorch; the docks are built before the window's first paint
        from engine.latent import text
        a, b = self.line_a.text().strip(), self.line_b.text().strip()
        self.link.explorer.submit("textz:morph", lambda ctx: text.morph(ctx.model, a, b, MORPH_STEPS, ctx.generator))

    def _on_link_result_ready(self, result) -> None:
        if result.error:
            self.status.setText(result.error)
            return
        self.status.setText(self.tr("Step {step:,} of the run").format(step=result.step))
        if result.kind == "textz:decode":
            self.last_decoded = result.data
            self.decoded.setText(self.tr("{line}   ({nats:.2f} nats/char, bound)").format(
                line=shown(result.data.text), nats=result.data.nats_per_char))
        elif result.kind == "textz:embed":
            z, lines = result.data
            self.plane.set_points(z, lines)
        elif result.kind == "textz:morph":
            self.last_morph = result.data
            self.morph_list.clear()
            for i, line in enumerate(result.data):
                self.morph_list.addItem(self.tr("{i}. {line}   ({nats:.2f} nats/char)").format(
                    i=i + 1, line=shown(line.text), nats=line.nats_per_char))
            self.plane.set_path(np.array([line.z[:2] for line in result.data]))
