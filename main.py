"""GenLab's entry point: the window by default; ``train``, ``sample``, ``eval``, ``data`` run headless.

``multiprocessing.freeze_support()`` comes first so the frozen executable behaves when a child
process is spawned. The window's modules are imported only when the window is asked for, so the
headless commands start fast and work where Qt is missing.
"""

from __future__ import annotations

import multiprocessing
import sys


def _gui() -> int:
    from gui.app import run_app
    return run_app()


def _selftest(screenshot=None, report=None) -> int:
    from gui.selftest import run_selftest
    return run_selftest(screenshot, report)


def main(argv: list[str] | None = None) -> int:
    from engine.cli.main import main as cli_main
    return cli_main(argv, gui=_gui, selftest=_selftest)


def gui_main() -> int:
    return main([])


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
