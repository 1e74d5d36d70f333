"""How much memory this process may still take, so sizes from a file are refused before allocating.

The figure is the smallest of: the memory the system reports available (``psutil``), the room left
under a cgroup memory limit (containers), the room left under ``RLIMIT_AS`` (an address-space cap),
and ``GENLAB_MEMORY_LIMIT`` when set (bytes, or with a K/M/G/T suffix: a person capping GenLab, and
the tests). On a GPU it is the free memory the driver reports. Checks compare their estimate with it
and say both numbers when they refuse.
"""

from __future__ import annotations

import os
import re

import psutil
from pathlib import Path

ENV_LIMIT = "GENLAB_MEMORY_LIMIT"
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def parse_bytes(text: str) -> int | None:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", text.lower())
    return int(float(m.group(1)) * _UNITS[m.group(2)]) if m else None


def size_text(n: float) -> str:
    """Bytes for a person: 1.5 GB, 320 MB, 12 KB."""
    for unit, scale in (("TB", 2**40), ("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if abs(n) >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{int(n)} bytes"


def _cgroup_room() -> int | None:
    base = Path("/sys/fs/cgroup")
    try:
        limit = (base / "memory.max").read_text().strip()
        if limit == "max":
            return None
        return max(0, int(limit) - int((base / "memory.current").read_text().strip()))
    except (OSError, ValueError):
        return None


def _address_space_room() -> int | None:
    try:
        # lazy: resource exists on POSIX only; elsewhere there is no address-space limit to read
        import resource
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):
        return None
    if soft == resource.RLIM_INFINITY:
        return None
    try:
        used = psutil.Process().memory_info().vms
    except Exception:  # psutil missing or the process table unreadable: no figure from here
        return None
    return max(0, soft - used)


def host_available() -> int:
    """Bytes of host memory this process may still take."""
    figures = []
    try:
        figures.append(int(psutil.virtual_memory().available))
    except Exception:  # no psutil figure: the other limits still apply
        pass
    for room in (_cgroup_room(), _address_space_room()):
        if room is not None:
            figures.append(room)
    cap = parse_bytes(os.environ.get(ENV_LIMIT, "")) if os.environ.get(ENV_LIMIT) else None
    if cap is not None:
        figures.append(cap)
    return min(figures) if figures else 2**62


def available(device=None) -> int:
    """Bytes free on ``device`` (a torch device or its name; None or CPU: host memory)."""
    kind = getattr(device, "type", None) or (str(device).split(":")[0] if device is not None else "cpu")
    if kind == "cuda":
        try:
            # lazy: this helper stays free of PyTorch (sizing data needs no torch); a GPU run has it loaded
            import torch
            free, _total = torch.cuda.mem_get_info(device)
            cap = parse_bytes(os.environ.get(ENV_LIMIT, "")) if os.environ.get(ENV_LIMIT) else None
            return min(free, cap) if cap is not None else int(free)
        except Exception:  # no driver answer: judge by host memory
            return host_available()
    if kind == "mps":
        try:
            # lazy: as above, only asked for an Apple GPU
            import torch
            return max(0, int(torch.mps.recommended_max_memory()) - int(torch.mps.current_allocated_memory()))
        except Exception:  # older torch without these figures
            return host_available()
    return host_available()
