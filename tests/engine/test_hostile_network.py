"""Network only when asked (issue 18, kind 8): a config from a file adds no download source without
confirmation, only http(s) is spoken (redirects included, GENLAB_MIRRORS too), a trickling server
meets a minimum rate and an overall deadline, and HTTPS is verified with the system's store
(``truststore``), here against a local TLS server whose authority reaches the store by SSL_CERT_FILE."""

from __future__ import annotations

import hashlib
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from engine.data.download import DownloadError, RemoteFile, fetch
from engine.errors import DataError
from tests.engine.hostile_helpers import ROOT, run_cli

sys.path.insert(0, str(ROOT / "tools"))
import tls_test_server  # noqa: E402

BODY = bytes(range(256)) * 40


class Handler(BaseHTTPRequestHandler):
    log: list = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.log.append(self.path)
        if self.path.startswith("/ftp/"):
            self.send_response(302)
            self.send_header("Location", f"ftp://127.0.0.1:{self.server.ftp_port}/x")
            self.end_headers()
        elif self.path.startswith("/trickle/"):
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            try:
                for b in BODY:
                    self.wfile.write(bytes([b]))
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
        elif self.path.startswith("/ok/"):
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
        else:
            self.send_error(404)


@pytest.fixture
def server():
    ftp = socket.socket()
    ftp.bind(("127.0.0.1", 0))
    ftp.listen(1)
    ftp.settimeout(0.1)
    Handler.log = []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.ftp_port = ftp.getsockname()[1]
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, name="test-http", daemon=True)
    t.start()
    yield srv, ftp
    srv.shutdown()
    srv.server_close()
    ftp.close()


def body_file() -> RemoteFile:
    return RemoteFile("body.bin", hashlib.sha256(BODY).hexdigest(), len(BODY))


def picture_with(tmp_path: Path, **data) -> Path:
    from engine.config import RunConfig
    from engine.render import png_bytes
    cfg = RunConfig(family="vae")
    for k, v in data.items():
        setattr(cfg.data, k, v)
    cfg.train.steps = 1
    png = tmp_path / "picture.png"
    png.write_bytes(png_bytes(np.zeros((8, 8), np.uint8), {"genlab.config": cfg.to_json()}))
    return png


def test_a_picture_naming_a_mirror_contacts_nobody_without_the_flag(tmp_path, server):
    srv, _ = server
    png = picture_with(tmp_path, name="mnist", mirrors=(f"http://127.0.0.1:{srv.server_port}/mirror/",))
    env = {"GENLAB_CACHE": str(tmp_path / "cache")}
    r = run_cli(["train", "--config", str(png), "--out", str(tmp_path / "r"), "--quiet"], env=env)
    r.check_refused(str(png), "127.0.0.1", "--trust-config")
    assert Handler.log == [] and not (tmp_path / "r").exists() and not (tmp_path / "cache").exists()
    # confirmed: now the mirror is asked (it has no such file: a clear download error, exit 2)
    r = run_cli(["train", "--config", str(png), "--out", str(tmp_path / "r"), "--quiet", "--trust-config"], env=env)
    r.check_refused("could not download")
    assert Handler.log and Handler.log[0].startswith("/mirror/")


def test_a_picture_naming_a_home_folder_is_refused_without_the_flag(tmp_path):
    png = picture_with(tmp_path, name="~")
    home = tmp_path / "home"
    (home / "photos").mkdir(parents=True)
    r = run_cli(["train", "--config", str(png), "--out", str(tmp_path / "r")], env={"HOME": str(home)})
    r.check_refused(str(png), f"read data from {home}")
    assert not (tmp_path / "r").exists()
    # naming the data yourself is confirmation enough
    r = run_cli(["train", "--config", str(png), "--data", "moons", "--out", str(tmp_path / "r2"), "--quiet"])
    assert r.rc == 0, r.stderr
    from engine.data.sources import requests
    from engine.runs.export import config_from_png
    assert [q.kind for q in requests(config_from_png(png).data)] == ["path"]


def test_a_redirect_to_ftp_is_refused_and_never_followed(tmp_path, server):
    srv, ftp = server
    with pytest.raises(DownloadError, match="redirect to a ftp"):
        fetch(body_file(), tmp_path, [f"http://127.0.0.1:{srv.server_port}/ftp/"], "t", attempts=1)
    with pytest.raises(socket.timeout):
        ftp.accept()                                   # nobody came knocking on the ftp port
    assert not (tmp_path / "body.bin").exists()


def test_genlab_mirrors_must_be_http(tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    r = run_cli(["data", "--data", "mnist", "-o", str(tmp_path / "x.npy")],
                env={"GENLAB_MIRRORS": f"file://{secret}/", "GENLAB_CACHE": str(tmp_path / "cache")})
    r.check_refused("GENLAB_MIRRORS", "file://")
    with pytest.raises(DataError, match="only over HTTP"):
        fetch(body_file(), tmp_path, [f"file://{secret}/"], "t")


def test_a_trickling_server_meets_the_minimum_rate(tmp_path, server):
    srv, _ = server
    start = time.monotonic()
    with pytest.raises(DownloadError, match="too slow"):
        fetch(body_file(), tmp_path, [f"http://127.0.0.1:{srv.server_port}/trickle/"], "t",
              min_rate=100, rate_window=1.5, attempts=1)
    assert time.monotonic() - start < 10
    assert not (tmp_path / "body.bin").exists()


def test_a_trickling_server_meets_the_overall_deadline(tmp_path, server):
    srv, _ = server
    start = time.monotonic()
    with pytest.raises(DownloadError, match="deadline"):  # the rate window never ends; the deadline does
        fetch(body_file(), tmp_path, [f"http://127.0.0.1:{srv.server_port}/trickle/"] * 3, "t",
              min_rate=len(BODY) / 1.0, rate_window=1000, deadline=1.0, attempts=3)
    assert time.monotonic() - start < 10


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    root = tmp_path_factory.mktemp("tls")
    (root / "files").mkdir()
    (root / "files" / "body.bin").write_bytes(BODY)
    srv, port = tls_test_server.serve(root, root / "files")
    yield root, port
    srv.shutdown()
    srv.server_close()


def test_https_is_verified_with_the_system_store(tmp_path, tls, monkeypatch):
    """From source: the authority in SSL_CERT_FILE (OpenSSL's default verify path, which truststore's
    Linux store reads) makes the server trusted; without it the same download is refused."""
    root, port = tls
    url = f"https://localhost:{port}/"
    monkeypatch.setenv("SSL_CERT_FILE", str(root / "ca.pem"))
    got = fetch(body_file(), tmp_path / "a", [url], "t", attempts=1)
    assert got.read_bytes() == BODY
    monkeypatch.setenv("SSL_CERT_FILE", str(root / "server.key"))   # no authority there: not trusted
    with pytest.raises(DownloadError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        fetch(body_file(), tmp_path / "b", [url], "t", attempts=1)


def test_the_download_command_uses_https_with_the_system_store(tmp_path, tls):
    root, port = tls
    out = tmp_path / "body.bin"
    args = ["download", "--url", f"https://localhost:{port}/body.bin", "--sha256",
            hashlib.sha256(BODY).hexdigest(), "--bytes", str(len(BODY)), "-o", str(out)]
    r = run_cli(args, env={"SSL_CERT_FILE": str(root / "ca.pem")})
    assert r.rc == 0, r.stderr
    assert out.read_bytes() == BODY
    out.unlink()
    r = run_cli(args, env={"SSL_CERT_FILE": str(root / "server.key")})
    r.check_refused("certificate")
    assert not out.exists()
