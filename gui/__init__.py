"""GenLab's window: PySide6 and pyqtgraph over the Qt-free engine."""
