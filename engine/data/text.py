"""Text: short sequences over a character vocabulary, one example per line.

The built-in ``names`` set (32,033 first names, ``resources/datasets/names.txt``, public-domain US
Social Security data as makemore distributes it) and a person's own UTF-8 text files. The vocabulary
is whatever characters occur (sorted), so Chinese text works as well as names.

An example is a row of float token indices (exact in float32, so every loader and view that handles
float tensors handles text): token i >= 1 is ``vocab[i - 1]``, token 0 ends the line and pads the rest
of the row. Rows have ``max length + 1`` slots, so the longest line still has its end token. The
vocabulary lives in the ``DataSpec``, which a checkpoint carries, so a checkpoint alone rebuilds a
model that writes strings.

A person's file is read through ``engine.safe_io`` (regular files only, at most ``MAX_TEXT_BYTES``
read whatever the file claims) and refused with a message naming the file and, where there is one,
the line: empty, binary (NUL bytes), not UTF-8, a line longer than the cap, more distinct characters
than the cap. The caps have overrides: ``data.max_length`` and ``data.max_vocab``.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import torch

from engine.atomic import write_text_atomic
from engine.data.progress import Reporter
from engine.data.spec import DataSpec, Dataset
from engine.errors import DataError
from engine.resources import resource_path
from engine.safe_io import ReadRefused, read_bytes

NAMES = "names"
TEXT_SETS = (NAMES,)
MAX_TEXT_BYTES = 64 * 2**20       # a text file larger than this is refused before it is all read
AUTO_LENGTH_CAP = 256             # data.max_length = 0: lines may have at most this many characters
MAX_LENGTH = 4096                 # the largest data.max_length accepts
TEST_FRACTION = 0.1               # held out, at most MAX_TEST lines (makemore holds out min(1000, 10%))
MAX_TEST = 1000
SPLIT_SEED = 1234                 # the built-in set's split, fixed so every run is judged on the same lines
END = 0                           # the end-of-line token (also the padding after it)
END_SHOWN = "⏎"                   # how views and exports name the end token


def is_text_file(path: Path) -> bool:
    """A ``.txt`` file of lines rather than a table of x,y points: its first non-comment line is not
    two or three numbers. Reads at most 4 KB."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return True   # the text loader says why it cannot be read
    for raw in head.split(b"\n")[:50]:
        line = raw.split(b"#", 1)[0].strip()
        if not line:
            continue
        parts = [p for p in line.replace(b",", b" ").replace(b";", b" ").replace(b"\t", b" ").split(b" ") if p]
        try:
            [float(p) for p in parts]
        except ValueError:
            return True
        return not 2 <= len(parts) <= 3
    return True


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def read_lines(path: Path, where: str, max_length: int, max_vocab: int, max_items: int) -> list[str]:
    """The non-empty lines of a UTF-8 text file (ends stripped), validated; every refusal names the file
    and the line."""
    try:
        raw = read_bytes(path, MAX_TEXT_BYTES, "text file of examples")
    except ReadRefused as e:
        raise DataError(str(e)) from None
    except OSError as e:
        raise DataError(f"{where}: cannot be read ({e.strerror or e})") from None
    if not raw.strip():
        raise DataError(f"{where}: is empty; a text file needs one example per line")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise DataError(f"{where}: line {_line_of(raw, nul)}: contains a NUL byte; this is a binary file, "
                        "not UTF-8 text with one example per line")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(f"{where}: line {_line_of(raw, e.start)}: is not valid UTF-8 (byte {e.start}); save the "
                        "file as UTF-8 text") from None
    cap = max_length or AUTO_LENGTH_CAP
    how = (f"data.max_length is {max_length}" if max_length else
           f"lines may have at most {AUTO_LENGTH_CAP} characters unless you set data.max_length (up to {MAX_LENGTH})")
    lines: list[str] = []
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.strip()
        if not line:
            continue
        if len(line) > cap:
            raise DataError(f"{where}: line {lineno}: has {len(line)} characters; {how}")
        bad = next((c for c in line if c != "\t" and unicodedata.category(c) in ("Cc", "Cs")), None)
        if bad is not None:
            raise DataError(f"{where}: line {lineno}: contains the control character U+{ord(bad):04X}; "
                            "expected plain text, one example per line")
        lines.append(line)
        if len(lines) > max_items:
            raise DataError(f"{where}: has more than {max_items} examples (data.max_items); raise it to load "
                            "them all")
    if len(lines) < 2:
        raise DataError(f"{where}: has {len(lines)} non-empty line; a text set needs at least 2 (one to train "
                        "on, one held out)")
    chars = set().union(*map(set, lines))
    if len(chars) > max_vocab:
        raise DataError(f"{where}: uses {len(chars)} distinct characters; at most {max_vocab} are allowed "
                        "(data.max_vocab; raise it for a larger alphabet)")
    return lines


