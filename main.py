"""GenLab's entry point: the window by default; ``train``, ``sample``, ``eval``, ``data`` run headless.

Three ways in, one path: ``python main.py``, the ``genlab`` console script (which calls ``main()``
directly, skipping the ``__main__`` block) and the frozen executable built from ``build.spec``.
``multiprocessing.freeze_support()`` comes first so the frozen executable behaves when a child
process is spawned; ``main()`` repeats it (a no-op when not frozen) so the console script is right too.
The window's modules are imported only when the window is asked for, so the headless commands start
fast and work where Qt is missing.
"""

from __future__ import annotations

import codecs
import multiprocessing
import os
import sys

from engine.cli.main import main as cli_main


def _usable_streams() -> None:
    """Make printing safe whatever started us.

    A windowed build on Windows or macOS starts with ``sys.stdout``/``sys.stderr`` set to None, and a
    bare environment (C locale, no UTF-8 mode) gives ASCII streams on which a non-ASCII file name in a
    message would raise UnicodeEncodeError. Missing streams become the null device; streams that
    cannot encode every character escape what they cannot encode instead of failing.
    """
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))
            continue
        try:
            encoding = codecs.lookup(getattr(stream, "encoding", None) or "ascii").name
        except LookupError:
            encoding = "ascii"
        if encoding.startswith("utf") and getattr(stream, "errors", "strict") != "strict":
            continue
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a stream that cannot change: leave it as it is
                pass


def _gui() -> int:
    # lazy: the window's modules need Qt; the headless commands start without it
    from gui.app import run_app
    return run_app()


def _selftest(screenshot=None, report=None) -> int:
    # lazy: the window's modules need Qt; the headless commands start without it
    from gui.selftest import run_selftest
    return run_selftest(screenshot, report)


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()
    _usable_streams()
    return cli_main(argv, gui=_gui, selftest=_selftest)


def gui_main() -> int:
    return main([])


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
