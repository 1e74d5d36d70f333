"""GenLab's engine: data, models, training and run folders, with no Qt anywhere.

Everything the window can do, a script can do through this package. It must import and run with
PySide6, shiboken6, pyqtgraph and ``gui`` absent (checked by tests/engine/test_import_contract.py).
"""

__version__ = "0.1.0"
