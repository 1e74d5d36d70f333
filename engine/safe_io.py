"""Reading files and JSON that came from elsewhere: regular files only, bounded reads, bounded JSON.

A size check by ``stat`` says nothing about a symlink to ``/dev/zero`` (size 0, endless) or a FIFO
(size 0, blocks forever), so every reader here opens the file without blocking, asks the *open file*
what it is (``fstat``) and refuses anything but a regular file, then reads at most the limit plus one
byte: whatever the file claims, no more than the limit is ever read.

JSON from a file is parsed with ``parse_json``: deeper nesting than ``MAX_DEPTH`` and integers longer
than ``MAX_INT_DIGITS`` digits are refused with a message (Python's parser would otherwise raise
``RecursionError``, or build a number of thousands of digits that later code cannot turn into a
float). Every refusal is a ``ReadRefused`` (a ``ValueError``) whose text names the file and the
problem; callers turn it into their own error type.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

MAX_DEPTH = 64             # GenLab's own files nest at most 6 levels
MAX_INT_DIGITS = 24        # larger than any count or size GenLab writes (2**64 has 20 digits)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class ReadRefused(ValueError):
    """A file or JSON text that is not what it must be; the message names the file and why."""


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a regular file"


def open_regular(path: str | Path):
    """A binary file object for ``path``, which must be a regular file (symlinks are followed to their
    target, which must be one too). Never blocks on a FIFO. Raises ``ReadRefused`` or ``OSError``."""
    path = Path(path)
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ReadRefused(f"{path}: is {_kind(st.st_mode)}, not a regular file; refusing to read it")
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def is_regular_file(path: str | Path) -> bool:
    """True for a regular file (or a symlink to one); a FIFO, a device or a folder is False."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def read_bytes(path: str | Path, limit: int, what: str = "file") -> bytes:
    """The whole of a regular file of at most ``limit`` bytes; a larger one is refused after reading
    ``limit + 1`` bytes at most, whatever its size claimed."""
    with open_regular(path) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ReadRefused(f"{path}: more than {_size_text(limit)}, too large for a {what}")
    return data


def read_text(path: str | Path, limit: int, what: str = "file") -> str:
    data = read_bytes(path, limit, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ReadRefused(f"{path}: is not UTF-8 text (byte {e.start}); not a {what}") from None


def read_tail(path: str | Path, limit: int) -> tuple[bytes, bool]:
    """The last ``limit`` bytes of a regular file and whether the file was longer (its first line cut)."""
    with open_regular(path) as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - limit))
        return fh.read(limit), size > limit


def _size_text(n: int) -> str:
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ReadRefused(f"an integer of {len(text.lstrip('-'))} digits (at most {MAX_INT_DIGITS} are accepted)")
    return int(text)


def _depth(value, limit: int) -> int:
    """Nesting depth of parsed JSON, without recursion (so it cannot overflow the stack itself)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            v = v.values()
        elif not isinstance(v, list):
            continue
        deepest = max(deepest, d)
        if deepest > limit:
            return deepest
        stack.extend((x, d + 1) for x in v if isinstance(x, (dict, list)))
    return deepest


def parse_json(text: str | bytes, where: str, max_depth: int = MAX_DEPTH):
    """``json.loads`` for text from a file: refuses nesting deeper than ``max_depth`` and integers of more
    than ``MAX_INT_DIGITS`` digits; every failure is a ``ReadRefused`` naming ``where``."""
    try:
        value = json.loads(text, parse_int=_parse_int)
    except ReadRefused as e:
        raise ReadRefused(f"{where}: {e}") from None
    except RecursionError:
        raise ReadRefused(f"{where}: JSON nested too deeply (more than {max_depth} levels)") from None
    except json.JSONDecodeError as e:
        raise ReadRefused(f"{where}: not valid JSON (line {e.lineno} column {e.colno}: {e.msg})") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise ReadRefused(f"{where}: not valid JSON ({e})") from None
    if _depth(value, max_depth) > max_depth:
        raise ReadRefused(f"{where}: JSON nested too deeply (more than {max_depth} levels)")
    return value


def read_json(path: str | Path, limit: int, what: str = "file"):
    """A regular file of at most ``limit`` bytes, parsed by ``parse_json``."""
    return parse_json(read_text(path, limit, what), str(path))
