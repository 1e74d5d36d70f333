"""A non-modal notice strip under the toolbar: engine errors and window crashes, one line each.

It never blocks: the person can keep working, open the crash log, show the Log dock, or dismiss it.
A notice may offer one action (``notify(..., action=(label, callback))``), such as rolling back after a
non-finite loss.
The strip is a toolbar row (not a dialog), so it shows in screenshots and cannot hide the window.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolBar, QWidget


class NoticeBar(QToolBar):
    show_log_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(self.tr("Notices"), parent)
        self.setObjectName("notice_bar")
        self.setMovable(False)
        self.setFloatable(False)
        self.toggleViewAction().setVisible(False)
        box = QWidget()
        box.setObjectName("notice_box")
        row = QHBoxLayout(box)
        row.setContentsMargins(8, 2, 8, 2)
        self.label = QLabel()
        self.label.setObjectName("notice_text")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.label, 1)
        self.action_button = QPushButton()
        self.action_button.setObjectName("notice_action")
        self.action_button.clicked.connect(self._on_action_clicked)
        self.action_button.hide()
        row.addWidget(self.action_button)
        self._action = None
        self.open_button = QPushButton(self.tr("Open crash log"))
        self.open_button.clicked.connect(self._on_open_clicked)
        row.addWidget(self.open_button)
        log_button = QPushButton(self.tr("Show log"))
        log_button.clicked.connect(self.show_log_requested)
        row.addWidget(log_button)
        close = QPushButton(self.tr("Dismiss"))
        close.clicked.connect(self.dismiss)
        row.addWidget(close)
        self.addWidget(box)
        self.path: str | None = None
        self.about = None
        self.history: list[str] = []
        self.hide()

    def notify(self, level: str, text: str, path: str | None = None, action=None, about=None) -> None:
        """Show ``text``; ``path`` a crash log to offer; ``action`` an optional (label, callback) button;
        ``about`` what the message is about, so that a later all-clear can take it down (``withdraw``)."""
        self.about = about
        self.path = path or None
        self._action = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setVisible(bool(action))
        self.history.append(text)
        colour = "#fde8e8" if level == "error" else "#fff4d6"
        self.setStyleSheet(f"QWidget#notice_box {{ background: {colour}; }}")
        self.label.setText(text + (self.tr("\nDetails: {path}").format(path=path) if path else ""))
        self.open_button.setVisible(bool(path))
        self.show()

    def withdraw(self, about) -> bool:
        """Hide the message if the bar still shows the one ``about`` this (not one that came after it)."""
        if about is None or not self.isVisible() or self.about != about:
            return False
        self.dismiss()
        return True

    def dismiss(self) -> None:
        self._action = None
        self.action_button.hide()
        self.hide()

    def _on_action_clicked(self) -> None:
        action, self._action = self._action, None
        self.dismiss()
        if action is not None:
            action()

    def _on_open_clicked(self) -> None:
        if self.path and Path(self.path).exists():
            QDesktopServices.openUrl(QUrl.fromLocalFile(self.path))
