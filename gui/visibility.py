"""``on_screen``: whether a dock (or any widget) can be seen right now.

Qt keeps a dock that is a tab behind another dock "visible" (``isVisible()`` is True); only its
visible region is empty. Docks that compute or paint for the person (the Latent and Inside docks'
explorer work, the Losses plot, the Runs list) ask this instead, so a hidden tab costs the window
and the training thread nothing. Their ``visibilityChanged`` handlers run the work one event-loop
turn later (``when_shown``), when the newly selected tab has its geometry.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget


def on_screen(widget: QWidget) -> bool:
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def when_shown(widget: QWidget, callback) -> None:
    """Run ``callback`` on the next event-loop turn if ``widget`` is then on screen."""
    QTimer.singleShot(0, widget, lambda: callback() if on_screen(widget) else None)
