"""The main window. A first version: the docks arrive with the window issue."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow

import engine


class MainWindow(QMainWindow):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"GenLab {engine.__version__}")
        self.resize(1280, 800)
        label = QLabel("GenLab — pick data and a model family, then press Train.")
        label.setMargin(24)
        self.setCentralWidget(label)
