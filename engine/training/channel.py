"""Frames between the window and its training process: a length, then a pickle.

The window (``engine.training.child``) writes commands to the training process's stdin; the process
(``engine.training.worker``) writes acknowledgements and engine events to its stdout. Both ends are
this same program, so pickle is the format: events are frozen dataclasses of NumPy arrays and plain
values, and a ``SnapshotPublished`` carries its weights as CPU tensors (the one payload with a
``MappingProxyType``, registered below so it crosses as a plain dict and comes back read-only).

The reader still trusts nothing it did not expect: ``ChannelUnpickler`` resolves only the classes
of the engine (and of families registered at run time), NumPy's array and scalar rebuilders and plain builtin types, so a frame that names any
other callable (``os.system``, an engine function) is refused as a corrupt channel, never run. This is
the one place in the engine that unpickles, and it reads only a pipe to its own child, never a file.
"""

from __future__ import annotations

import builtins
import copyreg
import io
import pickle
import struct
import time
from types import MappingProxyType

import numpy as np

from engine.models.registry import registrations

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


PLAIN_BUILTINS = frozenset({"set", "frozenset", "complex", "slice", "range", "bytearray", "bytes", "int", "float",
                            "str", "list", "dict", "tuple", "bool", "object"})
NUMPY_REBUILDERS = frozenset({"_reconstruct", "_frombuffer", "scalar", "dtype", "ndarray"})


def _family_modules() -> set[str]:
    """Modules of the families registered at run time: their configs and events cross like the engine's."""
    return {module for module, _, _ in registrations().values()}


class ChannelUnpickler(pickle.Unpickler):
    """Unpickles engine events and NumPy data only (see the module's docstring)."""

    def find_class(self, module: str, name: str):
        found = None
        if module == "builtins" and name in PLAIN_BUILTINS:
            found = getattr(builtins, name)
        elif module == __name__ and name == "read_only":
            found = read_only
        elif module.split(".")[0] == "numpy":
            obj = super().find_class(module, name)
            if name in NUMPY_REBUILDERS or (isinstance(obj, type) and issubclass(obj, (np.generic, np.dtype))):
                found = obj
        elif module.split(".")[0] in ("engine", "pathlib", "collections") or module in _family_modules():
            obj = super().find_class(module, name)
            if isinstance(obj, type):
                found = obj
        if found is None:
            raise ChannelError(f"the frame names {module}.{name}, which the channel never sends: refused")
        return found


UNSENDABLE = (pickle.PicklingError, TypeError, AttributeError)


def unsendable(obj) -> str | None:
    """Why ``obj`` cannot cross the channel (None when it can)."""
    try:
        pickle.dumps(obj, protocol=5, buffer_callback=lambda b: None)
    except UNSENDABLE as e:
        return str(e)
    return None


def write_frame(stream, obj) -> int:
    """Write ``obj`` as one frame and flush; returns the frame's size in bytes.

    Pickle protocol 5 with out-of-band buffers: a NumPy array's bytes (sample grids, a snapshot's
    weights, see ``engine.training.worker``) follow the pickle as raw blocks instead of being copied
    into it, and the reader receives them straight into their own memory."""
    buffers: list = []
    data = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    stream.write(HEADER.pack(len(data)) + HEADER.pack(len(raws)))
    stream.write(data)
    for raw in raws:
        stream.write(HEADER.pack(raw.nbytes))
        stream.write(raw)
    stream.flush()
    return HEADER.size * (2 + len(raws)) + len(data) + sum(r.nbytes for r in raws)


def _read_exactly(stream, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_into(stream, n: int) -> bytearray | None:
    """``n`` bytes read straight into a new buffer (the interpreter lock is free during each read)."""
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = stream.readinto(view[got:])
        if not k:
            return None
        got += k
    return buf


def _size(stream) -> int | None:
    head = _read_exactly(stream, HEADER.size)
    if head is None:
        return None
    (size,) = HEADER.unpack(head)
    if size > MAX_FRAME:
        raise ChannelError(f"frame of {size} bytes announced: the channel is corrupt")
    return size


def read_frame(stream, stats: dict | None = None):
    """The next object, or None at the end of the stream (the other end exited or closed it).
    ``stats`` (optional) counts ``frames``, ``bytes`` and ``decode_s`` (seconds spent unpickling)."""
    size = _size(stream)
    n_buffers = _size(stream) if size is not None else None
    if size is None or n_buffers is None:
        return None
    data = _read_exactly(stream, size)
    if data is None:
        return None
    buffers, total = [], size + HEADER.size * (2 + n_buffers)
    for _ in range(n_buffers):
        n = _size(stream)
        buf = _read_into(stream, n) if n is not None else None
        if buf is None:
            return None
        buffers.append(buf)
        total += n
    t0 = time.perf_counter()
    obj = ChannelUnpickler(io.BytesIO(data), buffers=buffers).load()
    if stats is not None:
        stats["decode_s"] = stats.get("decode_s", 0.0) + time.perf_counter() - t0
        stats["frames"] = stats.get("frames", 0) + 1
        stats["bytes"] = stats.get("bytes", 0) + total
    return obj
