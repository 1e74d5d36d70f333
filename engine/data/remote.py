"""Downloadable sets (MNIST, Fashion-MNIST, CIFAR-10): where they come from and how they unpack.

Checksums are SHA-256 of the official files. MNIST's and Fashion-MNIST's match TensorFlow Datasets'
``url_checksums`` and other independent projects; three MNIST files were also checked byte for byte
against local copies. CIFAR-10 is its *binary* version, unpacked with ``tarfile``'s "data" filter
(only the seven files we read are taken from the archive); its pickled Python version is never
fetched or opened. A person who has the files can always skip the network: ``--data FOLDER`` (the
IDX files, or the extracted ``cifar-10-batches-bin``) or ``--data cifar-10-binary.tar.gz``.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.data.arrays import check_count, images_dataset
from engine.data.download import DownloadError, RemoteFile, cache_root, env_mirrors, fetch, is_complete, sha256_file
from engine.data.idx import load_idx_folder
from engine.data.progress import Reporter
from engine.data.spec import Dataset
from engine.errors import DataError
from engine.safe_io import ReadRefused, read_bytes


@dataclass(frozen=True)
class RemoteSet:
    key: str
    title: str
    files: tuple[RemoteFile, ...]
    mirrors: tuple[str, ...]
    class_names: tuple[str, ...]
    layout: str          # "idx" or "cifar"
    licence: str


def _idx_files(sums: dict[str, tuple[str, int]]) -> tuple[RemoteFile, ...]:
    return tuple(RemoteFile(name, sha, size) for name, (sha, size) in sums.items())


MNIST = RemoteSet(
    key="mnist", title="MNIST handwritten digits (28x28 grey, 60000 + 10000)",
    files=_idx_files({
        "train-images-idx3-ubyte.gz": ("440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9912422),
        "train-labels-idx1-ubyte.gz": ("3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28881),
        "t10k-images-idx3-ubyte.gz": ("8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1648877),
        "t10k-labels-idx1-ubyte.gz": ("f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4542),
    }),
    mirrors=("https://storage.googleapis.com/cvdf-datasets/mnist/",
             "https://ossci-datasets.s3.amazonaws.com/mnist/"),
    class_names=tuple(str(i) for i in range(10)), layout="idx",
    licence="Y. LeCun, C. Cortes, C. J. C. Burges; CC BY-SA 3.0")

FASHION_MNIST = RemoteSet(
    key="fashion-mnist", title="Fashion-MNIST clothing (28x28 grey, 60000 + 10000)",
    files=_idx_files({
        "train-images-idx3-ubyte.gz": ("3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", 26421880),
        "train-labels-idx1-ubyte.gz": ("a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", 29515),
        "t10k-images-idx3-ubyte.gz": ("346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", 4422102),
        "t10k-labels-idx1-ubyte.gz": ("67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", 5148),
    }),
    mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
             "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"),
    class_names=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                 "Ankle boot"),
    layout="idx", licence="Zalando SE; MIT")

CIFAR10 = RemoteSet(
    key="cifar10", title="CIFAR-10 photos (32x32 RGB, 50000 + 10000), binary version",
    files=(RemoteFile("cifar-10-binary.tar.gz",
                      "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd", 170052171),),
    mirrors=("https://www.cs.toronto.edu/~kriz/",),
    class_names=("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
    layout="cifar", licence="A. Krizhevsky, 2009; no explicit licence, cite the tech report")

REMOTE_SETS = {s.key: s for s in (MNIST, FASHION_MNIST, CIFAR10)}
ALIASES = {"fashion_mnist": "fashion-mnist", "fashionmnist": "fashion-mnist", "cifar-10": "cifar10",
           "cifar_10": "cifar10"}

CIFAR_DIR = "cifar-10-batches-bin"
CIFAR_RECORD = 1 + 3 * 32 * 32
CIFAR_TRAIN = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
CIFAR_TEST = "test_batch.bin"
CIFAR_META = "batches.meta.txt"


def remote_key(name: str) -> str | None:
    key = ALIASES.get(name.lower(), name.lower())
    return key if key in REMOTE_SETS else None


def set_folder(key: str) -> Path:
    return cache_root() / key


def is_cached(key: str) -> bool:
    """Whether ``key`` loads without the network (files present; checksums are checked on load)."""
    rs = REMOTE_SETS[key]
    folder = set_folder(key)
    if rs.layout == "cifar":
        return cifar_folder_complete(folder / CIFAR_DIR)
    return all((folder / f.name).is_file() and (folder / f.name).stat().st_size == f.size for f in rs.files)


def mirrors_for(rs: RemoteSet, cfg) -> list[str]:
    """The person's mirrors (data.mirrors, then GENLAB_MIRRORS) replace the built-in ones."""
    return list(getattr(cfg, "mirrors", ()) or ()) or env_mirrors() or list(rs.mirrors)


