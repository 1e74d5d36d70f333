"""TensorBoard event files written by hand: scalars and PNG images, no TensorFlow, no protobuf.

The format is small and stable: a file ``events.out.tfevents.<time>.<host>`` of records, each
``uint64 length | uint32 masked CRC32C(length) | data | uint32 masked CRC32C(data)`` (little endian),
where ``data`` is a serialised ``tensorflow.Event`` protobuf: ``wall_time`` (1, double), ``step`` (2,
int64), ``file_version`` (3, string; the first record says "brain.Event:2") or ``summary`` (5), a
``Summary`` of ``Value``s with ``tag`` (1), ``simple_value`` (2, float) or ``image`` (4: height 1,
width 2, colorspace 3, encoded PNG 4). Writing these few fields takes a page; ``tensorboardX`` would
add about 4 MB with protobuf to the program for the same bytes. ``read_events`` parses the files back
(checking both CRCs), for the tests and for anyone without TensorBoard.
"""

from __future__ import annotations

import os
import platform
import struct
import time
from pathlib import Path

FILE_VERSION = "brain.Event:2"


def _crc32c_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), as TFRecord files use it."""
    c = 0xFFFFFFFF
    table = _TABLE
    for b in data:
        c = table[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


# ---- protobuf, the few wire types needed --------------------------------------------------------------------
def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1              # negative int64 as two's complement, as protobuf does
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field(number: int, wire: int, payload: bytes) -> bytes:
    return _varint((number << 3) | wire) + payload


def _bytes_field(number: int, data: bytes) -> bytes:
    return _field(number, 2, _varint(len(data)) + data)


def scalar_value(tag: str, value: float) -> bytes:
    return _bytes_field(1, tag.encode()) + _field(2, 5, struct.pack("<f", float(value)))


def image_value(tag: str, png: bytes, height: int, width: int, channels: int) -> bytes:
    image = (_field(1, 0, _varint(height)) + _field(2, 0, _varint(width)) + _field(3, 0, _varint(channels))
             + _bytes_field(4, png))
    return _bytes_field(1, tag.encode()) + _bytes_field(4, image)


def event(step: int, values: list[bytes] | None = None, wall_time: float | None = None,
          file_version: str | None = None) -> bytes:
    out = _field(1, 1, struct.pack("<d", time.time() if wall_time is None else wall_time))
    out += _field(2, 0, _varint(int(step)))
    if file_version is not None:
        out += _bytes_field(3, file_version.encode())
    if values:
        out += _bytes_field(5, b"".join(_bytes_field(1, v) for v in values))
    return out


def record(data: bytes) -> bytes:
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc(header)) + data + struct.pack("<I", masked_crc(data))


class EventWriter:
    """Appends events to one new event file in ``folder`` (created when missing). Each ``add_*`` writes
    through at once (a record is a few dozen bytes), so a run killed mid-way leaves a readable file."""

    def __init__(self, folder: str | Path, wall_time: float | None = None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        now = time.time() if wall_time is None else wall_time
        host = "".join(ch for ch in platform.node() if ch.isalnum() or ch in "-_") or "host"
        name = f"events.out.tfevents.{int(now):010d}.{host}.{os.getpid()}"
        self.path = self.folder / name
        self._file = open(self.path, "ab")
        self._write(event(0, wall_time=now, file_version=FILE_VERSION))

    def add_scalars(self, step: int, values: dict[str, float], wall_time: float | None = None) -> None:
        items = [scalar_value(tag, v) for tag, v in values.items()]
        if items:
            self._write(event(step, items, wall_time))

    def add_png(self, step: int, tag: str, png: bytes, height: int, width: int, channels: int,
                wall_time: float | None = None) -> None:
        self._write(event(step, [image_value(tag, png, height, width, channels)], wall_time))

    def _write(self, data: bytes) -> None:
        self._file.write(record(data))
        self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- reading back ---------------------------------------------------------------------------------------------
class CorruptEventFile(ValueError):
    pass


def _read_varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = n = 0
    while True:
        if i >= len(buf):
            raise CorruptEventFile("truncated varint")
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def _fields(buf: bytes):
    """(number, wire type, value) of each field: ints for varints, bytes for the rest."""
    i = 0
    while i < len(buf):
        key, i = _read_varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _read_varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        elif wire == 2:
            size, i = _read_varint(buf, i)
            value, i = buf[i:i + size], i + size
        else:
            raise CorruptEventFile(f"unsupported wire type {wire}")
        yield number, wire, value


def parse_event(data: bytes) -> dict:
    """{"wall_time", "step", "file_version"?, "scalars": {tag: v}, "images": {tag: {...}}}"""
    out = {"step": 0, "scalars": {}, "images": {}}
    for number, _, value in _fields(data):
        if number == 1:
            out["wall_time"] = struct.unpack("<d", value)[0]
        elif number == 2:
            out["step"] = value
        elif number == 3:
            out["file_version"] = value.decode()
        elif number == 5:
            for n, _, v in _fields(value):
                if n != 1:
                    continue
                fields = {k: val for k, _, val in _fields(v)}
                tag = fields[1].decode()
                if 2 in fields:
                    out["scalars"][tag] = struct.unpack("<f", fields[2])[0]
                if 4 in fields:
                    img = {k: val for k, _, val in _fields(fields[4])}
                    out["images"][tag] = {"height": img.get(1), "width": img.get(2), "colorspace": img.get(3),
                                          "png": img.get(4, b"")}
    return out


def read_events(path: str | Path) -> list[dict]:
    """Every event of a file, both CRCs of every record checked (``CorruptEventFile`` if one fails)."""
    buf = Path(path).read_bytes()
    i, out = 0, []
    while i < len(buf):
        if i + 12 > len(buf):
            raise CorruptEventFile(f"{path}: truncated record header at byte {i}")
        header = buf[i:i + 8]
        (length,) = struct.unpack("<Q", header)
        (crc,) = struct.unpack("<I", buf[i + 8:i + 12])
        if crc != masked_crc(header):
            raise CorruptEventFile(f"{path}: bad length CRC at byte {i}")
        data = buf[i + 12:i + 12 + length]
        if len(data) < length or i + 16 + length > len(buf):
            raise CorruptEventFile(f"{path}: truncated record at byte {i}")
        (crc,) = struct.unpack("<I", buf[i + 12 + length:i + 16 + length])
        if crc != masked_crc(data):
            raise CorruptEventFile(f"{path}: bad data CRC at byte {i}")
        out.append(parse_event(data))
        i += 16 + length
    return out


def metrics_scalars(rec: dict) -> tuple[int, float | None, dict[str, float]]:
    """A ``metrics.jsonl`` record as (step, seconds of training, TensorBoard scalars): a loss report's terms
    under ``train/``, its gradient norms under ``grad_norm/``, an evaluation's numbers under ``eval/``;
    other records give no scalars."""
    kind, step = rec.get("event"), rec.get("step")
    if kind not in ("train", "eval") or not isinstance(step, int):
        return 0, None, {}
    out = {}
    for k, v in rec.items():
        if k in ("event", "step", "time") or isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        if kind == "train" and k.startswith("grad_norm_"):
            out[f"grad_norm/{k[len('grad_norm_'):]}"] = float(v)
        else:
            out[f"{kind}/{k}"] = float(v)
    t = rec.get("time")
    return step, float(t) if isinstance(t, (int, float)) else None, out
