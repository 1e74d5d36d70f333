"""The downloader against a real HTTP server on 127.0.0.1 serving the shared MNIST files.

Paths on the server choose its behaviour: ``/ok/`` serves files (with Range support), ``/corrupt/``
flips one byte, ``/drop/`` closes the connection part-way through the first response for each file,
``/norange/`` does that too and then ignores Range headers, anything else is a 404.
"""

from __future__ import annotations

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
from tests.conftest import SHARED_MNIST

pytestmark = pytest.mark.skipif(not SHARED_MNIST.is_dir(),
                                reason=f"shared MNIST files not found at {SHARED_MNIST}")

BYTE_IDENTICAL = ("t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
DROP_AFTER = 700  # bytes sent before a /drop/ response is cut


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
    _Handler.files = {p.name: p.read_bytes() for p in SHARED_MNIST.glob("*.gz")}
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


def test_official_checksums_match_the_byte_identical_shared_files():
    for name in BYTE_IDENTICAL:
        f = official(name)
        assert sha(SHARED_MNIST / name) == f.sha256, name
        assert (SHARED_MNIST / name).stat().st_size == f.size, name


def test_good_download_lands_verified_and_is_then_served_from_the_cache(server, tmp_path):
    seen = []
    rep = Reporter(lambda d, t, s: seen.append((d, t, s)), min_interval=0)
    f = official("t10k-images-idx3-ubyte.gz")
    path = fetch(f, tmp_path / "c", [f"{server}/ok/"], "mnist", rep, backoff=0)
    assert path == tmp_path / "c" / f.name and sha(path) == f.sha256
    assert list((tmp_path / "c").iterdir()) == [path]  # no .part left behind
    assert seen[-1][0] == seen[-1][1] == f.size and "127.0.0.1" in seen[-1][2]
    n_requests = len(_Handler.log)
    assert fetch(f, tmp_path / "c", [f"{server}/ok/"], "mnist", rep) == path
    assert len(_Handler.log) == n_requests  # the cache answered; no network


def test_checksum_mismatch_is_rejected_and_the_next_mirror_is_used(server, tmp_path):
    f = official("t10k-labels-idx1-ubyte.gz")
    with pytest.raises(DownloadError) as info:
        fetch(f, tmp_path / "c", [f"{server}/corrupt/"], "mnist", backoff=0)
    assert "checksum mismatch" in str(info.value) and f.name in str(info.value)
    assert not list((tmp_path / "c").iterdir())  # nothing unverified in the cache
    path = fetch(f, tmp_path / "c", [f"{server}/corrupt/", f"{server}/ok/"], "mnist", backoff=0)
    assert sha(path) == f.sha256


def test_dropped_connection_resumes_with_a_range_request(server, tmp_path):
    f = official("train-labels-idx1-ubyte.gz")
    path = fetch(f, tmp_path / "c", [f"{server}/drop/"], "mnist", backoff=0)
    assert sha(path) == f.sha256
    ranges = [r for p, r in _Handler.log if p.endswith(f.name)]
    assert ranges == [None, f"bytes={DROP_AFTER}-"]


def test_dropped_connection_on_a_server_without_ranges_restarts_cleanly(server, tmp_path):
    f = official("train-labels-idx1-ubyte.gz")
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
    f = official("t10k-images-idx3-ubyte.gz")
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
    shared_train = SHARED_MNIST / "train-images-idx3-ubyte.gz"
    # The shared train-images is a faithful reconstruction (same pixels, different gzip bytes), so the
    # official size and checksum must reject it; the other three are the official files.
    cfg = DataConfig(name="mnist", mirrors=(f"{server}/ok/",))
    if sha(shared_train) != official(shared_train.name).sha256:
        with pytest.raises(DataError, match="expected 9912422; the file there is different"):
            load_dataset(cfg)
    files = tuple(RemoteFile(f.name, sha(SHARED_MNIST / f.name), f.size if f.name != shared_train.name
                             else shared_train.stat().st_size) for f in remote.MNIST.files)
    from dataclasses import replace
    monkeypatch.setitem(remote.REMOTE_SETS, "mnist", replace(remote.MNIST, files=files))
    ds = load_dataset(cfg)
    assert ds.x_train.shape == (60000, 1, 28, 28) and ds.x_test.shape == (10000, 1, 28, 28)
    assert ds.spec.num_classes == 10 and ds.spec.levels == 256
    assert np.bincount(ds.y_test.numpy()).tolist()[:2] == [980, 1135]  # MNIST's published test counts
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