def _offline_hint(rs: RemoteSet) -> str:
    if rs.layout == "cifar":
        return ("you can load it from disk instead: --data PATH with PATH the cifar-10-binary.tar.gz archive or "
                f"its extracted {CIFAR_DIR} folder")
    names = ", ".join(f.name for f in rs.files)
    return f"you can load it from disk instead: --data PATH with PATH the folder holding {names}"


def ensure_files(rs: RemoteSet, cfg, reporter: Reporter) -> list[Path]:
    folder = set_folder(rs.key)
    missing = [f for f in rs.files if not is_complete(folder / f.name, f)]
    if missing and not cfg.allow_download:
        raise DataError(f"{rs.key}: not in the cache ({folder}) and downloading is off (data.allow_download); "
                        + _offline_hint(rs))
    mirrors = mirrors_for(rs, cfg)
    unreachable: set = set()
    out = []
    for i, f in enumerate(rs.files):
        try:
            out.append(fetch(f, folder, mirrors, rs.key, reporter, skip_hosts=unreachable))
        except DownloadError as e:
            raise DownloadError(f"{e}. Check the connection or set data.mirrors / GENLAB_MIRRORS; "
                                + _offline_hint(rs), e.failures) from None
    return out


# ---- CIFAR-10 binary -------------------------------------------------------------------------------------
def cifar_folder_complete(folder: Path) -> bool:
    try:
        return all((folder / n).is_file() and (folder / n).stat().st_size % CIFAR_RECORD == 0
                   and (folder / n).stat().st_size > 0 for n in CIFAR_TRAIN + (CIFAR_TEST,))
    except OSError:
        return False


CIFAR_BATCH_RECORDS = 10_000          # the official batches; a person's own may be smaller, never larger
MAX_CIFAR_MEMBER = CIFAR_BATCH_RECORDS * CIFAR_RECORD
MAX_CIFAR_META = 4096


def _copy_member(tar, member, out: Path, archive: Path, reporter: Reporter) -> None:
    """Copy one archive member to ``out``, checking as it goes: never more bytes than its header
    promised or a CIFAR batch may have, whole records, and labels 0..9. Nothing unchecked is written."""
    limit = MAX_CIFAR_META if member.name.endswith(CIFAR_META) else MAX_CIFAR_MEMBER
    name = member.name.rsplit("/", 1)[-1]
    if member.size > limit or (name != CIFAR_META and (member.size == 0 or member.size % CIFAR_RECORD)):
        raise DataError(f"{archive}: {member.name} is {member.size} bytes; a CIFAR-10 batch is at most "
                        f"{MAX_CIFAR_MEMBER} bytes of {CIFAR_RECORD}-byte records (refused before unpacking)")
    src = tar.extractfile(member)
    if src is None:
        raise DataError(f"{archive}: {member.name} is not a regular file")
    done, offset = 0, 0
    with src, open(out, "wb") as dst:
        while True:
            reporter.check()
            chunk = src.read(min(CIFAR_RECORD * 256, limit + 1 - done))
            if not chunk:
                break
            done += len(chunk)
            if done > limit or done > member.size:
                raise DataError(f"{archive}: {member.name} holds more than its {member.size} bytes")
            if name != CIFAR_META:
                labels = np.frombuffer(chunk, dtype=np.uint8)[(-offset) % CIFAR_RECORD::CIFAR_RECORD]
                if labels.size and labels.max() > 9:
                    raise DataError(f"{archive}: {member.name} holds label {labels.max()}, not a CIFAR-10 class "
                                    "(0..9); is this CIFAR-100?")
                offset = (offset + len(chunk)) % CIFAR_RECORD
            dst.write(chunk)
    if done != member.size:
        raise DataError(f"{archive}: {member.name} is truncated ({done} of {member.size} bytes)")


