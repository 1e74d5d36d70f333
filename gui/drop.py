"""Drag and drop a file or folder anywhere on the window to load it as the training data.

Qt delivers a drag to the widget under the pointer, or to its nearest ancestor that accepts drops.
Plots (pyqtgraph views are QGraphicsViews, which accept drops for their scene) and text fields
would swallow a dropped file, so ``route_drops_to`` turns drops off on those and on for the window,
whose ``dragEnterEvent``/``dropEvent`` then call ``accepts``/``dropped_path`` here. No event filter:
a Python hook on every event of a plot would cost time at every frame.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QAbstractScrollArea, QGraphicsView, QLineEdit, QWidget


def local_paths(mime) -> list[str]:
    """The local files and folders a drag carries (URLs that are not local files are ignored)."""
    if mime is None or not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]


def accepts(mime) -> bool:
    """Whether a drag carries exactly one existing local file or folder."""
    paths = local_paths(mime)
    return len(paths) == 1 and Path(paths[0]).exists()


def dropped_path(mime) -> str | None:
    paths = local_paths(mime)
    return paths[0] if len(paths) == 1 and Path(paths[0]).exists() else None


def route_drops_to(window: QWidget) -> int:
    """Let drops anywhere on ``window`` reach it: off on plots and text fields, on for the window.
    Returns how many widgets were changed; call it again after adding docks."""
    window.setAcceptDrops(True)
    changed = 0
    for widget in window.findChildren(QWidget):
        targets = [widget]
        if isinstance(widget, QAbstractScrollArea):
            targets.append(widget.viewport())
        if isinstance(widget, (QGraphicsView, QLineEdit, QAbstractScrollArea)):
            for t in targets:
                if t.acceptDrops():
                    t.setAcceptDrops(False)
                    changed += 1
    return changed
