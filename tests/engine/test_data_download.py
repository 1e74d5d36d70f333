"""The downloader against a real HTTP server on 127.0.0.1 serving a small MNIST-layout set.

The set is made here (random 28x28 digits-to-be in gzipped IDX files, with their SHA-256 and sizes), so
these tests run on any machine; the official MNIST checksums are still checked to reject it.

Paths on the server choose its behaviour: ``/ok/`` serves files (with Range support), ``/corrupt/``
flips one byte, ``/drop/`` closes the connection part-way through the first response for each file,
``/norange/`` does that too and then ignores Range headers, anything else is a 404.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from engine.config import DataConfig
from engine.data import LoadCancelled, load_dataset
from engine.data import remote
from engine.data.download import DownloadError, RemoteFile, fetch
from engine.data.progress import Reporter
from engine.errors import DataError
DROP_AFTER = 700  # bytes sent before a /drop/ response is cut
N_TRAIN, N_TEST = 1000, 400  # the test images (400 x 784 random bytes) span several 64 KB download chunks


def _idx(array: np.ndarray) -> bytes:
    """Gzipped IDX bytes of a uint8 array (magic 0x0000 08 ndim, big-endian sizes), as MNIST's files are."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes(), mtime=0)


def _fixture_set() -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    labels = {"train": np.arange(N_TRAIN) % 10, "t10k": np.arange(N_TEST) % 10}
    files = {}
    for split, n in (("train", N_TRAIN), ("t10k", N_TEST)):
        files[f"{split}-images-idx3-ubyte.gz"] = _idx(rng.integers(0, 256, (n, 28, 28)))
        files[f"{split}-labels-idx1-ubyte.gz"] = _idx(labels[split])
    return files


FILES = _fixture_set()


def fixture_file(name: str) -> RemoteFile:
    """The download description of one of this test's files (its true size and SHA-256)."""
    return RemoteFile(name, hashlib.sha256(FILES[name]).hexdigest(), len(FILES[name]))


def official(name: str) -> RemoteFile:
    return next(f for f in remote.MNIST.files if f.name == name)


class _Handler(BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    log: list[tuple[str, str | None]] = []
    dropped: set[str] = set()

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        rng = self.headers.get("Range")
        self.log.append((self.path, rng))
        parts = self.path.strip("/").split("/")
        mode, name = parts[0], parts[-1]
        data = self.files.get(name)
        if data is None or mode not in ("ok", "corrupt", "drop", "norange", "ds"):
            self.send_error(404, "Not Found")
            return
        if mode == "corrupt":
            data = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
        if mode in ("drop", "norange") and self.path not in self.dropped:
            self.dropped.add(self.path)
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:DROP_AFTER])
            self.wfile.flush()
            self.close_connection = True
            return
        start = 0
        if rng and mode != "norange" and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        self.wfile.write(data[start:])


@pytest.fixture(scope="module")
def server():
    _Handler.files = dict(FILES)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, name="test-http", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture(autouse=True)
def fresh_log(monkeypatch, tmp_path):
    _Handler.log.clear()
    _Handler.dropped.clear()
    monkeypatch.setenv("GENLAB_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GENLAB_MIRRORS", raising=False)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_good_download_lands_verified_and_is_then_served_from_the_cache(server, tmp_path):
    seen = []
    rep = Reporter(lambda d, t, s: seen.append((d, t, s)), min_interval=0)
    f = fixture_file("t10k-images-idx3-ubyte.gz")
    path = fetch(f, tmp_path / "c", [f"{server}/ok/"], "mnist", rep, backoff=0)
    assert path == tmp_path / "c" / f.name and sha(path) == f.sha256
    assert list((tmp_path / "c").iterdir()) == [path]  # no .part left behind
    assert seen[-1][0] == seen[-1][1] == f.size and "127.0.0.1" in seen[-1][2]
    n_requests = len(_Handler.log)
    assert fetch(f, tmp_path / "c", [f"{server}/ok/"], "mnist", rep) == path
    assert len(_Handler.log) == n_requests  # the cache answered; no network


