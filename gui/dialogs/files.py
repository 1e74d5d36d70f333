"""File pickers in one place, so every one has a sensible start folder and file filter.

They are Qt's own dialogs (native where the platform has them). Each returns a path, or None when
the person cancels.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog


def save_path(parent, title: str, suggested: str, file_filter: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path or None


def open_path(parent, title: str, file_filter: str, start: str = "") -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, start, file_filter)
    return path or None


def folder_path(parent, title: str, start: str = "") -> str | None:
    path = QFileDialog.getExistingDirectory(parent, title, start)
    return path or None