def extract_cifar(archive: Path, dest_parent: Path, reporter: Reporter) -> Path:
    """Unpack the seven files we use from ``archive`` into ``dest_parent/cifar-10-batches-bin``.

    Only regular members with the expected names are taken, each copied by our own name (no path from
    the archive is used: no traversal, links or devices) and bounded as it is written: a member larger
    than a CIFAR batch, one that grows past its header's size, or one with a label above 9 stops the
    unpacking, and the half-written folder is removed. There must be room on the disk for what the
    headers promise. The folder appears by one rename when complete and checked.
    """
    wanted = {f"{CIFAR_DIR}/{n}" for n in CIFAR_TRAIN + (CIFAR_TEST, CIFAR_META)}
    tmp = dest_parent / f".extract-{os.getpid()}"
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        (tmp / CIFAR_DIR).mkdir(parents=True)
        with tarfile.open(archive, "r:*") as tar:
            members = {}
            for m in tar:
                reporter.check()
                key = m.name.lstrip("./")
                if key in wanted and m.isfile() and key not in members:
                    members[key] = m
                    reporter.update(len(members), len(wanted), f"unpacking {archive.name}")
                if len(members) == len(wanted):
                    break
            found = {k.split("/")[-1] for k in members}
            lacking = [n for n in CIFAR_TRAIN + (CIFAR_TEST,) if n not in found]
            if lacking:
                raise DataError(f"{archive}: not the CIFAR-10 binary archive (lacks {', '.join(lacking)})")
            total = sum(min(m.size, MAX_CIFAR_MEMBER + 1) for m in members.values())
            free = shutil.disk_usage(tmp).free
            if total > free:
                raise DataError(f"{archive}: unpacking needs {total} bytes, the disk at {dest_parent} has {free} free")
            for key, m in members.items():
                _copy_member(tar, m, tmp / CIFAR_DIR / key.split("/")[-1], archive, reporter)
        final = dest_parent / CIFAR_DIR
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp / CIFAR_DIR, final)
        return final
    except DataError:
        raise
    except (tarfile.TarError, OSError, EOFError, ValueError, zlib.error) as e:
        raise DataError(f"{archive}: cannot be unpacked ({type(e).__name__}: {e})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_cifar_batch(path: Path, max_items: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        size = path.stat().st_size
        if size == 0 or size % CIFAR_RECORD:
            raise DataError(f"{path}: {size} bytes is not a whole number of {CIFAR_RECORD}-byte CIFAR records")
        check_count(size // CIFAR_RECORD, str(path), max_items)
        raw = np.fromfile(path, dtype=np.uint8).reshape(-1, CIFAR_RECORD)
    except OSError as e:
        raise DataError(f"{path}: cannot be read ({e.strerror or e})") from None
    labels = raw[:, 0].astype(np.int64)
    if labels.max() > 9:
        raise DataError(f"{path}: label {labels.max()} is not a CIFAR-10 class (0..9); is this CIFAR-100?")
    return np.ascontiguousarray(raw[:, 1:].reshape(-1, 3, 32, 32)), labels


def load_cifar_folder(folder: Path, cfg, reporter: Reporter, name: str = "cifar10", source: str | None = None) -> Dataset:
    if (folder / CIFAR_DIR).is_dir():
        folder = folder / CIFAR_DIR
    parts = []
    for i, n in enumerate(CIFAR_TRAIN):
        reporter.step(i, 6, f"reading {n}")
        parts.append(read_cifar_batch(folder / n, cfg.max_items))
    x_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    check_count(len(x_train), str(folder), cfg.max_items)
    x_test, y_test = read_cifar_batch(folder / CIFAR_TEST, cfg.max_items)
    names = CIFAR10.class_names
    meta = folder / CIFAR_META
    try:
        text = read_bytes(meta, MAX_CIFAR_META, "class list").decode("utf-8", errors="replace")
    except (OSError, ReadRefused):
        text = ""
    if text:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        if len(lines) >= 10:
            names = tuple(ln[:40] for ln in lines[:10])
    prep = {"format": "cifar-10 binary", "splits": "data_batch_1..5 / test_batch", "values": "integers 0..255"}
    return images_dataset(str(folder), x_train, x_test, cfg, y_train, y_test, class_names=names, name=name,
                          preparation=prep, reporter=reporter, source=source or f"CIFAR-10 binary ({folder})")


def load_cifar_archive(archive: Path, cfg, reporter: Reporter) -> Dataset:
    """A person's own ``cifar-10-binary.tar.gz``: the official one fills the cache, another gets its own."""
    try:
        is_tar = tarfile.is_tarfile(archive)
    except (OSError, EOFError, ValueError, tarfile.TarError) as e:
        raise DataError(f"{archive}: cannot be read as a tar archive ({type(e).__name__}: {e})") from None
    if not is_tar:
        raise DataError(f"{archive}: not a tar archive")
    digest = sha256_file(archive, reporter)
    official = digest == CIFAR10.files[0].sha256
    parent = set_folder("cifar10") if official else cache_root() / "local" / digest[:16]
    if not cifar_folder_complete(parent / CIFAR_DIR):
        made = not parent.exists()
        parent.mkdir(parents=True, exist_ok=True)
        try:
            extract_cifar(archive, parent, reporter)
        except DataError:
            if made:  # nothing of a refused archive stays in the cache
                shutil.rmtree(parent, ignore_errors=True)
            raise
    return load_cifar_folder(parent / CIFAR_DIR, cfg, reporter,
                             source=f"CIFAR-10 binary from {archive}" + ("" if official else " (not the official file)"))


def load_remote(name: str, cfg, reporter: Reporter) -> Dataset:
    """A downloadable set by name: from the cache, or downloaded (when allowed) and then cached."""
    rs = REMOTE_SETS[remote_key(name)]
    folder = set_folder(rs.key)
    source = f"{rs.title}, cached in {folder}"
    if rs.layout == "cifar":
        if not cifar_folder_complete(folder / CIFAR_DIR):
            archive = ensure_files(rs, cfg, reporter)[0]
            extract_cifar(archive, folder, reporter)
            archive.unlink(missing_ok=True)  # the extracted files are what we read; keep the cache small
        return load_cifar_folder(folder / CIFAR_DIR, cfg, reporter, name=rs.key, source=source)
    ensure_files(rs, cfg, reporter)
    ds = load_idx_folder(folder, cfg, reporter, class_names=rs.class_names, name=rs.key, source=source)
    ds.preparation["downloaded"] = rs.key
    return ds


def catalogue() -> list[dict]:
    """What the window can offer for download: name, title, size, licence, and whether it is cached."""
    return [{"name": s.key, "title": s.title, "bytes": sum(f.size for f in s.files), "licence": s.licence,
             "cached": is_cached(s.key), "folder": str(set_folder(s.key))} for s in REMOTE_SETS.values()]