def encode_lines(lines: list[str], vocab: tuple[str, ...], slots: int, where: str = "text") -> torch.Tensor:
    """Strings -> (n, slots) float32 tokens: each character's index + 1, then the end token (0)."""
    index = {c: i + 1 for i, c in enumerate(vocab)}
    out = np.zeros((len(lines), slots), dtype=np.float32)
    for r, line in enumerate(lines):
        if len(line) > slots - 1:
            raise DataError(f"{where}: '{line[:40]}' has {len(line)} characters; this model writes at most "
                            f"{slots - 1}")
        try:
            out[r, :len(line)] = [index[c] for c in line]
        except KeyError as e:
            raise DataError(f"{where}: the character {e.args[0]!r} is not in the model's vocabulary") from None
    return torch.from_numpy(out)


def decode_tokens(x: torch.Tensor, vocab: tuple[str, ...]) -> list[str]:
    """(n, slots) tokens -> strings, each ending at its first end token."""
    rows = x.detach().cpu().round().long().tolist()
    out = []
    for row in rows:
        chars = []
        for t in row:
            if t <= END or t > len(vocab):
                break
            chars.append(vocab[t - 1])
        out.append("".join(chars))
    return out


def token_lengths(x: torch.Tensor) -> torch.Tensor:
    """Characters before the first end token of each row (int64)."""
    ended = (x.round() == END).long()
    first = torch.where(ended.any(1), ended.argmax(1), torch.full_like(ended[:, 0], x.shape[1]))
    return first


def text_dataset(lines: list[str], where: str, name: str, seed: int, max_length: int, source: str) -> Dataset:
    vocab = tuple(sorted(set().union(*map(set, lines))))
    longest = max(len(line) for line in lines)
    length = max_length or longest
    x = encode_lines(lines, vocab, length + 1, where)
    order = np.random.default_rng(seed).permutation(len(lines))
    n_test = min(MAX_TEST, max(1, int(len(lines) * TEST_FRACTION)))
    test, train = torch.from_numpy(order[:n_test]), torch.from_numpy(order[n_test:])
    spec = DataSpec(kind="text", shape=(length + 1,), value_range=(0.0, float(len(vocab))), name=name, vocab=vocab)
    ds = Dataset(spec=spec, x_train=x[train], x_test=x[test], source=source,
                 preparation={"kind": "text", "format": "one example per line, UTF-8", "split_seed": seed,
                              "max_length": length, "vocab_size": len(vocab) + 1})
    ds.notes.append(f"{len(vocab)} distinct characters + the end-of-line token; lines of up to {length} characters")
    return ds


def load_names(cfg, reporter: Reporter | None = None) -> Dataset:
    """The built-in names: 32,033 lower-case first names, split the same way for every run."""
    path = resource_path("datasets", "names.txt")
    if not Path(path).is_file():
        raise DataError(f"{path}: the built-in names file is missing; reinstall GenLab")
    lines = read_lines(Path(path), "names", cfg.max_length, cfg.max_vocab, cfg.max_items)
    return text_dataset(lines, "names", NAMES, SPLIT_SEED, cfg.max_length,
                        "built-in names: 32,033 US first names (SSA data, public domain; as makemore ships them)")


def load_text_file(path: Path, cfg, reporter: Reporter | None = None) -> Dataset:
    """A person's UTF-8 text file, one example per line, split by ``cfg.seed``."""
    lines = read_lines(path, str(path), cfg.max_length, cfg.max_vocab, cfg.max_items)
    return text_dataset(lines, str(path), path.stem, cfg.seed, cfg.max_length,
                        f"{path}: {len(lines)} lines of text")


def write_lines(path: Path, lines: list[str]) -> None:
    """One example per line, UTF-8, written atomically (``genlab sample`` and ``genlab data`` to .txt)."""
    write_text_atomic(path, "".join(line + "\n" for line in lines))


def known_lines(dataset: Dataset) -> frozenset[str]:
    """Every training line of a text dataset, decoded once and kept on the dataset."""
    cached = dataset.__dict__.get("_known_lines")
    if cached is None:
        cached = frozenset(decode_tokens(dataset.x_train, dataset.spec.vocab))
        dataset.__dict__["_known_lines"] = cached
    return cached


def text_samples(x: torch.Tensor, dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Generated token rows -> (strings, novel): a NumPy array of the strings and a boolean array that
    is True where a string is not a line of the training set."""
    lines = decode_tokens(x, dataset.spec.vocab)
    known = known_lines(dataset)
    return np.array(lines, dtype=str), np.array([line not in known for line in lines], dtype=bool)