def test_checksum_mismatch_is_rejected_and_the_next_mirror_is_used(server, tmp_path):
    f = fixture_file("t10k-images-idx3-ubyte.gz")
    with pytest.raises(DownloadError) as info:
        fetch(f, tmp_path / "c", [f"{server}/corrupt/"], "mnist", backoff=0)
    assert "checksum mismatch" in str(info.value) and f.name in str(info.value)
    assert not list((tmp_path / "c").iterdir())  # nothing unverified in the cache
    path = fetch(f, tmp_path / "c", [f"{server}/corrupt/", f"{server}/ok/"], "mnist", backoff=0)
    assert sha(path) == f.sha256


def test_dropped_connection_resumes_with_a_range_request(server, tmp_path):
    f = fixture_file("train-images-idx3-ubyte.gz")
    path = fetch(f, tmp_path / "c", [f"{server}/drop/"], "mnist", backoff=0)
    assert sha(path) == f.sha256
    ranges = [r for p, r in _Handler.log if p.endswith(f.name)]
    assert ranges == [None, f"bytes={DROP_AFTER}-"]


def test_dropped_connection_on_a_server_without_ranges_restarts_cleanly(server, tmp_path):
    f = fixture_file("train-images-idx3-ubyte.gz")
    path = fetch(f, tmp_path / "c", [f"{server}/norange/"], "mnist", backoff=0)
    assert sha(path) == f.sha256
    assert len([p for p, _ in _Handler.log if p.endswith(f.name)]) == 2


def test_404_names_the_file_and_offers_a_local_path(server, tmp_path):
    cfg = DataConfig(name="mnist", mirrors=(f"{server}/nothing-here/",))
    with pytest.raises(DataError) as info:
        load_dataset(cfg)
    text = str(info.value)
    assert "404" in text and "train-images-idx3-ubyte.gz" in text
    assert "--data PATH" in text and "GENLAB_MIRRORS" in text


def test_unreachable_mirror_fails_fast_with_a_clear_message(tmp_path):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    cfg = DataConfig(name="fashion-mnist", mirrors=(f"http://127.0.0.1:{port}/",))
    with pytest.raises(DataError, match="unreachable") as info:
        load_dataset(cfg)
    assert "--data PATH" in str(info.value)


def test_download_off_never_touches_the_network(server):
    cfg = DataConfig(name="mnist", allow_download=False, mirrors=(f"{server}/ok/",))
    with pytest.raises(DataError, match="downloading is off"):
        load_dataset(cfg)
    assert _Handler.log == []


def test_cancelled_download_keeps_its_part_and_resumes_later(server, tmp_path):
    f = fixture_file("t10k-images-idx3-ubyte.gz")
    calls = []

    def progress(done, total, text):
        calls.append(done)

    rep = Reporter(progress, cancelled=lambda: len(calls) >= 3, min_interval=0)
    with pytest.raises(LoadCancelled):
        fetch(f, tmp_path / "c", [f"{server}/ok/"], "mnist", rep, backoff=0)
    part = tmp_path / "c" / (f.name + ".part")
    assert 0 < part.stat().st_size < f.size
    have = part.stat().st_size
    path = fetch(f, tmp_path / "c", [f"{server}/ok/"], "mnist", backoff=0)
    assert sha(path) == f.sha256 and not part.exists()
    assert _Handler.log[-1][1] == f"bytes={have}-"


