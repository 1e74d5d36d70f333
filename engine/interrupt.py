"""Cooperative interruption of long work (sampling, evaluation) on the thread that runs it.

The runner installs a stop flag for its thread; loops deep inside a family (a 1000-step diffusion
sampler, an importance-weighted evaluation) call ``check_interrupt()`` once per iteration, so Stop
takes effect within one step of that loop, not at the end of it. Outside a runner the check is free.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from engine.errors import Interrupted

_local = threading.local()


def check_interrupt() -> None:
    flag = getattr(_local, "flag", None)
    if flag is not None and flag.is_set():
        raise Interrupted()


def interrupt_requested() -> bool:
    flag = getattr(_local, "flag", None)
    return flag is not None and flag.is_set()


@contextmanager
def interruptible(flag: threading.Event):
    """Make ``check_interrupt`` on this thread raise once ``flag`` is set."""
    previous = getattr(_local, "flag", None)
    _local.flag = flag
    try:
        yield
    finally:
        _local.flag = previous
