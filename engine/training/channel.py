"""Frames between the window and its training process: a length, then a pickle.

The window (``engine.training.child``) writes commands to the training process's stdin; the process
(``engine.training.worker``) writes acknowledgements and engine events to its stdout. Both ends are
this same program, so pickle is the format: events are frozen dataclasses of NumPy arrays and plain
values, and a ``SnapshotPublished`` carries its weights as CPU tensors (the one payload with a
``MappingProxyType``, registered below so it crosses as a plain dict and comes back read-only).
"""

from __future__ import annotations

import copyreg
import pickle
import struct
import time
from types import MappingProxyType

HEADER = struct.Struct("<Q")
MAX_FRAME = 1 << 34   # 16 GiB: anything longer is a torn stream, not a frame


def read_only(d: dict) -> MappingProxyType:
    """Rebuilds a ``MappingProxyType`` on the receiving side (the type itself has no importable name)."""
    return MappingProxyType(d)


def _reduce_mappingproxy(m):
    return read_only, (dict(m),)


copyreg.pickle(MappingProxyType, _reduce_mappingproxy)


class ChannelError(Exception):
    """The other end wrote something that is not a frame (a stray print on the channel, a torn write)."""


def write_frame(stream, obj) -> int:
    """Write ``obj`` as one frame and flush; returns the frame's size in bytes."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()
    return len(data) + HEADER.size


def _read_exactly(stream, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(stream, stats: dict | None = None):
    """The next object, or None at the end of the stream (the other end exited or closed it).
    ``stats`` (optional) counts ``frames``, ``bytes`` and ``decode_s`` (seconds spent unpickling)."""
    head = _read_exactly(stream, HEADER.size)
    if head is None:
        return None
    (size,) = HEADER.unpack(head)
    if size > MAX_FRAME:
        raise ChannelError(f"frame of {size} bytes announced: the channel is corrupt")
    data = _read_exactly(stream, size)
    if data is None:
        return None
    if stats is None:
        return pickle.loads(data)
    t0 = time.perf_counter()
    obj = pickle.loads(data)
    stats["decode_s"] = stats.get("decode_s", 0.0) + time.perf_counter() - t0
    stats["frames"] = stats.get("frames", 0) + 1
    stats["bytes"] = stats.get("bytes", 0) + size + HEADER.size
    return obj