def test_mnist_by_name_downloads_caches_and_loads_offline_after(server, monkeypatch):
    cfg = DataConfig(name="mnist", mirrors=(f"{server}/ok/",))
    # The official sizes and checksums reject files that are not MNIST's, naming what was expected.
    with pytest.raises(DataError, match="expected 9912422; the file there is different"):
        load_dataset(cfg)
    files = tuple(fixture_file(f.name) for f in remote.MNIST.files)
    from dataclasses import replace
    monkeypatch.setitem(remote.REMOTE_SETS, "mnist", replace(remote.MNIST, files=files))
    ds = load_dataset(cfg)
    assert ds.x_train.shape == (N_TRAIN, 1, 28, 28) and ds.x_test.shape == (N_TEST, 1, 28, 28)
    assert ds.spec.num_classes == 10 and ds.spec.levels == 256
    assert np.bincount(ds.y_test.numpy()).tolist() == [N_TEST // 10] * 10
    first = np.frombuffer(gzip.decompress(FILES["t10k-images-idx3-ubyte.gz"])[16:16 + 784], dtype=np.uint8)
    assert np.allclose(ds.x_test[0].numpy().reshape(-1) * 255, first, atol=1e-3)  # the served pixels, in order
    before = len(_Handler.log)
    again = load_dataset(DataConfig(name="mnist", allow_download=False))
    assert len(_Handler.log) == before and again.x_test.shape == ds.x_test.shape


# ---- CIFAR-10 binary ---------------------------------------------------------------------------------------
def fake_cifar_archive(n: int = 7, evil: bool = False) -> bytes:
    """A small archive in the layout of cifar-10-binary.tar.gz (n records per batch)."""
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        def add(name: str, data: bytes):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name in remote.CIFAR_TRAIN + (remote.CIFAR_TEST,):
            rec = rng.integers(0, 256, (n, remote.CIFAR_RECORD), dtype=np.uint8)
            rec[:, 0] = rng.integers(0, 10, n)
            add(f"cifar-10-batches-bin/{name}", rec.tobytes())
        add("cifar-10-batches-bin/batches.meta.txt", "\n".join(remote.CIFAR10.class_names).encode())
        add("cifar-10-batches-bin/readme.html", b"<p>not taken</p>")
        if evil:
            add("../escaped.txt", b"outside")
            link = tarfile.TarInfo("cifar-10-batches-bin/link")
            link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(link)
    return buf.getvalue()


def test_cifar10_binary_downloads_unpacks_safely_and_loads(server, monkeypatch, tmp_path):
    data = fake_cifar_archive(evil=True)
    _Handler.files["cifar-10-binary.tar.gz"] = data
    rf = RemoteFile("cifar-10-binary.tar.gz", hashlib.sha256(data).hexdigest(), len(data))
    from dataclasses import replace
    monkeypatch.setitem(remote.REMOTE_SETS, "cifar10", replace(remote.CIFAR10, files=(rf,)))
    ds = load_dataset(DataConfig(name="cifar10", mirrors=(f"{server}/ok/",)))
    assert ds.x_train.shape == (35, 3, 32, 32) and ds.x_test.shape == (7, 3, 32, 32)
    assert ds.spec.class_names[0] == "airplane"
    cache = tmp_path / "cache" / "datasets" / "cifar10"
    assert sorted(p.name for p in (cache / "cifar-10-batches-bin").iterdir()) == sorted(
        remote.CIFAR_TRAIN + (remote.CIFAR_TEST, remote.CIFAR_META))
    assert not (cache / "cifar-10-binary.tar.gz").exists()
    assert not list(tmp_path.rglob("escaped.txt")) and not list(tmp_path.rglob("link"))


def test_a_local_cifar_archive_loads_without_network(tmp_path):
    archive = tmp_path / "cifar-10-binary.tar.gz"
    archive.write_bytes(fake_cifar_archive(n=3))
    ds = load_dataset(DataConfig(name=str(archive)))
    assert ds.x_train.shape == (15, 3, 32, 32) and "not the official file" in ds.source
    bad = tmp_path / "other.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(DataError, match="not the CIFAR-10 binary archive"):
        load_dataset(DataConfig(name=str(bad)))
