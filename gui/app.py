"""Build the QApplication once, set pyqtgraph's global options, show the main window."""

from __future__ import annotations

import os
import sys


def make_app(argv: list[str] | None = None):
    """The QApplication (created once), with pyqtgraph configured for speed and row-major images."""
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setApplicationName("GenLab")
        app.setOrganizationName("GenLab")
    import pyqtgraph as pg
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=False, useOpenGL=False)
    return app


def run_app() -> int:
    """Open the main window and run the event loop until it closes."""
    app = make_app()
    from gui.main_window import MainWindow
    window = MainWindow()
    window.show()
    if os.environ.get("GENLAB_EXIT_AFTER_SHOW"):
        from PySide6.QtCore import QTimer
        QTimer.singleShot(int(os.environ["GENLAB_EXIT_AFTER_SHOW"]), window.close)
    return app.exec()
