"""Log dock: what the engine and the window say, with time stamps, newest at the bottom.

Errors are red and warnings amber. The view keeps the last ``MAX_LINES`` lines so a long session
cannot grow it without bound. ``entries`` keeps (time, level, text) for tests and the self-test.
"""

from __future__ import annotations

import time

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QDockWidget, QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget
from PySide6.QtWidgets import QApplication

MAX_LINES = 5000
COLOURS = {"error": "#b00020", "warning": "#a86400", "info": "#222222"}


class LogDock(QDockWidget):
    def __init__(self, parent=None):
        super().__init__(self.tr("Log"), parent)
        self.setObjectName("dock_log")
        self.entries: list[tuple[float, str, str]] = []
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.view = QPlainTextEdit()
        self.view.setObjectName("log_view")
        self.view.setReadOnly(True)
        self.view.setMaximumBlockCount(MAX_LINES)
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        copy = QPushButton(self.tr("Copy all"))
        copy.clicked.connect(self._on_copy_clicked)
        clear = QPushButton(self.tr("Clear"))
        clear.clicked.connect(self.clear)
        row.addWidget(copy)
        row.addWidget(clear)
        layout.addLayout(row)
        self.setWidget(body)

    def add(self, level: str, text: str) -> None:
        now = time.time()
        self.entries.append((now, level, text))
        if len(self.entries) > MAX_LINES:
            del self.entries[: len(self.entries) - MAX_LINES]
        stamp = time.strftime("%H:%M:%S", time.localtime(now))
        colour = COLOURS.get(level, COLOURS["info"])
        tag = "" if level == "info" else f"{level.upper()}: "
        safe = (tag + text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
        self.view.appendHtml(f"<span style='color:#777'>{stamp}</span> "
                             f"<span style='color:{colour}'>{safe}</span>")
        self.view.moveCursor(QTextCursor.MoveOperation.End)

    def clear(self) -> None:
        self.entries.clear()
        self.view.clear()

    def text(self) -> str:
        return self.view.toPlainText()

    def _on_copy_clicked(self) -> None:
        QApplication.clipboard().setText(self.text())
