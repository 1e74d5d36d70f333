"""Views of text: generated lines with the new ones marked, a bar list of next-character probabilities,
and a line of characters shaded by attention. Plain Qt widgets, fed plain Python values."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QSizePolicy, QWidget

NEW_COLOUR = QColor(40, 150, 70)
KNOWN_COLOUR = QColor(130, 130, 130)


def shown(text: str) -> str:
    """A line as the views show it: an empty line is the end token alone."""
    return text if text else "⏎"


class TextSamplesView(QListWidget):
    """Generated lines in columns; new lines (not in the training set) in green with a star, lines the
    model learned by heart in grey."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("text_samples")
        self.setViewMode(QListWidget.ViewMode.ListMode)
        self.setFlow(QListWidget.Flow.TopToBottom)
        self.setWrapping(True)              # columns, filled top to bottom
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setGridSize(QSize(170, 22))
        self.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.setMovement(QListWidget.Movement.Static)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.setFont(font)

    def set_lines(self, lines, novel=None) -> None:
        self.clear()
        for i, text in enumerate(lines):
            new = None if novel is None else bool(novel[i])
            item = QListWidgetItem(("★ " if new else "   ") + shown(str(text)))
            if new is not None:
                item.setForeground(QBrush(NEW_COLOUR if new else KNOWN_COLOUR))
                item.setToolTip(self.tr("new: not in the training set") if new else
                                self.tr("already in the training set"))
            self.addItem(item)


class BarList(QWidget):
    """Horizontal bars: one row per character with its probability, most likely first."""

    ROW = 18

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("next_char_bars")
        self.rows: list[tuple[str, float]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_rows(self, rows: list[tuple[str, float]]) -> None:
        self.rows = list(rows)
        self.setMinimumHeight(self.ROW * max(1, len(self.rows)) + 4)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(240, self.ROW * max(1, len(self.rows)) + 4)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        label_w, text_w = 28, 58
        bar_w = max(10, self.width() - label_w - text_w - 8)
        top = max((v for _, v in self.rows), default=1.0) or 1.0
        for i, (char, prob) in enumerate(self.rows):
            y = 2 + i * self.ROW
            p.setPen(self.palette().text().color())
            p.drawText(QRectF(0, y, label_w, self.ROW), Qt.AlignmentFlag.AlignCenter, char)
            p.fillRect(QRectF(label_w, y + 3, bar_w * prob / top, self.ROW - 6), QColor(70, 130, 200))
            p.drawText(QRectF(label_w + bar_w + 4, y, text_w, self.ROW),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, f"{100 * prob:.1f}%")
        p.end()


def attention_html(chars: list[str], weights: list[float]) -> str:
    """Characters shaded by weight (darkest: most attended), as rich text for a QLabel."""
    top = max(weights, default=1.0) or 1.0
    out = []
    for c, w in zip(chars, weights):
        t = w / top
        bg = "#{:02x}{:02x}{:02x}".format(*(int(255 + (c1 - 255) * t) for c1 in (200, 60, 40)))
        fg = "#ffffff" if t > 0.55 else "#000000"
        safe = {"<": "&lt;", ">": "&gt;", "&": "&amp;", " ": "&nbsp;"}.get(c, c)
        out.append(f'<span style="background-color: {bg}; color: {fg}; font-size: 16pt;">'
                   f'&nbsp;{safe}&nbsp;</span>')
    return "".join(out)


def lines_picture(lines: list[str], columns: int = 3, rows: int = 16, cell: tuple[int, int] = (110, 20)):
    """Text lines drawn in columns on a uint8 RGB picture (the Data dock's and Setup's previews), with the
    window's fonts, so any script the fonts cover shows."""
    w, h = columns * cell[0] + 8, rows * cell[1] + 8
    img = QImage(w, h, QImage.Format.Format_RGB888)
    img.fill(QColor(250, 250, 250))
    p = QPainter(img)
    p.setPen(QColor(20, 20, 20))
    font = QFont()
    font.setPixelSize(int(cell[1] * 0.7))
    p.setFont(font)
    for i, text in enumerate(lines[:columns * rows]):
        c, r = divmod(i, rows)
        p.drawText(QRectF(4 + c * cell[0], 4 + r * cell[1], cell[0] - 4, cell[1]),
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, shown(text))
    p.end()
    ptr = img.constBits()
    arr = np.frombuffer(ptr, dtype=np.uint8, count=img.sizeInBytes()).reshape(h, img.bytesPerLine())
    return np.ascontiguousarray(arr[:, :w * 3].reshape(h, w, 3))
