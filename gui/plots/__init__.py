"""Plot data structures (growable buffers, smoothing, scale transforms) and pyqtgraph helpers."""
