"""The one question before an action that stops, deletes or takes over something: Cancel is the default.

The box and its buttons carry object names (``NAME_confirm``, ``NAME_yes``, ``NAME_cancel``) so tests and
screen readers can find them.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox


def confirm(parent, name: str, title: str, text: str, yes_text: str, destructive: bool = False) -> bool:
    """True when the person clicks ``yes_text``; Cancel, Escape or closing the box is False."""
    icon = QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question
    box = QMessageBox(icon, title, text, parent=parent)
    box.setObjectName(f"{name}_confirm")
    role = QMessageBox.ButtonRole.DestructiveRole if destructive else QMessageBox.ButtonRole.AcceptRole
    yes = box.addButton(yes_text, role)
    yes.setObjectName(f"{name}_yes")
    box.addButton(QMessageBox.StandardButton.Cancel).setObjectName(f"{name}_cancel")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is yes
